"""The contract every video backend honours: `VideoTracker`, its typed `TrackerState`, the lazy
`FrameSource` it reads frames from, and the input checks all trackers share.

Conventions: frames are HxWx3 uint8 RGB; a frame index is 0-based; points are Nx2 float XY and
boxes XYXY, both in original frame pixels; masks are bool HxW at the original frame size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from PIL import Image

from models.protocol import Prompts, validate_image, validate_prompts

FRAME_SUFFIXES = (".jpg", ".jpeg", ".png")


@runtime_checkable
class FrameSource(Protocol):
    """Random access to the frames of one video, decoded on demand.

    `len(source)` frames, all `height` x `width`; `get(i)` returns frame i as HxWx3 uint8 RGB (a
    fresh array or a read-only view the caller must not modify). Sources keep at most a bounded
    number of decoded frames, so a long video never needs all of them in memory at once.
    """

    height: int
    width: int

    def __len__(self) -> int: ...

    def get(self, index: int) -> np.ndarray: ...


class FolderFrames:
    """Frames from image files (JPEG or PNG), one file per frame in the given order, decoded with
    Pillow (as sam2 decodes its JPEG folders) and kept in an LRU of `cache_size` decoded frames.

    The size is read from the first file's header; a frame of another size raises ValueError
    when it is decoded.
    """

    def __init__(self, paths: Sequence[str | Path], *, cache_size: int = 16):
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise ValueError("a video needs at least one frame; got no paths")
        if cache_size < 1:
            raise ValueError(f"cache_size must be >= 1, got {cache_size}")
        missing = [str(p) for p in self.paths if not p.is_file()]
        if missing:
            raise ValueError(f"{len(missing)} frame files not found, first: {missing[0]}")
        with Image.open(self.paths[0]) as first:
            self.width, self.height = (int(v) for v in first.size)
        self.cache_size = cache_size
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    @classmethod
    def from_folder(cls, folder: str | Path, *, cache_size: int = 16) -> FolderFrames:
        """Every image file in `folder`, ordered by the integer in its name ("00012.jpg" is frame 12,
        as sam2 orders JPEG folders)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"not a folder of frames: {folder}")
        files = [p for p in folder.iterdir() if p.suffix.lower() in FRAME_SUFFIXES]
        try:
            files.sort(key=lambda p: int(p.stem))
        except ValueError as error:
            raise ValueError(f"frame file names in {folder} must be integers (e.g. 00012.jpg): {error}") from error
        return cls(files, cache_size=cache_size)

    def __len__(self) -> int:
        return len(self.paths)

    def get(self, index: int) -> np.ndarray:
        """Frame `index` as HxWx3 uint8 RGB (read-only; cached)."""
        index = check_frame_index(index, len(self))
        frame = self._cache.get(index)
        if frame is not None:
            self._cache.move_to_end(index)
            return frame
        with Image.open(self.paths[index]) as picture:
            frame = np.asarray(picture.convert("RGB"))
        if frame.shape[:2] != (self.height, self.width):
            raise ValueError(
                f"frame {index} ({self.paths[index].name}) is {frame.shape[1]}x{frame.shape[0]}, "
                f"the video is {self.width}x{self.height}"
            )
        frame.flags.writeable = False
        self._cache[index] = frame
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return frame

    @property
    def cached(self) -> list[int]:
        """Indices of the frames decoded and held now, least recently used first."""
        return list(self._cache)


