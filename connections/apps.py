from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """Members, profiles, invitations, connections, blocks, messaging, moderation."""

    name = "connections"
    verbose_name = "Members and connections"

    def ready(self):
        from connections import receivers  # noqa: F401 - connects the receivers
