"""Resident memory of a web process serving predict: the whole network (what every web process
loaded before) against the prompt decoder alone, for a ViT-H-sized SAM and a SAM 2.1 large-sized
network. Random weights (memory does not depend on their values), built from the official modules
and saved in the official checkpoint formats, served with MODEL_ALLOW_UNVERIFIED=1.

Each measurement is a fresh process that sets Django up as a web worker does, loads the model
through backend.inference.runtime and answers one click on an embedding of the model's shape; it
reports VmRSS (resident now) and VmHWM (the peak). Standalone:
    python -m bench.scale.web_memory --child --spec sam:vit_h --checkpoint FILE --parts decoder
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CHECKPOINT_NAMES = {"sam:vit_h": "sam_vit_h_random.pth", "sam2:hiera_l": "sam2.1_hiera_large_random.pt"}


def random_checkpoint(spec: str, folder: Path) -> Path:
    """A random-weight checkpoint of `spec` in the official format, written once into `folder`."""
    import torch

    path = Path(folder) / CHECKPOINT_NAMES[spec]
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    partial = path.with_suffix(".part")
    if spec.startswith("sam2:"):
        from models.sam2 import build_sam2_network

        torch.save({"model": build_sam2_network(spec.split(":")[1]).state_dict()}, partial)
    else:
        from models.sam import build_sam_network

        torch.save(build_sam_network(spec.split(":")[1]).state_dict(), partial)
    os.replace(partial, path)
    return path


def measure(spec: str, checkpoint: Path, parts: str) -> dict:
    """Run the child in a fresh process and return its figures."""
    env = {
        **os.environ,
        "MODEL": spec,
        "MODEL_CHECKPOINT": str(checkpoint),
        "MODEL_ALLOW_UNVERIFIED": "1",
        "MODEL_AUTO_FETCH": "0",
        "OMP_NUM_THREADS": "1",
    }
    command = [sys.executable, "-m", "bench.scale.web_memory", "--child", "--spec", spec]
    command += ["--checkpoint", str(checkpoint), "--parts", parts]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"web memory child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _status_mb(field: str, source: str = "/proc/self/status") -> float:
    total = 0
    for line in Path(source).read_text().splitlines():
        if line.startswith(field + ":"):
            total += int(line.split()[1])
    return total / 1024


def _private_mb() -> float:
    """Memory only this process holds (shared libraries' pages, which every web process shares
    through the page cache, are not in it)."""
    rollup = "/proc/self/smaps_rollup"
    return _status_mb("Private_Clean", rollup) + _status_mb("Private_Dirty", rollup)


def _probe_embedding(segmenter):
    """An embedding with the shapes `segmenter` decodes (zeros: the values do not matter here)."""
    import numpy as np

    from models.protocol import Embedding

    if segmenter.name == "sam":
        encoder = segmenter.network.prompt_encoder
        channels, grid = encoder.embed_dim, encoder.image_embedding_size
        return Embedding("sam", segmenter.version, (768, 1024), (768, 1024), np.zeros((1, channels, *grid), np.float32))
    encoder = segmenter.network.sam_prompt_encoder
    channels, grid = encoder.embed_dim, encoder.image_embedding_size
    high_res = (
        np.zeros((1, channels // 8, 4 * grid[0], 4 * grid[1]), np.float32),
        np.zeros((1, channels // 4, 2 * grid[0], 2 * grid[1]), np.float32),
    )
    size = (segmenter.image_size, segmenter.image_size)
    return Embedding("sam2", segmenter.version, (768, 1024), size, np.zeros((1, channels, *grid), np.float32), high_res)


def child(parts: str) -> dict:
    import django

    django.setup()
    from backend.inference import runtime

    baseline = _status_mb("VmRSS")
    started = time.perf_counter()
    loaded = runtime.current_model("full") if parts == "full" else runtime.current_decoder()
    load_seconds = time.perf_counter() - started
    if loaded.fallback_reason:
        raise SystemExit(f"the model did not load: {loaded.fallback_reason}")
    embedding = _probe_embedding(loaded.segmenter)
    started = time.perf_counter()
    loaded.segmenter.predict(embedding, points=[[500.0, 400.0]], labels=[1])
    predict_ms = (time.perf_counter() - started) * 1000
    parameters = sum(p.numel() for p in loaded.segmenter.network.parameters())
    return {
        "parts": parts,
        "parameters": parameters,
        "django_rss_mb": round(baseline, 1),
        "rss_mb": round(_status_mb("VmRSS"), 1),
        "private_mb": round(_private_mb(), 1),
        "peak_mb": round(_status_mb("VmHWM"), 1),
        "load_s": round(load_seconds, 2),
        "first_predict_ms": round(predict_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--spec", required=True)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--parts", choices=["full", "decoder"], required=True)
    args = parser.parse_args()
    print(json.dumps(child(args.parts)))


if __name__ == "__main__":
    main()
