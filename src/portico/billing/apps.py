from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "portico.billing"
    label = "billing"
