"""Each workspace action writes the right rows, confirms, and refuses bad input unchanged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portico.service.models import Recommendation, ServiceRequest, WorkLine
from portico.threads.models import Attachment, Entry, Visibility

from .conftest import changed, fingerprint

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def url(name: str, request: ServiceRequest) -> str:
    return reverse(f"workspace:{name}", args=[request.number])


def confirmation(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def assert_refused(response, before, text: str) -> None:
    assert response.status_code == 400
    assert text in response.content.decode()
    assert changed(before) == []


def test_request_view_shows_public_and_internal_entries_marked(sam, sam_client, acme_request):
    from portico.service import services

    services.comment_on_request(request=acme_request, actor=sam, body="Public words", files=[])
    services.comment_on_request(
        request=acme_request, actor=sam, body="Secret staff words", files=[], internal=True
    )

    response = sam_client.get(url("request", acme_request))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Public words" in body and "Secret staff words" in body
    assert body.count("Internal note: staff only") == 1  # the shared timeline's marker
    assert "Printer jams on tray 2" in body and "Acme Ltd" in body


def test_public_reply_is_a_public_entry_and_mails_the_customer(
    sam_client, acme_request, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(
            url("comment", acme_request),
            {"comment-body": "We are on our way.", "comment-visibility": "public"},
        )

    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
    entry = acme_request.thread.entries.get(kind=Entry.Kind.COMMENT)
    assert (entry.body, entry.visibility) == ("We are on our way.", Visibility.PUBLIC)
    assert "Reply sent" in confirmation(response)
    assert any("We are on our way." in m.body for m in mailoutbox)


def test_internal_note_with_attachment_is_internal_and_not_mailed(
    sam_client, acme_request, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(
            url("comment", acme_request),
            {
                "comment-body": "Customer is difficult, bring spare fuser.",
                "comment-visibility": "internal",
                "comment-attachments": [
                    SimpleUploadedFile("photo.png", PNG, content_type="image/png")
                ],
            },
        )

    assert response.status_code == 302
    entry = acme_request.thread.entries.get(kind=Entry.Kind.COMMENT)
    assert entry.visibility == Visibility.INTERNAL
    attachment = acme_request.thread.attachments.get()
    assert (attachment.entry_id, attachment.visibility) == (entry.pk, Visibility.INTERNAL)
    assert not any("spare fuser" in m.body for m in mailoutbox)
    assert "Internal note added" in confirmation(response)

    download = sam_client.get(
        reverse("workspace:attachment", args=[acme_request.number, attachment.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(download.streaming_content) == PNG


def test_empty_comment_and_hostile_file_are_refused_without_writes(sam_client, acme_request):
    before = fingerprint()

    empty = sam_client.post(url("comment", acme_request), {"comment-body": "  "})
    assert_refused(empty, before, "Write a message or attach a file.")

    hostile = sam_client.post(
        url("comment", acme_request),
        {
            "comment-body": "see file",
            "comment-visibility": "public",
            "comment-attachments": [SimpleUploadedFile("x.png", b"<html><script>1</script>")],
        },
    )
    assert_refused(hostile, before, "not a file type we accept")
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("visibility", [None, "", "customer"])
def test_comment_without_a_pressed_button_is_refused_unwritten_and_unmailed(
    sam_client, acme_request, mailoutbox, django_capture_on_commit_callbacks, visibility
):
    data = {"comment-body": "Customer is difficult, bring spare fuser."}
    if visibility is not None:
        data["comment-visibility"] = visibility
    before = fingerprint()

    with django_capture_on_commit_callbacks(execute=True):
        response = sam_client.post(url("comment", acme_request), data)

    assert_refused(response, before, "to send the message")
    assert mailoutbox == []


def test_request_page_shows_the_newest_entries_in_constant_queries(
    sam, sam_client, acme_request, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portico.service.views import TIMELINE_LIMIT

    page = url("request", acme_request)
    sam_client.get(page)  # warm the session and branding caches
    with CaptureQueriesContext(connection) as few:
        short = sam_client.get(page)
    extra = TIMELINE_LIMIT + 20
    Entry.objects.bulk_create(
        Entry(thread=acme_request.thread, kind=Entry.Kind.COMMENT, author=sam, body=f"Note {i:03d}")
        for i in range(extra)
    )

    with django_assert_max_num_queries(len(few)):
        response = sam_client.get(page)

    entries = response.context["entries"]
    assert len(entries) == TIMELINE_LIMIT
    assert [entries[0].body, entries[-1].body] == ["Note 020", f"Note {extra - 1:03d}"]
    body = response.content.decode()
    assert "Note 019" not in body and f"Note {extra - 1:03d}" in body
    assert "older entries are not shown" in body
    assert "older entries are not shown" not in short.content.decode()


def test_attachment_of_another_request_is_404(sam, sam_client, acme_request, alice, acme):
    from portico.service import services

    from .conftest import raise_request

    other = raise_request(alice, acme.sites.first(), "Other")
    services.comment_on_request(
        request=other,
        actor=sam,
        body="file",
        files=[SimpleUploadedFile("a.png", PNG)],
    )
    attachment = other.thread.attachments.get()
    response = sam_client.get(
        reverse("workspace:attachment", args=[acme_request.number, attachment.pk])
    )
    assert response.status_code == 404


def test_change_state_records_history(sam, sam_client, acme_request):
    response = sam_client.post(
        url("state", acme_request),
        {"state-new_state": "acknowledged", "state-note": "Engineer notified."},
    )

    assert response.status_code == 302
    acme_request.refresh_from_db()
    assert acme_request.state == ServiceRequest.State.ACKNOWLEDGED
    assert acme_request.acknowledged_at is not None
    change = acme_request.thread.entries.get(kind=Entry.Kind.STATE_CHANGE)
    assert (change.data["from"], change.data["to"], change.author) == ("new", "acknowledged", sam)
    assert change.body == "Engineer notified."
    assert "is now acknowledged" in confirmation(response)


def test_only_allowed_transitions_are_offered_and_others_refused(sam_client, acme_request):
    page = sam_client.get(url("request", acme_request)).content.decode()
    offered = set(ServiceRequest.TRANSITIONS[ServiceRequest.State.NEW])
    for value in offered:
        assert f'value="{value}"' in page
    assert 'value="closed"' not in page and 'value="resolved"' not in page

    before = fingerprint()
    response = sam_client.post(url("state", acme_request), {"state-new_state": "closed"})
    assert_refused(response, before, "Select a valid choice")


def test_closed_request_offers_no_state_change(sam_client, queue_requests):
    closed = queue_requests["closed"]
    page = sam_client.get(url("request", closed)).content.decode()
    assert "no further changes" in page
    assert 'name="state-new_state"' not in page


def test_assign_technicians(sam, sam_client, acme_request, django_user_model):
    tess = django_user_model.objects.create_user(
        "tess@provider.example", "x", full_name="Tess Tech", is_staff=True
    )

    response = sam_client.post(
        url("assign", acme_request), {"assign-technicians": [sam.pk, tess.pk]}
    )

    assert response.status_code == 302
    assert set(acme_request.assigned_to.all()) == {sam, tess}
    assert acme_request.thread.entries.filter(data__event="assigned").count() == 1
    assert "Tess Tech" in confirmation(response)


def test_customers_cannot_be_assigned(sam_client, acme_request, alice):
    before = fingerprint()
    response = sam_client.post(url("assign", acme_request), {"assign-technicians": [alice.pk]})
    assert_refused(response, before, "Select a valid choice")
    assert acme_request.assigned_to.count() == 0


def test_schedule_visit_sets_the_date_and_moves_to_scheduled(sam_client, acme_request):
    when = timezone.localtime() + timedelta(days=2)
    response = sam_client.post(
        url("schedule", acme_request), {"schedule-when": when.strftime("%Y-%m-%dT%H:%M")}
    )

    assert response.status_code == 302
    acme_request.refresh_from_db()
    assert acme_request.scheduled_for == when.replace(second=0, microsecond=0)
    assert acme_request.state == ServiceRequest.State.SCHEDULED
    assert "Visit scheduled" in confirmation(response)


def test_schedule_visit_refuses_a_bad_date(sam_client, acme_request):
    before = fingerprint()
    response = sam_client.post(url("schedule", acme_request), {"schedule-when": "next tuesday"})
    assert_refused(response, before, "Enter a valid date/time")


def test_schedule_refused_for_closed_request_shows_the_reason(sam_client, queue_requests):
    closed = queue_requests["closed"]
    before = fingerprint()
    response = sam_client.post(url("schedule", closed), {"schedule-when": "2030-01-01T10:00"})
    assert_refused(response, before, "only be scheduled for an open request")


def test_add_recommendation_with_amount(sam, sam_client, acme_request):
    response = sam_client.post(
        url("recommend", acme_request),
        {
            "recommendation-description": "Replace the fuser unit",
            "recommendation-amount": "1234.50",
        },
    )

    assert response.status_code == 302
    recommendation = Recommendation.objects.get(request=acme_request)
    assert (recommendation.amount, recommendation.created_by) == (Decimal("1234.50"), sam)
    assert recommendation.entry.kind == Entry.Kind.RECOMMENDATION
    page = sam_client.get(url("request", acme_request)).content.decode()
    assert "Replace the fuser unit" in page and "GBP 1,234.50" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "greater than or equal to 0"), ("lots", "Enter a number"), ("", "required")],
)
def test_recommendation_with_bad_amount_is_refused(sam_client, acme_request, amount, message):
    before = fingerprint()
    response = sam_client.post(
        url("recommend", acme_request),
        {"recommendation-description": "Replace the fuser", "recommendation-amount": amount},
    )
    assert_refused(response, before, message)


def test_log_parts_and_labour(sam, sam_client, acme_request):
    part = sam_client.post(
        url("work", acme_request),
        {
            "work-kind": "part",
            "work-description": "Fuser unit",
            "work-quantity": "2",
            "work-unit_price": "80.00",
        },
    )
    labour = sam_client.post(
        url("work", acme_request),
        {
            "work-kind": "labour",
            "work-description": "Fit fuser",
            "work-quantity": "1",
            "work-hours": "1.5",
            "work-unit_price": "60",
        },
    )

    assert part.status_code == labour.status_code == 302
    lines = list(WorkLine.objects.filter(request=acme_request))
    assert [(line.kind, line.total, line.logged_by) for line in lines] == [
        ("part", Decimal("160.00"), sam),
        ("labour", Decimal("90.00"), sam),
    ]
    page = sam_client.get(url("request", acme_request)).content.decode()
    assert "GBP 250.00" in page


def test_labour_without_hours_is_refused(sam_client, acme_request):
    before = fingerprint()
    response = sam_client.post(
        url("work", acme_request),
        {
            "work-kind": "labour",
            "work-description": "Fit",
            "work-quantity": "1",
            "work-unit_price": "60",
        },
    )
    assert_refused(response, before, "Enter the hours worked")


def test_get_on_an_action_url_is_not_allowed(sam_client, acme_request):
    assert sam_client.get(url("state", acme_request)).status_code == 405
