"""The integrator guide (docs/) and the README stay true to the code.

Every `package.module.name` they mention imports, every test they point at
exists, every file and link resolves, the settings and button tables match
the code, the example app builds, and each screenshot is there and shown.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import struct
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ia_portal.components.ia_button import IAButton
from ia_portal.config import Settings as PortalSettings
from ia_sandbox.config import ENV_PREFIX
from ia_sandbox.config import Settings as SandboxSettings
from scripts.screenshots import SHOTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
EXAMPLE = ROOT / "examples" / "ia_button_app.py"

CODE_REF = re.compile(r"`((?:ia_portal|ia_sandbox|examples|scripts|bench)(?:\.\w+)+)`")
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[[^\]`]*\])?`")
PATH_REF = re.compile(r"`(\.?[\w-]+(?:\.[\w-]+)*(?:/[\w.-]+)*/?)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|(.*)\|\s*$", re.MULTILINE)


def _found(pattern: re.Pattern[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(page, groups) of each match in every page, once each; pages by path."""
    seen: dict[tuple[str, tuple[str, ...]], None] = {}
    for page in PAGES:
        for match in pattern.finditer(page.read_text()):
            seen[(str(page.relative_to(ROOT)), match.groups())] = None
    return list(seen)


def _ids(found: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    return [f"{page}:{':'.join(g for g in groups if g)}" for page, groups in found]


CODE_REFS = _found(CODE_REF)
TEST_REFS = _found(TEST_REF)
LINKS = _found(LINK)


@pytest.mark.parametrize(("page", "groups"), CODE_REFS, ids=_ids(CODE_REFS))
def test_each_named_module_and_function_exists(page: str, groups: tuple[str]) -> None:
    parts = groups[0].split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
            break
        except ModuleNotFoundError:
            continue
    for name in parts[split:]:
        assert hasattr(found, name), f"{page}: {groups[0]} has no {name}"
        found = getattr(found, name)


@pytest.mark.parametrize(("page", "groups"), TEST_REFS, ids=_ids(TEST_REFS))
def test_each_named_test_exists(page: str, groups: tuple[str, str]) -> None:
    path, name = ROOT / groups[0], groups[1]
    assert path.is_file(), f"{page}: no file {groups[0]}"
    tree = ast.parse(path.read_text())
    tests = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert name in tests, f"{page}: {groups[0]} has no {name}"


def test_the_guide_names_tests_and_code() -> None:
    # Guards the patterns above: a guide they cannot read would check nothing.
    assert len(CODE_REFS) > 80
    assert len(TEST_REFS) > 40


def test_each_named_file_exists() -> None:
    missing = []
    for page in PAGES:
        for name in PATH_REF.findall(page.read_text()):
            first = name.split("/")[0]
            if "/" not in name and "." not in name:
                continue  # a plain word, a setting or a demo user
            if (ROOT / first).exists() and not (ROOT / name).exists():
                missing.append(f"{page.name}: {name}")
    assert missing == []


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", page.read_text(), re.MULTILINE)
    return {_slug(heading) for heading in headings}


@pytest.mark.parametrize(("page", "groups"), LINKS, ids=_ids(LINKS))
def test_each_link_and_image_resolves(page: str, groups: tuple[str]) -> None:
    target = groups[0]
    if target.startswith(("http://", "https://", "mailto:")):
        return
    path, _, anchor = target.partition("#")
    resolved = (ROOT / page).parent / path if path else ROOT / page
    assert resolved.exists(), f"{page}: {target} does not exist"
    if anchor:
        assert anchor in _anchors(resolved), f"{page}: no heading for #{anchor}"


def _table(page: str, heading: str) -> dict[str, tuple[str, str]]:
    """The rows of the table under `## heading`: first cell → (second, rest)."""
    text = (DOCS / page).read_text()
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return {name: (second, rest) for name, second, rest in ROW.findall(section)}


def _default_shown(field: Any) -> str:
    """A setting's default as the guide writes it."""
    if field.is_required():
        return "required"
    default = field.get_default(call_default_factory=True)
    if default in ("", {}, None):
        return "(empty)"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, int | float | Decimal):
        return f"`{Decimal(str(default)).normalize():f}`"
    return f"`{default}`"


