"""The weight-free fallback segmenter: OpenCV GrabCut seeded by clicks and/or a box, run on a
downscaled copy of the image so one call stays interactive on a CPU. Clicks alone go through
models.classical_click (object-sized regions grown around the click); boxes and mask feedback seed
GrabCut directly."""

from __future__ import annotations

import cv2
import numpy as np

from models.classical_click import border_share, click_candidates
from models.protocol import LOW_RES_SIZE, Embedding, Prediction, check_embedding, validate_image, validate_prompts

# grabcut-2: clicks alone grow colour-coherent regions (models.classical_click); grabcut-1 seeded
# GrabCut with a disc around the click. An embedding is tied to the version that made it.
ALGORITHM_VERSIONS = {"regions": "grabcut-2", "disc": "grabcut-1"}


class GrabCutSegmenter:
    """GrabCut behind `ImageSegmenter`. `embed` keeps a copy of the image downscaled so its long
    side is at most `working_side` pixels (stored as 1x3xhxw float16, exact for uint8 values).

    `predict` with clicks alone returns [the object, a part, a larger region] (see
    models.classical_click; distinct masks, the object scored highest). With a box or mask_input it
    runs GrabCut on a crop around the prompts, growing the crop once when the object reaches its
    edge, and returns the connected part under the positive clicks (holes filled), the same before
    hole filling, and everything GrabCut kept; scored by colour contrast across the boundary.
    click_seeding "disc" restores grabcut-1's clicks (a disc seed), the benchmarks' baseline.
    """

    name = "classical"

    def __init__(self, *, working_side: int = 320, iterations: int = 3, click_seeding: str = "regions"):
        if working_side < 32:
            raise ValueError(f"working_side must be >= 32, got {working_side}")
        if click_seeding not in ALGORITHM_VERSIONS:
            raise ValueError(f"click_seeding must be one of {sorted(ALGORITHM_VERSIONS)}, got {click_seeding!r}")
        self.working_side = working_side
        self.iterations = iterations
        self.click_seeding = click_seeding
        self.version = f"classical:{ALGORITHM_VERSIONS[click_seeding]}@{working_side}"

    def embed(self, image: np.ndarray) -> Embedding:
        """image: HxWx3 uint8 RGB. Keeps a copy with long side <= working_side (area resampling)."""
        validate_image(image)
        h, w = image.shape[:2]
        scale = min(1.0, self.working_side / max(h, w))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = image if scale == 1.0 else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        return Embedding(
            backend=self.name,
            model_version=self.version,
            original_size=(h, w),
            input_size=(int(small.shape[0]), int(small.shape[1])),
            features=small.transpose(2, 0, 1)[None].astype(np.float16),
        )

    def predict(self, embedding, points=None, labels=None, box=None, mask_input=None, multimask=True) -> Prediction:
        """points: Nx2 XY in original image pixels; labels: N, 1 positive / 0 negative; box: XYXY in
        original pixels; mask_input: 1x256x256 logits, used as a soft prior (pixels > 0 probably
        foreground). Returns 3 candidates (multimask; duplicates possible with a box) or the best one."""
        check_embedding(embedding, self.name, self.version)
        prompts = validate_prompts(embedding.original_size, points, labels, box, mask_input)
        image = np.ascontiguousarray(np.asarray(embedding.features[0]).transpose(1, 2, 0).astype(np.uint8))
        h_small, w_small = image.shape[:2]
        h, w = embedding.original_size
        scale = np.array([w_small / w, h_small / h], dtype=np.float32)
        points_small = None if prompts.points is None else prompts.points * scale
        box_small = None if prompts.box is None else prompts.box * np.tile(scale, 2)
        prior = None
        if prompts.mask_input is not None:
            prior = cv2.resize(prompts.mask_input[0], (w_small, h_small), interpolation=cv2.INTER_LINEAR) > 0
        labels = prompts.labels
        clicks_alone = box_small is None and prior is None
        if (
            clicks_alone
            and points_small is not None
            and labels is not None
            and 1 in labels
            and self.click_seeding == "regions"
        ):
            found = click_candidates(image, points_small, labels)  # [object, part, larger]
            object_score = self._click_score(image, found[0])
            # The alternatives score at most half the object's: the object stays the best, and the
            # automatic generator's score threshold keeps one mask per object.
            scored = [(object_score, found[0])]
            scored += [(min(self._click_score(image, m), 0.5 * object_score), m) for m in found[1:]]
        else:
            candidates = self._segment(image, points_small, prompts.labels, box_small, prior)
            scored = [(self._score(image, c), c) for c in candidates]
        if not multimask:
            scored = [max(scored, key=lambda item: item[0])]
        masks_small = np.stack([c for _, c in scored])
        masks = np.stack([_resize_mask(m, (h, w)) for m in masks_small])
        low_res = np.stack([_low_res_logits(m) for m in masks_small])
        return Prediction(
            masks=masks, scores=np.array([s for s, _ in scored], dtype=np.float32), low_res_logits=low_res
        )

    def _segment(self, image, points, labels, box, prior) -> list[np.ndarray]:
        h, w = image.shape[:2]
        radius = 0.25 * max(h, w)
        for _attempt in range(2):
            roi = _region_of_interest(points, labels, box, prior, radius, h, w)
            grabcut_mask = self._grabcut(image, roi, points, labels, box, prior)
            x0, y0, x1, y1 = roi
            kept = np.zeros((h, w), dtype=bool)
            kept[y0:y1, x0:x1] = (grabcut_mask == cv2.GC_FGD) | (grabcut_mask == cv2.GC_PR_FGD)
            if box is not None or not _touches_inner_edge(kept, roi, h, w):
                break
            radius *= 2.0
        return _candidates(kept, points, labels)

    def _grabcut(self, image, roi, points, labels, box, prior) -> np.ndarray:
        x0, y0, x1, y1 = roi
        crop = np.ascontiguousarray(image[y0:y1, x0:x1, ::-1])  # GrabCut is colour-space agnostic; BGR by habit
        seeds = np.full(crop.shape[:2], cv2.GC_PR_BGD, dtype=np.uint8)
        offset = np.array([x0, y0], dtype=np.float32)
        if box is not None:
            seeds[:] = cv2.GC_BGD
            bx0, by0, bx1, by1 = (np.asarray(box) - np.tile(offset, 2)).round().astype(int)
            seeds[max(by0, 0) : by1 + 1, max(bx0, 0) : bx1 + 1] = cv2.GC_PR_FGD
        else:
            # The crop's own border is background unless it is the image border.
            ring = np.zeros_like(seeds, dtype=bool)
            ring[:2, :], ring[-2:, :], ring[:, :2], ring[:, -2:] = (
                y0 > 0,
                y1 < image.shape[0],
                x0 > 0,
                x1 < image.shape[1],
            )
            seeds[ring] = cv2.GC_BGD
        if prior is not None:
            seeds[prior[y0:y1, x0:x1] & (seeds != cv2.GC_BGD)] = cv2.GC_PR_FGD
        side = max(image.shape[:2])
        if points is not None:
            for (x, y), label in zip(points - offset, labels, strict=False):
                centre = (round(x), round(y))
                if label == 1:
                    cv2.circle(seeds, centre, max(4, int(0.04 * side)), cv2.GC_PR_FGD, thickness=-1)
                    cv2.circle(seeds, centre, max(2, int(0.012 * side)), cv2.GC_FGD, thickness=-1)
                else:
                    cv2.circle(seeds, centre, max(2, int(0.012 * side)), cv2.GC_BGD, thickness=-1)
        has_fg = np.any((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD))
        has_bg = np.any((seeds == cv2.GC_BGD) | (seeds == cv2.GC_PR_BGD))
        if not (has_fg and has_bg):
            return seeds  # GrabCut needs both models; the seeds are the answer
        background_model = np.zeros((1, 65), np.float64)
        foreground_model = np.zeros((1, 65), np.float64)
        # GrabCut seeds its colour models with k-means++ from OpenCV's thread RNG: fix it so the same
        # prompts always give the same masks.
        cv2.setRNGSeed(0)
        no_rect = (0, 0, 0, 0)  # ignored when initialising from the mask
        cv2.grabCut(crop, seeds, no_rect, background_model, foreground_model, self.iterations, cv2.GC_INIT_WITH_MASK)
        return seeds

    @classmethod
    def _click_score(cls, image: np.ndarray, mask: np.ndarray) -> float:
        """Contrast, discounted by the share of the image border the mask runs along: a click on
        the background grows a region that contrasts with the objects in it, yet is no object."""
        return cls._score(image, mask) * (1.0 - border_share(mask))

    @staticmethod
    def _score(image: np.ndarray, mask: np.ndarray) -> float:
        """Colour contrast between thin bands just inside and just outside the mask boundary."""
        if not mask.any() or mask.all():
            return 0.0
        kernel = np.ones((5, 5), np.uint8)
        mask_u8 = mask.astype(np.uint8)
        inner = mask & ~cv2.erode(mask_u8, kernel).astype(bool)
        outer = cv2.dilate(mask_u8, kernel).astype(bool) & ~mask
        if not inner.any() or not outer.any():
            return 0.0
        pixels = image.astype(np.float32)
        contrast = np.linalg.norm(pixels[inner].mean(0) - pixels[outer].mean(0))
        spread = pixels[inner].std(0).mean() + pixels[outer].std(0).mean() + 1.0
        return float(np.clip(contrast / (contrast + spread), 0.0, 1.0))


