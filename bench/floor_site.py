"""The sign-in latency's floor: a bare page that receives IA's message.

`python -m bench.floor_site PORT` serves `floor_page.html` at `/` and answers
IA's callbacks (`/ia/callback`) with 200 and nothing else, so a sandbox
registered for this origin approves at once and its frame posts `success`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

PAGE = Path(__file__).with_name("floor_page.html")


async def page(_request: Request) -> Response:
    return FileResponse(PAGE, headers={"Cache-Control": "no-store"})


async def callback(_request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/", page, methods=["GET"]),
        Route("/ia/callback", callback, methods=["GET", "POST"]),
    ]
)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
