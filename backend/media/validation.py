"""Checks on untrusted media before anything is stored: name, size, magic bytes, Pillow limits
(decompression bombs), full decode for images, and an OpenCV probe for videos."""

import hashlib
import html
import os
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import cv2
from django.conf import settings
from PIL import Image as PILImage

from backend.core.errors import InvalidInput

IMAGE_SIGNATURES = {"jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",)}
VIDEO_EXTENSIONS = {"mp4": "mp4", "mov": "mp4", "m4v": "mp4", "webm": "webm", "mkv": "webm", "avi": "avi"}


# Pillow refuses huge images at open() with a vague error; we read the declared size first and
# refuse with the numbers (see _check_image), so Pillow's own open-time check is lifted.
PILImage.MAX_IMAGE_PIXELS = None


class MediaRejected(InvalidInput):
    """A file that cannot be stored: `status` is the HTTP status to answer (400, 413, 415)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # "image" or "video"
    format: str  # jpeg, png, webp, mp4, webm, avi
    sha256: str
    size_bytes: int
    width: int
    height: int
    file_name: str  # escaped, metadata only
    fps: float = 0.0
    frame_count: int = 0

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg"}.get(self.format, self.format)


def check_file_name(name: str) -> str:
    """Refuse names that try to point somewhere (path parts, '..', control characters) and return
    the name HTML-escaped: it is only ever metadata, never a path."""
    if not name:
        return ""
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("..") or "\x00" in name:
        raise MediaRejected(f"file name {name!r} contains a path; give a plain file name")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise MediaRejected(f"file name {name!r} contains control characters")
    if len(name) > 200:
        raise MediaRejected("file name is longer than 200 characters")
    return html.escape(name)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, format) from the first bytes of a file, or None."""
    for fmt, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return "image", fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "webp"
    if head[4:8] == b"ftyp":
        return "video", "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video", "webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video", "avi"
    return None


def _sha256_and_size(stream: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def inspect_media(stream: BinaryIO, name: str, expected_kind: str | None = None) -> MediaInfo:
    """Validate one uploaded file and describe it. Raises MediaRejected with a clear message."""
    file_name = check_file_name(name)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise MediaRejected(f"{name}: the file is empty")
    head = stream.read(16)
    stream.seek(0)
    found = sniff(head)
    if found is None:
        raise MediaRejected(f"{name}: not a supported image (JPEG, PNG, WebP) or video (MP4, WebM, AVI)", status=415)
    kind, fmt = found
    if expected_kind and kind != expected_kind:
        raise MediaRejected(f"{name}: this project takes {expected_kind}s, and the file is a {kind}", status=415)
    limit = settings.MAX_IMAGE_BYTES if kind == "image" else settings.MAX_VIDEO_BYTES
    if size > limit:
        raise MediaRejected(f"{name}: {size} bytes is over the {limit}-byte limit for {kind}s", status=413)
    sha256, size = _sha256_and_size(stream)
    if kind == "image":
        width, height = _check_image(stream, name, fmt)
        return MediaInfo("image", fmt, sha256, size, width, height, file_name)
    width, height, fps, frames = _probe_video(stream, name)
    return MediaInfo("video", fmt, sha256, size, width, height, file_name, fps=fps, frame_count=frames)


def _declared_size(stream: BinaryIO) -> tuple[int, int]:
    """Width and height from the header alone (no pixel is decoded)."""
    with PILImage.open(stream) as img:
        return img.size


def _check_image(stream: BinaryIO, name: str, fmt: str) -> tuple[int, int]:
    max_pixels = settings.MAX_IMAGE_PIXELS
    try:
        width, height = _declared_size(stream)
        stream.seek(0)
        if width * height > max_pixels:
            raise MediaRejected(f"{name}: the image declares {width}x{height} pixels, over the limit of {max_pixels}")
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(stream) as img:
                if (img.format or "").lower() != fmt:
                    raise MediaRejected(f"{name}: content says {fmt} but decodes as {img.format}")
                img.load()  # a full decode: truncated or corrupt data fails here
                width, height = _oriented_size(img)
    except MediaRejected:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise MediaRejected(f"{name}: image is too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRejected(f"{name}: the image is corrupt or truncated ({exc})") from exc
    finally:
        stream.seek(0)
    if width < 1 or height < 1:
        raise MediaRejected(f"{name}: image has no pixels")
    return width, height


def _oriented_size(img) -> tuple[int, int]:
    """Size after the EXIF orientation is applied (what the browser and the models see)."""
    orientation = img.getexif().get(0x0112, 1)
    width, height = img.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _probe_video(stream: BinaryIO, name: str) -> tuple[int, int, float, int]:
    path = getattr(stream, "temporary_file_path", None)
    if callable(path):
        return probe_video_file(path(), name)
    with tempfile.NamedTemporaryFile(suffix=".video") as tmp:
        stream.seek(0)
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            tmp.write(chunk)
        tmp.flush()
        stream.seek(0)
        return probe_video_file(tmp.name, name)


def probe_video_file(path: str, name: str) -> tuple[int, int, float, int]:
    """(width, height, fps, frame count) of a video file via OpenCV; no stream or no frames is an error."""
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            raise MediaRejected(f"{name}: no readable video stream")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        ok, first = capture.read()
        if not ok or first is None or frames <= 0:
            raise MediaRejected(f"{name}: the video has no frames")
        if not (0 < fps <= 1000):
            raise MediaRejected(f"{name}: the video reports an invalid frame rate ({fps})")
        if frames > settings.MAX_VIDEO_FRAMES:
            raise MediaRejected(f"{name}: {frames} frames is over the limit of {settings.MAX_VIDEO_FRAMES}", status=413)
        height, width = first.shape[:2]
        return width, height, fps, frames
    finally:
        capture.release()
