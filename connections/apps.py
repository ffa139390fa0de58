from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """Members, profiles, invitations, connections, blocks, messaging, moderation."""

    name = "connections"
    verbose_name = "Members and connections"
