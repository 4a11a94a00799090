"""Decoding a 1080x1920 mask's COCO RLE in the browser (frontend/src/core/rle.ts, bundled with esbuild,
in headless Chromium) against pycocotools' C decode of the same counts in Python, both measured in
this run. Checks that both decodes agree pixel for pixel, then prints median milliseconds and the ratio.

Needs /usr/bin/chromium; installs frontend/node_modules (npm ci) if missing.
Run: python bench/bench_frontend_rle.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright
from pycocotools import mask as coco_mask

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.bench_rle import HEIGHT, WIDTH, scene_mask  # noqa: E402  (the same mask as the numpy codec bench)

FRONTEND = REPO / "frontend"
REPEATS = 50
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def bundle_codec() -> str:
    """src/core/rle.ts as one IIFE script exposing `window.rle`."""
    esbuild = FRONTEND / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():  # install the locked packages the way build.sh does
        subprocess.run(["bash", "-c", "source ./env.sh && ensure_node_modules"], cwd=FRONTEND, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rle.js"
        subprocess.run(
            [str(esbuild), "src/core/rle.ts", "--bundle", "--format=iife", "--global-name=rle", f"--outfile={out}"],
            cwd=FRONTEND,
            check=True,
            capture_output=True,
        )
        return out.read_text()


BROWSER_BENCH = """({counts, size, repeats}) => {
  const rle = {size, counts};
  window.rle.decode(rle);  // warm up the JIT
  window.rle.decode(rle);
  const times = [];
  let area = 0;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const mask = window.rle.decode(rle);
    times.push(performance.now() - start);
    if (i === 0) { for (let j = 0; j < mask.data.length; j++) area += mask.data[j]; }
  }
  times.sort((a, b) => a - b);
  // The decoded mask's row-major bytes, hashed cheaply, to compare with numpy's.
  const mask = window.rle.decode(rle);
  let hash = 0;
  for (let j = 0; j < mask.data.length; j++) if (mask.data[j]) hash = (hash * 31 + j) % 1000000007;
  return {median: times[Math.floor(times.length / 2)], area, hash};
}"""


def main() -> None:
    mask = scene_mask()
    encoded = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    counts = encoded["counts"].decode("ascii")

    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        decoded = coco_mask.decode(encoded)
        times.append((time.perf_counter() - start) * 1000)
    python_ms = statistics.median(times)
    assert (decoded.astype(bool) == mask).all()
    ones = np.flatnonzero(mask.reshape(-1))
    expected_hash = 0
    for j in ones.tolist():
        expected_hash = (expected_hash * 31 + j) % 1000000007

    script = bundle_codec()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<!doctype html><title>rle bench</title>")
        page.add_script_tag(content=script)
        result = page.evaluate(BROWSER_BENCH, {"counts": counts, "size": [HEIGHT, WIDTH], "repeats": REPEATS})
        user_agent = page.evaluate("navigator.userAgent")
        browser.close()

    if result["area"] != int(mask.sum()) or result["hash"] != expected_hash:
        sys.exit(f"browser decode disagrees with pycocotools: {result} vs area {int(mask.sum())}")
    browser_ms = result["median"]
    print(
        json.dumps(
            {
                "mask": f"{HEIGHT}x{WIDTH}",
                "area": int(mask.sum()),
                "counts_chars": len(counts),
                "repeats": REPEATS,
                "browser": user_agent.split(" ")[-2] if " " in user_agent else user_agent,
            }
        )
    )
    print(f"pycocotools decode (C, Python): median {python_ms:.2f} ms")
    print(f"frontend rle.ts decode (Chromium): median {browser_ms:.2f} ms")
    print(f"ratio browser / pycocotools: {browser_ms / python_ms:.2f}x")


if __name__ == "__main__":
    main()
