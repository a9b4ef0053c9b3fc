"""The production static storage reads each file's hashed URL from the manifest once."""

from __future__ import annotations

import json

import pytest

from portico.core.storage import StaticStorage


@pytest.fixture
def storage(tmp_path, settings) -> StaticStorage:
    settings.DEBUG = False
    manifest = {"version": "1.1", "paths": {"portico/portico.css": "portico/portico.5e1f2a.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_a_files_url_is_looked_up_once(storage, monkeypatch):
    looked_up: list[str] = []
    stored_name = StaticStorage.stored_name

    def spied(self, name):
        looked_up.append(name)
        return stored_name(self, name)

    monkeypatch.setattr(StaticStorage, "stored_name", spied)
    first = storage.url("portico/portico.css")
    second = storage.url("portico/portico.css")
    assert first == second == "/static/portico/portico.5e1f2a.css"
    assert looked_up == ["portico/portico.css"]


def test_a_file_missing_from_the_manifest_is_an_error_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("portico/missing.js")
    assert "portico/missing.js" not in storage.urls


def test_static_url_gives_what_django_s_static_tag_gives() -> None:
    from django.template import engines

    template = engines["django"].from_string(
        "{% load static %}{% static 'portico/portico.css' %}|{% static_url 'portico/portico.css' %}"
        "|{% static_url 'a b&c.js' %}|{% static 'a b&c.js' %}"
    )
    django_css, ours_css, ours_odd, django_odd = template.render({}).split("|")
    assert ours_css == django_css and ours_css.endswith("portico/portico.css")
    assert ours_odd == django_odd == "/static/a%20b%26c.js"
