"""The Python-rendered widgets write exactly what Django's widget templates write."""

from copy import deepcopy

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portico.core.renderers import (
    FixedChoices,
    PlainSelect,
    PorticoBoundField,
    PorticoFormRenderer,
)


class Everything(forms.Form):
    name = forms.CharField(max_length=20, help_text="Your name")
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    count = forms.IntegerField(min_value=0, initial=3)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput)
    token = forms.CharField(widget=forms.HiddenInput, initial='a"b<c>&')
    colour = forms.ChoiceField(
        choices=[
            ("", "Any colour"),
            ("red", "Red & <b>bold</b>"),
            ("blue", mark_safe("<i>Blue</i>")),
            ("green", gettext_lazy("Green & <u>lazy</u>")),
            ("grey", mark_safe(gettext_lazy("<s>Grey</s>"))),
        ]
    )
    grouped = forms.ChoiceField(
        choices=[("Warm", [("red", "Red"), ("amber", "Amber")]), ("cold", "Cold")],
        widget=forms.Select(attrs={"disabled": True, "data-x": '1"2', "hidden": False}),
    )
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    fixed = forms.ChoiceField(
        required=False,
        choices=FixedChoices([("", "Any"), ("a", gettext_lazy("A & lazy")), ("b", "B")]),
    )


def render_all(form: forms.Form) -> list[str]:
    return [str(field) for field in form]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "name": "Ann <script>",
            "email": "ann@example.com",
            "count": "7",
            "when": "2026-11-22",
            "secret": "hidden",
            "token": "x",
            "colour": "red",
            "grouped": "amber",
            "several": ["1", "3"],
            "fixed": "b",
        },
        {"name": "", "count": "not a number", "colour": "nope", "fixed": "zzz"},
    ],
)
def test_fast_widgets_match_django_templates(data: dict | None) -> None:
    fast = render_all(Everything(data, renderer=PorticoFormRenderer()))
    slow = render_all(Everything(data, renderer=DjangoTemplates()))
    assert fast == slow


def test_the_portal_uses_the_fast_renderer(settings) -> None:
    form = Everything()
    assert isinstance(form.renderer, PorticoFormRenderer)
    html = str(form["colour"])
    assert '<option value="red">Red &amp; &lt;b&gt;bold&lt;/b&gt;</option>' in html
    assert "<i>Blue</i>" in html  # a safe label is kept as it is


def test_other_widgets_still_go_through_the_templates() -> None:
    class Agree(forms.Form):
        agree = forms.BooleanField()
        notes = forms.CharField(widget=forms.Textarea)

    fast = render_all(Agree(renderer=PorticoFormRenderer()))
    assert fast == render_all(Agree(renderer=DjangoTemplates()))
    assert 'type="checkbox"' in fast[0]
    assert "<textarea" in fast[1]


def test_a_custom_option_template_falls_back_to_the_templates() -> None:
    class OwnOption(forms.Select):
        option_template_name = "core/_never_rendered_option.html"

    class Custom(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "A")], widget=OwnOption)

    # The templates are asked for the custom option template (which does not exist here).
    with pytest.raises(Exception, match="_never_rendered_option"):
        str(Custom(renderer=PorticoFormRenderer())["pick"])


def test_fixed_choices_are_shared_not_copied_and_still_validate() -> None:
    first, second = Everything(), Everything({"fixed": "zzz"})

    assert first.fields["fixed"].choices is second.fields["fixed"].choices
    assert first.fields["fixed"].widget.choices is Everything.base_fields["fixed"].choices
    assert not second.is_valid()
    assert "Select a valid choice. zzz is not one of the available choices." in str(
        second.errors["fixed"]
    )
    assert Everything({"fixed": "a"}).errors.get("fixed") is None
    assert '<option value="a">A &amp; lazy</option>' in str(first["fixed"])


def test_bound_fields_answer_template_lookups_as_django_does() -> None:
    template = engines["django"].from_string(
        '{% for field in form %}<label for="{{ field.id_for_label }}">{{ field.label }}'
        "</label>{{ field }}{% for e in field.errors %}<p>{{ e }}</p>{% endfor %}"
        "{{ field.nope }}{{ field.0.tag }}{% endfor %}"
    )
    data = {"name": "", "count": "x", "several": ["2"]}
    fast = Everything(data, renderer=PorticoFormRenderer())
    slow = Everything(data, renderer=DjangoTemplates())

    assert isinstance(fast["name"], PorticoBoundField)
    assert type(slow["name"]) is not PorticoBoundField
    assert template.render({"form": fast}) == template.render({"form": slow})
    assert "<p>Enter a whole number.</p>" in template.render({"form": fast})
    assert fast["name"]["label"] == "Name"
    assert fast["several"][1].choice_label == "Two"  # numbers still index the subwidgets
    with pytest.raises(AttributeError):
        fast["name"]["nope"]


def test_the_shared_form_template_renders_the_same_with_either_bound_field() -> None:
    template = engines["django"].get_template("core/_form.html").template
    data = {"name": "", "count": "x", "colour": "nope"}
    fast = template.render(Context({"form": Everything(data, renderer=PorticoFormRenderer())}))
    slow = template.render(Context({"form": Everything(data, renderer=DjangoTemplates())}))
    assert fast == slow
    assert "There is a problem" in fast


