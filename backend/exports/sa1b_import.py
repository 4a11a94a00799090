"""Import SA-1B archives from outside: `sa_<id>.json` files and their images, in a tar (plain or
compressed) that nobody vouches for.

The archive is read as a stream, one member at a time, three times: check everything (every JSON and
every image it names), store the images, then the masks; memory holds one member, never the archive.
Before any member is read its header is checked against the caps: the number of members, each
member's size (JSON and images apart), the total size, and how far the archive expands (a gzip of
zeros expands a thousand times; images and SA-1B JSON do not). JSON is checked for depth before it
is parsed. A refused archive stores nothing: the writes run in one transaction after every check."""

import io
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction

from backend.annotations.models import Mask
from backend.core.errors import InvalidInput
from backend.core.json_input import JsonLimits, JsonRefused, check_shape
from backend.core.params import MAX_ID
from backend.media.models import Image
from backend.media.services import media_ingest
from backend.media.validation import MediaRejected, inspect_media
from backend.projects.models import Project
from engine.formats.sa1b import Sa1bError, read_sa1b
from engine.rle import RleError, bbox_coco

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
DAMAGED = (tarfile.TarError, EOFError, OSError, zlib.error)  # what a cut or corrupt archive raises
SPOOL_BYTES = 8 * 1024 * 1024  # an image member is held in memory up to this, then on disk
# An SA-1B record is five levels deep and holds about seven arrays and objects per mask.
RECORD_JSON = JsonLimits(max_depth=16, max_containers=500_000)


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int
    max_json_bytes: int
    max_image_bytes: int
    max_total_bytes: int
    max_expansion: float = 100.0  # bytes out per compressed byte in
    expansion_after_bytes: int = 32 * 1024 * 1024  # a small archive may compress well and harm nobody
    json: JsonLimits = RECORD_JSON

    @classmethod
    def from_settings(cls) -> "ArchiveLimits":
        return cls(
            max_members=settings.SA1B_IMPORT_MAX_MEMBERS,
            max_json_bytes=settings.SA1B_IMPORT_MAX_JSON_BYTES,
            max_image_bytes=settings.MAX_IMAGE_BYTES,
            max_total_bytes=settings.SA1B_IMPORT_MAX_BYTES,
        )


@dataclass
class Sa1bImport:
    images_created: int = 0
    images_existing: int = 0
    masks_created: int = 0
    masks_existing: int = 0


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


@contextmanager
def _open(path: str):
    with open(path, "rb") as raw:  # read through, so that raw.tell() is how far the disk file was read
        try:
            tar = tarfile.open(fileobj=raw, mode="r:*")  # noqa: SIM115  (closed by the with below)
        except DAMAGED as exc:
            raise _refuse(f"not a readable tar archive: {exc}") from exc
        with tar:
            yield raw, tar


def _members(path: str, limits: ArchiveLimits) -> Iterator[tuple[str, tarfile.TarFile, tarfile.TarInfo]]:
    """(plain name, tar, member) for each regular file, every header checked before its data is
    read; links, special files, paths outside the archive and repeated names are refused."""
    count = total = 0
    seen: set[str] = set()
    with _open(path) as (raw, tar):
        try:
            for member in tar:
                count += 1
                if count > limits.max_members:
                    raise _refuse(f"more than {limits.max_members} files in the archive")
                # Bytes already expanded (everything before this header) against bytes read from disk.
                if member.offset > limits.expansion_after_bytes and member.offset > limits.max_expansion * raw.tell():
                    raise _refuse(
                        f"the archive expands more than {limits.max_expansion:.0f} times "
                        f"({member.offset} bytes from {raw.tell()}); images and SA-1B JSON do not"
                    )
                if member.isdir():
                    continue
                name = PurePosixPath(member.name)
                if not member.isfile() or member.issparse():
                    raise _refuse(f"{member.name}: links, sparse and special files are not accepted")
                if name.is_absolute() or ".." in name.parts:
                    raise _refuse(f"{member.name}: paths outside the archive are not accepted")
                cap = limits.max_json_bytes if name.suffix == ".json" else limits.max_image_bytes
                if member.size > cap:
                    raise _refuse(f"{member.name}: {member.size} bytes is over the limit of {cap}")
                total += member.size
                if total > limits.max_total_bytes:
                    raise _refuse(f"the archive holds more than {limits.max_total_bytes} bytes")
                if name.name in seen:
                    raise _refuse(f"{name.name} appears twice in the archive")
                seen.add(name.name)
                yield name.name, tar, member
        except DAMAGED as exc:
            raise _refuse(f"the archive is damaged: {exc}") from exc


def _is_record(name: str) -> bool:
    return name.startswith("sa_") and name.endswith(".json")


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo, size: int) -> bytes:
    try:
        return tar.extractfile(member).read(size)
    except DAMAGED as exc:
        raise _refuse(f"the archive is damaged: {exc}") from exc


