"""A propagation's frame writer on PostgreSQL, on its own thread as in a worker: a frame after a
pause reaches the pages at once, the frames after it gather for at most WRITE_INTERVAL (the close of
the pass does not wait it out), every frame is stored and heard exactly once, and a frame a person
made (written by nobody) does not hold back the next one."""

import threading

import numpy as np
import pytest

from backend.annotations.models import Masklet, MaskletFrame
from backend.inference.frame_writer import FrameWriter
from engine import rle as rle_ops

pytestmark = pytest.mark.integration

HEARD_WITHIN = 60  # seconds: far longer than any write; a wait that long means the frame was held back


@pytest.fixture
def video(video_with_two_objects):
    return video_with_two_objects


def _mask(frame: int) -> np.ndarray:
    mask = np.zeros((24, 32), bool)
    mask[2:10, frame : frame + 5] = True
    return mask


class Heard:
    """The batches the pages heard, as lists of (object, frame)."""

    def __init__(self):
        self.batches, self.event = [], threading.Event()

    def __call__(self, video_id, rows):
        self.batches.append(sorted({row.frame_index for row in rows}))
        self.event.set()

    def wait(self) -> None:
        assert self.event.wait(HEARD_WITHIN), "the pages heard nothing"
        self.event.clear()


def test_the_first_frame_goes_at_once_and_the_rest_gather_until_the_close(video, monkeypatch):
    monkeypatch.setattr(FrameWriter, "WRITE_INTERVAL", 3600.0)  # longer than the test: only the close ends it
    heard = Heard()
    writer = FrameWriter(video, {1, 2}, stored=heard)
    writer.add(0, {1: _mask(0), 2: _mask(1)})
    heard.wait()
    assert heard.batches == [[0]]
    for frame in range(1, 10):
        writer.add(frame, {1: _mask(frame), 2: _mask(frame + 1)})
    writer.close()
    assert heard.batches == [[0], list(range(1, 10))]
    assert writer.written == 20
    stored = {
        (f.masklet.object_id, f.frame_index): f
        for f in MaskletFrame.objects.filter(masklet__video=video).select_related("masklet")
    }
    assert len(stored) == 20
    assert all(rle_ops.decode(stored[1, k].rle).astype(bool).tolist() == _mask(k).tolist() for k in range(10))


def test_a_frame_a_person_made_does_not_hold_back_the_next(video, monkeypatch):
    monkeypatch.setattr(FrameWriter, "WRITE_INTERVAL", 3600.0)
    for masklet in Masklet.objects.filter(video=video):  # frame 0 was clicked: kept as the person made it
        MaskletFrame.objects.create(masklet=masklet, frame_index=0, rle=rle_ops.encode(_mask(0)), area=40, edited=True)
    heard = Heard()
    writer = FrameWriter(video, {1, 2}, stored=heard)
    writer.add(0, {1: _mask(3), 2: _mask(3)})
    writer.add(1, {1: _mask(1), 2: _mask(2)})
    heard.wait()  # before the close: frame 0 wrote nothing, so frame 1 went at once
    assert heard.batches == [[1]]
    writer.close()
    assert writer.written == 2
    kept = MaskletFrame.objects.filter(masklet__video=video, frame_index=0)
    assert all(f.edited and f.area == 40 for f in kept)