class ArrayFrames:
    """Frames from an NxHxWx3 uint8 array-like: an ndarray, or an `np.memmap` / `np.load(...,
    mmap_mode="r")` file, whose pages the OS loads per frame. Nothing is decoded, so no cache is
    kept; `get` returns a read-only view."""

    def __init__(self, array: np.ndarray):
        if not isinstance(array, np.ndarray):
            raise ValueError(f"frames must be a numpy array (or memmap), got {type(array).__name__}")
        if array.ndim != 4 or array.shape[3] != 3 or array.shape[0] < 1:
            raise ValueError(f"frames must be NxHxWx3 with N >= 1, got shape {array.shape}")
        if array.dtype != np.uint8:
            raise ValueError(f"frames must be uint8, got {array.dtype}")
        if array.shape[1] < 1 or array.shape[2] < 1:
            raise ValueError(f"frames are empty: shape {array.shape}")
        self.array = array
        self.height, self.width = int(array.shape[1]), int(array.shape[2])

    def __len__(self) -> int:
        return int(self.array.shape[0])

    def get(self, index: int) -> np.ndarray:
        """Frame `index` as HxWx3 uint8 RGB (a read-only view)."""
        view = self.array[check_frame_index(index, len(self))].view()
        view.flags.writeable = False
        return view


@dataclass(eq=False)
class TrackerState:
    """One tracking session on one video, owned by the caller and passed into every tracker call;
    the tracker (a loaded model) holds no session data, so one model serves many sessions.

    frames: where frames come from; backend / model_version: the tracker that made the state (a
    state is only valid with that tracker); height, width, num_frames: the video's geometry;
    objects: obj_id -> the backend's track of that object (its prompts, masks, memory), in the
    order objects were first prompted. Backends subclass this with typed tracks and caches.
    """

    frames: FrameSource
    backend: str
    model_version: str
    height: int
    width: int
    num_frames: int
    objects: dict[int, Any] = field(default_factory=dict)

    @property
    def obj_ids(self) -> list[int]:
        """Ids of the objects being tracked, in the order they were first prompted."""
        return list(self.objects)


@runtime_checkable
class VideoTracker(Protocol):
    """A promptable video object tracker (masklets): prompt objects on any frame, then propagate."""

    name: str
    version: str

    def start(self, frames: FrameSource) -> TrackerState:
        """A new, empty session over `frames` (nothing is decoded beyond what the backend needs)."""
        ...

    def prepare(self, state: TrackerState, frames: Sequence[int]) -> None:
        """Do ahead of time what a prompt on `frames` needs (decode them, compute their image
        features), so the first click does not wait for it (a session's warm-up). The backend
        keeps what its caches hold; results never depend on it."""
        ...

    def add_prompts(
        self,
        state: TrackerState,
        frame: int,
        obj_id: int,
        points: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        box: np.ndarray | None = None,
    ) -> dict[int, np.ndarray]:
        """Prompt object `obj_id` (new or known) on `frame`: points Nx2 XY with labels N (1 positive,
        0 negative) and/or a box XYXY, original pixels. The prompts replace that object's earlier
        prompts on that frame (send all its clicks there). Returns {obj_id: bool HxW} on `frame`
        for every object of the session."""
        ...

    def add_mask(self, state: TrackerState, frame: int, obj_id: int, mask: np.ndarray) -> dict[int, np.ndarray]:
        """Set object `obj_id`'s mask on `frame` (a person's brushed correction, bool HxW); it
        replaces the object's prompts on that frame. Returns the masks on `frame` as add_prompts."""
        ...

    def remove_object(self, state: TrackerState, obj_id: int) -> None:
        """Forget object `obj_id`: its prompts, masks and memory."""
        ...

    def propagate(
        self,
        state: TrackerState,
        start: int | None = None,
        reverse: bool = False,
        max_frames: int | None = None,
    ) -> Iterator[tuple[int, dict[int, np.ndarray]]]:
        """Track every object from `start` (default: the earliest prompted frame) forwards, or
        backwards with `reverse`, over at most `max_frames` frames after `start` (default: to the
        end); yields (frame, {obj_id: bool HxW}) one frame at a time, `start` included. Inputs
        are checked before the first frame; stop iterating to cancel."""
        ...

    def reset(self, state: TrackerState) -> None:
        """Remove every object, prompt and tracked mask; the frames stay."""
        ...


