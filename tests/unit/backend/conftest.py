"""Fixtures of the backend unit tests: a small video for the session tests (a bright square moving
right over six 96x64 frames, stored as JPEGs) and the classical tracker as the video model."""

import cv2
import numpy as np
import pytest

from backend.inference.video import reset_tracker
from backend.media.models import Frame, Video
from backend.media.storage import store_bytes

WIDTH, HEIGHT, FRAMES = 96, 64, 6


@pytest.fixture
def classical(settings):
    settings.VIDEO_MODEL = "classical"
    reset_tracker()
    yield
    reset_tracker()


@pytest.fixture
def video(db, manager, project_factory):
    project = project_factory(manager, kind="video")
    video = Video.objects.create(
        project=project,
        sha256="e" * 64,
        storage_key="none",
        format="mp4",
        size_bytes=0,
        width=WIDTH,
        height=HEIGHT,
        fps=6.0,
        frame_count=FRAMES,
        duration=1.0,
        annotation_fps=6.0,
    )
    for index in range(FRAMES):
        pixels = np.full((HEIGHT, WIDTH, 3), 40, np.uint8)
        pixels[20:40, 10 + 4 * index : 30 + 4 * index] = 220  # a square moving right
        _, jpeg = cv2.imencode(".jpg", pixels)
        key = store_bytes(f"test/{video.pk}/{index:05d}.jpg", jpeg.tobytes())
        Frame.objects.create(video=video, index=index, source_index=index, timestamp=index / 6, storage_key=key)
    return video
