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

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.safestring import SafeString, mark_safe


class FixedChoices(BaseChoiceIterator):
    """A select's choices fixed with the form class (a status, a priority), shared by every
    instance. Django deep-copies each field's choices for every form it builds; for a filter
    bar that copy of a few tuples and lazy labels was a tenth of the list page's form."""

    def __init__(self, choices: Any) -> None:
        self.choices = tuple(normalize_choices(choices))

    def __iter__(self) -> Any:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __copy__(self) -> FixedChoices:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoices:
        return self


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def escape_text(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper, for the many short texts of
    a widget: safe strings as they are, everything else through ``html.escape`` (which is
    what Django's ``escape`` calls)."""
    if type(value) is str:  # most values: no attribute lookup that fails first
        return html.escape(value)
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


SELECTED = {"selected": True}


def option_html(value: Any, label: Any, attrs: Mapping[str, Any] | None) -> str:
    """One ``<option>`` as ``select_option.html`` writes it (with the newlines around it)."""
    extra = attributes(attrs) if attrs else ""  # a single select's options mostly have none
    return f'\n  <option value="{escape_text(str(value))}"{extra}>{escape_text(label)}</option>\n'


def select_html(name: str, attrs: Mapping[str, Any], groups: Any) -> str:
    """``select.html``: ``groups`` are (group name or None, [(value, label, option attrs)])."""
    parts = [f'<select name="{escape_text(name)}"{attributes(attrs)}>']
    for group_name, options in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_text(group_name)}">')
        parts.extend(option_html(*option) for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def render_select(widget: Mapping[str, Any]) -> SafeString | None:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION_TEMPLATE for option in options):
            return None  # a custom option template: let the templates render it
        groups.append(
            (
                group_name,
                [(option["value"], option["label"], option["attrs"]) for option in options],
            )
        )
    return mark_safe(select_html(widget["name"], widget["attrs"], groups))  # noqa: S308 - escaped


class PlainSelect(forms.Select):
    """A single select drawn straight from its choices, with the markup of Django's
    templates (``select.html``, ``select_option.html``). Django first builds a dictionary
    for each option and then renders it; a filter bar's half-dozen selects spent most of
    their time there. Multiple selects and custom templates render as Django's do."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if (
            self.allow_multiple_selected
            or self.template_name != SELECT_TEMPLATE
            or self.option_template_name != OPTION_TEMPLATE
        ):
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        groups: list[tuple[Any, list[tuple[Any, Any, dict[str, bool] | None]]]] = []
        found = False  # as Django: only the first option with a chosen value is selected
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, (list, tuple)):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = None, [(option_value, option_label)]
            options = []
            for subvalue, sublabel in choices:
                selected = not found and str(subvalue) in chosen
                found |= selected
                options.append((subvalue, sublabel, SELECTED if selected else None))
            groups.append((group_name, options))
        return mark_safe(  # noqa: S308 - every part is escaped in select_html
            select_html(name, self.build_attrs(self.attrs, attrs), groups)
        )


FAST: dict[str, Callable[[Mapping[str, Any]], SafeString | None]] = {
    SELECT_TEMPLATE: render_select,
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


class PorticoBoundField(BoundField):
    """A bound field that answers a template's lookups without an exception.

    A template reads ``field.label`` by trying ``field["label"]`` first; Django's bound
    field raises TypeError for a name (it indexes subwidgets by number only) and the
    template then reads the attribute. Raising and catching that for the label, id, errors
    and name of each field was a third of drawing a filter bar. A name now answers the
    attribute itself, which is what the template reads next anyway; numbers still index
    the subwidgets.
    """

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, str):
            return getattr(self, idx)
        return super().__getitem__(idx)


class PorticoFormRenderer(DjangoTemplates):
    bound_field_class = PorticoBoundField

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            html = fast(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
