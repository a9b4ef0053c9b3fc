from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    verbose_name = "Conversations"
    name = "portico.threads"
    label = "threads"
