"""Who reads what through the API: staff everything; a coordinator's token only its own organisation's responses
and answers (the access policy's answer, not a rule of the API's own); no token, a wrong, revoked or no longer
allowed token: 401; the report is the Office's."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.api_tokens import api_token_create
from accounts.models import ApiToken, Membership, Role
from responses.models import Response

from .conftest import CONTRIBUTOR_AT, COORDINATOR_AT, COORDINATOR_DE, STAFF, ApiWorld, bearer

LISTS = ["api:rounds", "api:questions", "api:organisations", "api:responses", "api:answers"]


def _all(client: Client, name: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(reverse(name), {"page_size": 1000, **params})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["next"] is None
    return list(body["results"])


def test_staff_token_reads_every_organisations_responses_and_answers(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    responses = _all(client, "api:responses", round="thb-2016")
    assert {r["organisation"] for r in responses} == {"AT", "DE", "ngo-at"}
    assert {r["status"] for r in responses} == {"submitted"}
    answers = _all(client, "api:answers", question="GEN.R.02")
    assert {a["organisation"]: a["value"] for a in answers} == {
        "AT": "ANSWER-OF-AUSTRIA",
        "DE": "ANSWER-OF-GERMANY",
        "ngo-at": "ANSWER-OF-THE-NGO",
    }


def test_coordinator_token_sees_only_its_own_organisation(api_world: ApiWorld) -> None:
    client = bearer(api_world.coordinator_key)
    assert {r["organisation"] for r in _all(client, "api:responses")} == {"AT"}
    answers = _all(client, "api:answers")
    assert answers
    assert {a["organisation"] for a in answers} == {"AT"}
    assert [o["code"] for o in _all(client, "api:organisations")] == ["AT"]
    # Asking for another organisation by name gives nothing, not its data.
    assert _all(client, "api:answers", organisation="DE") == []
    assert _all(client, "api:responses", organisation="ngo-at") == []
    body = client.get(reverse("api:answers"), {"page_size": 1000}).content.decode()
    assert "ANSWER-OF-GERMANY" not in body
    assert "ANSWER-OF-THE-NGO" not in body
    # Rounds and questions are public to respondents (drafts aside).
    assert "thb-2016" in {r["slug"] for r in _all(client, "api:rounds")}
    assert _all(client, "api:questions", round="thb-2016", area="PRV")


def test_the_report_is_the_offices(api_world: ApiWorld) -> None:
    url = reverse("api:round-report", args=[api_world.survey.slug])
    response = bearer(api_world.coordinator_key).get(url)
    assert response.status_code == 404
    assert "ANSWER" not in response.content.decode()
    report = bearer(api_world.staff_key).get(url).json()
    assert report["round"] == "thb-2016"
    assert report["basis"] == "final"
    assert report["response_rates"]["states"]["counted"] == 2
    headline = next(h for h in report["headlines"] if h["question"] == "PRV.SUP.01")
    assert (headline["yes"], headline["in_process"], headline["answered"]) == (1, 1, 2)
    assert headline["sentence"].startswith("1 of 2")


def test_no_provisional_report_is_not_found_with_the_reason(api_world: ApiWorld) -> None:
    url = reverse("api:round-report", args=[api_world.survey.slug])
    response = bearer(api_world.staff_key).get(url, {"basis": "provisional"})
    assert response.status_code == 404
    assert "built" in response.json()["detail"]
    response = bearer(api_world.staff_key).get(url, {"basis": "draft"})
    assert response.status_code == 400
    assert "basis" in response.json()


def test_without_a_token_every_endpoint_answers_401(api_world: ApiWorld) -> None:
    for name in LISTS:
        response = Client().get(reverse(name))
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert Client().get(reverse("api:round-report", args=["thb-2016"])).status_code == 401
    assert Client().get(reverse("api:schema")).status_code == 401


def test_a_wrong_or_malformed_token_answers_401(api_world: ApiWorld) -> None:
    for header in ("Bearer oscethb_not-a-key", "Bearer something-else", "Bearer two words", "Bearer"):
        response = Client(HTTP_AUTHORIZATION=header).get(reverse("api:answers"))
        assert response.status_code == 401, header
        assert "ANSWER-OF" not in response.content.decode()


def test_a_revoked_token_answers_401(api_world: ApiWorld) -> None:
    token, key = api_token_create(user=api_world.person(STAFF), name="to revoke")
    assert bearer(key).get(reverse("api:rounds")).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = bearer(key).get(reverse("api:rounds"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_coordinator_who_is_no_longer_one_loses_the_tokens_use(api_world: ApiWorld) -> None:
    user = api_world.person(COORDINATOR_AT)
    Membership.objects.filter(user=user).update(role=Role.CONTRIBUTOR)
    response = bearer(api_world.coordinator_key).get(reverse("api:responses"))
    assert response.status_code == 401
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert bearer(api_world.coordinator_key).get(reverse("api:responses")).status_code == 401


def test_a_contributors_login_reads_only_its_organisation(api_world: ApiWorld) -> None:
    """The browser's login works too (the documentation page uses it), under the same policy."""
    client = Client()
    client.force_login(api_world.person(CONTRIBUTOR_AT))
    assert {r["organisation"] for r in _all(client, "api:responses")} == {"AT"}


