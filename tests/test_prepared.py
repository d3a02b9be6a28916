"""Prepared reads (oscethb/prepared.py) give what the querysets they stand for give: the same SQL for the same values,
the same rows with the same related objects and annotations, from any thread; and they refuse what they cannot
stand for."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError

from accounts.access import MEMBERSHIPS_OF
from accounts.models import Organisation, Role
from oscethb.prepared import PreparedQuery
from reports.selectors import LATEST_RUN, REPORT_STAMP, STATES_WITH_RESPONSE
from responses.access import ORGANISATION_FOR_MEMBER, ORGANISATION_FOR_VISITOR, SURVEY_BY_SLUG
from responses.models import DeadlineExtension, Response
from responses.notifications import COORDINATORS_OF_KIND
from responses.round_status import REGISTERED, RESPONSE_COUNTS
from responses.services import RESPONSE_LOCK
from surveys.models import Survey
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db


def described(org: Organisation | None) -> tuple[Any, ...] | None:
    """What the response pages read of the organisation the access check gives."""
    if org is None:
        return None
    response = getattr(org, "response_here", None)
    membership = getattr(org, "membership_here", None)
    return (
        org.pk,
        org.code,
        org.name,
        org.country.code if org.country_id else None,
        org.extended_until,  # type: ignore[attr-defined]
        (response.pk, response.status, response.survey_id) if response is not None else None,
        (membership.pk, membership.role, membership.user_id) if membership is not None else None,
    )


@pytest.fixture
def world() -> Scenario:
    s = Scenario().round("thb-2016").state("AT", coordinator="coord@at.example.org").state("DE")
    s.ngo("NGO-AT-1", coordinator="ngo@example.org")
    s.response("AT")
    DeadlineExtension.objects.create(survey=s.survey, organisation=s.orgs["AT"], until=dt.date(2030, 1, 1), reason="a")
    DeadlineExtension.objects.create(survey=s.survey, organisation=s.orgs["AT"], until=dt.date(2030, 2, 1), reason="b")
    return s


@pytest.mark.parametrize(
    ("code", "email"),
    [
        ("AT", "coord@at.example.org"),  # a member, with a response and two extensions (the latest counts)
        ("AT", "ngo@example.org"),  # not a member of it
        ("DE", "coord@at.example.org"),  # no response yet, no extension
        ("NGO-AT-1", "ngo@example.org"),  # an NGO, its country
        ("XX", "ngo@example.org"),  # no such organisation
    ],
)
def test_the_access_read_gives_what_its_queryset_gives(world: Scenario, code: str, email: str) -> None:
    values = {"code": code, "survey_id": world.survey.pk, "user_id": world.person(email).pk}
    prepared = ORGANISATION_FOR_MEMBER.first(**values)
    reference = ORGANISATION_FOR_MEMBER.queryset(**values).first()
    assert described(prepared) == described(reference)
    assert ORGANISATION_FOR_MEMBER.sql(**values) == ORGANISATION_FOR_MEMBER.queryset(**values).query.sql_with_params()
    visitor = {"code": code, "survey_id": world.survey.pk}
    assert described(ORGANISATION_FOR_VISITOR.first(**visitor)) == described(
        ORGANISATION_FOR_VISITOR.queryset(**visitor).first()
    )
    if code == "AT":
        assert prepared is not None
        assert prepared.extended_until == dt.date(2030, 2, 1)
        member = email == "coord@at.example.org"
        assert (getattr(prepared, "membership_here", None) is not None) is member
        if member:
            assert prepared.membership_here.role == Role.COORDINATOR  # type: ignore[attr-defined]


def test_values_change_between_runs_and_never_stick(world: Scenario) -> None:
    """One compiled query, many values: each run gives its own organisation and round."""
    other = Scenario().round("thb-2021").survey
    for survey in (world.survey, other, world.survey):
        assert SURVEY_BY_SLUG.first(slug=survey.slug) == survey
        for code in ("AT", "DE", "AT"):
            org = ORGANISATION_FOR_VISITOR.first(code=code, survey_id=survey.pk)
            assert org is not None
            assert org.code == code
            response = getattr(org, "response_here", None)
            assert (response is not None) is (code == "AT" and survey == world.survey)
    assert SURVEY_BY_SLUG.first(slug="no-such-round") is None


@pytest.mark.django_db(transaction=True)
def test_a_prepared_read_runs_on_the_thread_s_own_connection() -> None:
    """Compiled in one thread, run in another: each uses its own database connection (web servers run threads)."""
    survey = Scenario().round("thb-2016").survey
    assert SURVEY_BY_SLUG.first(slug=survey.slug) == survey
    mine = connections["default"]
    seen: list[Any] = []

    def other_thread() -> None:
        try:
            found = SURVEY_BY_SLUG.first(slug=survey.slug)
            # The columns' converters are kept per thread's connection: the JSON comes back decoded here too.
            seen.append((found, found.title if found else None, connections["default"] is mine))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [(survey, survey.title, False)]
    assert isinstance(survey.title, dict)


def test_the_round_without_its_texts_is_the_round_and_reads_a_text_only_when_asked(world: Scenario) -> None:
    """The autosave's read of the round: every other column as stored; a text, if ever read, costs one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.models import Survey
    from surveys.selectors import SURVEY_BY_SLUG_WITHOUT_TEXTS, SURVEY_TEXTS

    survey = Survey.objects.get(pk=world.survey.pk)
    lean = SURVEY_BY_SLUG_WITHOUT_TEXTS.first(slug=survey.slug)
    assert lean == survey
    assert lean.get_deferred_fields() == set(SURVEY_TEXTS)
    for field in Survey._meta.concrete_fields:
        if field.attname not in SURVEY_TEXTS:
            assert getattr(lean, field.attname) == getattr(survey, field.attname), field.attname
    with CaptureQueriesContext(connection) as queries:
        assert lean.title == survey.title
    assert len(queries) == 1
    assert SURVEY_BY_SLUG_WITHOUT_TEXTS.first(slug="no-such-round") is None


