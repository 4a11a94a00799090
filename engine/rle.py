"""COCO run-length encoded masks with pycocotools' conventions: checking untrusted RLE before
anything decodes it, encode / decode, area, boxes, union / intersection and IoU on RLE.

Conventions (FORMATS.md): an RLE is `{"size": [h, w], "counts": str}`. Runs go down columns (Fortran
order), the first run counts zeros (it may be 0) and runs alternate zeros / ones. The compressed
`counts` string is pycocotools' LEB128-like text; `counts_to_runs` / `runs_to_counts` are a pure
numpy codec for it (no pycocotools), checked against pycocotools in the tests and ported by the
frontend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pycocotools import mask as coco_mask

# 2**27 pixels (e.g. 16384 x 8192): more than any frame we ingest, small enough that a decoded mask
# (one byte per pixel) cannot exhaust a worker.
MAX_PIXELS = 1 << 27

# One value takes 5 payload bits per character. Legal runs are below 2**32 (pycocotools stores them
# as uint32) and a delta between runs fits 34 bits with its sign: 7 characters.
_MAX_CHARS_PER_VALUE = 7
# Keeps the int64 prefix sums in counts_to_runs exact: 2**29 values of magnitude below 2**34.
_MAX_COUNTS_CHARS = 1 << 29
_MAX_RUN = (1 << 32) - 1
_CHAR_OFFSET = 48  # "0"; characters run from "0" (48) to "o" (111)


class RleError(ValueError):
    """An RLE (or a mask given to encode) is malformed; the message says what is wrong."""


# --- the counts-string codec ---------------------------------------------------------------------


def counts_to_runs(counts: str | bytes) -> np.ndarray:
    """Decode a compressed COCO counts string into its runs, without pycocotools.

    The string is a sequence of values. Each value is written low 5-bit group first, one character
    per group: char = 48 + group, plus 32 when more groups follow. In the last character of a value,
    bit 16 is the sign: when set the value is negative (sign-extended from 5 * n_chars bits).
    Value i for i >= 3 is stored as a delta, run[i] = value[i] + run[i - 2]; values 0-2 are runs.

    Args:
        counts: the compressed string (or pycocotools' bytes).
    Returns:
        int64 array of N runs (zeros first). Not checked against a size: runs may be negative here
        when the string says so; `validate_rle` rejects that.
    Raises:
        RleError: a character outside "0".."o", a value cut off at the end of the string, a value
        longer than 7 characters, or a string too long to be a mask.
    """
    return _decode_counts(counts)[0]


def _decode_counts(counts: str | bytes) -> tuple[np.ndarray, bool]:
    """counts_to_runs, and whether every value is written in as few characters as pycocotools'
    encoder writes it (no needless sign-extension character)."""
    if isinstance(counts, str):
        try:
            raw = counts.encode("ascii")
        except UnicodeEncodeError as exc:
            raise RleError("RLE counts string must be ASCII ('0'..'o')") from exc
    elif isinstance(counts, (bytes, bytearray)):
        raw = bytes(counts)
    else:
        raise RleError(f"RLE counts string must be str or bytes, got {type(counts).__name__}")
    if len(raw) > _MAX_COUNTS_CHARS:
        raise RleError(f"RLE counts string is too long ({len(raw)} characters)")
    if not raw:
        return np.zeros(0, dtype=np.int64), True

    chars = np.frombuffer(raw, dtype=np.uint8).astype(np.int64) - _CHAR_OFFSET
    if chars.min() < 0 or chars.max() > 63:
        bad = raw[int(np.flatnonzero((chars < 0) | (chars > 63))[0])]
        raise RleError(f"RLE counts has character {chr(bad)!r} outside '0'..'o'")
    more = (chars & 0x20) != 0
    if more[-1]:
        raise RleError("RLE counts string ends inside a value (truncated)")

    ends = np.flatnonzero(~more)  # last character of each value
    starts = np.concatenate(([0], ends[:-1] + 1))
    n_chars = ends - starts + 1
    if n_chars.max() > _MAX_CHARS_PER_VALUE:
        raise RleError(f"RLE counts has a value of more than {_MAX_CHARS_PER_VALUE} characters")

    group_index = np.arange(len(chars)) - np.repeat(starts, n_chars)
    values = np.add.reduceat((chars & 0x1F) << (5 * group_index), starts)
    negative = (chars[ends] & 0x10) != 0
    values[negative] |= np.left_shift(np.int64(-1), 5 * n_chars[negative])

    # Undo the deltas: odd runs are prefix sums of odd values; even runs from index 2 on likewise.
    runs = values.copy()
    runs[1::2] = np.cumsum(values[1::2])
    runs[2::2] = np.cumsum(values[2::2])
    # The encoder stops after a group once the rest is its sign extension: a last group of 0 after
    # a group with the sign bit clear (or 31 after one with it set) was not needed.
    long = ends[n_chars > 1]
    last, previous = chars[long] & 0x1F, chars[long - 1] & 0x10
    minimal = not bool(np.any(np.where(previous != 0, last == 0x1F, last == 0)))
    return runs, minimal


def runs_to_counts(runs: Sequence[int] | np.ndarray) -> str:
    """Encode runs (zeros first, alternating) as pycocotools' compressed counts string.

    The exact inverse of `counts_to_runs` for runs pycocotools can hold, and byte-identical to
    pycocotools' `rleToString` (the tests compare them).

    Args:
        runs: 1-D sequence of N non-negative integer runs, each below 2**32.
    Returns:
        The compressed counts string (str, JSON-ready).
    Raises:
        RleError: runs not a 1-D integer sequence, or a run negative or too large.
    """
    runs_array = np.asarray(runs)
    if runs_array.ndim != 1:
        raise RleError(f"runs must be 1-D, got shape {runs_array.shape}")
    if runs_array.size == 0:
        return ""
    if runs_array.dtype == bool or not np.issubdtype(runs_array.dtype, np.integer):
        raise RleError(f"runs must be integers, got dtype {runs_array.dtype}")
    runs_array = runs_array.astype(np.int64)
    if runs_array.min() < 0 or runs_array.max() > _MAX_RUN:
        raise RleError(f"runs must lie in [0, {_MAX_RUN}]")

    values = runs_array.copy()
    values[3:] -= runs_array[1:-2]  # value[i] = run[i] - run[i - 2] for i >= 3

    chars = np.zeros((len(values), _MAX_CHARS_PER_VALUE), dtype=np.uint8)
    n_chars = np.zeros(len(values), dtype=np.int64)
    active = np.ones(len(values), dtype=bool)
    remaining = values
    for group in range(_MAX_CHARS_PER_VALUE):
        low = remaining & 0x1F
        remaining = remaining >> 5  # arithmetic shift: negative values tend to -1
        more = np.where((low & 0x10) != 0, remaining != -1, remaining != 0)
        chars[:, group] = low + _CHAR_OFFSET + 0x20 * more
        n_chars += active
        active &= more
    written = np.arange(_MAX_CHARS_PER_VALUE)[None, :] < n_chars[:, None]
    return chars[written].tobytes().decode("ascii")


# --- checking untrusted input --------------------------------------------------------------------


def _check_size(size: object, max_pixels: int) -> tuple[int, int]:
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise RleError(f"RLE size must be [h, w], got {size!r}")
    for side in size:
        if isinstance(side, bool) or not isinstance(side, (int, np.integer)):
            raise RleError(f"RLE size must hold two integers, got {size!r}")
    height, width = int(size[0]), int(size[1])
    if height <= 0 or width <= 0:
        raise RleError(f"RLE size must be positive, got {size!r}")
    if height * width > max_pixels:
        raise RleError(f"RLE size {height}x{width} exceeds the limit of {max_pixels} pixels")
    return height, width


def _list_to_runs(counts: list | tuple) -> np.ndarray:
    for run in counts:
        if isinstance(run, bool) or not isinstance(run, (int, np.integer)):
            raise RleError(f"uncompressed RLE counts must be integers, got {run!r}")
    runs = [int(run) for run in counts]  # Python ints: a huge value cannot overflow the check
    if runs and (min(runs) < 0 or max(runs) > _MAX_RUN):
        raise RleError(f"uncompressed RLE runs must lie in [0, {_MAX_RUN}]")
    return np.array(runs, dtype=np.int64)


def _canonical_runs(runs: np.ndarray) -> np.ndarray:
    """Drop zero-length runs after the first and merge the neighbours they separated, as
    pycocotools' encoder would have written the same mask."""
    is_one = (np.arange(len(runs)) % 2).astype(bool)
    kept = runs > 0
    values, lengths = is_one[kept], runs[kept]
    starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
    merged = np.add.reduceat(lengths, starts)
    return np.concatenate(([0], merged)) if values[0] else merged


def _checked_runs(
    rle: object, expected_size: tuple[int, int] | None = None, max_pixels: int = MAX_PIXELS
) -> tuple[int, int, np.ndarray, bool]:
    """Check an RLE and return (h, w, runs as given, whether its counts are a canonical string)."""
    if not isinstance(rle, Mapping):
        raise RleError(f"RLE must be a dict with 'size' and 'counts', got {type(rle).__name__}")
    if set(rle.keys()) != {"size", "counts"}:
        raise RleError(f"RLE must have exactly the keys 'size' and 'counts', got {sorted(rle)}")
    height, width = _check_size(rle["size"], max_pixels)
    if expected_size is not None and (height, width) != tuple(expected_size):
        raise RleError(f"RLE size {[height, width]} differs from the expected {list(expected_size)}")
    counts = rle["counts"]
    if isinstance(counts, (str, bytes, bytearray)):
        runs, minimal = _decode_counts(bytes(counts) if isinstance(counts, bytearray) else counts)
    elif isinstance(counts, (list, tuple)):
        runs, minimal = _list_to_runs(counts), False
    else:
        raise RleError(f"RLE counts must be a str or a list of ints, got {type(counts).__name__}")
    if runs.size and runs.min() < 0:
        raise RleError("RLE counts hold a negative run")
    if runs.size and runs.max() > height * width:
        raise RleError(f"RLE counts hold a run longer than the mask ({height * width} pixels)")
    total = int(runs.sum())  # exact: at most 2**29 runs, each at most 2**27
    if total != height * width:
        raise RleError(f"RLE runs sum to {total}, not h*w = {height}*{width} = {height * width}")
    canonical = minimal and not bool(np.any(runs[1:] == 0))
    return height, width, runs, canonical


def _parse(
    rle: object, expected_size: tuple[int, int] | None = None, max_pixels: int = MAX_PIXELS
) -> tuple[int, int, np.ndarray]:
    """Check an RLE and return (h, w, canonical runs); never lets pycocotools see bad input."""
    height, width, runs, canonical = _checked_runs(rle, expected_size, max_pixels)
    return height, width, runs if canonical else _canonical_runs(runs)


def validate_rle(rle: object, expected_size: tuple[int, int] | None = None, max_pixels: int = MAX_PIXELS) -> dict:
    """Check an RLE from an untrusted source and return it normalised.

    Args:
        rle: `{"size": [h, w], "counts": c}` with c a compressed str (or bytes) or an uncompressed
            list of non-negative ints. No other keys.
        expected_size: (h, w) the mask must have, e.g. the image's; None accepts any size.
        max_pixels: upper bound on h * w.
    Returns:
        `{"size": [h, w], "counts": str}` in canonical form: byte-identical to pycocotools'
        encoding of the decoded mask (zero-length inner runs merged away).
    Raises:
        RleError: wrong type or keys, a bad size, a size other than expected_size, a malformed
        string, a negative run, or runs that do not sum to h * w.
    """
    height, width, runs = _parse(rle, expected_size, max_pixels)
    return {"size": [height, width], "counts": runs_to_counts(runs)}


def checked_geometry(
    rle: object, expected_size: tuple[int, int] | None = None, max_pixels: int = MAX_PIXELS
) -> tuple[dict, int, list[float]]:
    """validate_rle, area and bbox_coco of an untrusted RLE in one pass: (canonical RLE, area, COCO
    box). The runs are checked once here (pycocotools must never see a malformed string: its C
    decoder trusts the runs it reads); a string already in pycocotools' canonical form (what every
    encoder, ours and the browser's, writes) is kept as sent, and area and box come from
    pycocotools' C code."""
    height, width, runs, canonical = _checked_runs(rle, expected_size, max_pixels)
    if canonical:
        counts = rle["counts"]  # type: ignore[index]
        text = counts if isinstance(counts, str) else bytes(counts).decode("ascii")
    else:
        text = runs_to_counts(_canonical_runs(runs))
    checked = {"size": [height, width], "counts": text}
    coded = {"size": [height, width], "counts": text.encode("ascii")}
    area_value = int(coco_mask.area(coded))
    box = [float(v) for v in coco_mask.toBbox(coded)]
    return checked, area_value, box


# --- masks <-> RLE -------------------------------------------------------------------------------


def encode(mask: np.ndarray) -> dict:
    """Encode a mask as COCO RLE.

    Args:
        mask: HxW bool array (an integer array of 0 / 1 is accepted too), H, W > 0.
    Returns:
        `{"size": [h, w], "counts": str}`, as pycocotools encodes it (runs down columns).
    Raises:
        RleError: not 2-D, empty, or not boolean.
    """
    mask = np.asarray(mask)
    if mask.ndim != 2 or mask.shape[0] == 0 or mask.shape[1] == 0:
        raise RleError(f"mask must be a non-empty HxW array, got shape {mask.shape}")
    if mask.dtype != bool and (
        not np.issubdtype(mask.dtype, np.integer) or (mask.size and mask.max() > 1) or (mask.size and mask.min() < 0)
    ):
        raise RleError(f"mask must be bool (or 0/1 integers), got dtype {mask.dtype}")
    encoded = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(mask.shape[0]), int(mask.shape[1])], "counts": encoded["counts"].decode()}


