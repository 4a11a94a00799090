"""Downloading an official checkpoint: bytes go to a partial file in a hidden folder beside the
target (.downloads/) and resume with an HTTP Range request after an interruption; the sha256 is
checked before an atomic rename into place; a lock keeps two processes from writing the same partial
file; a small status record tells other processes (the web server, the UI) what happened and why."""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from models.checkpoints import BASE_URL_ENV, DEFAULT_CHECKPOINT_DIR, CheckpointError, checkpoint_info, sha256_file

CONNECT_TIMEOUT = 3.0  # seconds to resolve and reach the host; offline machines give up this fast
READ_TIMEOUT = 30.0  # seconds without a byte before a download counts as stalled (it resumes later)
BLOCK = 1 << 20


class HostUnreachable(OSError):
    """The checkpoint host (or the proxy in front of it) did not answer within the connect timeout."""


class DownloadBusy(OSError):
    """Another process holds the lock on this checkpoint's partial file."""


@dataclass(frozen=True)
class FetchStatus:
    """What the last download of a checkpoint did. state: "downloading", "done" or "failed";
    reason: why it failed; received / total: bytes; updated: Unix time."""

    state: str
    reason: str | None = None
    received: int = 0
    total: int | None = None
    updated: float = 0.0


def checkpoint_url(name: str, base_url: str | None = None) -> str:
    """Where a checkpoint is fetched from: `base_url`, else $MODEL_CHECKPOINT_BASE_URL (a mirror),
    else Meta's host, followed by the official file name."""
    info = checkpoint_info(name)
    if info.base_url is None:
        raise ValueError(f"{info.name} is a local test checkpoint; build it with models.tiny, it cannot be fetched")
    base = base_url or os.environ.get(BASE_URL_ENV) or info.base_url
    return base.rstrip("/") + "/" + info.file_name


def partial_path(target: Path) -> Path:
    """Where the bytes of `target` gather until they are verified: a hidden folder beside it."""
    return _work_folder(target) / f"{target.name}.part"


def status_path(target: Path) -> Path:
    return _work_folder(target) / f"{target.name}.status.json"


def _work_folder(target: Path) -> Path:
    return target.parent / ".downloads"


def read_status(target: Path) -> FetchStatus | None:
    """The status record of the checkpoint file `target`, or None when there is none (or it is unreadable)."""
    try:
        raw = json.loads(status_path(target).read_text())
        return FetchStatus(**{k: raw[k] for k in ("state", "reason", "received", "total", "updated") if k in raw})
    except (OSError, ValueError, TypeError):
        return None


def write_status(target: Path, status: FetchStatus) -> None:
    """Write the record atomically; best effort (a read-only folder only loses the record)."""
    path = status_path(target)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(asdict(status)))
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)


