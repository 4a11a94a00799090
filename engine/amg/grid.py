"""Where the automatic generator prompts: the regular point grid per crop layer and the crop boxes
of each layer (the whole image, then 2x2, 4x4, ... overlapping crops), as SAM's generator lays them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np


@dataclass(frozen=True)
class CropBox:
    """One crop of the image. box: (x0, y0, x1, y1) in image pixels, x1 / y1 exclusive (the crop is
    image[y0:y1, x0:x1]); layer: 0 for the whole image, i for the (2**i)x(2**i) layer."""

    box: tuple[int, int, int, int]
    layer: int

    @property
    def xywh(self) -> list[float]:
        """The crop as SA-1B's `crop_box`: [x0, y0, x1 - x0, y1 - y0] floats."""
        x0, y0, x1, y1 = self.box
        return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]

    @property
    def area(self) -> int:
        x0, y0, x1, y1 = self.box
        return (x1 - x0) * (y1 - y0)


def point_grid(n_per_side: int) -> np.ndarray:
    """n_per_side**2 points evenly spaced in the unit square, cell centres: float64 Nx2 XY in [0, 1],
    x varying fastest (row by row from the top)."""
    if n_per_side < 1:
        raise ValueError(f"a point grid needs at least 1 point per side, got {n_per_side}")
    half_cell = 1.0 / (2 * n_per_side)
    side = np.linspace(half_cell, 1.0 - half_cell, n_per_side)
    xs = np.tile(side[None, :], (n_per_side, 1))
    ys = np.tile(side[:, None], (1, n_per_side))
    return np.stack([xs, ys], axis=-1).reshape(-1, 2)


def layer_point_grids(n_per_side: int, n_layers: int, downscale_factor: int) -> list[np.ndarray]:
    """One unit-square grid per crop layer 0..n_layers; layer i has int(n_per_side / factor**i)
    points per side. Raises ValueError when a layer would get no points."""
    grids = []
    for layer in range(n_layers + 1):
        n_points = int(n_per_side / (downscale_factor**layer))
        if n_points < 1:
            raise ValueError(
                f"crop layer {layer} gets no points: {n_per_side} points per side / "
                f"{downscale_factor}**{layer}; lower crop_n_layers or crop_n_points_downscale_factor"
            )
        grids.append(point_grid(n_points))
    return grids


def crop_boxes(image_size: tuple[int, int], n_layers: int, overlap_ratio: float) -> list[CropBox]:
    """The whole image, then for layer i = 1..n_layers a (2**i)x(2**i) grid of crops overlapping by
    int(overlap_ratio * short_side * 2 / 2**i) pixels. image_size: (h, w). Order: the whole image
    first, then layer by layer, crops column by column (x outer, y inner)."""
    height, width = image_size
    short_side = min(height, width)
    boxes = [CropBox((0, 0, width, height), 0)]
    for layer in range(1, n_layers + 1):
        n_crops = 2**layer
        overlap = int(overlap_ratio * short_side * (2 / n_crops))
        crop_w = math.ceil((overlap * (n_crops - 1) + width) / n_crops)
        crop_h = math.ceil((overlap * (n_crops - 1) + height) / n_crops)
        x_starts = [int((crop_w - overlap) * i) for i in range(n_crops)]
        y_starts = [int((crop_h - overlap) * i) for i in range(n_crops)]
        for x0, y0 in product(x_starts, y_starts):
            boxes.append(CropBox((x0, y0, min(x0 + crop_w, width), min(y0 + crop_h, height)), layer))
    return boxes
