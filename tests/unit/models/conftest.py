"""Fixtures for the model backend tests: tiny SAM / SAM 2.1 checkpoints written once per session in
the official formats, loaded through the real registry (which trusts them only because the tests say
so), and a few synthetic images."""

from __future__ import annotations

import numpy as np
import pytest
from sam2.sam2_image_predictor import SAM2ImagePredictor
from segment_anything import SamPredictor

from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.registry import resolve
from models.tiny import save_tiny_sam, save_tiny_sam2, trust_files
from tests.torch_settings import fast_cpu_inference


@pytest.fixture(scope="session", autouse=True)
def _fast_cpu_inference():
    with fast_cpu_inference():
        yield


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
def official_sam_predictor(tiny_sam, scene):
    """segment_anything's own predictor on the tiny SAM's network, set to the scene."""
    predictor = SamPredictor(tiny_sam.network)
    predictor.set_image(scene[0])
    return predictor


@pytest.fixture(scope="session")
def official_sam2_predictor(tiny_sam2, scene):
    """sam2's own image predictor on the tiny SAM 2.1's network, set to the scene."""
    predictor = SAM2ImagePredictor(tiny_sam2.network)
    predictor.set_image(scene[0])
    return predictor


@pytest.fixture(scope="session")
def sam_embedding(tiny_sam, scene):
    return tiny_sam.embed(scene[0])


@pytest.fixture(scope="session")
def sam2_embedding(tiny_sam2, scene):
    return tiny_sam2.embed(scene[0])


@pytest.fixture(scope="session")
def scene():
    """A 300x500 synthetic scene (non-square, so coordinate conventions matter) and its masks."""
    return make_scene(seed=7, height=300, width=500, n_shapes=3)


@pytest.fixture(scope="session")
def noise_image():
    return (np.random.default_rng(3).random((240, 320, 3)) * 255).astype(np.uint8)
