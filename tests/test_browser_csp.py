"""The pages work under the Content-Security-Policy: nothing is blocked (no inline script, no foreign source)."""

from __future__ import annotations

import base64
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import Page

from accounts.models import Membership, Organisation, Role
from surveys.models import Survey


def test_every_response_carries_the_policy(client, db) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_answering_and_dashboard_pages_raise_no_policy_violation(page: Page, live_server) -> None:
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    Survey.objects.filter(slug="thb-2016").update(
        status=Survey.Status.OPEN, closes_on=None
    )  # no deadline: answering stays open
    users = get_user_model().objects
    coordinator = users.create_user(
        username="csp@at.example.org", email="csp@at.example.org", password="a-long-password-2026"
    )
    Membership.objects.create(user=coordinator, organisation=Organisation.objects.get(code="AT"), role=Role.COORDINATOR)
    users.create_user(
        username="staff@example.org", email="staff@example.org", password="a-long-password-2026", is_staff=True
    )
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    def log_in(email: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", "a-long-password-2026")
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    log_in("csp@at.example.org")
    for path in (
        "/",
        "/rounds/thb-2016/questionnaire/",
        "/rounds/thb-2016/respond/AT/",
        "/rounds/thb-2016/respond/AT/section/PRO.LEG/",
    ):
        page.goto(live_server.url + path)
    page.check('input[name="PRO.LEG.01||"][value="yes"]')
    page.wait_for_selector('[data-question="PRO.LEG.01"] [data-save-state="saved"]', timeout=8000)  # htmx works
    page.context.clear_cookies()
    log_in("staff@example.org")
    # Staff without an authenticator app are sent to set one up: the QR code (a data: image) and the text key,
    # confirmed with the code an app computes from that key.
    page.wait_for_selector("[data-testid=totp-qr]", timeout=8000)
    assert page.locator("[data-testid=totp-qr]").evaluate("img => img.complete && img.naturalWidth > 0")
    key = page.locator("[data-testid=totp-key]").inner_text().replace(" ", "")
    code = totp(base64.b32decode(key + "=" * (-len(key) % 8)))
    page.fill("#id_code", f"{code:06d}")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=backup-codes] li", timeout=8000)
    page.goto(f"{live_server.url}/staff/rounds/thb-2016/dashboard/")
    page.wait_for_function("() => window.Chart !== undefined", timeout=8000)  # Chart.js loaded from static/
    assert violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_runs_under_the_policy(page: Page, live_server) -> None:
    """Swagger UI (drf-spectacular-sidecar's files, its start script a file too) draws the API's operations without
    any violation: no CDN, no inline script."""
    get_user_model().objects.create_user(
        username="coordinator@at.example.org", email="coordinator@at.example.org", password="a-long-password-2026"
    )
    Membership.objects.create(
        user=get_user_model().objects.get(email="coordinator@at.example.org"),
        organisation=Organisation.objects.get(code="AT"),
        role=Role.COORDINATOR,
    )
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "coordinator@at.example.org")
    page.fill("#id_password", "a-long-password-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-summary-path", has_text="/api/v1/answers/").first.wait_for(timeout=15_000)
    assert not violations, violations
