"""The functions of the portal and the rights a membership holds on each (A3)."""

from django.db import models


class Right(models.IntegerChoices):
    """Ordered: amend includes create, create includes view."""

    NONE = 0, "None"
    VIEW = 1, "View"
    CREATE = 2, "Create"
    AMEND = 3, "Amend"


class Function(models.TextChoices):
    TICKETS = "tickets", "Service requests"
    ORDERS = "orders", "Orders"
    METERS = "meters", "Meter readings"
    INVOICES = "invoices", "Invoices"
    PAYMENTS = "payments", "Payments"
    USAGE = "usage", "Usage"
    RMAS = "rmas", "Returns (RMAs)"
    ASSETS = "assets", "Equipment"
    DOCUMENTS = "documents", "Documents"
    KB = "kb", "Knowledge base"
    USERS = "users", "Users"


# Pages about the signed-in person's own account (profile, login history, account switcher):
# any signed-in user may open them, and they show nothing of any organisation's data.
SIGNED_IN = "signed-in"

# Provider staff pages outside the admin (the agents' workspace): staff only, others get 404.
STAFF = "staff"
