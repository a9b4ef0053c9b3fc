from django.apps import AppConfig


class AssetsConfig(AppConfig):
    verbose_name = "Equipment"
    name = "portico.assets"
    label = "assets"

    def ready(self) -> None:
        from . import timeline_events  # noqa: F401  (the machine's own facts on its timeline)
