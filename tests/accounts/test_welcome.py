"""Welcome invitation (A1): staff create a user, the mail's one-time link sets the password."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail

from portico.accounts import services
from portico.accounts.models import Invitation, User

from .conftest import link_in_last_mail, log_in

pytestmark = pytest.mark.django_db

CHOSEN = "copper-kettle-19"


@pytest.fixture
def newcomer(foundation):
    return User.objects.create_user("nina@acme.example", full_name="Nina North")


def invite(newcomer, sam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_welcome(user=newcomer, actor=sam)


def test_welcome_mail_is_sent_after_commit_with_a_link(
    newcomer, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.send_welcome(user=newcomer, actor=sam)
    assert mail.outbox == []  # nothing leaves before the transaction commits

    callbacks[0]()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@acme.example"]
    assert message.subject == "Welcome to Portico"
    assert "/accounts/welcome/" in message.body
    assert (invitation.user, invitation.sent_by, invitation.accepted_at) == (newcomer, sam, None)


def test_welcome_link_sets_password_logs_in_and_works_once(
    client, newcomer, sam, django_capture_on_commit_callbacks
):
    invite(newcomer, sam, django_capture_on_commit_callbacks)
    link = link_in_last_mail()

    page = client.get(link)
    assert page.status_code == 200
    assert "nina@acme.example" in page.content.decode()
    response = client.post(link, {"new_password1": CHOSEN, "new_password2": CHOSEN})

    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(newcomer.pk)
    newcomer.refresh_from_db()
    assert newcomer.check_password(CHOSEN)
    assert Invitation.objects.get(user=newcomer).accepted_at is not None

    client.post("/accounts/logout/")
    again = client.get(link)
    assert again.status_code == 400
    assert "This link is no longer valid" in again.content.decode()
    assert log_in(client, "nina@acme.example", CHOSEN).status_code == 302


def test_welcome_form_rejects_mismatched_passwords(
    client, newcomer, sam, django_capture_on_commit_callbacks
):
    invite(newcomer, sam, django_capture_on_commit_callbacks)

    response = client.post(
        link_in_last_mail(), {"new_password1": CHOSEN, "new_password2": CHOSEN + "x"}
    )

    assert "There is a problem" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_expired_welcome_link_shows_the_invalid_page(
    client, newcomer, sam, django_capture_on_commit_callbacks, monkeypatch
):
    invite(newcomer, sam, django_capture_on_commit_callbacks)
    four_days_later = datetime.now() + timedelta(days=4)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: four_days_later)

    response = client.get(link_in_last_mail())

    assert response.status_code == 400
    assert "expire after three days" in response.content.decode()


@pytest.mark.parametrize("path", ["/accounts/welcome/xx/bad-token/", "/accounts/welcome/MQ/1-2/"])
def test_tampered_welcome_link_shows_the_invalid_page(client, newcomer, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "This link is no longer valid" in response.content.decode()
