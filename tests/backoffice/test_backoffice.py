"""The back office: provider staff create organisations, sites and users (A1, A3–A5, H5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from portico.accounts.models import Invitation, LoginAttempt, User
from portico.core.models import Branding
from portico.core.rights import Function, Right
from portico.customers.models import Membership, Organisation, Site
from portico.customers.roles import rights_for_role

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def welcome_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/welcome/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def user_change_data(user: User, **extra: Any) -> dict[str, Any]:
    data = {
        "email": user.email,
        "title": user.title,
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": "on",
        "date_format": user.date_format,
        "language": user.language,
        "time_zone": user.time_zone,
        "temporary_password": "",
        **management("memberships"),
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(extra)
    return data


def errors_of(response) -> str:
    return str(response.context["adminform"].form.errors) if response.context else ""


# --- who gets in ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        INDEX,
        reverse("admin:customers_organisation_changelist"),
        reverse("admin:accounts_user_add"),
        reverse("admin:login"),
        "/backoffice/no-such-page/",
    ],
)
def test_customers_get_404_in_the_back_office(alice_client, path):
    assert alice_client.get(path).status_code == 404


def test_anonymous_is_sent_to_the_portal_login(client):
    response = client.get(INDEX, follow=True)
    assert response.redirect_chain
    final = response.redirect_chain[-1][0]
    assert final.startswith(reverse("account_login"))
    assert "next=%2Fbackoffice%2F" in final


def test_staff_see_every_section(sam_client):
    response = sam_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "Organisations",
        "Sites",
        "Memberships",
        "Users",
        "Invitations",
        "Login attempts",
        "Branding",
    ]:
        assert name in html, name
    assert "Portico back office" in html


# --- organisations, sites, users ----------------------------------------------------------


def test_sam_creates_organisation_site_and_user_who_gets_a_working_welcome_link(
    sam_client, sam, client, django_capture_on_commit_callbacks
):
    response = sam_client.post(
        reverse("admin:customers_organisation_add"),
        {
            "name": "Umbrella plc",
            "customer_number": "C-3000",
            "kind": "business",
            "status": "active",
            **management("sites", total=1),
            "sites-0-name": "Raccoon Lab",
            "sites-0-city": "Reading",
            "sites-0-country": "United Kingdom",
            **management("memberships"),
            "_save": "Save",
        },
    )
    assert response.status_code == 302, errors_of(response)
    umbrella = Organisation.objects.get(customer_number="C-3000")
    assert [s.name for s in umbrella.sites.all()] == ["Raccoon Lab"]

    response = sam_client.post(
        reverse("admin:customers_site_add"),
        {"organisation": umbrella.pk, "name": "Hive", "city": "Leeds", "country": "UK"},
    )
    assert response.status_code == 302, errors_of(response)
    hive = Site.objects.get(name="Hive")
    assert hive.organisation == umbrella

    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(
            reverse("admin:accounts_user_add"),
            {"email": "Wes@Umbrella.example", "full_name": "Wes Walker", "_save": "Save"},
        )
    assert response.status_code == 302, errors_of(response)
    wes = User.objects.get(email="wes@umbrella.example")
    assert not wes.has_usable_password()
    assert not wes.is_staff
    assert Invitation.objects.get(user=wes).sent_by == sam

    # Give Wes access to Umbrella, filling the rights from a role template.
    response = sam_client.post(
        reverse("admin:accounts_user_change", args=[wes.pk]),
        user_change_data(
            wes,
            **management("memberships", total=1),
            **{
                "memberships-0-user": wes.pk,
                "memberships-0-organisation": umbrella.pk,
                "memberships-0-apply_role": "Administrator",
                "memberships-0-all_sites": "",
                "memberships-0-sites": [hive.pk],
            },
        ),
    )
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
    ]
    membership = Membership.objects.get(user=wes)
    assert membership.organisation == umbrella
    assert membership.role == "Administrator"
    assert membership.rights() == rights_for_role("Administrator")
    assert list(membership.sites.all()) == [hive]

    assert [m.to for m in mail.outbox] == [["wes@umbrella.example"]]
    path = welcome_path(mail.outbox[0])
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"new_password1": "Umbrella-Rain-17", "new_password2": "Umbrella-Rain-17"}
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.wsgi_request.user == wes
    assert home.wsgi_request.portal_scope.organisation == umbrella
    assert client.get(path).status_code == 400  # the link works once


def test_user_with_a_temporary_password_gets_no_mail_and_must_change_it(
    sam_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "tina@acme.example",
                "full_name": "Tina Temp",
                "temporary_password": "First-Day-Pass-91",
            },
        )
    assert response.status_code == 302, errors_of(response)
    tina = User.objects.get(email="tina@acme.example")
    assert tina.must_change_password
    assert tina.check_password("First-Day-Pass-91")
    assert mail.outbox == []
    assert not Invitation.objects.filter(user=tina).exists()


def test_weak_temporary_password_and_duplicate_email_are_refused(sam_client):
    response = sam_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "ALICE@acme.example", "full_name": "Copy", "temporary_password": "123"},
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert "already exists" in errors
    assert "too short" in errors
    assert User.objects.filter(email__iexact="alice@acme.example").count() == 1


def test_staff_flag_creates_provider_staff(sam_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sam_client.post(
            reverse("admin:accounts_user_add"),
            {"email": "stan@provider.example", "full_name": "Stan", "is_staff": "on"},
        )
    assert User.objects.get(email="stan@provider.example").is_staff
    assert len(mail.outbox) == 1


def test_send_welcome_action_skips_people_with_their_own_password(
    sam_client, alice, django_capture_on_commit_callbacks
):
    newbie = User.objects.create_user("newbie@acme.example", None, full_name="New Bie")
    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(
            reverse("admin:accounts_user_changelist"),
            {
                "action": "send_welcome_email",
                "_selected_action": [newbie.pk, alice.pk],
            },
            follow=True,
        )
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["newbie@acme.example"]]
    html = response.content.decode()
    assert "Not sent to alice@acme.example" in html


def test_membership_sites_must_belong_to_its_organisation(sam_client, bob, foundation):
    membership = bob.memberships.get()
    data = user_change_data(
        bob,
        **management("memberships", total=1, initial=1),
        **{
            "memberships-0-id": membership.pk,
            "memberships-0-user": bob.pk,
            "memberships-0-organisation": foundation.acme.pk,
            "memberships-0-sites": [foundation.globex_sites[0].pk],
            **{f"memberships-0-{k}": v for k, v in membership.rights().items()},
        },
    )
    response = sam_client.post(reverse("admin:accounts_user_change", args=[bob.pk]), data)
    assert response.status_code == 200
    assert "belong to another organisation" in response.content.decode()
    assert list(membership.sites.all()) == [foundation.acme_sites[1]]


def test_membership_admin_applies_role_template(sam_client, bob):
    membership = bob.memberships.get()
    response = sam_client.post(
        reverse("admin:customers_membership_change", args=[membership.pk]),
        {
            "user": bob.pk,
            "organisation": membership.organisation_id,
            "apply_role": "Accounts",
            "all_sites": "on",
        },
    )
    assert response.status_code == 302, errors_of(response)
    membership.refresh_from_db()
    assert membership.role == "Accounts"
    assert membership.invoices == Right.AMEND
    assert membership.tickets == Right.NONE
    assert membership.all_sites


def test_organisation_list_shows_hierarchy_and_filters_by_parent(sam_client, foundation):
    url = reverse("admin:customers_organisation_changelist")
    response = sam_client.get(url)
    html = response.content.decode()
    assert "↳ Initech North" in html
    response = sam_client.get(url, {"parent": foundation.initech.pk})
    names = [o.name for o in response.context["cl"].result_list]
    assert sorted(names) == ["Initech North", "Initech South"]
    response = sam_client.get(url, {"parent": "none"})
    assert "Initech North" not in [o.name for o in response.context["cl"].result_list]


def test_organisation_page_lists_sites_and_members(sam_client, foundation):
    response = sam_client.get(
        reverse("admin:customers_organisation_change", args=[foundation.acme.pk])
    )
    html = response.content.decode()
    assert "Leeds Works" in html
    assert "Alice Archer" in html


def test_organisation_cannot_sit_below_its_own_subsidiary(sam_client, foundation):
    initech = foundation.initech
    response = sam_client.post(
        reverse("admin:customers_organisation_change", args=[initech.pk]),
        {
            "name": initech.name,
            "customer_number": initech.customer_number,
            "kind": "business",
            "status": "active",
            "parent": foundation.initech_north.pk,
            **management("sites", total=1, initial=1),
            "sites-0-id": initech.sites.get().pk,
            "sites-0-organisation": initech.pk,
            "sites-0-name": initech.sites.get().name,
            **management("memberships", total=1, initial=1),
            "memberships-0-id": foundation.users["petra"].memberships.get().pk,
            "memberships-0-organisation": initech.pk,
            "memberships-0-user": foundation.users["petra"].pk,
            **{f"memberships-0-{f.value}": "3" for f in Function},
            "memberships-0-all_sites": "on",
            "memberships-0-reaches_subsidiaries": "on",
        },
    )
    assert response.status_code == 200
    assert "cannot sit below itself" in response.content.decode()
    initech.refresh_from_db()
    assert initech.parent is None


def test_organisations_cannot_be_deleted(sam_client, acme):
    url = reverse("admin:customers_organisation_delete", args=[acme.pk])
    assert sam_client.post(url, {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=acme.pk).exists()


# --- records are read-only ------------------------------------------------------------------


def test_invitations_and_login_attempts_are_read_only(sam_client, alice, sam):
    invitation = Invitation.objects.create(user=alice, sent_by=sam)
    attempt = LoginAttempt.objects.create(email=alice.email, succeeded=False)
    assert sam_client.get(reverse("admin:accounts_invitation_changelist")).status_code == 200
    assert sam_client.get(reverse("admin:accounts_loginattempt_changelist")).status_code == 200
    assert sam_client.get(reverse("admin:accounts_invitation_add")).status_code == 403
    assert sam_client.get(reverse("admin:accounts_loginattempt_add")).status_code == 403
    response = sam_client.post(
        reverse("admin:accounts_loginattempt_change", args=[attempt.pk]),
        {"email": "forged@example.com", "succeeded": "on"},
    )
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.email == alice.email
    delete = reverse("admin:accounts_invitation_delete", args=[invitation.pk])
    assert sam_client.post(delete, {"post": "yes"}).status_code == 403


# --- branding -------------------------------------------------------------------------------


def branding_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "product_name": "Northwind Portal",
        "provider_name": "Northwind Office Services",
        "support_email": "help@provider.example",
        "primary_colour": "#1d4ed8",
        "accent_colour": "#0f766e",
        "extra_labels": "",
    }
    data.update(overrides)
    return data


BRANDING = reverse("admin:core_branding_change", args=[1])


def test_branding_list_goes_straight_to_the_one_row(sam_client, foundation):
    response = sam_client.get(reverse("admin:core_branding_changelist"))
    assert response.status_code == 302
    assert response["Location"] == BRANDING


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("blue", "six hex digits"),
        ("#12345", "six hex digits"),
        ("#gggggg", "six hex digits"),
        ("#ffff00", "too light"),
    ],
)
def test_branding_colour_validation(sam_client, foundation, colour, message):
    response = sam_client.post(BRANDING, branding_data(primary_colour=colour))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert Branding.objects.get().primary_colour == "#1d4ed8"


def test_branding_saves_colours_and_labels(sam_client, foundation, client):
    response = sam_client.post(
        BRANDING,
        branding_data(
            primary_colour="#7C2D12",
            label__new_request="Report a fault",
            label__nav_home="Home",  # same as the default: not stored
            extra_labels='{"nav_extra": "More"}',
        ),
    )
    assert response.status_code == 302, errors_of(response)
    branding = Branding.objects.get()
    assert branding.primary_colour == "#7c2d12"
    assert branding.labels == {"new_request": "Report a fault", "nav_extra": "More"}
    assert branding.product_name == "Northwind Portal"
    page = sam_client.get(BRANDING).content.decode()
    assert "Default: “New request”" in page
    assert "null" not in page.split("extra_labels")[-1][:300]
    assert "#7c2d12" in client.get(reverse("branding_css")).content.decode()


def test_branding_label_too_long_is_refused(sam_client, foundation):
    response = sam_client.post(BRANDING, branding_data(label__new_request="x" * 61))
    assert response.status_code == 200
    assert Branding.objects.get().labels == {}


def test_branding_other_labels_must_be_json_text(sam_client, foundation):
    response = sam_client.post(BRANDING, branding_data(extra_labels="not json"))
    assert response.status_code == 200
    assert "Write the labels as" in errors_of(response)
    response = sam_client.post(BRANDING, branding_data(extra_labels='{"nav_extra": 5}'))
    assert response.status_code == 200
    assert Branding.objects.get().labels == {}
