"""Fixtures of the integration tests."""

import pytest


@pytest.fixture(autouse=True)
def _needs_services(services):
    """The integration tests (real worker processes) run against PostgreSQL, Redis and SeaweedFS (tests/environment.py)."""


@pytest.fixture
def video_with_two_objects(transactional_db):
    """A 32x24 video row (no file: for code that writes its masks) with masklets of objects 1 and 2."""
    from backend.annotations.models import Masklet
    from backend.media.models import Video
    from tests.fault_scenarios import Team

    project = Team.make().project(kind="video")
    video = Video.objects.create(
        project=project, sha256="d" * 64, storage_key="none", format="mp4", size_bytes=0,
        width=32, height=24, fps=6.0, frame_count=12, duration=2.0, annotation_fps=6.0,
    )  # fmt: skip
    for obj_id in (1, 2):
        Masklet.objects.create(video=video, object_id=obj_id)
    return video
