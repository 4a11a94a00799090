"""CPU of the hot reads compiled once per process (backend/core/compiled.py) against the same reads
through the ORM, in one process on one PostgreSQL database: each compiled query's `fetch` against
`list(build(...))` with the same values (the ORM builds and compiles the queryset every time, as
the code did before), and the API's readers built on them. Rounds alternate the two, so a load that
moves on a shared machine moves both. Prints CPU ms per call and the ratio, and checks that both
return the same rows.

Needs PostgreSQL (scripts/services.sh); makes and drops a database of its own.
    nice -n 10 .venv/bin/python bench/bench_compiled_queries.py [--calls 300] [--rounds 3]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale.environment import configure, create_database, drop_database, setup_django


def seed():
    """A project with an annotator, 50 images, a live claim and a decision on the first one."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from backend.media.models import Image
    from backend.projects.models import Membership, Project
    from backend.work.models import Claim, Completion, ItemDecision

    users = get_user_model()
    manager = users.objects.create_user("bench-manager", password="x" * 12)
    annotator = users.objects.create_user("bench-annotator", password="x" * 12)
    project = Project.objects.create(name="compiled", kind=Project.Kind.IMAGE, created_by=manager)
    Membership.objects.create(project=project, user=manager, role="manager")
    Membership.objects.create(project=project, user=annotator, role="annotator")
    images = Image.objects.bulk_create(
        Image(
            project=project,
            sha256=f"{k:064x}",
            storage_key=f"images/{k}.jpg",
            file_name=f"{k}.jpg",
            format="jpeg",
            size_bytes=1,
            width=640,
            height=480,
            created_by=manager,
        )
        for k in range(50)
    )
    now = timezone.now()
    first = images[0]
    Claim.objects.create(
        project=project,
        image=first,
        user=annotator,
        purpose="annotate",
        claimed_at=now,
        expires_at=now + timedelta(hours=1),
    )
    ItemDecision.objects.create(project=project, image=first, decision="complete", decided_by=annotator)
    Completion.objects.create(project=project, image=first, user=annotator, completed_at=now)
    return annotator, project, first, Token.objects.create(user=annotator).key


def seed_video(annotator):
    """A video with a session, one click on object 1 (its masklet) and the click's running job: what
    the session's worker reads for every operation it runs."""
    from backend.annotations.models import Masklet
    from backend.inference.models import VideoPrompt, VideoSession
    from backend.jobs.models import Job
    from backend.media.models import Video
    from backend.projects.models import Project

    project = Project.objects.create(name="compiled video", kind=Project.Kind.VIDEO, created_by=annotator)
    video = Video.objects.create(
        project=project,
        sha256="f" * 64,
        storage_key="videos/v.mp4",
        file_name="v.mp4",
        format="mp4",
        size_bytes=1,
        width=64,
        height=48,
        fps=24.0,
        frame_count=48,
        duration=2.0,
        annotation_fps=6.0,
    )
    session = VideoSession.objects.create(video=video)
    VideoPrompt.objects.create(session=session, seq=1, kind="points", frame=0, obj_id=1, points=[[3, 4]], labels=[1])
    Masklet.objects.create(video=video, object_id=1, created_by=annotator)
    job = Job.objects.create(
        kind="video_prompt",
        queue="gpu",
        state="running",
        attempts=1,
        subject_type="inference.videosession",
        subject_id=session.pk,
        params={"seq": 1},
    )
    return video, session, job


def video_cases(video, session, job):
    """The session worker's reads (every one of them ran through the ORM until the stand-ins of
    compiled queries fitted 32-bit integer columns)."""
    from backend.inference import selectors as inference
    from backend.jobs import selectors as jobs
    from backend.jobs import services

    def pair(query, shape=(), **values):
        return (lambda: query.fetch(shape, **values), lambda: list(query.build(shape, **values)))

    kinds = ("video_prompt", "video_propagate", "video_warm")
    return [
        (
            "video operation with its session (a job)",
            *pair(inference._OPERATION_WITH_SESSION, session_id=session.pk, seq=1),
        ),
        (
            "operations between two numbers (replay)",
            *pair(inference._OPERATIONS_BETWEEN, session_id=session.pk, after=0, before=2),
        ),
        ("a video's masklet of an object", *pair(inference._MASKLET, video_id=video.pk, object_id=1)),
        (
            "a session's next queued job",
            *pair(jobs._NEXT_QUEUED, kinds, subject_type=job.subject_type, subject_id=session.pk, queue="gpu"),
        ),
        ("a job's attempt still running (cancel)", *pair(services._ATTEMPT_RUNNING, job_id=job.pk, attempts=1)),
    ]


