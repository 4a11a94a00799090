"""Fixtures for the training tests: one torch thread with subnormals flushed (tiny random networks
on shared CPUs), and generated scenes small enough to train on in seconds."""

from __future__ import annotations

import pytest
import torch

from training.datasets import synthetic_samples


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
