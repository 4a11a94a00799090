"""Benchmark of video propagation through the app against the bare SAM2VideoPredictor, on the same
tiny SAM 2 network and generated video (frames at 256 px, 2 objects):

1. propagation frames per second through the app's code path (the worker's task: the session's
   stored operations, the lazy storage frame source, masks encoded and written to the database
   frame by frame, progress and cancel checks) against the bare predictor; goal: at most 15% slower;
2. the time from a click to the first propagated frame visible to the page (the click's job, the
   propagation job, the page's poll of the masklets endpoint finding frame 1).

Embedded default (SQLite, local files) in a temporary folder; no server processes needed:
    .venv/bin/python bench/bench_video_app.py [--frames 24] [--repeats 3]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
VAR = tempfile.mkdtemp(prefix="bench-video-app-")
for key in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL", "S3_ENDPOINT_URL"):
    os.environ.pop(key, None)
CHECKPOINTS = Path(VAR) / "checkpoints"
os.environ.update(
    {
        "VAR_DIR": VAR,
        "DJANGO_SETTINGS_MODULE": "backend.config.settings",
        "DEBUG": "1",
        "MODEL": "classical",
        "VIDEO_MODEL": "sam2:tiny",
        "MODEL_CHECKPOINT_DIR": str(CHECKPOINTS),
        "VIDEO_IMAGE_SIZE": "256",
        "MODEL_ALLOW_UNVERIFIED": "1",  # the tiny random network times the app; it is never served to people
        "MODEL_AUTO_FETCH": "0",
        "TQDM_DISABLE": "1",
    }
)

import django  # noqa: E402

django.setup()

import torch  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.bench_propagation import CLICKS, HEIGHT, WIDTH, run_bare, write_video  # noqa: E402
from models.checkpoints import TEST_CHECKPOINTS  # noqa: E402
from models.registry import load_tracker  # noqa: E402
from models.tiny import save_tiny_sam2  # noqa: E402


def make_video(folder: Path, n_frames: int):
    from backend.media.models import Frame, Video
    from backend.media.storage import store_bytes
    from backend.projects.services import project_create

    project = project_create(user=None, name=f"bench-{n_frames}-{time.time_ns()}", kind="video")
    video = Video.objects.create(
        project=project,
        sha256=f"{time.time_ns():064d}"[-64:],
        storage_key="none",
        format="mp4",
        size_bytes=0,
        width=WIDTH,
        height=HEIGHT,
        fps=6.0,
        frame_count=n_frames,
        duration=n_frames / 6,
        annotation_fps=6.0,
    )
    for index in range(n_frames):
        key = store_bytes(f"bench/{video.pk}/{index:05d}.jpg", (folder / f"{index:05d}.jpg").read_bytes())
        Frame.objects.create(video=video, index=index, source_index=index, timestamp=index / 6, storage_key=key)
    return video


def run_app(video, n_frames: int) -> tuple[float, float]:
    """(click-to-first-propagated-frame seconds, propagation fps) through the app's services and tasks."""
    from backend.annotations.models import MaskletFrame
    from backend.inference.tasks import video_prompt, video_propagate
    from backend.inference.video import registry
    from backend.inference.video_services import prompt_add, propagate_schedule, session_open
    from backend.jobs.services import job_run

    registry.clear()
    session = session_open(video)
    started = time.perf_counter()
    for obj_id, points in CLICKS.items():
        _, job = prompt_add(
            session=session, user=None, kind="points", frame=0, obj_id=obj_id, points=points, labels=[1]
        )
        job_run(job.pk, video_prompt.work, worker="bench")
    job = propagate_schedule(session=session, user=None, start=0, direction="forward")
    worker = threading.Thread(target=job_run, args=(job.pk, video_propagate.work), kwargs={"worker": "bench"})
    propagation_started = time.perf_counter()
    worker.start()
    while not MaskletFrame.objects.filter(masklet__video=video, frame_index=1).exists():  # the page's poll
        time.sleep(0.005)
    first = time.perf_counter() - started
    worker.join()
    fps = (n_frames - 1) / (time.perf_counter() - propagation_started)
    return first, fps


def main() -> None:
    parser = argparse.ArgumentParser(description="video propagation through the app vs bare SAM 2")
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    call_command("migrate", verbosity=0)
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    path = save_tiny_sam2(CHECKPOINTS / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    bare_network = load_tracker("sam2:tiny", path, image_size=256).network
    folder = Path(VAR) / "frames"
    folder.mkdir()
    write_video(folder, args.frames)
    bare, app = [], []
    for _ in range(args.repeats):
        _, bare_first, bare_fps = run_bare(bare_network, folder)
        bare.append((bare_first, bare_fps))
        app.append(run_app(make_video(folder, args.frames), args.frames))
    bare_first, bare_fps = (statistics.median(v) for v in zip(*bare, strict=False))
    app_first, app_fps = (statistics.median(v) for v in zip(*app, strict=False))
    print(
        f"video: {args.frames} frames {WIDTH}x{HEIGHT}, 2 objects, tiny SAM 2.1 at 256 px, 1 torch thread, "
        f"median of {args.repeats}"
    )
    print(f"{'path':<6}{'propagation fps':>17}{'click -> first frame ms':>26}")
    print(f"{'bare':<6}{bare_fps:>17.1f}{bare_first * 1000:>26.1f}")
    print(f"{'app':<6}{app_fps:>17.1f}{app_first * 1000:>26.1f}")
    print(f"app cost over bare propagation: {100 * (bare_fps / app_fps - 1):+.1f}% time per frame (goal: at most +15%)")


if __name__ == "__main__":
    main()
