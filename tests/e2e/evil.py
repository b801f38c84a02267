"""Pages on origins that are not IA's: lookalikes an attacker could own.

Each origin serves a blank page; the tests put a script's message into it with
Playwright. Hosts under `.evil.test` resolve to 127.0.0.1 (a Chromium flag in
tests/conftest.py); one origin speaks TLS with a throwaway certificate.
"""

from __future__ import annotations

import contextlib
import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.e2e.stack import free_port

BLANK = b"<!doctype html><title>elsewhere</title><p>not Instant Access</p>"


class _Blank(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(BLANK)))
        self.end_headers()
        self.wfile.write(BLANK)

    def log_message(self, *args: object) -> None:
        pass


def _serve(port: int, tls: ssl.SSLContext | None = None) -> http.server.HTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Blank)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _tls(workdir: Path) -> ssl.SSLContext:
    key, cert = workdir / "evil.key", workdir / "evil.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _prefix_port(ia_port: int) -> Iterator[int]:
    """Ports whose origin is a prefix of IA's: 43567 → 4356, 435, 43, 4."""
    digits = str(ia_port)
    for end in range(len(digits) - 1, 0, -1):
        yield int(digits[:end])


@contextlib.contextmanager
def evil_origins(ia_origin: str, workdir: Path) -> Iterator[dict[str, str]]:
    """Serve blank pages on lookalike origins of `ia_origin` (http://host:port)."""
    ia_host, ia_port = ia_origin.removeprefix("http://").rsplit(":", 1)
    other = free_port()
    servers = [_serve(other)]
    for port in _prefix_port(int(ia_port)):
        with contextlib.suppress(OSError):
            servers.append(_serve(port))
            prefix = port
            break
    tls_port = free_port()
    servers.append(_serve(tls_port, _tls(workdir)))
    try:
        yield {
            "suffix host": f"http://{ia_host}.evil.test:{other}",
            "lookalike host": f"http://ia-{ia_host}.evil.test:{other}",
            "another port": f"http://{ia_host}:{other}",
            "origin prefix": f"http://{ia_host}:{prefix}",
            "https, not http": f"https://{ia_host}:{tls_port}",
        }
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
