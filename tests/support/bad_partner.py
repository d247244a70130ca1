"""A misbehaving partner on loopback: answers that trickle, answers far too large, redirects.

Counts the requests each path received, so tests can show what was (not) fetched.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE_BYTES = 24 * 1024 * 1024
TRICKLE_SECONDS = 6.0


class BadPartner:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.huge_bytes_sent = 0
        partner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self._answer()

            def _answer(self) -> None:
                path = self.path.split("?")[0]
                partner.hits[path] += 1
                try:
                    if path.startswith("/trickle"):
                        self._trickle()
                    elif path.startswith("/huge"):
                        self._huge(declared=path.endswith("declared"))
                    elif path == "/redirect":
                        self.send_response(302)
                        self.send_header("Location", "/target")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        body = b'{"status": "active", "keys": []}'
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _trickle(self) -> None:
                body = b'{"status": "active", "keys": []}'
                pause = TRICKLE_SECONDS / len(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(pause)

            def _huge(self, *, declared: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if declared:
                    self.send_header("Content-Length", str(HUGE_BYTES))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                chunk = b" " * 65536
                for _ in range(HUGE_BYTES // len(chunk)):
                    self.wfile.write(chunk)
                    partner.huge_bytes_sent += len(chunk)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
