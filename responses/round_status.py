"""Who a round asks and where their responses stand: the one definition behind the staff home's counts, the status
board's totals and the responses list, so that the three always agree.

A round asks, per kind of organisation:
- every participating State, when it asks States (`Survey.asks`);
- the Partners for Co-operation that have a response in the round (they answer the State questionnaire, but are
  rarely invited: a Partner counts once it has opened the round or been reminded), when it asks States;
- every registered NGO, when it asks NGOs.

An organisation the round asks with no response row has not opened the questionnaire: it counts as "Not started",
like a response row in that status. The reports count the same organisations (`reports.selectors.respondents_frame`).

Everything here reads a fixed number of queries, however many rounds, organisations or responses there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation
from oscethb.prepared import PreparedQuery
from surveys.i18n import name_sort_key
from surveys.models import Survey

from .models import Response

NOT_STARTED = Response.Status.NOT_STARTED.value
STATUSES = [value for value, _label in Response.Status.choices]
KINDS = (Organisation.Kind.STATE.value, Organisation.Kind.PARTNER.value, Organisation.Kind.NGO.value)


@dataclass
class KindStanding:
    """One kind of organisation in one round: how many are asked, and how many are in each response status."""

    kind: str
    asked: int
    by_status: dict[str, int]

    @property
    def label(self) -> str:
        return str(Organisation.Kind(self.kind).label)


@dataclass
class RoundStanding:
    """Where a round's responses stand, per kind (States, Partners when there are any, NGOs) and in total."""

    survey: Survey
    kinds: list[KindStanding] = field(default_factory=list)

    @property
    def asked(self) -> int:
        return sum(k.asked for k in self.kinds)

    def count(self, status: str) -> int:
        return sum(k.by_status.get(status, 0) for k in self.kinds)

    def kind(self, kind: str) -> KindStanding | None:
        return next((k for k in self.kinds if k.kind == kind), None)

    @property
    def totals(self) -> list[tuple[str, str, int]]:
        """(status, label, organisations in it) for every status, Not started first."""
        return [(status, str(label), self.count(status)) for status, label in Response.Status.choices]


def _registered() -> QuerySet[Organisation, tuple[str, int]]:
    """How many States and NGOs are registered: (kind, count) rows."""
    return (
        Organisation.objects.filter(kind__in=[Organisation.Kind.STATE, Organisation.Kind.NGO])
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
        .order_by()
    )


def _response_counts(**where: object) -> QuerySet[Response, tuple[int, str, str, int]]:
    """(survey id, kind, status, count) rows of the responses of the rounds `where` selects."""
    return (
        Response.objects.filter(**where)
        .values("survey_id", "organisation__kind", "status")
        .annotate(n=Count("id"))
        .values_list("survey_id", "organisation__kind", "status", "n")
        .order_by()
    )


# The status board reads one round's standing on every request: its two reads compiled once (oscethb/prepared.py).
REGISTERED = PreparedQuery(_registered)
RESPONSE_COUNTS = PreparedQuery(lambda survey_id: _response_counts(survey_id=survey_id), survey_id=int)


def round_standings(*, surveys: Sequence[Survey]) -> dict[int, RoundStanding]:
    """survey id -> its standing, for many rounds in two queries."""
    surveys = list(surveys)
    return _standings(surveys, list(_registered()), list(_response_counts(survey__in=surveys)))


def _standings(
    surveys: Sequence[Survey], registered_rows: Sequence[tuple], response_rows: Sequence[tuple]
) -> dict[int, RoundStanding]:
    registered = dict(registered_rows)
    found: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for survey_id, kind, status, n in response_rows:
        found[survey_id][kind][status] = n
    result = {}
    for survey in surveys:
        standing = RoundStanding(survey)
        for kind in KINDS:
            if not survey.asks(kind):
                continue
            counted = dict(found[survey.pk][kind])
            if kind == Organisation.Kind.PARTNER:
                asked = sum(counted.values())
                if not asked:
                    continue  # no Partner in this round's data: not shown at all
            else:
                asked = registered.get(kind, 0)
            opened = sum(n for status, n in counted.items() if status != NOT_STARTED)
            by_status = {status: counted.get(status, 0) for status in STATUSES}
            by_status[NOT_STARTED] = max(asked - opened, 0)
            standing.kinds.append(KindStanding(kind, asked, by_status))
        result[survey.pk] = standing
    return result


def round_standing(*, survey: Survey) -> RoundStanding:
    """One round's standing: `round_standings` of that round, with its two reads prepared."""
    return _standings([survey], REGISTERED.rows(), RESPONSE_COUNTS.rows(survey_id=survey.pk))[survey.pk]


def asked_organisations(*, survey: Survey) -> QuerySet[Organisation]:
    """Every organisation the round asks (see the module's docstring), States first, then Partners, then NGOs."""
    condition = Q(pk__in=[])
    if survey.asks(Organisation.Kind.STATE):
        condition |= Q(kind=Organisation.Kind.STATE)
        condition |= Q(kind=Organisation.Kind.PARTNER, responses__survey=survey)
    if survey.asks(Organisation.Kind.NGO):
        condition |= Q(kind=Organisation.Kind.NGO)
    return Organisation.objects.filter(condition).distinct()


def round_responses(*, survey: Survey, status: str = "") -> list[Response]:
    """One row per organisation the round asks, with its response, in one status or all; an organisation that never
    opened the questionnaire gets an unsaved response "Not started" (two queries)."""
    responses = {
        r.organisation_id: r
        for r in Response.objects.filter(survey=survey, organisation__in=asked_organisations(survey=survey))
        .filter(**({"status": status} if status else {}))
        .select_related("organisation", "organisation__country")
    }
    if status and status != NOT_STARTED:
        rows = list(responses.values())
    else:
        organisations = asked_organisations(survey=survey).select_related("country")
        if status == NOT_STARTED:
            opened = Response.objects.filter(survey=survey).exclude(status=NOT_STARTED).values("organisation_id")
            organisations = organisations.exclude(pk__in=opened)
        rows = [
            responses.get(org.pk) or Response(survey=survey, organisation=org, status=NOT_STARTED)
            for org in organisations
        ]
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (order.get(r.organisation.kind, 9), name_sort_key(r.organisation.display_name)))
