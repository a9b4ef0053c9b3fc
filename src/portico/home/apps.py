from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "portico.home"
    label = "home"
    verbose_name = "Home"