def test_a_value_of_another_type_is_refused(world: Scenario) -> None:
    with pytest.raises(TypeError, match="survey_id"):
        ORGANISATION_FOR_VISITOR.first(code="AT", survey_id=str(world.survey.pk))
    with pytest.raises(TypeError, match="survey_id"):
        ORGANISATION_FOR_VISITOR.first(code="AT", survey_id=None)  # would compare as = NULL
    with pytest.raises(TypeError, match="expected the values"):
        ORGANISATION_FOR_VISITOR.first(code="AT")


@pytest.mark.parametrize(
    "build",
    [
        lambda part: Survey.objects.filter(slug__contains=part),  # wrapped in %...%
        lambda part: Organisation.objects.filter(Q(code=part) | Q(name__icontains=part)),  # a parameter, and wrapped
        lambda part: Survey.objects.filter(slug=part.strip()),  # changed by the build itself
    ],
    ids=["contains", "exact-or-icontains", "stripped"],
)
def test_a_value_that_is_not_a_parameter_of_its_own_cannot_be_prepared(world: Scenario, build: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="not each a parameter of its own"):
        PreparedQuery(build, part=str).run(part="2016")


def test_a_case_insensitive_match_is_right_or_refused(world: Scenario) -> None:
    """PostgreSQL compares UPPER(slug) with the value as given: preparable. SQLite writes LIKE with "_" and "%"
    escaped in the value: refused, else "thb_2016" would match the round thb-2016 ("_" matching any character)."""
    prepared = PreparedQuery(lambda slug: Survey.objects.filter(slug__iexact=slug), slug=str)
    for value in ("THB-2016", "thb_2016"):
        try:
            found = prepared.run(slug=value)
        except ImproperlyConfigured:
            assert connection.vendor == "sqlite"
            continue
        assert found == list(prepared.queryset(slug=value))
        assert [s.slug for s in found] == (["thb-2016"] if value == "THB-2016" else [])


