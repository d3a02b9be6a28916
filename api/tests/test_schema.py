"""Every endpoint of the generated OpenAPI schema answers as the schema says: each path is asked with a staff
token, answers 200, and its body validates against the schema (openapi-core); the lists hold rows, so the
validation has something to check, and `next` leads to the following page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.exceptions import OpenAPIError

from .conftest import ApiWorld, bearer


def _schema(world: ApiWorld) -> dict[str, Any]:
    response = bearer(world.staff_key).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_path_of_the_schema_answers_as_documented(api_world: ApiWorld) -> None:
    schema = _schema(api_world)
    openapi = OpenAPI.from_dict(schema)
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/rounds/",
        "/api/v1/rounds/{slug}/report/",
        "/api/v1/questions/",
        "/api/v1/organisations/",
        "/api/v1/responses/",
        "/api/v1/answers/",
    }
    client = bearer(api_world.staff_key)
    for path, operations in paths.items():
        assert set(operations) <= {"get", "parameters"}, f"{path} is read-only"
        url = path.replace("{slug}", api_world.survey.slug)
        response = client.get(url, {"lang": "fr", "page_size": 2})
        assert response.status_code == 200, (path, response.content[:300])
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))
        body = response.json()
        if "results" in body:
            assert body["results"], f"{path} has rows in this world"
            assert set(body) == {"next", "previous", "results"}


def test_a_body_that_breaks_the_schema_fails_validation(api_world: ApiWorld) -> None:
    """The control of the test above: the validator does look at the body."""
    openapi = OpenAPI.from_dict(_schema(api_world))
    response = bearer(api_world.staff_key).get(reverse("api:responses"))
    body = response.json()
    body["results"][0]["status"] = None
    response.content = json.dumps(body).encode()
    with pytest.raises(OpenAPIError):
        openapi.validate_response(DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response))


def test_schema_is_valid_openapi_3(api_world: ApiWorld) -> None:
    from openapi_spec_validator import validate

    schema = _schema(api_world)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": 'An API token from the "API tokens" page',
    }


def test_following_next_walks_every_answer_once(api_world: ApiWorld) -> None:
    client = bearer(api_world.staff_key)
    url: str | None = reverse("api:answers") + "?page_size=1"
    seen: list[int] = []
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 1
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    everything = client.get(reverse("api:answers"), {"page_size": 1000}).json()
    assert everything["next"] is None
    assert seen == [row["id"] for row in everything["results"]]
    assert len(seen) == len(set(seen)) >= 4


def test_page_size_is_capped_at_the_documented_maximum(api_world: ApiWorld, settings: Any) -> None:
    from api.pagination import Cursor

    assert Cursor.max_page_size == settings.API_MAX_PAGE_SIZE == 1000
    schema = _schema(api_world)
    size = next(p for p in schema["paths"]["/api/v1/answers/"]["get"]["parameters"] if p["name"] == "page_size")
    assert "at most 1000" in size["description"]
