"""Demo organisations, sites and people. Every demo user's password is ``portico-demo``.

Tests build their personas with ``create_foundation`` too, so the people described in the
README are the people the tests exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from portico.accounts.models import User
from portico.core.models import Branding
from portico.core.rights import Function, Right

from .models import Membership, Organisation, Site
from .roles import rights_for_role

DEMO_PASSWORD = "portico-demo"

PERSONAS = [
    ("alice@acme.example", "Alice Archer", "Administrator at Acme Ltd, all sites"),
    ("bob@acme.example", "Bob Baker", "Site user at Acme Ltd, Leeds site only, invoices view-only"),
    ("carol@globex.example", "Carol Chen", "Administrator at Globex Corporation"),
    ("petra@initech.example", "Petra Page", "Administrator of Initech Group and its subsidiaries"),
    ("dana@example.com", "Dana Doyle", "Individual (B2C) customer"),
    ("sam@provider.example", "Sam Sharma", "Provider staff: back office and agents' workspace"),
]


@dataclass
class Foundation:
    acme: Organisation
    globex: Organisation
    initech: Organisation
    initech_north: Organisation
    initech_south: Organisation
    dana_account: Organisation
    acme_sites: list[Site]
    globex_sites: list[Site]
    users: dict[str, User]


def _user(email: str, full_name: str, password: str | None, **extra: object) -> User:
    model = get_user_model()
    return model.objects.create_user(email, password, full_name=full_name, **extra)


def _member(user: User, organisation: Organisation, role: str, **extra: object) -> Membership:
    membership = Membership(user=user, organisation=organisation, role=role, **extra)
    membership.set_rights(rights_for_role(role))
    membership.save()
    return membership


@transaction.atomic
def create_foundation(password: str | None = DEMO_PASSWORD) -> Foundation:
    Branding.objects.get_or_create(
        pk=1,
        defaults={
            "product_name": "Portico",
            "provider_name": "Northwind Office Services",
            "support_email": "service@provider.example",
        },
    )
    acme = Organisation.objects.create(name="Acme Ltd", customer_number="C-1001")
    globex = Organisation.objects.create(name="Globex Corporation", customer_number="C-1002")
    initech = Organisation.objects.create(name="Initech Group", customer_number="C-2000")
    north = Organisation.objects.create(
        name="Initech North", customer_number="C-2001", parent=initech, bill_to=initech
    )
    south = Organisation.objects.create(
        name="Initech South", customer_number="C-2002", parent=initech, bill_to=initech
    )
    dana_account = Organisation.objects.create(
        name="Dana Doyle", customer_number="P-5001", kind=Organisation.Kind.INDIVIDUAL
    )
    acme_sites = [
        Site.objects.create(organisation=acme, name=name, street=street, postcode=pc, city=city)
        for name, street, pc, city in [
            ("Head Office", "1 Market Street", "EC1A 1AA", "London"),
            ("Leeds Works", "22 Canal Road", "LS1 4AB", "Leeds"),
            ("Bristol Depot", "5 Harbour Way", "BS1 5TT", "Bristol"),
            ("Manchester Studio", "18 Mill Lane", "M1 2CD", "Manchester"),
            ("Glasgow Office", "40 George Square", "G2 1DU", "Glasgow"),
            ("Cardiff Warehouse", "9 Dock Road", "CF10 4AA", "Cardiff"),
        ]
    ]
    globex_sites = [
        Site.objects.create(
            organisation=globex,
            name="Globex Tower",
            street="100 High Street",
            postcode="SW1A 1AA",
            city="London",
        )
    ]
    for org, site_name, city in [
        (initech, "Initech HQ", "Reading"),
        (north, "Initech North Plant", "Newcastle"),
        (south, "Initech South Office", "Brighton"),
        (dana_account, "Home", "Oxford"),
    ]:
        Site.objects.create(organisation=org, name=site_name, city=city)

    users = {}
    for email, full_name, _ in PERSONAS:
        users[email.split("@")[0]] = _user(
            email, full_name, password, is_staff=email.endswith("@provider.example")
        )
    _member(users["alice"], acme, "Administrator")
    bob = _member(users["bob"], acme, "Site user", all_sites=False)
    bob.sites.set([acme_sites[1]])
    _member(users["carol"], globex, "Administrator")
    _member(users["petra"], initech, "Administrator", reaches_subsidiaries=True)
    dana = _member(users["dana"], dana_account, "Administrator")
    dana.users = Right.NONE
    dana.save(update_fields=[Function.USERS.value])
    return Foundation(
        acme=acme,
        globex=globex,
        initech=initech,
        initech_north=north,
        initech_south=south,
        dana_account=dana_account,
        acme_sites=acme_sites,
        globex_sites=globex_sites,
        users=users,
    )
