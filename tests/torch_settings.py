"""Torch settings the tests of tiny random networks share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def fast_cpu_inference() -> Iterator[None]:
    """Random tiny weights push attention intermediates into subnormal floats, which run ~50x slower
    on x86; flushing them keeps tests fast and changes results only below 1e-38. One torch thread:
    on 2 cores shared with other jobs, intra-op threads of tiny networks mostly wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.set_flush_denormal(False)
