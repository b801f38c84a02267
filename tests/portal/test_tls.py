"""The portal verifies IA's TLS certificate (IA's PHP samples switch that off).

An HTTPS server with a self-signed certificate stands in for a man in the
middle: it answers the code exchange as IA would, yet the portal refuses to
talk to it, while a client that trusts that certificate gets its answer.
"""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ia_portal import ia_client
from ia_portal.config import Settings
from tests.portal.aio import run_async
from tests.portal.conftest import TEST_TOKEN_KEY

TOKEN_ANSWER = json.dumps({"access_token": "a-token", "token_type": "Bearer"}).encode()


class _TokenEndpoint(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(TOKEN_ANSWER)))
        self.end_headers()
        self.wfile.write(TOKEN_ANSWER)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS token endpoint with a certificate no authority signed."""
    key, cert = tmp_path / "ia.key", tmp_path / "ia.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://localhost:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_a_certificate_no_authority_signed_is_refused(
    self_signed: tuple[str, Path],
) -> None:
    url, cert = self_signed
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ia_server_url=url,
        ia_client_id="client",
        ia_client_secret="secret",
        token_encryption_keys=TEST_TOKEN_KEY,
        ia_http_timeout=5,
    )

    # The server does answer a token to a client that trusts its certificate.
    trusting = ssl.create_default_context(cafile=str(cert))
    answer = httpx.post(f"{url}{ia_client.TOKEN_PATH}", verify=trusting, timeout=5)
    assert answer.json()["access_token"] == "a-token"

    with pytest.raises(ia_client.IAUnavailable) as refused:
        run_async(ia_client.exchange_code(settings, "a-code"))
    assert str(refused.value) == (
        "IA could not be reached for the code exchange (ConnectError)"
    )
