"""Login, logout, wrong input and django-axes lockout, with the login history rows (A7)."""

import pytest
from django.contrib.auth import SESSION_KEY

from portico.accounts.models import LoginAttempt
from tests.conftest import PASSWORD

from .conftest import LOGIN_URL, log_in

pytestmark = pytest.mark.django_db


def test_login_page_speaks_the_portal_words(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="field__label" for="id_login">Email</label>' in html
    assert '<label class="field__label" for="id_password">Password</label>' in html
    assert ">Log in</button>" in html
    assert 'href="/accounts/password/reset/">Forgot password?</a>' in html
    assert 'class="site-header"' in html  # rendered inside the portal shell
    assert "/accounts/signup/" not in html  # sign-up is off by default


def test_login_with_right_password_signs_in_and_records_attempt(client, alice):
    response = log_in(client, "alice@acme.example", PASSWORD, HTTP_USER_AGENT="Firefox/140")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    attempt = LoginAttempt.objects.get()
    assert (attempt.user, attempt.succeeded) == (alice, True)
    assert (attempt.ip_address, attempt.user_agent) == ("127.0.0.1", "Firefox/140")


def test_login_email_is_case_insensitive(client, alice):
    response = log_in(client, "Alice@ACME.example", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_wrong_password_shows_one_clear_message_and_records_failure(client, alice):
    response = log_in(client, "alice@acme.example", "not-the-password")

    html = response.content.decode()
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "There is a problem" in html
    assert "The e-mail address or password is not right." in html
    attempt = LoginAttempt.objects.get()
    assert (attempt.user, attempt.email, attempt.succeeded) == (alice, "alice@acme.example", False)


def test_unknown_email_is_refused_like_a_wrong_password(client, alice):
    response = log_in(client, "nobody@acme.example", PASSWORD)

    assert "The e-mail address or password is not right." in response.content.decode()
    assert SESSION_KEY not in client.session
    attempt = LoginAttempt.objects.get()
    assert (attempt.user, attempt.email, attempt.succeeded) == (None, "nobody@acme.example", False)


@pytest.mark.parametrize("email", ["alice", "alice@", "@acme.example", "alice@@acme.example", ""])
def test_wrong_format_email_is_rejected_before_any_attempt(client, alice, email):
    response = log_in(client, email, PASSWORD)

    html = response.content.decode()
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert 'href="#id_login">Email:' in html  # the summary links to the field
    assert "Enter a valid email address." in html or "This field is required." in html
    assert not LoginAttempt.objects.exists()


def test_five_failures_lock_the_address_even_for_the_right_password(client, alice):
    statuses = [log_in(client, "alice@acme.example", f"guess-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    response = log_in(client, "alice@acme.example", PASSWORD)

    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed attempts" in html
    assert "failed 5 times" in html
    assert 'class="site-header"' in html
    assert SESSION_KEY not in client.session
    assert list(LoginAttempt.objects.values_list("succeeded", flat=True)) == [False] * 6
    assert set(LoginAttempt.objects.values_list("user", flat=True)) == {alice.pk}


def test_lockout_is_per_address_not_per_office(client, alice, bob):
    for n in range(5):
        log_in(client, "alice@acme.example", f"guess-{n}")

    response = log_in(client, "bob@acme.example", PASSWORD)  # same IP, other person

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_logout_get_asks_and_post_logs_out(alice_client):
    page = alice_client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "Do you want to log out of Portico?" in page.content.decode()
    assert SESSION_KEY in alice_client.session

    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SESSION_KEY not in alice_client.session
    assert alice_client.get("/accounts/profile/")["Location"].startswith(LOGIN_URL)


def test_profile_menu_logs_out_with_a_post_form(alice_client):
    html = alice_client.get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html


def test_staff_without_membership_lands_in_the_back_office(client, sam):
    response = log_in(client, "sam@provider.example", PASSWORD)
    assert response["Location"] == "/backoffice/"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-key/",
        "/accounts/inactive/",
    ],
)
def test_every_public_account_page_renders_in_the_portal_shell(client, foundation, path):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert html.count("<h1") == 1
    assert "Sign In" not in html and "Sign Out" not in html  # the portal says "Log in"


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/2fa/", "/accounts/password/change/"]
)
def test_every_signed_in_account_page_renders_in_the_portal_shell(alice_client, path):
    response = alice_client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-nav"' in html
    assert html.count("<h1") == 1
