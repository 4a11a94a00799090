"""SA-1B files: export a project as a tar of `sa_<image_id>.json` plus its images (the import of such
files is in sa1b_import.py).

Masks made by people carry no model scores: they are written with predicted_iou and
stability_score 1.0 (a person accepted them), the whole image as crop_box, and their first positive
click as point_coords; a mask made without a click (brushed, box only) gets the point inside it that
engine.formats.sa1b.interior_point chooses (docs/formats.md). Empty masks are refused on import. Ids are the items' ids in the file they were imported from, when they
were imported, else ours; so export -> import -> export gives identical files."""

import io
import tarfile
from collections.abc import Callable

from backend.annotations.models import Mask
from backend.media.models import Image
from backend.media.storage import read_bytes
from backend.projects.models import Project
from engine.formats.sa1b import sa1b_annotation, sa1b_file_name, write_sa1b

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
