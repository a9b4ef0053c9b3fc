"""Generate a large data set of service requests for the benchmark (`make bench`).

    portico generate_requests --count 100000 --entries 4

Creates ``--organisations`` bench organisations with ``--sites`` sites each, and a bench
user (``bench@bench.example``, password ``portico-demo``, Administrator) in the first one,
which receives ``--share`` of the requests so its list pages are as large as possible.
Rows go in with ``bulk_create`` in batches; numbers continue the REQ sequence.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portico.core.models import NumberSequence
from portico.customers.models import Membership, Organisation, Site
from portico.customers.roles import rights_for_role
from portico.threads.models import Entry, Thread, Visibility

from ...models import Category, Priority, ServiceRequest

BENCH_EMAIL = "bench@bench.example"
BENCH_PASSWORD = "portico-demo"
TITLES = [
    "Paper jam in tray 2",
    "Streaks on printed pages",
    "Scanner does not send e-mail",
    "Error code E-204",
    "Toner not recognised",
    "Move the copier to the 2nd floor",
    "Install new finisher",
    "Fax line dead",
]
STATES = [
    ServiceRequest.State.NEW,
    ServiceRequest.State.ACKNOWLEDGED,
    ServiceRequest.State.SCHEDULED,
    ServiceRequest.State.IN_PROGRESS,
    ServiceRequest.State.AWAITING_CUSTOMER,
    ServiceRequest.State.RESOLVED,
    ServiceRequest.State.CLOSED,
    ServiceRequest.State.CLOSED,
    ServiceRequest.State.CANCELLED,
]


class Command(BaseCommand):
    help = "Bulk-generate service requests with threads for the benchmark."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--entries", type=int, default=4, help="Timeline entries each.")
        parser.add_argument("--organisations", type=int, default=0, help="Default: count/2000.")
        parser.add_argument("--sites", type=int, default=5, help="Sites per organisation.")
        parser.add_argument("--share", type=float, default=0.5, help="Share of the bench org.")
        parser.add_argument("--batch", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        count = options["count"]
        org_count = options["organisations"] or max(2, count // 2000)
        sites = self._organisations(org_count, options["sites"])
        user = self._bench_user(sites[0][0])
        categories = list(Category.objects.filter(is_active=True)) or [
            Category.objects.get_or_create(name="Fault")[0]
        ]
        start = self._reserve_numbers(count)
        now = timezone.now()
        made = 0
        # Keep the spread-out creation dates: auto_now_add would stamp every row with "now".
        created_field = ServiceRequest._meta.get_field("created_at")
        created_field.auto_now_add = False
        try:
            while made < count:
                size = min(options["batch"], count - made)
                with transaction.atomic():
                    self._batch(rng, start + made, size, options, sites, user, categories, now)
                made += size
                self.stdout.write(f"{made}/{count} requests", ending="\r")
                self.stdout.flush()
        finally:
            created_field.auto_now_add = True
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count} requests across {org_count} organisations; "
                f"log in as {BENCH_EMAIL} / {BENCH_PASSWORD}."
            )
        )

    def _organisations(self, org_count: int, per_org: int) -> list[tuple[Organisation, Site]]:
        existing = Organisation.objects.filter(customer_number__startswith="B-").count()
        for index in range(existing, org_count):
            organisation = Organisation.objects.create(
                name=f"Bench Customer {index + 1:04d}", customer_number=f"B-{index + 1:05d}"
            )
            Site.objects.bulk_create(
                Site(organisation=organisation, name=f"Site {n + 1}", city="Benchton")
                for n in range(per_org)
            )
        pairs = []
        organisations = Organisation.objects.filter(customer_number__startswith="B-").order_by(
            "customer_number"
        )[:org_count]
        for organisation in organisations:
            for site in organisation.sites.all():
                pairs.append((organisation, site))
        return pairs

    def _bench_user(self, organisation: Organisation) -> Any:
        from portico.accounts.models import User

        user = User.objects.filter(email=BENCH_EMAIL).first()
        if user is None:
            user = User.objects.create_user(BENCH_EMAIL, BENCH_PASSWORD, full_name="Bench User")
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            membership = Membership(user=user, organisation=organisation, role="Administrator")
            membership.set_rights(rights_for_role("Administrator"))
            membership.save()
        return user

    @transaction.atomic
    def _reserve_numbers(self, count: int) -> int:
        NumberSequence.objects.get_or_create(kind="REQ", year=0)
        sequence = NumberSequence.objects.select_for_update().get(kind="REQ", year=0)
        start = sequence.last_value + 1
        sequence.last_value += count
        sequence.save(update_fields=["last_value"])
        return start

    def _batch(
        self,
        rng: random.Random,
        first_number: int,
        size: int,
        options: dict[str, Any],
        sites: list[tuple[Organisation, Site]],
        user: Any,
        categories: list[Category],
        now: Any,
    ) -> None:
        own_sites = [pair for pair in sites if pair[0].pk == sites[0][0].pk]
        threads = Thread.objects.bulk_create(Thread() for _ in range(size))
        requests = []
        for offset, thread in enumerate(threads):
            organisation, site = rng.choice(own_sites if rng.random() < options["share"] else sites)
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 730))
            requests.append(
                ServiceRequest(
                    number=f"REQ-{first_number + offset:06d}",
                    organisation=organisation,
                    site=site,
                    category=rng.choice(categories),
                    priority=rng.choice(Priority.values),
                    title=rng.choice(TITLES),
                    description="Generated for the benchmark.",
                    state=rng.choice(STATES),
                    created_by=user if organisation.pk == sites[0][0].pk else None,
                    thread=thread,
                    created_at=created,
                    response_due_at=created + timedelta(hours=8),
                    resolution_due_at=created + timedelta(hours=48),
                )
            )
        created_requests = ServiceRequest.objects.bulk_create(requests, batch_size=1000)
        entries = []
        for request in created_requests:
            for n in range(options["entries"]):
                entries.append(
                    Entry(
                        thread_id=request.thread_id,
                        kind=Entry.Kind.SYSTEM if n == 0 else Entry.Kind.COMMENT,
                        visibility=Visibility.INTERNAL if n % 3 == 2 else Visibility.PUBLIC,
                        author=user if n % 2 else None,
                        body="Request raised." if n == 0 else f"Generated comment {n}.",
                    )
                )
        Entry.objects.bulk_create(entries, batch_size=1000)
