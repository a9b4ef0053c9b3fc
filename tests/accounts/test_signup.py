"""B2C self-registration (A6): closed by default; when open, e-mail verification and an
individual customer account administered by the new person."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail

from portico.accounts.models import User
from portico.core.rights import Function, Right
from portico.customers.models import Membership, Organisation

from .conftest import link_in_last_mail, log_in

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Robin Reed",
    "email": "robin@example.net",
    "password1": "willow-garden-77",
    "password2": "willow-garden-77",
}


@pytest.fixture
def signup_open(settings, foundation):
    settings.PORTICO_ALLOW_SIGNUP = True


def test_signup_is_closed_by_default(client, foundation):
    page = client.get("/accounts/signup/")
    assert "Sign-up is closed" in page.content.decode()

    client.post("/accounts/signup/", FORM)

    assert not User.objects.filter(email="robin@example.net").exists()
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()


def test_open_signup_is_offered_on_the_login_page(client, signup_open):
    assert 'href="/accounts/signup/"' in client.get("/accounts/login/").content.decode()
    page = client.get("/accounts/signup/").content.decode()
    assert "Create an account" in page and "Full name" in page


def test_signup_verifies_email_then_opens_an_individual_account(
    client, signup_open, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", FORM)

    assert response["Location"] == "/accounts/confirm-email/"
    robin = User.objects.get(email="robin@example.net")
    assert robin.full_name == "Robin Reed"
    assert not EmailAddress.objects.get(user=robin).verified
    assert SESSION_KEY not in client.session  # mandatory verification comes first
    assert mail.outbox[-1].to == ["robin@example.net"]

    confirm_url = link_in_last_mail(r"https?://\S+/accounts/confirm-email/\S+")
    assert "Confirm that" in client.get(confirm_url).content.decode()
    client.post(confirm_url)

    assert EmailAddress.objects.get(user=robin).verified
    membership = Membership.objects.select_related("organisation").get(user=robin)
    assert membership.organisation.kind == Organisation.Kind.INDIVIDUAL
    assert membership.organisation.name == "Robin Reed"
    rights = membership.rights()
    assert rights[Function.USERS] == Right.NONE
    assert rights[Function.TICKETS] == Right.AMEND
    assert rights[Function.INVOICES] == Right.AMEND
    client.post("/accounts/logout/")
    assert log_in(client, "robin@example.net", FORM["password1"]).status_code == 302
    assert client.get("/").status_code == 200


def test_unverified_signup_cannot_log_in(client, signup_open, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", FORM)
    client.cookies.clear()

    response = log_in(client, "robin@example.net", FORM["password1"])

    assert response["Location"] == "/accounts/confirm-email/"
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "robin@"}, "Enter a valid email address."),
        ({"full_name": "x" * 151}, "Full name must be 150 characters or fewer."),
        ({"password2": "something-else-1"}, "You must type the same password each time."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
    ],
)
def test_signup_bad_input_creates_nothing(client, signup_open, change, message):
    response = client.post("/accounts/signup/", {**FORM, **change})

    assert message in response.content.decode()
    assert not User.objects.filter(email="robin@example.net").exists()
    assert not Organisation.objects.filter(kind="individual", name="Robin Reed").exists()


def test_a_failed_account_opening_leaves_no_login_behind(client, signup_open, monkeypatch):
    from portico.accounts import services

    open_account = services.open_individual_account

    def fails_after_writing(*, user):
        open_account(user=user)
        raise RuntimeError("the customer numbering is down")

    monkeypatch.setattr(services, "open_individual_account", fails_after_writing)
    client.raise_request_exception = False

    response = client.post("/accounts/signup/", FORM)

    assert response.status_code == 500
    assert not User.objects.filter(email="robin@example.net").exists()
    assert not Organisation.objects.filter(name="Robin Reed").exists()
    assert not Membership.objects.filter(user__email="robin@example.net").exists()
