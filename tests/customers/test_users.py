"""Customer administrators manage their organisation's users within their own rights (A3 "+")."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from portico.accounts.models import Invitation, User
from portico.core.access import build_scope
from portico.core.rights import Function, Right
from portico.customers import services
from portico.customers.demo import _member
from portico.customers.models import Membership
from portico.customers.roles import rights_for_role

pytestmark = pytest.mark.django_db

USERS = reverse("customers:users")
INVITE = reverse("customers:invite_user")


def grid(role: str = "Site user", **overrides: int) -> dict[str, str]:
    rights = {**rights_for_role(role), **overrides}
    return {function: str(value) for function, value in rights.items()}


def invite_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": "erin@acme.example",
        "full_name": "Erin Evans",
        "role": "Site user",
        "all_sites": "1",
        **grid(),
    }
    data.update(overrides)
    return data


def welcome_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/welcome/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def reduce_rights(membership: Membership, **rights: int) -> None:
    for function, value in rights.items():
        setattr(membership, function, value)
    membership.save()


def edit_url(membership: Membership) -> str:
    return reverse("customers:edit_member", args=[membership.pk])


# --- the list ---------------------------------------------------------------------------


def test_users_list_shows_members_with_role_sites_and_status(alice_client, acme):
    response = alice_client.get(USERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Archer" in html
    assert "Bob Baker" in html
    assert "Leeds Works" in html  # bob's one site
    assert "Administrator" in html
    assert "Carol Chen" not in html
    assert reverse("customers:invite_user") in html


def test_users_list_searches_by_name_or_email(alice_client):
    response = alice_client.get(USERS, {"q": "bob@"})
    assert [m.user.email for m in response.context["page"]] == ["bob@acme.example"]
    response = alice_client.get(USERS, {"q": "archer"})
    assert [m.user.email for m in response.context["page"]] == ["alice@acme.example"]


def test_users_list_query_count_does_not_grow_with_members(
    alice_client, acme, foundation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15) as few:
        alice_client.get(USERS)
    baseline = len(few.captured_queries)
    for index in range(40):
        user = User.objects.create_user(f"member{index}@acme.example", None, full_name=f"M {index}")
        membership = _member(user, acme, "Site user", all_sites=False)
        membership.sites.set(foundation.acme_sites[:2])
    with django_assert_max_num_queries(baseline):
        response = alice_client.get(USERS)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 42


def test_bob_without_the_users_right_gets_403(bob_client):
    assert bob_client.get(USERS).status_code == 403
    assert bob_client.get(INVITE).status_code == 403
    response = bob_client.post(INVITE, invite_data())
    assert response.status_code == 403
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(USERS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- inviting ---------------------------------------------------------------------------


def test_invite_creates_user_membership_and_welcome_mail_whose_link_works(
    alice_client, alice, acme, foundation, client, django_capture_on_commit_callbacks
):
    leeds, bristol = foundation.acme_sites[1], foundation.acme_sites[2]
    data = invite_data(all_sites="0", sites=[leeds.pk, bristol.pk], **grid(invoices=Right.NONE))
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(INVITE, data)
    assert response.status_code == 302
    assert response["Location"] == USERS

    erin = User.objects.get(email="erin@acme.example")
    assert erin.full_name == "Erin Evans"
    assert not erin.has_usable_password()
    membership = Membership.objects.get(user=erin, organisation=acme)
    assert membership.role == "Site user"
    assert membership.tickets == Right.CREATE
    assert membership.invoices == Right.NONE
    assert membership.all_sites is False
    assert set(membership.sites.all()) == {leeds, bristol}
    assert Invitation.objects.get(user=erin).sent_by == alice

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erin@acme.example"]
    path = welcome_path(message)
    page = client.get(path)
    assert page.status_code == 200
    assert b"erin@acme.example" in page.content
    done = client.post(
        path, {"new_password1": "Correct-Horse-42", "new_password2": "Correct-Horse-42"}
    )
    assert done.status_code == 302
    erin.refresh_from_db()
    assert erin.check_password("Correct-Horse-42")


def test_invite_existing_user_adds_membership_without_new_user(
    alice_client, carol, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            INVITE, invite_data(email="CAROL@globex.example", full_name="Someone Else")
        )
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.full_name == "Carol Chen"  # an inviter does not rename an existing person
    assert Membership.objects.filter(user=carol, organisation=acme).exists()
    assert User.objects.filter(email__iexact="carol@globex.example").count() == 1
    assert mail.outbox == []  # carol already has a password: no welcome link


def test_invite_someone_already_a_member_is_refused(alice_client, bob):
    response = alice_client.post(INVITE, invite_data(email="bob@acme.example"))
    assert response.status_code == 200
    assert "already a user of Acme Ltd" in response.content.decode()
    assert Membership.objects.filter(user=bob).count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter an e-mail address like name@example.com."),
        ("erin@", "Enter an e-mail address like name@example.com."),
        ("erin @acme.example", "Enter an e-mail address like name@example.com."),
        ("", "Enter the person's e-mail address."),
        ("x" * 250 + "@acme.example", "An e-mail address has at most 254 characters."),
    ],
)
def test_invite_with_a_bad_email_shows_a_message_and_writes_nothing(alice_client, email, message):
    users_before = User.objects.count()
    response = alice_client.post(INVITE, invite_data(email=email))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert User.objects.count() == users_before
    assert Invitation.objects.count() == 0


def test_invite_with_an_overlong_name_shows_a_message_and_writes_nothing(alice_client):
    response = alice_client.post(INVITE, invite_data(full_name="N" * 151))
    assert response.status_code == 200
    assert "A name has at most 150 characters." in response.content.decode()
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_apply_role_prefills_the_grid_without_saving(alice_client):
    response = alice_client.post(
        INVITE, invite_data(role="Accounts", action="apply_role", **grid("Site user"))
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["invoices"] == Right.AMEND
    assert form.initial["tickets"] == Right.NONE
    assert form.initial["email"] == "erin@acme.example"
    assert re.search(r'value="3"\s+aria-label="Invoices: Amend" checked', response.content.decode())
    assert not User.objects.filter(email="erin@acme.example").exists()


# --- never more than you hold ---------------------------------------------------------------


@pytest.fixture
def helpdesk_admin(alice, acme):
    """Alice reduced to the Helpdesk role plus the right to manage users."""
    membership = alice.memberships.get(organisation=acme)
    membership.set_rights({**rights_for_role("Helpdesk"), Function.USERS: Right.AMEND})
    membership.save()
    return membership


def test_granting_a_right_above_your_own_is_refused(alice_client, helpdesk_admin):
    data = invite_data(role="", **grid("Helpdesk", invoices=Right.VIEW))
    response = alice_client.post(INVITE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can give at most “none” for invoices" in html
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_granting_rights_within_your_own_is_allowed(alice_client, helpdesk_admin):
    data = invite_data(role="Helpdesk", **grid("Helpdesk"))
    response = alice_client.post(INVITE, data)
    assert response.status_code == 302
    assert Membership.objects.get(user__email="erin@acme.example").tickets == Right.AMEND


def test_applied_role_is_lowered_to_the_actors_rights(alice_client, helpdesk_admin):
    response = alice_client.post(INVITE, invite_data(role="Administrator", action="apply_role"))
    form = response.context["form"]
    assert form.initial["tickets"] == Right.AMEND
    assert form.initial["invoices"] == Right.NONE
    assert form.initial["orders"] == Right.CREATE


def test_site_outside_your_own_scope_is_refused(alice_client, alice, acme, foundation):
    membership = alice.memberships.get(organisation=acme)
    membership.all_sites = False
    membership.save()
    membership.sites.set(foundation.acme_sites[:2])

    outside = foundation.acme_sites[3]
    response = alice_client.post(INVITE, invite_data(all_sites="0", sites=[outside.pk]))
    assert response.status_code == 200
    assert "You can only give access to sites you can see yourself" in response.content.decode()

    response = alice_client.post(INVITE, invite_data(all_sites="1"))
    assert "you cannot give access to all sites" in response.content.decode()
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_another_customers_site_is_refused(alice_client, foundation):
    globex_site = foundation.globex_sites[0]
    response = alice_client.post(INVITE, invite_data(all_sites="0", sites=[globex_site.pk]))
    assert response.status_code == 200
    assert "You can only give access to sites you can see yourself" in response.content.decode()
    assert not globex_site.memberships.exists()


def test_reach_to_subsidiaries_you_lack_is_refused(alice_client):
    response = alice_client.post(INVITE, invite_data(reaches_subsidiaries="on"))
    assert response.status_code == 200
    assert "You do not reach subsidiaries yourself" in response.content.decode()
    assert not User.objects.filter(email="erin@acme.example").exists()


def test_petra_may_grant_subsidiary_reach(petra_client, foundation):
    response = petra_client.post(
        INVITE, invite_data(email="ian@initech.example", reaches_subsidiaries="on")
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="ian@initech.example")
    assert membership.organisation == foundation.initech
    assert membership.reaches_subsidiaries


# --- editing and removing -------------------------------------------------------------------


def test_edit_member_rights_and_sites(alice_client, bob, acme, foundation):
    membership = bob.memberships.get(organisation=acme)
    data = {"role": "", "all_sites": "0", "sites": [foundation.acme_sites[0].pk], **grid()}
    data["invoices"] = str(Right.NONE)
    response = alice_client.post(edit_url(membership), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.invoices == Right.NONE
    assert list(membership.sites.all()) == [foundation.acme_sites[0]]


def test_edit_member_beyond_your_rights_changes_nothing(alice_client, bob, acme, helpdesk_admin):
    membership = bob.memberships.get(organisation=acme)
    membership.set_rights({Function.TICKETS: Right.VIEW})
    membership.save()
    data = {"role": "", "all_sites": "0", "sites": [s.pk for s in membership.sites.all()]}
    data.update(grid("Helpdesk", payments=Right.CREATE))
    response = alice_client.post(edit_url(membership), data)
    assert response.status_code == 200
    assert "You can give at most “none” for payments" in response.content.decode()
    membership.refresh_from_db()
    assert membership.payments == Right.NONE
    assert membership.tickets == Right.VIEW


def test_cannot_edit_someone_who_holds_more(alice_client, bob, acme, helpdesk_admin):
    membership = bob.memberships.get(organisation=acme)  # bob views invoices; alice now cannot
    page = alice_client.get(edit_url(membership))
    assert page.status_code == 200
    assert "holds rights or sites you do not hold" in page.content.decode()
    data = {"role": "", "all_sites": "0", "sites": [s.pk for s in membership.sites.all()]}
    data.update(grid("Helpdesk"))
    response = alice_client.post(edit_url(membership), data)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.invoices == Right.VIEW
    assert membership.tickets == Right.CREATE
    response = alice_client.post(reverse("customers:remove_member", args=[membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_remove_member(alice_client, bob, acme):
    membership = bob.memberships.get(organisation=acme)
    url = reverse("customers:remove_member", args=[membership.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()


def test_cannot_remove_yourself(alice_client, alice, acme):
    membership = alice.memberships.get(organisation=acme)
    response = alice_client.post(reverse("customers:remove_member", args=[membership.pk]))
    assert response.status_code == 200
    assert "You cannot change or remove your own access" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_resend_welcome_to_an_invited_member(
    alice_client, acme, django_capture_on_commit_callbacks
):
    erin = User.objects.create_user("erin@acme.example", None, full_name="Erin Evans")
    membership = _member(erin, acme, "Site user")
    url = reverse("customers:resend_welcome", args=[membership.pk])
    assert alice_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["erin@acme.example"]]
    assert Invitation.objects.filter(user=erin).count() == 1


def test_resend_welcome_to_someone_with_a_password_is_refused(
    alice_client, bob, acme, django_capture_on_commit_callbacks
):
    membership = bob.memberships.get(organisation=acme)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("customers:resend_welcome", args=[membership.pk]))
    assert mail.outbox == []
    assert not Invitation.objects.exists()


# --- another customer -------------------------------------------------------------------------


def test_carol_cannot_see_or_change_acme_memberships(carol_client, bob, acme):
    membership = bob.memberships.get(organisation=acme)
    before = membership.rights()
    assert bob.email not in carol_client.get(USERS).content.decode()
    for name in ["edit_member", "remove_member"]:
        url = reverse(f"customers:{name}", args=[membership.pk])
        assert carol_client.get(url).status_code == 404
        assert (
            carol_client.post(url, {"all_sites": "1", **grid("Administrator")}).status_code == 404
        )
    url = reverse("customers:resend_welcome", args=[membership.pk])
    assert carol_client.post(url).status_code == 404
    membership.refresh_from_db()
    assert membership.rights() == before


def test_petra_at_group_level_cannot_edit_a_subsidiary_member_without_switching(
    petra_client, foundation
):
    ned = User.objects.create_user("ned@initech.example", None, full_name="Ned North")
    membership = _member(ned, foundation.initech_north, "Site user")
    assert petra_client.get(edit_url(membership)).status_code == 404
    petra_client.post(
        reverse("customers:change_account"), {"organisation": foundation.initech_north.pk}
    )
    assert petra_client.get(edit_url(membership)).status_code == 200


# --- the services check again, whoever calls them ---------------------------------------------


def test_invite_member_service_rechecks_rights_and_sites(alice, bob, acme, foundation):
    bob_scope = build_scope(bob)
    grant = services.Grant(rights=rights_for_role("Site user"))
    with pytest.raises(services.MemberError) as refused:
        services.invite_member(
            actor=bob, scope=bob_scope, email="x@acme.example", full_name="X", grant=grant
        )
    assert None in refused.value.errors

    alice_scope = build_scope(alice)
    with pytest.raises(services.MemberError):  # scope of someone else
        services.invite_member(
            actor=bob, scope=alice_scope, email="x@acme.example", full_name="X", grant=grant
        )
    foreign = services.Grant(
        rights=rights_for_role("Site user"), all_sites=False, sites=(foundation.globex_sites[0],)
    )
    with pytest.raises(services.MemberError) as refused:
        services.invite_member(
            actor=alice, scope=alice_scope, email="x@acme.example", full_name="X", grant=foreign
        )
    assert "sites" in refused.value.errors
    assert not User.objects.filter(email="x@acme.example").exists()


def test_update_member_service_refuses_another_organisations_membership(carol, bob):
    membership = bob.memberships.get()
    with pytest.raises(services.MemberError):
        services.update_member(
            actor=carol,
            scope=build_scope(carol),
            membership=membership,
            grant=services.Grant(rights=rights_for_role("Administrator")),
        )
    with pytest.raises(services.MemberError):
        services.remove_member(actor=carol, scope=build_scope(carol), membership=membership)
    assert Membership.objects.get(pk=membership.pk).rights() == membership.rights()


def test_invite_form_starts_with_the_site_user_role(alice_client):
    form = alice_client.get(INVITE).context["form"]
    assert form.initial["role"] == "Site user"
    assert form.initial["tickets"] == Right.CREATE


def test_member_changes_lock_only_the_membership_row(alice, bob, acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("Row locks are taken on PostgreSQL only.")
    membership = bob.memberships.get(organisation=acme)

    with CaptureQueriesContext(connection) as queries:
        services.remove_member(actor=alice, scope=build_scope(alice), membership=membership)

    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    # Not the user and organisation rows joined in: the organisation is everyone's.
    assert locks and all(sql.endswith('FOR UPDATE OF "customers_membership"') for sql in locks)
    assert not Membership.objects.filter(pk=membership.pk).exists()
