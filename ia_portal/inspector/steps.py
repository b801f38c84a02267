"""The protocol steps the portal can see, who sends each, and what it is called.

Only steps the portal observes are here. The person typing their login into
IA's frame, IA's request to their phone and their answer on it happen inside
IA: the frame tells the page nothing of them (unless IA sends an `alert`), so
the portal's first sight of an approval is IA's callback.
"""

from __future__ import annotations

import dataclasses
import enum

BROWSER = "Browser"
PORTAL = "Portal"
IA = "IA"
PHONE = "Phone"
# The diagram's lifelines, left to right.
ACTORS = (BROWSER, PORTAL, IA, PHONE)

IA_INTERNAL = (
    "Inside IA, not seen by the portal: the person types their username or "
    "email in IA's frame, IA sends the request to their phone, and they "
    "approve or deny it there."
)


class Step(enum.StrEnum):
    FRAME_REQUESTED = "frame_requested"
    FRAME_OPENED = "frame_opened"
    IA_ALERT = "ia_alert"
    CALLBACK_RECEIVED = "callback_received"
    CODE_EXCHANGED = "code_exchanged"
    USER_FETCHED = "user_fetched"
    CALLBACK_ANSWERED = "callback_answered"
    BROWSER_MESSAGE = "browser_message"
    CONFIRMATION = "confirmation"
    SIGNED_IN = "signed_in"
    PAID = "paid"
    DENIED = "denied"
    TIMED_OUT = "timed_out"
    CLOSED = "closed"
    NOT_CONFIRMED = "not_confirmed"


@dataclasses.dataclass(frozen=True)
class StepInfo:
    """How a step is named and drawn: an arrow from `sender` to `receiver`.

    `reply` draws a dashed arrow (an answer); a step whose sender is its
    receiver is drawn as a note over that lifeline.
    """

    label: str
    sender: str
    receiver: str
    reply: bool = False


STEPS: dict[Step, StepInfo] = {
    Step.FRAME_REQUESTED: StepInfo("IA button pressed", BROWSER, PORTAL),
    Step.FRAME_OPENED: StepInfo("IA frame opened", PORTAL, BROWSER, reply=True),
    Step.IA_ALERT: StepInfo("IA alert", IA, BROWSER),
    Step.CALLBACK_RECEIVED: StepInfo("IA callback received", IA, PORTAL),
    Step.CODE_EXCHANGED: StepInfo("Code exchanged for a token", PORTAL, IA),
    Step.USER_FETCHED: StepInfo("User fetched", PORTAL, IA),
    Step.CALLBACK_ANSWERED: StepInfo("Callback answered", PORTAL, IA, reply=True),
    Step.BROWSER_MESSAGE: StepInfo("Browser message received", IA, BROWSER),
    Step.CONFIRMATION: StepInfo("Server confirmation", PORTAL, PORTAL),
    Step.SIGNED_IN: StepInfo("Signed in", PORTAL, BROWSER, reply=True),
    Step.PAID: StepInfo("Paid", PORTAL, BROWSER, reply=True),
    Step.DENIED: StepInfo("Denied", PORTAL, PORTAL),
    Step.TIMED_OUT: StepInfo("Timed out", PORTAL, PORTAL),
    Step.CLOSED: StepInfo("Frame closed", PORTAL, PORTAL),
    Step.NOT_CONFIRMED: StepInfo("Not confirmed", PORTAL, PORTAL),
}

# The steps that end an attempt.
OUTCOMES = frozenset(
    {
        Step.SIGNED_IN,
        Step.PAID,
        Step.DENIED,
        Step.TIMED_OUT,
        Step.CLOSED,
        Step.NOT_CONFIRMED,
    }
)


def info(step: str) -> StepInfo:
    """The step's name and arrow; an unknown step (an older row) is a note."""
    try:
        return STEPS[Step(step)]
    except ValueError:
        return StepInfo(step.replace("_", " ").capitalize(), PORTAL, PORTAL)
