"""Fault scenarios run end to end against real processes: the fault tests assert on their outcome,
and bench/bench_faults.py prints it as a table. Each scenario breaks something (the broker, a
worker in the middle of a job) and counts, from the stored rows, how many of the jobs it submitted
finished exactly once, were lost (never finished) or were duplicated (their work stored twice).

The caller's Django is set up against the same database as the processes (the test database, or
the benchmark's own); the processes are started from `Stack.env`."""

import io
import json
import os
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
from django.core.files.storage import default_storage
from django.db.models import Count
from PIL import Image as PILImage
from rest_framework.authtoken.models import Token

from backend.annotations.models import AutoMaskRun, Mask, MaskletFrame
from backend.annotations.services import mask_create
from backend.exports.models import ExportJob
from backend.exports.services import export_create
from backend.inference.automatic import auto_annotate_schedule
from backend.inference.models import Embedding, VideoSession
from backend.inference.video_services import prompt_add, propagate_schedule, session_open
from backend.jobs.models import Job
from backend.media.models import Frame, Image, Video
from backend.media.services import annotation_frame_plan, media_ingest
from backend.projects.models import Project
from backend.projects.services import project_create
from backend.training.models import ModelVersion, TrainingRound
from backend.training.services import round_start
from engine import rle as rle_ops
from engine.synthetic import make_scene
from tests import media_factory as mf
from tests.processes import (
    FAST_RECOVERY,
    EmbeddedApp,
    Http,
    OwnedRedis,
    Service,
    embedded_env,
    tiny_sam_env,
    wait_for,
    web_service,
    worker_service,
)

FINAL = (Job.State.SUCCEEDED, Job.State.FAILED, Job.State.CANCELLED)
# A tiny random network rarely passes SAM's thresholds: keep every candidate, on a coarse grid.
AMG_SETTINGS = {"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}


@dataclass
class Outcome:
    """One row of the table: what a scenario submitted and what became of it."""

    scenario: str
    submitted: int
    once: int
    lost: int
    duplicated: int
    recover_seconds: float
    notes: list[str] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)