def probe(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Raise HostUnreachable unless a TCP connection to the URL's host (or its proxy) opens within
    `timeout` seconds. Name resolution runs in a thread because socket timeouts do not bound it."""
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as error:
            outcome.append(error)

    worker = threading.Thread(target=connect, daemon=True, name=f"probe {host}")
    worker.start()
    worker.join(timeout)
    if not outcome or isinstance(outcome[0], TimeoutError):
        raise HostUnreachable(f"no answer from {host}:{port} within {timeout:g} s (offline?)")
    if outcome[0] is not None:
        raise HostUnreachable(f"cannot reach {host}:{port}: {outcome[0]}")


@contextmanager
def download_lock(target: Path) -> Iterator[None]:
    """Hold the checkpoint's lock file for the duration, or raise DownloadBusy at once."""
    lock_path = _work_folder(target) / f"{target.name}.lock"
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise DownloadBusy(f"another process is downloading {target.name}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch(
    name: str,
    directory: Path = DEFAULT_CHECKPOINT_DIR,
    *,
    base_url: str | None = None,
    progress: bool = True,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> Path:
    """Download an official checkpoint into `directory` and return its path.

    A file already present with the right sha256 is kept. Otherwise the host is probed (give up
    after `connect_timeout`), bytes are appended to `.<file>.part` (resuming with a Range request
    when one is left from an interrupted run), the whole file's sha256 is checked, and only then
    is it renamed into place. A wrong sha256 after resuming restarts once from zero; a wrong sha256
    of a whole download removes the partial file and raises CheckpointError. A dropped connection
    keeps the partial file for the next run and raises OSError. The status record is kept current.
    """
    url = checkpoint_url(name, base_url)
    info = checkpoint_info(name)
    directory = Path(directory)
    target = directory / info.file_name
    _work_folder(target).mkdir(parents=True, exist_ok=True)
    if target.is_file() and info.sha256 is not None and sha256_file(target) == info.sha256:
        return target
    reporter = _Reporter(target, info.file_name, progress)
    try:
        probe(url, connect_timeout)
        with download_lock(target):
            restarted = False
            while True:
                resumed = _download(url, partial_path(target), info.size_bytes, read_timeout, reporter)
                actual = sha256_file(partial_path(target))
                if info.sha256 is None or actual == info.sha256:
                    os.replace(partial_path(target), target)
                    reporter.finish(FetchStatus("done", None, reporter.received, reporter.total, time.time()))
                    return target
                partial_path(target).unlink(missing_ok=True)
                if not resumed or restarted:  # a stale partial file may explain one mismatch, not two
                    raise CheckpointError(
                        f"downloaded {info.file_name} has sha256 {actual}, expected {info.sha256}; refused"
                    )
                restarted = True
    except DownloadBusy:
        reporter.close()
        raise
    except (OSError, CheckpointError) as error:
        reporter.finish(FetchStatus("failed", str(error), reporter.received, reporter.total, time.time()))
        raise
    except BaseException:  # Ctrl+C: the partial file stays for the next run to resume
        reporter.finish(FetchStatus("failed", "interrupted", reporter.received, reporter.total, time.time()))
        raise


def _download(url: str, part: Path, size: int | None, read_timeout: float, reporter: _Reporter) -> bool:
    """Append the rest of `url` to `part`; returns whether it resumed an earlier partial file."""
    offset = part.stat().st_size if part.exists() else 0
    if size is not None and offset >= size:
        offset = 0  # as long as the whole file or longer: cannot be a prefix worth resuming
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        response = urllib.request.urlopen(request, timeout=read_timeout)
    except urllib.error.HTTPError as error:
        if error.code != 416 or offset == 0:
            raise OSError(f"{url} answered HTTP {error.code} {error.reason}") from error
        offset = 0  # the server says the partial file does not fit: start again
        response = urllib.request.urlopen(urllib.request.Request(url), timeout=read_timeout)
    with response:
        resumed = offset > 0 and response.status == 206 and _range_start(response) == offset
        length = int(response.headers.get("Content-Length") or 0) or None
        total = (offset + length if resumed else length) if length else size
        mode = "ab" if resumed else "wb"
        reporter.start(offset if resumed else 0, total)
        received = 0
        with open(part, mode) as out:
            try:
                for block in iter(lambda: response.read1(BLOCK), b""):  # as bytes arrive
                    out.write(block)
                    received += len(block)
                    reporter.advance(len(block))
            except http.client.HTTPException as error:  # e.g. IncompleteRead: not an OSError
                raise OSError(f"download broke off after {received} bytes ({error!r}); the next run resumes") from error
        if length is not None and received != length:
            raise OSError(f"connection closed after {received} of {length} bytes; the next run resumes")
    return resumed


def _range_start(response) -> int | None:
    """First byte of a 206 answer's Content-Range ("bytes 100-199/200" -> 100)."""
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


class _Reporter:
    """The progress bar for people, and the status record (at most once a second) for other processes."""

    def __init__(self, target: Path, label: str, progress: bool):
        self.target, self.label, self.progress = target, label, progress
        self.received: int = 0
        self.total: int | None = None
        self._bar = None
        self._written = 0.0

    def start(self, already: int, total: int | None) -> None:
        from tqdm import tqdm

        self.close()
        self.received, self.total = already, total
        self._bar = tqdm(
            total=total,
            initial=already,
            unit="B",
            unit_scale=True,
            desc=self.label,
            disable=not self.progress,
            mininterval=0.5 if sys.stderr.isatty() else 15.0,  # a worker's log gets a line every 15 s, not a flood
        )
        write_status(self.target, FetchStatus("downloading", None, already, total, time.time()))

    def advance(self, count: int) -> None:
        self.received += count
        if self._bar is not None:
            self._bar.update(count)
        now = time.monotonic()
        if now - self._written >= 1.0:
            self._written = now
            write_status(self.target, FetchStatus("downloading", None, self.received, self.total, time.time()))

    def finish(self, status: FetchStatus) -> None:
        self.close()
        write_status(self.target, status)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
