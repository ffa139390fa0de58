"""Application configs of the project itself."""

from django.contrib.admin.apps import AdminConfig


class RapportAdminConfig(AdminConfig):
    """The Django admin, served by `config.admin.RapportAdminSite`."""

    default_site = "config.admin.RapportAdminSite"
