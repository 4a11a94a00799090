"""Figures of one phase: latencies and CPU per endpoint from the client's records, process CPU from
/proc, and what the database holds (lost, duplicated, lost updates, images shared)."""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.load.crowd import Record

TICKS = os.sysconf("SC_CLK_TCK")
EXPECTED = {"edit": {200, 409}, "next": {200, 404}, "save": {201}, "predict": {200}, "leave": {204}}


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and every process below it."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += process_cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError, IndexError):
        pass
    return total


def database_cpu_seconds(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` now (same machine, /proc)."""
    import psycopg

    from bench.scale.environment import POSTGRES

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        pids = [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    return sum(process_cpu_seconds(pid) for pid in pids)


def endpoint_table(records: list[Record], seconds: float) -> tuple[list[dict], dict]:
    calls = defaultdict(list)
    for record in records:
        for call in record.calls:
            calls[call.endpoint].append(call)
    rows, errors = [], 0
    for endpoint in ("next", "detail", "predict", "save", "complete", "mask", "edit", "leave"):
        items = calls.get(endpoint, [])
        if not items:
            continue
        latency = np.array([c.seconds for c in items]) * 1000
        cpu = [c.cpu_ms for c in items if c.cpu_ms is not None]
        decode = [c.decode_ms for c in items if c.decode_ms is not None]
        bad = sum(1 for c in items if c.status is None or c.status not in EXPECTED.get(endpoint, {200}))
        errors += bad
        rows.append(
            {
                "endpoint": endpoint,
                "count": len(items),
                "p50": float(np.percentile(latency, 50)),
                "p95": float(np.percentile(latency, 95)),
                "p99": float(np.percentile(latency, 99)),
                "rps": len(items) / seconds,
                "cpu_ms": float(np.mean(cpu)) if cpu else float("nan"),
                "decode_ms": float(np.mean(decode)) if decode else None,
                "errors": bad,
                "statuses": sorted({c.status for c in items if c.status not in EXPECTED.get(endpoint, {200})}, key=str),
            }
        )
    total = sum(r["count"] for r in rows)
    return rows, {"requests": total, "rps": total / seconds, "errors": errors}


def overlapping_holds(records: list[Record]) -> int:
    """Pairs of annotators who held the same image at the same time (client clocks)."""
    spans = defaultdict(list)
    for record in records:
        for image, start, end in record.holds:
            spans[image].append((start, end, record.user))
    overlaps = 0
    for held in spans.values():
        held.sort()
        for (_, e1, u1), (s2, _, u2) in itertools.pairwise(held):
            if u1 != u2 and s2 < e1:
                overlaps += 1
    return overlaps


def database_counts(records_so_far: list[Record], shared: list[int], board_owner: str) -> dict:
    """From the database, over every phase so far: masks answered 201 but absent (lost), masks the
    crowd created that no 201 announced (duplicates), edits answered 200 but not in the final row
    (lost updates), and images holding masks of more than one annotator."""
    from django.db.models import Count

    from backend.annotations.models import Mask

    created = {mask for record in records_so_far for mask in record.created}
    found = Mask.objects.filter(pk__in=created).count()
    crowd = Mask.objects.exclude(pk__in=shared).exclude(created_by__username=board_owner)
    extra = crowd.count() - found
    edits = defaultdict(list)
    for record in records_so_far:
        for mask, version, counts in record.edits:
            edits[mask].append((version, counts))
    lost_updates = 0
    for mask in Mask.objects.filter(pk__in=shared):
        done = sorted(edits.get(mask.pk, []))
        versions = {version for version, _ in done}
        lost_updates += len(done) - len(versions)  # two 200s that both became one version
        if done and (mask.version != done[-1][0] or mask.rle["counts"] != done[-1][1]):
            lost_updates += 1
        if mask.version != 1 + len(done):
            lost_updates += abs(mask.version - 1 - len(done))
    shared_images = (
        crowd.values("image").annotate(people=Count("created_by", distinct=True)).filter(people__gt=1).count()
    )
    return {
        "saved": len(created),
        "lost": len(created) - found,
        "duplicates": extra,
        "edits": sum(len(v) for v in edits.values()),
        "lost_updates": lost_updates,
        "images_with_two_annotators": shared_images,
    }


def print_phase(users: int, seconds: float, rows: list[dict], totals: dict, extra: dict) -> None:
    print(
        f"\n== {users} users, {seconds:.0f} s: {totals['requests']} requests, {totals['rps']:.1f} req/s, "
        f"{totals['errors']} errors, {extra['resets']} connection resets"
    )
    print(f"{'endpoint':10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>6} {'cpu ms':>7} errors")
    for r in rows:
        statuses = f" {r['statuses']}" if r["statuses"] else ""
        print(
            f"{r['endpoint']:10} {r['count']:6d} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} "
            f"{r['rps']:6.1f} {r['cpu_ms']:7.1f} {r['errors']}{statuses}"
        )
    for line in extra["lines"]:
        print(line)
