"""Office staff extend one organisation's deadline from its response home: POST rounds/<slug>/respond/<org>/extend/.

A refused extension shows the response home again (400) with the panel open, the values typed and the message next
to the field it is about."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import response_access
from ..deadlines import DeadlineError, deadline_extend, long_date
from ..forms_deadlines import DeadlineExtensionForm
from .answering import response_home_page


@login_required
@require_POST
def extend(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    if not access.may_review:
        raise Http404("No such page")
    home = reverse("responses:response-home", args=[slug, org_code])
    form = DeadlineExtensionForm(request.POST)
    if form.is_valid():
        try:
            extension = deadline_extend(
                survey=access.survey,
                organisation=access.organisation,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except DeadlineError as exc:
            if exc.field not in form.fields:
                # About the round (closed, no closing date), not the values typed: the page has no panel to show
                # it in, so it is said at the top.
                messages.error(request, str(exc))
                return HttpResponseRedirect(home)
            form.add_error(exc.field, str(exc))
        else:
            messages.success(
                request,
                _("%(organisation)s may answer until the end of %(date)s.")
                % {"organisation": access.organisation.display_name, "date": long_date(extension.until)},
            )
            return HttpResponseRedirect(home + "#extend-deadline")
    if not (access.round_open and access.survey.closes_on):
        messages.error(request, _("The round is not open or has no closing date: there is no deadline to extend."))
        return HttpResponseRedirect(home)
    # Refused: the round home again, its deadline panel open with the values typed and each message by its field.
    return response_home_page(request, access, extend_form=form, status=400)
