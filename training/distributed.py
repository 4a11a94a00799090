"""Training on several processes (torchrun, PyTorch DistributedDataParallel): which process this is,
and the few collective operations the loop needs. gloo on CPUs, nccl on GPUs.

    torchrun --standalone --nproc_per_node 2 -m training train --images-per-step 2 ...
    python -m training.distributed --standalone --nproc_per_node 2 -m training train ...  (the same,
        for a launcher: torchrun dies with the process that started it)

One step takes `images_per_step` images in all; each of the N processes takes its share, gradients
are averaged by DDP, so a step is the same computation whatever N (up to the order of float sums).
Process 0 writes checkpoints, progress and metrics; the others only train."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Distributed:
    """rank: this process (0..world_size-1); world_size: processes training together."""

    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @classmethod
    def from_environment(cls) -> Distributed:
        """Join the process group torchrun describes (RANK, WORLD_SIZE, MASTER_ADDR, ...); a plain
        process (no WORLD_SIZE, or 1) trains alone. Each process dies with its launcher, so a worker
        killed mid-round leaves no orphaned trainers behind."""
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1:
            return cls()
        _die_with_parent()
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        if not dist.is_initialized():
            dist.init_process_group(backend=backend)
        # Share the cores: N processes each with all cores' threads only wait on each other.
        threads = max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", str(world_size))))
        torch.set_num_threads(min(torch.get_num_threads(), threads))
        return cls(rank=dist.get_rank(), world_size=dist.get_world_size())

    def share(self, count: int) -> range:
        """The slots of a step's `count` images this process takes (count divisible by world_size)."""
        if count % self.world_size:
            raise ValueError(f"images_per_step ({count}) must be a multiple of the {self.world_size} processes")
        per_process = count // self.world_size
        return range(self.rank * per_process, (self.rank + 1) * per_process)

    def wrap(self, module: torch.nn.Module) -> torch.nn.Module:
        """The module DDP-wrapped when training on several processes. find_unused_parameters: a step
        without a box prompt never touches the box-corner embeddings, and so on."""
        if not self.enabled:
            return module
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(module, find_unused_parameters=True)

    def mean(self, value: float) -> float:
        """The mean of `value` over the processes (the step's loss over all its images)."""
        if not self.enabled:
            return value
        tensor = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(tensor)
        return float(tensor.item()) / self.world_size

    def any(self, flag: bool) -> bool:
        """True on every process when it is True on one (process 0 decides to stop, all stop)."""
        if not self.enabled:
            return flag
        tensor = torch.tensor([1 if flag else 0], dtype=torch.int64)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return bool(tensor.item())

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def close(self) -> None:
        if self.enabled and dist.is_initialized():
            dist.destroy_process_group()


SINGLE = Distributed()


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies (kept across exec). Elsewhere the
    launcher's own cleanup is all there is."""
    with contextlib.suppress(OSError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def main(argv: list[str]) -> None:
    """torchrun with `argv`, dying with the process that started this one: a train worker killed
    mid-round takes torchrun with it, and torchrun's trainers follow (from_environment)."""
    _die_with_parent()
    os.execv(sys.executable, [sys.executable, "-m", "torch.distributed.run", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
