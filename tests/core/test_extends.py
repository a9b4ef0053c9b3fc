"""``{% extends %}`` keeps the root template's blocks and renders what Django's tag renders."""

import pytest
from django.template import Context, Engine

from portico.core.templatetags.portal import ExtendsKeptBlocks

TEMPLATES = {
    "base.html": (
        "<title>{% block title %}Portal{% endblock %}</title>"
        "{% if flag %}<nav>{% block nav %}default nav{% endblock %}</nav>{% endif %}"
        "<main>{% block content %}{% endblock %}</main>"
        "{% for item in items %}{% block loop %}[{{ item }}]{% endblock %}{% endfor %}"
    ),
    "section.html": (
        '{% extends "base.html" %}'
        "{% block title %}Section · {{ block.super }}{% endblock %}"
        "{% block content %}<section>{% block inner %}inner{% endblock %}</section>{% endblock %}"
    ),
    "page.html": (
        '{% extends "section.html" %}'
        "{% block inner %}{{ name }} & {{ block.super }}{% endblock %}"
        "{% block nav %}page nav{% endblock %}"
    ),
    "other.html": '{% extends "base.html" %}{% block loop %}<{{ item }}>{% endblock %}',
    "variable.html": "{% extends parent %}{% block content %}from a variable{% endblock %}",
}


def engine(*, ours: bool) -> Engine:
    return Engine(
        loaders=[
            (
                "django.template.loaders.cached.Loader",
                [
                    ("django.template.loaders.locmem.Loader", TEMPLATES),
                ],
            )
        ],
        builtins=["portico.core.templatetags.portal"] if ours else [],
    )


CONTEXTS = [
    {"flag": True, "items": [1, 2], "name": "<b>"},
    {"flag": False, "items": [], "name": "x"},
    {"flag": True, "items": ["a"], "name": "y", "parent": "section.html"},
]


@pytest.mark.parametrize("name", ["section.html", "page.html", "other.html", "variable.html"])
def test_renders_what_djangos_extends_renders(name: str) -> None:
    ours, djangos = engine(ours=True), engine(ours=False)
    for values in CONTEXTS * 2:  # the second time from the kept blocks
        values = {"parent": "base.html", **values}
        expected = djangos.get_template(name).render(Context(values))
        assert ours.get_template(name).render(Context(values)) == expected
    assert isinstance(ours.get_template(name).nodelist[0], ExtendsKeptBlocks)


def test_the_root_blocks_are_found_once_per_compiled_template() -> None:
    ours = engine(ours=True)
    ours.get_template("page.html").render(Context(CONTEXTS[0]))
    base = ours.get_template("base.html")
    kept = base.portico_blocks
    assert sorted(kept) == ["content", "loop", "nav", "title"]
    ours.get_template("other.html").render(Context(CONTEXTS[0]))
    assert ours.get_template("base.html").portico_blocks is kept


def test_extends_must_still_come_first() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Engine(builtins=["portico.core.templatetags.portal"]).from_string(
            '{% if x %}{% endif %}{% extends "base.html" %}'
        )
