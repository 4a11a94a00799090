"""Bounded session memory (models.sam2_memory): tracked outputs beyond a window of recent frames
are spilled to a file and read back byte for byte, so the masks and every stored output stay
identical to sam2's SAM2VideoPredictor, which keeps all of them in memory; and frames are read
ahead on a helper thread during a pass without changing anything."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from models.sam2_memory import FrameOutputs, SpillFolder
from models.sam2_video import Sam2VideoTracker
from models.video import ArrayFrames, FolderFrames
from tests.unit.models.test_video_sam2 import HEIGHT, IMAGE_SIZE, WIDTH, script_official, script_ours

pytestmark = pytest.mark.filterwarnings("ignore:cannot import name '_C':UserWarning")

LONG = 40


def circling_shapes(n_frames: int) -> np.ndarray:
    """A disc and a box going back and forth, so both stay in view over a long video."""
    ramp = np.linspace(40, 160, WIDTH, dtype=np.float32)[None, :, None]
    frames = np.repeat(np.repeat(ramp, HEIGHT, axis=0)[None], n_frames, axis=0).repeat(3, axis=3)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    for t in range(n_frames):
        swing = abs(t % 40 - 20)  # 0..20..0
        frames[t][(xx - (25 + 3 * swing)) ** 2 + (yy - 35) ** 2 <= 12**2] = (220, 40, 40)
        frames[t, 40 + swing : 62 + swing, 70:100] = (40, 200, 60)
    return frames.clip(0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def network(checkpoint_dir, tiny_trust):
    from models.registry import resolve_tracker

    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=IMAGE_SIZE, trust=tiny_trust)
    assert loaded.fallback_reason is None, loaded.fallback_reason
    return loaded.tracker


@pytest.fixture(scope="module")
def long_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long-video")
    for t, frame in enumerate(circling_shapes(LONG)):
        Image.fromarray(frame).save(folder / f"{t:05d}.jpg", quality=90)
    return folder


def with_window(tracker, window, spill_dir=None) -> Sam2VideoTracker:
    return Sam2VideoTracker(tracker.network, tracker.version, memory_window=window, spill_dir=spill_dir)


def assert_same_outputs(official_state, state, obj_ids):
    for obj_idx, obj_id in enumerate(obj_ids):
        theirs = official_state["output_dict_per_obj"][obj_idx]
        track = state.objects[obj_id]
        for mine, key in ((track.cond, "cond_frame_outputs"), (track.non_cond, "non_cond_frame_outputs")):
            assert sorted(mine) == sorted(theirs[key]), (obj_id, key)
            for frame in sorted(mine):
                for name in ("pred_masks", "obj_ptr", "object_score_logits", "maskmem_features"):
                    assert torch.equal(mine[frame][name], theirs[key][frame][name]), (obj_id, frame, name)


def test_the_interaction_script_with_three_frames_in_memory_equals_sam2(network, tmp_path):
    # A window of 3 is far below what memory attention reads (16 frames back): nearly every step
    # reads spilled outputs back, and the results must not move by a bit.
    folder = tmp_path / "frames"
    folder.mkdir()
    from tests.unit.models.test_video_sam2 import moving_shapes

    for t, frame in enumerate(moving_shapes()):
        Image.fromarray(frame).save(folder / f"{t:05d}.jpg", quality=90)
    official_state, official = script_official(network.network, folder)
    tracker = with_window(network, 3, spill_dir=tmp_path / "spill")
    state, ours, _ = script_ours(tracker, FolderFrames.from_folder(folder, cache_size=3))
    assert len(ours) == len(official)
    for step, (theirs, mine) in enumerate(zip(official, ours, strict=True)):
        for obj_id in mine:
            np.testing.assert_array_equal(mine[obj_id], theirs[obj_id], err_msg=f"step {step} object {obj_id}")
    assert all(len(track.non_cond.in_memory) <= 3 for track in state.objects.values())
    assert_same_outputs(official_state, state, (1, 2))
    spill = state.spill.path
    assert spill is not None and len(list(spill.iterdir())) == 2  # one file per object
    del state, tracker
    import gc

    gc.collect()
    assert not spill.exists()  # the session's spill files go with it


def test_a_long_video_keeps_a_bounded_window_and_equals_sam2(network, long_folder):
    """Forward over the whole video, then a click on an early frame whose outputs were spilled
    long ago, and a backward pass from the middle that reads spilled memories back."""
    official_state = network.network.init_state(str(long_folder))
    official = []
    with torch.inference_mode():
        official.append(network.network.add_new_points_or_box(official_state, 0, 1, points=[[25.0, 35.0]], labels=[1]))
        official.append(network.network.add_new_points_or_box(official_state, 0, 2, box=[68.0, 38.0, 102.0, 64.0]))
        official.extend(network.network.propagate_in_video(official_state))
        official.append(network.network.add_new_points_or_box(official_state, 10, 1, points=[[80.0, 35.0]], labels=[1]))
        official.extend(network.network.propagate_in_video(official_state, start_frame_idx=20, reverse=True))
    expected = [{obj: (logits[i, 0] > 0).numpy() for i, obj in enumerate(ids)} for _, ids, logits in official]

    tracker = network  # the default window: what memory attention reads, about 17 frames
    state = tracker.start(FolderFrames.from_folder(long_folder, cache_size=4))
    ours = [
        tracker.add_prompts(state, 0, 1, points=[[25.0, 35.0]], labels=[1]),
        tracker.add_prompts(state, 0, 2, box=[68.0, 38.0, 102.0, 64.0]),
    ]
    window_seen = 0
    for _, masks in tracker.propagate(state):
        ours.append(masks)
        window_seen = max(window_seen, *(len(t.non_cond.in_memory) for t in state.objects.values()))
    assert window_seen == tracker.memory_window < LONG // 2
    ours.append(tracker.add_prompts(state, 10, 1, points=[[80.0, 35.0]], labels=[1]))
    ours.extend(masks for _, masks in tracker.propagate(state, start=20, reverse=True))
    assert len(ours) == len(expected)
    informative = 0
    for step, (theirs, mine) in enumerate(zip(expected, ours, strict=True)):
        for obj_id in mine:
            np.testing.assert_array_equal(mine[obj_id], theirs[obj_id], err_msg=f"step {step} object {obj_id}")
            informative += int(mine[obj_id].any())
    assert informative > LONG  # masks with pixels, not only empty ones, were compared
    assert_same_outputs(official_state, state, (1, 2))


def test_frame_outputs_spill_and_read_back_exactly(tmp_path):
    shared = [torch.zeros(1, 4, 2, 2)]
    outputs = FrameOutputs(SpillFolder(tmp_path), window=2)

    def output(seed: int) -> dict:
        generator = torch.Generator().manual_seed(seed)
        return {
            "maskmem_features": torch.randn(1, 4, 2, 2, generator=generator).to(torch.bfloat16),
            "maskmem_pos_enc": shared,
            "pred_masks": torch.randn(1, 1, 8, 8, generator=generator),
            "obj_ptr": torch.randn(1, 16, generator=generator),
            "object_score_logits": torch.randn(1, 1, generator=generator),
        }

    for frame in range(6):
        outputs[frame] = output(frame)
    assert outputs.in_memory == [4, 5] and len(outputs) == 6 and sorted(outputs) == list(range(6))
    for frame in (0, 3, 5):
        for name, value in output(frame).items():
            assert value is shared if name == "maskmem_pos_enc" else torch.equal(outputs[frame][name], value)
    outputs[1] = output(11)  # a frame recomputed by a later pass overwrites its record
    del outputs[4]
    assert torch.equal(outputs[1]["obj_ptr"], output(11)["obj_ptr"]) and 4 not in outputs
    assert outputs.get(4) is None and outputs.pop(2)["obj_ptr"].shape == (1, 16) and 2 not in outputs
    odd = {"maskmem_features": None, "maskmem_pos_enc": None, "pred_masks": torch.zeros(1)}
    outputs[7], outputs[8], outputs[9] = odd, odd, odd  # not of the session's layout: kept in memory
    assert outputs[7] is odd


def test_read_ahead_gives_the_same_masks_as_reading_in_place(network):
    frames = circling_shapes(10)
    results = []
    for read_ahead in (0, 3):
        tracker = Sam2VideoTracker(network.network, network.version, read_ahead=read_ahead)
        state = tracker.start(ArrayFrames(frames))
        tracker.add_prompts(state, 2, 1, points=[[40.0, 35.0]], labels=[1])
        results.append(list(tracker.propagate(state)) + list(tracker.propagate(state, start=6, reverse=True)))
    for (frame_a, masks_a), (frame_b, masks_b) in zip(*results, strict=True):
        assert frame_a == frame_b
        np.testing.assert_array_equal(masks_a[1], masks_b[1])


def test_prepare_computes_features_ahead(network):
    state = network.start(ArrayFrames(circling_shapes(8)))
    network.prepare(state, range(6))
    assert list(state.features) == [2, 3, 4, 5]  # the cache keeps the last feature_cache_size
    with pytest.raises(ValueError, match="out of range"):
        network.prepare(state, [8])
