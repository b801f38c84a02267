"""``python -m ia_sandbox``: prepare the database and serve on SANDBOX_URL.

Exit status 2 with one line on stderr when a setting is missing or
malformed, or the database cannot be opened.
"""

import logging
import sys

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from ia_sandbox.app import create_app
from ia_sandbox.config import SettingsError, load_settings
from ia_sandbox.db import create_tables, make_engine
from ia_sandbox.logs import configure as configure_logging
from ia_sandbox.seed import seed_demo_users

logger = logging.getLogger("ia_sandbox")


def main() -> int:
    """Run the sandbox until interrupted; return the process's exit status."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"ia_sandbox: {exc}", file=sys.stderr)
        return 2

    configure_logging()
    engine = make_engine(settings)
    try:
        create_tables(engine)
        seed_demo_users(engine)
    except SQLAlchemyError as exc:
        # The driver's own message says what is wrong (a missing directory…).
        cause = getattr(exc, "orig", None)
        reason = str(cause) if cause else type(exc).__name__
        print(
            f"ia_sandbox: cannot open SANDBOX_DATABASE_URL: {reason}", file=sys.stderr
        )
        return 2

    logger.info(
        "Instant Access sandbox for %s on %s (phone app: %s/app)",
        settings.partner_name,
        settings.url,
        settings.url,
    )
    uvicorn.run(
        create_app(settings, engine),
        host=settings.bind_host,
        port=settings.bind_port,
        log_level="info",
        log_config=None,  # keep our handler, which redacts the client secret
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
