"""The inspector's pieces: the timeline of steps, the recent flows, the diagram,
and the side panel the sign-in and checkout pages can show beside their flow.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ia_portal.components.layout import NARROW_ONLY, WIDE_ONLY
from ia_portal.components.sequence_diagram import sequence_diagram
from ia_portal.state.inspector import InspectorState

TOGGLE_LABEL = "Protocol inspector"


def live_badge() -> rx.Component:
    return rx.cond(
        InspectorState.live,
        # High contrast: Radix's soft green on its tint is too pale for small text.
        rx.badge("live", color_scheme="green", variant="soft", high_contrast=True),
        rx.badge(
            "not live: reload to resume",
            color_scheme="gray",
            variant="soft",
            high_contrast=True,
        ),
    )


def _step(row: Any, compact: bool) -> rx.Component:
    failed = row["ok"] != "yes"
    return rx.el.li(
        rx.hstack(
            rx.text(row["time"], size="1", font_family="monospace"),
            rx.text(
                row["since"], size="1", font_family="monospace", color_scheme="gray"
            ),
            rx.text(
                row["label"],
                weight="bold",
                size="2",
                color_scheme=rx.cond(failed, "red", "gray"),
                high_contrast=True,
                class_name="inspector-step__label",
            ),
            rx.text(row["route"], size="1", color_scheme="gray"),
            rx.cond(
                row["matched"] != "yes",
                rx.badge("not yet matched to a browser", color_scheme="amber"),
            ),
            spacing="2",
            align="baseline",
            wrap="wrap",
        ),
        rx.text(row["summary"], size="2", class_name="inspector-step__summary"),
        *(
            []
            if compact
            else [rx.text(row["details"], size="1", white_space="pre-line")]
        ),
        custom_attrs={"data-step": row["step"], "data-ok": row["ok"]},
        class_name="inspector-step",
        style={"margin_bottom": "0.6em"},
    )


def timeline(compact: bool = False) -> rx.Component:
    """The shown flow's steps in order, each with its time and the gap before it."""
    return rx.cond(
        InspectorState.rows.length() > 0,  # type: ignore[attr-defined]
        rx.el.ol(
            rx.foreach(InspectorState.rows, lambda row: _step(row, compact)),
            aria_label="Protocol steps",
            class_name="inspector-timeline",
            style={"padding_left": "1.4em"},
        ),
        rx.text(
            "No step yet: press the IA button, and each step shows here.",
            color_scheme="gray",
        ),
    )


def diagram() -> rx.Component:
    """The shown flow as a sequence diagram (browser · portal · IA · phone).

    On a narrow screen the diagram keeps a legible size and its box scrolls
    sideways; the box takes the focus so a keyboard can scroll it too. No
    box at all while there is nothing to draw.
    """
    return rx.cond(
        InspectorState.chart != "",
        rx.box(
            sequence_diagram(
                chart=InspectorState.chart,
                label="Sequence diagram of the steps listed below it",
            ),
            background="var(--color-panel-solid)",
            border="1px solid var(--gray-a5)",
            padding="2",
            border_radius="8px",
            overflow_x="auto",
            width="100%",
            id="inspector-diagram",
            class_name="inspector-diagram",
            tab_index=0,
            role="region",
            aria_label="Sequence diagram",
        ),
    )


def _flow(flow: Any) -> rx.Component:
    shown = flow["key"] == InspectorState.shown
    browser = rx.cond(flow["mine"] == "yes", "this browser", "")
    return rx.table.row(
        rx.table.cell(flow["started"], font_family="monospace"),
        # On a phone, "What" also says who, how it ended and whose browser.
        rx.table.cell(
            flow["title"],
            rx.text(
                flow["who"],
                " · ",
                flow["outcome"],
                rx.cond(flow["mine"] == "yes", " · this browser", ""),
                size="1",
                color_scheme="gray",
                display=NARROW_ONLY,
            ),
        ),
        rx.table.cell(flow["who"], display=WIDE_ONLY),
        rx.table.cell(flow["outcome"], display=WIDE_ONLY),
        rx.table.cell(browser, display=WIDE_ONLY),
        rx.table.cell(
            # The visible word starts the accessible name, as speech users say it.
            rx.button(
                rx.cond(shown, "Shown", "Show"),
                on_click=InspectorState.choose(flow["key"]),  # type: ignore[operator]
                disabled=shown,
                size="1",
                variant="soft",
                aria_label=rx.cond(
                    shown,
                    f"Shown: the steps of the flow started at {flow['started']}",
                    f"Show the steps of the flow started at {flow['started']}",
                ),
            )
        ),
    )


def recent_flows() -> rx.Component:
    """Recent attempts of every browser, and callbacks no browser claimed."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Started (UTC)"),
                rx.table.column_header_cell("What"),
                rx.table.column_header_cell("Who", display=WIDE_ONLY),
                rx.table.column_header_cell("Outcome", display=WIDE_ONLY),
                rx.table.column_header_cell("Browser", display=WIDE_ONLY),
                rx.table.column_header_cell("Steps"),
            )
        ),
        rx.table.body(rx.foreach(InspectorState.flows, _flow)),
        variant="surface",
        size="1",
        width="100%",
        id="inspector-flows",
    )


def _panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Protocol inspector", as_="h2", size="4"),
                live_badge(),
                align="center",
                spacing="3",
            ),
            rx.text(InspectorState.heading, size="2", weight="medium"),
            timeline(compact=True),
            rx.link("Open the full inspector, with the diagram", href="/inspector"),
            spacing="3",
        ),
        id="inspector-panel",
        on_mount=InspectorState.resume,
        aria_label="Protocol inspector",
    )


def with_inspector(flow: rx.Component) -> rx.Component:
    """`flow` with a toggle that shows the inspector beside it (off at first)."""
    return rx.vstack(
        rx.button(
            TOGGLE_LABEL,
            on_click=InspectorState.toggle_panel,
            aria_pressed=rx.cond(InspectorState.panel_open, "true", "false"),
            # Only while the panel exists: an id that is not there is an error.
            aria_controls=rx.cond(InspectorState.panel_open, "inspector-panel", ""),
            variant="soft",
            color_scheme="gray",
            size="1",
        ),
        # Side by side when there is room for both, one above the other if not.
        rx.flex(
            rx.box(flow, flex="1 1 320px"),
            rx.cond(InspectorState.panel_open, rx.box(_panel(), flex="1 1 320px")),
            wrap="wrap",
            gap="5",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
