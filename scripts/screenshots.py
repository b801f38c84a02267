"""`make screenshots`: picture each flow of the real portal and IA sandbox.

Starts a sandbox and a portal the way the browser tests do (`tests/e2e/stack`),
drives them in Chromium as a person would, and writes one PNG per entry of
`SHOTS` to `docs/screenshots/`. The README and the integrator guide show them.

The shots run in order and share one portal tab and one phone, so each starts
where the previous one left off. To add a picture, write a function that takes
the `Scene` to the moment worth showing and returns the page to capture, then
add a `Shot` for it to `SHOTS` (its caption is the image's alt text in the
README, which `tests/docs` checks).
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from tests.conftest import CHROMIUM_FLAGS, _chromium_path
from tests.e2e.flows import PAY, SIGN_IN, answer_on_phone, identify, open_portal
from tests.e2e.stack import ROOT, Stack, running_stack

OUT = ROOT / "docs" / "screenshots"
PORTAL_VIEWPORT = ViewportSize(width=1280, height=800)
PHONE_VIEWPORT = ViewportSize(width=430, height=800)
# A phone's screen, for the portal itself (in the dark theme).
SMALL_VIEWPORT = ViewportSize(width=390, height=800)
# The demo's partner name, and time enough to take a picture of a request.
SETTINGS = {
    "SANDBOX_PARTNER_NAME": "IA Portal (demo)",
    "SANDBOX_APPROVAL_TIMEOUT": "120",
}


@dataclasses.dataclass
class Scene:
    """The running stack, the person's portal tab and their phone, and the
    portal on another person's phone, in the dark theme."""

    stack: Stack
    portal: Page
    phone: Page
    small: Page


@dataclasses.dataclass(frozen=True)
class Shot:
    """One picture: `docs/screenshots/{name}.png`, showing what `caption` says."""

    name: str
    caption: str
    take: Callable[[Scene], Page]

    @property
    def path(self) -> Path:
        return OUT / f"{self.name}.png"


def _sign_in_waiting(scene: Scene) -> Page:
    identify(scene.portal, scene.stack, "ada", "/", SIGN_IN)
    return scene.portal


def _phone_asked(scene: Scene) -> Page:
    scene.phone.goto(f"{scene.stack.sandbox_url}/app/ada")
    expect(scene.phone.get_by_role("button", name="Approve")).to_be_visible()
    return scene.phone


def _payment_waiting(scene: Scene) -> Page:
    # Approve the sign-in first: the payment is made by a signed-in Ada.
    answer_on_phone(scene.phone, scene.stack, "ada", "Approve")
    expect(scene.portal).to_have_url(re.compile(r"/profile$"))
    frame = identify(scene.portal, scene.stack, "ada", "/checkout", PAY)
    expect(frame.get_by_text("141.90")).to_be_visible()
    return scene.portal


def _phone_asked_to_pay(scene: Scene) -> Page:
    scene.phone.goto(f"{scene.stack.sandbox_url}/app/ada")
    expect(scene.phone.get_by_text("141.90 USD").first).to_be_visible()
    return scene.phone


def _payment_paid(scene: Scene) -> Page:
    answer_on_phone(scene.phone, scene.stack, "ada", "Approve")
    expect(scene.portal.locator("#ia-status")).to_contain_text("Paid $141.90")
    return scene.portal


def _profile(scene: Scene) -> Page:
    open_portal(scene.portal, scene.stack, "/profile")
    expect(scene.portal.locator("#payments")).to_contain_text("$141.90")
    return scene.portal


def _inspector(scene: Scene) -> Page:
    # The last flow of this browser is the payment: its steps, drawn.
    open_portal(scene.portal, scene.stack, "/inspector")
    diagram = scene.portal.locator("#inspector-diagram svg")
    expect(diagram).to_contain_text("Phone (IA app)")
    expect(scene.portal.locator("#inspector-flow")).to_contain_text("Payment")
    return scene.portal


def _small_dark_sign_in(scene: Scene) -> Page:
    frame = identify(scene.small, scene.stack, "grace", "/", SIGN_IN)
    expect(frame.get_by_text("seconds left")).to_be_visible()
    return scene.small


SHOTS = [
    Shot(
        "sign-in",
        "Sign-in: IA's frame has opened in place of the button and waits for the "
        "person to approve on their phone",
        _sign_in_waiting,
    ),
    Shot(
        "phone-approval",
        "The IA app (the sandbox's phone page) with the portal's sign-in request "
        "and its Approve and Deny buttons",
        _phone_asked,
    ),
    Shot(
        "payment",
        "Payment: the checkout's IA frame asks the person to approve paying "
        "141.90 USD on their phone",
        _payment_waiting,
    ),
    Shot(
        "phone-payment",
        "The IA app asking Ada to approve paying 141.90 USD to the portal",
        _phone_asked_to_pay,
    ),
    Shot(
        "payment-paid",
        "The checkout once IA's approval is proven on the server: paid, with "
        "the thank-you under the button",
        _payment_paid,
    ),
    Shot(
        "profile",
        "The profile page: what IA shared about Ada, when it was last synced, "
        "and her payment",
        _profile,
    ),
    Shot(
        "inspector",
        "The protocol inspector: each step of the payment with its time, and the "
        "same steps drawn between browser, portal, IA and phone",
        _inspector,
    ),
    Shot(
        "phone-dark",
        "Sign-in on a phone's screen in the dark theme: IA's frame, in IA's navy "
        "and mint, counts down inside the portal's page",
        _small_dark_sign_in,
    ),
]


def take_all(shots: list[Shot]) -> None:
    """Run a fresh stack, take every shot in order, then write the PNGs.

    The files are written once the portal has stopped: in dev mode Reflex
    reloads its backend when a file of the project changes, which would cut
    the flow short.
    """
    taken: dict[Shot, bytes] = {}
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_stack(Path(workdir), settings=SETTINGS) as stack,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=_chromium_path(), args=CHROMIUM_FLAGS
        )
        pages = []
        for viewport in (PORTAL_VIEWPORT, PHONE_VIEWPORT, SMALL_VIEWPORT):
            context = browser.new_context(
                viewport=viewport,
                color_scheme="dark" if viewport is SMALL_VIEWPORT else "light",
            )
            context.set_default_timeout(30_000)
            pages.append(context.new_page())
        scene = Scene(stack, *pages)
        for shot in shots:
            taken[shot] = shot.take(scene).screenshot()
        browser.close()

    OUT.mkdir(parents=True, exist_ok=True)
    for shot, png in taken.items():
        shot.path.write_bytes(png)
        print(f"{shot.path.relative_to(ROOT)}: {shot.caption}")


if __name__ == "__main__":
    take_all(SHOTS)
