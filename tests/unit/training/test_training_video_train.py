"""SAM 2's video training on generated videos: a few steps lower the held-out clip loss, only the
parts behind the frozen encoder change, and the weights load into the app's video tracker."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from engine.synthetic_video import make_videos
from training.video_simulate import VIDEO_PRETRAIN
from training.video_train import build_network, heldout_video_loss, tracker_from_checkpoint, train_video

pytestmark = pytest.mark.filterwarnings("ignore:cannot import name '_C':UserWarning")

IMAGE_SIZE = 256


def test_a_few_steps_lower_the_heldout_loss_and_train_behind_the_frozen_encoder(tmp_path):
    videos = make_videos(3, seed=0, domain="plain", num_frames=6, size=64)
    heldout = make_videos(2, seed=100, domain="plain", num_frames=6, size=64)
    config = replace(VIDEO_PRETRAIN, steps=16, clip_frames=3, warmup_steps=2)
    start = build_network(IMAGE_SIZE, seed=0).save(tmp_path / "init.pt")
    trained, losses = train_video(videos, config, tmp_path / "trained.pt", image_size=IMAGE_SIZE)
    assert len(losses) == 16
    before = heldout_video_loss(start, heldout, config, image_size=IMAGE_SIZE)
    after = heldout_video_loss(trained, heldout, config, image_size=IMAGE_SIZE)
    assert after < 0.9 * before, (before, after)

    old = build_network(IMAGE_SIZE, start).network.state_dict()
    new = build_network(IMAGE_SIZE, trained).network.state_dict()
    changed = {name.split(".")[0] for name in old if not torch.equal(old[name], new[name])}
    assert "image_encoder" not in changed
    assert {"memory_attention", "memory_encoder", "sam_mask_decoder", "sam_prompt_encoder"} <= changed

    tracker = tracker_from_checkpoint(trained, IMAGE_SIZE, "trained", num_frames=6)
    state = tracker.start(heldout[0].frames)
    masks = tracker.add_prompts(state, 0, 1, points=[[32.0, 32.0]], labels=[1])
    assert masks[1].shape == (64, 64)
    assert [frame for frame, _ in tracker.propagate(state)] == list(range(6))
