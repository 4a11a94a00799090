"""Automatic masks for the semi- and fully automatic stages: engine.amg on the served model, each
image done exactly once per job (its masks and its AutoMaskRun row are written together).

A run over many images (an automatic run, the proposals of a project entering the semi-automatic
stage) is a batch job split into chunk jobs that every gpu worker takes (backend.jobs.fanout); the
AutoMaskRun rows belong to the batch job, so an image is done once per run whichever chunk, attempt
or worker does it. A run that fits in one chunk is done by the batch job itself."""

import time
from functools import partial

from django.conf import settings as django_settings

from backend.annotations.bulk import auto_mask_run_insert, automatic_masks_store
from backend.annotations.models import AutoMaskRun, Mask
from backend.core.commits import unflushed_commit
from backend.inference.jobs import AutoAnnotateParams
from backend.inference.models import Embedding
from backend.inference.runtime import serving_model
from backend.inference.services import embedding_compute, embedding_load
from backend.jobs.fanout import FannedOut, chunk_items, job_fan_out
from backend.jobs.models import Job
from backend.jobs.services import JobFailed, job_checkpoint, job_create, job_enqueue, job_progress
from backend.media.models import Image
from backend.media.pixels import image_rgb
from backend.projects.models import Project
from engine.amg import AmgSettings, AutomaticMaskGenerator

# The semi-automatic stage pre-fills only confident masks (SAM's stage 2 kept its most confident).
PROPOSAL_SETTINGS = {"pred_iou_thresh": 0.88, "stability_score_thresh": 0.95}


def whole_image_embedding(image: Image, loaded):
    """The image's embedding for the loaded model: the cached one when it exists (in this process or
    in storage), else encoded now and stored, so predict on this image needs no encoder either."""
    ready = Embedding.objects.filter(
        sha256=image.sha256, model_version=loaded.version, status=Embedding.Status.READY
    ).first()
    if ready is None:
        ready = embedding_compute(image=image, model_version=loaded.version)
    return embedding_load(ready)


def automatic_records(image: Image, settings: dict | None = None, checkpoint=None) -> tuple[list[dict], str]:
    loaded = serving_model(image.project)
    generator = AutomaticMaskGenerator(loaded.segmenter, AmgSettings(**(settings or {})))
    embedding = whole_image_embedding(image, loaded)
    return generator.generate(image_rgb(image), checkpoint=checkpoint, embedding=embedding), loaded.version


def image_auto_masks(
    job: Job, image: Image, status: str, settings: dict | None = None, report: bool = False, run: Job | None = None
) -> int:
    """Generate and store one image's automatic masks unless its run already did it. A cancel
    stops the generator between batches of points. report: the job's progress says when the
    masks are generated and about to be stored (a job of one image). run: the batch job the image
    is done for (default `job`; a chunk works for its batch job)."""
    run = run or job
    if AutoMaskRun.objects.filter(job=run, image=image).exists():
        return 0
    started = time.perf_counter()
    records, version = automatic_records(image, settings, checkpoint=partial(job_checkpoint, job))
    if report:
        job_progress(job, 0.9, f"storing {len(records)} masks")
    seconds = time.perf_counter() - started
    created = image_masks_store(run, image, records, model_version=version, status=status, seconds=seconds)
    return len(records) if created else 0


def image_masks_store(run: Job, image: Image, records: list[dict], *, model_version: str, status: str, seconds: float):
    """In one transaction: the image's AutoMaskRun row for the run, inserted unless the run has it
    already (one statement: a concurrent attempt waits for this one's commit and then writes
    nothing), and its masks. Returns whether this call stored them. The commit does not wait for the
    disk (backend.core.commits; see automatic_masks_store)."""
    with unflushed_commit():
        created = auto_mask_run_insert(
            job_id=run.pk, image_id=image.pk, model_version=model_version, mask_count=len(records), seconds=seconds
        )
        if created:
            automatic_masks_store(image=image, records=records, model_version=model_version, status=status)
    return created


