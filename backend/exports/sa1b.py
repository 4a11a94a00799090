"""SA-1B files: export a project as a tar of `sa_<image_id>.json` plus its images, and import such
files into a project (every RLE, size and file checked before anything is stored).

Masks made by people carry no model scores: they are written with predicted_iou and
stability_score 1.0 (a person accepted them), the whole image as crop_box, and their first positive
click as point_coords; a mask made without a click (brushed, box only) gets the point inside it that
engine.formats.sa1b.interior_point chooses (docs/formats.md). Empty masks are refused on import. Ids are the items' ids in the file they were imported from, when they
were imported, else ours; so export -> import -> export gives identical files."""

import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db import transaction

from backend.annotations.models import Mask
from backend.core.errors import InvalidInput
from backend.media.models import Image
from backend.media.services import media_ingest
from backend.media.storage import read_bytes
from backend.media.validation import MediaRejected, inspect_media
from backend.projects.models import Project
from engine.formats.sa1b import Sa1bError, read_sa1b, sa1b_annotation, sa1b_file_name, write_sa1b
from engine.rle import RleError, bbox_coco

MAX_MEMBER_BYTES = 64 * 1024 * 1024


def _extension(image: Image) -> str:
    return "jpg" if image.format == "jpeg" else image.format


def image_record(image: Image) -> dict:
    image_id = image.external_id or image.pk
    return {
        "image_id": image_id,
        "width": image.width,
        "height": image.height,
        "file_name": f"sa_{image_id}.{_extension(image)}",
    }


def mask_record(mask: Mask, image: Image) -> dict:
    whole = [0.0, 0.0, float(image.width), float(image.height)]
    return sa1b_annotation(
        mask.external_id or mask.pk,
        mask.rle,
        predicted_iou=1.0 if mask.predicted_iou is None else mask.predicted_iou,
        stability_score=1.0 if mask.stability_score is None else mask.stability_score,
        crop_box=mask.crop_box or whole,
        point_coords=mask.point_coords or None,  # None: the interior point (engine.formats.sa1b)
    )


def _add(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(payload), 0, 0o644  # deterministic: same content, same bytes
    tar.addfile(info, io.BytesIO(payload))


def write_sa1b_tar(project: Project, path: str, *, masks, progress: Callable[[float], None] | None = None) -> dict:
    """One image at a time: memory holds one image's masks, never the project's."""
    images = list(Image.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    written = 0
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for position, image_id in enumerate(images, start=1):
            image = Image.objects.get(pk=image_id)
            record = image_record(image)
            annotations = [
                mask_record(m, image) for m in masks.filter(image=image).order_by("id").iterator(chunk_size=500)
            ]
            text = io.StringIO()
            written += write_sa1b(text, image=record, annotations=annotations)
            _add(tar, sa1b_file_name(record["image_id"]), text.getvalue().encode())
            _add(tar, record["file_name"], read_bytes(image.storage_key))
            if progress is not None:
                progress(position / len(images))
    return {"images": len(images), "annotations": written}


@dataclass
class Sa1bImport:
    images_created: int = 0
    images_existing: int = 0
    masks_created: int = 0
    masks_existing: int = 0


def _members(path: str) -> dict[str, bytes]:
    """Regular files of the tar, by plain name; anything that points elsewhere is refused."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise InvalidInput({"file": f"{member.name}: links and special files are not accepted"})
                if name.is_absolute() or ".." in name.parts:
                    raise InvalidInput({"file": f"{member.name}: paths outside the archive are not accepted"})
                if member.size > MAX_MEMBER_BYTES:
                    raise InvalidInput({"file": f"{member.name}: {member.size} bytes is over the limit"})
                if name.name in found:
                    raise InvalidInput({"file": f"{name.name} appears twice in the archive"})
                found[name.name] = tar.extractfile(member).read()
    except tarfile.TarError as exc:
        raise InvalidInput({"file": f"not a readable tar archive: {exc}"}) from exc
    return found


def import_sa1b(*, project: Project, path: str, user=None) -> Sa1bImport:
    """Read every sa_*.json of the archive, check it and its image, then store. Nothing is stored
    when any file is bad."""
    if project.kind != Project.Kind.IMAGE:
        raise InvalidInput({"project": "SA-1B files go into image projects"})
    members = _members(path)
    records = []
    for name in sorted(n for n in members if n.startswith("sa_") and n.endswith(".json")):
        try:
            record = read_sa1b(io.StringIO(members[name].decode("utf-8")))
        except (Sa1bError, RleError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput({"file": f"{name}: {exc}"}) from exc
        file_name = record["image"]["file_name"]
        if file_name not in members:
            raise InvalidInput({"file": f"{name}: its image {file_name!r} is not in the archive"})
        records.append(record)
    if not records:
        raise InvalidInput({"file": "no sa_<id>.json file in the archive"})

    for record in records:  # check every image before storing any
        image = record["image"]
        try:
            info = inspect_media(io.BytesIO(members[image["file_name"]]), image["file_name"], expected_kind="image")
        except MediaRejected as exc:
            raise InvalidInput({"file": str(exc)}) from exc
        if (info.width, info.height) != (image["width"], image["height"]):
            raise InvalidInput(
                {
                    "file": f"{image['file_name']} is {info.width}x{info.height}, its file says "
                    f"{image['width']}x{image['height']}"
                }
            )
    result = Sa1bImport()
    for record in records:
        _import_one(project, record, members[record["image"]["file_name"]], user, result)
    return result


def _import_one(project: Project, record: dict, pixels: bytes, user, result: Sa1bImport) -> None:
    meta = record["image"]
    with transaction.atomic():
        [(image, created)] = media_ingest(project=project, uploads=[(io.BytesIO(pixels), meta["file_name"])], user=user)
        result.images_created += created
        result.images_existing += not created
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
                    bbox=_coco_bbox(a),
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


def _coco_bbox(annotation: dict) -> list[float]:
    return bbox_coco(annotation["segmentation"])
