from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from portico.accounts.models import User
from portico.customers.demo import DEMO_PASSWORD, PERSONAS, create_foundation

# Each app adds its demo data on top of the foundation's organisations and people, in order.
DEMO_LOADERS = [
    "portico.assets.demo.load",
    "portico.orders.demo.load",
    "portico.meters.demo.load",
    "portico.service.demo.load",
    "portico.billing.demo.load",
]


class Command(BaseCommand):
    help = "Load Portico's demo data. Every demo user's password is 'portico-demo'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty the database first.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when users already exist."
        )

    def handle(self, *args: Any, reset: bool = False, if_empty: bool = False, **opts: Any) -> None:
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if User.objects.exists():
            if not if_empty:
                self.stderr.write("The database already holds data: use --reset to start over.")
            self.print_logins()
            return
        with transaction.atomic():
            foundation = create_foundation()
            for loader in DEMO_LOADERS:
                import_string(loader)(foundation)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for email, _, description in PERSONAS:
            self.stdout.write(f"  {email:<24} {description}")
        self.stdout.write("")