def _read_record(name: str, tar: tarfile.TarFile, member: tarfile.TarInfo, limits: ArchiveLimits) -> dict:
    payload = _read(tar, member, member.size)
    try:
        text = payload.decode("utf-8")
        check_shape(text, limits.json)
        record = read_sa1b(io.StringIO(text))
    except (JsonRefused, Sa1bError, RleError, UnicodeDecodeError, ValueError) as exc:
        raise _refuse(f"{name}: {exc}") from exc
    ids = [record["image"]["image_id"], *(a["id"] for a in record["annotations"])]
    if any(not 0 <= value <= MAX_ID for value in ids):
        raise _refuse(f"{name}: ids are whole numbers from 0 to {MAX_ID}")
    return record


@contextmanager
def _spooled(tar: tarfile.TarFile, member: tarfile.TarInfo):
    """The member as a seekable file: in memory up to SPOOL_BYTES, on disk beyond (a seek inside a
    compressed archive would expand it again from the start)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        source = tar.extractfile(member)
        while chunk := _read_chunk(source):
            spool.write(chunk)
        spool.seek(0)
        yield spool


def _read_chunk(source) -> bytes:
    try:
        return source.read(1024 * 1024)
    except DAMAGED as exc:
        raise _refuse(f"the archive is damaged: {exc}") from exc


@dataclass(frozen=True)
class _Checked:
    records: dict[str, str]  # json name -> its image's file name
    images: set[str]  # image files some record names


def _check(path: str, limits: ArchiveLimits) -> _Checked:
    """First pass: every record parsed and checked, every image file inspected; nothing stored."""
    records: dict[str, dict] = {}
    image_sizes: dict[str, tuple[int, int]] = {}
    for name, tar, member in _members(path, limits):
        if _is_record(name):
            record = _read_record(name, tar, member, limits)
            image = record["image"]
            records[name] = {"file_name": image["file_name"], "size": (image["width"], image["height"])}
        elif name.lower().endswith(IMAGE_SUFFIXES):
            with _spooled(tar, member) as spool:
                try:
                    info = inspect_media(spool, name, expected_kind="image")
                except MediaRejected as exc:
                    raise _refuse(str(exc)) from exc
            image_sizes[name] = (info.width, info.height)
    if not records:
        raise _refuse("no sa_<id>.json file in the archive")
    for name, record in sorted(records.items()):
        file_name = record["file_name"]
        if file_name not in image_sizes:
            raise _refuse(f"{name}: its image {file_name!r} is not in the archive")
        if image_sizes[file_name] != record["size"]:
            width, height = image_sizes[file_name]
            raise _refuse(f"{file_name} is {width}x{height}, its file says {record['size'][0]}x{record['size'][1]}")
    return _Checked({n: r["file_name"] for n, r in records.items()}, {r["file_name"] for r in records.values()})


def import_sa1b(*, project: Project, path: str, user=None, limits: ArchiveLimits | None = None) -> Sa1bImport:
    """Check the whole archive, then store its images and masks in one transaction. Nothing is
    stored when any file is bad. Raises InvalidInput."""
    if project.kind != Project.Kind.IMAGE:
        raise InvalidInput({"project": "SA-1B files go into image projects"})
    limits = limits or ArchiveLimits.from_settings()
    checked = _check(path, limits)
    result = Sa1bImport()
    images: dict[str, Image] = {}
    with transaction.atomic():
        for name, tar, member in _members(path, limits):
            if name in checked.images:
                with _spooled(tar, member) as spool:
                    [(image, created)] = media_ingest(project=project, uploads=[(spool, name)], user=user)
                images[name] = image
                result.images_created += created
                result.images_existing += not created
        for name, tar, member in _members(path, limits):
            if name in checked.records:
                record = _read_record(name, tar, member, limits)
                _store_masks(project, images[record["image"]["file_name"]], record, user, result)
    return result


def _store_masks(project: Project, image: Image, record: dict, user, result: Sa1bImport) -> None:
    meta = record["image"]
    if image.external_id is None:
        Image.objects.filter(pk=image.pk).update(external_id=meta["image_id"])
    known = set(Mask.objects.filter(image=image, external_id__isnull=False).values_list("external_id", flat=True))
    new = [a for a in record["annotations"] if a["id"] not in known]
    Mask.objects.bulk_create(
        [
            Mask(
                image=image,
                rle=a["segmentation"],
                area=a["area"],
                bbox=bbox_coco(a["segmentation"]),
                source=Mask.Source.AUTO,
                status=Mask.Status.SUBMITTED,
                predicted_iou=a["predicted_iou"],
                stability_score=a["stability_score"],
                crop_box=a["crop_box"],
                point_coords=a["point_coords"],
                external_id=a["id"],
                stage=project.stage,
                model_version="sa1b-import",
                created_by=user,
            )
            for a in new
        ],
        batch_size=500,
    )
    result.masks_created += len(new)
    result.masks_existing += len(record["annotations"]) - len(new)
