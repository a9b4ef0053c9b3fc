"""TOTP two-factor authentication with allauth.mfa: enrolment, login with a code, enforcement."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY

from portico.accounts.models import LoginAttempt
from tests.conftest import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db

ACTIVATE_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _one_step_tolerance(settings):
    # Accept the neighbouring 30-second step so a test crossing a step boundary is not flaky,
    # and so the login can use the next step's code (each code works only once).
    settings.MFA_TOTP_TOLERANCE = 1


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    counter = int(time.time()) // 30 + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


def assert_no_inline_code(html: str) -> None:
    """The CSP allows only 'self' scripts and styles: nothing inline may be needed."""
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html
    assert "<style" not in html


def confirm_password(client, password: str = PASSWORD) -> None:
    """allauth asks for the password again before the way of logging in changes."""
    response = client.get(ACTIVATE_URL)
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert "Confirm it is you" in client.get(response["Location"]).content.decode()
    done = client.post(response["Location"], {"password": password})
    assert done["Location"] == ACTIVATE_URL


def enrol(client) -> str:
    """Confirm the password, open the set-up page, read the secret allauth keeps in the
    session, and confirm a code from it."""
    confirm_password(client)
    page = client.get(ACTIVATE_URL)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_setup_page_shows_qr_code_without_inline_script_or_style(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)
    confirm_password(client)

    response = client.get(ACTIVATE_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    assert "Scan this QR code" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert_no_inline_code(html)


def test_profile_links_to_two_factor_settings(alice_client):
    html = alice_client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/2fa/"' in html
    page = alice_client.get("/accounts/2fa/").content.decode()
    assert "Set up authenticator app" in page


def test_enrolment_creates_authenticator_and_recovery_codes(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)

    enrol(client)

    types = set(Authenticator.objects.filter(user=alice).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes_page = client.get("/accounts/2fa/recovery-codes/")
    html = codes_page.content.decode()
    assert codes_page.status_code == 200
    assert "Your recovery codes" in html
    recovery = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    assert all(code in html for code in recovery.wrap().get_unused_codes())
    assert_no_inline_code(html)


def test_wrong_code_at_enrolment_changes_nothing(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)
    confirm_password(client)
    client.get(ACTIVATE_URL)

    response = client.post(ACTIVATE_URL, {"code": "000000"})

    assert "There is a problem" in response.content.decode()
    assert not Authenticator.objects.filter(user=alice).exists()


def test_login_then_asks_for_the_code(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)
    secret = enrol(client)
    client.post("/accounts/logout/")
    LoginAttempt.objects.all().delete()

    response = log_in(client, "alice@acme.example", PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in client.session  # the password alone does not log in
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Enter your code" in page

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert "That code is not right." in wrong.content.decode()
    assert SESSION_KEY not in client.session

    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret, steps_ahead=1)})
    assert right["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    outcomes = list(LoginAttempt.objects.order_by("id").values_list("succeeded", flat=True))
    assert outcomes == [False, True]


def test_recovery_code_logs_in_once(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)
    enrol(client)
    client.post("/accounts/logout/")
    recovery = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)
    code = recovery.wrap().get_unused_codes()[0]

    log_in(client, "alice@acme.example", PASSWORD)
    assert client.post("/accounts/2fa/authenticate/", {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")
    log_in(client, "alice@acme.example", PASSWORD)
    reused = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert SESSION_KEY not in client.session
    assert "That code is not right." in reused.content.decode()


def test_organisation_requiring_two_factor_sends_members_to_enrol(client, alice, acme):
    acme.require_two_factor = True
    acme.save()
    log_in(client, "alice@acme.example", PASSWORD)

    for path in ["/", "/accounts/profile/"]:
        assert client.get(path)["Location"] == ACTIVATE_URL
    confirm_password(client)
    page = client.get(ACTIVATE_URL).content.decode()
    assert "Your organisation requires two-factor authentication." in page
    secret = client.session[SECRET_SESSION_KEY]
    client.post(ACTIVATE_URL, {"code": totp_code(secret)})

    assert client.get("/").status_code == 200


def test_required_two_factor_cannot_be_turned_off(client, alice, acme):
    log_in(client, "alice@acme.example", PASSWORD)
    enrol(client)
    acme.require_two_factor = True
    acme.save()

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert "cannot be turned off" in response.content.decode()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_two_factor_can_be_turned_off_when_not_required(client, alice):
    log_in(client, "alice@acme.example", PASSWORD)
    enrol(client)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response["Location"] == "/accounts/2fa/"
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()


def test_other_organisations_members_are_not_forced(client, carol, acme):
    acme.require_two_factor = True
    acme.save()
    log_in(client, "carol@globex.example", PASSWORD)

    assert client.get("/").status_code == 200