def _runs_to_mask(height: int, width: int, runs: np.ndarray) -> np.ndarray:
    is_one = (np.arange(len(runs)) % 2).astype(bool)
    column_major = np.repeat(is_one, runs)
    return np.ascontiguousarray(column_major.reshape(width, height).T)


def decode(rle: object) -> np.ndarray:
    """Decode an RLE (checked first, so untrusted input is safe) to an HxW C-order bool mask."""
    height, width, runs = _parse(rle)
    return _runs_to_mask(height, width, runs)


def empty(height: int, width: int) -> dict:
    """The RLE of an all-zero HxW mask (an absent object in SA-V is such an RLE, never null)."""
    height, width = _check_size([height, width], MAX_PIXELS)
    return {"size": [height, width], "counts": runs_to_counts([height * width])}


# --- measures on RLE -----------------------------------------------------------------------------


def area(rle: object) -> int:
    """Number of foreground pixels (a Python int, JSON-ready)."""
    _, _, runs = _parse(rle)
    return int(runs[1::2].sum())


def _extent(rle: object) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the foreground, inclusive pixel indices; None for an empty mask."""
    height, _, runs = _parse(rle)
    ends = np.cumsum(runs)
    first = ends[0::2][: len(runs) // 2]  # first pixel of each ones run
    last = ends[1::2] - 1  # last pixel of each ones run
    if last.size == 0:
        return None
    first_col, first_row = np.divmod(first, height)
    last_col, last_row = np.divmod(last, height)
    # A run crossing into the next column covers row h-1 of one column and row 0 of the next.
    crosses = first_col != last_col
    y0 = int(np.where(crosses, 0, first_row).min())
    y1 = int(np.where(crosses, height - 1, last_row).max())
    return int(first_col.min()), y0, int(last_col.max()), y1


def bbox_coco(rle: object) -> list[float]:
    """COCO box [x, y, w, h] as pycocotools `toBbox` (w = x_max - x_min + 1); zeros if empty."""
    extent = _extent(rle)
    if extent is None:
        return [0.0, 0.0, 0.0, 0.0]
    x0, y0, x1, y1 = extent
    return [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)]


def bbox_xyxy(rle: object) -> list[int]:
    """SAM's box [x0, y0, x1, y1]: inclusive indices of the first and last foreground column / row
    (SAM's XYWH is then [x0, y0, x1 - x0, y1 - y0]); [0, 0, 0, 0] if empty."""
    extent = _extent(rle)
    return [0, 0, 0, 0] if extent is None else list(extent)


def merge(rles: Sequence[object], intersect: bool = False) -> dict:
    """Union (or intersection) of same-size RLEs, returned as a canonical RLE with str counts.

    Raises:
        RleError: no RLE given, a malformed RLE, or sizes that differ.
    """
    if len(rles) == 0:
        raise RleError("merge needs at least one RLE")
    checked = [validate_rle(rle) for rle in rles]
    sizes = {tuple(rle["size"]) for rle in checked}
    if len(sizes) != 1:
        raise RleError(f"merge needs RLEs of one size, got {sorted(sizes)}")
    merged = coco_mask.merge(checked, intersect=int(intersect))
    return validate_rle({"size": checked[0]["size"], "counts": merged["counts"]})


def iou(rle_a: object, rle_b: object) -> float:
    """Intersection over union of two same-size RLEs; two empty masks give 1.0."""
    inter = area(merge([rle_a, rle_b], intersect=True))
    union = area(rle_a) + area(rle_b) - inter
    return 1.0 if union == 0 else inter / union
