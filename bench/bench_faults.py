"""Fault scenarios end to end (`make chaos`): real web, worker and broker processes, broken on
purpose, and what became of every job they were given. Prints two tables:

1. scenario, jobs submitted, finished exactly once, lost, duplicated, time to recover — the worker
   SIGKILLed in a job of every kind, the broker (a redis-server of its own) down during an upload,
   an export and an automatic run, the embedded default's worker killed while its web server
   serves, and PostgreSQL killing the connection of a request in the middle of a mask save. Time
   to recover: from the fault's end (the kill, the broker back) to the interrupted work starting
   again (for the database: the client's retry);
2. cancel latency per long job kind: from the click on cancel to the worker taking its next job,
   against the bound cancel had before it was cooperative (the end of the image being generated,
   of the export, of the pass).

Needs PostgreSQL and Redis on this machine (scripts/services.sh); makes its own database, Redis key
prefix, media folder and tiny SAM, and removes them. About ten minutes on two cores.
    .venv/bin/python bench/bench_faults.py [--only kills,broker,embedded,database,cancel]
"""

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WORK = Path(tempfile.mkdtemp(prefix="bench-faults-"))
DATABASE = f"engine_bench_faults_{os.getpid()}"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CELERY_KEY_PREFIX": f"bench-faults-{os.getpid()}:",
        "STORAGE_URL": f"file://{WORK / 'media'}",
        "VAR_DIR": str(WORK / "var"),
        "VIDEO_MODEL": "classical",
        "MODEL_AUTO_FETCH": "0",
        "TQDM_DISABLE": "1",
    }
)
for unset in ("S3_ENDPOINT_URL",):
    os.environ.pop(unset, None)

SCENARIOS = ("kills", "broker", "embedded", "database", "cancel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}")
    chosen = parser.parse_args().only.split(",")
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        run(chosen)
    finally:
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        shutil.rmtree(WORK, ignore_errors=True)


def run(chosen: list[str]) -> None:
    from tests.processes import FAST_RECOVERY, tiny_sam_env

    model = tiny_sam_env(WORK / "checkpoints")
    os.environ.update(model)
    os.environ.update({key: str(value) for key, value in FAST_RECOVERY.items()})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.fault_scenarios import (
        Outcome,
        Stack,
        Team,
        format_table,
        scenario_broker_outage,
        scenario_connection_killed,
        scenario_embedded_kill,
        scenario_worker_kills,
    )
    from tests.processes import process_env

    stack = Stack(process_env(), WORK / "logs")
    outcomes: list[Outcome] = []
    latencies: list[tuple[str, float, float]] = []
    try:
        if "kills" in chosen:
            outcomes.append(_timed(lambda: scenario_worker_kills(stack, Team.make(), WORK / "failpoints")[0]))
            stack.close()
        if "broker" in chosen:
            outcomes.append(_timed(lambda: scenario_broker_outage(stack, Team.make())))
            stack.close()
        if "embedded" in chosen:
            outcomes.append(_timed(lambda: scenario_embedded_kill(WORK / "embedded")))
        if "database" in chosen:
            outcomes.append(_timed(lambda: scenario_connection_killed(Team.make())))
        if "cancel" in chosen:
            latencies = cancel_latencies(stack, Team.make())
    finally:
        stack.close()
    print()
    print(format_table(outcomes))
    for outcome in outcomes:
        for note in outcome.notes:
            print(f"  {outcome.scenario}: {note}")
    if latencies:
        print()
        print(f"{'cancel during':<32}{'latency':>10}{'bound before':>15}{'ratio':>8}")
        for kind, latency, bound in latencies:
            print(f"{kind:<32}{latency:>9.2f}s{bound:>14.2f}s{latency / bound:>8.2f}")


def _timed(scenario):
    started = time.monotonic()
    outcome = scenario()
    outcome.notes.append(f"scenario took {time.monotonic() - started:.0f} s")
    return outcome


