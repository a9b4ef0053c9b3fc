"""Customer pages: access, lists, exports, detail tabs, comments, Respond, uploads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portico.service.models import Recommendation, ServiceRequest
from portico.service.services import (
    add_internal_note,
    add_recommendation,
    assign_technicians,
    change_state,
    comment_on_request,
)
from portico.threads.models import Attachment, Entry
from tests.service.factories import category, machine, png, raise_request, text_file

pytestmark = pytest.mark.django_db
SECRET = "Internal: customer is on the watch list for late payment"


@pytest.fixture
def acme_request(foundation, alice, sam):
    request = raise_request(
        alice, site=foundation.acme_sites[0], title="Streaks on every page", files=[text_file()]
    )
    assign_technicians(request=request, actor=sam, technicians=[sam])
    comment_on_request(request=request, actor=sam, body="We will call you tomorrow.")
    add_internal_note(request=request, actor=sam, body=SECRET, files=[text_file("internal.txt")])
    return request


def request_urls(request: ServiceRequest) -> list[tuple[str, str]]:
    number = request.number
    attachment = request.thread.attachments.public().first()
    recommendation = request.recommendations.first()
    urls = [
        ("get", reverse("service:detail", args=[number])),
        *[
            ("get", reverse("service:detail", args=[number]) + f"?tab={tab}")
            for tab in ("timeline", "attachments", "invoices", "parts")
        ],
        ("post", reverse("service:comment", args=[number])),
        ("post", reverse("service:upload", args=[number])),
        ("post", reverse("service:watch", args=[number])),
        ("post", reverse("service:cancel", args=[number])),
        ("post", reverse("service:reopen", args=[number])),
    ]
    if attachment:
        urls.append(("get", reverse("service:attachment", args=[number, attachment.pk])))
    if recommendation:
        urls.append(("get", reverse("service:respond", args=[number, recommendation.pk])))
        urls.append(("post", reverse("service:respond", args=[number, recommendation.pk])))
    return urls


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- access -----------------------------------------------------------------------------


def test_carol_gets_404_for_every_acme_request_url(acme_request, carol_client, sam):
    add_recommendation(request=acme_request, actor=sam, description="New drum", amount=90)
    entries_before = Entry.objects.count()
    for method, url in request_urls(acme_request):
        data = {"body": "hello", "decision": "approve"} if method == "post" else None
        response = getattr(carol_client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert Entry.objects.count() == entries_before
    assert acme_request.watchers.count() == 0


def test_carol_lists_and_exports_show_nothing_of_acme(acme_request, carol_client):
    for name in ("service:list", "service:export_csv", "service:export_excel"):
        for query in ("", "?tab=mine", f"?q={acme_request.number}"):
            response = carol_client.get(reverse(name) + query)
            content = body(response)
            assert b"Streaks" not in content
            if name == "service:list":
                assert response.context["rows"] == []
            else:  # the search box echoes the query; an export has only rows
                assert acme_request.number.encode() not in content


def test_anonymous_is_sent_to_login(acme_request, client):
    response = client.get(reverse("service:detail", args=[acme_request.number]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_bob_never_sees_requests_of_other_sites(foundation, alice, bob, bob_client):
    leeds = raise_request(alice, site=foundation.acme_sites[1], title="Leeds copier")
    london = raise_request(alice, site=foundation.acme_sites[0], title="London copier")
    listing = bob_client.get(reverse("service:list") + "?tab=company").content
    assert leeds.number.encode() in listing
    assert london.number.encode() not in listing
    assert bob_client.get(reverse("service:detail", args=[london.number])).status_code == 404
    csv_bytes = body(bob_client.get(reverse("service:export_csv")))
    assert london.number.encode() not in csv_bytes
    assert leeds.number.encode() in csv_bytes


def test_internal_notes_never_reach_customer_pages_or_exports(acme_request, alice_client):
    pages = [
        reverse("service:detail", args=[acme_request.number]) + f"?tab={tab}"
        for tab in ("summary", "timeline", "attachments", "invoices", "parts")
    ]
    pages += [reverse("service:list"), reverse("service:export_csv")]
    for url in pages:
        content = body(alice_client.get(url))
        assert SECRET.encode() not in content, url
        assert b"internal.txt" not in content, url
    workbook = load_workbook(io.BytesIO(body(alice_client.get(reverse("service:export_excel")))))
    cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert not any(SECRET in cell for cell in cells)
    internal = acme_request.thread.attachments.get(original_name="internal.txt")
    url = reverse("service:attachment", args=[acme_request.number, internal.pk])
    assert alice_client.get(url).status_code == 404


def test_bob_cannot_respond_without_amend(acme_request, bob_client, sam, foundation):
    leeds = raise_request(foundation.users["alice"], site=foundation.acme_sites[1])
    recommendation = add_recommendation(request=leeds, actor=sam, description="Drum", amount=5)
    url = reverse("service:respond", args=[leeds.number, recommendation.pk])
    assert bob_client.post(url, {"decision": "approve"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.PENDING


# --- T1 ------------------------------------------------------------------------------------


def new_request_data(**extra):
    return {
        "submission_key": "key-1",
        "title": "Paper jam",
        "description": "Tray 2 jams",
        "priority": "normal",
        "contact_name": "Alice",
        "additional_notes": "Ring the bell",
        **extra,
    }


def test_alice_raises_a_request_from_a_machine_with_attachments(foundation, alice_client, alice):
    asset = machine(foundation.acme, foundation.acme_sites[2], "SN-77", tag="ACME-77")
    form = alice_client.get(reverse("service:new") + f"?asset={asset.pk}")
    assert b"SN-77" in form.content
    data = new_request_data(
        asset=asset.pk, site=asset.site_id, attachments=[png("fault.png"), text_file("log.txt")]
    )
    response = alice_client.post(reverse("service:new") + f"?asset={asset.pk}", data)

    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service:detail", args=[created.number])
    assert created.asset == asset and created.site == foundation.acme_sites[2]
    assert created.created_by == alice
    assert created.additional_notes == "Ring the bell"
    names = sorted(a.original_name for a in created.thread.attachments.all())
    assert names == ["fault.png", "log.txt"]


def test_double_submitted_form_creates_one_request(foundation, alice_client):
    data = new_request_data(site=foundation.acme_sites[0].pk)
    first = alice_client.post(reverse("service:new"), data)
    second = alice_client.post(reverse("service:new"), data)
    assert ServiceRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_new_request_form_hides_other_customers_machines(foundation, alice_client, carol):
    globex_machine = machine(foundation.globex, foundation.globex_sites[0], "GLOBEX-1")
    response = alice_client.get(reverse("service:new") + f"?asset={globex_machine.pk}")
    assert b"GLOBEX-1" not in response.content
    response = alice_client.post(reverse("service:new"), new_request_data(asset=globex_machine.pk))
    assert response.status_code == 200
    assert ServiceRequest.objects.count() == 0


def test_on_behalf_of_lists_only_colleagues(foundation, alice_client):
    content = alice_client.get(reverse("service:new")).content
    assert b"Bob Baker" in content
    assert b"Carol Chen" not in content


def test_on_behalf_of_offers_only_colleagues_who_may_see_requests(foundation, alice_client):
    from portico.accounts.models import User
    from portico.customers.demo import _member

    frank = User.objects.create_user("frank@acme.example", None, full_name="Frank Fisher")
    _member(frank, foundation.acme, "Accounts")  # no right on service requests

    content = alice_client.get(reverse("service:new")).content
    response = alice_client.post(
        reverse("service:new"),
        new_request_data(site=foundation.acme_sites[0].pk, on_behalf_of=frank.pk),
    )

    assert b"Bob Baker" in content and b"Frank Fisher" not in content
    assert response.status_code == 200
    assert "Choose a colleague who can see service requests" in response.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_on_behalf_of_follows_the_chosen_site(foundation, alice_client, bob):
    head_office, leeds = foundation.acme_sites[0], foundation.acme_sites[1]

    refused = alice_client.post(
        reverse("service:new"), new_request_data(site=head_office.pk, on_behalf_of=bob.pk)
    )
    assert refused.status_code == 200
    assert ServiceRequest.objects.count() == 0

    alice_client.post(reverse("service:new"), new_request_data(site=leeds.pk, on_behalf_of=bob.pk))
    assert ServiceRequest.objects.get().on_behalf_of == bob


def test_missing_fields_are_shown_beside_the_field(foundation, alice_client):
    response = alice_client.post(reverse("service:new"), {"priority": "normal"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert ServiceRequest.objects.count() == 0


# --- T2 ------------------------------------------------------------------------------------


@pytest.fixture
def many(foundation, alice, bob, sam):
    leeds_machine = machine(foundation.acme, foundation.acme_sites[1], "SER-LEEDS", "TAG-9")
    made = {
        "jam": raise_request(
            alice,
            site=foundation.acme_sites[0],
            title="Paper jam",
            priority="urgent",
            category=category("Paper jam"),
        ),
        "streaks": raise_request(alice, asset=leeds_machine, title="Streaks", priority="low"),
        "bobs": raise_request(bob, site=foundation.acme_sites[1], title="=cmd|' /C calc'!A0"),
    }
    change_state(request=made["streaks"], new_state="acknowledged", actor=sam)
    return made


def numbers(response) -> list[str]:
    return [r["number"] for r in response.context["rows"]]


def test_my_requests_and_company_requests(many, alice_client):
    mine = alice_client.get(reverse("service:list") + "?tab=mine")
    company = alice_client.get(reverse("service:list") + "?tab=company")
    assert set(numbers(mine)) == {many["jam"].number, many["streaks"].number}
    assert len(numbers(company)) == 3


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=acknowledged", ["streaks"]),
        ("status=open", ["bobs", "streaks", "jam"]),
        ("priority=urgent", ["jam"]),
        ("q=TAG-9", ["streaks"]),
        ("q=ser-leeds", ["streaks"]),
        ("q=Head Office", ["jam"]),
        ("q=REQ-000001", ["jam"]),
        ("q=1", ["jam"]),
        ("q=streak", ["streaks"]),
        ("sort=priority", ["streaks", "bobs", "jam"]),
        ("sort=-priority", ["jam", "bobs", "streaks"]),
        ("sort=number", ["jam", "streaks", "bobs"]),
    ],
)
def test_filters_search_and_sort(many, alice_client, query, expected):
    response = alice_client.get(reverse("service:list") + "?" + query)
    assert numbers(response) == [many[key].number for key in expected]


def test_filters_by_site_category_and_dates(many, foundation, alice_client):
    url = reverse("service:list")
    leeds = alice_client.get(url + f"?site={foundation.acme_sites[1].pk}")
    assert set(numbers(leeds)) == {many["streaks"].number, many["bobs"].number}
    jam = alice_client.get(url + f"?category={many['jam'].category_id}")
    assert numbers(jam) == [many["jam"].number]
    ServiceRequest.objects.filter(pk=many["jam"].pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    recent = alice_client.get(url + f"?created_from={since}")
    assert many["jam"].number not in numbers(recent)
    old = alice_client.get(url + f"?created_to={since}")
    assert numbers(old) == [many["jam"].number]


def test_csv_export_is_exactly_the_filtered_list_with_formulas_neutralised(many, alice_client):
    response = alice_client.get(reverse("service:export_csv") + "?site=&q=&status=open&sort=number")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Number", "Title", "Status"]
    assert [row[0] for row in rows[1:]] == [
        many["jam"].number,
        many["streaks"].number,
        many["bobs"].number,
    ]
    assert rows[3][1] == "'=cmd|' /C calc'!A0"
    filtered = alice_client.get(reverse("service:export_csv") + "?priority=low")
    rows = list(csv.reader(io.StringIO(body(filtered).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [many["streaks"].number]


def test_excel_export_matches_the_filter(many, alice_client):
    response = alice_client.get(reverse("service:export_excel") + "?tab=mine&sort=number")
    workbook = load_workbook(io.BytesIO(body(response)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Number"
    assert [row[0] for row in rows[1:]] == [many["jam"].number, many["streaks"].number]


def test_list_paginates_with_next_link(foundation, alice, alice_client):
    for index in range(27):
        raise_request(alice, title=f"Request {index}")
    first = alice_client.get(reverse("service:list"))
    second = alice_client.get(reverse("service:list") + "?page=2")
    assert len(first.context["rows"]) == 25 and first.context["page"].has_next()
    assert len(second.context["rows"]) == 2 and not second.context["page"].has_next()
    assert b"of 27 requests" in first.content


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_requests(foundation, alice, alice_client):
    asset = machine(foundation.acme, foundation.acme_sites[0], "QC-1", "T")
    raise_request(alice, asset=asset, category=category())
    url = reverse("service:list") + "?sort=priority"
    _count_queries(alice_client, url)  # warm caches (branding, content types)
    few = _count_queries(alice_client, url)
    for index in range(30):
        raise_request(alice, asset=asset if index % 2 else None, category=category(f"C{index}"))
    assert _count_queries(alice_client, url) == few


def test_list_counts_requests_without_joining_their_sites_and_machines(alice, alice_client):
    raise_request(alice, category=category())
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(reverse("service:list")).status_code == 200
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert "JOIN" not in counts[0]
    # The page's ids come from the scoped query, in order and limited; only they are read
    # with the joined columns, unsorted (the page keeps the ids' order).
    page = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and " LIMIT 25" in q["sql"]]
    page = [sql for sql in page if sql.startswith('SELECT "service_servicerequest"."id"')]
    assert len(page) == 1 and "JOIN" not in page[0]
    rows = [q["sql"] for q in queries if '"assets_productmodel"."name"' in q["sql"]]
    assert len(rows) == 1 and " IN (" in rows[0]
    assert " LIMIT " not in rows[0] and "ORDER BY" not in rows[0]


@pytest.mark.parametrize(
    ("sort", "titles"),
    [
        ("-created", ["Charlie", "Alpha", "Bravo"]),
        ("created", ["Bravo", "Alpha", "Charlie"]),
        ("title", ["Alpha", "Bravo", "Charlie"]),
        ("-title", ["Charlie", "Bravo", "Alpha"]),
        ("priority", ["Bravo", "Charlie", "Alpha"]),
        ("-priority", ["Alpha", "Charlie", "Bravo"]),
        ("number", ["Bravo", "Alpha", "Charlie"]),
    ],
)
def test_list_rows_keep_the_order_of_the_page(alice, alice_client, sort, titles):
    raise_request(alice, title="Bravo", priority="low")
    raise_request(alice, title="Alpha", priority="urgent")
    raise_request(alice, title="Charlie", priority="normal")
    response = alice_client.get(reverse("service:list"), {"sort": sort})
    assert [row["title"] for row in response.context["rows"]] == titles
    # Second page of one row each: the ids of that page, in order.
    response = alice_client.get(reverse("service:list"), {"sort": sort, "page": 2})
    assert response.status_code == 200


def test_detail_query_count_does_not_grow_with_entries(acme_request, alice, sam, alice_client):
    add_recommendation(request=acme_request, actor=sam, description="Drum", amount=10)
    urls = [
        reverse("service:detail", args=[acme_request.number]) + f"?tab={tab}"
        for tab in ("summary", "timeline", "attachments", "parts")
    ]
    for url in urls:
        _count_queries(alice_client, url)
    before = {url: _count_queries(alice_client, url) for url in urls}
    for index in range(10):
        comment_on_request(
            request=acme_request, actor=alice, body=f"Comment {index}", files=[text_file()]
        )
        comment_on_request(request=acme_request, actor=sam, body=f"Reply {index}")
    add_recommendation(request=acme_request, actor=sam, description="Fuser", amount=10)
    assert {url: _count_queries(alice_client, url) for url in urls} == before


# --- T3-T7 ----------------------------------------------------------------------------------


def test_timeline_shows_public_entries_and_state_history(acme_request, sam, alice_client):
    change_state(request=acme_request, new_state="acknowledged", actor=sam)
    response = alice_client.get(
        reverse("service:detail", args=[acme_request.number]) + "?tab=timeline"
    )
    content = response.content.decode()
    assert "We will call you tomorrow." in content
    assert "Acknowledged" in content
    assert SECRET not in content
    assert "Internal note" not in content


def test_comment_with_attachment(acme_request, alice_client):
    url = reverse("service:comment", args=[acme_request.number])
    response = alice_client.post(url, {"body": "Still jams", "attachments": [png("jam.png")]})
    assert response.status_code == 302
    entry = acme_request.thread.entries.filter(kind=Entry.Kind.COMMENT).last()
    assert entry.body == "Still jams"
    assert [a.original_name for a in entry.attachments.all()] == ["jam.png"]


def test_empty_comment_is_refused(acme_request, alice_client):
    before = Entry.objects.count()
    response = alice_client.post(reverse("service:comment", args=[acme_request.number]), {})
    assert response.status_code == 400
    assert Entry.objects.count() == before


def test_respond_approves_once(acme_request, sam, alice_client):
    change_state(request=acme_request, new_state="acknowledged", actor=sam)
    recommendation = add_recommendation(
        request=acme_request, actor=sam, description="Replace the fuser", amount="185.00"
    )
    detail = alice_client.get(reverse("service:detail", args=[acme_request.number]))
    url = reverse("service:respond", args=[acme_request.number, recommendation.pk])
    assert url.encode() in detail.content
    assert b"Respond" in detail.content

    first = alice_client.post(url, {"decision": "approve"})
    replay = alice_client.post(url, {"decision": "decline", "reason": "changed my mind"})

    assert first.status_code == 302 and replay.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.APPROVED
    assert acme_request.thread.entries.filter(kind=Entry.Kind.DECISION).count() == 1
    acme_request.refresh_from_db()
    assert acme_request.state == ServiceRequest.State.IN_PROGRESS


def test_decline_without_reason_shows_the_error(acme_request, sam, alice_client):
    recommendation = add_recommendation(
        request=acme_request, actor=sam, description="Replace", amount=1
    )
    url = reverse("service:respond", args=[acme_request.number, recommendation.pk])
    response = alice_client.post(url, {"decision": "decline"})
    assert response.status_code == 400
    assert b"Say why you decline" in response.content


def test_watch_cancel_and_reopen_buttons(acme_request, alice, alice_client, sam):
    number = acme_request.number
    alice_client.post(reverse("service:watch", args=[number]), {"action": "watch"})
    assert list(acme_request.watchers.all()) == [alice]
    alice_client.post(reverse("service:watch", args=[number]), {"action": "unwatch"})
    assert acme_request.watchers.count() == 0

    alice_client.post(reverse("service:cancel", args=[number]))
    acme_request.refresh_from_db()
    assert acme_request.state == ServiceRequest.State.CANCELLED

    other = raise_request(alice)
    change_state(request=other, new_state="acknowledged", actor=sam)
    change_state(request=other, new_state="resolved", actor=sam)
    detail = alice_client.get(reverse("service:detail", args=[other.number]))
    assert b"Reopen" in detail.content
    alice_client.post(reverse("service:reopen", args=[other.number]))
    other.refresh_from_db()
    assert other.state == ServiceRequest.State.IN_PROGRESS


def test_detail_shows_each_requests_own_followers_technicians_and_recommendations(
    acme_request, foundation, alice, bob, sam, alice_client
):
    """The detail page's lookups are compiled once and answer for every request and user."""
    from portico.accounts.models import User
    from portico.core.access import build_scope
    from portico.service.services import respond_to_recommendation, watch
    from portico.service.views import open_recommendations, technicians_of, watcher_ids

    tess = User.objects.create_user("tess@provider.example", None, full_name="Tess Tech")
    User.objects.filter(pk=tess.pk).update(is_staff=True)
    tess.refresh_from_db()
    other = raise_request(alice, site=foundation.acme_sites[0], title="Toner")
    assign_technicians(request=other, actor=sam, technicians=[tess, sam])
    watch(request=other, actor=alice)
    watch(request=acme_request, actor=bob)
    waiting = add_recommendation(request=other, actor=sam, description="New drum", amount=90)
    decided = add_recommendation(request=other, actor=sam, description="New fuser", amount=9)
    respond_to_recommendation(
        recommendation=decided, actor=alice, decision="approve", scope=build_scope(alice)
    )
    add_recommendation(request=acme_request, actor=sam, description="Clean rollers", amount=5)

    first = alice_client.get(reverse("service:detail", args=[acme_request.number])).context
    second = alice_client.get(reverse("service:detail", args=[other.number])).context
    assert not first["is_watching"] and second["is_watching"]
    assert [p.email for p in first["technicians"]] == [sam.email]
    assert [p.email for p in second["technicians"]] == sorted([sam.email, tess.email])
    assert [r.description for r in first["pending_recommendations"]] == ["Clean rollers"]
    assert [r.pk for r in second["pending_recommendations"]] == [waiting.pk]
    for query in (open_recommendations(), technicians_of(), watcher_ids()):
        assert all(query.compiled[connections["default"]].values())


