"""Benchmark: one click with the classical backend, grabcut-2 (regions grown around the click) against
grabcut-1 (a disc seed), both measured in this run on the same photos and clicks.

Per photo: IoU of the best-scored candidate and of the best of the three against the object drawn by
hand (tests/data/photo_objects.json), at the interior-most click and averaged over 8 more clicks
drawn inside the object; median latency of predict per click, and the new/old latency ratio.
Uses ../shared/fixtures/images; without them, a generated scene.

Run: .venv/bin/python bench/bench_classical_click.py [--runs 5] [--clicks 8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.synthetic import make_scene
from models.classical import GrabCutSegmenter
from tests.media_factory import photo_objects


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def interior_clicks(mask: np.ndarray, count: int, seed: int = 0) -> list[np.ndarray]:
    """`count` clicks at least 30% of the maximum depth inside the object (not on its rim)."""
    distance = cv2.distanceTransform(np.pad(mask.astype(np.uint8), 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    ys, xs = np.nonzero(distance > 0.3 * distance.max())
    picks = np.random.default_rng(seed).choice(len(xs), size=min(count, len(xs)), replace=False)
    return [np.array([[xs[i] + 0.5, ys[i] + 0.5]]) for i in picks]


def cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    photos = photo_objects()
    if photos:
        return [(p.name, p.image, p.mask, p.click) for p in photos]
    print("../shared/fixtures absent: a generated 534x800 scene stands in for the photos")
    image, masks = make_scene(3, height=534, width=800)
    mask = masks[0]
    distance = cv2.distanceTransform(np.pad(mask.astype(np.uint8), 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    y, x = np.unravel_index(np.argmax(distance), distance.shape)
    return [("generated", image, mask, np.array([[x + 0.5, y + 0.5]]))]


def measure(segmenter: GrabCutSegmenter, image, mask, click, extra_clicks, runs: int) -> dict:
    embedding = segmenter.embed(image)
    label = np.array([1])
    prediction = segmenter.predict(embedding, points=click, labels=label)
    ious = [iou(m, mask) for m in prediction.masks]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        segmenter.predict(embedding, points=click, labels=label)
        samples.append(time.perf_counter() - start)
    spread = []
    for other in extra_clicks:
        answer = segmenter.predict(embedding, points=other, labels=label)
        spread.append(iou(answer.masks[answer.best()], mask))
    return {
        "best": ious[prediction.best()],
        "oracle": max(ious),
        "distinct": len({m.tobytes() for m in prediction.masks}),
        "ms": 1000 * float(np.median(samples)),
        "spread": float(np.mean(spread)) if spread else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed predicts per photo and backend")
    parser.add_argument("--clicks", type=int, default=8, help="extra interior clicks per photo")
    args = parser.parse_args()
    old, new = GrabCutSegmenter(click_seeding="disc"), GrabCutSegmenter()
    print(f"{'photo':<15}{'version':<14}{'IoU best':>9}{'IoU max':>9}{'distinct':>9}{'IoU 8 clicks':>13}{'ms':>8}")
    ratios = []
    for name, image, mask, click in cases():
        extra = interior_clicks(mask, args.clicks)
        results = {}
        for segmenter in (old, new):
            r = measure(segmenter, image, mask, click, extra, args.runs)
            results[segmenter.version] = r
            print(
                f"{name:<15}{segmenter.version.split(':')[1]:<14}{r['best']:>9.3f}{r['oracle']:>9.3f}"
                f"{r['distinct']:>9d}{r['spread']:>13.3f}{r['ms']:>8.0f}"
            )
        ratios.append(results[new.version]["ms"] / results[old.version]["ms"])
        print(f"{name:<15}latency new/old {ratios[-1]:.2f}x")
    print(f"latency ratio new/old, geometric mean over photos: {float(np.exp(np.mean(np.log(ratios)))):.2f}x")


if __name__ == "__main__":
    main()
