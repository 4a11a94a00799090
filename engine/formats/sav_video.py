"""Videos that ship with SA-V and PLM-STC files, written with OpenCV (MPEG-4 Part 2 in .mp4).

SA-V: `<video_id>.mp4` at 24 fps whose every 4th frame is an annotated frame, because sam2's
`SAVDataset.read_frames` decodes every frame with OpenCV and keeps `frames[::4]` to pair with
`masklet`. A source at another rate is resampled by time: frame 4k is the source frame of annotated
frame k itself (no interpolation, so it equals what the annotator saw up to the codec), and frames
4k+1..4k+3 are the source frames a quarter, a half and three quarters of the way to annotated frame
k+1. With 6 fps annotation this is the 24 fps timeline (a 30 fps source: frames 0, 1, 3, 4, 5, 6,
8, 9, 10, ...). With another annotation rate the timeline is stretched so that annotated frames
still land on every 4th frame; docs/formats.md says so.

PLM-STC: `<video_id>.mp4` with one frame per annotated frame at 6 fps (PLM-STC's `videos_fps_6`),
so its frame indices are PLM-STC's start_frame / end_frame and its length is total_frames; the same
writer makes it from the annotated source frames."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from engine.formats.sav_checks import ANNOTATION_STRIDE as STRIDE
from engine.formats.sav_checks import SAV_FPS

PLM_FPS = 6.0
FOURCC = "mp4v"  # the MPEG-4 encoder every OpenCV wheel carries (no H.264 in the pip builds)


class VideoWriteError(ValueError):
    """A video cannot be read or written as asked."""


@dataclass(frozen=True)
class VideoProbe:
    """What OpenCV reads from a video: its nominal rate, the frames it actually decodes, the size."""

    fps: float
    frame_count: int
    width: int
    height: int


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def sav_frame_sources(
    annotated_sources: Sequence[int], source_frame_count: int, source_fps: float, annotation_fps: float
) -> list[int]:
    """The source frame shown on each frame of the 24 fps SA-V video.

    Args:
        annotated_sources: source frame number of each annotated frame, increasing (the project's
            frame plan: annotated frame k is source frame annotated_sources[k]).
        source_frame_count: frames in the source video.
        source_fps, annotation_fps: the source's rate and the annotation rate (SA-V: 6).
    Returns:
        A list whose entry 4k is annotated_sources[k]; 4k + r (r = 1, 2, 3) is the source frame r/4
        of the way to the next annotated frame (rounded half up); after the last annotated frame,
        up to three more frames at the same pace while the source lasts. So its length L satisfies
        ceil(L / 4) == len(annotated_sources), as SA-V's masklet length and video frame count do.
    Raises:
        VideoWriteError: no annotated frame, frames out of order or outside the source, bad rates.
    """
    if not annotated_sources:
        raise VideoWriteError("a SA-V video needs at least one annotated frame")
    if not (source_fps > 0 and annotation_fps > 0 and source_frame_count > 0):
        raise VideoWriteError(f"rates and frame count must be positive, got {source_fps}, {annotation_fps}")
    frames = [int(s) for s in annotated_sources]
    if frames[0] < 0 or frames[-1] >= source_frame_count or any(b <= a for a, b in itertools.pairwise(frames)):
        raise VideoWriteError(f"annotated frames must increase within 0..{source_frame_count - 1}, got {frames}")
    step = source_fps / min(annotation_fps, source_fps)  # source frames per annotated frame
    sources: list[int] = []
    for k, start in enumerate(frames):
        sources.append(start)
        last = k == len(frames) - 1
        gap = step if last else frames[k + 1] - start
        for r in range(1, STRIDE):
            source = _half_up(start + r * gap / STRIDE)
            if last and source >= source_frame_count:
                return sources
            sources.append(source)
    return sources


def _writer(path: str, fps: float, width: int, height: int) -> cv2.VideoWriter:
    writer = cv2.VideoWriter(path, cv2.CAP_FFMPEG, cv2.VideoWriter.fourcc(*FOURCC), fps, (width, height))
    if not writer.isOpened():
        raise VideoWriteError(f"OpenCV cannot write {FOURCC} video to {path}")
    return writer


def write_sav_video(
    source_path: str,
    out_path: str,
    sources: Sequence[int],
    *,
    fps: float = SAV_FPS,
    stride: int = STRIDE,
    frame_sink: Callable[[int, np.ndarray], None] | None = None,
    progress: Callable[[float], None] | None = None,
) -> VideoProbe:
    """Transcode a source video into the SA-V video (or, with fps=PLM_FPS and stride=1 and the
    annotated frames as sources, the 6 fps PLM-STC video), reading the source once, in order.

    Args:
        source_path: a video OpenCV can read.
        out_path: where the .mp4 goes.
        sources: the source frame of every output frame, non-decreasing (`sav_frame_sources`).
        fps: the output rate.
        stride: output frames per annotated frame; frames after the last annotated one may be cut
            short when the source ends early, annotated frames may not.
        frame_sink: called with (output index, BGR frame) for each written frame, e.g. to store
            the 24 fps JPEG frames beside the video.
        progress: called with the fraction done.
    Returns:
        The written video's rate, frame count and size.
    Raises:
        VideoWriteError: the source cannot be opened or ends before an annotated frame.
    """
    capture = cv2.VideoCapture(source_path)
    if not capture.isOpened():
        raise VideoWriteError(f"cannot open the source video {source_path}")
    writer = None
    current, frame = -1, None
    written, width, height = 0, 0, 0
    last_annotated = (len(sources) - 1) // stride * stride
    try:
        for index, source in enumerate(sources):
            while current < source:
                ok, image = capture.read()
                if not ok:
                    if index <= last_annotated:
                        raise VideoWriteError(f"the source video ends after frame {current}, before frame {source}")
                    break  # the last few in-between frames may be cut short
                current, frame = current + 1, image
            if current < source or frame is None:
                break
            if writer is None:
                height, width = frame.shape[:2]
                writer = _writer(out_path, fps, width, height)
            writer.write(frame)
            if frame_sink is not None:
                frame_sink(index, frame)
            written += 1
            if progress is not None and index % 32 == 0:
                progress(index / len(sources))
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    return VideoProbe(fps=fps, frame_count=written, width=width, height=height)


def probe_video(path: str) -> VideoProbe:
    """Decode every frame with OpenCV, as SAVDataset's `decode_video` does, and count them.

    Raises:
        VideoWriteError: the file cannot be opened or holds no frame.
    """
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise VideoWriteError("OpenCV cannot open the video")
    count, width, height = 0, 0, 0
    try:
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if count == 0:
                height, width = image.shape[:2]
            count += 1
    finally:
        capture.release()
    if count == 0:
        raise VideoWriteError("the video holds no decodable frame")
    return VideoProbe(fps=fps, frame_count=count, width=width, height=height)
