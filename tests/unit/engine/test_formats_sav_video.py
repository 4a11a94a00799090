"""engine.formats.sav_video: the 24 fps SA-V video whose every 4th frame is an annotated frame, read
back the way sam2's SAVDataset reads it (OpenCV decodes every frame, then frames[::4]; written out
below rather than imported, since sav_dataset/ is not part of the sam2 package).

The fixture video (../shared/fixtures/videos/bedroom.mp4) is used when present; a generated video
whose frames carry their own number always."""

import cv2
import numpy as np
import pytest

from engine.formats.sav_video import (
    VideoWriteError,
    probe_video,
    sav_frame_sources,
    write_sav_video,
)
from tests.media_factory import SHARED_FIXTURES

PSNR_THRESHOLD_DB = 30.0  # MPEG-4 at OpenCV's defaults keeps these frames at about 37-40 dB


def savdataset_frames(path, annot_sample_rate=4):
    """sam2 sav_dataset/utils/sav_utils.py: decode_video then frames[::annot_sample_rate]."""
    video, frames = cv2.VideoCapture(str(path)), []
    while video.isOpened():
        ok, frame = video.read()
        if not ok:
            break
        frames.append(frame)
    return frames[::annot_sample_rate]


def plan(frame_count, fps, annotation_fps=6.0):
    """The project's frame plan (backend.media.services.annotation_frame_plan), restated: annotated
    frame k is source frame round(k * fps / annotation_fps)."""
    step = fps / min(annotation_fps, fps)
    return [round(k * step) for k in range(frame_count) if round(k * step) < frame_count]


def test_frame_sources_by_hand():
    # 30 fps, annotated at 6 fps: annotated frames are source 0, 5, 10, ...; between them the
    # 24 fps frames fall 1.25, 2.5 and 3.75 source frames later, rounded half up: 1, 3, 4.
    sources = sav_frame_sources(plan(200, 30.0), 200, 30.0, 6.0)
    assert sources[:12] == [0, 1, 3, 4, 5, 6, 8, 9, 10, 11, 13, 14]
    # The last annotated frame is 195; 196.25, 197.5, 198.75 -> 196, 198, 199 are still in the video.
    assert sources[-4:] == [195, 196, 198, 199] and len(sources) == 160  # 200 frames at 30 fps = 160 at 24
    # A 24 fps source is copied frame for frame: 483 frames as in the official example.
    assert sav_frame_sources(plan(483, 24.0), 483, 24.0, 6.0) == list(range(483))
    # A 12 fps source annotated at 6 fps (frames 0, 2, 4 of 5): quarter steps of half a frame,
    # 0.5, 1.0, 1.5 -> 1, 1, 2; after frame 4 the next step (5) is past the end.
    assert sav_frame_sources([0, 2, 4], 5, 12.0, 6.0) == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(VideoWriteError, match="at least one"):
        sav_frame_sources([], 10, 30.0, 6.0)
    with pytest.raises(VideoWriteError, match="increase"):
        sav_frame_sources([0, 5, 5], 10, 30.0, 6.0)


def _numbered_video(path, count, fps):
    """Frame i shows a white bar at columns 2i..2i+3 on black, so each frame differs from the next."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (96, 48))
    for i in range(count):
        frame = np.zeros((48, 96, 3), np.uint8)
        frame[:, 2 * i : 2 * i + 4] = 255
        writer.write(frame)
    writer.release()


def _nearest(frame, originals):
    """Index of the original frame closest to `frame` (smallest mean squared difference)."""
    return int(np.argmin([np.mean((frame.astype(float) - o) ** 2) for o in originals]))


@pytest.mark.parametrize("fps", [30.0, 24.0, 25.0])
def test_every_4th_frame_is_the_annotated_frame(tmp_path, fps):
    source = tmp_path / "numbered.mp4"
    _numbered_video(source, 40, fps)
    annotated = plan(40, fps)
    sources = sav_frame_sources(annotated, 40, fps, 6.0)
    seen = []
    written = write_sav_video(
        str(source), str(tmp_path / "sav.mp4"), sources, frame_sink=lambda i, frame: seen.append(i)
    )
    assert seen == list(range(len(sources)))
    probe = probe_video(str(tmp_path / "sav.mp4"))
    assert (probe.fps, probe.frame_count, probe.width, probe.height) == (24.0, len(sources), 96, 48)
    assert written.frame_count == len(sources)
    originals = savdataset_frames(source, 1)
    frames = savdataset_frames(tmp_path / "sav.mp4")
    assert len(frames) == len(annotated)
    assert [_nearest(frame, originals) for frame in frames] == annotated
    every = savdataset_frames(tmp_path / "sav.mp4", 1)
    assert [_nearest(frame, originals) for frame in every] == sources


def test_the_fixture_video_read_back_frame_by_frame(tmp_path):
    source = SHARED_FIXTURES / "videos" / "bedroom.mp4"
    if not source.exists():
        pytest.skip("uses ../shared/fixtures/videos; the generated video above runs everywhere")
    probe = probe_video(str(source))  # OpenCV says 30 fps (the fixtures README says 24): both work
    originals = savdataset_frames(source, 1)
    annotated = plan(probe.frame_count, probe.fps)
    sources = sav_frame_sources(annotated, probe.frame_count, probe.fps, 6.0)
    write_sav_video(str(source), str(tmp_path / "sav.mp4"), sources)
    frames = savdataset_frames(tmp_path / "sav.mp4")
    assert len(frames) == len(annotated) == -(-probe.frame_count * 6 // round(probe.fps))
    for k, (frame, source_index) in enumerate(zip(frames, annotated, strict=True)):
        psnr = cv2.PSNR(frame, originals[source_index])
        assert psnr > PSNR_THRESHOLD_DB, (k, psnr)
        for neighbour in (source_index - 1, source_index + 1):
            if 0 <= neighbour < len(originals):  # the frame next door is clearly further away
                assert cv2.PSNR(frame, originals[neighbour]) < psnr - 3, (k, neighbour)


def test_the_6_fps_plm_video_holds_the_annotated_frames(tmp_path):
    source = tmp_path / "numbered.mp4"
    _numbered_video(source, 40, 30.0)
    annotated = plan(40, 30.0)  # 0, 5, ..., 35
    probe = write_sav_video(str(source), str(tmp_path / "plm.mp4"), annotated, fps=6.0, stride=1)
    assert (probe.fps, probe.frame_count) == (6.0, 8)
    assert probe_video(str(tmp_path / "plm.mp4")).fps == 6.0
    originals = savdataset_frames(source, 1)
    assert [_nearest(f, originals) for f in savdataset_frames(tmp_path / "plm.mp4", 1)] == annotated
    # Every frame is an annotated frame: a source that ends early is an error, not a shorter video.
    with pytest.raises(VideoWriteError, match="ends after frame 39, before frame 40"):
        write_sav_video(str(source), str(tmp_path / "x.mp4"), [*annotated, 40], fps=6.0, stride=1)
    with pytest.raises(VideoWriteError, match="cannot open"):
        write_sav_video(str(tmp_path / "missing.mp4"), str(tmp_path / "x.mp4"), [0])
