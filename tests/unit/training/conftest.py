"""Fixtures for the training tests: one torch thread with subnormals flushed (tiny random networks
on shared CPUs), and generated scenes small enough to train on in seconds."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from training.datasets import synthetic_samples

TEST_STEPS = 120  # from-scratch steps in the shared trained fixture (one decoder call per mask)


@pytest.fixture(scope="session", autouse=True)
def _fast_cpu_training():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    yield
    torch.set_num_threads(threads)
    torch.set_flush_denormal(False)


@pytest.fixture(scope="session")
def scenes():
    """(train samples, held-out samples): 128x128 generated scenes with 3 objects each."""
    return synthetic_samples(24, seed=0), synthetic_samples(3, seed=500)


@pytest.fixture(scope="session")
def trained_tiny_sam(scenes, tmp_path_factory):
    """A tiny SAM trained from scratch on the training scenes, with held-out metrics before and after
    (5 clicks per mask; shared by the learning and checkpoint tests: training is the expensive part)."""
    from training.evaluate import evaluate
    from training.loop import train
    from training.networks import TrainableNetwork
    from training.simulate import FROM_SCRATCH

    train_samples, heldout = scenes
    config = replace(
        FROM_SCRATCH, trainable="decoder+prompt", steps=TEST_STEPS, iterations=1, checkpoint_every=TEST_STEPS // 2
    )
    untrained = TrainableNetwork.build(config.spec, seed=config.seed).as_segmenter("untrained")
    untrained_metrics = evaluate(untrained, heldout, max_clicks=5)
    result = train(train_samples, config, tmp_path_factory.mktemp("trained"))
    metrics = evaluate(result.network.as_segmenter("trained"), heldout, max_clicks=5)
    return {"result": result, "untrained_metrics": untrained_metrics, "metrics": metrics}