def format_table(outcomes: list[Outcome]) -> str:
    header = ("scenario", "jobs submitted", "finished exactly once", "lost", "duplicated", "time to recover")
    rows = [header] + [
        (o.scenario, str(o.submitted), str(o.once), str(o.lost), str(o.duplicated), f"{o.recover_seconds:.1f} s")
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


@dataclass
class Stack:
    """The processes of one scenario, started from `env` (database, broker, storage, model) and
    stopped by close(); logs go to `logs`."""

    env: dict[str, str]
    logs: Path
    services: list[Service] = field(default_factory=list)

    def with_env(self, **overrides) -> dict[str, str]:
        return {**self.env, **{key: str(value) for key, value in overrides.items()}}

    def worker(self, **overrides) -> Service:
        service = worker_service(self.with_env(**overrides), self.logs).start()
        self.services.append(service)
        return service

    def web(self, **overrides) -> tuple[Service, str]:
        service, base = web_service(self.with_env(**overrides), self.logs)
        self.services.append(service.start())
        return service, base

    def close(self) -> None:
        for service in self.services:
            service.stop()


def scene_png(seed: int, size: int = 96) -> tuple[bytes, list]:
    pixels, masks = make_scene(seed=seed, height=size, width=size, n_shapes=2)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue(), masks


def wait_alive(service: Service, timeout: float = 120) -> Service:
    from backend.jobs.models import WorkerHeartbeat

    def beating():
        if not service.alive():
            raise AssertionError(f"{service.name} exited:\n{service.log()[-3000:]}")
        return WorkerHeartbeat.objects.filter(hostname=service.name).exists()

    wait_for(beating, timeout, f"worker {service.name}")
    return service


def wait_final(job_ids: list[int], timeout: float) -> None:
    wait_for(lambda: not Job.objects.filter(pk__in=job_ids).exclude(state__in=FINAL).exists(), timeout, "jobs final")


# --- exactly once, from the stored rows -------------------------------------------------------


def duplicated_work(job: Job) -> bool:
    """Whether the job's work is stored more than once (rows a second run would add)."""
    if job.kind == "embed":
        image = Image.objects.get(pk=job.subject_id)
        return Embedding.objects.filter(sha256=image.sha256).count() > 1
    if job.kind in ("propose_masks", "auto_annotate"):
        runs = AutoMaskRun.objects.filter(job=job)
        images = runs.values_list("image_id", flat=True)
        source_masks = Mask.objects.filter(image_id__in=images, source=Mask.Source.AUTO)
        if job.kind == "propose_masks":
            source_masks = source_masks.filter(status=Mask.Status.PROPOSED)
        else:
            source_masks = source_masks.exclude(status=Mask.Status.PROPOSED)
        return source_masks.count() != sum(runs.values_list("mask_count", flat=True))
    if job.kind == "extract_frames":
        video = Video.objects.get(pk=job.subject_id)
        return Frame.objects.filter(video=video).count() != len(
            annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps)
        )
    if job.kind == "video_propagate":
        session = VideoSession.objects.get(pk=job.subject_id)
        frames = Frame.objects.filter(video=session.video).count()
        objects = session.video.masklets.count()
        return MaskletFrame.objects.filter(masklet__video=session.video).count() > frames * objects
    if job.kind == "training_round":
        training_round = TrainingRound.objects.get(job=job)
        return ModelVersion.objects.filter(project=training_round.project).count() > 1
    if job.kind == "export":
        export = ExportJob.objects.get(job=job)
        with default_storage.open(export.storage_key) as handle:
            ids = [a["id"] for a in json.load(handle)["annotations"]]
        return len(ids) != len(set(ids)) or len(ids) != export.item_count
    return False


def account(scenario: str, job_ids: list[int], recover_seconds: float) -> Outcome:
    outcome = Outcome(scenario, len(job_ids), 0, 0, 0, recover_seconds, job_ids=list(job_ids))
    for job in Job.objects.filter(pk__in=job_ids).order_by("id"):
        if job.state != Job.State.SUCCEEDED:
            outcome.lost += 1
            outcome.notes.append(f"job {job.pk} {job.kind} {job.state}: {job.message}")
        elif duplicated_work(job):
            outcome.duplicated += 1
            outcome.notes.append(f"job {job.pk} {job.kind}: work stored more than once")
        else:
            outcome.once += 1
    return outcome


# --- workloads ----------------------------------------------------------------------------------


@dataclass
class Team:
    """A manager and a token for the API, and the projects a scenario works in."""

    user: object
    token: str

    @classmethod
    def make(cls) -> "Team":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username=f"fault-{uuid.uuid4().hex[:8]}", password="x-pw-12345")
        return cls(user, Token.objects.create(user=user).key)

    def project(self, kind: str = "image", stage: str = Project.Stage.ASSISTED) -> Project:
        project = project_create(user=self.user, name=f"faults-{uuid.uuid4().hex[:8]}", kind=kind, categories=["shape"])
        Project.objects.filter(pk=project.pk).update(stage=stage, amg_settings=AMG_SETTINGS)
        project.refresh_from_db()
        return project


