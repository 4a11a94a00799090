"""Benchmark: one-click SAM prompt decoding (prompt encoder + mask decoder + upscaling to 534x800)
with PyTorch and with onnxruntime on the same ViT-B-sized decoder; prints the onnx/torch ratio.

Run: .venv/bin/python bench/bench_decoder.py [--runs 50] [--threads N]. Weights are random (latency does not depend
on their values); only the image encoder is shrunk, since decoding never runs it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.protocol import Embedding
from models.sam import SamArchitecture, SamSegmenter, build_sam_network

# The decoder half of vit_b (prompt dim 256, decoder MLP 2048, 8 heads); a 1-block encoder stub.
VIT_B_DECODER = SamArchitecture(
    encoder_embed_dim=16, encoder_depth=1, encoder_num_heads=1, encoder_global_attn_indexes=()
)
IMAGE_SIZE = (534, 800)


def time_decoder(segmenter: SamSegmenter, embedding: Embedding, runs: int, warmup: int = 5) -> np.ndarray:
    click, label = np.array([[400.0, 267.0]]), np.array([1])
    for _ in range(warmup):
        segmenter.predict(embedding, click, label)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        segmenter.predict(embedding, click, label)
        samples.append((time.perf_counter() - start) * 1000.0)
    return np.array(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--threads", type=int, default=None, help="intra-op threads for both (default: each library's own)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    torch.set_flush_denormal(True)
    network = build_sam_network(VIT_B_DECODER)
    decoder_params = sum(p.numel() for m in (network.prompt_encoder, network.mask_decoder) for p in m.parameters())
    torch_segmenter = SamSegmenter(network, "bench", decoder="torch")
    onnx_segmenter = SamSegmenter(network, "bench", decoder="onnx", onnx_threads=args.threads)
    embedding = Embedding(
        backend="sam",
        model_version="bench",
        original_size=IMAGE_SIZE,
        input_size=(683, 1024),
        features=np.random.default_rng(0).standard_normal((1, 256, 64, 64)).astype(np.float32),
    )
    rows = {
        name: time_decoder(s, embedding, args.runs)
        for name, s in (("torch", torch_segmenter), ("onnx", onnx_segmenter))
    }
    print(
        f"SAM ViT-B decoder ({decoder_params / 1e6:.2f}M params), one click, 1x256x64x64 embedding, "
        f"masks at {IMAGE_SIZE[1]}x{IMAGE_SIZE[0]}, {args.runs} runs, torch threads {torch.get_num_threads()}, "
        f"onnxruntime threads {args.threads or 'default'}"
    )
    print(f"{'backend':<8} {'median ms':>10} {'p95 ms':>8}")
    for name, samples in rows.items():
        print(f"{name:<8} {np.median(samples):>10.1f} {np.percentile(samples, 95):>8.1f}")
    ratio = np.median(rows["onnx"]) / np.median(rows["torch"])
    print(f"ratio onnx/torch (median): {ratio:.2f}")


if __name__ == "__main__":
    main()