@pytest.mark.parametrize(
    ("heading", "settings", "prefix"),
    [
        ("The portal (`ia_portal`)", PortalSettings, ""),
        ("The IA sandbox (`ia_sandbox`)", SandboxSettings, ENV_PREFIX),
    ],
)
def test_the_settings_tables_list_every_setting_with_its_default(
    heading: str, settings: Any, prefix: str
) -> None:
    rows = _table("settings.md", heading)
    expected = {
        prefix + name.upper(): _default_shown(field)
        for name, field in settings.model_fields.items()
    }
    assert {name: default for name, (default, _) in rows.items()} == expected


def test_every_setting_of_env_example_is_documented() -> None:
    names = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    documented = _table("settings.md", "The portal (`ia_portal`)") | _table(
        "settings.md", "The IA sandbox (`ia_sandbox`)"
    )
    assert sorted(set(names) - set(documented)) == []


def _jsx_props() -> set[str]:
    source = (ROOT / "assets" / "ia_button.jsx").read_text()
    match = re.search(r"export function IAButton\(\{([^}]*)\}\)", source)
    assert match is not None
    return {name.strip() for name in match.group(1).split(",") if name.strip()}


def test_the_button_tables_match_the_component() -> None:
    props, events = _table("ia-button.md", "Props"), _table("ia-button.md", "Events")
    declared = IAButton.__annotations__

    assert set(props) | set(events) == set(declared)
    assert {name for name in events} == {
        name for name, kind in declared.items() if "EventHandler" in kind
    }
    react = {second.strip("`") for second, _ in (props | events).values()}
    assert react == _jsx_props()
    for name, (_, rest) in events.items():
        payload = rest.split("|")[0].strip()
        takes_none = "no_args_event_spec" in declared[name]
        assert (payload == "none") == takes_none, name


# Built in a process of its own: Reflex allows one App per process, and other
# tests may have imported the portal's.
BUILD_EXAMPLE = """
import json
import examples.ia_button_app as example
print(json.dumps(example.index().render()))
"""


def test_the_example_app_builds_with_every_event_wired() -> None:
    env = {
        **os.environ,
        "IA_CLIENT_ID": "example",
        "IA_CLIENT_SECRET": "example-secret",
        "TOKEN_ENCRYPTION_KEYS": "S7d1Ui6KKM2r6x6_ai2ZVeK7r6VCxHQzTRWdCfCTG2c=",
    }
    built = subprocess.run(
        [sys.executable, "-c", BUILD_EXAMPLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    rendered = json.dumps(json.loads(built.stdout.splitlines()[-1]))
    events = ("onOpen", "onSuccess", "onDenied", "onTimeout", "onAlert")
    for trigger in (*events, "onClose", "onReject"):
        assert f"{trigger}:" in rendered, trigger


def test_the_guide_s_snippets_are_the_example_s_own_lines() -> None:
    guide = (DOCS / "ia-button.md").read_text()
    snippets = re.findall(r"```python\n(.*?)```", guide, re.DOTALL)
    # Compared line by line, indentation and a closing comma aside.
    example = [line.strip(" ,") for line in EXAMPLE.read_text().splitlines()]
    assert len(snippets) == 2
    for snippet in snippets:
        lines = [line.strip(" ,") for line in snippet.strip().splitlines()]
        starts = [i for i, line in enumerate(example) if line == lines[0]]
        assert any(example[i : i + len(lines)] == lines for i in starts), lines[0]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_each_screenshot_is_taken_small_and_shown_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for shot in SHOTS:
        width, height = _png_size(shot.path)
        assert width <= 1280 and height <= 800, shot.name
        assert f"![{shot.caption}](docs/screenshots/{shot.name}.png)" in readme
    on_disk = {path.stem for path in (DOCS / "screenshots").glob("*.png")}
    assert on_disk == {shot.name for shot in SHOTS}
