"""The callback throughput's floor: the least a partner's callback can do.

`GET /ia/callback?code=…&state=…` trades the code (`POST /api/oauth/token`),
reads the user (`GET /api/public/user`) and upserts one row; `POST
/ia/callback` with `user_id` reads that user again with the stored token and
upserts the row. The same HTTP calls the portal makes, against the same
sandbox, through one shared HTTP client, and one SQLite upsert each: no
checks beyond what keeps it correct, no retries, no encryption, no records.

Served by Granian with one worker, as Reflex serves the portal in prod mode:
`granian --interface asgi bench.floor_callback:app`. Reads IA_SERVER_URL,
IA_CLIENT_ID, IA_CLIENT_SECRET, IA_CALLBACK_URL and FLOOR_DATABASE (a SQLite
file) from the environment.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

IA = os.environ.get("IA_SERVER_URL", "")
DATABASE = os.environ.get("FLOOR_DATABASE", "floor.db")
UPSERT = """
INSERT INTO ia_user (ia_user_id, username, email, name, phone, access_token)
VALUES (:id, :username, :email, :name, :phone, :token)
ON CONFLICT (ia_user_id) DO UPDATE SET username = excluded.username,
    email = excluded.email, name = excluded.name, phone = excluded.phone,
    access_token = excluded.access_token
"""


def _connect() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, timeout=5)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def _create_table() -> None:
    with _connect() as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS ia_user (ia_user_id INTEGER PRIMARY KEY, "
            "username TEXT, email TEXT, name TEXT, phone TEXT, access_token TEXT)"
        )
    connection.close()


def _upsert(user: dict[str, Any], token: str) -> None:
    with _connect() as connection:
        connection.execute(UPSERT, {"phone": None, **user, "token": token})
    connection.close()


def _token_of(user_id: int) -> str | None:
    with _connect() as connection:
        row = connection.execute(
            "SELECT access_token FROM ia_user WHERE ia_user_id = ?", (user_id,)
        ).fetchone()
    connection.close()
    return row[0] if row else None


async def _user(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    answer = await client.get(
        f"{IA}/api/public/user", headers={"Authorization": f"Bearer {token}"}
    )
    answer.raise_for_status()
    user: dict[str, Any] = answer.json()["data"]
    return user


async def approval(request: Request) -> Response:
    client: httpx.AsyncClient = request.app.state.client
    form = {
        "client_id": os.environ["IA_CLIENT_ID"],
        "client_secret": os.environ["IA_CLIENT_SECRET"],
        "code": request.query_params["code"],
        "redirect_uri": os.environ["IA_CALLBACK_URL"],
        "grant_type": "authorization_code",
    }
    exchanged = await client.post(f"{IA}/api/oauth/token", data=form)
    exchanged.raise_for_status()
    token = exchanged.json()["access_token"]
    user = await _user(client, token)
    await run_in_threadpool(_upsert, user, token)
    return JSONResponse({"status": "ok"})


async def profile_changed(request: Request) -> Response:
    client: httpx.AsyncClient = request.app.state.client
    user_id = int((await request.form())["user_id"])  # type: ignore[arg-type]
    token = await run_in_threadpool(_token_of, user_id)
    if token is None:
        return JSONResponse({"status": "error"}, status_code=404)
    user = await _user(client, token)
    await run_in_threadpool(_upsert, user, token)
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    _create_table()
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        app.state.client = client
        yield


app = Starlette(
    routes=[
        Route("/ia/callback", approval, methods=["GET"]),
        Route("/ia/callback", profile_changed, methods=["POST"]),
        Route("/healthz", lambda _request: JSONResponse({}), methods=["GET"]),
    ],
    lifespan=lifespan,
)
