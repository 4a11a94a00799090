"""Content-addressed object storage on Django's default storage (local folder or S3)."""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def media_key(kind: str, sha256: str, extension: str) -> str:
    """`images/ab/abcdef....jpg`: the key is the content's sha256, never the user's file name."""
    return f"{kind}/{sha256[:2]}/{sha256}.{extension}"


def store_stream(key: str, stream: BinaryIO) -> str:
    """Store once: the same key always holds the same bytes, so an existing key is kept."""
    if default_storage.exists(key):
        return key
    stream.seek(0)
    saved = default_storage.save(key, File(stream, name=os.path.basename(key)))
    if saved != key:  # storages that rename on collision must not be configured
        raise RuntimeError(f"storage saved {key} as {saved}")
    return key


def store_bytes(key: str, content: bytes, overwrite: bool = False) -> str:
    if overwrite and default_storage.exists(key):
        default_storage.delete(key)
    elif default_storage.exists(key):
        return key
    default_storage.save(key, ContentFile(content, name=os.path.basename(key)))
    return key


def read_bytes(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def open_stream(key: str):
    return default_storage.open(key, "rb")


@contextlib.contextmanager
def local_path(key: str, suffix: str = "") -> Iterator[str]:
    """A path on local disk holding the object: the file itself for local storage, a temporary
    copy for S3 (OpenCV and ffmpeg need paths)."""
    try:
        yield default_storage.path(key)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp, default_storage.open(key, "rb") as src:
        shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.flush()
        yield tmp.name
