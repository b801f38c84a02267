"""The Reflex app: pages, the IA button's stylesheet, and the backend routes."""

from __future__ import annotations

import reflex as rx

from ia_portal.config import get_settings
from ia_portal.logs import configure_logging
from ia_portal.pages.checkout import checkout_page
from ia_portal.pages.inspector import inspector_page
from ia_portal.pages.profile import profile_page
from ia_portal.pages.signin import signin_page
from ia_portal.routes import create_routes
from ia_portal.socket_owners import ForgetDeadOwners
from ia_portal.state.checkout import CheckoutState
from ia_portal.state.inspector import InspectorState
from ia_portal.state.session import SessionState
from ia_portal.state.signin import SignInState

_settings = get_settings()
configure_logging(
    secrets=(_settings.ia_client_secret.get_secret_value(), *_settings.token_keys)
)

app = rx.App(
    stylesheets=["/portal.css"],
    # IA's routes around Reflex's backend; around both, the check that lets a
    # tab whose worker died reconnect to its own state (several workers).
    api_transformer=[create_routes(), ForgetDeadOwners],
)
app.add_page(
    signin_page,
    route="/",
    title="Sign in · IA Portal",
    on_load=SignInState.load_page,
)
app.add_page(
    profile_page,
    route="/profile",
    title="Your profile · IA Portal",
    on_load=SessionState.require_session,
)
app.add_page(
    checkout_page,
    route="/checkout",
    title="Checkout · IA Portal",
    on_load=CheckoutState.load_page,
)
app.add_page(
    inspector_page,
    route="/inspector",
    title="Protocol inspector · IA Portal",
    on_load=InspectorState.load_inspector,
)
