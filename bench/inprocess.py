"""Time (and optionally profile) the benchmark's pages in-process, on the benchmark's data.

    .venv/bin/python bench/inprocess.py                      # every page, 100 requests each
    .venv/bin/python bench/inprocess.py list queue -n 50     # some pages
    .venv/bin/python bench/inprocess.py list --profile       # and the top of a cProfile

Run it after ``bench/run.py`` (it reads ``var/bench/`` unless ``--var`` says otherwise),
with the benchmark's production settings. Each request closes its database connection
first, as a served request does, and the figures are CPU time (``time.process_time``): on a
shared machine CPU time is steadier than wall time. Prints min, p25 and median per page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import bench_env  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=["hello", "list", "detail", "queue"])
    parser.add_argument("-n", type=int, default=100, help="Requests per page.")
    parser.add_argument("--profile", action="store_true", help="Also print a cProfile top.")
    parser.add_argument("--var", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args(argv)
    os.environ.update(bench_env(Path(args.var)))

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from portico.accounts.models import User
    from portico.service.management.commands.generate_requests import BENCH_EMAIL
    from portico.service.models import ServiceRequest

    customer = User.objects.get(email=BENCH_EMAIL)
    staff = User.objects.get(email="bench-staff@bench.example")
    organisation = customer.memberships.get().organisation
    sample = ServiceRequest.objects.filter(organisation=organisation).order_by("-created_at")[0]

    def signed_in(user: User) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return client

    pages = {
        "hello": (Client(HTTP_HOST="127.0.0.1"), "/backoffice/workspace/bench/hello/"),
        "list": (signed_in(customer), reverse("service:list")),
        "detail": (signed_in(customer), reverse("service:detail", args=[sample.number])),
        "queue": (signed_in(staff), reverse("workspace:queue")),
    }
    for name in args.pages:
        client, path = pages[name]
        for _ in range(5):
            assert client.get(path).status_code == 200
        times = []
        for _ in range(args.n):
            connection.close()
            started = time.process_time()
            client.get(path)
            times.append((time.process_time() - started) * 1000)
        times.sort()
        print(
            f"{name:<8} min {times[0]:6.2f}  p25 {times[len(times) // 4]:6.2f}"
            f"  median {times[len(times) // 2]:6.2f} ms CPU"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                connection.close()
                client.get(path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
