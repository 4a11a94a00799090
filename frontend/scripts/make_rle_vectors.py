"""Writes COCO RLE test vectors from pycocotools for the frontend codec tests.

Each vector holds a random mask (row-major, np.packbits, base64) and what pycocotools says about
it: compressed counts, uncompressed runs, area and bbox. Usage: make_rle_vectors.py OUT.json
"""

import base64
import json
import sys

import numpy as np
from pycocotools import mask as mask_utils


def blobs(rng, h, w, n):
    """Union of random ellipses: masks with long runs, like real objects."""
    yy, xx = np.mgrid[0:h, 0:w]
    m = np.zeros((h, w), bool)
    for _ in range(n):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        ry, rx = rng.uniform(1, h / 2 + 1), rng.uniform(1, w / 2 + 1)
        m |= ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
    return m


def masks(rng):
    yield "1x1 empty", np.zeros((1, 1), bool)
    yield "1x1 full", np.ones((1, 1), bool)
    yield "full 7x5", np.ones((7, 5), bool)
    yield "empty 64x48", np.zeros((64, 48), bool)
    m = np.zeros((6, 4), bool)
    m[0, 0] = True
    yield "first pixel", m
    m = np.zeros((6, 4), bool)
    m[-1, -1] = True
    yield "last pixel", m
    m = np.zeros((9, 11), bool)
    m[:, 3:6] = True
    yield "column band", m
    m = np.zeros((9, 11), bool)
    m[2:4, :] = True
    yield "row band", m
    # Long runs: values that need 5+ chars and negative deltas.
    m = np.zeros((1500, 2000), bool)
    m[-1, -1] = True
    yield "long zeros run", m
    m = np.zeros((1200, 1300), bool)
    m[10:1190, 5:1290] = True
    m[600, 700] = False
    yield "long ones with hole", m
    for i in range(12):
        h, w = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        yield f"noise {i}", rng.random((h, w)) < rng.uniform(0.05, 0.95)
    for i in range(12):
        h, w = int(rng.integers(20, 300)), int(rng.integers(20, 300))
        yield f"blobs {i}", blobs(rng, h, w, int(rng.integers(1, 6)))
    yield "blobs large", blobs(rng, 480, 640, 4)
    # Alternating run lengths so deltas swing between large positive and negative values.
    m = np.zeros((200, 300), bool)
    flat = m.reshape(-1, order="F")
    pos = 0
    for k in range(400):
        length = 3 if k % 2 else int(rng.integers(50, 300))
        if k % 2:
            flat[pos : pos + length] = True
        pos += length
    yield "swinging runs", flat.reshape(200, 300, order="F")


def main(out):
    rng = np.random.default_rng(1234)
    vectors = []
    for name, m in masks(rng):
        h, w = m.shape
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        counts = rle["counts"].decode("ascii")
        # Uncompressed runs, straight from the mask (the reference for stringToRuns).
        flat = m.reshape(-1, order="F").astype(np.int8)
        changes = np.flatnonzero(np.diff(np.concatenate([[0], flat, [1 - flat[-1]]])) != 0)
        runs = np.diff(np.concatenate([[0], changes])).tolist()
        if sum(runs) != h * w:
            runs = runs[:-1] if sum(runs[:-1]) == h * w else runs
        assert sum(runs) == h * w, name
        back = mask_utils.decode(mask_utils.frPyObjects({"size": [h, w], "counts": runs}, h, w))
        assert (back.astype(bool) == m).all(), name
        vectors.append(
            {
                "name": name,
                "height": h,
                "width": w,
                "bits": base64.b64encode(np.packbits(m.reshape(-1)).tobytes()).decode("ascii"),
                "counts": counts,
                "runs": runs,
                "area": int(mask_utils.area(rle)),
                "bbox": [int(v) for v in mask_utils.toBbox(rle)],
            }
        )
    with open(out, "w") as f:
        json.dump({"generator": "pycocotools", "vectors": vectors}, f)
    print(f"wrote {len(vectors)} RLE vectors to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
