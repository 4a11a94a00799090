"""Clicks without weights: the object under a click is the most stable of the nested colour-coherent
regions grown around it, refined by GrabCut; a smaller and a larger region are the alternatives.

Why: GrabCut seeded by a small disc learns its foreground colours from a few pixels and its
background from the rest of the crop, the object included, so on real photos it keeps a dot. A region
grown in a perceptual colour space (Lab, lightness down-weighted so that shading does not split an
object) gives GrabCut an object-sized seed. As the colour tolerance rises the region around the click
grows in steps: it stays put while it fills a coherent part and jumps when it leaks through a weak
edge. The tolerance over which the area changes least (the idea of MSER) marks the object's edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LEVELS = np.arange(2.0, 90.0, 2.0)  # colour tolerances (Lab units, lightness weighted) of the nested regions
LIGHTNESS_WEIGHT = 0.5  # shading changes lightness far more than hue: count it half
STABILITY_WINDOW = 3  # levels on each side over which a region's growth is measured
STABILITY_STEP = 0.15  # growth rates closer than this are a tie, and the smaller region wins
MIN_AREA, MAX_AREA = 0.001, 0.5  # an object covers this share of the image
MAX_BORDER = 0.3  # a region along more than this share of the image border is background, not an object
DISTINCT_IOU = 0.9  # alternatives overlapping the object more than this are replaced
GRABCUT_PIXELS = 16_000  # GrabCut runs on at most this many pixels (about 130x130): it stays interactive


@dataclass(frozen=True)
class _Levels:
    """The region around the positive clicks at each tolerance of LEVELS, with what selection needs."""

    regions: list[np.ndarray]
    areas: np.ndarray
    stability: np.ndarray  # relative growth of the area around each level; small = stable
    eligible: np.ndarray  # object-sized, off the image border, no negative click inside
    clean: np.ndarray  # no negative click inside


def click_candidates(
    image: np.ndarray, points: np.ndarray, labels: np.ndarray, *, iterations: int = 2
) -> list[np.ndarray]:
    """Three distinct bool masks [object, part, larger] for clicks on `image`.

    image: hxwx3 uint8 RGB at the working size; points: Nx2 XY in its pixels; labels: N, 1 positive
    / 0 negative, at least one positive. Every candidate contains the positive clicks; negative
    clicks stay outside the object.
    """
    h, w = image.shape[:2]
    positives = _pixels(points[labels == 1], h, w)
    negatives = _pixels(points[labels == 0], h, w)
    if len(positives) == 0:
        raise ValueError("click_candidates needs at least one positive click")
    levels = _grow(image, positives, negatives)
    total = float(h * w)
    eligible = np.flatnonzero(levels.eligible)
    if len(eligible) == 0:  # nothing object-sized: the smallest clean level, else the clicks alone
        eligible = np.flatnonzero(levels.clean & (levels.areas > 0))[:1]
    if len(eligible):
        chosen = min(eligible, key=lambda i: (round(float(levels.stability[i]) / STABILITY_STEP), levels.areas[i]))
        seed_region = _fill_holes(levels.regions[chosen])
    else:
        seed_region = _discs(positives, h, w, max(2, int(0.02 * max(h, w))))
    refined = _refine(image, seed_region, negatives, iterations)
    obj = _keep_clicked(refined, positives)
    if not obj.any():
        obj = seed_region
    object_area = float(obj.sum())

    smaller = [i for i in range(len(LEVELS)) if MIN_AREA * total <= levels.areas[i] * 1.5 < object_area]
    larger = [
        i
        for i in range(len(LEVELS))
        if levels.clean[i] and 1.5 * object_area < levels.areas[i] <= min(MAX_AREA * total, 4 * object_area)
    ]
    part = _fill_holes(levels.regions[_most_stable(levels, smaller)]) if smaller else None
    whole = _fill_holes(levels.regions[_most_stable(levels, larger)]) | obj if larger else None
    if part is None or _iou(part, obj) > DISTINCT_IOU:
        part = _core_part(obj, positives)
    if whole is None or _iou(whole, obj) > DISTINCT_IOU:
        whole = _with_margin(obj)
    return [obj, part, whole]


def _pixels(points: np.ndarray, h: int, w: int) -> np.ndarray:
    """Click coordinates (XY, continuous) as integer pixel indices inside the image."""
    if len(points) == 0:
        return np.zeros((0, 2), dtype=int)
    return np.clip(np.floor(points).astype(int), 0, [w - 1, h - 1])


def _grow(image: np.ndarray, positives: np.ndarray, negatives: np.ndarray) -> _Levels:
    smooth = cv2.bilateralFilter(image, 7, 25, 5)  # flattens texture, keeps edges
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2Lab).astype(np.float32)
    lab[..., 0] *= LIGHTNESS_WEIGHT
    h, w = image.shape[:2]
    distance = np.full((h, w), np.inf, dtype=np.float32)
    for x, y in positives:
        patch = lab[max(y - 2, 0) : y + 3, max(x - 2, 0) : x + 3].reshape(-1, 3)
        distance = np.minimum(distance, np.linalg.norm(lab - np.median(patch, axis=0), axis=2))
    regions, areas, border, clean = [], [], [], []
    for tolerance in LEVELS:
        _, components = cv2.connectedComponents((distance < tolerance).astype(np.uint8), connectivity=4)
        clicked = np.unique(components[positives[:, 1], positives[:, 0]])
        region = np.isin(components, clicked[clicked > 0])
        regions.append(region)
        areas.append(float(region.sum()))
        border.append(border_share(region))
        clean.append(not region[negatives[:, 1], negatives[:, 0]].any() if len(negatives) else True)
    area_array = np.array(areas)
    n = len(LEVELS)
    stability = np.array(
        [
            (area_array[min(i + STABILITY_WINDOW, n - 1)] - area_array[max(i - STABILITY_WINDOW, 0)])
            / max(area_array[i], 1.0)
            for i in range(n)
        ]
    )
    clean_array = np.array(clean)
    sized = (area_array >= MIN_AREA * h * w) & (area_array <= MAX_AREA * h * w)
    eligible = sized & (np.array(border) <= MAX_BORDER) & clean_array
    return _Levels(regions, area_array, stability, eligible, clean_array)


def _most_stable(levels: _Levels, indices: list[int]) -> int:
    return min(indices, key=lambda i: float(levels.stability[i]))


def _refine(image: np.ndarray, region: np.ndarray, negatives: np.ndarray, iterations: int) -> np.ndarray:
    """GrabCut on a crop around `region` (a quarter of its size as margin): the region's core is
    foreground, its rim probable foreground, the rest probable background, the crop's inner edges
    and negative clicks background."""
    h, w = region.shape
    ys, xs = np.nonzero(region)
    size = max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
    margin = 0.25 * size + 4
    x0, y0 = int(max(0, xs.min() - margin)), int(max(0, ys.min() - margin))
    x1, y1 = int(min(w, xs.max() + margin + 1)), int(min(h, ys.max() + margin + 1))
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    inside = region[y0:y1, x0:x1].astype(np.uint8)
    rim = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * max(1, int(0.03 * size)) + 1,) * 2)
    seeds = np.full(inside.shape, cv2.GC_PR_BGD, dtype=np.uint8)
    seeds[cv2.dilate(inside, rim) > 0] = cv2.GC_PR_FGD
    seeds[cv2.erode(inside, rim) > 0] = cv2.GC_FGD
    if y0 > 0:
        seeds[:2, :] = cv2.GC_BGD
    if y1 < h:
        seeds[-2:, :] = cv2.GC_BGD
    if x0 > 0:
        seeds[:, :2] = cv2.GC_BGD
    if x1 < w:
        seeds[:, -2:] = cv2.GC_BGD
    for x, y in negatives:
        cv2.circle(seeds, (int(x) - x0, int(y) - y0), max(2, int(0.012 * max(h, w))), cv2.GC_BGD, thickness=-1)
    kept = np.zeros((h, w), dtype=bool)
    if not ((seeds == cv2.GC_BGD) | (seeds == cv2.GC_PR_BGD)).any():
        kept[y0:y1, x0:x1] = inside > 0
        return kept
    kept[y0:y1, x0:x1] = _grabcut(crop, seeds, iterations)
    return kept


def _grabcut(crop: np.ndarray, seeds: np.ndarray, iterations: int) -> np.ndarray:
    """GrabCut from seeds, on a copy shrunk to GRABCUT_PIXELS when the crop is larger (its cost grows
    with the pixel count; the mask comes back to the crop's size)."""
    h, w = seeds.shape
    shrink = min(1.0, float(np.sqrt(GRABCUT_PIXELS / (h * w))))
    if shrink < 1.0:
        size = (max(1, round(w * shrink)), max(1, round(h * shrink)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        seeds = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means++ draws from OpenCV's RNG: same prompts, same masks
    no_rect = (0, 0, 0, 0)  # ignored when initialising from the mask
    cv2.grabCut(crop, seeds, no_rect, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
    kept = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.float32)
    if shrink < 1.0:
        kept = cv2.resize(kept, (w, h), interpolation=cv2.INTER_LINEAR)
    return kept > 0.5


def _keep_clicked(mask: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """The connected parts of `mask` under a positive click, holes filled."""
    _, components = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    clicked = np.unique(components[positives[:, 1], positives[:, 0]])
    return _fill_holes(np.isin(components, clicked[clicked > 0]))


def _core_part(obj: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """A part of the object around the clicks: within half its equivalent radius of a click."""
    h, w = obj.shape
    radius = max(2, int(0.5 * np.sqrt(obj.sum() / np.pi)))
    discs = _discs(positives, h, w, radius)
    part = obj & discs
    return part if part.any() else discs


def _with_margin(obj: np.ndarray) -> np.ndarray:
    """The object with a margin of a fifth of its equivalent radius (no larger coherent region exists)."""
    radius = max(2, int(0.2 * np.sqrt(obj.sum() / np.pi)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(obj.astype(np.uint8), kernel) > 0


def _discs(centres: np.ndarray, h: int, w: int, radius: int) -> np.ndarray:
    canvas = np.zeros((h, w), dtype=np.uint8)
    for x, y in centres:
        cv2.circle(canvas, (int(x), int(y)), radius, 1, thickness=-1)
    return canvas > 0


def border_share(mask: np.ndarray) -> float:
    """Share of the image's border pixels that the mask covers."""
    return float(np.concatenate([mask[0], mask[-1], mask[1:-1, 0], mask[1:-1, -1]]).mean())


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(mask.shape, dtype=np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return filled.astype(bool)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))
