from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "portico.meters"
    label = "meters"
    verbose_name = "Meter readings"

    def ready(self) -> None:
        from . import timeline  # noqa: F401  (registers the asset timeline provider)
