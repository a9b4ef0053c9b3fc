"""Template helpers loaded everywhere: branded labels and dates in the user's format."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.forms import BoundField, Form
from django.template import Context, Template, loader_tags
from django.template.base import Parser, TextNode, Token
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString

from portico.core import links
from portico.core.branding import label as branded_label
from portico.core.dates import format_date, time_html, user_date_format
from portico.core.live import live_filter_attributes
from portico.core.models import Branding
from portico.core.renderers import html_format

register = template.Library()


class ExtendsKeptBlocks(ExtendsNode):
    """``{% extends %}``, finding the root template's blocks once per compiled template.

    On every render Django's node walks the whole root template (``base.html``: its header,
    navigation and every ``{% if %}``) to collect its ``{% block %}`` nodes. A compiled
    template does not change, so its blocks are kept on it, and go with it: the cached loader
    keeps a template until it is reset (the development server's autoreloader resets it when
    a template file changes), and a template compiled anew is walked anew.
    """

    def render(self, context: Context) -> SafeString:
        compiled_parent = self.get_parent(context)
        render_context: Any = context.render_context
        if BLOCK_CONTEXT_KEY not in render_context:
            render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context: BlockContext = render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        # As Django's: the root's blocks join when its first non-text node is no extends.
        for node in compiled_parent.nodelist:
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    block_context.add_blocks(root_blocks(compiled_parent))
                break
        with render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined]


def root_blocks(compiled: Template) -> dict[str, Any]:
    blocks: dict[str, Any] | None = getattr(compiled, "portico_blocks", None)
    if blocks is None:
        found: Any = compiled.nodelist.get_nodes_by_type(BlockNode)
        blocks = {node.name: node for node in found}
        compiled.portico_blocks = blocks  # type: ignore[attr-defined]
    return blocks


@register.tag("extends")
def do_extends(parser: Parser, token: Token) -> ExtendsKeptBlocks:
    """Django's ``{% extends %}`` (same parsing and checks), rendered by ``ExtendsKeptBlocks``.
    This library is a builtin loaded after Django's, so its tag is the one templates use."""
    node = loader_tags.do_extends(parser, token)
    node.__class__ = ExtendsKeptBlocks
    return node  # type: ignore[return-value]


@register.simple_tag(takes_context=True)
def label(context: dict[str, Any], key: str) -> str:
    branding = context.get("branding") or Branding.current()
    return branded_label(branding.labels or {}, key)


