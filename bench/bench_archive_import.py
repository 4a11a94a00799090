"""Benchmark of SA-1B import on untrusted archives: time and peak RSS of `manage.py import_sa1b`
(each run a fresh process) on a real archive and on a gzip of zeros that expands to gigabytes,
against a baseline in the same run: the old reader (every member read into memory, as the import
did before its caps) on the same bomb.

    .venv/bin/python bench/bench_archive_import.py [--members 40] [--member-mb 45]
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import media_factory as mf  # noqa: E402

CHILD = r"""
import os, resource, sys, time, tarfile
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
mode, path, project = sys.argv[1:4]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
outcome = "imported"
if mode == "old-reader":  # what import_sa1b did before: every regular member's bytes in a dict
    found = {}
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if member.isfile():
                found[member.name] = tar.extractfile(member).read()
    outcome = f"read {sum(map(len, found.values())) >> 20} MB"
else:
    try:
        call_command("import_sa1b", path, "--project", project, stdout=open(os.devnull, "w"))
    except CommandError as exc:
        outcome = "refused: " + str(exc).split(": ", 2)[-1][:60]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{seconds:.2f}|{base / 1024:.0f}|{peak / 1024:.0f}|{outcome}")
"""


def real_archive(path: Path, images: int = 20) -> None:
    import numpy as np

    from engine import rle as rle_ops

    with tarfile.open(path, "w") as tar:
        for index in range(1, images + 1):
            pixels = mf.jpeg_bytes(640, 480, seed=index)
            shape = np.zeros((480, 640), bool)
            shape[100 : 200 + index, 50:300] = True
            record = {
                "image": {"image_id": index, "width": 640, "height": 480, "file_name": f"sa_{index}.jpg"},
                "annotations": [
                    {
                        "id": index * 10 + k,
                        "segmentation": rle_ops.encode(np.roll(shape, 7 * k, axis=1)),
                        "bbox": [0, 0, 1, 1],
                        "area": int(shape.sum()),
                        "predicted_iou": 0.9,
                        "stability_score": 0.95,
                        "crop_box": [0, 0, 640, 480],
                        "point_coords": [[120.0 + 7 * k, 150.0]],
                    }
                    for k in range(5)
                ],
            }
            for name, payload in ((f"sa_{index}.json", json.dumps(record).encode()), (f"sa_{index}.jpg", pixels)):
                info = tarfile.TarInfo(name)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))


def run(mode: str, path: Path, project: str, env: dict) -> tuple[float, float, float, str]:
    answer = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path), project],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if answer.returncode != 0:
        raise SystemExit(answer.stderr[-2000:])
    seconds, base, peak, outcome = answer.stdout.strip().splitlines()[-1].split("|", 3)
    return float(seconds), float(base), float(peak), outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--member-mb", type=int, default=45)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "VAR_DIR": str(work / "var"), "DEBUG": "1", "MODEL": "classical"}
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL", "S3_ENDPOINT_URL"):
        env.pop(key, None)
    subprocess.run([sys.executable, "backend/manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True)

    real = work / "real.tar"
    real_archive(real)
    bomb = Path(mf.zero_bomb_tar_gz(work / "bomb.tar.gz", args.members, args.member_mb * 1024 * 1024))
    expanded = args.members * args.member_mb
    rows = [
        ("real archive (20 images, 100 masks)", real, "import", f"{real.stat().st_size >> 10} KB"),
        (f"zeros, {expanded} MB expanded", bomb, "import", f"{bomb.stat().st_size >> 10} KB"),
        (f"zeros, {expanded} MB expanded", bomb, "old-reader", f"{bomb.stat().st_size >> 10} KB"),
    ]
    print(f"{'scenario':38} {'reader':11} {'archive':>9} {'seconds':>8} {'RSS start':>9} {'RSS peak':>9}  outcome")
    peaks = {}
    for index, (name, path, mode, size) in enumerate(rows):
        seconds, base, peak, outcome = run(mode, path, f"bench-{index}", env)
        peaks[(name, mode)] = peak - base
        label = "streaming" if mode == "import" else "old (read)"
        print(f"{name:38} {label:11} {size:>9} {seconds:8.2f} {base:8.0f}M {peak:8.0f}M  {outcome}")
    bomb_name = rows[1][0]
    new, old, legit = peaks[(bomb_name, "import")], peaks[(bomb_name, "old-reader")], peaks[(rows[0][0], "import")]
    print(
        f"growth while reading the bomb: streaming {new:.0f} MB, old reader {old:.0f} MB "
        f"(ratio {old / max(new, 1):.0f}x); the real archive grew the process {legit:.0f} MB"
    )


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"({time.perf_counter() - t0:.0f} s)")
