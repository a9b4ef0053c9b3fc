"""The service functions: creation, states, comments, recommendations, watchers, work."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portico.accounts.models import User
from portico.core.access import build_scope
from portico.customers.demo import _member
from portico.service.models import (
    ExtraField,
    Recommendation,
    ServiceRequest,
    ServiceSettings,
    WorkLine,
)
from portico.service.services import (
    AlreadyDecided,
    InvalidTransition,
    add_recommendation,
    assign_technicians,
    cancel_request,
    change_state,
    comment_on_request,
    create_request,
    log_work,
    reopen_request,
    respond_to_recommendation,
    schedule_visit,
    unwatch,
    watch,
)
from portico.threads.models import Entry
from tests.service.factories import category, machine, png, raise_request, service_levels

pytestmark = pytest.mark.django_db
State = ServiceRequest.State


def test_create_request_numbers_it_and_sets_service_level_targets(foundation, alice):
    service_levels()
    first = raise_request(alice, priority="high")
    second = raise_request(alice)

    assert first.number == "REQ-000001"
    assert second.number == "REQ-000002"
    assert first.state == State.NEW
    assert first.organisation == foundation.acme
    assert first.response_due_at == first.created_at + timedelta(hours=4)
    assert first.resolution_due_at == first.created_at + timedelta(hours=24)
    assert first.thread.entries.get().kind == Entry.Kind.SYSTEM


def test_create_request_from_a_machine_takes_its_site(foundation, alice):
    asset = machine(foundation.acme, foundation.acme_sites[2], "SN-1")
    request = raise_request(alice, asset=asset)
    assert request.site == foundation.acme_sites[2]
    assert request.asset == asset


def test_double_submission_creates_one_request(foundation, alice):
    first = raise_request(alice, submission_key="k-123", files=[png()])
    again = raise_request(alice, submission_key="k-123", files=[png()])

    assert again.pk == first.pk
    assert ServiceRequest.objects.count() == 1
    assert first.thread.attachments.count() == 1


def test_someone_elses_submission_key_is_refused(foundation, alice, carol):
    raise_request(alice, submission_key="k-1")
    with pytest.raises(PermissionDenied):
        raise_request(carol, submission_key="k-1")


def test_create_request_refuses_machines_and_sites_outside_the_scope(foundation, alice, bob, carol):
    acme_machine = machine(foundation.acme, foundation.acme_sites[0], "SN-ACME")
    with pytest.raises(ValidationError):
        raise_request(carol, asset=acme_machine)
    with pytest.raises(ValidationError):
        raise_request(carol, site=foundation.acme_sites[0])
    # bob sees Leeds Works only: Head Office is not his, and he must name a site.
    with pytest.raises(ValidationError):
        raise_request(bob, site=foundation.acme_sites[0])
    with pytest.raises(ValidationError):
        create_request(scope=build_scope(bob), actor=bob, title="t", description="d")
    assert ServiceRequest.objects.count() == 0


def test_on_behalf_of_must_be_a_colleague(foundation, alice, bob, carol):
    request = raise_request(alice, site=foundation.acme_sites[1], on_behalf_of=bob)
    assert request.on_behalf_of == bob
    with pytest.raises(ValidationError):
        raise_request(alice, on_behalf_of=carol)


def colleague(organisation, email: str, role: str, **extra) -> User:
    person = User.objects.create_user(email, None, full_name=email.split("@")[0].title())
    _member(person, organisation, role, **extra)
    return person


def test_colleague_without_the_service_request_right_cannot_be_named(foundation, alice):
    frank = colleague(foundation.acme, "frank@acme.example", "Accounts")  # tickets: none

    with pytest.raises(ValidationError) as error:
        raise_request(alice, site=foundation.acme_sites[0], on_behalf_of=frank)

    assert "on_behalf_of" in error.value.message_dict
    assert ServiceRequest.objects.count() == 0


def test_colleague_whose_sites_leave_out_the_chosen_site_cannot_be_named(foundation, alice, bob):
    with pytest.raises(ValidationError) as error:  # bob sees Leeds Works only
        raise_request(alice, site=foundation.acme_sites[0], on_behalf_of=bob)
    with pytest.raises(ValidationError):  # a request without a site: all-sites people only
        create_request(
            scope=build_scope(alice), actor=alice, title="t", description="d", on_behalf_of=bob
        )

    assert "on_behalf_of" in error.value.message_dict
    assert ServiceRequest.objects.count() == 0


def test_change_state_is_for_provider_staff_only(foundation, alice, mailoutbox):
    request = raise_request(alice)
    entries = request.thread.entries.count()

    with pytest.raises(PermissionDenied):
        change_state(request=request, new_state=State.CANCELLED, actor=alice)

    request.refresh_from_db()
    assert request.state == State.NEW
    assert request.thread.entries.count() == entries
    assert mailoutbox == []


def test_required_extra_fields_are_checked_for_the_category(foundation, alice):
    jam = category("Paper jam")
    ExtraField.objects.create(
        category=jam,
        key="tray",
        label="Tray",
        kind="choice",
        choices="Tray 1\nTray 2",
        is_required=True,
    )
    with pytest.raises(ValidationError) as error:
        raise_request(alice, category=jam, extra={})
    assert "extra_tray" in error.value.message_dict
    with pytest.raises(ValidationError):
        raise_request(alice, category=jam, extra={"tray": "Tray 9"})
    request = raise_request(alice, category=jam, extra={"tray": "Tray 2"})
    assert request.extra == {"tray": "Tray 2"}
    # Another category does not ask for it.
    assert raise_request(alice, category=category("Move")).extra == {}


def test_bad_file_creates_nothing(foundation, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", "image/png")
    with pytest.raises(ValidationError):
        raise_request(alice, files=[html])
    assert ServiceRequest.objects.count() == 0


def test_transitions_follow_the_table_and_are_recorded(foundation, alice, sam):
    request = raise_request(alice)
    change_state(request=request, new_state=State.ACKNOWLEDGED, actor=sam)
    with pytest.raises(InvalidTransition):
        change_state(request=request, new_state=State.CLOSED, actor=sam)
    request.refresh_from_db()
    assert request.state == State.ACKNOWLEDGED
    assert request.acknowledged_at is not None
    changes = list(request.thread.entries.filter(kind=Entry.Kind.STATE_CHANGE))
    assert [(e.data["from"], e.data["to"], e.author) for e in changes] == [
        ("new", "acknowledged", sam)
    ]


def test_customer_cancels_only_a_new_request(foundation, alice, sam):
    request = raise_request(alice)
    cancel_request(request=request, actor=alice, scope=build_scope(alice))
    request.refresh_from_db()
    assert request.state == State.CANCELLED

    other = raise_request(alice)
    change_state(request=other, new_state=State.ACKNOWLEDGED, actor=sam)
    with pytest.raises(InvalidTransition):
        cancel_request(request=other, actor=alice, scope=build_scope(alice))
    other.refresh_from_db()
    assert other.state == State.ACKNOWLEDGED


def _resolved(alice, sam, days_ago: int) -> ServiceRequest:
    request = raise_request(alice)
    change_state(request=request, new_state=State.ACKNOWLEDGED, actor=sam)
    change_state(request=request, new_state=State.RESOLVED, actor=sam)
    ServiceRequest.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - timedelta(days=days_ago)
    )
    request.refresh_from_db()
    return request


def test_customer_reopens_within_the_window_only(foundation, alice, sam):
    ServiceSettings.objects.create(reopen_days=7)
    recent = _resolved(alice, sam, days_ago=6)
    old = _resolved(alice, sam, days_ago=8)

    reopen_request(request=recent, actor=alice, scope=build_scope(alice))
    with pytest.raises(InvalidTransition, match="within 7 days"):
        reopen_request(request=old, actor=alice, scope=build_scope(alice))

    recent.refresh_from_db()
    old.refresh_from_db()
    assert recent.state == State.IN_PROGRESS
    assert old.state == State.RESOLVED
    # Staff may reopen at any time.
    reopen_request(request=old, actor=sam)
    old.refresh_from_db()
    assert old.state == State.IN_PROGRESS


def test_rights_are_rechecked_with_a_scope(foundation, alice, bob, carol):
    request = raise_request(alice, site=foundation.acme_sites[0])
    with pytest.raises(PermissionDenied):
        comment_on_request(request=request, actor=carol, body="hi", scope=build_scope(carol))
    with pytest.raises(PermissionDenied):  # not bob's site
        watch(request=request, actor=bob, scope=build_scope(bob))
    assert request.thread.entries.filter(kind=Entry.Kind.COMMENT).count() == 0


def test_customers_cannot_write_internal_notes(foundation, alice):
    request = raise_request(alice)
    with pytest.raises(PermissionDenied):
        comment_on_request(request=request, actor=alice, body="secret", internal=True)


def test_agent_actions_need_staff(foundation, alice, sam):
    request = raise_request(alice)
    with pytest.raises(PermissionDenied):
        add_recommendation(request=request, actor=alice, description="x", amount=1)
    with pytest.raises(PermissionDenied):
        assign_technicians(request=request, actor=alice, technicians=[sam])
    with pytest.raises(ValidationError):
        assign_technicians(request=request, actor=sam, technicians=[alice])


def test_schedule_visit_moves_to_scheduled(foundation, alice, sam):
    request = raise_request(alice)
    when = timezone.now() + timedelta(days=2)
    schedule_visit(request=request, actor=sam, when=when)
    request.refresh_from_db()
    assert request.state == State.SCHEDULED
    assert request.scheduled_for == when


def _recommended(alice, sam) -> Recommendation:
    request = raise_request(alice)
    assign_technicians(request=request, actor=sam, technicians=[sam])
    change_state(request=request, new_state=State.ACKNOWLEDGED, actor=sam)
    return add_recommendation(
        request=request, actor=sam, description="Replace the fuser unit", amount="185.00"
    )


def test_recommendation_waits_for_the_customer(foundation, alice, sam):
    recommendation = _recommended(alice, sam)
    request = recommendation.request
    request.refresh_from_db()
    assert request.state == State.AWAITING_CUSTOMER
    assert recommendation.amount == Decimal("185.00")
    assert recommendation.entry.kind == Entry.Kind.RECOMMENDATION


def test_approval_is_recorded_once_and_moves_the_request_on(foundation, alice, sam):
    recommendation = _recommended(alice, sam)
    scope = build_scope(alice)
    respond_to_recommendation(
        recommendation=recommendation, actor=alice, decision="approve", scope=scope
    )
    with pytest.raises(AlreadyDecided):
        respond_to_recommendation(
            recommendation=recommendation,
            actor=alice,
            decision="decline",
            reason="no",
            scope=scope,
        )
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.APPROVED
    assert recommendation.decided_by == alice
    thread = recommendation.request.thread
    assert thread.entries.filter(kind=Entry.Kind.DECISION).count() == 1
    recommendation.request.refresh_from_db()
    assert recommendation.request.state == State.IN_PROGRESS


def test_decline_needs_a_reason_and_bob_cannot_respond(foundation, alice, bob, sam):
    recommendation = _recommended(alice, sam)
    with pytest.raises(ValidationError):
        respond_to_recommendation(recommendation=recommendation, actor=alice, decision="decline")
    with pytest.raises(PermissionDenied):  # bob holds CREATE, responding needs AMEND
        respond_to_recommendation(
            recommendation=recommendation, actor=bob, decision="approve", scope=build_scope(bob)
        )
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.PENDING


def test_a_question_keeps_the_recommendation_open(foundation, alice, sam):
    recommendation = _recommended(alice, sam)
    respond_to_recommendation(
        recommendation=recommendation,
        actor=alice,
        decision="question",
        question="Is it under warranty?",
    )
    with pytest.raises(AlreadyDecided):
        respond_to_recommendation(
            recommendation=recommendation, actor=alice, decision="question", question="Again?"
        )
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.QUESTION
    recommendation.request.refresh_from_db()
    assert recommendation.request.state == State.AWAITING_CUSTOMER
    respond_to_recommendation(
        recommendation=recommendation, actor=alice, decision="decline", reason="Too dear"
    )
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.DECLINED
    assert recommendation.response_text == "Too dear"


def test_watch_and_unwatch(foundation, alice):
    request = raise_request(alice)
    watch(request=request, actor=alice, scope=build_scope(alice))
    assert list(request.watchers.all()) == [alice]
    unwatch(request=request, actor=alice, scope=build_scope(alice))
    assert request.watchers.count() == 0


def test_log_work_totals(foundation, alice, sam):
    request = raise_request(alice)
    part = log_work(
        request=request,
        actor=sam,
        kind="part",
        description="Fuser",
        quantity=2,
        unit_price="85.50",
    )
    labour = log_work(
        request=request,
        actor=sam,
        kind="labour",
        description="Fit",
        hours="1.5",
        unit_price=60,
    )
    assert part.total == Decimal("171.00")
    assert labour.total == Decimal("90.00")
    with pytest.raises(ValidationError):
        log_work(request=request, actor=sam, kind="magic", description="x")
    assert WorkLine.objects.count() == 2
