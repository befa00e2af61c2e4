"""A local fake HTTP server per test (http.server in a thread, a free port, no network)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class FakeServer:
    url: str
    requests: list[dict] = field(default_factory=list)
    replies: list[tuple[int, dict]] = field(default_factory=list)  # answered in order; then 200 {"error": 0}


@pytest.fixture
def fake_server():
    state = FakeServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            # headers: the message object, looked up case-insensitively as HTTP does
            state.requests.append({"method": "POST", "path": self.path, "headers": self.headers,
                                   "json": json.loads(raw or b"null")})
            status, body = state.replies.pop(0) if state.replies else (200, {"error": 0, "id": "m-1"})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_on(settings, fake_server):
    settings.SMS_GATEWAY_URL = f"{fake_server.url}/sms/send"
    settings.SMS_GATEWAY_TOKEN = "sms-secret"
    settings.SMS_SENDER_ID = "iHanoi"
    return fake_server


@pytest.fixture
def zalo_on(settings, fake_server):
    settings.ZALO_OA_API_URL = fake_server.url
    settings.ZALO_OA_ACCESS_TOKEN = "zalo-secret"
    return fake_server