def proposals_schedule(image: Image, user=None) -> Job:
    job = job_create(
        kind="propose_masks",
        queue="gpu",
        task_name="inference.propose_masks",
        project=image.project,
        subject=image,
        created_by=user,
    )
    job_enqueue(job)
    return job


def proposals_run(job: Job) -> dict:
    image = Image.objects.select_related("project").filter(pk=job.subject_id).first()
    if image is None:
        raise JobFailed("the image was deleted")
    settings = {**PROPOSAL_SETTINGS, **image.project.amg_settings}
    return {"proposals": image_auto_masks(job, image, Mask.Status.PROPOSED, settings, report=True)}


def auto_annotate_schedule(project: Project, user=None, settings: dict | None = None) -> Job:
    running = Job.objects.filter(
        project=project, kind="auto_annotate", state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).first()
    if running is not None:
        return running
    job = job_create(
        kind="auto_annotate",
        queue="gpu",
        task_name="inference.auto_annotate",
        project=project,
        subject=project,
        created_by=user,
        params=AutoAnnotateParams(settings={**project.amg_settings, **(settings or {})}),
    )
    job_enqueue(job)
    return job


def proposals_batch_schedule(project: Project, user=None) -> Job:
    """Proposals on every image of the project with no mask yet (entering the semi-automatic stage):
    one batch job, fanned out over the gpu workers."""
    job = job_create(
        kind="propose_masks_batch",
        queue="gpu",
        task_name="inference.propose_masks_batch",
        project=project,
        subject=project,
        created_by=user,
        params=AutoAnnotateParams(settings={**PROPOSAL_SETTINGS, **project.amg_settings}),
    )
    job_enqueue(job)
    return job


def _status_of(run: Job) -> str:
    return Mask.Status.PROPOSED if run.kind.startswith("propose_masks") else Mask.Status.SUBMITTED


def _run_images(job: Job, run: Job, image_ids: list[int]) -> dict:
    """Automatic masks on `image_ids` for the batch job `run`, in order; images that the run already
    did (an earlier attempt, another chunk) are skipped. Progress: `job`'s."""
    settings = AutoAnnotateParams.of(run).settings
    status = _status_of(run)
    done = set(AutoMaskRun.objects.filter(job=run, image_id__in=image_ids).values_list("image_id", flat=True))
    images = Image.objects.select_related("project").in_bulk(image_ids)
    for position, image_id in enumerate(image_ids, start=1):
        if image_id not in done and image_id in images:
            image_auto_masks(job, images[image_id], status, settings, run=run)
        job_progress(job, position / max(len(image_ids), 1), f"{position} of {len(image_ids)} images")
    runs = AutoMaskRun.objects.filter(job=run, image_id__in=image_ids)
    return {"images": runs.count(), "masks": sum(runs.values_list("mask_count", flat=True))}


def batch_image_ids(run: Job) -> list[int]:
    """The images a batch job covers: every image of the project (an automatic run), or those with
    no mask when the job split (proposals)."""
    images = Image.objects.filter(project_id=run.subject_id)
    if run.kind == "propose_masks_batch":
        images = images.exclude(pk__in=Mask.objects.filter(image__project_id=run.subject_id).values("image_id"))
    return list(images.order_by("id").values_list("id", flat=True))


def automatic_batch_run(job: Job) -> dict | FannedOut:
    """An automatic run or a project's proposals: split into chunks over the gpu workers, or done
    here when the images fit in one chunk."""
    if not Project.objects.filter(pk=job.subject_id).exists():
        raise JobFailed("the project was deleted")
    image_ids = batch_image_ids(job)
    if len(image_ids) > django_settings.JOB_CHUNK_ITEMS:
        return job_fan_out(job, items=image_ids, task_name="inference.automatic_chunk")
    return _run_images(job, job, image_ids)


def automatic_chunk_run(chunk: Job) -> dict:
    """One chunk of an automatic run or of a project's proposals."""
    return _run_images(chunk, chunk.parent, chunk_items(chunk))
