"""The public results (no login) and the staff page that publishes them.

Staff (two-factor, like every staff page): "Publish results" of a round shows the final report's basis and build
time, the questions whose States' answers may be shown State by State, and publishes, publishes again or withdraws
after a confirmation. The public: the list of published rounds and each round's page, read from the publication's
snapshot (reports/publication/), never from live answers; a withdrawn or never published round answers 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import condition, require_http_methods, require_POST, require_safe

from oscethb.access import staff_required
from surveys.i18n import pick
from surveys.models import Survey

from .dashboard import language, status_label
from .models import Publication, Report
from .publication import snapshot
from .publication.page import public_page
from .publication.selectors import (
    publication_events,
    publication_live,
    publication_live_stamp,
    publication_of,
    publications_live,
)
from .publication.services import (
    PublicationRefused,
    ReportOutOfDate,
    publication_check,
    publication_ngo_changes,
    publication_publish,
    publication_report_check,
    publication_withdraw,
)
from .selectors import report_stored


class PublishForm(forms.Form):
    public_questions = forms.MultipleChoiceField(
        required=False,
        label=gettext_lazy("Questions whose answers are shown State by State"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” cannot be shown State by State: tick only questions from this list."
            )
        },
    )
    accept_ngo_changes = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "I have checked these questions: no single NGO's answer can be inferred from the change, so their NGO "
            "figures may be published again."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm that these results may be shown to the public."),
        error_messages={"required": gettext_lazy("Tick the confirmation to publish the results.")},
    )

    def __init__(
        self, *args: Any, questions: list[tuple[str, str]], ngo_changes: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ngo_changes = list(ngo_changes)
        field = self.fields["public_questions"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = questions

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.ngo_changes and not cleaned.get("accept_ngo_changes"):
            self.add_error(
                "accept_ngo_changes",
                _("Tick this to publish again although the NGO figures of these questions changed by 1 or 2."),
            )
        return cleaned


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm that the public page of these results is to be withdrawn."),
        error_messages={"required": gettext_lazy("Tick the confirmation to withdraw the results.")},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def publication_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the report, what is published and the form. POST: publish (or publish again), then back here."""
    survey = get_object_or_404(Survey, slug=slug)
    report, questions, publication = _round_state(survey)
    form = _publish_form(request.POST or None, questions, publication, report)
    if request.method == "POST" and form.is_valid():
        try:
            publication_publish(
                survey=survey,
                user=request.user,
                public_questions=form.cleaned_data["public_questions"],
                ngo_changes_accepted=form.cleaned_data["accept_ngo_changes"],
            )
        except PublicationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The results are published."))
            return redirect("reports:publication-manage", slug=survey.slug)
    return _manage_page(request, survey, form, WithdrawForm(), report, questions, publication)


@staff_required
@require_POST
def publication_withdraw_view(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            publication_withdraw(survey=survey, user=request.user)
        except PublicationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The results are withdrawn from the public pages."))
            return redirect("reports:publication-manage", slug=survey.slug)
    report, questions, publication = _round_state(survey)
    return _manage_page(
        request, survey, _publish_form(None, questions, publication, report), form, report, questions, publication
    )


def _round_state(survey: Survey) -> tuple[Report | None, list[Any], Publication | None]:
    """The round's final report, the questions it may show by State, and its publication (if any)."""
    report = report_stored(survey=survey, include_in_progress=False)
    questions = snapshot.publishable_by_state(report.data.get("questions", [])) if report else []
    return report, questions, publication_of(survey=survey)


def _publish_form(
    data: Any, questions: list[Any], publication: Publication | None, report: Report | None
) -> PublishForm:
    return PublishForm(
        data,
        initial={"public_questions": publication.public_questions if publication else []},
        questions=[(q["code"], f"{q['code']} {pick(q.get('text'))}") for q in questions],
        ngo_changes=publication_ngo_changes(report=report, publication=publication),
    )


def _manage_page(
    request: HttpRequest,
    survey: Survey,
    form: PublishForm,
    withdraw_form: WithdrawForm,
    report: Report | None,
    questions: list[Any],
    publication: Publication | None,
) -> HttpResponse:
    refusal, out_of_date = "", False
    try:
        publication_check(survey=survey)
        if report is not None:
            publication_report_check(survey=survey, report=report)
    except ReportOutOfDate as exc:
        refusal, out_of_date = str(exc), True
    except PublicationRefused as exc:
        refusal = str(exc)
    statuses = report.data.get("basis", {}).get("statuses", []) if report else []
    texts = {q["code"]: pick(q.get("text")) for q in report.data.get("questions", [])} if report else {}
    return render(
        request,
        "reports/publication/manage.html",
        {
            "survey": survey,
            "report": report,
            "counted": [status_label(s) for s in statuses],
            "form": form,
            "withdraw_form": withdraw_form,
            "publication": publication,
            "events": publication_events(publication=publication),
            "refusal": refusal,
            "out_of_date": out_of_date,
            "question_count": len(questions),
            "ngo_changes": [{"code": code, "text": texts.get(code, "")} for code in form.ngo_changes],
            "min_ngo_answers": snapshot.MIN_NGO_ANSWERS,
            "rebuilt_since": bool(publication and report and report.built_at > publication.report_built_at),
        },
    )


@require_safe
def public_results(request: HttpRequest) -> HttpResponse:
    """The rounds whose results are published, for anyone."""
    rounds = [
        {
            "slug": p["survey__slug"],
            "title": pick(p["survey__title"]),
            "start": p["survey__reference_start"],
            "end": p["survey__reference_end"],
            "published_at": p["published_at"],
        }
        for p in publications_live()
    ]
    return render(request, "reports/public/index.html", {"rounds": rounds})


def _etag(request: HttpRequest, slug: str) -> str | None:
    """The page changes only when the publication does (published again, or its snapshot corrected), or with the
    reader's language or login."""
    stamp = publication_live_stamp(slug=slug)
    if stamp is None:
        return None
    pk, changed_at = stamp
    user = getattr(request, "user", None)
    who = user.pk if user is not None and user.is_authenticated else 0
    return f"{pk}-{changed_at.timestamp()}-{language()}-{who}"


@require_safe
@condition(etag_func=_etag)
def public_round(request: HttpRequest, slug: str) -> HttpResponse:
    """One round's published results, from the snapshot taken when it was published."""
    publication = publication_live(slug=slug)
    if publication is None:
        raise Http404("No published results for this round")
    page = public_page(publication.data, language())
    return render(request, "reports/public/round.html", {"publication": publication, "page": page, "slug": slug})
