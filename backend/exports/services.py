"""Exports: a project's annotations as files in the official formats (docs/formats.md), written to a
local temporary file and then streamed into storage, so memory stays flat. Rows are read in keyset
batches (backend.core.keyset), never through a server-side cursor, so a pgbouncer in transaction
mode in front of PostgreSQL streams them just the same."""

import html
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from backend.core.errors import InvalidInput
from backend.core.keyset import keyset_rows
from backend.exports.models import ExportJob
from backend.exports.plm import write_fgqa, write_stc
from backend.exports.sa1b import write_sa1b_tar
from backend.exports.sav import check_environments, exported_masklets, write_sav_tar
from backend.exports.selection import ExportRefused, export_masks
from backend.jobs.params import JobParams
from backend.jobs.services import JobFailed, job_create, job_enqueue, job_progress_reporter
from backend.media.models import Image
from backend.projects.models import Project
from engine.formats.coco import coco_annotation, write_coco_instances

CHUNK = 2000
UNCATEGORISED = "uncategorised"  # the default category of masks without one; "" leaves them out


@dataclass(frozen=True)
class ExportParams(JobParams):
    format: str = ""
    include_all: bool = False
    frames: bool = False
    uncategorised: str = UNCATEGORISED


def _coco_images(project: Project) -> Iterator[dict]:
    names = UniqueNames()
    for image in keyset_rows(Image.objects.filter(project=project), key=lambda row: row.pk, size=CHUNK):
        extension = "jpg" if image.format == "jpeg" else image.format
        yield {
            "id": image.pk,
            "width": image.width,
            "height": image.height,
            "file_name": names.claim(html.unescape(image.file_name) or f"{image.sha256}.{extension}", image.pk),
            "sha256": image.sha256,
        }


