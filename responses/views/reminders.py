"""Office staff send a deadline reminder by hand: POST staff/rounds/<slug>/reminders/<org code>/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import Organisation
from oscethb.access import staff_required
from surveys.models import Survey

from ..reminders import ReminderError, reminder_send_manual


def _back(request: HttpRequest, survey: Survey) -> str:
    """Where the button was (a page of this site), else the round's responses list."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("responses:staff-responses", args=[survey.slug])


@staff_required
def reminder_send(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    survey = get_object_or_404(Survey, slug=slug)
    organisation = get_object_or_404(Organisation, code=org_code)
    try:
        reminder = reminder_send_manual(survey=survey, organisation=organisation, user=request.user)
    except ReminderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Reminder sent to %(organisation)s: %(recipients)s.")
            % {"organisation": organisation.display_name, "recipients": ", ".join(reminder.recipients)},
        )
    return HttpResponseRedirect(_back(request, survey))
