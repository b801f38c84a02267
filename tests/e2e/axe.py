"""axe-core, the accessibility checker, run inside a page or frame of Chromium.

axe-core comes from the npm registry (pinned in `scripts/tools-package.json`,
installed under `.tools/` by `make setup`); each check loads it into the
document it checks, so no page of the portal or the sandbox ships it.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Frame, Page

from tests.e2e.stack import ROOT

AXE_SCRIPT = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
# The impacts a page must not have; "moderate" and "minor" are reported only.
BLOCKING = ("serious", "critical")

# Frames are checked one by one (each is a document of its own origin), so a
# page's check never waits for a frame without axe. Animations that end (a
# toast fading in) are waited for first: mid-fade, text is paler than it will
# be and axe would judge its contrast then (seen on a loaded machine). Endless
# ones (spinners) are not.
_RUN = """async () => {
  const ending = document
    .getAnimations()
    .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(ending.map((a) => a.finished.catch(() => null)));
  const result = await axe.run(document, {
    iframes: false,
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    html: v.nodes.length ? v.nodes[0].html.slice(0, 160) : "",
  }));
}"""


def violations(document: Page | Frame) -> list[dict[str, Any]]:
    """Every axe-core violation in `document` as it is now: id, impact, where."""
    if not AXE_SCRIPT.is_file():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `make setup`")
    if not document.evaluate("typeof window.axe === 'object'"):
        document.add_script_tag(path=str(AXE_SCRIPT))
    found: list[dict[str, Any]] = document.evaluate(_RUN)
    return found


def blocking(document: Page | Frame) -> list[dict[str, Any]]:
    """The serious and critical violations only."""
    return [v for v in violations(document) if v["impact"] in BLOCKING]


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    """Per violation: the elements it was found on, and the first one's HTML."""
    lines = []
    for where, items in found.items():
        for item in items:
            targets = ", ".join(item["targets"][:8])
            lines.append(f"{where}: {item['id']} ({item['impact']}) at {targets}")
            lines.append(f"    first: {item['html']}")
    return "\n".join(lines)
