from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "portico.meters"
    label = "meters"
