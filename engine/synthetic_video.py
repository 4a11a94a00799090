"""Generated videos with exact per-frame masks, for the video simulation; deterministic per seed.

Two domains, as for images (engine.domains):
- plain: flat-coloured shapes translating slowly over one flat colour, apart from each other (the
  analogue of public data a tracker is pretrained on);
- hard: textured objects that move along curved paths, rotate and stretch (non-rigid in the
  image), over a textured background the camera pans across; later objects pass in front of
  earlier ones, so masks are the visible parts and an object may be partly or wholly occluded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np

from engine.domains import _texture
from engine.synthetic import SHAPE_KINDS, _distinct_colours, _draw_shape, _textured_background

VIDEO_DOMAINS = ("plain", "hard")
_MIN_FIRST_FRAME_PIXELS = 60  # every object is clearly visible on frame 0, where annotators start


@dataclass(frozen=True, eq=False)
class GeneratedVideo:
    """frames: NxHxWx3 uint8 RGB; masks: KxNxHxW bool, object k's visible part on each frame (drawing
    order: a later object occludes an earlier one); key: sha256 of the frames' bytes."""

    key: str
    frames: np.ndarray
    masks: np.ndarray

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def num_objects(self) -> int:
        return int(self.masks.shape[0])


@dataclass(frozen=True)
class _Motion:
    """An object's path: centre (x, y) at time t is start + velocity t + wobble sin(omega t + phase),
    folded back into the frame (it bounces off the borders); angle and per-axis scale vary too."""

    start: np.ndarray
    velocity: np.ndarray
    wobble: np.ndarray
    omega: float
    phase: float
    spin: float
    stretch: float

    def affine(self, t: int, canvas: int, height: int, width: int, margin: float) -> np.ndarray:
        """2x3 matrix from the object's canvas (its shape drawn at the canvas centre) to frame t."""
        raw = self.start + self.velocity * t + self.wobble * np.sin(self.omega * t + self.phase)
        centre = np.array([_fold(raw[0], margin, width - margin), _fold(raw[1], margin, height - margin)])
        angle = np.deg2rad(self.spin * t)
        sx = 1.0 + self.stretch * np.sin(0.35 * t + self.phase)
        sy = 1.0 - self.stretch * np.sin(0.35 * t + self.phase)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        linear = rotation @ np.diag([sx, sy])
        offset = centre - linear @ np.array([canvas / 2.0, canvas / 2.0])
        return np.hstack([linear, offset[:, None]])


def make_video(
    seed: int, *, domain: str = "hard", num_frames: int = 24, size: int = 128, n_objects: int = 2
) -> GeneratedVideo:
    """One generated video of `num_frames` square frames of `size` pixels with `n_objects` objects.
    Raises ValueError for a bad domain or sizes; retries placements until every object shows at
    least a few dozen pixels on frame 0."""
    if domain not in VIDEO_DOMAINS:
        raise ValueError(f"domain must be one of {VIDEO_DOMAINS}, got {domain!r}")
    if num_frames < 1 or size < 48 or n_objects < 1:
        raise ValueError(f"need num_frames >= 1, size >= 48, n_objects >= 1; got {num_frames}, {size}, {n_objects}")
    for attempt in range(50):
        rng = np.random.default_rng([seed, attempt, 31 if domain == "hard" else 37])
        frames, masks = _render(rng, domain, num_frames, size, n_objects)
        if all(m[0].sum() >= _MIN_FIRST_FRAME_PIXELS for m in masks):
            key = hashlib.sha256(frames.tobytes()).hexdigest()
            return GeneratedVideo(key, frames, masks)
    raise ValueError(f"could not place {n_objects} visible objects in a {size}px video (seed {seed})")


def make_videos(
    count: int, *, seed: int = 0, domain: str = "hard", num_frames: int = 24, size: int = 128, n_objects: int = 2
) -> list[GeneratedVideo]:
    """`count` videos of seeds seed, seed + 1, ..."""
    return [
        make_video(seed + i, domain=domain, num_frames=num_frames, size=size, n_objects=n_objects) for i in range(count)
    ]


