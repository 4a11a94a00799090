"""Sam2VideoTracker against sam2's own SAM2VideoPredictor (init_state on a JPEG folder,
add_new_points_or_box, add_new_mask, propagate_in_video) on the tiny SAM 2.1 network: the same
masks, mask logits, object pointers and memories for two objects, forwards and backwards, after
corrections on later frames; frames are read lazily."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from models.registry import resolve_tracker
from models.sam2_video import Sam2TrackerState
from models.video import ArrayFrames, FolderFrames

# sam2 warns once per frame that its CUDA hole-filling extension is missing.
pytestmark = pytest.mark.filterwarnings("ignore:cannot import name '_C':UserWarning")

N_FRAMES, HEIGHT, WIDTH = 12, 96, 128
IMAGE_SIZE = 256  # the tiny network at 256 instead of 1024: about 20x faster on a CPU, same code path


def moving_shapes(n_frames: int = N_FRAMES) -> np.ndarray:
    """NxHxWx3 uint8: a red disc moving right and a green box moving down over a ramp background."""
    ramp = np.linspace(40, 160, WIDTH, dtype=np.float32)[None, :, None]
    frames = np.repeat(np.repeat(ramp, HEIGHT, axis=0)[None], n_frames, axis=0).repeat(3, axis=3)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    for t in range(n_frames):
        disc = (xx - (20 + 4 * t)) ** 2 + (yy - 35) ** 2 <= 12**2
        frames[t][disc] = (220, 40, 40)
        frames[t, 50 + 2 * t : 72 + 2 * t, 70:100] = (40, 200, 60)
    return frames.clip(0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def jpeg_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("video")
    for t, frame in enumerate(moving_shapes()):
        Image.fromarray(frame).save(folder / f"{t:05d}.jpg", quality=90)
    return folder


@pytest.fixture(scope="module")
def tracker(checkpoint_dir, tiny_trust):
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=IMAGE_SIZE, trust=tiny_trust)
    assert loaded.fallback_reason is None, loaded.fallback_reason
    return loaded.tracker


def script_official(network, folder):
    """The interaction script through the bare predictor; records every returned mask set."""
    state = network.init_state(str(folder))
    record = []
    with torch.inference_mode():
        record.append(network.add_new_points_or_box(state, 2, 1, points=[[30.0, 35.0]], labels=[1])[1:])
        record.append(network.add_new_points_or_box(state, 2, 2, box=[66.0, 52.0, 104.0, 78.0])[1:])
        record.extend(out[1:] for out in network.propagate_in_video(state))
        record.extend(out[1:] for out in network.propagate_in_video(state, reverse=True))
        record.append(
            network.add_new_points_or_box(state, 8, 1, points=[[52.0, 35.0], [10.0, 90.0]], labels=[1, 0])[1:]
        )
        record.append(network.add_new_mask(state, 6, 2, moving_box_mask(6))[1:])
        record.extend(out[1:] for out in network.propagate_in_video(state, start_frame_idx=5, max_frame_num_to_track=4))
        record.extend(out[1:] for out in network.propagate_in_video(state, start_frame_idx=9, reverse=True))
    masks = [{obj_id: (logits[i, 0] > 0).numpy() for i, obj_id in enumerate(ids)} for ids, logits in record]
    return state, masks


def script_ours(tracker, frames):
    state = tracker.start(frames)
    record = [
        tracker.add_prompts(state, 2, 1, points=[[30.0, 35.0]], labels=[1]),
        tracker.add_prompts(state, 2, 2, box=[66.0, 52.0, 104.0, 78.0]),
    ]
    frames_seen = []
    for frame, masks in [*tracker.propagate(state), *tracker.propagate(state, reverse=True)]:
        frames_seen.append(frame)
        record.append(masks)
    record.append(tracker.add_prompts(state, 8, 1, points=[[52.0, 35.0], [10.0, 90.0]], labels=[1, 0]))
    record.append(tracker.add_mask(state, 6, 2, moving_box_mask(6)))
    for frame, masks in [
        *tracker.propagate(state, start=5, max_frames=4),
        *tracker.propagate(state, start=9, reverse=True),
    ]:
        frames_seen.append(frame)
        record.append(masks)
    return state, record, frames_seen


def moving_box_mask(t: int) -> np.ndarray:
    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[50 + 2 * t : 72 + 2 * t, 70:100] = True
    return mask


def test_same_masks_and_memory_as_sam2_video_predictor(tracker, jpeg_folder):
    official_state, official = script_official(tracker.network, jpeg_folder)
    state, ours, frames_seen = script_ours(tracker, FolderFrames.from_folder(jpeg_folder, cache_size=3))
    assert frames_seen == [*range(2, 12), *range(2, -1, -1), *range(5, 10), *range(9, -1, -1)]
    assert len(ours) == len(official)
    for step, (theirs, mine) in enumerate(zip(official, ours, strict=False)):
        assert list(mine) == list(theirs) == ([1] if step == 0 else [1, 2]), step
        for obj_id in mine:
            assert mine[obj_id].dtype == bool and mine[obj_id].shape == (HEIGHT, WIDTH)
            np.testing.assert_array_equal(mine[obj_id], theirs[obj_id], err_msg=f"step {step} object {obj_id}")
    # Beyond the thresholded masks: every stored output (logits, pointers, memories) is identical.
    informative = 0
    for obj_idx, obj_id in enumerate((1, 2)):
        theirs = official_state["output_dict_per_obj"][obj_idx]
        track = state.objects[obj_id]
        for mine_outputs, key in ((track.cond, "cond_frame_outputs"), (track.non_cond, "non_cond_frame_outputs")):
            assert sorted(mine_outputs) == sorted(theirs[key]), (obj_id, key)
            for frame, out in mine_outputs.items():
                for name in ("pred_masks", "obj_ptr", "object_score_logits", "maskmem_features"):
                    assert torch.equal(out[name], theirs[key][frame][name]), (obj_id, key, frame, name)
                informative += int((out["pred_masks"] > -1000).any())
        assert track.tracked == {f: v["reverse"] for f, v in official_state["frames_tracked_per_obj"][obj_idx].items()}
    assert informative >= 5  # not only "no object" placeholders compared


def test_frames_are_read_lazily_through_a_bounded_cache(tracker, jpeg_folder):
    frames = FolderFrames.from_folder(jpeg_folder, cache_size=2)
    state = tracker.start(frames)
    assert frames.cached == [] and state.features == {}
    tracker.add_prompts(state, 3, 7, points=[[34.0, 35.0]], labels=[1])
    assert frames.cached == [3]
    for frame, _ in tracker.propagate(state, max_frames=4):  # noqa: B007 - the last frame is checked below
        assert len(frames.cached) <= 2 and len(state.features) <= state.feature_cache_size
    assert frame == 7 and max(state.objects[7].tracked) == 7  # nothing decoded past the last frame asked


def test_stopping_iteration_cancels_and_tracking_resumes(tracker):
    frames = ArrayFrames(moving_shapes())
    state = tracker.start(frames)
    tracker.add_prompts(state, 0, 1, points=[[20.0, 35.0]], labels=[1])
    stream = tracker.propagate(state)
    first = [next(stream) for _ in range(3)]
    stream.close()
    assert [frame for frame, _ in first] == [0, 1, 2]
    assert sorted(state.objects[1].tracked) == [0, 1, 2]
    resumed = [frame for frame, _ in tracker.propagate(state, start=2)]
    assert resumed == list(range(2, N_FRAMES))


def test_remove_object_and_reset(tracker):
    state = tracker.start(moving_shapes(4))
    tracker.add_prompts(state, 0, 1, points=[[20.0, 35.0]], labels=[1])
    masks = tracker.add_prompts(state, 1, 2, box=[66.0, 52.0, 104.0, 78.0])
    assert list(masks) == [1, 2] and not masks[1].any()  # object 1 has no output on frame 1 yet
    tracker.remove_object(state, 1)
    assert state.obj_ids == [2]
    assert [list(m) for _, m in tracker.propagate(state)] == [[2], [2], [2]]
    tracker.reset(state)
    assert state.obj_ids == []
    with pytest.raises(ValueError, match="no objects to track"):
        tracker.propagate(state)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda t, s: t.add_prompts(s, 12, 1, points=[[1, 1]], labels=[1]), "out of range"),
        (lambda t, s: t.add_prompts(s, -1, 1, points=[[1, 1]], labels=[1]), "out of range"),
        (lambda t, s: t.add_prompts(s, 0, 1), "at least one prompt"),
        (lambda t, s: t.add_prompts(s, 0, 1, points=[[200, 1]], labels=[1]), "outside"),
        (lambda t, s: t.add_prompts(s, 0, 1, points=[[1, 1]], labels=[2]), "labels"),
        (lambda t, s: t.add_prompts(s, 0, "a", points=[[1, 1]], labels=[1]), "obj_id"),
        (lambda t, s: t.add_mask(s, 0, 1, np.zeros((5, 5), bool)), "mask must be"),
        (lambda t, s: t.remove_object(s, 42), "unknown obj_id"),
        (lambda t, s: t.propagate(s, start=0), "no objects"),
    ],
)
def test_bad_input_raises_value_error(tracker, call, message):
    state = tracker.start(moving_shapes())
    with pytest.raises(ValueError, match=message):
        call(tracker, state)


def test_bad_propagation_arguments_fail_before_the_first_frame(tracker):
    state = tracker.start(moving_shapes(4))
    tracker.add_prompts(state, 0, 1, points=[[20.0, 35.0]], labels=[1])
    with pytest.raises(ValueError, match="out of range"):
        tracker.propagate(state, start=4)
    with pytest.raises(ValueError, match="max_frames"):
        tracker.propagate(state, max_frames=-1)
    with pytest.raises(ValueError, match="expected a Sam2TrackerState"):
        tracker.add_prompts(object(), 0, 1, points=[[1, 1]], labels=[1])
    assert isinstance(state, Sam2TrackerState) and state.objects[1].tracked == {}


def test_a_new_object_whose_frame_cannot_be_read_is_not_kept(tracker, tmp_path):
    for t, frame in enumerate(moving_shapes(3)):
        Image.fromarray(frame if t != 1 else frame[:50]).save(tmp_path / f"{t:05d}.png")
    state = tracker.start(FolderFrames.from_folder(tmp_path))
    tracker.add_prompts(state, 0, 1, points=[[20.0, 35.0]], labels=[1])
    with pytest.raises(ValueError, match=r"frame 1 .* is 128x50"):
        tracker.add_prompts(state, 1, 2, points=[[20.0, 35.0]], labels=[1])
    assert state.obj_ids == [1]


def test_a_correction_survives_the_next_propagation(tracker):
    # sam2's default would recompute a corrected, already tracked frame on the next propagation
    # and drop the correction; ours makes it a conditioning frame.
    assert tracker.network.add_all_frames_to_correct_as_cond
    state = tracker.start(moving_shapes())
    tracker.add_prompts(state, 0, 1, points=[[20.0, 35.0]], labels=[1])
    list(tracker.propagate(state))
    corrected = np.zeros((HEIGHT, WIDTH), bool)
    corrected[20:50, 30:60] = True
    on_frame = tracker.add_mask(state, 7, 1, corrected)
    again = dict(tracker.propagate(state))
    np.testing.assert_array_equal(again[7][1], on_frame[1])
    assert 7 in state.objects[1].cond and 7 not in state.objects[1].non_cond
