"""The typed state of a SAM 2 video session (sam2 keeps it as a dict of string keys): per object,
its prompts and the network outputs used as memory; per session, cached frame features and where
old outputs are spilled (see models.sam2_memory)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass, field

import torch

from models.sam2_memory import FrameOutputs, SpillFolder
from models.video import TrackerState


@dataclass(eq=False)
class Sam2ObjectTrack:
    """One object's inputs and network outputs, keyed by frame index. point_inputs: frame ->
    {"point_coords": 1xNx2 in model pixels, "point_labels": 1xN}; mask_inputs: frame -> 1x1xSxS;
    cond / non_cond: frame -> network output used as memory (conditioning = prompted frames;
    non_cond is a FrameOutputs that keeps only recent frames in memory and spills the rest);
    pending_cond / pending_non_cond: outputs of prompts not yet encoded into memory (encoded when
    propagation starts); tracked: frame -> whether it was last tracked in reverse."""

    point_inputs: dict[int, dict] = field(default_factory=dict)
    mask_inputs: dict[int, torch.Tensor] = field(default_factory=dict)
    cond: dict[int, dict] = field(default_factory=dict)
    non_cond: MutableMapping[int, dict] = field(default_factory=dict)
    pending_cond: dict[int, dict] = field(default_factory=dict)
    pending_non_cond: dict[int, dict] = field(default_factory=dict)
    tracked: dict[int, bool] = field(default_factory=dict)

    def memory(self) -> dict[str, MutableMapping[int, dict]]:
        """The two-key view SAM2Base.track_step reads memory from."""
        return {"cond_frame_outputs": self.cond, "non_cond_frame_outputs": self.non_cond}

    def pending(self, is_cond: bool) -> dict[int, dict]:
        return self.pending_cond if is_cond else self.pending_non_cond

    def latest(self, frame: int, is_cond: bool) -> dict | None:
        """The newest output on `frame`: pending (of that kind), then conditioning, then tracked."""
        for outputs in (self.pending(is_cond), self.cond, self.non_cond):
            if frame in outputs:
                return outputs[frame]
        return None


@dataclass(eq=False)
class Sam2TrackerState(TrackerState):
    """A SAM 2 session. objects: obj_id -> Sam2ObjectTrack; features: LRU of frame -> backbone
    features (at most `feature_cache_size`); maskmem_pos_enc: the memory position encoding, the
    same for every frame and object, kept once; memory_window: tracked frames each object keeps
    in memory (None: all, as sam2), the older ones spilled to files in `spill`."""

    objects: dict[int, Sam2ObjectTrack] = field(default_factory=dict)
    features: OrderedDict = field(default_factory=OrderedDict)
    feature_cache_size: int = 4
    maskmem_pos_enc: list | None = None
    memory_window: int | None = None
    spill: SpillFolder = field(default_factory=SpillFolder)

    def new_track(self) -> Sam2ObjectTrack:
        if self.memory_window is None:
            return Sam2ObjectTrack()
        return Sam2ObjectTrack(non_cond=FrameOutputs(self.spill, self.memory_window))
