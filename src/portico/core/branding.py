"""Words of the portal: the spec's wording by default, overridable by the provider (H5)."""

DEFAULT_LABELS: dict[str, str] = {
    # navigation
    "nav_home": "Home",
    "nav_sites": "Sites",
    "nav_assets": "Equipment",
    "nav_tickets": "Requests",
    "nav_orders": "Orders",
    "nav_meters": "Meters",
    "nav_invoices": "Invoices",
    "nav_usage": "Usage",
    "nav_rmas": "Returns",
    "nav_documents": "Documents",
    "nav_kb": "Knowledge base",
    "nav_users": "Users",
    "nav_queue": "Request queue",
    "nav_backoffice": "Back office",
    # buttons and menu entries
    "change_account": "Change account",
    "profile": "Profile",
    "change_password": "Change password",
    "log_out": "Log out",
    "log_in": "Log in",
    "forgot_password": "Forgot password?",
    "choose_equipment": "Choose equipment",
    "new_request": "New request",
    "new_order": "New order",
    "make_payment": "Make payment",
    "respond": "Respond",
    "start_session": "Start session",
    "invite_user": "Invite user",
    "export_csv": "Export CSV",
    "export_excel": "Export Excel",
}


def label(labels: dict[str, str], key: str) -> str:
    return labels.get(key) or DEFAULT_LABELS.get(key) or key.replace("_", " ").capitalize()
