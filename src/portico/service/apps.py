from django.apps import AppConfig


class ServiceConfig(AppConfig):
    verbose_name = "Service requests"
    name = "portico.service"
    label = "service"
