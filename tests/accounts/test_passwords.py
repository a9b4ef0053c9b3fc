"""Reset by e-mail, change password, and the forced change of a temporary password."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from portico.accounts.models import LoginAttempt
from tests.conftest import PASSWORD

from .conftest import link_in_last_mail, log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "harbour-lantern-42"


def request_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/password/reset/", {"email": email})


def test_reset_link_from_the_mail_works_once(client, alice, django_capture_on_commit_callbacks):
    response = request_reset(client, "alice@acme.example", django_capture_on_commit_callbacks)
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@acme.example"]
    assert mail.outbox[0].subject == "Reset your Portico password"
    link = link_in_last_mail(r"https?://\S+/accounts/password/reset/key/\S+")

    form_url = client.get(link)["Location"]  # allauth moves the key into the session
    page = client.get(form_url)
    assert "Choose a new password" in page.content.decode()
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/key/done/"

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    second = client.get(link, follow=True)
    assert "This link is no longer valid" in second.content.decode()
    assert log_in(client, "alice@acme.example", PASSWORD).status_code == 200
    assert log_in(client, "alice@acme.example", NEW_PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_reset_page_and_done_page_are_styled(client):
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Reset your password" in page and 'class="card form"' in page
    done = client.get("/accounts/password/reset/done/").content.decode()
    assert "Check your e-mail" in done


def test_reset_for_unknown_address_reveals_nothing(
    client, alice, django_capture_on_commit_callbacks
):
    response = request_reset(client, "stranger@acme.example", django_capture_on_commit_callbacks)

    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1  # told, at that address, that no account uses it
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body
    assert "/accounts/signup/" not in mail.outbox[0].body


def test_reset_mail_waits_for_commit(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/password/reset/", {"email": "alice@acme.example"})
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_reset_by_email_lifts_a_lockout(client, alice, django_capture_on_commit_callbacks):
    for n in range(5):
        log_in(client, "alice@acme.example", f"guess-{n}")
    request_reset(client, "alice@acme.example", django_capture_on_commit_callbacks)
    form_url = client.get(link_in_last_mail())["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert log_in(client, "alice@acme.example", NEW_PASSWORD).status_code == 302


def test_change_password_keeps_the_user_logged_in(alice_client, alice):
    page = alice_client.get("/accounts/password/change/").content.decode()
    assert "Current password" in page and "New password again" in page
    assert "temporary password" not in page

    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response["Location"] == "/accounts/profile/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert SESSION_KEY in alice_client.session


def test_change_password_rejects_wrong_current_and_weak_new(alice_client, alice):
    response = alice_client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "12345", "password2": "12345"},
    )

    html = response.content.decode()
    assert "Enter your current password." in html
    assert "This password is too short." in html
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_temporary_password_must_be_changed_before_anything_else(client, bob):
    bob.must_change_password = True
    bob.save()
    log_in(client, "bob@acme.example", PASSWORD)

    for path in ["/", "/accounts/profile/", "/accounts/profile/logins/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/password/change/?next=")
    page = client.get("/accounts/password/change/?next=/accounts/profile/").content.decode()
    assert "Your administrator gave you a temporary password." in page
    # The page's own header pieces are served, not redirected.
    assert client.get("/branding.css").status_code == 200
    assert client.get("/branding/logo").status_code == 404  # no logo uploaded: not a redirect

    response = client.post(
        "/accounts/password/change/?next=/accounts/profile/",
        {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "next": "/accounts/profile/",
        },
    )

    assert response["Location"] == "/accounts/profile/"
    bob.refresh_from_db()
    assert not bob.must_change_password
    assert client.get("/").status_code == 200


def test_temporary_password_redirect_uses_htmx_redirect_for_htmx(client, bob):
    bob.must_change_password = True
    bob.save()
    log_in(client, "bob@acme.example", PASSWORD)

    response = client.get("/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith("/accounts/password/change/")


def test_temporary_password_can_still_log_out(client, bob):
    bob.must_change_password = True
    bob.save()
    log_in(client, "bob@acme.example", PASSWORD)

    client.post("/accounts/logout/")

    assert SESSION_KEY not in client.session
    assert LoginAttempt.objects.filter(user=bob, succeeded=True).count() == 1