class UniqueNames:
    """The uploaded file names, unique within one export: the first image keeps its name, a later
    one with the same name gets its image id before the extension (`cat.jpg`, `cat-17.jpg`)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, name: str, item_id: int) -> str:
        if name in self.taken:
            stem, dot, extension = name.rpartition(".")
            name = f"{stem}-{item_id}.{extension}" if dot and stem else f"{name}-{item_id}"
        self.taken.add(name)
        return name


def coco_categories(project: Project, uncategorised: str) -> tuple[list[dict], dict[int | None, int]]:
    """COCO's category convention: ids from 1, in the project's category order. Masks without a
    category are left out, or, when `uncategorised` names a category, exported under it (a project
    category of that name is used as is). Returns the categories and {category pk or None: COCO id}."""
    categories, ids = [], {}
    for number, category in enumerate(project.categories.order_by("id"), start=1):
        categories.append({"id": number, "name": category.name, "supercategory": ""})
        ids[category.pk] = number
    if uncategorised:
        same = next((c["id"] for c in categories if c["name"] == uncategorised), None)
        if same is None:
            same = len(categories) + 1
            categories.append({"id": same, "name": uncategorised, "supercategory": ""})
        ids[None] = same
    return categories, ids


def _coco_annotations(
    masks, total: int, category_ids: dict, progress: Callable[[float], None] | None
) -> Iterator[dict]:
    fields = ("id", "image_id", "category_id", "rle", "source", "predicted_iou", "seconds", "clicks", "model_version")
    rows = keyset_rows(masks.values_list(*fields), key=lambda row: row[0], size=CHUNK)
    for done, row in enumerate(rows, start=1):
        mask_id, image_id, category_id, rle, source, predicted_iou, seconds, clicks, version = row
        yield coco_annotation(
            mask_id,
            image_id,
            category_ids[category_id],
            rle,
            source=source,
            predicted_iou=predicted_iou,
            seconds=seconds,
            clicks=clicks,
            model_version=version,
        )
        if progress is not None:
            progress(done / max(total, 1))


def write_coco(
    project: Project,
    fp,
    *,
    include_all: bool = False,
    uncategorised: str = UNCATEGORISED,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """Write the project's COCO instances JSON (RLE segmentation, iscrowd 0, COCO bbox) to `fp`:
    images under their uploaded file names, categories numbered from 1, masks without a category
    left out unless `uncategorised` names the category they go under (listed only when a mask
    needs it)."""
    masks = export_masks(project, include_all)
    if uncategorised and not masks.filter(category__isnull=True).exists():
        uncategorised = ""  # no exported mask needs the extra category
    categories, category_ids = coco_categories(project, uncategorised)
    if not uncategorised:
        masks = masks.filter(category__isnull=False)
    info = {
        "description": f"project {project.name}",
        "date_created": timezone.now().isoformat(),
        "version": "1.0",
        "contributor": "segmentation data engine",
    }
    return write_coco_instances(
        fp,
        info=info,
        images=_coco_images(project),
        categories=categories,
        annotations=_coco_annotations(masks, masks.count(), category_ids, progress),
    )


def _write_coco_file(project: Project, path: str, *, include_all: bool, frames: bool, progress, **options) -> dict:
    with open(path, "w", encoding="utf-8") as handle:
        return write_coco(
            project,
            handle,
            include_all=include_all,
            uncategorised=options.get("uncategorised", UNCATEGORISED),
            progress=progress,
        )


def _write_sa1b_file(project: Project, path: str, *, include_all: bool, frames: bool, progress, **options) -> dict:
    return write_sa1b_tar(project, path, masks=export_masks(project, include_all), progress=progress)


def _write_sav_file(project: Project, path: str, *, include_all: bool, frames: bool, progress, **options) -> dict:
    return write_sav_tar(project, path, include_all=include_all, frames=frames, progress=progress)


def _write_fgqa_file(project: Project, path: str, *, include_all: bool, frames: bool, progress, **options) -> dict:
    return write_fgqa(project, path, include_all=include_all, progress=progress)


def _write_stc_file(project: Project, path: str, *, include_all: bool, frames: bool, progress, **options) -> dict:
    return write_stc(project, path, include_all=include_all, progress=progress)


WRITERS = {
    ExportJob.Format.COCO: (_write_coco_file, "json"),
    ExportJob.Format.SA1B: (_write_sa1b_file, "tar"),
    ExportJob.Format.SAV: (_write_sav_file, "tar"),
    ExportJob.Format.PLM_FGQA: (_write_fgqa_file, "jsonl"),
    ExportJob.Format.PLM_STC: (_write_stc_file, "tar"),
}


def export_to_path(
    project: Project,
    fmt: str,
    path: str,
    *,
    include_all=False,
    frames=False,
    uncategorised=UNCATEGORISED,
    progress=None,
) -> dict:
    """Write an export to a local path, atomically (a temporary file renamed on success).
    `frames`: SA-V exports also hold the 24 fps frames as JPEGs. `uncategorised` (COCO): the
    category name masks without a category are exported under; empty: they are left out.

    Raises:
        ExportRefused: the project's data cannot be written in this format as it stands.
    """
    writer, _ = WRITERS[fmt]
    folder = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(dir=folder, suffix=".partial")
    os.close(handle)
    try:
        counts = writer(
            project, partial, include_all=include_all, frames=frames, progress=progress, uncategorised=uncategorised
        )
    except BaseException:
        os.unlink(partial)
        raise
    os.replace(partial, path)
    return counts


def export_create(
    *,
    project: Project,
    fmt: str,
    user,
    include_all: bool = False,
    frames: bool = False,
    uncategorised: str = UNCATEGORISED,
) -> ExportJob:
    """Queue an export job. A SA-V export of videos without video_environment is refused at once
    (400) rather than as a failed job."""
    if fmt == ExportJob.Format.SAV:
        try:
            check_environments(exported_masklets(project, include_all))
        except ExportRefused as exc:
            raise InvalidInput({"format": str(exc)}) from exc
    with transaction.atomic():
        job = job_create(
            kind="export",
            queue="cpu",
            task_name="exports.run_export",
            project=project,
            created_by=user,
            params=ExportParams(format=fmt, include_all=include_all, frames=frames, uncategorised=uncategorised),
        )
        export = ExportJob.objects.create(
            project=project,
            format=fmt,
            options={"include_all": include_all, "frames": frames, "uncategorised": uncategorised},
            job=job,
            created_by=user,
        )
        job.subject_type, job.subject_id = export._meta.label_lower, export.pk
        job.save(update_fields=["subject_type", "subject_id"])
        job_enqueue(job)
    return export


def export_run(export: ExportJob, progress: Callable[[float], None]) -> dict:
    """Write the export into a local temporary file, then stream it into storage. The writers report
    progress per item: `progress` is where a cancel stops them."""
    _, extension = WRITERS[export.format]
    key = f"exports/{export.project_id}/{export.pk}-{export.format}.{extension}"
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"export.{extension}")
        counts = export_to_path(
            export.project,
            export.format,
            path,
            include_all=export.options.get("include_all", False),
            frames=export.options.get("frames", False),
            uncategorised=export.options.get("uncategorised", UNCATEGORISED),
            progress=progress,
        )
        if default_storage.exists(key):
            default_storage.delete(key)
        with open(path, "rb") as handle:
            default_storage.save(key, File(handle, name=os.path.basename(key)))
        size = os.path.getsize(path)
    ExportJob.objects.filter(pk=export.pk).update(
        storage_key=key, size_bytes=size, item_count=counts.get("annotations", 0)
    )
    return {"storage_key": key, "size_bytes": size, **counts}


def export_job_run(job) -> dict:
    """The export job's work: its ExportJob written, with progress on the job."""
    export = ExportJob.objects.select_related("project").filter(job=job).first()
    if export is None:
        raise JobFailed("the export was deleted")
    try:
        return export_run(export, progress=job_progress_reporter(job, scale=0.95))
    except ExportRefused as exc:
        raise JobFailed(str(exc)) from exc
