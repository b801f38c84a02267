"""The sandbox's tests use the shared harness's fixtures."""

from tests.sandbox_harness import (  # noqa: F401  (fixtures, found by name)
    client,
    live_sandbox,
    make_client,
    make_live_sandbox,
    partner,
)