def test_parts_tab_shows_lines_and_total(acme_request, sam, alice_client):
    from portico.service.services import log_work

    log_work(
        request=acme_request,
        actor=sam,
        kind="part",
        description="Drum unit",
        quantity=1,
        unit_price="120.00",
    )
    log_work(
        request=acme_request,
        actor=sam,
        kind="labour",
        description="Fit drum",
        hours="2",
        unit_price="50",
    )
    response = alice_client.get(
        reverse("service:detail", args=[acme_request.number]) + "?tab=parts"
    )
    assert b"Drum unit" in response.content
    assert b"GBP 220.00" in response.content


def test_invoices_tab_without_billing_link_says_none_yet(acme_request, alice_client):
    response = alice_client.get(
        reverse("service:detail", args=[acme_request.number]) + "?tab=invoices"
    )
    assert b"No invoice relates to this request yet" in response.content


# --- attachments --------------------------------------------------------------------------


def upload(client, request, *files):
    return client.post(
        reverse("service:upload", args=[request.number]), {"attachments": list(files)}
    )


def test_download_is_an_attachment_never_inline(acme_request, alice_client):
    attachment = acme_request.thread.attachments.public().first()
    response = alice_client.get(
        reverse("service:attachment", args=[acme_request.number, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == b"Hello engineer\n"


def test_attachment_of_another_request_is_404_through_this_one(acme_request, alice, alice_client):
    other = raise_request(alice, files=[png("other.png")])
    foreign = other.thread.attachments.get()
    url = reverse("service:attachment", args=[acme_request.number, foreign.pk])
    assert alice_client.get(url).status_code == 404


def test_path_traversal_name_is_stored_under_a_generated_name(acme_request, alice_client):
    upload(alice_client, acme_request, SimpleUploadedFile("../../x.html", b"just text\n"))
    attachment = Attachment.objects.get(original_name="x.html")
    assert ".." not in attachment.file.name
    assert not attachment.file.name.endswith(".html")
    assert attachment.file.name.startswith(f"attachments/{acme_request.thread_id}/")
    assert attachment.content_type == "text/plain"
    response = alice_client.get(
        reverse("service:attachment", args=[acme_request.number, attachment.pk])
    )
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")


def test_html_renamed_png_is_rejected(acme_request, alice_client):
    before = Attachment.objects.count()
    html = SimpleUploadedFile("cat.png", b"<!DOCTYPE html><script>alert(1)</script>")
    response = upload(alice_client, acme_request, html)
    assert response.status_code == 302
    assert Attachment.objects.count() == before
    follow = alice_client.get(response["Location"])
    assert "not a file type we accept" in follow.content.decode()


def test_file_over_the_limit_is_rejected(acme_request, alice_client, settings):
    settings.PORTICO_MAX_UPLOAD_BYTES = 1024
    before = Attachment.objects.count()
    upload(alice_client, acme_request, SimpleUploadedFile("big.txt", b"a" * 2048))
    assert Attachment.objects.count() == before


def test_list_rows_show_category_site_machine_priority_and_state(foundation, alice, client):
    site = foundation.acme_sites[0]
    printer = machine(foundation.acme, site, "SN-ROW-1", tag="ACME-77")
    with_machine = raise_request(
        alice, asset=printer, site=site, title="Toner smears", category=category("Print quality")
    )
    with_machine.priority = "urgent"
    with_machine.save(update_fields=["priority"])
    plain = raise_request(alice, site=site, title="Door sticks")
    client.force_login(alice)

    response = client.get(reverse("service:list"))

    rows = {row["number"]: row for row in response.context["rows"]}
    assert rows[with_machine.number]["url"] == reverse("service:detail", args=[with_machine.number])
    body = response.content.decode()
    assert (
        '<td data-label="Title" class="cell--wrap">Toner smears<br>'
        '<span class="cell__meta">Print quality</span></td>'
    ) in body
    assert (
        f'<td data-label="Site and machine" class="cell--wrap">{site.name}<br><span '
        'class="cell__meta">Kyocera TASKalfa 3554ci · SN-ROW-1 · tag ACME-77</span></td>'
    ) in body
    assert (
        '<span class="badge badge--caution"><span aria-hidden="true">▲ </span>Urgent</span>' in body
    )
    assert '<td data-label="Title" class="cell--wrap">Door sticks</td>' in body
    assert f'<td data-label="Site and machine" class="cell--wrap">{site.name}</td>' in body
    assert rows[plain.number]["state_label"] == "New"
    assert rows[plain.number]["is_raised"] is False


def test_a_request_is_found_through_the_scope_then_read_with_its_relations(
    acme_request, alice, carol, django_assert_num_queries
):
    from types import SimpleNamespace

    from django.http import Http404

    from portico.core.access import build_scope
    from portico.service.views import _load

    alices = SimpleNamespace(portal_scope=build_scope(alice))
    with django_assert_num_queries(2):  # the id the scope allows, then the request
        found = _load(alices, acme_request.number)
    with django_assert_num_queries(0):
        assert found.organisation.name == "Acme Ltd"
        assert found.site == acme_request.site and found.created_by == alice
        assert found.thread.pk == acme_request.thread.pk
    with pytest.raises(Http404):
        _load(SimpleNamespace(portal_scope=build_scope(carol)), acme_request.number)
    with pytest.raises(Http404):
        _load(alices, "REQ-999999")


def test_list_and_queue_escape_every_text_a_row_prints(foundation, alice, sam, client):
    """Row texts are escaped once in Python (rows.request_rows_html, queue_rows_html),
    exactly as the template would:
    markup typed into a title, a site, a category or a machine is shown, never run."""
    from portico.accounts.models import User
    from portico.customers.models import Site

    hostile = "<script>alert(\"x\")</script> & 'quotes'"
    site = Site.objects.create(organisation=foundation.acme, name=f"Site {hostile}")
    printer = machine(foundation.acme, site, f"SN {hostile}", tag=f"T{hostile}")
    request = raise_request(
        alice, asset=printer, site=site, title=f"Title {hostile}", category=category(hostile)
    )
    technician = User.objects.create_user("tech@provider.example", None, full_name=hostile)
    User.objects.filter(pk=technician.pk).update(is_staff=True)
    assign_technicians(request=request, actor=sam, technicians=[User.objects.get(pk=technician.pk)])
    safe = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;"

    client.force_login(alice)
    body = client.get(reverse("service:list")).content.decode()
    assert "<script>alert" not in body
    assert f"Title {safe}" in body and f"Site {safe}" in body and f">{safe}</span>" in body
    assert f"SN {safe} · tag T{safe}" in body

    client.force_login(sam)
    queue = client.get(reverse("workspace:queue")).content.decode()
    assert "<script>alert" not in queue
    assert f"Title {safe}" in queue and f"Site {safe}" in queue
    assigned = re.search(r'<td data-label="Assigned">([^<]*)</td>', queue)
    assert assigned and "&lt;script&gt;" in assigned[1]
