"""Frames as the SAM 2 video network takes them (resized to its square, normalised as sam2 loads
JPEG folders), and a helper thread that prepares the next frames of a propagation pass while the
network runs on the current one.

sam2's predictor decodes, resizes and normalises every frame in `init_state`, before the first
click; our tracker reads frames lazily, so without read-ahead each propagated frame would pay for
its decode (and, in the app, its storage read) on the network's thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import torch
from PIL import Image

IMAGE_MEAN = (0.485, 0.456, 0.406)  # ImageNet, as sam2.utils.misc.load_video_frames
IMAGE_STD = (0.229, 0.224, 0.225)


class FrameInputs:
    """HxWx3 uint8 -> 1x3xSxS float32 on `device`, equal bit for bit to what sam2 loads from a JPEG
    folder: Pillow's default resize to the square, /255 in float64 stored as float32, minus the
    ImageNet mean and over its std in float32. A pixel's 256 possible values per channel are
    computed that way once, in a table; a frame is then three lookups, without sam2's float64 copy
    of the frame (1.5 MB at 256 px) on every frame of a pass."""

    def __init__(self, image_size: int, device: torch.device):
        self.image_size, self.device = image_size, device
        scaled = torch.from_numpy(np.arange(256, dtype=np.float64) / 255.0).float()
        mean = torch.tensor(IMAGE_MEAN, dtype=torch.float32)[:, None]
        std = torch.tensor(IMAGE_STD, dtype=torch.float32)[:, None]
        self._table = ((scaled[None, :] - mean) / std).numpy()  # 3 x 256: channel, pixel value

    def __call__(self, frame: np.ndarray) -> torch.Tensor:
        size = self.image_size
        if frame.shape[:2] != (size, size):  # Pillow returns a copy when the size is already right
            frame = np.array(Image.fromarray(frame).resize((size, size)))
        image = np.empty((1, 3, size, size), dtype=np.float32)
        for channel in range(3):
            np.take(self._table[channel], frame[:, :, channel], out=image[0, channel])
        return torch.from_numpy(image).to(self.device)


class ReadAhead:
    """Prepares `prepare(frame)` for the next `depth` frames of `order` on one helper thread.

    `get(frame)` returns the prepared input (waiting for it if the helper is still on it) or None
    for a frame not read ahead. The helper is the only one reading frames while a pass runs, so a
    FrameSource need not be thread-safe. Close it (or leave the `with`) to stop the helper."""

    def __init__(self, order: Iterable[int], prepare: Callable[[int], torch.Tensor], depth: int = 2):
        self._upcoming = iter(order)
        self._prepare = prepare
        self._depth = depth
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sam2-read-ahead")
        self._pending: deque[tuple[int, Future]] = deque()
        self._fill()

    def _fill(self) -> None:
        while len(self._pending) < self._depth:
            frame = next(self._upcoming, None)
            if frame is None:
                return
            self._pending.append((frame, self._pool.submit(self._prepare, frame)))

    def get(self, frame: int) -> torch.Tensor | None:
        if all(queued != frame for queued, _ in self._pending):
            return None
        while self._pending[0][0] != frame:  # frames the pass skipped (every object prompted there)
            self._pending.popleft()[1].cancel()
        _, future = self._pending.popleft()
        self._fill()
        return future.result()

    def close(self) -> None:
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_) -> None:
        self.close()
