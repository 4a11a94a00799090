"""Frame sources (FolderFrames with its bounded LRU, ArrayFrames over arrays and memmaps) and the
shared checks of models.video."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from models.video import (
    ArrayFrames,
    FolderFrames,
    FrameSource,
    TrackerState,
    check_frame_index,
    check_mask,
    propagation_order,
)


def write_frames(folder, count=6, height=20, width=30, suffix="png"):
    frames = np.random.default_rng(0).integers(0, 256, size=(count, height, width, 3), dtype=np.uint8)
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(folder / f"{i:05d}.{suffix}")
    return frames


def test_folder_frames_decode_lazily_and_keep_a_bounded_lru(tmp_path):
    frames = write_frames(tmp_path)
    source = FolderFrames.from_folder(tmp_path, cache_size=2)
    assert isinstance(source, FrameSource)
    assert (len(source), source.height, source.width) == (6, 20, 30)
    assert source.cached == []
    np.testing.assert_array_equal(source.get(4), frames[4])  # PNG: lossless
    source.get(1)
    source.get(4)  # a hit moves frame 4 to the most recent end
    source.get(2)  # evicts 1, the least recently used
    assert source.cached == [4, 2]
    with pytest.raises(ValueError):
        source.get(0)[0, 0, 0] = 1  # frames handed out are read-only


def test_folder_frames_order_by_the_number_in_the_name(tmp_path):
    for i, name in enumerate(["10", "2", "1"]):
        Image.fromarray(np.full((4, 4, 3), i, np.uint8)).save(tmp_path / f"{name}.png")
    source = FolderFrames.from_folder(tmp_path)
    assert [int(source.get(i)[0, 0, 0]) for i in range(3)] == [2, 1, 0]


def test_folder_frames_refuse_bad_input(tmp_path):
    with pytest.raises(ValueError, match="at least one frame"):
        FolderFrames([])
    with pytest.raises(ValueError, match="not found"):
        FolderFrames([tmp_path / "missing.jpg"])
    with pytest.raises(ValueError, match="not a folder"):
        FolderFrames.from_folder(tmp_path / "nope")
    write_frames(tmp_path, count=2)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "00002.png")
    source = FolderFrames.from_folder(tmp_path)
    with pytest.raises(ValueError, match=r"frame 2 .* is 8x8, the video is 30x20"):
        source.get(2)
    with pytest.raises(ValueError, match="out of range"):
        source.get(3)
    (tmp_path / "cover.png").write_bytes(b"")
    with pytest.raises(ValueError, match="must be integers"):
        FolderFrames.from_folder(tmp_path)


def test_array_frames_over_a_memmap(tmp_path):
    frames = np.random.default_rng(1).integers(0, 256, size=(5, 6, 7, 3), dtype=np.uint8)
    np.save(tmp_path / "video.npy", frames)
    source = ArrayFrames(np.load(tmp_path / "video.npy", mmap_mode="r"))
    assert (len(source), source.height, source.width) == (5, 6, 7)
    np.testing.assert_array_equal(source.get(3), frames[3])
    assert not source.get(3).flags.writeable
    for bad, message in [(frames[0], "NxHxWx3"), (frames.astype(np.float32), "uint8"), ([1, 2], "numpy array")]:
        with pytest.raises(ValueError, match=message):
            ArrayFrames(bad)


def test_frame_index_and_mask_checks():
    assert check_frame_index(np.int64(2), 3) == 2
    for bad in (3, -1):
        with pytest.raises(ValueError, match="out of range: the video has 3 frames"):
            check_frame_index(bad, 3)
    for bad in (1.0, True, "1"):
        with pytest.raises(ValueError, match="must be an int"):
            check_frame_index(bad, 3)
    state = TrackerState(ArrayFrames(np.zeros((1, 2, 3, 3), np.uint8)), "x", "x@1", 2, 3, 1)
    assert check_mask(state, np.ones((2, 3), np.uint8)).dtype == bool
    with pytest.raises(ValueError, match="HxW = 2x3"):
        check_mask(state, np.ones((3, 2), bool))


@pytest.mark.parametrize(
    "start, reverse, max_frames, expected",
    [
        (0, False, None, [0, 1, 2, 3, 4]),
        (2, False, 1, [2, 3]),
        (3, True, None, [3, 2, 1, 0]),
        (3, True, 2, [3, 2, 1]),
        (0, True, None, []),  # as sam2: nothing backwards from frame 0
        (4, False, 0, [4]),
    ],
)
def test_propagation_order_matches_sam2(start, reverse, max_frames, expected):
    assert list(propagation_order(5, start, reverse, max_frames)) == expected
