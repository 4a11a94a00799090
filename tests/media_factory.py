"""Media made on the fly for tests: images, videos, and the bad files ingest must refuse."""

import gzip
import io
import json
import struct
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

# ../shared/fixtures beside the repository; a worktree under /work/wt/<name> finds the one beside
# the main checkout (/work/shared) one level further up.
_REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = next(
    (p for p in (_REPO.parent / "shared" / "fixtures", _REPO.parents[1] / "shared" / "fixtures") if p.is_dir()),
    _REPO.parent / "shared" / "fixtures",
)


def jpeg_bytes(width=320, height=240, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    cv2.circle(pixels, (width // 2, height // 2), min(width, height) // 4, (255, 0, 0), -1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png_bytes(width=64, height=48, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def corrupt_jpeg_bytes() -> bytes:
    """A real JPEG cut in half: the header is fine, the pixel data is truncated."""
    data = jpeg_bytes(640, 480, seed=3)
    return data[: len(data) // 2]


def png_bomb_bytes(width=50000, height=50000) -> bytes:
    """A small, valid-looking PNG whose header declares width x height pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)  # a few rows only: the declared size is the attack
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def html_bytes() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def video_bytes(frames=48, fps=24.0, width=160, height=96) -> bytes:
    """An MP4 of a square moving left to right."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "clip.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        for index in range(frames):
            frame = np.full((height, width, 3), 40, np.uint8)
            x = int(index * (width - 30) / max(1, frames - 1))
            cv2.rectangle(frame, (x, 30), (x + 30, 60), (0, 200, 255), -1)
            writer.write(frame)
        writer.release()
        return Path(path).read_bytes()


def zero_frame_video_bytes() -> bytes:
    """A real MP4 container with no frame in it."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "empty.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 24.0, (64, 64))
        writer.release()
        data = Path(path).read_bytes()
    if data[4:8] != b"ftyp":  # OpenCV wrote nothing: build the smallest ftyp-only MP4
        data = struct.pack(">I", 20) + b"ftypisom" + struct.pack(">I", 512) + b"isom"
    return data


def fixture_photos() -> list[Path]:
    """The real photos of ../shared/fixtures when present (tests then also make their own)."""
    folder = SHARED_FIXTURES / "images"
    return sorted(folder.glob("*.jpg")) if folder.is_dir() else []


def fixture_video() -> Path | None:
    path = SHARED_FIXTURES / "videos" / "bedroom.mp4"
    return path if path.is_file() else None


def scene_video_bytes(frames=200, fps=30.0, width=960, height=540) -> bytes:
    """A stand-in for the shared bedroom clip: a large bright block low in the middle of a textured
    room-like background, drifting slowly right (what the classical tracker can follow)."""
    rng = np.random.default_rng(7)
    background = cv2.GaussianBlur(rng.integers(40, 120, (height, width, 3), dtype=np.uint8), (0, 0), 6)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "scene.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        for index in range(frames):
            frame = background.copy()
            x0 = int(width * 0.33) + index // 2
            cv2.rectangle(
                frame, (x0, int(height * 0.62)), (x0 + int(width * 0.34), int(height * 0.97)), (210, 200, 190), -1
            )
            writer.write(frame)
        writer.release()
        return Path(path).read_bytes()


@dataclass(frozen=True)
class PhotoObject:
    """A fixture photo with its main object drawn by hand (tests/data/photo_objects.json)."""

    name: str
    image: np.ndarray  # HxWx3 uint8 RGB
    mask: np.ndarray  # bool HxW, the object
    click: np.ndarray  # 1x2 XY, the pixel centre farthest from the object's outline
    description: str


def photo_objects() -> list[PhotoObject]:
    """The fixture photos' main objects, or [] where ../shared/fixtures is absent."""
    entries = json.loads((Path(__file__).parent / "data" / "photo_objects.json").read_text())["images"]
    found = []
    for path in fixture_photos():
        entry = entries.get(path.name)
        if entry is None:
            continue
        image = np.asarray(Image.open(path).convert("RGB"))
        if list(image.shape[:2]) != entry["size"]:
            raise ValueError(f"{path.name} is {image.shape[:2]}, the drawn mask is for {entry['size']}")
        mask = np.zeros(image.shape[:2], dtype=np.uint8)
        cv2.fillPoly(mask, [np.array(entry["polygon"], dtype=np.int32)], 1)
        found.append(PhotoObject(path.name, image, mask.astype(bool), np.array([entry["click"]]), entry["object"]))
    return found


def zero_bomb_tar_gz(path, members: int, member_bytes: int) -> str:
    """A .tar.gz of `members` files of zeros, built without holding them: the compressed zeros are
    made once and repeated (concatenated gzip members read as one stream)."""
    padded = member_bytes + (-member_bytes) % 512
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunks = [packer.compress(bytes(1 << 20)) for _ in range(padded // (1 << 20))]
    chunks.append(packer.compress(bytes(padded % (1 << 20))))
    zeros = b"".join(chunks) + packer.flush()
    with open(path, "wb") as out:
        for index in range(members):
            out.write(gzip.compress(tar_header(f"pad_{index}.bin", member_bytes)))
            out.write(zeros)
        record = b'{"image": {}, "annotations": []}'  # a record last: the import must read on to find it
        out.write(gzip.compress(tar_header("sa_1.json", len(record)) + record + bytes(-len(record) % 512)))
        out.write(gzip.compress(bytes(1024)))  # end of archive
    return str(path)


def tar_header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    return info.tobuf(format=tarfile.USTAR_FORMAT)
