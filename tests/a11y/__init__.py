"""axe-core (WCAG 2.1 A and AA) in the browser tests.

axe-core is the npm package pinned in `tests/a11y/package.json` (`npm ci` in this folder; `.ci/run` and
`make install` do it). The site's Content-Security-Policy refuses injected scripts, so pages checked with axe are
opened in a browser context created with `bypass_csp=True` (`a11y_context_args`); the CSP itself is tested on a
normal context in `tests/test_browser_csp.py`.

    assert_accessible(page)            # fails with every violation, its rule, impact and the elements it found
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def axe_available() -> bool:
    return AXE_JS.is_file()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not axe_available():
        raise AssertionError(f"axe-core is not installed at {AXE_JS}: run `npm ci` in tests/a11y (make install does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", WCAG_TAGS
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:5]:
            lines.append(f"    {', '.join(map(str, node.get('target', [])))}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str = "") -> None:
    """Fail with a readable list if axe-core finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core found {len(violations)} violation(s) on {where or page.url}:\n" + describe(
        violations
    )


def assert_no_sideways_scroll(page: Any, width: int = 390) -> None:
    """At phone width the page itself must not scroll sideways (wide tables scroll inside their own box)."""
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at a {width} px viewport"
