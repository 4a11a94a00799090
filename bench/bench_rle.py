"""Decoding a 1080x1920 mask's RLE: pycocotools (C) against engine's pure numpy counts codec, both
measured in this run. Prints median milliseconds and the ratio. Run: python bench/bench_rle.py"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from pycocotools import mask as coco_mask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import rle as rle_ops

HEIGHT, WIDTH = 1080, 1920
REPEATS = 50


def scene_mask() -> np.ndarray:
    """A frame-sized mask with a few smooth blobs and holes, like an object mask of a real frame
    (bench_frontend_rle.py decodes the same one)."""
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    rng = np.random.default_rng(0)
    for _ in range(12):
        centre = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        axes = (int(rng.integers(40, 400)), int(rng.integers(40, 300)))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    for _ in range(6):
        centre = (int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT)))
        cv2.circle(mask, centre, int(rng.integers(10, 80)), 0, -1)
    return mask.astype(bool)


def _median_ms(function) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    mask = scene_mask()
    rle = rle_ops.encode(mask)
    coco_rle = {"size": rle["size"], "counts": rle["counts"].encode()}
    runs = rle_ops.counts_to_runs(rle["counts"])
    if not np.array_equal(coco_mask.decode(coco_rle).astype(bool), rle_ops.decode(rle)):
        raise SystemExit("engine decode disagrees with pycocotools: fix that before timing")

    baseline = _median_ms(lambda: coco_mask.decode(coco_rle))
    pure_runs = _median_ms(lambda: rle_ops.counts_to_runs(rle["counts"]))
    pure_decode = _median_ms(lambda: rle_ops.decode(rle))
    print(f"mask {HEIGHT}x{WIDTH}, {len(runs)} runs, counts {len(rle['counts'])} chars, median of {REPEATS}")
    print(f"pycocotools decode (baseline)         {baseline:8.3f} ms  1.00x")
    for name, value in (
        ("engine counts_to_runs (codec only)", pure_runs),
        ("engine decode (check + runs -> mask)", pure_decode),
    ):
        print(f"{name:38s}{value:8.3f} ms  {value / baseline:5.2f}x")


if __name__ == "__main__":
    main()
