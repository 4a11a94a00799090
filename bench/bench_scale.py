"""Scale-out figures in one run (issue 19), each against its baseline measured in the same run:

1. an automatic run over the same images with 1 and 2 gpu worker processes (Celery over Redis,
   PostgreSQL, a tiny SAM on CPU, one torch thread per worker): images per minute and the ratio;
2. automatic masks stored per second into PostgreSQL (one COPY per image);
3. resident memory of a web process serving a ViT-H-sized SAM: whole network vs decoder only;
4. training steps per second on 1 and 2 gloo processes, and the held-out figures of both;
5. list, metrics and export timings at 10k and 1M masks, in a database of their own (rows
   generated in bulk), against page numbers and metrics computed from every mask.

Needs PostgreSQL and Redis (scripts/services.sh); makes its databases, Redis key prefix, media
folders and tiny SAM, and removes them. The ViT-H-sized random checkpoint (2.5 GB) is written once
under the temporary folder's bench-scale-checkpoints and reused. Run it niced on a shared machine:
    nice -n 10 .venv/bin/python bench/bench_scale.py [--only automatic,store,memory,training,queries]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scale import environment  # noqa: E402  (sets the environment before Django)

SECTIONS = ("automatic", "store", "memory", "training", "queries")
CHECKPOINTS = Path(tempfile.gettempdir()) / "bench-scale-checkpoints"


def with_database(work: Path, sections: set[str]) -> dict:
    """The sections that need the app's database (the web memory child sets Django up on it)."""
    name = f"engine_bench_scale_{os.getpid()}"
    environment.configure(name)
    environment.create_database(name)
    try:
        environment.setup_django()
        from bench.scale import automatic, mask_store

        figures = {}
        if "automatic" in sections:
            figures["automatic"] = automatic.scaling(work)
        if "store" in sections:
            from backend.projects.models import Project

            figures["store"] = mask_store.masks_per_second(Project.objects.create(name="store"))
        if "memory" in sections:
            figures["memory"] = memory()
        return figures
    finally:
        environment.drop_database(name)


def memory() -> dict:
    from bench.scale.web_memory import measure, random_checkpoint

    checkpoint = random_checkpoint("sam:vit_h", CHECKPOINTS)
    return {parts: measure("sam:vit_h", checkpoint, parts) for parts in ("full", "decoder")}


def queries_child() -> None:
    """In its own process: a database of its own for the 1M rows, dropped at the end."""
    name = f"engine_bench_scale_1m_{os.getpid()}"
    environment.configure(name)
    environment.create_database(name)
    try:
        environment.setup_django()
        from bench.scale.queries import at_sizes

        print(json.dumps(at_sizes()))
    finally:
        environment.drop_database(name)


def queries() -> list[dict]:
    command = [sys.executable, str(Path(__file__).resolve()), "--queries-child"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=7200, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(figures: dict) -> None:
    print("\n== bench_scale: scale-out figures (tiny networks on CPU; a machine shared with other sessions)")
    print(
        f"load average at the start {figures['load_before']}, at the end {figures['load_after']} ({os.cpu_count()} cores)"
    )
    if "automatic" in figures:
        a = figures["automatic"]
        print("\n-- automatic run, same images, gpu worker processes (Redis broker, PostgreSQL)")
        print(
            f"{'workers':>8} {'images':>7} {'masks':>7} {'seconds':>8} {'images/min':>11} {'chunks':>7} {'on workers':>11}"
        )
        for row in (a["one"], a["two"]):
            print(
                f"{row['workers']:>8} {row['images']:>7} {row['masks']:>7} {row['seconds']:>8} "
                f"{row['images_per_minute']:>11} {row['chunks']:>7} {row['chunk_workers']:>11}"
            )
        print(f"ratio 2 workers / 1 worker: {a['ratio']}x (goal >= 1.7x on 2 cores)")
    if "store" in figures:
        s = figures["store"]
        print(
            f"\n-- automatic masks stored: {s['masks']} in {s['seconds']} s = {s['masks_per_second']}/s (goal >= 10000/s)"
        )
    if "memory" in figures:
        m = figures["memory"]
        print("\n-- web process serving a ViT-H-sized SAM (random weights), resident memory")
        for parts, row in m.items():
            print(
                f"{parts:>8}: RSS {row['rss_mb']} MB, private {row['private_mb']} MB (Django alone {row['django_rss_mb']} MB), "
                f"peak {row['peak_mb']} MB, "
                f"{row['parameters'] / 1e6:.1f} M parameters, first predict {row['first_predict_ms']} ms"
            )
        print(f"decoder only / full: {m['decoder']['rss_mb'] / m['full']['rss_mb']:.3f} of the resident memory")
    if "training" in figures:
        t = figures["training"]
        print("\n-- training, same recipe and images per step, gloo")
        for row in (t["one"], t["two"]):
            print(
                f"{row['processes']} process(es): {row['steps_per_second']} steps/s, final loss {row['final_loss']}, "
                f"held-out ({row['heldout_images']} images) {row['heldout']}"
            )
        print(f"ratio 2 / 1 processes: {t['ratio']}x")
    if "queries" in figures:
        print("\n-- queries as the project grows (median of 5, ms; export once, s)")
        head = ("masks", "list keyset", "list page no.", "metrics rollup", "metrics all rows", "export s", "exported/s")
        print(" ".join(f"{h:>16}" for h in head))
        for row in figures["queries"]:
            values = (
                row["masks"], row["list_keyset_ms"], row["list_page_number_ms"], row["metrics_rollup_ms"],
                row["metrics_from_every_mask_ms"], row["export_seconds"], row["export_masks_per_second"],
            )  # fmt: skip
            print(" ".join(f"{v:>16}" for v in values))
        print("goal: list and metrics under 100 ms at 1M masks")
    for name, error in figures.get("errors", {}).items():
        print(f"\n!! {name} failed: {error}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--queries-child", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    if args.queries_child:
        queries_child()
        return
    sections = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    figures: dict = {"errors": {}, "load_before": [round(v, 1) for v in os.getloadavg()]}
    started = time.time()
    steps = [
        (
            "automatic+store+memory",
            lambda: figures.update(with_database(work, sections)),
            {"automatic", "store", "memory"},
        ),
        ("training", lambda: figures.update(training=_training(work)), {"training"}),
        ("queries", lambda: figures.update(queries=queries()), {"queries"}),
    ]
    for name, step, needs in steps:
        if sections & needs:
            try:
                step()
            except Exception:
                figures["errors"][name] = traceback.format_exc()[-2000:]
    figures["seconds"] = round(time.time() - started)
    figures["load_after"] = [round(v, 1) for v in os.getloadavg()]
    report(figures)
    print(f"\n(bench_scale took {figures['seconds']} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


def _training(work: Path) -> dict:
    from bench.scale.training_speed import compare

    return compare(work / "training")


if __name__ == "__main__":
    main()