def _user_format(context: dict[str, Any]) -> str:
    request = context.get("request")
    return user_date_format(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def userdate(context: dict[str, Any], value: date | datetime | None) -> str:
    """A date in the user's chosen format (and time zone, for a datetime)."""
    if value is None:
        return ""
    return format_date(value, _user_format(context))


@register.simple_tag(takes_context=True)
def userdatetime(context: dict[str, Any], value: datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, _user_format(context) + " H:i")


@register.simple_tag(takes_context=True)
def reltime(context: dict[str, Any], value: datetime | None) -> SafeString | str:
    """'3 days ago' (or 'in 2 hours'), with the date and time on hover and for screen readers."""
    if value is None:
        return ""
    return time_html(value, _user_format(context))


@register.simple_tag(takes_context=True)
def live_filters(context: dict[str, Any], target: str) -> SafeString:
    """On a filter bar's ``<form>``: filter as the fields change, replacing ``#target``."""
    return live_filter_attributes(context["request"].path, target)


@register.simple_tag(name="fixed_url", takes_context=True)
def fixed_url_tag(context: Context, name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per URL configuration
    and script prefix (the base layout's links: every page renders them)."""
    url = links.fixed_url(name, getattr(context, "request", None))
    if url is None:
        raise NoReverseMatch(f"No URL named {name!r}.")
    return url


PAGINATION = (
    '\n<nav class="pagination" aria-label="Pages">\n'
    "  {previous}\n"
    '  <span class="pagination__status">Page {number}{total}</span>\n'
    "  {next}\n"
    "</nav>\n"
)


@register.simple_tag(takes_context=True)
def pagination(context: Any, page: Any) -> SafeString | str:
    """``{% pagination page %}``: a list's Previous and Next links (every filter and sort
    kept in the URL) and "Page 2 of 7", or "Page 2" when the paginator stopped counting
    (``CappedCountPaginator``). Nothing when everything fits on one page. Drawn in Python:
    every list page has it, and through template nodes it cost as much as a dozen rows."""
    if not hasattr(page, "has_other_pages") or not page.has_other_pages():
        return ""  # one page, or no page in the context (as the include it replaces)
    previous = next_link = ""
    if page.has_previous():
        url = querystring(context, page=page.previous_page_number())
        previous = html_format('<a class="button" href="{}" rel="prev">Previous</a>', url)
    if page.has_next():
        url = querystring(context, page=page.next_page_number())
        next_link = html_format('<a class="button" href="{}" rel="next">Next</a>', url)
    capped = getattr(page.paginator, "is_capped", False)
    return html_format(
        PAGINATION,
        previous=previous,
        number=page.number,
        total="" if capped else f" of {page.paginator.num_pages}",
        next=next_link,
    )


@register.simple_tag(name="static_url")
def static_url(path: str) -> str:
    """``{% static path %}`` for the portal's own files. Django's tag first asks the app
    registry whether ``staticfiles`` is installed, looping over every app on each call (a
    sixth of drawing the base layout's four links); the portal always has it, and the
    storage keeps each file's URL (``core.storage``)."""
    return str(staticfiles_storage.url(path))


NavItems = tuple[tuple[str, str, bool], ...]


@register.simple_tag
def site_nav(items: list[dict[str, Any]]) -> SafeString:
    """The main navigation (``core/_site_nav.html``). Every page prints it and a user's
    items are the same from page to page, so each set of items (label, URL, current) is
    drawn once and kept: the items are the key, so a renamed label draws anew."""
    key = tuple((str(item["label"]), str(item["url"]), bool(item["current"])) for item in items)
    if settings.DEBUG:  # templates edited while the development server runs show at once
        return _draw_nav(key)
    return _kept_nav(key)


def _draw_nav(items: NavItems) -> SafeString:
    nav = [{"label": label, "url": url, "current": current} for label, url, current in items]
    return SafeString(render_to_string("core/_site_nav.html", {"nav": nav}))


_kept_nav = lru_cache(maxsize=512)(_draw_nav)


FIELD_GROUP = (
    '<div class="field{extra}">\n'
    '  <label class="field__label" for="{id}">{label}</label>\n'
    "  {widget}\n{errors}"
    "</div>\n"
)


def field_group(field: BoundField, extra_class: str = "") -> SafeString:
    """One labelled field of a filter bar: its label, its widget and its errors."""
    errors = "".join(
        html_format('  <p class="field__error">{}</p>\n', error) for error in field.errors
    )
    return html_format(
        FIELD_GROUP,
        extra=f" {extra_class}" if extra_class else "",
        id=field.id_for_label,
        label=field.label,
        widget=field.as_widget(),
        errors=SafeString(errors),
    )


@register.simple_tag
def filter_field(field: BoundField, extra_class: str = "") -> SafeString:
    """``{% filter_field form.q "filter-bar__search" %}``: one field group of a filter bar."""
    return field_group(field, extra_class)


@register.simple_tag
def filter_fields(form: Form, exclude: str = "") -> SafeString:
    """``{% filter_fields form exclude="q" %}``: a filter bar's field groups in the form's
    order, but those named in ``exclude``. Drawn in Python: a bar has half a dozen fields
    and through template nodes they were a tenth of a list page."""
    skip = exclude.split()
    return SafeString("".join(field_group(field) for field in form if field.name not in skip))
