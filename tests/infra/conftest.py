"""Fixtures for the adapter tests: a real HTTP server on 127.0.0.1, started per test."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    """What a test needs from the server: its base URL and every request it received."""

    host: str
    port: int
    requests: list[SeenRequest] = field(default_factory=list)

    def url(self, path: str, *, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, record: LocalServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.record = record
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up early (timeouts, size caps) break the pipe; that is the point of those tests.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record.requests.append(
            SeenRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/ok":
            self._send(200, b"hello", {"Content-Type": "text/plain; charset=utf-8", "X-Test": "yes"})
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"status")
        elif path.startswith("/bytes/"):
            self._send(200, b"x" * int(path.rsplit("/", 1)[1]), {"Content-Type": "application/octet-stream"})
        elif path.startswith("/stream/"):
            self._send_chunked(int(path.rsplit("/", 1)[1]))
        elif path == "/slow":
            if self.server.stopping.wait(float(query.get("seconds", "2"))):
                return
            self._send(200, b"late")
        elif path == "/redirect":
            self._send(int(query.get("status", "302")), b"", {"Location": query["to"]})
        elif path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif path == "/gzip":
            self._send(200, gzip.compress(b"z" * 1000), {"Content-Encoding": "gzip"})
        elif path == "/echo":
            payload = {
                "method": self.command,
                "body": body.decode("utf-8"),
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
            self._send(200, json.dumps(payload).encode(), {"Content-Type": "application/json"})
        else:
            self._send(404, b"no such route")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_chunked(self, total: int) -> None:
        # No Content-Length: the client only learns the size by reading, which is what the cap must survive.
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"y" * 16384
        sent = 0
        while sent < total:
            piece = chunk[: total - sent]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    record = LocalServer(host="127.0.0.1", port=0)
    server = _Server(record)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
