"""SANDBOX_FAULTS and SANDBOX_TEST_CONTROLS: parsing, defaults, the start-up
error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ia_sandbox.config import SettingsError, load_settings
from ia_sandbox.fault_plan import Fault, FaultKind, describe_plan, parse_plan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding only the two required settings."""
    for name in list(os.environ):
        if name.startswith("SANDBOX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SANDBOX_PARTNER_CLIENT_ID", "demo-client")
    monkeypatch.setenv("SANDBOX_PARTNER_CLIENT_SECRET", "demo-secret")
    return monkeypatch


def test_no_faults_and_no_controls_by_default(env: pytest.MonkeyPatch) -> None:
    settings = load_settings(env_file=None)

    assert settings.faults == {}
    assert settings.test_controls is False


def test_faults_are_read_from_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("SANDBOX_FAULTS", " token=500 , user=delay:2.5")
    env.setenv("SANDBOX_TEST_CONTROLS", "true")

    settings = load_settings(env_file=None)

    assert settings.faults == {
        "token": Fault(FaultKind.HTTP_500),
        "user": Fault(FaultKind.DELAY, 2.5),
    }
    assert settings.test_controls is True


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("", {}),
        ("token=none", {}),
        ("user=pairs", {"user": Fault(FaultKind.PAIRS)}),
        (
            "user=form,token=success_false",
            {"user": Fault(FaultKind.FORM), "token": Fault(FaultKind.SUCCESS_FALSE)},
        ),
        ("token=malformed", {"token": Fault(FaultKind.MALFORMED)}),
        ("user=delay:600", {"user": Fault(FaultKind.DELAY, 600.0)}),
    ],
)
def test_valid_plans(text: str, plan: dict[str, Fault]) -> None:
    assert parse_plan(text) == plan


def test_a_plan_is_written_back_as_read() -> None:
    assert describe_plan(parse_plan("token=delay:0.25,user=500")) == (
        "token=delay:0.25,user=500"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "token=oops",
            "SANDBOX_FAULTS is invalid: unknown fault 'oops' (known: none, delay, "
            "500, malformed, success_false, form, pairs) (got 'token=oops')",
        ),
        (
            "token=pairs",
            "SANDBOX_FAULTS is invalid: fault pairs applies to the user endpoint "
            "(got 'token=pairs')",
        ),
        (
            "token",
            "SANDBOX_FAULTS is invalid: item 'token' is not endpoint=fault",
        ),
        (
            "user=delay:1e3",
            "SANDBOX_FAULTS is invalid: 'delay:1e3' is not delay:SECONDS, as in "
            "delay:2.5 (got 'user=delay:1e3')",
        ),
        (
            "user=delay:601",
            "SANDBOX_FAULTS is invalid: delay must be above 0 and at most 600 s "
            "(got 'user=delay:601')",
        ),
        (
            "user=500,user=none",
            "SANDBOX_FAULTS is invalid: names the user endpoint twice "
            "(got 'user=500,user=none')",
        ),
        (
            "frame=500",
            "SANDBOX_FAULTS is invalid: unknown endpoint 'frame' (use token or user) "
            "(got 'frame=500')",
        ),
    ],
)
def test_a_malformed_plan_is_one_line_naming_the_setting(
    env: pytest.MonkeyPatch, text: str, line: str
) -> None:
    env.setenv("SANDBOX_FAULTS", text)

    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)

    assert str(raised.value) == line


def test_running_with_a_malformed_plan_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env |= {
        "SANDBOX_PARTNER_CLIENT_ID": "demo-client",
        "SANDBOX_PARTNER_CLIENT_SECRET": "demo-secret",
        "SANDBOX_FAULTS": "user=slow",
        "PYTHONPATH": str(REPO),
    }

    # Run from an empty directory so no developer's .env is read.
    done = subprocess.run(
        [sys.executable, "-m", "ia_sandbox"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr == (
        "ia_sandbox: SANDBOX_FAULTS is invalid: unknown fault 'slow' (known: none, "
        "delay, 500, malformed, success_false, form, pairs) (got 'user=slow')\n"
    )
