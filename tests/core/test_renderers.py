"""The Python-rendered widgets write exactly what Django's widget templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portico.core.renderers import FixedChoices, PorticoBoundField, PorticoFormRenderer


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
