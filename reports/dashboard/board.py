"""The round overview's live status board: every State the round asks with its response status, coordinators and
reminders, and the totals per kind and status. Takes its rows from `reports.selectors.status_board_data`; no queries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation, organisation_name_in
from oscethb.url_format import url_format
from responses.models import Response
from responses.reminders import manual_reminder_blocker
from responses.round_status import KindStanding
from surveys.i18n import name_sort_key

from ..selectors import StatusBoardData, region_names, regions
from .common import STATUSES, kind_label, status_label

# The colour of each status's badge in the table (Bootstrap's text-bg-*); any other status: "light".
STATUS_BADGES = {
    "accepted": "success",
    "submitted": "primary",
    "resubmitted": "primary",
    "returned": "danger",
    "in_progress": "info",
}


@dataclass
class StatusBoard:
    rows: list[dict[str, Any]]
    states_by_status: list[dict[str, Any]]
    ngos_by_status: list[dict[str, Any]]
    states_total: int
    ngos_total: int
    chart: dict[str, Any]
    # Per kind the round asks (States, Partners when its data has any, NGOs), as the staff home counts them.
    kinds: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)  # per status: its label and a count per kind
    # Everything the chart and the totals show but their labels: what keeps their HTML ({% kept %}, round.html).
    totals_key: tuple[Any, ...] = ()


def status_board_page(data: StatusBoardData, *, status: str = "", region: str = "") -> StatusBoard:
    """Every participating State the round asks with its live response status, coordinators and reminders, and the
    totals per kind and status as `responses.round_status` counts them."""
    survey, states, responses = data.survey, data.states, data.responses
    coordinators, deadlines, standing = data.coordinators, data.deadlines, data.standing
    today = timezone.localdate()
    language = get_language() or ""
    names_of_regions = region_names(language)
    regions_of_state = _regions_by_state()
    labels = {s: status_label(s) for s in STATUSES}
    # One reverse per link kind, not one per row (57 rows, 3 links each).
    country_url = url_format("reports:dashboard-country", survey.slug)
    response_url = url_format("responses:response-home", survey.slug)
    reminder_url = url_format("responses:reminder-send", survey.slug)
    not_started = (Response.Status.NOT_STARTED.value, None, 0)

    rows = []
    for org in states:
        pk, code = org.id, org.code
        state, last_activity, reminders = responses.get(pk, not_started)
        member_of = regions_of_state.get(code, ())
        its_coordinators = coordinators.get(pk, ())
        blocker = manual_reminder_blocker(
            survey=survey,
            kind=org.kind,
            status=state,
            has_coordinator=bool(its_coordinators),
            deadline=deadlines[pk],
            today=today,
        )
        rows.append(
            {
                "code": code,
                "name": organisation_name_in(org.names, org.name, language),  # display_name, its language read once
                "status": state,
                "status_label": labels.get(state) or status_label(state),
                "badge": STATUS_BADGES.get(state, "light"),
                "last_activity": last_activity,
                "coordinators": list(its_coordinators),
                "reminders": reminders,
                "country_url": country_url(code),
                "response_url": response_url(code),
                # Offered only where a reminder can go (the rule the action enforces).
                "reminder_url": None if blocker else reminder_url(code),
                "regions": [names_of_regions[c] for c in member_of],
                "region_codes": member_of,
            }
        )
    state_kind = standing.kind(Organisation.Kind.STATE)
    ngo_kind = standing.kind(Organisation.Kind.NGO)

    def by_status(kind: KindStanding | None) -> list[dict[str, Any]]:
        return [{"status": s, "label": labels[s], "count": kind.by_status.get(s, 0) if kind else 0} for s in STATUSES]

    shown = [
        row for row in rows if (not status or row["status"] == status) and (not region or region in row["region_codes"])
    ]
    chart = {
        "type": "bar",
        "codes": STATUSES,
        "labels": [labels[s] for s in STATUSES],
        "datasets": [
            {"kind": k.kind, "label": kind_label(k.kind), "data": [k.by_status.get(s, 0) for s in STATUSES]}
            for k in standing.kinds
        ],
    }
    return StatusBoard(
        rows=sorted(shown, key=lambda row: name_sort_key(row["name"])),  # alphabetical in the reader's language
        states_by_status=by_status(state_kind),
        ngos_by_status=by_status(ngo_kind),
        states_total=state_kind.asked if state_kind else 0,
        ngos_total=ngo_kind.asked if ngo_kind else 0,
        chart=chart,
        kinds=[{"kind": k.kind, "label": kind_label(k.kind), "asked": k.asked} for k in standing.kinds],
        totals=[
            {
                "status": s,
                "label": labels[s],
                "counts": [{"kind": k.kind, "count": k.by_status.get(s, 0)} for k in standing.kinds],
            }
            for s in STATUSES
        ],
        totals_key=tuple((k.kind, k.asked, tuple(k.by_status.get(s, 0) for s in STATUSES)) for k in standing.kinds),
    )


@functools.cache
def _regions_by_state() -> dict[str, tuple[str, ...]]:
    """State code -> the codes of the regions it belongs to, in the file's order."""
    found: dict[str, list[str]] = {}
    for code, r in regions().items():
        for state in r["states"]:
            found.setdefault(state, []).append(code)
    return {state: tuple(codes) for state, codes in found.items()}


def region_choices() -> list[tuple[str, str]]:
    return list(region_names(get_language()).items())


def regions_of(code: str) -> list[str]:
    """The names of the regions a State belongs to, in the active language."""
    names = region_names(get_language())
    return [names[region] for region in _regions_by_state().get(code, ())]
