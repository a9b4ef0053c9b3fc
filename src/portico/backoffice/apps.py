from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class BackofficeConfig(AppConfig):
    name = "portico.backoffice"
    label = "backoffice"
    verbose_name = "Back office"


class PorticoAdminConfig(AdminConfig):
    """The Django admin, served as Portico's branded back office."""

    default_site = "portico.backoffice.site.BackofficeSite"
