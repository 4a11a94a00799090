"""Reads the deployment's settings from the environment: database, broker and storage URLs."""

import math
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a finite number of at least 0, got {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class StorageConfig:
    kind: str  # "local" or "s3"
    location: str  # a folder for local, the key prefix for s3
    bucket: str = ""


def parse_storage_url(url: str, var_dir: Path) -> StorageConfig:
    """`STORAGE_URL`: empty -> local files under var/media; `file:///abs/path`; `s3://bucket/prefix`."""
    if not url:
        return StorageConfig("local", str(var_dir / "media"))
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return StorageConfig("local", parsed.path)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ImproperlyConfigured("STORAGE_URL s3://bucket/prefix needs a bucket name")
        return StorageConfig("s3", parsed.path.strip("/"), bucket=parsed.netloc)
    raise ImproperlyConfigured(f"STORAGE_URL must be file:// or s3://, got {url!r}")
