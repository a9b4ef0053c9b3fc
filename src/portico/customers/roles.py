"""Role templates that pre-fill a membership's rights (A3)."""

from portico.core.rights import Function, Right

F, R = Function, Right

ROLE_TEMPLATES: dict[str, dict[str, int]] = {
    "Administrator": {f.value: R.AMEND for f in F},
    "Helpdesk": {
        F.TICKETS: R.AMEND,
        F.ORDERS: R.CREATE,
        F.METERS: R.CREATE,
        F.RMAS: R.CREATE,
        F.ASSETS: R.VIEW,
        F.KB: R.VIEW,
    },
    "Accounts": {
        F.INVOICES: R.AMEND,
        F.PAYMENTS: R.CREATE,
        F.USAGE: R.VIEW,
        F.DOCUMENTS: R.VIEW,
        F.KB: R.VIEW,
    },
    "Site user": {
        F.TICKETS: R.CREATE,
        F.ORDERS: R.CREATE,
        F.METERS: R.CREATE,
        F.ASSETS: R.VIEW,
        F.INVOICES: R.VIEW,
        F.RMAS: R.VIEW,
        F.KB: R.VIEW,
    },
}
ROLE_CHOICES = [(name, name) for name in ROLE_TEMPLATES]


def rights_for_role(role: str) -> dict[str, int]:
    template = ROLE_TEMPLATES[role]
    return {f.value: int(template.get(f.value, R.NONE)) for f in F}