def cancel_latencies(stack, team) -> list[tuple[str, float, float]]:
    """Each long job once to the end, then again with a cancel once it has run for a second; the
    latency ends when the worker claims a job queued behind it. The bound before is how long a
    cancel could wait when it was checked only at the old places: the end of the image for
    automatic masks, every 2000 annotations for exports, every frame for propagation, every step
    for training (those last two were already per frame and per step)."""
    from backend.annotations.models import Mask
    from backend.annotations.services import mask_create
    from backend.exports.services import export_create
    from backend.inference.automatic import auto_annotate_schedule
    from backend.jobs.models import Job
    from backend.media.services import media_ingest
    from backend.training.services import round_start
    from engine import rle as rle_ops
    from tests.fault_scenarios import (
        scene_png,
        video_clicks_and_propagation,
        video_upload,
        wait_alive,
        wait_final,
    )

    wait_alive(stack.worker())
    project = team.project()
    data, truths = scene_png(51, size=384)
    [(image, _)] = media_ingest(project=project, uploads=[(io.BytesIO(data), "big.png")], user=team.user)
    wait_final(list(Job.objects.filter(project=project).values_list("pk", flat=True)), 120)
    for truth in truths:
        mask_create(image=image, user=team.user, rle=rle_ops.encode(truth))
    exported = 20000
    rows = [Mask(image=image, rle=_pixel_rle(image, n), area=1, bbox=[0, 0, 1, 1]) for n in range(exported)]
    Mask.objects.bulk_create(rows, batch_size=2000)
    heavy = {"points_per_side": 24, "points_per_batch": 8, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}
    video, extraction = video_upload(team)
    wait_final([extraction], 240)

    def propagation() -> int:
        jobs = video_clicks_and_propagation(team, video)
        wait_final(jobs[:-1], 120)
        return jobs[-1]

    kinds = [
        ("automatic masks (one image)", lambda: auto_annotate_schedule(project, team.user, heavy).pk, 1.0),
        (
            "export (COCO, 20000 masks)",
            lambda: export_create(project=project, fmt="coco", user=team.user).job_id,
            2000 / exported,
        ),
        ("propagation (40 frames)", propagation, 1 / 40),
    ]
    training = team.project()
    for seed in (61, 62):
        data, truths = scene_png(seed)
        [(item, _)] = media_ingest(project=training, uploads=[(io.BytesIO(data), "t.png")], user=team.user)
        mask_create(image=item, user=team.user, rle=rle_ops.encode(truths[0]))
    recipe = {"steps": 150, "heldout_percent": 0, "masks_per_step": 1, "iterations": 2, "mask_only_iterations": 0}
    kinds.append(("training (150 steps)", lambda: round_start(project=training, config=recipe).job_id, 1 / 150))
    measured = []
    for kind, start, share in kinds:
        duration = _run_to_end(start)
        measured.append((kind, _cancelled_latency(start, team), duration * share))
    return measured


def _pixel_rle(image, n: int) -> dict:
    import numpy as np

    from engine import rle as rle_ops

    mask = np.zeros((image.height, image.width), bool)
    mask[n % image.height, (n // image.height) % image.width] = True
    return rle_ops.encode(mask)


def _run_to_end(start) -> float:
    from backend.jobs.models import Job
    from tests.fault_scenarios import wait_final

    job_id = start()
    wait_final([job_id], 900)
    job = Job.objects.get(pk=job_id)
    if job.state != Job.State.SUCCEEDED:
        raise RuntimeError(f"job {job_id} {job.kind} {job.state}: {job.message}")
    return (job.finished_at - job.claimed_at).total_seconds()


SENTINEL_SEEDS = iter(range(1000, 2000))


def _cancelled_latency(start, team) -> float:
    from backend.jobs.models import Job
    from backend.jobs.services import job_cancel
    from backend.media.services import media_ingest
    from tests.fault_scenarios import scene_png
    from tests.processes import wait_for

    job_id = start()
    wait_for(lambda: Job.objects.get(pk=job_id).state == "running", 120, "the job running")
    time.sleep(1.0)  # let it get into its work (this measures; it synchronises nothing)
    sentinel_project = team.project()
    data, _ = scene_png(next(SENTINEL_SEEDS))  # a new image: its embedding is a new job
    media_ingest(project=sentinel_project, uploads=[(io.BytesIO(data), "next.png")], user=team.user)
    sentinel = Job.objects.get(project=sentinel_project, kind="embed")
    clicked = time.time()
    job_cancel(Job.objects.get(pk=job_id))
    wait_for(lambda: Job.objects.get(pk=sentinel.pk).claimed_at is not None, 900, "the next job")
    return Job.objects.get(pk=sentinel.pk).claimed_at.timestamp() - clicked


if __name__ == "__main__":
    main()
