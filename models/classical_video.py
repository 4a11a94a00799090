"""The weight-free video tracker: each object's mask on a prompted frame comes from GrabCut (the
classical image backend); propagation warps the previous frame's mask along dense optical flow
(Farneback) and refines it with GrabCut in a band around the warped boundary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from models.classical import GrabCutSegmenter
from models.video import (
    TrackerState,
    check_frame_index,
    check_frame_source,
    check_known_object,
    check_mask,
    check_obj_id,
    check_prompts,
    check_state,
    propagation_order,
    read_frame,
)

ALGORITHM_VERSION = "flow-grabcut-1"


@dataclass(eq=False)
class ClassicalObjectTrack:
    """One object: anchors are masks a person fixed (from prompts or brushed), frame -> bool HxW;
    masks are the latest masks propagation produced, frame -> bit-packed HxW (np.packbits), so a
    long masklet costs 1 bit per pixel."""

    anchors: dict[int, np.ndarray] = field(default_factory=dict)
    masks: dict[int, np.ndarray] = field(default_factory=dict)


@dataclass(eq=False)
class ClassicalTrackerState(TrackerState):
    """A classical session. objects: obj_id -> ClassicalObjectTrack."""

    objects: dict[int, ClassicalObjectTrack] = field(default_factory=dict)


class ClassicalVideoTracker:
    """GrabCut plus optical flow as a `VideoTracker`; no weights, CPU only.

    Flow is computed on grey frames downscaled so the long side is at most `flow_side` pixels
    (once per frame pair, shared by all objects); refinement runs GrabCut (`refine_iterations`)
    on a crop around each warped mask, with a band of `band` working pixels around the warped
    boundary left for GrabCut to decide. A warped mask that vanishes stays empty until the
    object is prompted again.
    """

    name = "classical"

    def __init__(
        self,
        *,
        flow_side: int = 320,
        band: int = 4,
        refine_iterations: int = 2,
        segmenter: GrabCutSegmenter | None = None,
    ):
        if flow_side < 32:
            raise ValueError(f"flow_side must be >= 32, got {flow_side}")
        if band < 1:
            raise ValueError(f"band must be >= 1 pixel, got {band}")
        if refine_iterations < 1:
            raise ValueError(f"refine_iterations must be >= 1, got {refine_iterations}")
        self.flow_side = flow_side
        self.band = band
        self.refine_iterations = refine_iterations
        self.segmenter = segmenter or GrabCutSegmenter()
        self.version = f"classical:{ALGORITHM_VERSION}@{flow_side}/{self.segmenter.version}"

    def start(self, frames) -> ClassicalTrackerState:
        """A new session over `frames` (a FrameSource or an NxHxWx3 uint8 array). Decodes nothing."""
        frames = check_frame_source(frames)
        return ClassicalTrackerState(
            frames=frames,
            backend=self.name,
            model_version=self.version,
            height=int(frames.height),
            width=int(frames.width),
            num_frames=len(frames),
        )

    def prepare(self, state, frames) -> None:
        """Decode `frames` ahead of the first prompt there (the frame source keeps them)."""
        self._check(state)
        for frame in frames:
            read_frame(state, check_frame_index(frame, state.num_frames))

    def add_prompts(self, state, frame, obj_id, points=None, labels=None, box=None) -> dict[int, np.ndarray]:
        """GrabCut from the prompts on `frame` (the best of its candidates) becomes `obj_id`'s anchor
        there. Returns {obj_id: bool HxW} on `frame` for every object (empty where unknown)."""
        self._check(state)
        frame = check_frame_index(frame, state.num_frames)
        obj_id = check_obj_id(obj_id)
        prompts = check_prompts(state, points, labels, box)
        embedding = self.segmenter.embed(read_frame(state, frame))
        prediction = self.segmenter.predict(embedding, prompts.points, prompts.labels, prompts.box, multimask=False)
        self._anchor(state, frame, obj_id, prediction.masks[0])
        return self._masks_on(state, frame)

    def add_mask(self, state, frame, obj_id, mask) -> dict[int, np.ndarray]:
        """`mask` (bool HxW) becomes `obj_id`'s anchor on `frame`; returns the masks on `frame`."""
        self._check(state)
        frame = check_frame_index(frame, state.num_frames)
        obj_id = check_obj_id(obj_id)
        self._anchor(state, frame, obj_id, check_mask(state, mask))
        return self._masks_on(state, frame)

    def remove_object(self, state, obj_id) -> None:
        self._check(state)
        del state.objects[check_known_object(state, obj_id)]

    def reset(self, state) -> None:
        self._check(state)
        state.objects.clear()

    def propagate(
        self, state, start=None, reverse=False, max_frames=None
    ) -> Iterator[tuple[int, dict[int, np.ndarray]]]:
        """Carry every object's mask from `start` (default: the earliest anchored frame) frame by
        frame; an anchor on a visited frame replaces the carried mask. See VideoTracker.propagate."""
        self._check(state)
        if not state.objects:
            raise ValueError("no objects to track: add prompts or a mask first")
        if start is None:
            start = min(frame for track in state.objects.values() for frame in track.anchors)
        start = check_frame_index(start, state.num_frames)
        order = propagation_order(state.num_frames, start, bool(reverse), max_frames)
        return self._track(state, order)

    def _track(self, state: ClassicalTrackerState, order: range):
        previous_frame = None
        carried: dict[int, np.ndarray | None] = {}
        for index in order:
            image = read_frame(state, index)
            flow = None
            for obj_id, track in state.objects.items():
                mask: np.ndarray | None
                if index in track.anchors:
                    mask = track.anchors[index]
                elif previous_frame is None:  # the first frame: whatever is known there
                    mask = _unpack(track.masks.get(index), state)
                else:
                    before = carried.get(obj_id)
                    if before is None or not before.any():
                        mask = None
                    else:
                        if flow is None:
                            flow = self._flow(image, previous_frame)
                        mask = self._refine(image, _warp(before, flow))
                carried[obj_id] = mask
                if mask is not None:
                    track.masks[index] = np.packbits(mask)
            previous_frame = image
            yield index, self._masks_on(state, index, carried)

    def _flow(self, image: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """Backward flow at full size, HxWx2: pixel (x, y) of `image` came from (x, y) + flow in
        `previous`. Computed on grey frames downscaled to `flow_side`."""
        h, w = image.shape[:2]
        scale = min(1.0, self.flow_side / max(h, w))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        grey = [
            cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)
            for f in (image, previous)
        ]
        # OpenCV's stubs omit None for the optional output array that the binding accepts.
        flow = cv2.calcOpticalFlowFarneback(grey[0], grey[1], None, 0.5, 3, 15, 3, 5, 1.2, 0)  # type: ignore[call-overload]
        if scale == 1.0:
            return flow
        return cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR) / scale

    def _refine(self, image: np.ndarray, warped: np.ndarray) -> np.ndarray:
        """GrabCut on a crop around the warped mask: its eroded inside is foreground, the dilated
        outside background, the band between (2 x `band` wide) is for GrabCut's colour models."""
        if not warped.any():
            return warped
        h, w = warped.shape
        ys, xs = np.nonzero(warped)
        margin = 4 * self.band
        x0, y0 = max(0, xs.min() - margin), max(0, ys.min() - margin)
        x1, y1 = min(w, xs.max() + margin + 1), min(h, ys.max() + margin + 1)
        crop_mask = warped[y0:y1, x0:x1].astype(np.uint8)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * self.band + 1, 2 * self.band + 1))
        inside = cv2.erode(crop_mask, kernel).astype(bool)
        near = cv2.dilate(crop_mask, kernel).astype(bool)
        seeds = np.full(crop_mask.shape, cv2.GC_BGD, np.uint8)
        seeds[near] = cv2.GC_PR_BGD
        seeds[crop_mask.astype(bool)] = cv2.GC_PR_FGD
        seeds[inside] = cv2.GC_FGD
        if not inside.any() or near.all():
            return _cleanup(warped)  # too thin, or filling the crop: GrabCut has nothing to learn from
        crop = np.ascontiguousarray(image[y0:y1, x0:x1, ::-1])
        cv2.setRNGSeed(0)  # GrabCut's k-means++ seeding: same inputs, same masks
        no_rect = (0, 0, 0, 0)  # ignored when initialising from the mask
        cv2.grabCut(
            crop, seeds, no_rect, np.zeros((1, 65)), np.zeros((1, 65)), self.refine_iterations, cv2.GC_INIT_WITH_MASK
        )
        refined = np.zeros_like(warped)
        refined[y0:y1, x0:x1] = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
        return _cleanup(refined)

    def _anchor(self, state, frame: int, obj_id: int, mask: np.ndarray) -> None:
        track = state.objects.setdefault(obj_id, ClassicalObjectTrack())
        track.anchors[frame] = mask
        track.masks[frame] = np.packbits(mask)

    def _masks_on(self, state, frame: int, carried: dict | None = None) -> dict[int, np.ndarray]:
        """{obj_id: bool HxW} on `frame`: the masks being carried by a propagation, else the stored
        ones; empty for an object with none."""
        masks = {}
        for obj_id, track in state.objects.items():
            mask = carried.get(obj_id) if carried is not None else _unpack(track.masks.get(frame), state)
            masks[obj_id] = np.zeros((state.height, state.width), bool) if mask is None else mask.copy()
        return masks

    def _check(self, state) -> None:
        check_state(state, ClassicalTrackerState, self.name, self.version)


def _warp(mask: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """mask of the previous frame sampled at (x, y) + flow: the mask on the current frame."""
    h, w = mask.shape
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    warped = cv2.remap(
        mask.astype(np.float32), grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR, borderValue=0
    )
    return warped > 0.5


def _cleanup(mask: np.ndarray) -> np.ndarray:
    """Open then close with a 3x3 kernel and keep the largest connected part: removes specks and
    slivers that flow and GrabCut leave at the boundary."""
    kernel = np.ones((3, 3), np.uint8)
    cleaned = cv2.morphologyEx(cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cleaned, connectivity=8)
    if count <= 1:
        return cleaned.astype(bool)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _unpack(packed: np.ndarray | None, state: TrackerState) -> np.ndarray | None:
    if packed is None:
        return None
    return np.unpackbits(packed, count=state.height * state.width).reshape(state.height, state.width).astype(bool)
