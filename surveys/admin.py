from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .definitions import DefinitionError
from .forms import CloneSurveyForm
from .models import Area, Option, OptionSet, Question, Section, Survey
from .services import survey_clone, survey_set_status


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_text", "status", "reference_start", "reference_end", "opens_on", "closes_on"]
    list_filter = ["status"]
    search_fields = ["slug", "title"]
    actions = ["clone_round", "open_rounds", "close_rounds"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.action(description=_("Clone the selected round into a new round"))
    def clone_round(self, request: HttpRequest, queryset: QuerySet[Survey]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one round to clone."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:surveys_survey_clone", args=[queryset.get().pk]))

    @admin.action(description=_("Open the selected rounds"))
    def open_rounds(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        for survey in queryset:
            survey_set_status(survey=survey, status=Survey.Status.OPEN)
        count = queryset.count()
        self.message_user(request, ngettext("Opened %(n)d round.", "Opened %(n)d rounds.", count) % {"n": count})

    @admin.action(description=_("Close the selected rounds"))
    def close_rounds(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        for survey in queryset:
            survey_set_status(survey=survey, status=Survey.Status.CLOSED)
        count = queryset.count()
        self.message_user(request, ngettext("Closed %(n)d round.", "Closed %(n)d rounds.", count) % {"n": count})

    def get_urls(self) -> list[Any]:
        return [
            path("<int:pk>/clone/", self.admin_site.admin_view(self.clone_view), name="surveys_survey_clone"),
            *super().get_urls(),
        ]

    def clone_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        source = get_object_or_404(Survey, pk=pk)
        form = CloneSurveyForm(request.POST or None, initial={"title": source.title.get("en", "")})
        if request.method == "POST" and form.is_valid():
            try:
                clone = survey_clone(
                    source=source, slug=form.cleaned_data["slug"], title={"en": form.cleaned_data["title"]}
                )
            except DefinitionError as exc:
                form.add_error(None, "; ".join(str(p) for p in exc.problems))
            else:
                self.message_user(
                    request, _("Round %(slug)s created from %(source)s.") % {"slug": clone.slug, "source": source.slug}
                )
                return HttpResponseRedirect(reverse("admin:surveys_survey_change", args=[clone.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "source": source,
            "opts": self.model._meta,
            "title": _("Clone round"),
        }
        return render(request, "admin/surveys/survey/clone.html", context)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "title_text", "survey", "position"]
    list_filter = ["survey"]
    search_fields = ["code", "title"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "title_text", "area", "survey", "position"]
    list_filter = ["survey"]
    search_fields = ["code", "title"]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(OptionSet)
class OptionSetAdmin(admin.ModelAdmin):
    list_display = ["code", "survey", "inline"]
    list_filter = ["survey"]
    search_fields = ["code"]
    inlines = [OptionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text_in_language", "type", "audience", "required", "scored", "survey"]
    list_filter = ["survey", "type", "audience", "required", "scored"]
    search_fields = ["code", "text"]
    list_select_related = ["survey"]
    raw_id_fields = ["section", "option_set"]