def cases(annotator, project, image, key):
    """(name, compiled call, the ORM's call) for each hot read."""
    from django.utils import timezone

    from backend.accounts import tokens
    from backend.inference import selectors as inference
    from backend.media import selectors as media
    from backend.projects import policy
    from backend.projects import selectors as projects
    from backend.training import selectors as training
    from backend.work import selectors as work
    from backend.workspace import selectors as workspace

    now = timezone.now()
    member = (False,)

    def pair(query, shape=(), **values):
        return (lambda: query.fetch(shape, **values), lambda: list(query.build(shape, **values)))

    state = work._ITEM_QUERIES["image"]
    return [
        ("token with its user (every API request)", *pair(tokens._TOKEN_WITH_USER, key=key)),
        (
            "project the user may see",
            *pair(projects._VISIBLE_PROJECT, member, user_id=annotator.pk, project_id=project.pk),
        ),
        ("role in a project", *pair(policy._ROLE, user_id=annotator.pk, project_id=project.pk)),
        ("image the user may see", *pair(media._VISIBLE_IMAGE, member, user_id=annotator.pk, image_id=image.pk)),
        (
            "image with the caller's role (predict)",
            *pair(media._IMAGE_WITH_ROLE, user_id=annotator.pk, image_id=image.pk),
        ),
        (
            "image with its state (detail, next)",
            *pair(workspace._IMAGE_WITH_STATE, member, user_id=annotator.pk, image_id=image.pk, now=now),
        ),
        ("image's state (complete, skip, flag)", *pair(state["state"], item_id=image.pk, now=now)),
        ("live claims of an image", *pair(state["claims"], item_id=image.pk, now=now)),
        ("decision on an image", *pair(state["decision"], item_id=image.pk)),
        ("who completed an image", *pair(state["completed_by"], item_id=image.pk)),
        ("active model version", *pair(training._ACTIVE_VERSION, project_id=project.pk)),
        (
            "embedding status",
            *pair(inference._EMBEDDING_STATUS, sha256=image.sha256, model_version="sam:tiny@0"),
        ),
    ]


def _fields(rows: list) -> list:
    """Each row's public attributes (a model instance) or the row itself (a values row)."""
    return [
        {k: v for k, v in vars(row).items() if not k.startswith("_")} if hasattr(row, "_state") else row for row in rows
    ]


def cpu_ms(call, calls: int) -> float:
    started = time.thread_time()
    for _ in range(calls):
        call()
    return (time.thread_time() - started) * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    name = f"engine_bench_compiled_{os.getpid()}"
    configure(name)
    os.environ.update({"DEBUG": "0", "SECRET_KEY": "bench-compiled-" + "x" * 40})  # DEBUG keeps every query
    create_database(name)
    try:
        setup_django()
        seeded = seed()
        rows = cases(*seeded) + video_cases(*seed_video(seeded[0]))
        print(f"{'read':42s} {'ORM ms':>8s} {'compiled':>8s} {'ratio':>6s}")
        orm_total = compiled_total = 0.0
        for label, compiled, orm in rows:
            if _fields(compiled()) != _fields(orm()):
                raise SystemExit(f"{label}: the compiled query's rows differ from the ORM's")
            orm_ms, compiled_ms = [], []
            for _ in range(args.rounds):
                orm_ms.append(cpu_ms(orm, args.calls))
                compiled_ms.append(cpu_ms(compiled, args.calls))
            a, b = statistics.median(orm_ms), statistics.median(compiled_ms)
            orm_total, compiled_total = orm_total + a, compiled_total + b
            print(f"{label:42s} {a:8.3f} {b:8.3f} {b / a:6.2f}")
        print(f"{'all of them once':42s} {orm_total:8.3f} {compiled_total:8.3f} {compiled_total / orm_total:6.2f}")
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
