"""The tracker's frame inputs are exactly sam2's: the same frames written as JPEGs and read by
sam2's own loader (sam2.utils.misc.load_video_frames, what SAM2VideoPredictor.init_state uses) give
the same tensors, bit for bit, at the network's size and resized from another size."""

import numpy as np
import pytest
import torch
from PIL import Image
from sam2.utils.misc import load_video_frames

from models.sam2_frames import FrameInputs


@pytest.mark.parametrize(("height", "width"), [(64, 64), (48, 80)])
def test_frame_inputs_equal_sam2s_loader(tmp_path, height, width):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(3)]
    frames[0] = np.linspace(0, 255, height * width * 3).round().astype(np.uint8).reshape(height, width, 3)  # a ramp
    for index, frame in enumerate(frames):
        Image.fromarray(frame).save(tmp_path / f"{index:05d}.jpg", quality=95)
    official, _, _ = load_video_frames(str(tmp_path), image_size=64, offload_video_to_cpu=True)
    inputs = FrameInputs(64, torch.device("cpu"))
    for index in range(len(frames)):
        decoded = np.array(Image.open(tmp_path / f"{index:05d}.jpg").convert("RGB"))
        if index == 0:
            assert len(np.unique(decoded)) > 200  # the ramp covers nearly every pixel value
        ours = inputs(decoded)
        assert ours.shape == (1, 3, 64, 64) and ours.dtype == torch.float32 and ours.is_contiguous()
        assert torch.equal(ours[0], official[index])
