"""URLs of the connections app."""

from django.urls import path

from connections.views import pages

app_name = "connections"

urlpatterns = [
    path("network/", pages.network, name="network"),
    path("messages/", pages.messages_inbox, name="messages"),
    path("settings/", pages.settings_index, name="settings"),
    path("in/<str:handle>/", pages.profile, name="profile"),
]
