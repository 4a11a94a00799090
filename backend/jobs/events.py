"""Pushed events between processes: a worker publishes on a channel (a video session's), and every
web process delivers the message to the pages subscribed to that channel, the moment it arrives.

Two buses, chosen like the broker:
- Redis (CELERY_BROKER_URL redis://...): PUBLISH; each web process holds ONE pattern subscription
  on a listener thread and fans messages out to its subscribers, however many pages are open.
- Embedded (no servers): each subscribing process binds one Unix datagram socket in a folder named
  after VAR_DIR; a publisher sends the message to every socket there (a socket nobody reads any more
  is removed). Datagrams are delivered at once by the kernel: no file is polled.

A message never blocks nor fails its publisher: publishing is best effort, and a subscriber that
missed messages (a bus reconnect, a full queue, a message too big for a datagram) gets
{"type": "resync"} and reads what it missed from the database, which stays the truth.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import queue
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path

import redis
from django.conf import settings

log = logging.getLogger(__name__)

RESYNC = {"type": "resync"}
MAX_DATAGRAM = 200_000  # under Linux's default socket buffer (212992 bytes)
QUEUE_LIMIT = 10_000  # messages a slow subscriber may fall behind before it must resync


class Subscription:
    """Messages of some channels for one reader: `get(timeout)` from a thread, or `await aget(timeout)`
    from the event loop it was opened on (an ASGI stream); both answer None after `timeout`."""

    def __init__(self, hub: "Hub", channels: list[str], loop: asyncio.AbstractEventLoop | None):
        self.hub, self.channels, self.loop = hub, channels, loop
        self._queue: queue.SimpleQueue | asyncio.Queue = asyncio.Queue() if loop else queue.SimpleQueue()
        self._size = 0
        self._overflowed = False

    def deliver(self, message: dict) -> None:  # on the hub's listener thread
        if self._size >= QUEUE_LIMIT:
            if self._overflowed:
                return
            self._overflowed, message = True, RESYNC
        self._size += 1
        if self.loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the page is gone
                self.loop.call_soon_threadsafe(self._queue.put_nowait, message)
        else:
            self._queue.put(message)

    def _taken(self, message: dict) -> dict:
        self._size -= 1
        if message is RESYNC:
            self._overflowed = False
        return message

    def get(self, timeout: float) -> dict | None:
        try:
            return self._taken(self._queue.get(timeout=timeout))  # type: ignore[call-arg]
        except queue.Empty:
            return None

    async def aget(self, timeout: float) -> dict | None:
        try:
            return self._taken(await asyncio.wait_for(self._queue.get(), timeout))  # type: ignore[misc]
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub.remove(self)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *_) -> None:
        self.close()


class Hub:
    """This process's subscribers by channel, fed by one listener thread started with the first."""

    def __init__(self):
        self._by_channel: dict[str, set[Subscription]] = {}
        self._lock = threading.Lock()
        self._listening = False

    def subscribe(self, channels: list[str], loop: asyncio.AbstractEventLoop | None = None) -> Subscription:
        self.start_listening()
        subscription = Subscription(self, channels, loop)
        with self._lock:
            for channel in channels:
                self._by_channel.setdefault(channel, set()).add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        with self._lock:
            for channel in subscription.channels:
                members = self._by_channel.get(channel)
                if members is not None:
                    members.discard(subscription)
                    if not members:
                        del self._by_channel[channel]

    def dispatch(self, channel: str, message: dict) -> None:
        with self._lock:
            members = list(self._by_channel.get(channel, ()))
        for subscription in members:
            subscription.deliver(message)

    def resync_all(self) -> None:
        with self._lock:
            members = {s for group in self._by_channel.values() for s in group}
        for subscription in members:
            subscription.deliver(RESYNC)

    def start_listening(self) -> None:
        with self._lock:
            if self._listening:
                return
            self._listening = True
        self.ready = threading.Event()
        threading.Thread(target=self.listen, name="events-listener", daemon=True).start()
        self.ready.wait(5)

    def listen(self) -> None:
        raise NotImplementedError

    def publish(self, channel: str, message: dict) -> None:
        raise NotImplementedError


class RedisHub(Hub):
    def __init__(self, url: str, prefix: str):
        super().__init__()
        self.url, self.prefix = url, f"{prefix}events:"
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    def publish(self, channel: str, message: dict) -> None:
        try:
            self._client.publish(self.prefix + channel, json.dumps(message, separators=(",", ":")))
        except redis.RedisError as exc:
            log.warning("event on %s not published: %s", channel, exc)

    def listen(self) -> None:
        delay = 0.5
        while True:
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=15)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(self.prefix + "*")
                self.ready.set()
                self.resync_all()  # anything published while (re)connecting is read from the database
                delay = 0.5
                for item in pubsub.listen():
                    if item.get("type") == "pmessage":
                        channel = item["channel"].decode()[len(self.prefix) :]
                        self.dispatch(channel, json.loads(item["data"]))
            except Exception as exc:  # Redis restarted or unreachable: reconnect with back-off
                log.warning("event listener lost Redis (%s); reconnecting in %.1f s", exc, delay)
                self.ready.set()
                time.sleep(delay)
                delay = min(delay * 2, 10)


class SocketHub(Hub):
    """The embedded bus: one datagram socket per subscribing process, in a folder every process of
    this VAR_DIR finds (short, for the 108-byte limit on socket paths)."""

    def __init__(self, var_dir: Path):
        super().__init__()
        digest = hashlib.sha1(str(Path(var_dir).resolve()).encode()).hexdigest()[:12]
        self.folder = Path(tempfile.gettempdir()) / f"segdata-events-{digest}"
        self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sender.setblocking(False)

    def publish(self, channel: str, message: dict) -> None:
        data = json.dumps({"c": channel, "m": message}, separators=(",", ":")).encode()
        if len(data) > MAX_DATAGRAM:
            data = json.dumps({"c": channel, "m": RESYNC}).encode()
        try:
            paths = list(self.folder.glob("*.sock"))
        except OSError:
            return
        for path in paths:
            try:
                self._sender.sendto(data, str(path))
            except (ConnectionRefusedError, FileNotFoundError):  # its process is gone
                path.unlink(missing_ok=True)
            except (BlockingIOError, OSError) as exc:  # its reader is behind: it resyncs
                log.warning("event on %s not delivered to %s: %s", channel, path.name, exc)

    def listen(self) -> None:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        path = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        receiver.bind(str(path))
        self.ready.set()
        while True:
            data = receiver.recv(MAX_DATAGRAM + 1024)
            try:
                envelope = json.loads(data)
            except ValueError:
                continue
            self.dispatch(envelope["c"], envelope["m"])


_hub: Hub | None = None
_hub_lock = threading.Lock()


def hub() -> Hub:
    global _hub
    with _hub_lock:
        if _hub is None:
            if settings.CELERY_BROKER_URL.startswith("redis://"):
                _hub = RedisHub(settings.CELERY_BROKER_URL, os.environ.get("CELERY_KEY_PREFIX", ""))
            else:
                _hub = SocketHub(settings.VAR_DIR)
        return _hub


def publish(channel: str, message: dict) -> None:
    """Send `message` to every page subscribed to `channel`; never raises, never waits on a reader."""
    try:
        hub().publish(channel, message)
    except Exception:
        log.exception("event on %s not published", channel)


def subscribe(channels: list[str], loop: asyncio.AbstractEventLoop | None = None) -> Subscription:
    """Messages published on `channels` from now on (pass the running loop to read them with aget)."""
    return hub().subscribe(channels, loop)
