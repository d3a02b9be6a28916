"""In a real browser: Office staff extend an organisation's deadline from its round home. A date the rules refuse
(before the round closes) brings the page back with the panel open, the date and the reason as typed, the message
next to the date and the focus on it; correcting the date then extends the deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Browser, expect

from responses.models import DeadlineExtension
from responses.tests.browser_helpers import PASSWORD, SLUG, TIMEOUT, ensure_states, open_round
from surveys.models import Survey
from tests.a11y import assert_accessible
from tests.otp_helpers import browser_log_in_with_code, confirmed_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF = "officer@osce.example.org"


def test_a_refused_extension_comes_back_open_with_what_was_typed(browser: Browser, live_server: Any) -> None:
    ensure_states()
    survey = open_round()
    closes = timezone.localdate() + dt.timedelta(days=20)
    Survey.objects.filter(pk=survey.pk).update(closes_on=closes)
    staff = get_user_model().objects.create_user(username=STAFF, email=STAFF, password=PASSWORD, is_staff=True)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        browser_log_in_with_code(page, live_server.url, STAFF, PASSWORD, confirmed_device(staff))
        page.goto(f"{live_server.url}/rounds/{SLUG}/respond/DE/")
        page.get_by_text("Deadline for this organisation").click()
        page.get_by_label("New last day for answering").fill((closes - dt.timedelta(days=5)).isoformat())
        page.get_by_label("Why (kept with the extension)").fill("Elections in the spring")
        with page.expect_navigation(timeout=TIMEOUT):
            page.get_by_role("button", name="Extend the deadline").click()

        until = page.get_by_label("New last day for answering")
        expect(page.locator("#extend-deadline")).to_have_attribute("open", "")
        expect(until).to_have_value((closes - dt.timedelta(days=5)).isoformat())
        expect(until).to_have_attribute("aria-invalid", "true")
        expect(until).to_be_focused()
        expect(page.locator("#extend-until-error")).to_be_visible()
        expect(page.locator("#extend-until-error")).to_contain_text("Choose a day from")
        expect(until).to_have_accessible_description(page.locator("#extend-until-error").inner_text())
        expect(page.get_by_label("Why (kept with the extension)")).to_have_value("Elections in the spring")
        assert_accessible(page)
        assert not DeadlineExtension.objects.exists()

        until.fill((closes + dt.timedelta(days=10)).isoformat())
        with page.expect_navigation(timeout=TIMEOUT):
            page.get_by_role("button", name="Extend the deadline").click()
        expect(page.locator("[data-extension]")).to_contain_text("Elections in the spring")
        assert DeadlineExtension.objects.get().until == closes + dt.timedelta(days=10)
    finally:
        context.close()
