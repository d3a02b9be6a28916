"""`{% kept "name" key ... %}...{% endkept %}`: a part of a page rendered once per process for each language and keys.

Many parts of a page are the same for every request with the same few values: the stylesheet and script links of
every page, a round's own page links, a form's labels and options, a table's header. Rendering them costs tenths of
a millisecond a page (each `{% url %}` about 30 µs, each `{% static %}` and `{% translate %}` 10-15 µs), which on
the hot pages is a large share of their CPU (issue 14, BENCHMARKS.md). This tag renders its content the first time a
process meets a language and keys, and gives the same text for every later request with the same ones.

Why not Django's `{% cache %}`: it makes an MD5 key, validates it and pickles the text into a cache backend, about
60 µs a fragment here, most of what it saves on a small fragment. `kept` needs only what a per-process, in-memory
store needs: a tuple key and a dict lookup (a few µs).

The rule for using it: the content may depend only on the keys named and the active language (which is always part
of the key). Never put in it a CSRF token, the person, a message, or a value that is not a key. Nothing is ever
invalidated: templates, translations and settings change only with a new process, and whatever data the content
shows must be in its keys (a stored report's id and build time, a round's slug and title). The store is bounded: when
it holds `LIMIT` fragments it is emptied and fills again. oscethb/tests/test_kept.py checks the tag;
reports/tests/test_kept_fragments.py compares the pages that use it with fresh renders.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader_tags import BlockNode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

LIMIT = 5000  # fragments kept per process; a few hundred are in use on a busy site (rounds × pages × languages)
_kept: dict[tuple[Any, ...], SafeString] = {}


def kept_fragments_clear() -> None:
    """Forget every kept fragment (tests, where one test's settings or templates must not reach the next)."""
    _kept.clear()


class KeptNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context: template.Context) -> str:
        # The template's file and the fragment's name tell fragments apart; the language and the keys, their versions.
        key = (self.origin.name, self.name, get_language(), *(k.resolve(context) for k in self.keys))
        try:
            found = _kept.get(key)
        except TypeError:  # a key that cannot be hashed (a list, say): rendered each time, never wrong
            return self.nodelist.render(context)
        if found is None:
            found = mark_safe(self.nodelist.render(context))  # noqa: S308  # nosec B308 B703 - the template's own output, escaped as it renders
            if len(_kept) >= LIMIT:
                _kept.clear()
            _kept[key] = found
        return found


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'kept' needs a name: {% kept \"name\" key ... %}")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        # A template that extends this one may fill the block differently: its text is not this fragment's alone.
        raise template.TemplateSyntaxError(f"'kept' {name!r} holds a {{% block %}}: keep the parts around it instead")
    return KeptNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
