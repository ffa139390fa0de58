"""URLs of the benchmark settings: the site's, plus the bare view."""

from django.urls import path

from config import urls as site_urls
from contacts.perf import views

handler500 = site_urls.handler500

urlpatterns = [
    path("__bench__/bare/", views.bare, name="bench_bare"),
    *site_urls.urlpatterns,
]
