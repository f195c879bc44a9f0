"""Checks every browser test can run on a page: axe-core's accessibility rules (a vendored
copy, tests/browser/vendor/axe.min.js, with its licence beside it) and no horizontal overflow.

axe is evaluated through the DevTools protocol, so the portal's Content-Security-Policy (no
inline script) stays on while it runs.
"""

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices (landmarks, heading order, ...).
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: each rule's id, help and the nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))",
        RULES,
    )
    return list(result)


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: it fits)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )
