"""List rows built in Python write what the list templates wrote, escaped the same way."""

import itertools
import re

from django.template import Context, engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from portico.core.renderers import html_format
from portico.service.rows import queue_rows_html, request_rows_html

# The rows' markup as the templates wrote it before rows were built in Python.
REQUEST_ROW_TEMPLATE = """{% for row in rows %}
<tr>
  <td data-label="Number"><a href="{{ row.url }}"><strong>{{ row.number }}</strong></a></td>
  <td data-label="Title" class="cell--wrap">{{ row.title }}{% if row.category_name %}<br><span class="cell__meta">{{ row.category_name }}</span>{% endif %}</td>
  <td data-label="Site and machine" class="cell--wrap">{{ row.site_name|default:"—" }}{% if row.machine %}<br><span class="cell__meta">{{ row.machine }}</span>{% endif %}</td>
  <td data-label="Priority">{% if row.is_raised %}<span class="badge badge--caution"><span aria-hidden="true">▲ </span>{{ row.priority_label }}</span>{% else %}{{ row.priority_label }}{% endif %}</td>
  <td data-label="Status"><span class="badge{% if row.badge %} badge--{{ row.badge }}{% endif %}">{{ row.state_label }}</span></td>
  <td data-label="Created">{{ row.created_html }}</td>
</tr>
{% endfor %}"""  # noqa: E501

QUEUE_ROW_TEMPLATE = """{% for sr in rows %}
<tr{% if sr.sla_breached %} class="ws-queue__row--breached"{% endif %}>
  <td data-label="Request" class="cell--wrap">
    <a class="ws-queue__link" href="{{ sr.url }}"><strong>{{ sr.number }}</strong> {{ sr.title }}</a>
  </td>
  <td data-label="Organisation and site" class="cell--wrap">{{ sr.organisation_name }}{% if sr.site_name %}<br><span class="cell__meta">{{ sr.site_name }}</span>{% endif %}</td>
  <td data-label="Priority">{% if sr.is_raised %}<span class="badge badge--caution"><span aria-hidden="true">▲ </span>{{ sr.priority_label }}</span>{% else %}<span class="ws-priority">{{ sr.priority_label }}</span>{% endif %}</td>
  <td data-label="State"><span class="badge{% if sr.badge %} badge--{{ sr.badge }}{% endif %}">{{ sr.state_label }}</span></td>
  <td data-label="Next target">{% if sr.sla_breached %}<span class="badge badge--caution"><span aria-hidden="true">⚠ </span>Breached</span><br><span class="cell__meta">{{ sr.due_html }}</span>{% elif sr.due_html %}<span class="cell__meta">due {{ sr.due_html }}</span>{% else %}<span class="cell__meta">—</span>{% endif %}</td>
  <td data-label="Assigned">{% if sr.assigned_names %}{{ sr.assigned_names }}{% else %}<span class="cell__meta">Unassigned</span>{% endif %}</td>
  <td data-label="Created">{{ sr.created_html }}</td>
</tr>
{% endfor %}"""  # noqa: E501

HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"
TIME = mark_safe('<time datetime="2026-11-23T08:00:00+00:00">1 hour ago</time>')


def tags_only(html: str) -> str:
    """Markup without the whitespace between tags (the templates' indentation)."""
    return re.sub(r">\s+<", "><", html).strip()


def rendered(template: str, rows: list[dict]) -> str:
    return engines["django"].from_string(template).template.render(Context({"rows": rows}))


def request_rows() -> list[dict]:
    rows = []
    for number, (text, category, site, machine, raised, badge) in enumerate(
        itertools.product(
            ["Paper jam", HOSTILE, mark_safe("<b>already safe</b>"), gettext_lazy("Lazy <t>")],
            ["", None, "Printing & copying"],
            ["", None, "Head <office>"],
            ["", "Kyocera · SN-1 · tag A&7"],
            [True, False],
            ["", "info"],
        )
    ):
        rows.append(
            {
                "url": f"/requests/REQ-{number:06}/?a=1&b=2",
                "number": f"REQ-{number:06}",
                "title": text,
                "category_name": category,
                "site_name": site,
                "machine": machine,
                "is_raised": raised,
                "priority_label": "High" if raised else "Normal <low>",
                "badge": badge,
                "state_label": "Awaiting customer & co",
                "created_html": TIME,
            }
        )
    return rows


def test_request_rows_write_what_the_template_wrote() -> None:
    rows = request_rows()
    html = request_rows_html(rows)

    assert isinstance(html, SafeString)
    assert tags_only(html) == tags_only(rendered(REQUEST_ROW_TEMPLATE, rows))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in html
    assert "<b>already safe</b>" in html  # a safe string is printed as it is
    assert "Lazy &lt;t&gt;" in html  # a lazy text is translated, then escaped
    assert html.count("<tr>") == len(rows) == 288


def test_queue_rows_write_what_the_template_wrote() -> None:
    rows = []
    for number, (text, site, raised, badge, breached, due, assigned) in enumerate(
        itertools.product(
            ["Fax down", HOSTILE],
            ["", "Depot & yard"],
            [True, False],
            ["", "danger"],
            [True, False],
            ["", TIME],
            ["", "Sam, Tara <tech>"],
        )
    ):
        rows.append(
            {
                "url": f"/backoffice/workspace/requests/REQ-{number:06}/",
                "number": f"REQ-{number:06}",
                "title": text,
                "organisation_name": "Acme & Sons",
                "site_name": site,
                "is_raised": raised,
                "priority_label": "Urgent",
                "badge": badge,
                "state_label": "New",
                "sla_breached": breached,
                "due_html": due,
                "assigned_names": assigned,
                "created_html": TIME,
            }
        )

    html = queue_rows_html(rows)

    assert tags_only(html) == tags_only(rendered(QUEUE_ROW_TEMPLATE, rows))
    assert html.count('<tr class="ws-queue__row--breached">') == len(rows) // 2
    assert "<script>" not in html and "<tech>" not in html


def test_html_format_escapes_every_value_unless_it_is_safe() -> None:
    html = html_format(
        '<a href="{}" title="{title}">{label}</a>',
        "/x?a=1&b=2",
        title='say "hi"',
        label=mark_safe("<b>bold</b>"),
    )

    assert html == '<a href="/x?a=1&amp;b=2" title="say &quot;hi&quot;"><b>bold</b></a>'
    assert isinstance(html, SafeString)
