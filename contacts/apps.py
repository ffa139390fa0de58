from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """Each member's private address book."""

    name = "contacts"
    verbose_name = "Address books"

    def ready(self):
        from django.urls import register_converter

        from contacts import receivers  # noqa: F401 - connects the receivers
        from contacts.services.photos import PhotoKeyConverter

        # Before any URL configuration is read.
        register_converter(PhotoKeyConverter, "photo_key")
