"""Fixtures for the model backend tests: tiny SAM / SAM 2.1 checkpoints written once per session in
the official formats, loaded through the real registry (which trusts them only because the tests say
so), and a few synthetic images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.registry import resolve
from models.tiny import save_tiny_sam, save_tiny_sam2, trust_files


@pytest.fixture(scope="session", autouse=True)
def _fast_cpu_inference():
    # Random tiny weights push attention intermediates into subnormal floats, which run ~50x slower
    # on x86; flushing them keeps the suite fast and changes results only below 1e-38. One torch
    # thread: on 2 cores shared with other jobs, intra-op threads of tiny networks mostly wait.
    torch.set_flush_denormal(True)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    torch.set_flush_denormal(False)


@pytest.fixture(scope="session")
def checkpoint_dir(tmp_path_factory):
    """A directory holding the tiny checkpoints under the names the registry looks for."""
    directory = tmp_path_factory.mktemp("checkpoints")
    save_tiny_sam(directory / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    save_tiny_sam2(directory / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    return directory


@pytest.fixture(scope="session")
def tiny_trust(checkpoint_dir):
    """The tiny checkpoints' weights are random: `resolve` serves them only because tests vouch for them."""
    return trust_files(*(checkpoint_dir / info.file_name for info in TEST_CHECKPOINTS.values()))


@pytest.fixture(scope="session")
def tiny_sam(checkpoint_dir, tiny_trust):
    loaded = resolve("sam:tiny", checkpoint_dir, trust=tiny_trust)
    assert loaded.fallback_reason is None, loaded.fallback_reason
    return loaded.segmenter


@pytest.fixture(scope="session")
def tiny_sam2(checkpoint_dir, tiny_trust):
    loaded = resolve("sam2:tiny", checkpoint_dir, trust=tiny_trust)
    assert loaded.fallback_reason is None, loaded.fallback_reason
    return loaded.segmenter


@pytest.fixture(scope="session")
def scene():
    """A 300x500 synthetic scene (non-square, so coordinate conventions matter) and its masks."""
    return make_scene(seed=7, height=300, width=500, n_shapes=3)


@pytest.fixture(scope="session")
def noise_image():
    return (np.random.default_rng(3).random((240, 320, 3)) * 255).astype(np.uint8)
