"""A video session's pushed updates: the masks its worker stores (prompted frames, propagated frames
as they stream) and its jobs' progress and end, as server-sent events on one long response per page.

Under ASGI (the web servers `make run` and the Dockerfile start) each open page is one coroutine
waiting on its subscription (plus the parked thread of Django's request context, which does no
work), and never one of a bounded pool of request threads; under plain WSGI (the test server) each
page holds one thread. Either way a page holds no database connection, and a web process holds one
subscription to the bus (backend.jobs.events), whatever the number of pages.
"""

import asyncio
import json

from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import StreamingHttpResponse
from django.utils import timezone

from backend.annotations.frame_upsert import FrameRow
from backend.annotations.models import Masklet, MaskletFrame
from backend.core.compiled import CompiledQuery
from backend.inference.models import VideoSession
from backend.jobs.events import publish, subscribe

KEEPALIVE_SECONDS = 15.0
HELLO = {"type": "hello"}  # sent once subscribed: the page reads what it missed before it


def session_channel(session_id: int) -> str:
    """The channel of a session (also the channel of its jobs: backend.jobs.services.job_channel)."""
    return f"{VideoSession._meta.label_lower}:{session_id}"


def frame_row(row: FrameRow | MaskletFrame, object_id: int) -> dict:
    """A stored masklet frame as the masklets endpoint answers it."""
    return {
        "object_id": object_id,
        "frame": row.frame_index,
        "rle": row.rle,
        "area": row.area,
        "edited": row.edited,
        "source": row.source,
        "updated_at": (row.updated_at or timezone.now()).isoformat(),
    }


# Read with every batch a propagation stores (a few tens of times a second, on the writer's thread
# beside the tracker's): compiled once.
_MASKLETS = CompiledQuery(
    "a video's masklets for its pages",
    Masklet,
    lambda shape, *, video_id: Masklet.objects.filter(video_id=video_id).values(
        "id", "object_id", "category", "status"
    ),
    {"video_id": int},
)


def masks_announce(session_id: int, video_id: int, rows: list[FrameRow]) -> None:
    """Push masklet frames just stored to the session's pages, with the video's masklets: the
    message is an incremental answer of the masklets endpoint (without its cursor)."""
    if rows:
        masklets = _MASKLETS.fetch(video_id=video_id)
        frames = [frame_row(row, row.object_id) for row in rows]
        publish(
            session_channel(session_id),
            {"type": "masks", "video": video_id, "masklets": masklets, "frames": frames, "updated_until": None},
        )


def _event(message: dict) -> bytes:
    return f"event: {message.get('type', 'message')}\ndata: {json.dumps(message, separators=(',', ':'))}\n\n".encode()


def _sync_stream(channel: str):
    with subscribe([channel]) as subscription:
        yield _event(HELLO)
        while True:
            message = subscription.get(KEEPALIVE_SECONDS)
            yield b": keepalive\n\n" if message is None else _event(message)


async def _async_stream(channel: str):
    with subscribe([channel], loop=asyncio.get_running_loop()) as subscription:
        yield _event(HELLO)
        while True:
            message = await subscription.aget(KEEPALIVE_SECONDS)
            yield b": keepalive\n\n" if message is None else _event(message)


def session_stream(request, session: VideoSession) -> StreamingHttpResponse:
    """The session's events until the page closes the connection."""
    channel = session_channel(session.pk)
    # The stream reads no rows: its database connection goes now, not when the page closes (hundreds
    # of open pages must not hold hundreds of idle connections).
    for alias in connections:
        if not connections[alias].in_atomic_block:
            connections[alias].close()
    served_by_asgi = isinstance(getattr(request, "_request", request), ASGIRequest)  # under DRF's Request
    stream = _async_stream(channel) if served_by_asgi else _sync_stream(channel)
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
    return response
