"""Office staff extend one organisation's deadline from its response home: POST rounds/<slug>/respond/<org>/extend/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import response_access
from ..deadlines import DeadlineError, deadline_extend, long_date
from ..forms_deadlines import DeadlineExtensionForm


@login_required
@require_POST
def extend(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    if not access.is_staff:
        raise Http404("No such page")
    form = DeadlineExtensionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    else:
        try:
            extension = deadline_extend(
                survey=access.survey,
                organisation=access.organisation,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except DeadlineError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(organisation)s may answer until the end of %(date)s.")
                % {"organisation": access.organisation.name, "date": long_date(extension.until)},
            )
    return HttpResponseRedirect(reverse("response-home", args=[slug, org_code]) + "#deadline")


urlpatterns = [path("rounds/<slug:slug>/respond/<str:org_code>/extend/", extend, name="response-extend")]
