"""Screenshots of the journeys for README.md, taken from the demo that `make run` serves.

    PORT=8123 make run &                                   # the demo, in another terminal
    .venv/bin/python manage.py reset_2fa staff@demo.oscethb.org   # so that the script can set up staff's app
    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8123

It follows visible links only, as the journey tests do, and writes the PNG files next to this script. Chromium is
Debian's (`CHROMIUM_PATH`, default /usr/bin/chromium). Not a test: the pictures are for people reading the README.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "demo-oscethb-2026"  # noqa: S105 - the demo's, printed by make run; never a real password
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def totp(key: str, at: float | None = None) -> str:
    """RFC 6238 code of a base32 key (what an authenticator app shows)."""
    secret = base64.b32decode(key.replace(" ", "").upper() + "=" * (-len(key.replace(" ", "")) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(secret, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def shot(page: Page, name: str, full: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(HERE / f"{name}.png"), full_page=full)
    print("wrote", name)


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Log in").first.click()
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def coordinator(page: Page, base: str) -> None:
    log_in(page, base, "coordinator.de@demo.oscethb.org")
    shot(page, "1-my-questionnaires")
    page.locator("[data-card-action]").first.click()
    shot(page, "2-round-home")
    page.get_by_role("link", name="Figures on victims").first.click()
    table = page.locator(
        "[data-question='PRT.DATA.01'] input[type=text], [data-question='PRT.DATA.01'] input[inputmode]"
    )
    table.nth(0).fill("12")
    table.nth(1).fill("5")
    table.nth(2).fill("12a")
    table.nth(3).fill("3")
    table.nth(3).press("Tab")
    page.wait_for_timeout(2500)
    page.locator("[data-question='PRT.DATA.01']").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "3-breakdown-table-with-a-mistyped-cell")


def staff(page: Page, base: str) -> None:
    log_in(page, base, "staff@demo.oscethb.org")
    key = page.get_by_test_id("totp-key").inner_text()
    page.locator("#id_code").fill(totp(key))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    if page.get_by_role("link", name="Staff home").count():
        page.get_by_role("link", name="Staff home").first.click()
    shot(page, "4-staff-home")
    page.get_by_role("link", name="Status board and dashboard").first.click()
    shot(page, "5-status-board")


def main(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        for journey in (coordinator, staff):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            journey(context.new_page(), base.rstrip("/"))
            context.close()
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = phone.new_page()
        log_in(page, base.rstrip("/"), "coordinator.md@demo.oscethb.org")
        page.locator("[data-card-action]").first.click()
        page.get_by_role("link", name="Criminal law on trafficking").first.click()
        shot(page, "6-section-at-phone-width")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
