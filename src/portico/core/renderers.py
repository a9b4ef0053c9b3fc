"""The form renderer: Django's widget templates, with the commonest widgets rendered in Python.

Every list page renders a filter bar of inputs and selects, and Django renders each widget
(and each ``<option>``) through its own template: on the request list that was a sixth of
the page's time. The widgets below produce exactly the markup of Django's templates
(``django/forms/widgets/input.html``, ``select.html``, ``select_option.html``), escaped the
same way; every other template, including the back office's, goes through the templates.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def escape_text(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper, for the many short texts of
    a widget: safe strings as they are, everything else through ``html.escape`` (which is
    what Django's ``escape`` calls)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def html_format(template: str, *args: Any, **values: Any) -> SafeString:
    """``format_html`` with ``escape_text``: every value escaped unless it is already safe.
    A list row fills a few of these, and ``format_html``'s escaping goes through Django's
    wrapper for lazy strings for each value (twice the time of the row)."""
    return SafeString(
        template.format(
            *[escape_text(arg) for arg in args],
            **{name: escape_text(value) for name, value in values.items()},
        )
    )


def attributes(attrs: Mapping[str, Any]) -> str:
    """`` name="value"`` pairs as ``attrs.html`` writes them: False left out, True bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape_text(name)}")
        else:
            parts.append(f' {escape_text(name)}="{escape_text(str(value))}"')
    return "".join(parts)


def render_input(widget: Mapping[str, Any]) -> SafeString:
    value = widget["value"]
    value_attr = "" if value is None else f' value="{escape_text(str(value))}"'
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<input type="{escape_text(widget["type"])}"'
        f' name="{escape_text(widget["name"])}"{value_attr}{attributes(widget["attrs"])}>'
    )


def render_select(widget: Mapping[str, Any]) -> SafeString | None:
    parts = [f'<select name="{escape_text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # a custom option template: let the templates render it
            parts.append(
                f'\n  <option value="{escape_text(str(option["value"]))}"'
                f"{attributes(option['attrs'])}>{escape_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


FAST: dict[str, Callable[[Mapping[str, Any]], SafeString | None]] = {
    "django/forms/widgets/select.html": render_select,
    **{
        f"django/forms/widgets/{kind}.html": render_input
        for kind in (
            "input",
            "text",
            "email",
            "number",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "url",
            "password",
            "hidden",
        )
    },
}


class PorticoFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            html = fast(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
