"""Reflex configuration, derived from the portal's checked settings."""

import sys

import reflex as rx

from ia_portal.config import SettingsError, get_settings

try:
    settings = get_settings()
except SettingsError as error:
    # One clear line instead of a traceback; start-up stops here.
    sys.exit(f"ia_portal: {error}")

config = rx.Config(
    app_name="ia_portal",
    db_url=settings.database_url,
    # With a Redis URL, Reflex keeps tab states and socket owners in Redis and
    # relays a state change to the worker holding the tab's websocket.
    redis_url=settings.redis_url or None,
    api_url=settings.portal_api_url,
    deploy_url=settings.portal_url,
    frontend_port=settings.frontend_port,
    backend_port=settings.backend_port,
    cors_allowed_origins=[settings.portal_origin],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", radius="large")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
