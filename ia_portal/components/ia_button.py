"""The IA button as a Reflex component, wrapping our own `assets/ia_button.jsx`.

Usage::

    ia_button(
        ia_origin="http://localhost:8001",
        frame_src=MyState.frame_src,   # "" keeps the frame closed
        label="Sign in with Instant Access",
        on_open=MyState.open_frame,
        on_success=MyState.ia_success,  # receives usernameOrEmail
        ...
    )
"""

from __future__ import annotations

import reflex as rx
from reflex.event import no_args_event_spec, passthrough_event_spec


class IAButton(rx.Component):
    """The button that opens IA's frame, and the frame's messages as events."""

    # Files in assets/ are served from public/; the JSX is imported from there.
    library = "$/public/ia_button.jsx"
    tag = "IAButton"

    # The exact origin IA's frame posts from (scheme://host[:port]).
    ia_origin: rx.Var[str]
    # Where the frame loads from; empty while the frame is closed.
    frame_src: rx.Var[str]
    # The button's accessible name and text.
    label: rx.Var[str]
    # True while the portal prepares the frame: the button is disabled.
    busy: rx.Var[bool]

    on_open: rx.EventHandler[no_args_event_spec]
    on_success: rx.EventHandler[passthrough_event_spec(str)]
    on_denied: rx.EventHandler[passthrough_event_spec(str)]
    on_timeout: rx.EventHandler[passthrough_event_spec(str)]
    on_alert: rx.EventHandler[passthrough_event_spec(str)]
    on_close: rx.EventHandler[no_args_event_spec]
    on_reject: rx.EventHandler[passthrough_event_spec(str)]


ia_button = IAButton.create
