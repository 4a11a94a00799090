"""Automatic masks for the semi- and fully automatic stages: engine.amg on the served model, each
image done exactly once per job (its masks and its AutoMaskRun row are written together)."""

import time
from functools import partial

from django.db import transaction

from backend.annotations.models import AutoMaskRun, Mask
from backend.annotations.services import automatic_masks_store
from backend.inference.jobs import AutoAnnotateParams
from backend.inference.runtime import serving_model
from backend.jobs.models import Job
from backend.jobs.services import JobFailed, job_checkpoint, job_create, job_enqueue, job_progress
from backend.media.models import Image
from backend.media.pixels import image_rgb
from backend.projects.models import Project
from engine.amg import AmgSettings, AutomaticMaskGenerator

# The semi-automatic stage pre-fills only confident masks (SAM's stage 2 kept its most confident).
PROPOSAL_SETTINGS = {"pred_iou_thresh": 0.88, "stability_score_thresh": 0.95}


def automatic_records(image: Image, settings: dict | None = None, checkpoint=None) -> tuple[list[dict], str]:
    loaded = serving_model(image.project)
    generator = AutomaticMaskGenerator(loaded.segmenter, AmgSettings(**(settings or {})))
    return generator.generate(image_rgb(image), checkpoint=checkpoint), loaded.version


def image_auto_masks(job: Job, image: Image, status: str, settings: dict | None = None, report: bool = False) -> int:
    """Generate and store one image's automatic masks unless this job already did it. A cancel
    stops the generator between batches of points. report: the job's progress says when the
    masks are generated and about to be stored (a job of one image)."""
    if AutoMaskRun.objects.filter(job=job, image=image).exists():
        return 0
    started = time.perf_counter()
    records, version = automatic_records(image, settings, checkpoint=partial(job_checkpoint, job))
    if report:
        job_progress(job, 0.9, f"storing {len(records)} masks")
    with transaction.atomic():
        _run, created = AutoMaskRun.objects.get_or_create(
            job=job,
            image=image,
            defaults={"model_version": version, "mask_count": len(records), "seconds": time.perf_counter() - started},
        )
        if created:
            automatic_masks_store(image=image, records=records, model_version=version, status=status)
    return len(records) if created else 0


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


def auto_annotate_run(job: Job) -> dict:
    """Every image of the project, in id order; a redelivered job skips the images already done."""
    project = Project.objects.get(pk=job.subject_id)
    image_ids = list(Image.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    done = set(AutoMaskRun.objects.filter(job=job).values_list("image_id", flat=True))
    masks = 0
    for position, image_id in enumerate(image_ids, start=1):
        if image_id not in done:
            image = Image.objects.select_related("project").get(pk=image_id)
            masks += image_auto_masks(job, image, Mask.Status.SUBMITTED, AutoAnnotateParams.of(job).settings)
        job_progress(job, position / max(len(image_ids), 1), f"{position} of {len(image_ids)} images")
    total = sum(AutoMaskRun.objects.filter(job=job).values_list("mask_count", flat=True))
    return {"images": len(image_ids), "masks": total, "masks_this_attempt": masks}
