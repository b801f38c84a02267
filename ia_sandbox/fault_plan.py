"""The faults the sandbox can inject into the partner API, and how a plan of
them is written (the ``SANDBOX_FAULTS`` setting and the test control route).

A plan is a comma-separated list of ``endpoint=fault``, for example
``token=500,user=delay:2.5``. The endpoints are ``token``
(``POST /api/oauth/token``) and ``user`` (``GET /api/public/user``). The
faults, each answered as `faults` describes:

- ``none``: answer normally (the same as naming no fault);
- ``delay:SECONDS``: wait, then answer normally (0 < SECONDS <= 600);
- ``500``: HTTP 500 with an HTML body;
- ``malformed``: 200 ``application/json`` whose body is not JSON;
- ``success_false``: 200 JSON saying the platform failed;
- ``form``: the normal answer, form-encoded instead of JSON;
- ``pairs``: ``user`` only: ``data`` as ``[key, value]`` pairs.

This module only parses; it is imported by the settings, so it imports
nothing of the sandbox.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

ENDPOINTS = ("token", "user")

# Long enough for any client timeout under test, short enough that a typo
# cannot park a request for hours.
MAX_DELAY = 600.0

_SECONDS = re.compile(r"[0-9]{1,4}(\.[0-9]{1,3})?")


class FaultKind(StrEnum):
    """What goes wrong; `Fault` adds the delay's length."""

    NONE = "none"
    DELAY = "delay"
    HTTP_500 = "500"
    MALFORMED = "malformed"
    SUCCESS_FALSE = "success_false"
    FORM = "form"
    PAIRS = "pairs"


_ONLY_FOR = {FaultKind.PAIRS: "user"}


@dataclass(frozen=True)
class Fault:
    """One fault, written back by ``str()`` the way it is parsed."""

    kind: FaultKind
    seconds: float = 0.0

    def __str__(self) -> str:
        if self.kind is FaultKind.DELAY:
            return f"delay:{self.seconds:g}"
        return self.kind.value


def parse_fault(endpoint: str, text: str) -> Fault:
    """Read one fault for ``endpoint``.

    Raises:
        ValueError: with a sentence naming what is wrong.
    """
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r} (use token or user)")
    name, colon, argument = text.strip().partition(":")
    if name == FaultKind.DELAY:
        if not colon or not _SECONDS.fullmatch(argument):
            raise ValueError(f"{text.strip()!r} is not delay:SECONDS, as in delay:2.5")
        seconds = float(argument)
        if not 0 < seconds <= MAX_DELAY:
            raise ValueError(f"delay must be above 0 and at most {MAX_DELAY:g} s")
        return Fault(FaultKind.DELAY, seconds)

    try:
        kind = FaultKind(name)
    except ValueError:
        known = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"unknown fault {text!r} (known: {known})") from None
    if colon:
        raise ValueError(f"fault {name} takes no argument")
    if _ONLY_FOR.get(kind, endpoint) != endpoint:
        raise ValueError(f"fault {name} applies to the {_ONLY_FOR[kind]} endpoint")
    return Fault(kind)


def parse_plan(text: str) -> dict[str, Fault]:
    """Read ``endpoint=fault,…``; ``none`` entries are dropped.

    Raises:
        ValueError: an item is malformed or an endpoint is named twice.
    """
    plan: dict[str, Fault] = {}
    if not text.strip():
        return plan
    named: set[str] = set()
    for item in text.split(","):
        endpoint, equals, fault_text = item.strip().partition("=")
        if not equals:
            raise ValueError(f"item {item.strip()!r} is not endpoint=fault")
        endpoint = endpoint.strip()
        if endpoint in named:
            raise ValueError(f"names the {endpoint} endpoint twice")
        named.add(endpoint)
        fault = parse_fault(endpoint, fault_text)
        if fault.kind is not FaultKind.NONE:
            plan[endpoint] = fault
    return plan


def describe_plan(plan: dict[str, Fault]) -> str:
    """The plan written back as ``endpoint=fault,…`` (empty for none)."""
    return ",".join(f"{endpoint}={fault}" for endpoint, fault in plan.items())
