"""A flow's rows as a Mermaid sequence diagram: browser · portal · IA · phone.

The text is built here from fixed words and the rows' summaries with every
character Mermaid could read as syntax removed, so nothing a user or IA sent
can change the diagram's structure (Mermaid's strict mode sanitises too).
"""

from __future__ import annotations

from ia_portal.inspector.steps import ACTORS, BROWSER, IA, PHONE, PORTAL, Step, info
from ia_portal.inspector.timeline import Row

# Short lifeline names for the Mermaid text, and the names shown on them.
_ALIAS = {BROWSER: "B", PORTAL: "P", IA: "IA", PHONE: "Ph"}
_TITLE = {
    BROWSER: "Browser",
    PORTAL: "Portal",
    IA: "IA platform",
    PHONE: "Phone (IA app)",
}
_SAFE_PUNCTUATION = frozenset(" .,@+_-/()'=?!…→·:")
MAX_TEXT = 52
# Mermaid's `wrap:` lets this wide note break over lines between two lifelines.
INTERNAL_NOTE = (
    "wrap:IA-internal, unseen by the portal: login typed, request sent to the "
    "phone, answered there"
)


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """`text` on one line, cut short, keeping letters, digits and safe marks."""
    kept = "".join(
        char if char.isalnum() or char in _SAFE_PUNCTUATION else " " for char in text
    )
    words = " ".join(kept.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _arrow(
    sender: str, receiver: str, text: str, reply: bool = False, failed: bool = False
) -> str:
    line = "--" if reply else "-"
    head = "x" if failed else ">>"
    return f"    {_ALIAS[sender]}{line}{head}{_ALIAS[receiver]}: {clean(text)}"


def _note(over: tuple[str, ...], text: str, limit: int = MAX_TEXT) -> str:
    return f"    Note over {','.join(_ALIAS[a] for a in over)}: {clean(text, limit)}"


def _call(row: Row, request: str, answer: str) -> list[str]:
    """A request from the portal to IA, and IA's answer (or the failure)."""
    return [
        _arrow(PORTAL, IA, request),
        _arrow(IA, PORTAL, answer if row.ok else row.summary, True, not row.ok),
    ]


def _lines(row: Row) -> list[str]:
    failed = not row.ok
    match row.step:
        case Step.FRAME_REQUESTED:
            return [_arrow(BROWSER, PORTAL, f"IA button: {row.summary}")]
        case Step.FRAME_OPENED:
            return [
                _arrow(PORTAL, BROWSER, "303 to IA's frame", True),
                _arrow(BROWSER, IA, "GET frame (client secret in URL)"),
            ]
        case Step.IA_ALERT:
            return [_arrow(IA, BROWSER, f"postMessage alert: {row.summary}")]
        case Step.CALLBACK_RECEIVED:
            text = "GET /ia/callback (code, state)"
            return [_arrow(IA, PORTAL, text, failed=failed)]
        case Step.CODE_EXCHANGED:
            return _call(row, "POST /api/oauth/token", "access token (never shown)")
        case Step.USER_FETCHED:
            return _call(row, "GET /api/public/user", row.summary)
        case Step.CALLBACK_ANSWERED:
            answer = row.summary.partition(":")[0]
            return [_arrow(PORTAL, IA, answer, True, failed)]
        case Step.BROWSER_MESSAGE if failed:
            return [_note((BROWSER,), row.summary)]
        case Step.BROWSER_MESSAGE:
            return [
                _arrow(IA, BROWSER, f"postMessage {row.summary}"),
                _arrow(BROWSER, PORTAL, row.summary),
            ]
        case Step.CONFIRMATION:
            return [_note((PORTAL,), row.summary)]
        case Step.SIGNED_IN:
            return [_arrow(PORTAL, BROWSER, "signed in, on to /profile", True)]
        case Step.PAID:
            return [_arrow(PORTAL, BROWSER, row.summary, True)]
    step = info(row.step)
    text = f"{step.label}: {row.summary}" if row.summary else step.label
    return [_note((BROWSER, PORTAL), text)]


def sequence(rows: list[Row]) -> str:
    """Mermaid text for the rows, with IA's unseen steps as a note; "" if none."""
    if not rows:
        return ""
    lines = ["sequenceDiagram"]
    lines += [f"    participant {_ALIAS[a]} as {_TITLE[a]}" for a in ACTORS]
    internal = _note((IA, PHONE), INTERNAL_NOTE, limit=len(INTERNAL_NOTE))
    if not any(row.step == Step.FRAME_OPENED for row in rows):
        lines.append(internal)
    unmatched_told = False
    for row in rows:
        if not row.matched and not unmatched_told:
            lines.append(_note((PORTAL, IA), "a callback no browser has claimed yet"))
            unmatched_told = True
        lines += _lines(row)
        if row.step == Step.FRAME_OPENED:
            lines.append(internal)
    return "\n".join(lines)
