"""Synthetic scenes for tests and simulations: non-overlapping coloured shapes over a textured
background, with their exact masks. Deterministic per seed; numpy and OpenCV only."""

from __future__ import annotations

import cv2
import numpy as np

SHAPE_KINDS = ("circle", "rectangle", "ellipse", "triangle")
_MIN_COLOUR_DISTANCE = 90.0  # Euclidean RGB distance between any two shapes, and from the background
_GAP = 6  # minimum pixels between shapes


def make_scene(
    seed: int, height: int = 480, width: int = 640, n_shapes: int = 4
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return (image HxWx3 uint8 RGB, masks) with `n_shapes` bool HxW masks, one per shape.

    Shapes (circles, rectangles, ellipses, triangles) do not overlap or touch (a gap of a few
    pixels), have pairwise distinct colours and differ in colour from the background, which is a
    smooth colour gradient plus blurred noise texture. Raises ValueError when the shapes cannot be
    placed (too many for the image size).
    """
    if height < 32 or width < 32:
        raise ValueError(f"scene must be at least 32x32, got {height}x{width}")
    if n_shapes < 0:
        raise ValueError(f"n_shapes must be >= 0, got {n_shapes}")
    rng = np.random.default_rng(seed)
    background, background_mean = _textured_background(rng, height, width)
    colours = _distinct_colours(rng, n_shapes, background_mean)
    occupied = np.zeros((height, width), dtype=np.uint8)
    masks: list[np.ndarray] = []
    image = background
    short_side = min(height, width)
    for index in range(n_shapes):
        for _attempt in range(200):
            kind = SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))]
            size = float(rng.uniform(0.08, 0.2)) * short_side
            mask = _draw_shape(rng, kind, size, height, width)
            grown = np.asarray(cv2.dilate(mask, np.ones((2 * _GAP + 1, 2 * _GAP + 1), np.uint8)), dtype=np.uint8)
            if mask.sum() > 0 and not np.any(grown & occupied):
                break
        else:
            raise ValueError(f"could not place {n_shapes} shapes in a {height}x{width} scene (seed {seed})")
        occupied |= mask
        shading = rng.normal(0.0, 6.0, size=(height, width, 1))
        shape_pixels = np.clip(colours[index][None, None, :] + shading, 0, 255)
        image = np.where(mask[..., None].astype(bool), shape_pixels, image)
        masks.append(mask.astype(bool))
    return np.clip(image, 0, 255).astype(np.uint8), masks


def _textured_background(rng: np.random.Generator, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    corner_a, corner_b = rng.uniform(60, 190, size=(2, 3))
    ramp = np.linspace(0.0, 1.0, width)[None, :, None]
    gradient = corner_a[None, None, :] * (1 - ramp) + corner_b[None, None, :] * ramp
    noise = rng.normal(0.0, 1.0, size=(height, width, 3)).astype(np.float32)
    blurred = cv2.GaussianBlur(noise, (0, 0), sigmaX=3.0)
    texture = blurred / max(float(blurred.std()), 1e-6) * 12.0  # mottled, std 12 grey levels
    fine = rng.normal(0.0, 4.0, size=(height, width, 3))
    background = np.repeat(gradient, height, axis=0) + texture + fine
    return background, (corner_a + corner_b) / 2.0


def _distinct_colours(rng: np.random.Generator, count: int, background_mean: np.ndarray) -> list[np.ndarray]:
    colours: list[np.ndarray] = []
    while len(colours) < count:
        for _attempt in range(1000):
            candidate = rng.uniform(0, 255, size=3)
            far_from_background = np.linalg.norm(candidate - background_mean) >= _MIN_COLOUR_DISTANCE
            far_from_others = all(np.linalg.norm(candidate - c) >= _MIN_COLOUR_DISTANCE for c in colours)
            if far_from_background and far_from_others:
                colours.append(candidate)
                break
        else:
            raise ValueError(f"cannot pick {count} distinct colours")
    return colours


def _draw_shape(rng: np.random.Generator, kind: str, size: float, height: int, width: int) -> np.ndarray:
    """A uint8 0/1 mask of one shape of about `size` pixels radius placed fully inside the image."""
    mask = np.zeros((height, width), dtype=np.uint8)
    margin = int(np.ceil(size)) + 2
    if 2 * margin >= min(height, width):
        return mask
    cx = int(rng.integers(margin, width - margin))
    cy = int(rng.integers(margin, height - margin))
    r = round(size)
    if kind == "circle":
        cv2.circle(mask, (cx, cy), r, 1, thickness=-1)
    elif kind == "rectangle":
        half_w = round(r * rng.uniform(0.6, 1.0))
        half_h = round(r * rng.uniform(0.6, 1.0))
        cv2.rectangle(mask, (cx - half_w, cy - half_h), (cx + half_w, cy + half_h), 1, thickness=-1)
    elif kind == "ellipse":
        axes = (r, round(r * rng.uniform(0.45, 0.8)))
        cv2.ellipse(mask, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, 1, thickness=-1)
    else:
        angles = rng.uniform(0, 2 * np.pi) + np.array([0.0, 2.0, 4.0]) * np.pi / 3 + rng.uniform(-0.3, 0.3, 3)
        corners = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1).round().astype(np.int32)
        cv2.fillPoly(mask, [corners], 1)
    return mask