def test_types_and_ranges(world: Scenario) -> None:
    with pytest.raises(ImproperlyConfigured, match="only int and str"):
        PreparedQuery(lambda day: Survey.objects.filter(closes_on=day), day=dt.date)
    # A positive integer column: the markers fit it (a negative one made the ORM give up on the whole query).
    response = world.response("AT")
    by_version = PreparedQuery(lambda v: Response.objects.filter(pk__gte=v).order_by("pk"), v=int)
    assert response in by_version.run(v=1)


def test_a_lock_outside_a_transaction_is_refused_as_the_orm_refuses_it(world: Scenario) -> None:
    response = world.response("AT")
    with transaction.atomic():
        assert RESPONSE_LOCK.rows(response_id=response.pk)  # compiled here
    if connection.get_autocommit():  # pytest-django's plain tests run inside a transaction
        with pytest.raises(TransactionManagementError):
            RESPONSE_LOCK.rows(response_id=response.pk)


def test_the_navigation_reads_the_person_s_memberships(world: Scenario) -> None:
    person = world.person("coord@at.example.org")
    world.member("DE", Role.VIEWER, "coord@at.example.org")
    prepared = {(m.organisation.code, m.role) for m in MEMBERSHIPS_OF.run(user_id=person.pk)}
    assert prepared == {(m.organisation.code, m.role) for m in MEMBERSHIPS_OF.queryset(user_id=person.pk)}
    assert prepared == {("AT", Role.COORDINATOR), ("DE", Role.VIEWER)}
    assert MEMBERSHIPS_OF.run(user_id=world.person("nobody@example.org").pk) == []


def test_the_save_lock_reads_what_the_save_decides_by_and_refreshes_the_response_in_place(world: Scenario) -> None:
    """Under the lock, the save reads the response's status, kept progress and last activity and the round's structure
    version and closing date as they are now (another request may have changed them), into the caller's instance."""
    from responses.services import response_lock

    response = world.response("AT")
    survey = response.survey
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED, progress={"version": 7})
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=dt.date(2031, 5, 6), structure_version=F("structure_version") + 1
    )
    stale = Response.objects.select_related("survey").get(pk=response.pk)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.RETURNED, progress={"version": 8})
    Survey.objects.filter(pk=survey.pk).update(
        closes_on=dt.date(2032, 1, 2), structure_version=F("structure_version") + 1
    )
    with transaction.atomic():
        rows = RESPONSE_LOCK.rows(response_id=response.pk)
        sql, params = RESPONSE_LOCK.sql(response_id=response.pk)
        version = response_lock(stale)
    fresh = Response.objects.select_related("survey").get(pk=response.pk)
    assert rows == [
        (fresh.status, fresh.progress, fresh.last_activity_at, fresh.survey.structure_version, fresh.survey.closes_on)
    ]
    assert version == fresh.survey.structure_version != stale.survey.structure_version  # the caller compares
    assert (stale.status, stale.progress, stale.survey.closes_on) == ("returned", {"version": 8}, dt.date(2032, 1, 2))
    stale.pk = 10**9
    with transaction.atomic(), pytest.raises(Response.DoesNotExist):
        response_lock(stale)
    with transaction.atomic():
        orm_sql, orm_params = RESPONSE_LOCK.queryset(response_id=response.pk).query.sql_with_params()
    assert params == orm_params
    if connection.vendor == "postgresql":
        # The row lock as the ORM writes it, and the round's row share-locked (what the ORM cannot write).
        assert orm_sql.endswith('FOR UPDATE OF "responses_response"')
        assert sql == orm_sql + ' FOR KEY SHARE OF "surveys_survey"'
    else:
        assert sql == orm_sql


