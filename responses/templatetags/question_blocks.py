"""`{% question_block block %}`: one question of a section page, from this process's block cache when the very same
block was rendered before (responses/block_cache.py), else rendered from responses/partials/question.html (with
the page's context, as `{% include %}` would) and kept when it may be."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from responses.block_cache import block_keep

register = template.Library()

QUESTION_TEMPLATE = "responses/partials/question.html"


@register.simple_tag(takes_context=True)
def question_block(context: template.Context, block: Any) -> SafeString:
    if block.html is not None:
        return block.html
    engine = context.template.engine if context.template is not None else template.Engine.get_default()
    question = engine.get_template(QUESTION_TEMPLATE)
    with context.push(block=block):
        html = question.render(context)  # a SafeString: what the template wrote, escaped
    if block.cache_key is not None:
        block_keep(block.cache_key, html)
    return html
