from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "portico.orders"
    label = "orders"
    verbose_name = "Supply orders"

    def ready(self) -> None:
        from . import timeline_events  # noqa: F401  (orders and item requests on a machine's timeline)
