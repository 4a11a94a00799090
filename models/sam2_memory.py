"""Bounded memory for long SAM 2 sessions: each object's tracked (non-conditioning) frame outputs
stay in memory only for the frames memory attention reads next; older ones are written, byte for
byte, to a spill file and read back when a later operation needs them.

SAM 2 attends, for frame t, to every conditioning (prompted) frame, to the mask memories of the
num_maskmem - 1 frames before t (after t in reverse) and to the object pointers of the
max_obj_ptrs_in_encoder - 1 frames before t. A pass therefore only reads the last few frames it
wrote; sam2's own predictor keeps every frame's outputs in memory for the whole session, which is
what makes long videos run out of memory (facebookresearch/sam2#196). Conditioning outputs, one per
prompted frame, stay in memory. Because the spilled bytes are the tensors' own, a frame read back is
bit-identical: masks never differ from a session that kept everything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import torch

SPILLED_FIELDS = ("maskmem_features", "pred_masks", "obj_ptr", "object_score_logits")


class SpillFolder:
    """A session's folder of spill files, made on first use and removed with the session (when
    the last object store holding it is garbage-collected) or by `remove()`."""

    def __init__(self, parent: str | Path | None = None):
        self.parent = None if parent is None else Path(parent)
        self._path: Path | None = None
        self._lock = threading.Lock()
        self._count = 0

    def new_file(self) -> Path:
        with self._lock:
            if self._path is None:
                if self.parent is not None:
                    self.parent.mkdir(parents=True, exist_ok=True)
                self._path = Path(tempfile.mkdtemp(prefix="sam2-spill-", dir=self.parent))
                weakref.finalize(self, shutil.rmtree, str(self._path), True)
            self._count += 1
            return self._path / f"{self._count}.bin"

    @property
    def path(self) -> Path | None:
        return self._path


@dataclass(frozen=True)
class _Field:
    shape: tuple[int, ...]
    dtype: torch.dtype
    device: torch.device
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _Layout:
    """Where each spilled tensor sits in a fixed-size record; the same for every frame of one
    object (the network's output shapes do not change within a session)."""

    fields: dict[str, _Field]
    record_size: int
    pos_enc: list  # the shared memory position encoding (views, see Sam2VideoTracker._shared_pos_enc)

    @classmethod
    def of(cls, out: dict) -> _Layout | None:
        if set(out) != {*SPILLED_FIELDS, "maskmem_pos_enc"} or out["maskmem_pos_enc"] is None:
            return None
        fields, offset = {}, 0
        for name in SPILLED_FIELDS:
            tensor = out[name]
            if not isinstance(tensor, torch.Tensor):
                return None
            nbytes = tensor.numel() * tensor.element_size()
            fields[name] = _Field(tuple(tensor.shape), tensor.dtype, tensor.device, offset, nbytes)
            offset += nbytes
        return cls(fields, offset, out["maskmem_pos_enc"])

    def fits(self, out: dict) -> bool:
        if set(out) != {*SPILLED_FIELDS, "maskmem_pos_enc"}:
            return False
        for name, spec in self.fields.items():
            tensor = out[name]
            if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != spec.shape or tensor.dtype != spec.dtype:
                return False
        shared = out["maskmem_pos_enc"]
        return shared is not None and all(
            a.data_ptr() == b.data_ptr() and a.shape == b.shape for a, b in zip(shared, self.pos_enc, strict=True)
        )


class FrameOutputs(MutableMapping[int, dict]):
    """frame -> SAM 2 output dict, holding at most `window` in memory (least recently used are
    spilled). Reads and writes of one frame cost a pread / pwrite of its fixed-size record at
    offset frame x record size; the file is sparse, so it takes only the frames written."""

    def __init__(self, folder: SpillFolder, window: int):
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        self.window = window
        self._folder = folder
        self._hot: OrderedDict[int, dict] = OrderedDict()
        self._spilled: set[int] = set()
        self._layout: _Layout | None = None
        self._fd: int | None = None

    # --- the mapping

    def __getitem__(self, frame: int) -> dict:
        out = self._hot.get(frame)
        if out is not None:
            self._hot.move_to_end(frame)
            return out
        if frame not in self._spilled:
            raise KeyError(frame)
        out = self._read(frame)
        self._spilled.discard(frame)
        self._keep(frame, out)
        return out

    def __setitem__(self, frame: int, out: dict) -> None:
        self._spilled.discard(frame)
        self._hot.pop(frame, None)
        self._keep(frame, out)

    def __delitem__(self, frame: int) -> None:
        if frame in self._hot:
            del self._hot[frame]
        elif frame in self._spilled:
            self._spilled.discard(frame)
        else:
            raise KeyError(frame)

    def __contains__(self, frame: object) -> bool:
        return frame in self._hot or frame in self._spilled

    def __iter__(self) -> Iterator[int]:
        return iter([*self._hot, *sorted(self._spilled)])

    def __len__(self) -> int:
        return len(self._hot) + len(self._spilled)

    @property
    def in_memory(self) -> list[int]:
        """Frames whose outputs are held in memory, least recently used first."""
        return list(self._hot)

    # --- spilling

    def _keep(self, frame: int, out: dict) -> None:
        self._hot[frame] = out
        while len(self._hot) > self.window:
            old_frame, old = next(iter(self._hot.items()))
            if not self._spill(old_frame, old):
                break  # an output of another shape stays in memory (never the case in a session)
            del self._hot[old_frame]

    def _spill(self, frame: int, out: dict) -> bool:
        if self._layout is None:
            self._layout = _Layout.of(out)
        if self._layout is None or not self._layout.fits(out):
            return False
        if self._fd is None:
            path = self._folder.new_file()
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, _close_and_unlink, self._fd, str(path))
        record = bytearray(self._layout.record_size)
        for name, spec in self._layout.fields.items():
            tensor = out[name].detach().to("cpu").contiguous()
            record[spec.offset : spec.offset + spec.nbytes] = tensor.view(torch.uint8).numpy().tobytes()
        written = os.pwrite(self._fd, record, frame * self._layout.record_size)
        if written != len(record):
            raise OSError(f"short write of frame {frame}'s memory to the spill file ({written} of {len(record)} bytes)")
        self._spilled.add(frame)
        return True

    def _read(self, frame: int) -> dict:
        layout = self._layout
        assert layout is not None and self._fd is not None
        record = os.pread(self._fd, layout.record_size, frame * layout.record_size)
        if len(record) != layout.record_size:
            raise OSError(f"frame {frame}'s spilled memory is truncated ({len(record)} of {layout.record_size} bytes)")
        out: dict = {"maskmem_pos_enc": layout.pos_enc}
        for name, spec in layout.fields.items():
            raw = torch.frombuffer(bytearray(record[spec.offset : spec.offset + spec.nbytes]), dtype=torch.uint8)
            out[name] = raw.view(spec.dtype).reshape(spec.shape).to(spec.device)
        return out


def _close_and_unlink(fd: int, path: str) -> None:
    os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
