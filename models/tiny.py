"""Tiny SAM and SAM 2.1 networks for tests, built from the official modules and saved in the official
checkpoint formats so that tests exercise the real loading code. Random weights: never for users."""

from __future__ import annotations

from pathlib import Path

import torch

from models.checkpoints import TEST_CHECKPOINTS, sha256_file
from models.protocol import ImageSegmenter
from models.registry import resolve
from models.sam import build_sam_network
from models.sam2 import build_sam2_network
from models.trust import TrustPolicy


def save_tiny_sam(path: Path, seed: int = 0) -> Path:
    """Build the `tiny` SAM architecture with seeded random weights and save it as SAM does: a plain
    state dict written by torch.save. Returns the path."""
    torch.manual_seed(seed)
    network = build_sam_network("tiny")
    torch.save(network.state_dict(), path)
    return Path(path)


def save_tiny_sam2(path: Path, seed: int = 0) -> Path:
    """Build the `tiny` SAM 2.1 architecture (models/configs/sam2.1_hiera_tiny_test.yaml) with seeded
    random weights and save it as SAM 2 does: {"model": state_dict}. Returns the path."""
    torch.manual_seed(seed)
    network = build_sam2_network("tiny")
    torch.save({"model": network.state_dict()}, path)
    return Path(path)


def trust_files(*paths: Path) -> TrustPolicy:
    """A policy trusting exactly these files' weights: for tests, which vouch for their own tiny
    networks (random weights that `resolve` otherwise refuses as possibly untrained)."""
    return TrustPolicy(frozenset(sha256_file(Path(path)) for path in paths))


def load_tiny(key: str, directory: Path, seed: int = 0) -> ImageSegmenter:
    """Write the tiny network `key` ("sam:tiny" or "sam2:tiny") into `directory` under the file name
    the registry looks for, and load it through the registry, trusted because the caller vouches
    for its random weights."""
    save = {"sam:tiny": save_tiny_sam, "sam2:tiny": save_tiny_sam2}[key]
    path = save(Path(directory) / TEST_CHECKPOINTS[key].file_name, seed=seed)
    loaded = resolve(key, Path(directory), trust=trust_files(path))
    if loaded.fallback_reason is not None:
        raise RuntimeError(f"the tiny network {key} did not load: {loaded.fallback_reason}")
    return loaded.segmenter
