"""A checkpoint host for tests: serves bytes under official file names from a thread the test owns,
answers Range requests (or ignores them, like a plain server), and can drop the connection part way."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field


@dataclass
class CheckpointHost:
    """files: name -> bytes served at /name. honour_range: answer "Range: bytes=N-" with 206;
    drop_after: send the full Content-Length but close after this many body bytes (once, then
    serve normally); stall_after: send this many body bytes, then wait until `release` is set.
    requests: (path, Range header or None) in arrival order."""

    files: dict[str, bytes] = field(default_factory=dict)
    honour_range: bool = True
    drop_after: int | None = None
    stall_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base_url: str = ""
    _server: http.server.ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> CheckpointHost:
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.lstrip("/")
                host.requests.append((self.path, self.headers.get("Range")))
                if name not in host.files:
                    self.send_error(404)
                    return
                body = host.files[name]
                start = 0
                wanted = self.headers.get("Range")
                if wanted and host.honour_range and wanted.startswith("bytes=") and wanted.endswith("-"):
                    start = int(wanted[6:-1])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                part = body[start:]
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if host.stall_after is not None:
                    self.wfile.write(part[: host.stall_after])
                    self.wfile.flush()
                    host.release.wait(60)
                    return
                if host.drop_after is not None:
                    cut, host.drop_after = host.drop_after, None
                    self.wfile.write(part[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(part)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
