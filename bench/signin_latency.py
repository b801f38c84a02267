"""Time sign-ins from pressing Approve on the phone to the profile being shown.

Starts its own sandbox and portal (as the browser tests do), signs in N times
in Chromium and prints the figures. Usage: `.venv/bin/python -m bench.signin_latency
[N]` from the repository root, after `make test` has installed everything.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.conftest import CHROMIUM_FLAGS, _chromium_path
from tests.e2e.flows import identify
from tests.e2e.stack import running_stack


def main(rounds: int) -> None:
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_stack(Path(workdir)) as stack,
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=_chromium_path(), args=CHROMIUM_FLAGS
        )
        phone = browser.new_page()
        seconds = []
        for _ in range(rounds):
            context = browser.new_context()
            page = context.new_page()
            identify(page, stack, "ada")
            phone.goto(f"{stack.sandbox_url}/app/ada")
            approve = phone.get_by_role("button", name="Approve").first
            approve.wait_for()

            started = time.perf_counter()
            approve.click()
            expect(page.locator("#profile")).to_contain_text("Ada Lovelace")
            seconds.append(time.perf_counter() - started)
            context.close()
        browser.close()

    seconds.sort()
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    print(f"sign-ins: {rounds}  (Approve pressed -> profile shown, dev mode)")
    print(f"p50 {statistics.median(seconds):.2f} s   p95 {p95:.2f} s   ", end="")
    print(f"min {seconds[0]:.2f} s   max {seconds[-1]:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
