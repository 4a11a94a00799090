"""Benchmark: SAM 2 video propagation through our Sam2VideoTracker (frames read lazily from a JPEG
folder) against the bare SAM2VideoPredictor (init_state loads every frame first) on the same tiny
network and generated video; prints frames per second of each, their ratio, and the latency from a
click (add_prompts) to the first propagated frame.

Run: .venv/bin/python bench/bench_propagation.py [--frames 24] [--image-size 256] [--repeats 5].
Weights are random (tiny test architecture); timings of the network do not depend on their values.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # sam2's progress bars would be timed and printed

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.registry import load_tracker
from models.tiny import save_tiny_sam2
from models.video import FolderFrames

HEIGHT, WIDTH = 96, 128
CLICKS = {1: [[20.0, 35.0]], 2: [[85.0, 60.0]]}  # one positive click per object on frame 0


def write_video(folder: Path, n_frames: int) -> None:
    """A red disc moving right and a green box moving down over a ramp, as JPEG frames."""
    ramp = np.linspace(40, 160, WIDTH, dtype=np.float32)[None, :, None].repeat(HEIGHT, 0).repeat(3, 2)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    for t in range(n_frames):
        frame = ramp.copy()
        frame[(xx - (20 + 3 * t % 90)) ** 2 + (yy - 35) ** 2 <= 144] = (220, 40, 40)
        frame[50 + t % 20 : 72 + t % 20, 70:100] = (40, 200, 60)
        Image.fromarray(frame.astype(np.uint8)).save(folder / f"{t:05d}.jpg", quality=90)


def run_bare(network, folder: Path) -> tuple[float, float, float]:
    """(seconds to init_state, click-to-first-frame seconds, propagation fps) of SAM2VideoPredictor."""
    started = time.perf_counter()
    state = network.init_state(str(folder))
    init_s = time.perf_counter() - started
    started = time.perf_counter()
    for obj_id, points in CLICKS.items():
        network.add_new_points_or_box(state, 0, obj_id, points=points, labels=[1])
    stream = network.propagate_in_video(state)
    next(stream)
    next(stream)  # frame 0 is the prompted frame itself; the first propagated frame is frame 1
    first_s = time.perf_counter() - started
    return init_s, first_s, _fps(network.propagate_in_video(state))


def run_ours(tracker, folder: Path) -> tuple[float, float, float]:
    """The same for Sam2VideoTracker over FolderFrames (nothing decoded before it is needed)."""
    started = time.perf_counter()
    state = tracker.start(FolderFrames.from_folder(folder))
    init_s = time.perf_counter() - started
    started = time.perf_counter()
    for obj_id, points in CLICKS.items():
        tracker.add_prompts(state, 0, obj_id, points=points, labels=[1])
    stream = tracker.propagate(state)
    next(stream)
    next(stream)
    first_s = time.perf_counter() - started
    stream.close()
    return init_s, first_s, _fps(tracker.propagate(state))


def _fps(stream) -> float:
    started = time.perf_counter()
    count = sum(1 for _ in stream)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--image-size", type=int, default=256, help="network input side (the config's is 1024)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # random tiny weights make subnormal floats, ~50x slower on x86
    warnings.filterwarnings("ignore", message="cannot import name '_C'")  # sam2 without its CUDA extension
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "frames"
        folder.mkdir()
        write_video(folder, args.frames)
        checkpoint = save_tiny_sam2(Path(scratch) / "sam2.1_hiera_tiny_test.pt")
        tracker = load_tracker("sam2:tiny", checkpoint, image_size=args.image_size)
        run_ours(tracker, folder)  # warm-up (allocator, RoPE tables)
        rows = {"bare": [], "ours": []}
        for _ in range(args.repeats):  # interleaved, so background load hits both alike
            rows["bare"].append(run_bare(tracker.network, folder))
            rows["ours"].append(run_ours(tracker, folder))
    print(
        f"SAM 2.1 tiny test network at {args.image_size}px, {args.frames} JPEG frames {WIDTH}x{HEIGHT}, "
        f"2 objects, torch threads {torch.get_num_threads()}, median of {args.repeats}"
    )
    print(f"{'tracker':<8} {'start ms':>9} {'click->frame 1 ms':>18} {'propagation fps':>16}")
    medians = {}
    for name, samples in rows.items():
        init_s, first_s, fps = np.median(np.array(samples), axis=0)
        medians[name] = (init_s, first_s, fps)
        print(f"{name:<8} {init_s * 1e3:>9.1f} {first_s * 1e3:>18.1f} {fps:>16.1f}")
    print(f"ratio ours/bare propagation fps: {medians['ours'][2] / medians['bare'][2]:.2f}")
    print(
        f"ratio ours/bare start + click->frame 1: "
        f"{(medians['ours'][0] + medians['ours'][1]) / (medians['bare'][0] + medians['bare'][1]):.2f}"
    )


if __name__ == "__main__":
    main()