def _region_of_interest(points, labels, box, prior, radius, h, w) -> tuple[int, int, int, int]:
    """Crop (x0, y0, x1, y1) in working pixels: the box plus 10%, else the positive clicks (and the
    prior mask) plus `radius`."""
    if box is not None:
        bx0, by0, bx1, by1 = box
        margin = 0.1 * max(bx1 - bx0, by1 - by0) + 4
        extent = np.array([bx0 - margin, by0 - margin, bx1 + margin, by1 + margin])
    else:
        anchors = [] if points is None else [points[labels == 1]]
        if prior is not None and prior.any():
            ys, xs = np.nonzero(prior)
            anchors.append(np.array([[xs.min(), ys.min()], [xs.max(), ys.max()]], dtype=np.float32))
        anchors = [a for a in anchors if len(a)]
        if not anchors:  # only negative clicks: nothing to grow from, use the whole image
            return 0, 0, w, h
        stacked = np.concatenate(anchors)
        extent = np.concatenate([stacked.min(0) - radius, stacked.max(0) + radius])
    x0, y0 = max(0, int(np.floor(extent[0]))), max(0, int(np.floor(extent[1])))
    x1, y1 = min(w, int(np.ceil(extent[2])) + 1), min(h, int(np.ceil(extent[3])) + 1)
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def _touches_inner_edge(kept: np.ndarray, roi, h: int, w: int) -> bool:
    """Whether the mask reaches a crop edge that is not also the image edge (object cut off)."""
    x0, y0, x1, y1 = roi
    band = 3
    edges = []
    if x0 > 0:
        edges.append(kept[y0:y1, x0 : x0 + band])
    if y0 > 0:
        edges.append(kept[y0 : y0 + band, x0:x1])
    if x1 < w:
        edges.append(kept[y0:y1, x1 - band : x1])
    if y1 < h:
        edges.append(kept[y1 - band : y1, x0:x1])
    return any(edge.any() for edge in edges)


