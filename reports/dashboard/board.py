"""The round overview's live status board: every State the round asks with its response status, coordinators and
reminders, and the totals per kind and status. Takes its rows from `reports.selectors.status_board_data`; no queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from oscethb.url_format import url_format
from responses.models import Response
from responses.reminders import manual_reminder_refusal
from responses.round_status import KindStanding
from surveys.i18n import name_sort_key, pick

from ..selectors import StatusBoardData, regions
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


def status_board_page(data: StatusBoardData, *, status: str = "", region: str = "") -> StatusBoard:
    """Every participating State the round asks with its live response status, coordinators and reminders, and the
    totals per kind and status as `responses.round_status` counts them."""
    survey, states, responses = data.survey, data.states, data.responses
    coordinators, deadlines, standing = data.coordinators, data.deadlines, data.standing
    today = timezone.localdate()
    region_map = regions()
    region_names = {code: pick(r["names"]) for code, r in region_map.items()}
    labels = {s: status_label(s) for s in STATUSES}
    # One reverse per link kind, not one per row (57 rows, 3 links each).
    country_url = url_format("reports:dashboard-country", survey.slug)
    response_url = url_format("responses:response-home", survey.slug)
    reminder_url = url_format("responses:reminder-send", survey.slug)

    rows = []
    for org in states:
        state, last_activity, reminders = responses.get(org.pk, (Response.Status.NOT_STARTED.value, None, 0))
        member_of = [code for code, r in region_map.items() if org.code in r["states"]]
        refusal = manual_reminder_refusal(
            survey=survey,
            organisation=org,
            status=state,
            has_coordinator=bool(coordinators.get(org.pk)),
            deadline=deadlines[org.pk],
            today=today,
        )
        rows.append(
            {
                "code": org.code,
                "name": org.display_name,
                "status": state,
                "status_label": labels.get(state) or status_label(state),
                "badge": STATUS_BADGES.get(state, "light"),
                "last_activity": last_activity,
                "coordinators": list(coordinators.get(org.pk, ())),
                "reminders": reminders,
                "country_url": country_url(org.code),
                "response_url": response_url(org.code),
                # Offered only where a reminder can go (the rule the action enforces).
                "reminder_url": None if refusal else reminder_url(org.code),
                "regions": [region_names[code] for code in member_of],
                "region_codes": member_of,
            }
        )
    state_kind = standing.kind(Organisation.Kind.STATE)
    ngo_kind = standing.kind(Organisation.Kind.NGO)

    def by_status(kind: KindStanding | None) -> list[dict[str, Any]]:
        return [
            {"status": s, "label": status_label(s), "count": kind.by_status.get(s, 0) if kind else 0} for s in STATUSES
        ]

    shown = [
        row for row in rows if (not status or row["status"] == status) and (not region or region in row["region_codes"])
    ]
    chart = {
        "type": "bar",
        "codes": STATUSES,
        "labels": [status_label(s) for s in STATUSES],
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
                "label": status_label(s),
                "counts": [{"kind": k.kind, "count": k.by_status.get(s, 0)} for k in standing.kinds],
            }
            for s in STATUSES
        ],
    )


def region_choices() -> list[tuple[str, str]]:
    return [(code, pick(r["names"])) for code, r in regions().items()]


def regions_of(code: str) -> list[str]:
    """The names of the regions a State belongs to, in the active language."""
    return [pick(r["names"]) for r in regions().values() if code in r["states"]]
