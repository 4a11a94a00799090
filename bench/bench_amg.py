"""Benchmark: automatic mask generation on one image, engine.amg vs segment-anything's
SamAutomaticMaskGenerator wrapping the same tiny SAM network; prints images/s, masks/s and the ratio.

Run: .venv/bin/python bench/bench_amg.py [--runs 3] [--points-per-side 8] [--threads 1]. Random tiny
weights keep nothing at SAM's default thresholds, so both run with lowered ones (as the tests do)
and box NMS at 0.7: the upscaling, stability, NMS and RLE work of a real run is all there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from segment_anything import SamAutomaticMaskGenerator

from engine.amg import AmgSettings, AutomaticMaskGenerator
from engine.synthetic import make_scene
from models.tiny import load_tiny

LOWERED = dict(pred_iou_thresh=0.05, stability_score_thresh=0.5, stability_score_offset=0.005)


def time_generator(generate, image: np.ndarray, runs: int) -> tuple[np.ndarray, int]:
    """Seconds per call over `runs` calls (after one warm-up) and the number of masks returned."""
    count = len(generate(image))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        generate(image)
        samples.append(time.perf_counter() - start)
    return np.array(samples), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--points-per-side", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads for both")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # tiny random weights make subnormal floats (as in the tests)
    with tempfile.TemporaryDirectory() as directory:
        segmenter = load_tiny("sam:tiny", Path(directory))  # random weights, timing only
    image = make_scene(seed=3, height=240, width=320, n_shapes=4)[0]
    settings = dict(points_per_side=args.points_per_side, **LOWERED)
    ours = AutomaticMaskGenerator(segmenter, AmgSettings(max_mask_fraction=1.0, **settings))
    reference = SamAutomaticMaskGenerator(segmenter.network, output_mode="coco_rle", **settings)
    rows = {}
    for name, generate in (("segment-anything", reference.generate), ("engine.amg", ours.generate)):
        rows[name] = time_generator(generate, image, args.runs)
    print(
        f"tiny SAM, {image.shape[1]}x{image.shape[0]} image, {args.points_per_side}x{args.points_per_side} clicks, "
        f"{args.runs} runs after a warm-up, torch threads {torch.get_num_threads()}"
    )
    print(f"{'generator':<18} {'median s':>9} {'images/s':>9} {'masks':>6} {'masks/s':>8}")
    for name, (samples, count) in rows.items():
        median = float(np.median(samples))
        print(f"{name:<18} {median:>9.2f} {1 / median:>9.2f} {count:>6} {count / median:>8.1f}")
    ratio = np.median(rows["engine.amg"][0]) / np.median(rows["segment-anything"][0])
    print(f"ratio engine.amg/segment-anything time (median): {ratio:.2f} (below 1: ours is faster)")


if __name__ == "__main__":
    main()
