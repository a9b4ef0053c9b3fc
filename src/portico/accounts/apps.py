from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portico.accounts"
    label = "accounts"
    verbose_name = "Users"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (login audit and password-change hooks)