def image_workload(team: Team) -> list[int]:
    """Every image job kind at once, submitted the way the services do: two images in the
    semi-automatic stage (embeddings and proposals), kept masks, an automatic run, a COCO export
    and a training round."""
    project = team.project(stage=Project.Stage.SEMI)
    uploads = []
    truths = []
    for seed in (11, 12):
        data, masks = scene_png(seed)
        uploads.append((io.BytesIO(data), f"scene-{seed}.png"))
        truths.append(masks)
    images = [item for item, _ in media_ingest(project=project, uploads=uploads, user=team.user)]
    for image, masks in zip(images, truths, strict=True):
        for mask in masks:
            mask_create(image=image, user=team.user, rle=rle_ops.encode(mask))
    jobs = list(Job.objects.filter(project=project).values_list("pk", flat=True))
    jobs.append(auto_annotate_schedule(project, team.user).pk)
    jobs.append(export_create(project=project, fmt=ExportJob.Format.COCO, user=team.user).job_id)
    config = {"steps": 4, "heldout_percent": 0, "masks_per_step": 2, "iterations": 2, "mask_only_iterations": 0}
    jobs.append(round_start(project=project, user=team.user, config=config).job_id)
    return sorted(jobs)


def video_upload(team: Team) -> tuple[Video, int]:
    """A video long enough that its frame extraction reports progress (40 annotated frames)."""
    project = team.project(kind="video")
    upload = (io.BytesIO(mf.video_bytes(frames=160, fps=24.0)), "clip.mp4")
    [(video, _)] = media_ingest(project=project, uploads=[upload], user=team.user)
    job = Job.objects.get(kind="extract_frames", subject_id=video.pk)
    return video, job.pk


def video_clicks_and_propagation(team: Team, video: Video) -> list[int]:
    session = session_open(video)
    jobs = []
    for obj_id, x in ((1, 20), (2, 100)):
        _, job = prompt_add(
            session=session, user=team.user, kind="points", frame=0, obj_id=obj_id, points=[[x, 45]], labels=[1]
        )
        jobs.append(job.pk)
    jobs.append(propagate_schedule(session=session, user=team.user, start=0, direction="forward").pk)
    return jobs


# --- scenarios ----------------------------------------------------------------------------------


@dataclass
class KillRecord:
    kind: str
    job_id: int
    killed_at: float  # wall clock (compared with Job.finished_at)


def run_with_kills(
    stack: Stack,
    stages: list[Callable[[], list[int]]],
    kinds: set[str],
    failpoints: Path,
    timeout: float = 600,
) -> tuple[list[int], list[KillRecord]]:
    """Run the jobs of each stage (a stage starts once the jobs of the one before are final) on one
    worker at a time. The worker stops in the first job of each kind in `kinds` (failpoints) and is
    SIGKILLed there; a fresh worker takes over. Returns the jobs and the kills."""
    failpoints.mkdir(parents=True, exist_ok=True)
    kills: list[KillRecord] = []

    def fresh_worker() -> Service:
        remaining = sorted(kinds - {k.kind for k in kills})
        return stack.worker(JOB_FAILPOINTS=",".join(remaining) or "none", JOB_FAILPOINT_DIR=failpoints)

    worker = fresh_worker()
    all_jobs: list[int] = []
    deadline = time.monotonic() + timeout
    for stage in stages:
        jobs = stage()
        all_jobs += jobs
        while Job.objects.filter(pk__in=jobs).exclude(state__in=FINAL).exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs not final after {timeout} s: {_states(all_jobs)}")
            if not worker.alive():
                raise AssertionError(f"worker {worker.name} exited:\n{worker.log()[-3000:]}")
            reached = [p for p in failpoints.glob("*.reached") if p.stem not in {f"{k.kind}-{k.job_id}" for k in kills}]
            if reached:
                kind, _, job_id = reached[0].stem.rpartition("-")
                worker.kill()
                kills.append(KillRecord(kind, int(job_id), time.time()))
                worker = fresh_worker()
            time.sleep(0.1)
    return all_jobs, kills


def _states(job_ids: list[int]) -> list[tuple]:
    return list(Job.objects.filter(pk__in=job_ids).values_list("pk", "kind", "state", "attempts", "message"))


