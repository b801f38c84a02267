"""Running a coroutine from a test while Playwright's loop owns the main thread."""

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a thread of its own.

    The browser tests keep Playwright's event loop running on the main thread
    for the whole session, so `asyncio.run` cannot be called there.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