def test_fields_save_writes_the_row_save_writes(world: Scenario) -> None:
    """The autosave's write of its response's progress, activity and status: the same stored row as
    `save(update_fields=...)`, the auto_now time taken, the other fields untouched, on SQLite and PostgreSQL."""
    from django.db import DatabaseError
    from django.utils import timezone

    from oscethb.prepared import fields_save

    one = world.response("AT")
    other = Response.objects.create(survey=world.survey, organisation=world.orgs["DE"])
    fields = ["last_activity_at", "updated_at", "progress", "status"]
    now = timezone.now()
    progress = {"version": 3, "sections": {"PRV.NAT": [2, ["PRV.NAT.01"]]}, "text": 'quote " and ü'}
    before = timezone.now()
    for row, write in ((one, fields_save), (other, None)):
        row.last_activity_at, row.progress, row.status = now, progress, Response.Status.IN_PROGRESS
        row.staff_comment = "not written"  # not among the fields: stays as stored
        if write is None:
            row.save(update_fields=fields)
        else:
            write(row, fields)
    stored = {
        r.pk: (r.last_activity_at, r.progress, r.status, r.staff_comment)
        for r in Response.objects.filter(pk__in=[one.pk, other.pk])
    }
    assert stored[one.pk] == stored[other.pk] == (now, progress, "in_progress", "")
    assert Response.objects.get(pk=one.pk).updated_at >= before
    one.pk = 10**9
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        fields_save(one, fields)


def test_fields_save_skips_no_receiver(world: Scenario) -> None:
    """Were a receiver ever added for the model, fields_save saves through `save` so that it still hears of it."""
    from django.db.models.signals import post_save

    from oscethb.prepared import fields_save, fields_update

    heard: list[Any] = []

    def receiver(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        heard.append((instance.pk, sorted(update_fields or [])))

    response = world.response("AT")
    post_save.connect(receiver, sender=Response, dispatch_uid="test-fields-save")
    try:
        response.status = Response.Status.IN_PROGRESS
        # Nothing to send inside another statement (the autosave's one-statement write): the caller saves it.
        assert fields_update(response, ["status", "updated_at"]) is None
        fields_save(response, ["status", "updated_at"])
    finally:
        post_save.disconnect(dispatch_uid="test-fields-save", sender=Response)
    assert heard == [(response.pk, ["status", "updated_at"])]
    assert Response.objects.get(pk=response.pk).status == "in_progress"


# --- rows(): prepared reads of values_list querysets (the status board's) -----------------------------------------


def test_the_status_board_reads_give_the_rows_their_querysets_give(world: Scenario) -> None:
    from reports.models import Report, ReportRun
    from responses.models import Reminder

    survey = world.survey
    world.state("FR", coordinator=["b@fr.example.org", "a@fr.example.org"])
    at = Response.objects.get(survey=survey, organisation=world.orgs["AT"])
    Reminder.objects.create(response=at, days_before=-1)
    Reminder.objects.create(response=at, days_before=7)
    Report.objects.create(
        survey=survey, include_in_progress=True, data={}, built_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    Report.objects.create(
        survey=survey, include_in_progress=False, data={}, built_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    ReportRun.objects.create(survey=survey)
    reads = [
        (STATES_WITH_RESPONSE, {"survey_id": survey.pk}),
        (REGISTERED, {}),
        (RESPONSE_COUNTS, {"survey_id": survey.pk}),
        (COORDINATORS_OF_KIND, {"kind": "state"}),
        (COORDINATORS_OF_KIND, {"kind": "ngo"}),
        (REPORT_STAMP[False], {"survey_id": survey.pk}),
        (REPORT_STAMP[True], {"survey_id": survey.pk}),
    ]
    for read, values in reads:
        expected = list(read.queryset(**values))
        assert expected, read  # each read finds something here: the comparison means something
        assert sorted(read.rows(**values), key=repr) == sorted(expected, key=repr)
    at_row = next(row for row in STATES_WITH_RESPONSE.rows(survey_id=survey.pk) if row[2] == "AT")
    assert at_row[5:] == (at.status, at.last_activity_at, 2)  # its response and its two reminders
    assert LATEST_RUN[False].first(survey_id=survey.pk) == ReportRun.objects.get(survey=survey)
    assert LATEST_RUN[True].first(survey_id=survey.pk) is None  # no provisional build


def test_a_values_list_naming_an_annotation_before_a_field_cannot_be_prepared(world: Scenario) -> None:
    from django.db.models import Count

    read = PreparedQuery(
        lambda kind: Organisation.objects.filter(kind=kind).annotate(n=Count("memberships")).values_list("n", "code"),
        kind=str,
    )
    with pytest.raises(ImproperlyConfigured, match="name the fields before the annotations"):
        read.rows(kind="state")
