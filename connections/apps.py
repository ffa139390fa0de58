from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    """Members, profiles, invitations, connections, blocks, messaging, moderation."""

    name = "connections"
    verbose_name = "Members and connections"

    def ready(self):
        from django.urls import register_converter

        from connections import receivers  # noqa: F401 - connects the receivers
        from connections.ids import HandleConverter, IdConverter

        # Before any URL configuration is read (both apps' take handles and ids).
        register_converter(HandleConverter, "handle")
        register_converter(IdConverter, "id")
