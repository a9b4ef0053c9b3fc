from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "portico.orders"
    label = "orders"
