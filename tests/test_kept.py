"""`{% kept %}` (oscethb/kept.py): a fragment is rendered once per template, name, language and keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Engine, Template
from django.template.base import Origin
from django.utils import translation

from oscethb import kept

ENGINE = Engine(libraries={"kept": "oscethb.kept", "i18n": "django.templatetags.i18n"})


def render(source: str, name: str = "page.html", **values: Any) -> str:
    return Template(source, origin=Origin(name), name=name, engine=ENGINE).render(Context(values))


@pytest.fixture(autouse=True)
def _empty() -> Any:
    kept.kept_fragments_clear()
    yield
    kept.kept_fragments_clear()


def test_a_fragment_is_rendered_once_per_key_and_shows_what_it_first_showed() -> None:
    calls: list[str] = []

    class Counted:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            calls.append(self.text)
            return self.text

    source = '{% load kept %}{% kept "greeting" key %}Hello {{ who }}{% endkept %}'
    assert render(source, key=1, who=Counted("Anna")) == "Hello Anna"
    assert render(source, key=1, who=Counted("Boris")) == "Hello Anna"  # kept: the key says it is the same
    assert render(source, key=2, who=Counted("Boris")) == "Hello Boris"  # another key, rendered
    assert calls == ["Anna", "Boris"]


def test_the_language_is_part_of_every_key() -> None:
    source = '{% load kept i18n %}{% kept "label" %}{% translate "Status" %}{% endkept %}'
    with translation.override("en"):
        assert render(source) == "Status"
    with translation.override("fr"):
        assert render(source) == "Statut"
    with translation.override("en"):
        assert render(source) == "Status"


def test_templates_and_names_keep_their_fragments_apart() -> None:
    assert render('{% load kept %}{% kept "a" %}one{% endkept %}', name="first.html") == "one"
    assert render('{% load kept %}{% kept "a" %}two{% endkept %}', name="second.html") == "two"
    assert render('{% load kept %}{% kept "b" %}three{% endkept %}', name="first.html") == "three"


def test_a_key_that_cannot_be_kept_renders_every_time() -> None:
    source = '{% load kept %}{% kept "list" items %}{{ items|length }}{% endkept %}'
    assert render(source, items=[1]) == "1"
    assert render(source, items=[1, 2]) == "2"
    assert not kept._kept  # nothing kept under an unhashable key


def test_the_store_is_emptied_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept, "LIMIT", 3)
    source = '{% load kept %}{% kept "n" n %}{{ n }}{% endkept %}'
    for n in range(3):
        render(source, n=n)
    assert len(kept._kept) == 3
    assert render(source, n=3) == "3"
    assert len(kept._kept) == 1


def test_a_fragment_is_escaped_as_the_template_escapes_it() -> None:
    source = '{% load kept %}{% kept "x" %}<b>{{ text }}</b>{% endkept %}'
    assert render(source, text="<script>") == "<b>&lt;script&gt;</b>"
    assert render(source, text="ignored") == "<b>&lt;script&gt;</b>"


def test_a_fragment_cannot_hold_a_block_a_child_template_may_fill() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="holds a"):
        render('{% load kept %}{% kept "x" %}<nav>{% block crumbs %}{% endblock %}</nav>{% endkept %}')
