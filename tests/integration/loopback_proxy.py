"""A forwarding HTTP proxy on loopback, standing between the product and a real server.

Every request goes on to the real endpoint (moto's KMS server, DynamoDB Local) and its
real answer comes back, except where a test plays the part of a compromised, misrouted
or failing endpoint: ``answer`` may rewrite an answer, or replace it before the request
is forwarded. Requests are named by their ``X-Amz-Target`` (``TrentService.Decrypt``,
``DynamoDB_20120810.BatchWriteItem``); ``seen`` lists them in order.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Exchange:
    """One request and the answer the client will get (a hook may change ``status``/``body``)."""

    target: str
    request: bytes
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


#: Called before forwarding (the exchange has no answer yet; setting ``status`` answers instead
#: of the server) and again after (the server's answer may be rewritten).
Hook = Callable[[Exchange, bool], None]

#: Hop-by-hop headers and those the proxy sets itself.
_SKIPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class LoopbackProxy:
    def __init__(self, upstream: str, hook: Hook | None = None) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream_host = parsed.hostname or "127.0.0.1"
        self.upstream_port = parsed.port or 80
        self.hook = hook
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                exchange = Exchange(self.headers.get("X-Amz-Target", ""), self.rfile.read(length))
                with proxy._lock:
                    proxy.seen.append(exchange.target)
                if proxy.hook is not None:
                    proxy.hook(exchange, False)
                if not exchange.status:
                    proxy._forward(self.command, self.path, list(self.headers.items()), exchange)
                    if proxy.hook is not None:
                        proxy.hook(exchange, True)
                self.send_response(exchange.status)
                for name, value in exchange.headers:
                    if name.lower() not in _SKIPPED:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(exchange.body)))
                self.end_headers()
                self.wfile.write(exchange.body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _forward(self, method: str, path: str, headers: list[tuple[str, str]], exchange: Exchange) -> None:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in _SKIPPED:
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(exchange.request)))
            connection.endheaders(exchange.request)
            response = connection.getresponse()
            exchange.status = response.status
            exchange.headers = response.getheaders()
            exchange.body = response.read()
        finally:
            connection.close()

    @contextmanager
    def running(self) -> Iterator[LoopbackProxy]:
        thread = threading.Thread(target=self._server.serve_forever, name="loopback-proxy", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(10)