def _render(rng: np.random.Generator, domain: str, num_frames: int, size: int, n_objects: int):
    hard = domain == "hard"
    pan = 24 if hard else 0
    if hard:
        background, background_mean = _textured_background(rng, size + pan, size + pan)
    else:
        background_mean = rng.uniform(40, 215, size=3)
        background = np.broadcast_to(background_mean, (size, size, 3)).astype(np.float64)
    colours = _distinct_colours(rng, n_objects, background_mean)
    canvas = size  # an object is drawn once at the centre of its own canvas, then warped per frame
    shapes, textures, motions = [], [], []
    for index in range(n_objects):
        radius = float(rng.uniform(0.10, 0.17) if hard else rng.uniform(0.12, 0.2)) * size
        shape = np.zeros((canvas, canvas), np.uint8)
        while not shape.any():
            kind = SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))]
            shape = _draw_shape_at_centre(rng, kind, radius, canvas)
        shapes.append(shape)
        if hard:
            textures.append(_texture(rng, colours[index], canvas, canvas))
        else:
            textures.append(np.broadcast_to(colours[index], (canvas, canvas, 3)).astype(np.float64))
        speed = rng.uniform(1.0, 2.5) if hard else rng.uniform(0.5, 1.2)
        heading = rng.uniform(0, 2 * np.pi)
        # plain: each object keeps to its own horizontal band, so objects never touch
        band = (index + 0.5) / n_objects * size
        start = (
            rng.uniform(radius + 4, size - radius - 4, size=2)
            if hard
            else np.array([rng.uniform(0.3, 0.7) * size, band])
        )
        motions.append(
            _Motion(
                start=start,
                velocity=speed
                * (np.array([np.cos(heading), np.sin(heading)]) if hard else np.array([np.sign(np.cos(heading)), 0.0])),
                wobble=rng.uniform(3, 10, size=2) if hard else np.zeros(2),
                omega=float(rng.uniform(0.15, 0.4)),
                phase=float(rng.uniform(0, 2 * np.pi)),
                spin=float(rng.uniform(-4, 4)) if hard else 0.0,
                stretch=float(rng.uniform(0.05, 0.2)) if hard else 0.0,
            )
        )
    pan_step = rng.uniform(-1.0, 1.0, size=2) if hard else np.zeros(2)
    frames = np.zeros((num_frames, size, size, 3), np.uint8)
    masks = np.zeros((n_objects, num_frames, size, size), bool)
    for t in range(num_frames):
        x0, y0 = (np.clip(pan / 2 + pan_step * t, 0, pan)).astype(int) if hard else (0, 0)
        image = background[y0 : y0 + size, x0 : x0 + size].copy()
        drawn = []
        for shape, texture, motion in zip(shapes, textures, motions, strict=True):
            margin = 0.6 * float(np.sqrt(shape.sum() / np.pi)) + 2
            matrix = motion.affine(t, canvas, size, size, margin)
            mask = cv2.warpAffine(shape, matrix, (size, size), flags=cv2.INTER_NEAREST).astype(bool)
            pixels = cv2.warpAffine(texture.astype(np.float32), matrix, (size, size), flags=cv2.INTER_LINEAR)
            image[mask] = pixels[mask]
            drawn.append(mask)
        if hard:
            image = image + rng.normal(0.0, 3.0, size=image.shape)  # sensor noise, new every frame
        frames[t] = np.clip(image, 0, 255).astype(np.uint8)
        for k, mask in enumerate(drawn):
            later = np.zeros_like(mask)
            for other in drawn[k + 1 :]:
                later |= other
            masks[k, t] = mask & ~later
    return frames, masks


def _draw_shape_at_centre(rng: np.random.Generator, kind: str, radius: float, canvas: int) -> np.ndarray:
    """engine.synthetic's shape, moved so its centroid is the canvas centre."""
    mask = _draw_shape(rng, kind, radius, canvas, canvas)
    if not mask.any():
        return mask
    ys, xs = np.nonzero(mask)
    shift = np.array([[1, 0, canvas / 2 - xs.mean()], [0, 1, canvas / 2 - ys.mean()]], dtype=np.float32)
    return cv2.warpAffine(mask, shift, (canvas, canvas), flags=cv2.INTER_NEAREST)


def _fold(value: float, low: float, high: float) -> float:
    """value reflected into [low, high] (a bounce off each border)."""
    span = max(high - low, 1e-6)
    phase = (value - low) % (2 * span)
    return low + (phase if phase <= span else 2 * span - phase)
