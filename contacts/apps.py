from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """Each member's private address book."""

    name = "contacts"
    verbose_name = "Address books"

    def ready(self):
        from contacts import receivers  # noqa: F401 - connects the receivers