def test_the_main_navigation_is_drawn_once_per_set_of_items() -> None:
    from portico.core.templatetags.portal import _kept_nav, site_nav

    _kept_nav.cache_clear()
    items = [
        {"label": "Home", "url": "/", "current": False},
        {"label": "Requests <&>", "url": "/requests/", "current": True},
    ]
    first = site_nav(items)
    again = site_nav([dict(item) for item in items])
    renamed = site_nav([{**items[0], "label": "Start"}, items[1]])

    assert first == again and _kept_nav.cache_info().hits == 1
    assert '<a href="/requests/" aria-current="page">Requests &lt;&amp;&gt;</a>' in first
    assert '<a href="/">Home</a>' in first
    assert '<a href="/">Start</a>' in renamed  # a renamed label is drawn anew


class Selects(forms.Form):
    """Every kind of single select a form can hold, drawn by PlainSelect."""

    plain = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        choices=[
            ("", "Any"),
            ("a", "A & <b>bold</b>"),
            ("b", mark_safe("<i>B</i>")),
            ("c", gettext_lazy("C & lazy")),
            ("1", "One"),
            (1, "One again"),  # the same value twice: only the first is selected
        ],
    )
    required = forms.ChoiceField(widget=PlainSelect, choices=[("", "Pick"), ("x", "X")])
    no_empty = forms.ChoiceField(widget=PlainSelect, choices=[("x", "X"), ("y", "Y")])
    grouped = forms.ChoiceField(
        required=False,
        widget=PlainSelect(attrs={"disabled": True, "data-x": '1"2', "hidden": False}),
        choices=[(None, "None at all"), ("Warm", [("red", "Red"), ("amber", "Amber")])],
    )
    fixed = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        choices=FixedChoices([("", "Any"), ("f", gettext_lazy("F & <lazy>"))]),
    )
    number = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, widget=PlainSelect, choices=[(3, "Three")]
    )


def as_django_select(form_class: type[forms.Form]) -> type[forms.Form]:
    """The same form with Django's own Select on every field."""
    fields = {}
    for name, field in form_class.base_fields.items():
        copy = deepcopy(field)
        copy.widget = forms.Select(attrs=field.widget.attrs, choices=field.choices)
        fields[name] = copy
    return type("DjangoSelects", (forms.Form,), fields)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "1", "required": "x", "grouped": "amber", "fixed": "f", "number": "3"},
        {"plain": "nope <b>", "required": "", "no_empty": "", "grouped": "", "number": "9"},
    ],
)
def test_plain_selects_write_what_django_templates_write(data: dict | None) -> None:
    ours = Selects(data, renderer=PorticoFormRenderer())
    django_form = as_django_select(Selects)(data, renderer=DjangoTemplates())
    if data:
        ours.is_valid(), django_form.is_valid()

    assert render_all(ours) == render_all(django_form)
    assert isinstance(ours.fields["plain"].widget, PlainSelect)


def test_a_plain_select_selects_the_first_matching_option_only() -> None:
    html = str(Selects({"plain": "1"})["plain"])
    assert '<option value="1" selected>One</option>' in html
    assert '<option value="1">One again</option>' in html
    assert "A &amp; &lt;b&gt;bold&lt;/b&gt;" in html and "<i>B</i>" in html


def test_a_plain_select_with_several_values_or_own_templates_renders_as_django() -> None:
    class Several(PlainSelect):
        allow_multiple_selected = True

    class OwnOption(PlainSelect):
        option_template_name = "core/_never_rendered_option.html"

    several = Several(choices=[("a", "A"), ("b", "B")])
    assert several.render("s", ["a", "b"], renderer=DjangoTemplates()) == forms.SelectMultiple(
        choices=[("a", "A"), ("b", "B")]
    ).render("s", ["a", "b"], renderer=DjangoTemplates())
    with pytest.raises(Exception, match="_never_rendered_option"):
        OwnOption(choices=[("a", "A")]).render("o", "a", renderer=PorticoFormRenderer())


class Filters(forms.Form):
    q = forms.CharField(label="Search <me>", required=False)
    status = forms.ChoiceField(
        required=False, widget=PlainSelect, choices=[("", "Any status"), ("new", "New")]
    )
    created_from = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def test_filter_field_groups_label_widget_and_errors() -> None:
    from portico.core.templatetags.portal import filter_field, filter_fields

    form = Filters({"q": "x", "status": "new", "created_from": "yesterday <b>"})
    form.is_valid()

    search = filter_field(form["q"], "filter-bar__search")
    assert search.startswith('<div class="field filter-bar__search">')
    assert '<label class="field__label" for="id_q">Search &lt;me&gt;</label>' in search
    assert '<input type="text" name="q" value="x" id="id_q">' in search

    rest = filter_fields(form, exclude="q")
    assert 'name="q"' not in rest
    assert rest.count('<div class="field">') == 2
    assert '<label class="field__label" for="id_status">Status</label>' in rest
    assert '<option value="new" selected>New</option>' in rest
    # The invalid date keeps what was typed, marks the input and says what is wrong.
    assert 'value="yesterday &lt;b&gt;"' in rest and 'aria-invalid="true"' in rest
    assert '<p class="field__error">Enter a valid date.</p>' in rest
    assert rest.index("id_status") < rest.index("id_created_from")  # the form's order


def test_filter_fields_are_builtin_template_tags() -> None:
    template = engines["django"].from_string(
        '{% filter_field form.q "x" %}{% filter_fields form exclude="q status" %}'
    )
    html = template.render({"form": Filters()})
    assert '<div class="field x">' in html and 'name="created_from"' in html
    assert 'name="status"' not in html
