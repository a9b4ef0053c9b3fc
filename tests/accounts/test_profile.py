"""Profile (A9): title, name, phone, date format, language, time zone, with clear errors."""

import pytest

from portico.accounts.models import User

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Dr",
    "full_name": "Alice  Archer-Smith",
    "phone": "+44 20 7946 0000",
    "date_format": "j M Y",
    "language": "en",
    "time_zone": "America/New_York",
}


def test_profile_saves_preferences(alice_client, alice):
    response = alice_client.post("/accounts/profile/", VALID)

    assert response["Location"] == "/accounts/profile/"
    alice.refresh_from_db()
    assert (alice.title, alice.full_name, alice.phone) == (
        "Dr",
        "Alice Archer-Smith",
        "+44 20 7946 0000",
    )
    assert (alice.date_format, alice.time_zone) == ("j M Y", "America/New_York")
    page = alice_client.get("/accounts/profile/").content.decode()
    assert "Your profile has been saved." in page


def test_profile_dates_follow_the_chosen_format(alice_client, alice):
    alice.date_format = "d.m.Y"
    alice.save()

    html = alice_client.get("/accounts/profile/").content.decode()

    assert alice.date_joined.strftime("%d.%m.%Y") in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Choose a time zone from the list, e.g. Europe/London."),
        ("time_zone", "", "Choose your time zone."),
        ("full_name", "", "Enter your full name."),
        ("full_name", "x" * 151, "Full name must be 150 characters or fewer."),
        ("title", "x" * 41, "Title must be 40 characters or fewer."),
        ("phone", "call me maybe", "Enter a phone number using digits, spaces and + ( ) - only"),
        ("date_format", "%Y", "Choose a date format from the list."),
        ("language", "tlh", "Choose a language from the list."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    alice_client, alice, field, value, message
):
    before = User.objects.values().get(pk=alice.pk)

    response = alice_client.post("/accounts/profile/", {**VALID, field: value})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert message in html
    assert User.objects.values().get(pk=alice.pk) == before


def test_invalid_post_does_not_leak_into_the_page_header(alice_client, alice):
    html = alice_client.post(
        "/accounts/profile/", {**VALID, "full_name": "Mallory", "phone": "nope"}
    ).content.decode()

    assert "Alice" in html.split("<main")[0]  # the menu still shows the saved name


def test_profile_needs_login(client):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_profile_links_payment_methods_only_with_the_payments_right(alice_client, bob_client):
    from django.urls import reverse

    link = reverse("billing:payment_methods").encode()
    assert link in alice_client.get(reverse("profile")).content
    assert link not in bob_client.get(reverse("profile")).content
