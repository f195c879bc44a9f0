"""What every page a browser test visits must pass: axe-core finds no violation (WCAG 2.2 A
and AA rules and axe's best practices), and nothing is wider than the viewport."""

from pathlib import Path
from typing import Any

AXE = Path(__file__).with_name("axe") / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = (375, 1280)
"""A small phone and a desktop: every page is checked at both."""


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it stands, one line each (rule, impact, where)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script>: the portal's
        # Content-Security-Policy rightly refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async rules => (await axe.run(document, {runOnly: {type: 'tag', values: rules}}))"
        ".violations.map(v => `${v.id} (${v.impact}): ${v.help} at `"
        " + v.nodes.map(n => n.target.join(' ')).join(', '))",
        RULES,
    )
    return list(found)


def overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )


def assert_page_is_accessible(page: Any) -> None:
    """The page has no axe-core violation and does not overflow the viewport sideways."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}: " + "; ".join(violations)
    wider = overflow(page)
    assert wider <= 0, f"{page.url}: {wider}px wider than the {page.viewport_size} viewport"
