"""Two generated image domains for the data-engine simulator, with exact masks; deterministic per seed.

- plain: the analogue of public data a model is pretrained on: flat-coloured shapes on a plain
  background, apart from each other.
- hard: what the engine annotates: several objects per scene over a textured background, each
  filled with a two-colour texture (stripes or checks), some with a hole, some with a thin part
  (a stick or a handle 2-3 px wide), placed so that later objects may occlude earlier ones (the
  masks are the visible parts).
"""

from __future__ import annotations

import cv2
import numpy as np

from engine.synthetic import SHAPE_KINDS, _distinct_colours, _draw_shape, _textured_background

_MIN_VISIBLE = 0.55  # an occluded object keeps at least this fraction of its area visible
_MIN_PIXELS = 40


def plain_scene(
    seed: int, height: int = 128, width: int = 128, n_shapes: int = 2
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(image HxWx3 uint8 RGB, n_shapes bool masks): flat shapes on one flat colour, no contact."""
    _check(height, width, n_shapes)
    rng = np.random.default_rng([seed, 11])
    background_colour = rng.uniform(40, 215, size=3)
    colours = _distinct_colours(rng, n_shapes, background_colour)
    image = np.broadcast_to(background_colour, (height, width, 3)).copy()
    occupied = np.zeros((height, width), dtype=np.uint8)
    # The gap between shapes: 3 px at 128 px and above, 1-2 px on smaller scenes (odd kernel side).
    kernel = np.ones((max(3, min(7, (min(height, width) // 18) | 1)),) * 2, np.uint8)
    masks: list[np.ndarray] = []
    for colour in colours:
        for _attempt in range(200):
            kind = SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))]
            mask = _draw_shape(rng, kind, float(rng.uniform(0.12, 0.25)) * min(height, width), height, width)
            grown = np.asarray(cv2.dilate(mask, kernel), dtype=np.uint8)
            if mask.sum() >= _MIN_PIXELS and not np.any(grown & occupied):
                break
        else:
            raise ValueError(f"could not place {n_shapes} shapes in a {height}x{width} scene (seed {seed})")
        occupied |= mask
        image[mask.astype(bool)] = colour
        masks.append(mask.astype(bool))
    return image.clip(0, 255).astype(np.uint8), masks


def hard_scene(
    seed: int, height: int = 128, width: int = 128, n_objects: int = 4
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(image HxWx3 uint8 RGB, n_objects bool masks of the visible parts, in drawing order)."""
    _check(height, width, n_objects)
    rng = np.random.default_rng([seed, 23])
    image, background_mean = _textured_background(rng, height, width)
    colours = _distinct_colours(rng, n_objects, background_mean)
    full: list[np.ndarray] = []
    for index in range(n_objects):
        for _attempt in range(300):
            shape = _object_mask(rng, height, width)
            visible = [m & ~shape for m in full]
            if shape.sum() >= _MIN_PIXELS and all(
                v.sum() >= max(_MIN_PIXELS, _MIN_VISIBLE * m.sum()) for v, m in zip(visible, full, strict=True)
            ):
                break
        else:
            raise ValueError(f"could not place {n_objects} objects in a {height}x{width} scene (seed {seed})")
        full.append(shape)
        image = np.where(shape[..., None], _texture(rng, colours[index], height, width), image)
    masks = []
    for index, mask in enumerate(full):
        later = np.zeros_like(mask)
        for other in full[index + 1 :]:
            later |= other
        masks.append(mask & ~later)
    return np.clip(image, 0, 255).astype(np.uint8), masks


def _check(height: int, width: int, count: int) -> None:
    if height < 32 or width < 32:
        raise ValueError(f"scene must be at least 32x32, got {height}x{width}")
    if count < 1:
        raise ValueError(f"a scene needs at least one object, got {count}")


def _object_mask(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A shape, with a hole (40%) and a thin part (40%)."""
    kind = SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))]
    size = float(rng.uniform(0.13, 0.24)) * min(height, width)
    mask = _draw_shape(rng, kind, size, height, width)
    if not mask.any():
        return mask.astype(bool)
    ys, xs = np.nonzero(mask)
    cy, cx = float(ys.mean()), float(xs.mean())
    if rng.random() < 0.4:  # a hole: a smaller circle or square inside
        r = max(2, round(size * float(rng.uniform(0.25, 0.4))))
        hole = np.zeros_like(mask)
        centre = (round(cx + rng.uniform(-0.15, 0.15) * size), round(cy + rng.uniform(-0.15, 0.15) * size))
        if rng.random() < 0.5:
            cv2.circle(hole, centre, r, 1, thickness=-1)
        else:
            cv2.rectangle(hole, (centre[0] - r, centre[1] - r), (centre[0] + r, centre[1] + r), 1, thickness=-1)
        eroded = cv2.erode(mask, np.ones((5, 5), np.uint8))
        mask = mask & ~(hole & eroded)  # the hole stays inside, a rim remains
    if rng.random() < 0.4:  # a thin part: a stick from the centre out past the edge
        angle = float(rng.uniform(0, 2 * np.pi))
        length = size * float(rng.uniform(1.4, 2.0))
        end = (round(cx + length * np.cos(angle)), round(cy + length * np.sin(angle)))
        cv2.line(mask, (round(cx), round(cy)), end, 1, thickness=int(rng.integers(2, 4)))
    return mask.astype(bool)


def _texture(rng: np.random.Generator, colour: np.ndarray, height: int, width: int) -> np.ndarray:
    """HxWx3 float: stripes or checks of `colour` and a second colour, plus a little noise."""
    second = np.clip(colour + rng.uniform(-70, 70, size=3), 0, 255)
    period = float(rng.uniform(4, 9))
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    angle = float(rng.uniform(0, np.pi))
    u = xx * np.cos(angle) + yy * np.sin(angle)
    if rng.random() < 0.5:
        pattern = (np.floor(u / period) % 2).astype(bool)
    else:
        v = -xx * np.sin(angle) + yy * np.cos(angle)
        pattern = ((np.floor(u / period) + np.floor(v / period)) % 2).astype(bool)
    texture = np.where(pattern[..., None], second, colour)
    return texture + rng.normal(0.0, 5.0, size=(height, width, 3))