def test_last_use_is_recorded_at_most_once_a_minute(api_world: ApiWorld) -> None:
    token = ApiToken.objects.get(user=api_world.person(STAFF), name="Power BI")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    bearer(api_world.staff_key).get(reverse("api:rounds"))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    bearer(api_world.staff_key).get(reverse("api:rounds"))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_labels_follow_lang_and_a_wrong_lang_is_named(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    english = _all(client, "api:answers", question="PRV.SUP.01", organisation="AT", lang="en")
    french = _all(client, "api:answers", question="PRV.SUP.01", organisation="AT", lang="fr")
    assert english[0]["value"] == french[0]["value"] == "yes"
    assert english[0]["value_label"] == "Yes"
    assert french[0]["value_label"] == "Oui"
    question_fr = _all(client, "api:questions", round="thb-2016", lang="fr")[0]
    question_en = _all(client, "api:questions", round="thb-2016", lang="en")[0]
    assert question_fr["code"] == question_en["code"]
    assert question_fr["text"] != question_en["text"]
    # The language answers that request only: it does not stay on the thread for what runs next.
    assert french_response_language(client) == "fr"
    assert translation.get_language() == "en"
    response = client.get(reverse("api:answers"), {"lang": "xx"})
    assert response.status_code == 400
    assert "xx" in response.json()["lang"][0]
    assert "ru" in response.json()["lang"][0]


def french_response_language(client: Client) -> str:
    return str(client.get(reverse("api:rounds"), {"lang": "fr"})["Content-Language"])


def test_bad_filter_values_are_named(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    response = client.get(reverse("api:responses"), {"status": "finished"})
    assert response.status_code == 400
    assert "status" in response.json()
    response = client.get(reverse("api:answers"), {"kind": "ministry"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_filters_narrow_the_rows(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    assert {a["organisation"] for a in _all(client, "api:answers", kind="ngo")} == {"ngo-at"}
    assert {r["organisation"] for r in _all(client, "api:responses", kind="state", status="submitted")} == {"AT", "DE"}
    numbers = _all(client, "api:answers", question="PRO.DATA.01")
    assert [(a["organisation"], a["column"], a["value_number"], a["cell_kind"]) for a in numbers] == [
        ("AT", "2013", 12, "integer")
    ]
    ngo_questions = _all(client, "api:questions", round="thb-2016", kind="ngo")
    assert ngo_questions
    assert all(q["audience"] in ("ngo", "both") for q in ngo_questions)
    assert [o["code"] for o in _all(client, "api:organisations", kind="ngo", country="AT")] == ["ngo-at"]


def test_answers_and_reports_are_never_kept_by_a_cache(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    for url in (reverse("api:answers"), reverse("api:responses"), reverse("api:round-report", args=["thb-2016"])):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_answers_hidden_by_the_organisations_own_answers_are_left_out_as_in_the_report(api_world: ApiWorld) -> None:
    # PRV.SUP.03 (describe the purchasing policy) is shown when PRV.SUP.01 is yes or in process. Germany says it is
    # in process, then answers no and keeps the description it had typed: kept in the database, not counted.
    s = api_world.scenario.status("DE", Response.Status.IN_PROGRESS).status("AT", Response.Status.IN_PROGRESS)
    s.answers("DE", {"PRV.SUP.03": {("", ""): "POLICY-OF-GERMANY"}}, by=COORDINATOR_DE)
    s.answers("AT", {"PRV.SUP.03": {("", ""): "POLICY-OF-AUSTRIA"}}, by=COORDINATOR_AT)
    client = bearer(api_world.staff_key)
    shown = {a["organisation"]: a["value"] for a in _all(client, "api:answers", question="PRV.SUP.03")}
    assert shown == {"AT": "POLICY-OF-AUSTRIA", "DE": "POLICY-OF-GERMANY"}

    s.answers("DE", {"PRV.SUP.01": {("", ""): "no"}}, by=COORDINATOR_DE)
    shown = {a["organisation"]: a["value"] for a in _all(client, "api:answers", question="PRV.SUP.03")}
    assert shown == {"AT": "POLICY-OF-AUSTRIA"}
    # Page by page, one row at a time, the cursor still walks every answer shown and only those.
    walked, url, params = [], reverse("api:answers"), {"page_size": 1, "round": "thb-2016"}
    while url:
        body = client.get(url, params).json()
        walked += [(a["organisation"], a["question"], a["row"], a["column"]) for a in body["results"]]
        url, params = body["next"], {}
    every = [(a["organisation"], a["question"], a["row"], a["column"]) for a in _all(client, "api:answers")]
    assert walked == every
    assert ("DE", "PRV.SUP.03", "", "") not in walked
    assert ("DE", "PRV.SUP.01", "", "") in walked
