"""How closely every 4th frame of the 24 fps SA-V video matches its annotated frame: PSNR against the
annotated frame as the project stores it (JPEG quality 90 of the source frame, backend/media) and
against the neighbouring source frames, for a video annotated at 6 fps.

    .venv/bin/python scripts/sav_video_psnr.py [VIDEO]   (default ../shared/fixtures/videos/bedroom.mp4)
"""

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine.formats.sav_video import probe_video, sav_frame_sources, write_sav_video

# ../shared beside the repository (or beside the main checkout, from a worktree under /work/wt).
REPO = Path(__file__).resolve().parents[1]
DEFAULT = (
    next((p for p in (REPO.parent / "shared", REPO.parents[1] / "shared") if p.is_dir()), REPO.parent / "shared")
    / "fixtures/videos/bedroom.mp4"
)
src = sys.argv[1] if len(sys.argv) > 1 else str(DEFAULT)
probe = probe_video(src)
step = probe.fps / 6.0
plan = [round(k * step) for k in range(probe.frame_count) if round(k * step) < probe.frame_count]


def decode(p):
    c, out = cv2.VideoCapture(p), []
    while True:
        ok, f = c.read()
        if not ok:
            return out
        out.append(f)


source = decode(src)
with tempfile.TemporaryDirectory() as d:
    out = write_sav_video(src, d + "/v.mp4", sav_frame_sources(plan, probe.frame_count, probe.fps, 6.0))
    frames = decode(d + "/v.mp4")
stored = [cv2.imdecode(cv2.imencode(".jpg", source[p], [cv2.IMWRITE_JPEG_QUALITY, 90])[1], 1) for p in plan]
own = [cv2.PSNR(f, s) for f, s in zip(frames[::4], stored, strict=True)]
nb = [
    max(cv2.PSNR(f, source[p + d]) for d in (-1, 1) if 0 <= p + d < len(source))
    for f, p in zip(frames[::4], plan, strict=True)
]
print(f"source: {probe.fps:g} fps, {probe.frame_count} frames, {probe.width}x{probe.height}")
print(f"SA-V video: {out.frame_count} frames at 24 fps, {len(frames[::4])} after [::4], {len(plan)} annotated")
print(f"PSNR vs stored annotated frame: min {min(own):.1f} dB, mean {np.mean(own):.1f} dB")
print(
    f"PSNR vs neighbouring source frames: max {max(nb):.1f} dB; margin min {min(np.array(own) - np.array(nb)):.1f} dB"
)
