"""The live protocol inspector: every IA step the portal sees, as it happens.

Each module of the flow calls `record(Step…, …)` at its step (`arecord` from
async code); `timeline.read_view` reads the steps back for `/inspector` and the
pages' side panel, and `diagram.sequence` draws them. Recording never breaks
the flow, keeps at most `INSPECTOR_RETENTION_EVENTS` steps, and stores no
secret: codes shortened, the client secret redacted, no access token at all.

What "recent attempts" shows: the attempts and callbacks of every browser,
with usernames, because this is a demo portal whose point is to show the
protocol, and a demo often spans two devices (a laptop signing in, a phone
approving, a projector showing `/inspector`). Personal values (email, name,
phone, other profile items) are shown only to the browser that started the
attempt; a callback no browser has claimed shows them to nobody. Attempt ids
never leave the server: a flow is named by the id of its first step.

"This browser" is a random id kept in the browser's local storage
(`SessionState.browser_id`), so every tab of one browser shares it.
"""

from ia_portal.inspector.record import (
    arecord,
    flush,
    link_callback,
    new_trace,
    record,
)
from ia_portal.inspector.steps import Step

__all__ = ["Step", "arecord", "flush", "link_callback", "new_trace", "record"]
