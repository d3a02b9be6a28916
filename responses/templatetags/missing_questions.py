"""`{% missing_questions progress access %}`: the required questions still without an answer, each a link to its
place in its section (the review page, and the summary on the submit and accept pages).

The links are formatted from one `reverse` (oscethb/url_format.py): a response missing a hundred answers would
otherwise spend a few milliseconds on a hundred `{% url %}` tags."""

from __future__ import annotations

from typing import Any

from django import template

from oscethb.url_format import url_format

register = template.Library()


@register.inclusion_tag("responses/partials/missing_questions.html")
def missing_questions(progress: Any, access: Any) -> dict[str, Any]:
    section_url = url_format("responses:response-section", access.survey.slug, access.organisation.code)
    return {"missing": [(section, question, section_url(section.code)) for section, question in progress.missing]}