def _candidates(kept: np.ndarray, points, labels) -> list[np.ndarray]:
    """[component under the positive clicks with holes filled, the same unfilled, all kept pixels]."""
    count, components = cv2.connectedComponents(kept.astype(np.uint8), connectivity=8)
    selected = np.zeros_like(kept)
    if points is not None:
        for (x, y), label in zip(points, labels, strict=False):
            yy = int(np.clip(round(y), 0, kept.shape[0] - 1))
            xx = int(np.clip(round(x), 0, kept.shape[1] - 1))
            if label == 1 and components[yy, xx] > 0:
                selected |= components == components[yy, xx]
    if not selected.any() and count > 1:  # box-only prompt, or clicks on background: largest part
        areas = np.bincount(components.ravel())[1:]
        selected = components == (1 + int(np.argmax(areas)))
    return [_fill_holes(selected), selected, kept]


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(mask.shape, dtype=np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return filled.astype(bool)


def _resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = size
    if mask.shape == (h, w):
        return mask.copy()
    return cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5


def _low_res_logits(mask: np.ndarray) -> np.ndarray:
    """A 256x256 logit map (+/-8) of a mask, the image stretched to the square (this backend's own
    frame, unlike SAM's padded one), so it can be fed back as `mask_input`."""
    soft = cv2.resize(mask.astype(np.float32), (LOW_RES_SIZE, LOW_RES_SIZE), interpolation=cv2.INTER_AREA)
    return ((soft - 0.5) * 16.0).astype(np.float32)
