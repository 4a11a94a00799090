"""SAM 2.1 video tracking (package sam2 1.1.0) behind `VideoTracker`: the network is sam2's
SAM2VideoPredictor built from the official configs, driven step by step the way its
`add_new_points_or_box` / `add_new_mask` / `propagate_in_video` drive it, but with the session in a
typed `Sam2TrackerState` and frames read lazily from a `FrameSource` (sam2's own `init_state` loads
every frame of the video into memory first)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from hydra.utils import instantiate
from omegaconf import OmegaConf
from sam2.modeling.sam2_base import NO_OBJ_SCORE
from sam2.sam2_video_predictor import SAM2VideoPredictor
from sam2.utils.misc import fill_holes_in_mask_scores

from models.sam2 import POSTPROCESSING_OVERRIDES, SAM2_CONFIGS
from models.sam2_frames import FrameInputs, ReadAhead
from models.sam2_memory import SpillFolder
from models.sam2_state import Sam2TrackerState
from models.video import (
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

log = logging.getLogger(__name__)

# What sam2.build_sam.build_sam2_video_predictor(..., apply_postprocessing=True) adds to a config,
# plus one choice of ours: a frame that gets a correction after it was tracked becomes a
# conditioning frame. With sam2's default (false) the correction is stored as an ordinary tracked
# output, and the next propagation over that frame recomputes it and drops the person's
# correction (facebookresearch/sam2#731); a data engine must keep it.
VIDEO_OVERRIDES = [
    "model._target_=sam2.sam2_video_predictor.SAM2VideoPredictor",
    *POSTPROCESSING_OVERRIDES,
    "model.binarize_mask_from_pts_for_mem_enc=true",
    "model.fill_hole_area=8",
    "model.add_all_frames_to_correct_as_cond=true",
]


def build_sam2_video_network(arch: str, image_size: int | None = None) -> SAM2VideoPredictor:
    """A randomly initialised SAM2VideoPredictor of the named SAM 2.1 architecture, in eval mode,
    configured as `sam2.build_sam.build_sam2_video_predictor` configures it, except that corrected
    frames become conditioning frames (see VIDEO_OVERRIDES). image_size overrides the config's
    input side (1024), e.g. 256 for fast CPU tests; the weights do not change shape."""
    if arch not in SAM2_CONFIGS:
        raise ValueError(f"unknown SAM 2 architecture {arch!r}; known: {sorted(SAM2_CONFIGS)}")
    overrides = list(VIDEO_OVERRIDES)
    if image_size is not None:
        if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 64 or image_size % 32:
            raise ValueError(f"image_size must be a multiple of 32, at least 64; got {image_size!r}")
        overrides.append(f"model.image_size={image_size}")
    cfg = OmegaConf.merge(OmegaConf.load(SAM2_CONFIGS[arch]), OmegaConf.from_dotlist(overrides))
    OmegaConf.resolve(cfg)
    return instantiate(cfg.model, _recursive_=True).eval()


def _has_hole_filling() -> bool:
    try:
        from sam2 import _C  # noqa: F401  (the CUDA extension sam2 uses to fill small holes)
    except ImportError:
        return False
    return True


class Sam2VideoTracker:
    """SAM 2.1 as a `VideoTracker`. One loaded network serves any number of sessions (states).

    Frames are resized to a square of `network.image_size` (Pillow's default resampling, as sam2
    loads JPEG folders) and normalised with the ImageNet mean and std; masks come back at the
    original frame size. Holes up to `fill_hole_area` are filled only where sam2's CUDA extension
    is built (sam2 skips it otherwise, with a warning per frame; this tracker logs once).

    Memory stays bounded on long videos: each object keeps the tracked outputs of `memory_window`
    frames in memory (default: what memory attention reads, see models.sam2_memory) and spills
    older ones to files under `spill_dir` (default: the system's temporary folder); None keeps
    everything in memory, as sam2 does. Masks are the same either way.
    """

    name = "sam2"

    def __init__(
        self,
        network: SAM2VideoPredictor,
        version: str,
        *,
        device: str = "cpu",
        feature_cache_size: int = 4,
        memory_window: int | Literal["auto"] | None = "auto",
        spill_dir: str | Path | None = None,
        read_ahead: int = 2,
    ):
        if not isinstance(network, SAM2VideoPredictor):
            raise ValueError(f"network must be a SAM2VideoPredictor, got {type(network).__name__}")
        if network.clear_non_cond_mem_around_input:
            raise ValueError("clear_non_cond_mem_around_input is not supported (off in every official config)")
        if feature_cache_size < 1:
            raise ValueError(f"feature_cache_size must be >= 1, got {feature_cache_size}")
        self.network = network.to(device).eval()
        self.version = version
        self.device = torch.device(device)
        self.image_size = int(network.image_size)
        self.feature_cache_size = feature_cache_size
        if memory_window == "auto":
            # The frames memory attention reads before the current one (mask memories every
            # `stride` frames, object pointers every frame), plus the frame being written.
            stride = int(network.memory_temporal_stride_for_eval)
            memory_window = max(int(network.num_maskmem) * stride, int(network.max_obj_ptrs_in_encoder)) + 1
        if memory_window is not None and memory_window < 1:
            raise ValueError(f"memory_window must be >= 1 or None, got {memory_window}")
        self.memory_window = memory_window
        self.spill_dir = spill_dir
        self.read_ahead = read_ahead
        self.fill_holes = network.fill_hole_area > 0 and _has_hole_filling()
        if network.fill_hole_area > 0 and not self.fill_holes:
            log.warning("sam2 CUDA extension missing: small holes in masks are not filled (as in sam2)")
        self._inputs = FrameInputs(self.image_size, self.device)

    def start(self, frames) -> Sam2TrackerState:
        """A new session over `frames` (a FrameSource or an NxHxWx3 uint8 array). Decodes nothing."""
        frames = check_frame_source(frames)
        return Sam2TrackerState(
            frames=frames,
            backend=self.name,
            model_version=self.version,
            height=int(frames.height),
            width=int(frames.width),
            num_frames=len(frames),
            feature_cache_size=self.feature_cache_size,
            memory_window=self.memory_window,
            spill=SpillFolder(self.spill_dir),
        )

    @torch.inference_mode()
    def prepare(self, state, frames) -> None:
        """Compute the image features of `frames` ahead of the first prompt there (a session's
        warm-up); at most `feature_cache_size` are kept, the last ones given."""
        self._check(state)
        for frame in list(frames)[-state.feature_cache_size :]:
            self._features(state, check_frame_index(frame, state.num_frames))

    @torch.inference_mode()
    def add_prompts(self, state, frame, obj_id, points=None, labels=None, box=None) -> dict[int, np.ndarray]:
        """Prompt `obj_id` on `frame` (see VideoTracker.add_prompts); replaces its earlier prompts
        there. A box becomes two corner points (labels 2, 3) before the clicks, as in sam2."""
        self._check(state)
        frame = check_frame_index(frame, state.num_frames)
        obj_id = check_obj_id(obj_id)
        prompts = check_prompts(state, points, labels, box)
        coords = [np.zeros((0, 2), np.float32)] if prompts.points is None else [prompts.points]
        codes = [np.zeros(0, np.int32)] if prompts.labels is None else [prompts.labels]
        if prompts.box is not None:
            coords.insert(0, prompts.box.reshape(2, 2))
            codes.insert(0, np.array([2, 3], np.int32))
        scale = torch.tensor([state.width, state.height])
        point_inputs = {
            "point_coords": (torch.from_numpy(np.concatenate(coords))[None] / scale * self.image_size).to(self.device),
            "point_labels": torch.from_numpy(np.concatenate(codes))[None].to(self.device),
        }
        return self._interact(state, obj_id, frame, point_inputs=point_inputs)

    @torch.inference_mode()
    def add_mask(self, state, frame, obj_id, mask) -> dict[int, np.ndarray]:
        """Set `obj_id`'s mask on `frame` (bool HxW), resized to the model's square as sam2 does."""
        self._check(state)
        frame = check_frame_index(frame, state.num_frames)
        obj_id = check_obj_id(obj_id)
        mask = torch.from_numpy(check_mask(state, mask))[None, None].float().to(self.device)
        if mask.shape[-2:] != (self.image_size, self.image_size):
            size = (self.image_size, self.image_size)
            mask = F.interpolate(mask, size=size, mode="bilinear", align_corners=False, antialias=True)
            mask = (mask >= 0.5).float()
        return self._interact(state, obj_id, frame, mask_inputs=mask)

    def remove_object(self, state, obj_id) -> None:
        """Forget `obj_id` entirely; other objects' memories are per object and stay as they are."""
        self._check(state)
        del state.objects[check_known_object(state, obj_id)]

    def reset(self, state) -> None:
        """Remove every object; cached frame features stay (they depend only on the frames)."""
        self._check(state)
        state.objects.clear()

    def propagate(
        self, state, start=None, reverse=False, max_frames=None
    ) -> Iterator[tuple[int, dict[int, np.ndarray]]]:
        """Track all objects from `start` (default: the earliest prompted frame), yielding (frame,
        {obj_id: bool HxW}) per frame; see VideoTracker.propagate. Pending prompts are encoded
        into memory before the first frame, as sam2's propagate_in_video_preflight does."""
        self._check(state)
        if not state.objects:
            raise ValueError("no objects to track: add prompts or a mask first")
        if start is not None:
            start = check_frame_index(start, state.num_frames)
        order = propagation_order(state.num_frames, 0 if start is None else start, bool(reverse), max_frames)
        self._encode_pending(state)
        if start is None:
            start = min(frame for track in state.objects.values() for frame in track.cond)
            order = propagation_order(state.num_frames, start, bool(reverse), max_frames)
        return self._track(state, order, bool(reverse))

    @torch.inference_mode()
    def _track(self, state: Sam2TrackerState, order: range, reverse: bool):
        # The next frames are read and resized on a helper thread while the network runs.
        upcoming = [f for f in order if f not in state.features]
        with ReadAhead(upcoming, lambda f: self._inputs(read_frame(state, f)), self.read_ahead) as ahead:
            for frame in order:
                logits = []
                for track in state.objects.values():
                    if frame in track.cond:
                        pred_masks = track.cond[frame]["pred_masks"].to(self.device)
                    else:
                        out, pred_masks = self._step(
                            state, track, frame, is_init_cond=False, reverse=reverse, run_mem_encoder=True, ahead=ahead
                        )
                        track.non_cond[frame] = out
                    track.tracked[frame] = reverse
                    logits.append(pred_masks)
                yield frame, self._to_masks(state, list(state.objects), torch.cat(logits, dim=0))

    def _interact(self, state, obj_id, frame, *, point_inputs=None, mask_inputs=None) -> dict[int, np.ndarray]:
        """sam2's add_new_points_or_box / add_new_mask: store the inputs (points replace a mask on
        that frame and the other way round), run the frame without encoding memory, keep the
        output pending, return every object's mask on `frame`. A new object that fails to run
        (e.g. an unreadable frame) is not kept."""
        is_new = obj_id not in state.objects
        if is_new:
            state.objects[obj_id] = state.new_track()
        track = state.objects[obj_id]
        try:
            return self._run_prompt(state, track, frame, point_inputs, mask_inputs)
        except Exception:
            if is_new:
                del state.objects[obj_id]
            raise

    def _run_prompt(self, state, track, frame, point_inputs, mask_inputs) -> dict[int, np.ndarray]:
        if point_inputs is not None:
            track.point_inputs[frame] = point_inputs
            track.mask_inputs.pop(frame, None)
        else:
            track.mask_inputs[frame] = mask_inputs
            track.point_inputs.pop(frame, None)
        is_init_cond = frame not in track.tracked
        reverse = False if is_init_cond else track.tracked[frame]
        is_cond = is_init_cond or self.network.add_all_frames_to_correct_as_cond
        prev_logits = None
        if point_inputs is not None:  # clicks refine the mask the object already has here
            previous = track.latest(frame, is_cond)
            if previous is not None and previous["pred_masks"] is not None:
                prev_logits = torch.clamp(previous["pred_masks"].to(self.device), -32.0, 32.0)
        out, _ = self._step(
            state,
            track,
            frame,
            is_init_cond=is_init_cond,
            reverse=reverse,
            run_mem_encoder=False,
            point_inputs=point_inputs,
            mask_inputs=mask_inputs,
            prev_logits=prev_logits,
        )
        track.pending(is_cond)[frame] = out
        logits = []
        for other in state.objects.values():
            latest = other.latest(frame, is_cond)
            if latest is None:
                logits.append(torch.full((1, 1, state.height, state.width), NO_OBJ_SCORE, device=self.device))
            else:
                logits.append(_resize(latest["pred_masks"].to(self.device), (state.height, state.width)))
        return self._to_masks(state, list(state.objects), torch.cat(logits, dim=0))

    def _step(
        self,
        state,
        track,
        frame,
        *,
        is_init_cond,
        reverse,
        run_mem_encoder,
        point_inputs=None,
        mask_inputs=None,
        prev_logits=None,
        ahead: ReadAhead | None = None,
    ):
        """SAM2VideoPredictor._run_single_frame_inference for one object: returns (compact output
        kept as memory, mask logits 1x1x(S/4)x(S/4))."""
        feats, pos, sizes = self._features(state, frame, ahead)
        out = self.network.track_step(
            frame_idx=frame,
            is_init_cond_frame=is_init_cond,
            current_vision_feats=feats,
            current_vision_pos_embeds=pos,
            feat_sizes=sizes,
            point_inputs=point_inputs,
            mask_inputs=mask_inputs,
            output_dict=track.memory(),
            num_frames=state.num_frames,
            track_in_reverse=reverse,
            run_mem_encoder=run_mem_encoder,
            prev_sam_mask_logits=prev_logits,
        )
        memory = out["maskmem_features"]
        pred_masks = out["pred_masks"]
        if self.fill_holes:
            pred_masks = fill_holes_in_mask_scores(pred_masks, self.network.fill_hole_area)
        compact = {
            "maskmem_features": None if memory is None else memory.to(torch.bfloat16),
            "maskmem_pos_enc": self._shared_pos_enc(state, out["maskmem_pos_enc"]),
            "pred_masks": pred_masks,
            "obj_ptr": out["obj_ptr"],
            "object_score_logits": out["object_score_logits"],
        }
        return compact, pred_masks

    def _encode_pending(self, state: Sam2TrackerState) -> None:
        """sam2's propagate_in_video_preflight: encode prompted outputs into memory and move them
        from pending to memory; a conditioning frame drops any tracked output on the same frame."""
        with torch.inference_mode():
            for track in state.objects.values():
                for is_cond in (False, True):
                    pending = track.pending(is_cond)
                    for frame, out in pending.items():
                        if out["maskmem_features"] is None:
                            high_res = _resize(out["pred_masks"].to(self.device), (self.image_size, self.image_size))
                            feats, _, sizes = self._features(state, frame)
                            memory, pos_enc = self.network._encode_new_memory(
                                current_vision_feats=feats,
                                feat_sizes=sizes,
                                pred_masks_high_res=high_res,
                                object_score_logits=out["object_score_logits"],
                                is_mask_from_pts=True,
                            )
                            out["maskmem_features"] = memory.to(torch.bfloat16)
                            out["maskmem_pos_enc"] = self._shared_pos_enc(state, pos_enc)
                        (track.cond if is_cond else track.non_cond)[frame] = out
                    pending.clear()
                for frame in track.cond:
                    track.non_cond.pop(frame, None)

    def _features(self, state: Sam2TrackerState, frame: int, ahead: ReadAhead | None = None):
        """(vision features, position encodings, feature sizes) of `frame` for one object, from the
        session's LRU or computed from the frame (sam2 keeps only the last frame's)."""
        cached = state.features.get(frame)
        if cached is None:
            image = None if ahead is None else ahead.get(frame)
            if image is None:
                image = self._inputs(read_frame(state, frame))
            backbone_out = self.network.forward_image(image)
            _, feats, pos, sizes = self.network._prepare_backbone_features(backbone_out)
            cached = (feats, pos, sizes)
            state.features[frame] = cached
            while len(state.features) > state.feature_cache_size:
                state.features.popitem(last=False)
        else:
            state.features.move_to_end(frame)
        return cached

    @staticmethod
    def _shared_pos_enc(state: Sam2TrackerState, pos_enc):
        """The memory position encoding is the same on every frame: keep one copy per session."""
        if pos_enc is None:
            return None
        if state.maskmem_pos_enc is None:
            state.maskmem_pos_enc = [x[0:1].clone() for x in pos_enc]
        return [x.expand(pos_enc[0].size(0), -1, -1, -1) for x in state.maskmem_pos_enc]

    def _to_masks(self, state, obj_ids: list[int], logits: torch.Tensor) -> dict[int, np.ndarray]:
        """Kx1xhxw logits -> {obj_id: bool HxW} at the video size (non-overlap applied if set)."""
        if logits.shape[-2:] != (state.height, state.width):
            logits = _resize(logits, (state.height, state.width))
        if self.network.non_overlap_masks:
            logits = self.network._apply_non_overlapping_constraints(logits)
        masks = (logits > 0.0)[:, 0].cpu().numpy()
        return {obj_id: masks[i] for i, obj_id in enumerate(obj_ids)}

    def _check(self, state) -> None:
        check_state(state, Sam2TrackerState, self.name, self.version)


def _resize(logits: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of Bx1xhxw mask logits, as sam2 resizes them everywhere."""
    return F.interpolate(logits, size=size, mode="bilinear", align_corners=False)
