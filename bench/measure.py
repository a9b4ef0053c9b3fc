"""In-process half of the benchmark: SQL queries per page, and the URLs and cookies to load.

Run by ``bench/run.py`` with the benchmark's environment (production settings, scratch
database). Prints one JSON object: for each page its path, the cookies a browser sends back
(session, CSRF), the HTTP status and the number of SQL queries a warm request issues
(``django.test.utils.CaptureQueriesContext``).
"""

from __future__ import annotations

import json
import os
import sys

STAFF_EMAIL = "bench-staff@bench.example"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from portico.accounts.models import User
    from portico.service.management.commands.generate_requests import BENCH_EMAIL
    from portico.service.models import ServiceRequest

    customer = User.objects.get(email=BENCH_EMAIL)
    staff = User.objects.filter(email=STAFF_EMAIL).first() or User.objects.create_user(
        STAFF_EMAIL, None, full_name="Bench Staff", is_staff=True
    )
    organisation = customer.memberships.get().organisation
    sample = (
        ServiceRequest.objects.filter(organisation=organisation).order_by("-created_at").first()
    )
    if sample is None:
        raise SystemExit("No service requests for the bench customer: generate data first.")

    def session_client(user: User) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    clients = {
        "anonymous": Client(HTTP_HOST="127.0.0.1"),
        "customer": session_client(customer),
        "staff": session_client(staff),
    }
    pages = [
        ("hello (floor)", "anonymous", "/backoffice/workspace/bench/hello/"),
        ("customer request list", "customer", reverse("service:list")),
        ("request detail", "customer", reverse("service:detail", args=[sample.number])),
        ("agents' queue", "staff", reverse("workspace:queue")),
    ]
    result = []
    for name, who, path in pages:
        client = clients[who]
        client.get(path)  # warm: session, branding and scope caches as a running server has
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        result.append(
            {
                "page": name,
                "path": path,
                "status": response.status_code,
                "bytes": len(response.content),
                "queries": len(queries),
                # What a browser sends back once it has loaded a page: the session and
                # the CSRF cookie (without it every page would mint a new CSRF secret).
                "cookie": "; ".join(
                    f"{name}={morsel.value}"
                    for name, morsel in sorted(client.cookies.items())
                    if morsel.value
                ),
            }
        )
    json.dump(
        {"requests": ServiceRequest.objects.count(), "pages": result},
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
