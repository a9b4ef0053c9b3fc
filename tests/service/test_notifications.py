"""E-mails about a request: who gets them, what they say, how they are recorded."""

from __future__ import annotations

import pytest
from django.core import mail

from portico.accounts.models import User
from portico.core.access import build_scope
from portico.core.rights import Right
from portico.customers.demo import _member
from portico.customers.models import Membership
from portico.service.services import (
    add_internal_note,
    add_recommendation,
    assign_technicians,
    change_state,
    comment_on_request,
    respond_to_recommendation,
    watch,
)
from portico.threads.models import Entry, OutboundMail, Visibility
from tests.service.factories import raise_request

pytestmark = pytest.mark.django_db
SECRET = "Internal: do not tell the customer about the discount"


@pytest.fixture
def request_with_people(foundation, alice, bob, sam):
    request = raise_request(alice, site=foundation.acme_sites[1], on_behalf_of=bob)
    assign_technicians(request=request, actor=sam, technicians=[sam])
    return request


def test_agent_comment_mails_creator_on_behalf_person_and_watchers_with_own_tokens(
    request_with_people,
    alice,
    sam,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PORTICO_REPLY_DOMAIN = "replies.example.net"
    watch(request=request_with_people, actor=alice)  # the creator watching is mailed once
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_request(request=request_with_people, actor=sam, body="Engineer comes at 10.")

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.example", "bob@acme.example"]
    records = OutboundMail.objects.filter(thread=request_with_people.thread)
    assert records.count() == 2
    tokens = {r.reply_token for r in records}
    assert len(tokens) == 2
    for message in mail.outbox:
        record = records.get(recipient=message.to[0])
        assert message.reply_to == [f"reply+{record.reply_token}@replies.example.net"]
        assert "Engineer comes at 10." in message.body
        assert request_with_people.number in message.subject
    history = request_with_people.thread.entries.filter(kind=Entry.Kind.EMAIL_SENT)
    assert history.count() == 2
    assert {e.data["to"] for e in history} == {"alice@acme.example", "bob@acme.example"}
    assert all(e.visibility == Visibility.PUBLIC for e in history)


def test_watcher_whose_membership_was_removed_gets_no_mail(
    request_with_people, foundation, sam, django_capture_on_commit_callbacks
):
    erin = User.objects.create_user("erin@acme.example", None, full_name="Erin Evans")
    membership = _member(erin, foundation.acme, "Site user")
    watch(request=request_with_people, actor=erin)
    membership.delete()  # she left Acme; the watch stays behind

    with django_capture_on_commit_callbacks(execute=True):
        comment_on_request(request=request_with_people, actor=sam, body="Engineer comes at 10.")

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.example", "bob@acme.example"]
    assert not OutboundMail.objects.filter(recipient="erin@acme.example").exists()


def test_people_whose_rights_or_sites_no_longer_cover_the_request_get_no_mail(
    request_with_people, foundation, alice, bob, sam, django_capture_on_commit_callbacks
):
    Membership.objects.filter(user=alice).update(tickets=Right.NONE)
    Membership.objects.get(user=bob).sites.set([foundation.acme_sites[0]])  # not Leeds now

    with django_capture_on_commit_callbacks(execute=True):
        change_state(request=request_with_people, new_state="acknowledged", actor=sam)

    assert mail.outbox == []
    assert not OutboundMail.objects.filter(thread=request_with_people.thread).exists()


def test_internal_notes_are_never_mailed(
    request_with_people, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_internal_note(request=request_with_people, actor=sam, body=SECRET)
        comment_on_request(request=request_with_people, actor=sam, body="Public reply")
        change_state(request=request_with_people, new_state="acknowledged", actor=sam)
    assert mail.outbox
    for message in mail.outbox:
        assert SECRET not in message.body
        assert all(SECRET not in str(content) for content, _ in message.alternatives)
    assert not OutboundMail.objects.filter(entry__body__contains=SECRET).exists()


def test_state_change_by_agent_mails_customers(
    request_with_people, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change_state(request=request_with_people, new_state="acknowledged", actor=sam)
    assert len(mail.outbox) == 2
    assert "Acknowledged" in mail.outbox[0].body


def test_customer_comment_mails_the_assigned_agent_only(
    request_with_people, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_request(
            request=request_with_people,
            actor=alice,
            body="It jams again",
            scope=build_scope(alice),
        )
    assert [m.to for m in mail.outbox] == [["sam@provider.example"]]
    record = OutboundMail.objects.get()
    assert record.recipient_user.email == "sam@provider.example"
    # The e-mail to staff stays out of the customer's view of the history.
    assert record.entry.visibility == Visibility.INTERNAL


def test_recommendation_mails_customers_and_the_response_mails_the_agent(
    request_with_people, alice, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recommendation = add_recommendation(
            request=request_with_people, actor=sam, description="Replace fuser", amount="185"
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.example", "bob@acme.example"]
    assert "Replace fuser" in mail.outbox[0].body
    assert "185.00" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respond_to_recommendation(recommendation=recommendation, actor=alice, decision="approve")
    assert [m.to for m in mail.outbox] == [["sam@provider.example"]]
    assert "Approved" in mail.outbox[0].body


def test_nothing_is_sent_when_the_transaction_rolls_back(
    request_with_people, sam, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                comment_on_request(request=request_with_people, actor=sam, body="Oops")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert OutboundMail.objects.count() == 0


def test_with_nobody_assigned_the_support_address_gets_customer_comments(
    foundation, alice, django_capture_on_commit_callbacks
):
    request = raise_request(alice)
    with django_capture_on_commit_callbacks(execute=True):
        comment_on_request(request=request, actor=alice, body="Hello?")
    assert [m.to for m in mail.outbox] == [["service@provider.example"]]