def resume_seconds(kill: KillRecord) -> float:
    """From a kill to the next attempt of the job it interrupted starting: the worker replaced, the
    dead one noticed, the job reclaimed, sent and claimed again (after the jobs queued before it)."""
    job = Job.objects.get(pk=kill.job_id)
    return (job.claimed_at.timestamp() if job.claimed_at else time.time()) - kill.killed_at


def scenario_worker_kills(stack: Stack, team: Team, failpoints: Path) -> tuple[Outcome, list[KillRecord]]:
    """SIGKILL of the worker in the middle of a job of every kind."""
    video: dict[str, Video] = {}

    def images() -> list[int]:
        return image_workload(team)

    def upload_video() -> list[int]:
        video["video"], job_id = video_upload(team)
        return [job_id]

    def click_and_propagate() -> list[int]:
        return video_clicks_and_propagation(team, video["video"])

    kinds = {"embed", "propose_masks", "auto_annotate", "training_round", "export", "extract_frames"}
    kinds.add("video_propagate")
    jobs, kills = run_with_kills(stack, [images, upload_video, click_and_propagate], kinds, failpoints)
    resumed = sorted(resume_seconds(kill) for kill in kills)
    outcome = account("worker SIGKILL in every job kind (median)", jobs, resumed[len(resumed) // 2])
    outcome.notes += [f"killed in {k.kind} job {k.job_id}; resumed after {resume_seconds(k):.1f} s" for k in kills]
    return outcome, kills


def scenario_broker_outage(stack: Stack, team: Team) -> Outcome:
    """The broker (a redis-server this scenario owns) stops; an upload, an export and an automatic
    run are requested meanwhile; the broker starts again. Requests go through the web server."""
    redis = OwnedRedis().start()
    try:
        env = {"CELERY_BROKER_URL": redis.url}
        web, base = stack.web(**env)
        worker = wait_alive(stack.worker(**env))
        api = Http(base, team.token)
        wait_for(lambda: api.get("/api/health/").status is not None, 120, "the web server")
        project = team.project()
        redis.stop()
        requests = _requests_while_the_broker_is_down(api, project)
        started = time.time()
        redis.start()
        job_ids = requests["jobs"]
        wait_final(job_ids, timeout=240)
        claims = Job.objects.filter(pk__in=job_ids).values_list("claimed_at", flat=True)
        recovered = min(claim.timestamp() for claim in claims) - started  # the first job under way again
        if not worker.alive() or not web.alive():
            raise AssertionError("a process died during the broker outage")
        predicted = api.post(f"/api/images/{requests['image']}/predict/", {"points": [[40, 40]], "labels": [1]})
        outcome = account("broker down during upload, export, automatic run", job_ids, recovered)
        outcome.notes.append(f"every job finished {time.time() - started:.1f} s after the broker came back")
        outcome.notes.append(f"predict after recovery: {predicted.status}")
        outcome.notes += requests["notes"]
        return outcome
    finally:
        redis.close()


def _requests_while_the_broker_is_down(api: Http, project: Project) -> dict:
    notes = []
    files = [(f"scene-{seed}.png", scene_png(seed)[0], "image/png") for seed in (21, 22)]
    uploaded = api.upload(f"/api/projects/{project.pk}/images/", files)
    notes.append(f"upload: {uploaded.status}")
    if uploaded.status != 201:
        raise AssertionError(f"upload with the broker down answered {uploaded.status}: {uploaded.body}")
    image_id = uploaded.body[0]["id"]
    masks = scene_png(21)[1]
    api.post("/api/masks/", {"image": image_id, "rle": rle_ops.encode(masks[0]), "source": "manual"})
    export = api.post(f"/api/projects/{project.pk}/exports/", {"format": "coco"})
    automatic = api.post(f"/api/projects/{project.pk}/auto-annotate/", AMG_SETTINGS)
    predict = api.post(f"/api/images/{image_id}/predict/", {"points": [[40, 40]], "labels": [1]})
    health = api.get("/api/health/")
    notes += [f"export: {export.status}", f"automatic run: {automatic.status}", f"predict: {predict.status}"]
    notes.append(f"health: {health.status} down={health.body.get('down') if isinstance(health.body, dict) else None}")
    for name, answer in (("export", export), ("automatic run", automatic)):
        if answer.status != 202:
            raise AssertionError(f"{name} with the broker down answered {answer.status}: {answer.body}")
    jobs = list(Job.objects.filter(project=project).values_list("pk", flat=True))
    return {"jobs": sorted(jobs), "image": image_id, "notes": notes, "health": health, "predict": predict}


def scenario_embedded_kill(folder: Path, kinds: tuple[str, ...] = ("auto_annotate", "export")) -> Outcome:
    """The embedded default (`make run`: SQLite, the filesystem broker, one supervisor) with its
    worker SIGKILLed in the middle of an automatic run and of an export: the supervisor restarts
    it, the job resumes, and the web server answers all along. Everything through the API."""
    env = embedded_env(
        VIDEO_MODEL="classical",
        JOB_FAILPOINTS=",".join(kinds),
        JOB_FAILPOINT_DIR=folder / "failpoints",
        DJANGO_SUPERUSER_USERNAME="boss",
        DJANGO_SUPERUSER_PASSWORD="a-good-password-42",
        **{key: str(value) for key, value in FAST_RECOVERY.items()},
        **tiny_sam_env(folder / "checkpoints"),
    )
    (folder / "failpoints").mkdir(parents=True, exist_ok=True)
    app = EmbeddedApp(folder / "var", env).start()
    try:
        app.wait_healthy()
        token = Http(app.base).post("/api/auth/token/", {"username": "boss", "password": "a-good-password-42"})
        api = Http(app.base, token.body["token"])
        project = api.post("/api/projects/", {"name": "embedded-faults"}).body
        files = [(f"scene-{seed}.png", scene_png(seed)[0], "image/png") for seed in (31, 32)]
        images = api.upload(f"/api/projects/{project['id']}/images/", files).body
        for image, seed in zip(images, (31, 32), strict=True):
            api.post("/api/masks/", {"image": image["id"], "rle": rle_ops.encode(scene_png(seed)[1][0])})
        outcome = Outcome("embedded default: worker SIGKILL (web keeps serving)", 0, 0, 0, 0, 0.0)
        automatic = api.post(f"/api/projects/{project['id']}/auto-annotate/", AMG_SETTINGS).body
        _kill_embedded_worker_in(app, api, folder, "auto_annotate", automatic["id"], outcome)
        export = api.post(f"/api/projects/{project['id']}/exports/", {"format": "coco"}).body
        _kill_embedded_worker_in(app, api, folder, "export", export["job"]["id"], outcome)
        _account_embedded(api, project["id"], automatic["id"], export, outcome)
        return outcome
    finally:
        app.stop()


def _kill_embedded_worker_in(app: EmbeddedApp, api: Http, folder: Path, kind: str, job_id: int, outcome) -> None:
    marker = folder / "failpoints" / f"{kind}-{job_id}.reached"
    wait_for(marker.exists, 180, f"the {kind} job at its failpoint")
    worker_pid = app.pids()["worker"]
    os.kill(worker_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    served = refused = 0
    resumed = None

    def final():
        nonlocal served, refused, resumed
        answer = api.get("/api/projects/")  # the web keeps serving
        served, refused = (served + 1, refused) if answer.status == 200 else (served, refused + 1)
        job = api.get(f"/api/jobs/{job_id}/").body
        if resumed is None and job and job["attempts"] == 2:
            resumed = time.monotonic() - killed_at  # the next attempt started (polled every 0.2 s)
        return job if job and job["state"] in FINAL else None

    job = wait_for(final, 240, f"the {kind} job after the kill", interval=0.2)
    outcome.recover_seconds = max(outcome.recover_seconds, resumed if resumed is not None else float("inf"))
    outcome.submitted += 1
    restarted = app.pids()["worker"] != worker_pid
    outcome.notes.append(
        f"{kind}: worker restarted={restarted}, job {job['state']} after {job['attempts']} attempts; "
        f"web answered {served} of {served + refused} requests meanwhile"
    )
    if refused or not restarted or job["state"] != "succeeded" or job["attempts"] != 2:
        outcome.lost += 1


def _account_embedded(api: Http, project_id: int, automatic_id: int, export: dict, outcome: Outcome) -> None:
    """Exactly once, read through the API: the automatic masks listed equal the job's own count,
    and the export's file holds each annotation once."""
    result = api.get(f"/api/jobs/{automatic_id}/").body["result"]
    listed = 0
    for image in api.get(f"/api/projects/{project_id}/images/").body["results"]:
        masks = api.get(f"/api/masks/?image={image['id']}&page_size=1000").body["results"]
        listed += sum(1 for mask in masks if mask["source"] == "auto")
    duplicated = listed != result["masks"]
    download = api.get(f"/api/exports/{export['id']}/download/")
    ids = [a["id"] for a in download.body["annotations"]] if isinstance(download.body, dict) else []
    duplicated_export = not ids or len(ids) != len(set(ids))
    outcome.duplicated = int(duplicated) + int(duplicated_export)
    outcome.once = outcome.submitted - outcome.lost - outcome.duplicated
    outcome.notes.append(f"automatic masks listed {listed}, counted by the job {result['masks']}; export {len(ids)}")


def terminate_before(table: str):
    """A query wrapper (connection.execute_wrapper) that, before the first INSERT into `table`, has
    PostgreSQL terminate this very connection from a second one, as an administrator or a failover
    would; the INSERT then fails on a dead link."""
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        if not state["done"] and sql.startswith(f'INSERT INTO "{table}"'):
            state["done"] = True
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # returns once it is gone
        return execute(sql, params, many, context)

    return wrapper


def scenario_connection_killed(team: Team, saves: int = 10) -> Outcome:
    """`saves` masks, each saved while PostgreSQL kills the request's connection between the mask
    row and its prompt log; the client retries after the 503. Counts the masks stored."""
    from django.db import close_old_connections, connection
    from rest_framework.test import APIClient

    project = team.project()
    data, _ = scene_png(41)
    [(image, _)] = media_ingest(project=project, uploads=[(io.BytesIO(data), "scene.png")], user=team.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {team.token}")
    outcome = Outcome("PostgreSQL connection killed mid-request (client retries)", saves, 0, 0, 0, 0.0)
    answers: dict[int, int] = {}
    for n in range(saves):
        mask = np.zeros((image.height, image.width), bool)
        mask[n : n + 20, 10:40] = True
        prompts = [{"kind": "point", "x": 20, "y": n + 5, "label": 1, "t_ms": 0}]
        body = {"image": image.pk, "rle": rle_ops.encode(mask), "prompts": prompts}
        with connection.execute_wrapper(terminate_before("annotations_promptevent")):
            first = api.post("/api/masks/", body, format="json")
        answers[first.status_code] = answers.get(first.status_code, 0) + 1
        close_old_connections()  # a server's request boundary: the dead connection is dropped
        started = time.monotonic()
        retried = api.post("/api/masks/", body, format="json")
        outcome.recover_seconds = max(outcome.recover_seconds, time.monotonic() - started)
        stored = Mask.objects.filter(image=image, rle=rle_ops.encode(mask)).count()
        if retried.status_code != 201 or stored == 0:
            outcome.lost += 1
        elif stored > 1:
            outcome.duplicated += 1
        else:
            outcome.once += 1
    half_written = Mask.objects.filter(image=image).annotate(events=Count("prompts")).exclude(events=1).count()
    outcome.notes.append(f"first answers {answers}; masks stored without their prompt log: {half_written}")
    return outcome
