"""Small JPEG previews for the work lists: made from the stored image (or a video's first
extracted frame) the first time one is asked for, then kept in storage beside the media, under a
key derived from the content address, so every process and every later request reuses it."""

import io

from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps

from backend.core.errors import NotFound
from backend.media.models import Frame, Image, Video
from backend.media.storage import read_bytes, store_bytes

THUMBNAIL_SIDE = 256  # the longer side, in pixels
JPEG_QUALITY = 80


def thumbnail_key(kind: str, sha256: str) -> str:
    return f"thumbnails/{kind}/{sha256[:2]}/{sha256}-{THUMBNAIL_SIDE}.jpg"


def make_thumbnail(source: bytes) -> bytes:
    """A JPEG whose longer side is at most THUMBNAIL_SIDE, EXIF orientation applied."""
    with PILImage.open(io.BytesIO(source)) as pil:
        pil.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # JPEG: decode at a reduced scale
        upright = ImageOps.exif_transpose(pil).convert("RGB")
        upright.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), PILImage.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return out.getvalue()


def _cached(key: str, source_key: str) -> bytes:
    if default_storage.exists(key):
        return read_bytes(key)
    data = make_thumbnail(read_bytes(source_key))
    store_bytes(key, data)
    return data


def image_thumbnail(image: Image) -> bytes:
    return _cached(thumbnail_key("images", image.sha256), image.storage_key)


def video_thumbnail(video: Video) -> bytes:
    """From the first extracted frame; NotFound while no frame is extracted yet."""
    first = Frame.objects.filter(video=video).order_by("index").first()
    if first is None:
        raise NotFound(f"video {video.pk} has no extracted frame yet; its thumbnail follows the first one")
    return _cached(thumbnail_key("videos", video.sha256), first.storage_key)
