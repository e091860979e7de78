"""A real HTTP server on 127.0.0.1 for fetcher and feed tests: the example pages and feeds, and the ways a web
server misbehaves (slow answers, redirect loops, 404/500, 429 with Retry-After, robots.txt, oversized bodies)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).resolve().parents[1] / "examples" / "feeds"
EXAMPLE_PORT = "127.0.0.1:8765"


@dataclass
class LocalWeb:
    """The running server: its base URL, the requests it saw, and per-path answers the test can change."""

    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def _example(name: str, host: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(EXAMPLE_PORT.encode(), host.encode())


def _handler(web: LocalWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                 length: bool = True) -> None:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path
            web.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            hit = web.hits[path] = web.hits.get(path, 0) + 1
            host = web.base.removeprefix("http://")
            html = {"Content-Type": "text/html; charset=utf-8"}
            if path in web.pages:
                status, headers, body = web.pages[path]
                self.send(status, body, headers)
            elif path == "/robots.txt":
                self.send(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
            elif (page := path.partition("?")[0]).endswith(".html") and (FEEDS / page.lstrip("/")).is_file():
                self.send(200, _example(page.lstrip("/"), host), html)
            elif path in ("/rss.xml", "/atom.xml"):
                etag = f'"{path}-v1"'
                if self.headers.get("If-None-Match") == etag:
                    self.send(304, b"", {"ETag": etag})
                else:
                    kind = "application/rss+xml" if path == "/rss.xml" else "application/atom+xml"
                    self.send(200, _example(path.lstrip("/"), host), {"Content-Type": kind, "ETag": etag})
            elif path == "/private/page.html":
                self.send(200, b"<html><body><p>secret</p></body></html>", html)
            elif path == "/slow":
                time.sleep(1.0)
                self.send(200, b"late", {"Content-Type": "text/plain"})
            elif path == "/loop-a":
                self.send(302, b"", {"Location": "/loop-b"})
            elif path == "/loop-b":
                self.send(302, b"", {"Location": "/loop-a"})
            elif path == "/moved":
                self.send(301, b"", {"Location": "/harbour-flooding.html"})
            elif path == "/to-private":
                self.send(302, b"", {"Location": "/private/page.html"})
            elif path == "/missing":
                self.send(404, b"not here", {"Content-Type": "text/plain"})
            elif path == "/broken":
                self.send(500, b"oops", {"Content-Type": "text/plain"})
            elif path == "/flaky":
                if hit == 1:
                    self.send(503)
                else:
                    self.send(200, b"Flaky\n\nFine now.", {"Content-Type": "text/plain"})
            elif path == "/busy":
                if hit == 1:
                    self.send(429, b"", {"Retry-After": "1"})
                else:
                    self.send(200, b"Busy\n\nServed after waiting.", {"Content-Type": "text/plain"})
            elif path == "/very-busy":
                self.send(429, b"", {"Retry-After": "3600"})
            elif path == "/huge":  # no Content-Length: the fetcher must stop reading by itself
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(200):
                        self.wfile.write(b"<p>" + b"x" * 8192 + b"</p>")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
            elif path == "/declared-huge":
                self.send(200, b"", {"Content-Type": "text/html", "Content-Length": "50000000"}, length=False)
                self.close_connection = True
            elif path == "/image.png":
                self.send(200, b"\x89PNG\r\n", {"Content-Type": "image/png"})
            else:
                self.send(404, b"not found", {"Content-Type": "text/plain"})

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up early (a fetcher that stopped reading) is expected here, not an error."""


@contextmanager
def local_web() -> Iterator[LocalWeb]:
    """Serve on a free port of 127.0.0.1 in a background thread for the duration of the block."""
    web = LocalWeb(base="")
    server = _QuietServer(("127.0.0.1", 0), _handler(web))
    web.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
