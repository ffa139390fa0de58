"""Root URL configuration."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from config import views
from connections.views.pages import home

admin.site.login = secure_admin_login(admin.site.login)

handler500 = "config.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("theme/", views.set_theme, name="set_theme"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("contacts/", include("contacts.urls")),
    path("", include("connections.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