def check_frame_index(index, num_frames: int) -> int:
    """A frame index as int, or ValueError when it is not an integer in [0, num_frames)."""
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
        raise ValueError(f"frame index must be an int, got {type(index).__name__}")
    if not 0 <= int(index) < num_frames:
        raise ValueError(
            f"frame index {int(index)} is out of range: the video has {num_frames} frames (0..{num_frames - 1})"
        )
    return int(index)


def check_obj_id(obj_id) -> int:
    """An object id as int (ids are chosen by the caller, any int)."""
    if isinstance(obj_id, (bool, np.bool_)) or not isinstance(obj_id, (int, np.integer)):
        raise ValueError(f"obj_id must be an int, got {type(obj_id).__name__}")
    return int(obj_id)


def check_known_object(state: TrackerState, obj_id) -> int:
    """obj_id as int, or ValueError when the session has no such object."""
    obj_id = check_obj_id(obj_id)
    if obj_id not in state.obj_ids:
        raise ValueError(f"unknown obj_id {obj_id}; this session tracks {state.obj_ids}")
    return obj_id


def check_state(state: Any, state_type: type[Any], backend: str, version: str) -> None:
    """Refuse a state made by another backend or another set of weights."""
    if not isinstance(state, state_type):
        raise ValueError(f"expected a {state_type.__name__} from this tracker's start(), got {type(state).__name__}")
    if state.backend != backend or state.model_version != version:
        raise ValueError(
            f"state was made by {state.backend!r} {state.model_version!r}, this tracker is {backend!r} {version!r}"
        )


def check_frame_source(frames) -> FrameSource:
    """A usable FrameSource (len >= 1, positive size), else ValueError; an ndarray is wrapped in
    ArrayFrames."""
    if isinstance(frames, np.ndarray):
        frames = ArrayFrames(frames)
    if not isinstance(frames, FrameSource):
        raise ValueError(f"frames must be a FrameSource (len, height, width, get), got {type(frames).__name__}")
    if len(frames) < 1 or int(frames.height) < 1 or int(frames.width) < 1:
        raise ValueError(
            f"frames must hold at least one frame of positive size, got {len(frames)} of {frames.width}x{frames.height}"
        )
    return frames


def read_frame(state: TrackerState, index: int) -> np.ndarray:
    """Frame `index` of the session, checked to be HxWx3 uint8 of the video's size."""
    frame = validate_image(state.frames.get(index))
    if frame.shape[:2] != (state.height, state.width):
        raise ValueError(
            f"frame {index} is {frame.shape[1]}x{frame.shape[0]}, the video is {state.width}x{state.height}"
        )
    return frame


def check_prompts(state: TrackerState, points=None, labels=None, box=None) -> Prompts:
    """Points / labels / box checked against the video's size (see protocol.validate_prompts)."""
    return validate_prompts((state.height, state.width), points, labels, box, None)


def check_mask(state: TrackerState, mask) -> np.ndarray:
    """A bool HxW mask of the video's size (0/1 ints accepted), else ValueError."""
    array = np.asarray(mask)
    if array.shape != (state.height, state.width):
        raise ValueError(f"mask must be HxW = {state.height}x{state.width}, got shape {array.shape}")
    if array.dtype != bool:
        if array.dtype.kind not in "iu" or not np.all((array == 0) | (array == 1)):
            raise ValueError(f"mask must be bool (or 0/1 integers), got {array.dtype}")
        array = array.astype(bool)
    return array.copy()


def propagation_order(num_frames: int, start: int, reverse: bool, max_frames: int | None) -> range:
    """Frames visited by a propagation from `start`, as sam2's propagate_in_video orders them:
    forwards start..min(start + max_frames, last); backwards start..max(start - max_frames, 0),
    and nothing backwards from frame 0."""
    if max_frames is None:
        max_frames = num_frames
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 0:
        raise ValueError(f"max_frames must be a non-negative int or None, got {max_frames!r}")
    if reverse:
        end = max(start - int(max_frames), 0)
        return range(start, end - 1, -1) if start > 0 else range(0)
    end = min(start + int(max_frames), num_frames - 1)
    return range(start, end + 1)
