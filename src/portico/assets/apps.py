from django.apps import AppConfig


class AssetsConfig(AppConfig):
    verbose_name = "Equipment"
    name = "portico.assets"
    label = "assets"
