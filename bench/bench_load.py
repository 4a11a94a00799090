"""Many annotators at once against a real deployment on this machine: gunicorn
(backend/config/gunicorn.conf.py, 2 workers, ASGI as deployed or --wsgi), PostgreSQL, Redis and a Celery worker,
with a tiny SAM in the official checkpoint format. Phases of 10, 25 and 50 simulated people: each
annotator asks for the next image, opens it, clicks 1-3 times about once per 2 s (logits token
fed back), saves the mask and marks the image complete; a few people edit shared masks at once
(stale edits get 409).

Prints per phase: per-endpoint p50 / p95 / p99 latency, requests/s, the server's CPU ms per
request (Server-Timing, this request's thread), errors and connection resets; web process CPU per
request (/proc), the decoder's own CPU per predict and the ratio; masks per minute, images touched,
annotators that held one image at once; and from the database: lost, duplicated, lost updates.

Needs PostgreSQL and Redis (scripts/services.sh); makes and drops a database of its own, a Redis
key prefix and a media folder. The load generator runs on the same cores as the server.
    nice -n 10 .venv/bin/python bench/bench_load.py [--users 10,25,50] [--seconds 45,60,150]
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import stack  # sets no Django state on import


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,25,50", help="people per phase, comma-separated")
    parser.add_argument("--seconds", default="45,60,150", help="length of each phase")
    parser.add_argument("--editors", type=float, default=0.1, help="share of people editing shared masks")
    parser.add_argument("--shared-masks", type=int, default=3)
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (--wsgi)")
    parser.add_argument("--wsgi", action="store_true", help="WSGI with gthread workers instead of ASGI (uvicorn)")
    parser.add_argument(
        "--keepalive", type=int, default=None, help="WEB_KEEPALIVE_SECONDS for gunicorn (default: the config's)"
    )
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    seconds = [float(s) for s in args.seconds.split(",")]
    if len(seconds) != len(users):
        parser.error("--seconds needs one value per --users phase")
    name = f"engine_bench_load_{os.getpid()}"
    env = stack.environment(name, args.workers, args.threads, wsgi=args.wsgi)
    if args.keepalive is not None:
        os.environ["WEB_KEEPALIVE_SECONDS"] = env["WEB_KEEPALIVE_SECONDS"] = str(args.keepalive)
    stack.start(name)
    web = worker = None
    try:
        from tests.processes import Http, wait_for

        logs = Path(env["VAR_DIR"]) / "logs"
        web, worker, base = stack.web_and_worker(logs, wsgi=args.wsgi)
        worker.start()
        started = time.monotonic()
        crowd = stack.seed(max(users), args.images, args.shared_masks)
        print(
            f"seeded {args.images} images and {max(users)} people in {time.monotonic() - started:.0f} s "
            f"(the worker embedded {stack.PICTURES} pictures); model {crowd.model_version}",
            flush=True,
        )
        started = time.monotonic()
        web.start()
        wait_for(lambda: Http(base).get("/api/health/").status == 200, 120, "gunicorn healthy", interval=0.2)
        print(
            f"gunicorn answering {time.monotonic() - started:.1f} s after start (keep-alive "
            f"{os.environ.get('WEB_KEEPALIVE_SECONDS', '75')} s, {args.workers} workers, "
            + (f"WSGI gthread x {args.threads} threads" if args.wsgi else "ASGI uvicorn, a thread per request")
            + ", models loaded before serving)",
            flush=True,
        )
        run_phases(base, crowd, users, seconds, args, web, worker, name)
        print(f"\nlogs: {logs}" if any("Traceback" in s.log() for s in (web, worker)) else "")
    finally:
        for service in (web, worker):
            if service is not None:
                service.stop()
        stack.stop(name)
        shutil.rmtree(env["VAR_DIR"], ignore_errors=True)


def run_phases(base, crowd, users, seconds, args, web, worker, database: str) -> None:
    from bench.load.crowd import run_phase
    from bench.load.report import (
        database_counts,
        database_cpu_seconds,
        endpoint_table,
        overlapping_holds,
        print_phase,
        process_cpu_seconds,
    )

    everyone = []
    for phase, (count, length) in enumerate(zip(users, seconds, strict=True)):
        editors = max(1, round(count * args.editors))
        cpu_before = (
            process_cpu_seconds(web.process.pid),
            process_cpu_seconds(worker.process.pid),
            time.process_time(),
            database_cpu_seconds(database),
        )
        records, wall = run_phase(
            base,
            crowd.tokens,
            crowd.project_id,
            crowd.image_size,
            crowd.shared_masks,
            count,
            editors,
            length,
            seed=phase,
        )
        web_cpu = process_cpu_seconds(web.process.pid) - cpu_before[0]
        worker_cpu = process_cpu_seconds(worker.process.pid) - cpu_before[1]
        client_cpu = time.process_time() - cpu_before[2]
        # Backends that closed during the phase are missed: a lower bound.
        database_cpu = max(0.0, database_cpu_seconds(database) - cpu_before[3])
        everyone += records
        rows, totals = endpoint_table(records, wall)
        counts = database_counts(everyone, crowd.shared_masks, "bench-manager")
        saved = sum(len(r.created) for r in records)
        touched = {image for r in records for image, *_ in r.holds}
        predict = next((r for r in rows if r["endpoint"] == "predict"), None)
        lines = [
            (
                f"web processes: {web_cpu * 1000 / max(totals['requests'], 1):.1f} CPU ms per request "
                f"({web_cpu / wall * 100:.0f}% of one core); PostgreSQL {database_cpu * 1000 / max(totals['requests'], 1):.1f} "
                f"CPU ms per request; worker {worker_cpu / wall * 100:.0f}%; "
                f"load generator {client_cpu / wall * 100:.0f}%; load average {os.getloadavg()[0]:.2f}"
            ),
            (
                f"masks per minute {saved / wall * 60:.0f}; images touched {len(touched)}; "
                f"annotators holding one image at once {overlapping_holds(records)}; "
                f"ran out of images {sum(r.no_work for r in records)}"
            ),
            (
                f"database (all phases so far): {counts['saved']} masks answered 201, lost {counts['lost']}, "
                f"duplicates {counts['duplicates']}, images with masks of two annotators "
                f"{counts['images_with_two_annotators']}; {counts['edits']} shared edits saved, "
                f"{sum(r.stale for r in records)} stale edits answered 409 this phase, lost updates {counts['lost_updates']}"
            ),
        ]
        if predict and predict["decode_ms"]:
            lines.append(
                f"predict: {predict['cpu_ms']:.1f} CPU ms per request, decoder {predict['decode_ms']:.1f} CPU ms: "
                f"ratio {predict['cpu_ms'] / predict['decode_ms']:.2f} (goal <= 1.5)"
            )
        print_phase(count, wall, rows, totals, {"resets": sum(r.resets for r in records), "lines": lines})
        sys.stdout.flush()


if __name__ == "__main__":
    main()
