"""The IA button wired to a page state that mixes in `IAFrameMixin`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ia_portal.components.ia_button import ia_button
from ia_portal.config import get_settings

# One showing of a page: the document's start time (new on every reload) and
# the history entry's key (new on every navigation inside the app).
SHOWING: rx.Var[str] = rx.Var(
    _js_expr="`${performance.timeOrigin}/${window.history.state?.key ?? ''}`",
    _var_type=str,
)


def ia_flow(state: Any, label: str) -> rx.Component:
    """The button (or IA's frame) and the live status line under it.

    Args:
        state: a state class that mixes in `IAFrameMixin` and defines
            `open_frame` and `ia_success`.
        label: the button's text and accessible name.
    """
    return rx.vstack(
        ia_button(
            ia_origin=get_settings().ia_origin,
            frame_src=state.frame_src,
            label=label,
            busy=state.busy,
            on_open=state.open_frame,
            on_success=state.ia_success,
            on_denied=state.ia_denied,
            on_timeout=state.ia_timeout,
            on_alert=state.ia_alert,
            on_close=state.ia_close,
            on_reject=state.ia_reject,
        ),
        rx.hstack(
            # While IA's frame is open or the portal acts on its answer.
            rx.cond(
                (state.frame_src != "") | state.busy,
                rx.spinner(size="2", aria_hidden="true"),
            ),
            rx.text(state.status, role="status", aria_live="polite", id="ia-status"),
            align="center",
            spacing="2",
        ),
        spacing="3",
        width="100%",
        # Once per page shown; `on_load` also runs on every socket reconnect.
        on_mount=state.page_opened(SHOWING),
    )
