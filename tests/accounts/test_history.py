"""Login history (A7): the user's own attempts on a page and as CSV."""

import csv
import io
from datetime import UTC, datetime

import pytest

from portico.accounts.models import LoginAttempt
from tests.conftest import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def histories(alice, bob):
    LoginAttempt.objects.all().delete()
    LoginAttempt.objects.create(
        user=alice,
        email=alice.email,
        succeeded=True,
        attempted_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
        ip_address="203.0.113.7",
        user_agent="Firefox/140",
    )
    LoginAttempt.objects.create(
        user=alice,
        email=alice.email,
        succeeded=False,
        attempted_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
        ip_address="198.51.100.9",
        user_agent='=HYPERLINK("http://evil.example")',
    )
    LoginAttempt.objects.create(
        user=bob,
        email=bob.email,
        succeeded=True,
        attempted_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        ip_address="192.0.2.1",
        user_agent="BobBrowser",
    )


def test_csv_holds_only_own_attempts_newest_first(client, alice, histories):
    client.force_login(alice, backend="allauth.account.auth_backends.AuthenticationBackend")
    LoginAttempt.objects.filter(user=alice, ip_address=None).delete()  # drop force_login's row

    response = client.get("/accounts/profile/logins.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="login-history.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        ["Time (UTC)", "Outcome", "IP address", "Device"],
        ["2026-03-02T08:15:00+00:00", "Success", "203.0.113.7", "Firefox/140"],
        # a user agent is attacker-chosen: it must not run as a spreadsheet formula
        [
            "2026-03-01T22:30:00+00:00",
            "Failed",
            "198.51.100.9",
            '\'=HYPERLINK("http://evil.example")',
        ],
    ]


def test_history_page_shows_own_attempts_in_users_format_and_zone(client, alice, histories):
    alice.date_format = "Y-m-d"
    alice.time_zone = "Asia/Tokyo"
    alice.save()
    client.force_login(alice, backend="allauth.account.auth_backends.AuthenticationBackend")

    html = client.get("/accounts/profile/logins/").content.decode()

    assert "2026-03-02 17:15" in html  # 08:15 UTC in Tokyo, in the chosen format
    assert "2026-03-02 07:30" in html
    assert "203.0.113.7" in html
    assert "192.0.2.1" not in html and "BobBrowser" not in html


def test_history_is_paginated(client, alice):
    LoginAttempt.objects.bulk_create(
        LoginAttempt(user=alice, email=alice.email, succeeded=True) for _ in range(30)
    )
    client.force_login(alice, backend="allauth.account.auth_backends.AuthenticationBackend")

    first = client.get("/accounts/profile/logins/").content.decode()
    second = client.get("/accounts/profile/logins/?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert first.count('data-label="Outcome"') == 25
    assert second.count('data-label="Outcome"') == 6  # 30 + force_login's own row


def test_real_logins_appear_in_the_history(client, alice):
    log_in(client, "alice@acme.example", "wrong-password", HTTP_USER_AGENT="Safari/18")
    log_in(client, "alice@acme.example", PASSWORD, HTTP_USER_AGENT="Safari/18")

    rows = read_csv(client.get("/accounts/profile/logins.csv"))

    assert [row[1:] for row in rows[1:]] == [
        ["Success", "127.0.0.1", "Safari/18"],
        ["Failed", "127.0.0.1", "Safari/18"],
    ]


@pytest.mark.parametrize("path", ["/accounts/profile/logins/", "/accounts/profile/logins.csv"])
def test_history_needs_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
