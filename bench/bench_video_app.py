"""Benchmark of interactive video through the app against the bare SAM2VideoPredictor, in one run, on
the same tiny SAM 2 network (256 px input, 1 torch thread) and generated video (2 objects); the bare
predictor's runs alternate with the app's, in the same process as the app's client, so a load that
moves on a shared machine moves both:

- click -> that frame's mask visible to a client: the app's time from POSTing the click to the
  masks event arriving on the session's event stream (a real HTTP client reading the server-sent
  events), against the bare predictor's add_new_points_or_box;
- click -> first propagated frame visible: from the first click through the second object's click
  and the propagation to frame 1 on the stream, against the bare predictor's two clicks and
  propagate_in_video up to frame 1. The client sends the three operations as the page's queue does
  (each request once the one before is accepted, what was made meanwhile together), in three ways
  (--send): all three made at once (one request), the first alone and the other two made while it
  was on its way (two requests), or one by one (three requests);
- propagation frames per second as the client sees them stream (frame 1 to the last frame), against
  the bare predictor's frame 1 to its last frame;
- peak resident memory of a session over a 2,000-frame generated 256 px video against a 200-frame
  one (the worker's code path in a process of its own per length).

Each app deployment runs its own processes, as in production: the web server (gunicorn with a
uvicorn worker, ASGI) and a Celery worker (solo pool), on
- embedded: SQLite, the filesystem broker, local files, the Unix-socket event bus (no servers);
- redis: PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), the Redis event bus.

    nice -n 10 .venv/bin/python bench/bench_video_app.py [--frames 48] [--repeats 3]
        [--deployments embedded,redis] [--rss-frames 200,2000] [--send together,queued,one-by-one]
        [--timeline]
"""

import argparse
import http.client
import json
import os
import queue
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.load.report import database_cpu_seconds, process_cpu_seconds  # noqa: E402 (after the path)

os.environ["TQDM_DISABLE"] = "1"  # sam2's progress bars would be timed and printed

SIZE = 256
CLICKS = {1: [[60.0, 80.0]], 2: [[170.0, 150.0]]}  # one positive click per object on frame 0


def write_video(folder: Path, n_frames: int, width: int = SIZE, height: int = SIZE) -> None:
    """A red disc moving right and a green box moving down over a ramp, as JPEG frames."""
    import numpy as np
    from PIL import Image

    ramp = np.linspace(40, 160, width, dtype=np.float32)[None, :, None].repeat(height, 0).repeat(3, 2)
    yy, xx = np.mgrid[:height, :width]
    for t in range(n_frames):
        frame = ramp.copy()
        frame[(xx - (60 + 3 * t % 120)) ** 2 + (yy - 80) ** 2 <= 400] = (220, 40, 40)
        frame[130 + t % 40 : 175 + t % 40, 150:195] = (40, 200, 60)
        Image.fromarray(frame.astype(np.uint8)).save(folder / f"{t:05d}.jpg", quality=90)


def bench_env(var: Path, checkpoints: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL")}
    env.update(
        {
            "VAR_DIR": str(var),
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "backend.config.settings",
            "MODEL": "classical",
            "VIDEO_MODEL": "sam2:tiny",
            "MODEL_CHECKPOINT_DIR": str(checkpoints),
            "VIDEO_IMAGE_SIZE": str(SIZE),
            "MODEL_ALLOW_UNVERIFIED": "1",  # the tiny random network times the app; it is never served to people
            "MODEL_AUTO_FETCH": "0",
            "TQDM_DISABLE": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    return env


# --- the bare predictor ------------------------------------------------------------------------


def run_bare(network, folder: Path, n_frames: int) -> dict:
    state = network.init_state(str(folder))  # reads every frame and computes frame 0's features
    started = time.perf_counter()
    click = None
    for obj_id, points in CLICKS.items():
        network.add_new_points_or_box(state, 0, obj_id, points=points, labels=[1])
        click = click or time.perf_counter() - started
    stream = network.propagate_in_video(state)
    next(stream)  # frame 0 is the prompted frame itself
    next(stream)
    frame_1 = time.perf_counter()
    first = frame_1 - started
    cpu = time.process_time()
    for _ in stream:
        pass
    fps = (n_frames - 2) / (time.perf_counter() - frame_1)
    cpu_ms = {"bare": (time.process_time() - cpu) * 1000 / (n_frames - 2)}
    return {"click_ms": click * 1000, "accepted_ms": 0.0, "first_ms": first * 1000, "fps": fps, "cpu_ms": cpu_ms}


# --- a client of the app -------------------------------------------------------------------------


class EventStream:
    """A session's server-sent events read on a thread, each with its arrival time."""

    def __init__(self, port: int, token: str, session_id: int):
        self.events: queue.Queue = queue.Queue()
        self.seen: list[tuple[float, dict]] = []  # (arrival, event) as next() went through them
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.connection.request(
            "GET",
            f"/api/video-sessions/{session_id}/events/",
            headers={"Authorization": f"Token {token}", "Accept": "text/event-stream"},
        )
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next(lambda e: e["type"] == "hello")

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode()
                if line.startswith("data: "):
                    self.events.put((time.perf_counter(), json.loads(line[6:])))
        except (OSError, ValueError, AttributeError):  # closed by close()
            pass

    def next(self, predicate, timeout: float = 300) -> float:
        """The arrival time of the next event for which predicate(event) holds."""
        deadline = time.monotonic() + timeout
        while True:
            at, event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            self.seen.append((at, event))
            if predicate(event):
                return at

    def close(self) -> None:
        self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()


def has_frame(obj_id: int | None, frame: int):
    def check(event: dict) -> bool:
        return event["type"] == "masks" and any(
            f["frame"] == frame and (obj_id is None or f["object_id"] == obj_id) for f in event["frames"]
        )

    return check


def job_done(job_id: int):
    def check(event: dict) -> bool:
        if event["type"] == "job" and event["job"]["id"] == job_id and event["job"]["state"] != "running":
            assert event["job"]["state"] == "succeeded", event
            return True
        return False

    return check


def post(port: int, token: str, path: str, body: dict | None = None) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(
        "POST",
        path,
        body=json.dumps(body or {}),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    answer = connection.getresponse()
    data = json.loads(answer.read())
    assert answer.status in (200, 201, 202), (answer.status, data)
    return data


# How the client sends its three operations (click object 1, click object 2, propagate): each
# group is one request, sent once the request before it is accepted (its 202), as the page's queue
# does; the session's worker applies them in order.
SENDS = {
    "together": [[0, 1, 2]],  # made at once: one request
    "queued": [[0], [1, 2]],  # made while the first request is on its way: they go together next
    "one-by-one": [[0], [1], [2]],
}


def run_app_once(port: int, token: str, project, folder: Path, n_frames: int, send: str = "together", cpu=dict) -> dict:
    from backend.jobs.models import Job

    video = make_video(project, folder, n_frames)
    session = post(port, token, f"/api/videos/{video.pk}/session/")
    stream = EventStream(port, token, session["id"])
    warm = Job.objects.filter(kind="video_warm", subject_id=session["id"])
    while warm.exclude(state__in=["succeeded", "failed", "cancelled"]).exists():  # set-up, not timed
        time.sleep(0.05)
    base = f"/api/video-sessions/{session['id']}"
    operations = [
        {"op": "prompt", "frame": 0, "obj_id": obj_id, "points": points, "labels": [1]}
        for obj_id, points in CLICKS.items()
    ] + [{"op": "propagate", "start": 0, "direction": "forward"}]
    started = time.perf_counter()
    accepted = None
    answered = []  # (time the 202 arrived, what was sent)
    for group in SENDS[send]:
        if len(group) == 1:  # alone: the endpoint of its kind, as the page sends it
            body = dict(operations[group[0]])
            path = "prompts" if body.pop("op") == "prompt" else "propagate"
            jobs = [post(port, token, f"{base}/{path}/", body)]
        else:
            jobs = post(port, token, f"{base}/operations/", {"operations": [operations[i] for i in group]})["jobs"]
        accepted = accepted or time.perf_counter() - started
        names = ", ".join(f"{job['kind'].removeprefix('video_')} (job {job['id']})" for job in jobs)
        answered.append((time.perf_counter(), f"202 {names}"))
    job = jobs[-1]
    first_obj = next(iter(CLICKS))
    click = stream.next(has_frame(first_obj, 0)) - started
    frame_1 = stream.next(has_frame(None, 1))
    cpu_at_1 = cpu()
    last = stream.next(has_frame(None, n_frames - 1))
    cpu_at_last = cpu()
    stream.next(job_done(job["id"]))
    stream.close()
    timeline = sorted(answered + [(at, describe(event)) for at, event in stream.seen if at <= frame_1])
    return {
        "click_ms": click * 1000,
        "accepted_ms": accepted * 1000,
        "first_ms": (frame_1 - started) * 1000,
        "fps": (n_frames - 2) / (last - frame_1),
        "cpu_ms": {name: (cpu_at_last[name] - cpu_at_1[name]) * 1000 / (n_frames - 2) for name in cpu_at_1},
        "timeline": [(round((at - started) * 1000, 1), what) for at, what in timeline],
    }


def describe(event: dict) -> str:
    if event["type"] == "masks":
        return "masks " + ", ".join(f"obj {f['object_id']} frame {f['frame']}" for f in event["frames"][:4])
    if event["type"] == "job":
        return f"job {event['job']['id']} {event['job']['kind']} {event['job']['state']}"
    return event["type"]


def make_video(project, folder: Path, n_frames: int):
    from backend.media.models import Frame, Video
    from backend.media.storage import store_bytes

    video = Video.objects.create(
        project=project,
        sha256=uuid.uuid4().hex * 2,
        storage_key="none",
        format="mp4",
        size_bytes=0,
        width=SIZE,
        height=SIZE,
        fps=6.0,
        frame_count=n_frames,
        duration=n_frames / 6,
        annotation_fps=6.0,
    )
    frames = []
    for index in range(n_frames):
        key = store_bytes(f"bench/{video.pk}/{index:05d}.jpg", (folder / f"{index:05d}.jpg").read_bytes())
        frames.append(Frame(video=video, index=index, source_index=index, timestamp=index / 6, storage_key=key))
    Frame.objects.bulk_create(frames)
    return video


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deployment_child(name: str, folder: Path, n_frames: int, repeats: int, checkpoints: Path, sends: list[str]) -> None:
    """Runs in its own process: set up one deployment, its web and worker processes, and measure."""
    import django

    django.setup()
    import torch
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from backend.projects.services import project_create
    from models.checkpoints import TEST_CHECKPOINTS
    from models.registry import load_tracker

    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    network = load_tracker("sam2:tiny", checkpoints / TEST_CHECKPOINTS["sam2:tiny"].file_name, image_size=SIZE).network
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:6]}", password="x")
    token = Token.objects.create(user=user).key
    project = project_create(user=user, name=f"bench-{name}", kind="video")
    port = free_port()
    logs = Path(os.environ["VAR_DIR"]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    web = [python, "-m", "gunicorn", "backend.config.asgi:application", "--bind", f"127.0.0.1:{port}"]
    web += ["--worker-class", "uvicorn_worker.UvicornWorker", "--workers", "1", "--timeout", "120"]
    worker = [python, "-m", "celery", "-A", "backend.config", "worker", "-Q", "gpu,cpu,train", "-c", "1"]
    worker += ["--pool", "solo", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle"]
    processes = [
        subprocess.Popen(argv, cwd=REPO, stdout=(logs / f"{i}.log").open("w"), stderr=subprocess.STDOUT)
        for i, argv in enumerate([web, worker])
    ]
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        run_app_once(port, token, project, folder, n_frames)  # the worker loads the network
        database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1] if name == "redis" else None

        def cpu() -> dict[str, float]:  # CPU seconds so far of each process of the deployment
            seconds = {"worker": process_cpu_seconds(processes[1].pid), "web": process_cpu_seconds(processes[0].pid)}
            seconds["client"] = sum(os.times()[:2])
            if database:
                seconds["database"] = database_cpu_seconds(database)
            return seconds

        bare, app = [], {send: [] for send in sends}
        for _ in range(repeats):  # interleaved: the machine's load moves all of them the same way
            bare.append(run_bare(network, folder, n_frames))
            for send in sends:
                app[send].append(run_app_once(port, token, project, folder, n_frames, send, cpu))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    print(json.dumps({"bare": _medians(bare), "app": {send: _medians(runs) for send, runs in app.items()}}))


def _medians(runs: list[dict]) -> dict:
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0] if key not in ("timeline", "cpu_ms")}
    medians["cpu_ms"] = {name: statistics.median(r["cpu_ms"][name] for r in runs) for name in runs[0]["cpu_ms"]}
    if "timeline" in runs[0]:  # the run whose frame 1 came at the median, event by event (--timeline)
        medians["timeline"] = sorted(runs, key=lambda r: r["first_ms"])[len(runs) // 2]["timeline"]
    return medians


def rss_child(n_frames: int, folder: Path) -> None:
    """Runs in its own process: a session over `n_frames` through the worker's code path (frames read
    from storage, one object clicked on frame 0, a forward pass over every frame, masks stored)."""
    import django

    django.setup()
    from django.core.management import call_command

    from backend.inference.tasks import video_prompt, video_propagate
    from backend.inference.video import current_tracker
    from backend.inference.video_services import prompt_add, propagate_schedule, session_open
    from backend.jobs.services import job_run
    from backend.projects.services import project_create

    call_command("migrate", verbosity=0)
    current_tracker()
    project = project_create(user=None, name="rss", kind="video")
    video = make_video(project, folder, n_frames)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    session = session_open(video)
    _, job = prompt_add(session=session, user=None, kind="points", frame=0, obj_id=1, points=CLICKS[1], labels=[1])
    job_run(job.pk, video_prompt.work, worker="bench")
    job = propagate_schedule(session=session, user=None, start=0, direction="forward")
    assert job_run(job.pk, video_propagate.work, worker="bench").state == "succeeded"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_mb": before / 1024, "peak_mb": peak / 1024}))


def child(argv: list[str], env: dict[str, str]) -> list | dict:
    done = subprocess.run(
        [sys.executable, __file__, *argv], env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description="interactive video through the app vs bare SAM 2")
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--deployments", default="embedded,redis")
    parser.add_argument("--rss-frames", default="200,2000")
    parser.add_argument(
        "--send",
        default="together,queued,one-by-one",
        help=f"how the client sends its click, click and propagation, each measured: {', '.join(SENDS)}",
    )
    parser.add_argument(
        "--timeline", action="store_true", help="print the median app run's requests and events up to frame 1"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoints", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sends = args.send.split(",")
        return deployment_child(args.child, Path(args.folder), args.frames, args.repeats, Path(args.checkpoints), sends)
    if args.rss_child:
        return rss_child(args.rss_child, Path(args.folder))

    from models.checkpoints import TEST_CHECKPOINTS
    from models.tiny import save_tiny_sam2

    root = Path(tempfile.mkdtemp(prefix="bench-video-app-"))
    checkpoints = root / "checkpoints"
    checkpoints.mkdir()
    save_tiny_sam2(checkpoints / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    folder = root / "frames"
    folder.mkdir()
    write_video(folder, args.frames)
    rows = []
    for name in args.deployments.split(","):
        env = bench_env(root / name, checkpoints)
        if name == "redis":
            env["DATABASE_URL"] = postgres_database(f"bench_video_{os.getpid()}")
            env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/14"
            env["CELERY_KEY_PREFIX"] = f"bench-{uuid.uuid4().hex[:6]}:"
            # As docker-compose.yml runs it: DEBUG off, a pool of connections per process (no pgbouncer).
            env.update(DEBUG="0", SECRET_KEY="bench-" + "x" * 40, SECURE_SSL_REDIRECT="0", DATABASE_POOL_SIZE="8")
            env["DATABASE_CONN_HEALTH_CHECKS"] = "1"
        argv = ["--child", name, "--folder", str(folder), "--frames", str(args.frames)]
        argv += ["--repeats", str(args.repeats), "--checkpoints", str(checkpoints), "--send", args.send]
        measured = child(argv, env)
        rows.append((f"bare ({name})", measured["bare"], None))
        rows += [(f"app {name} {send}", row, measured["bare"]) for send, row in measured["app"].items()]

    print(
        f"video: {args.frames} frames {SIZE}x{SIZE}, 2 objects, tiny SAM 2.1 at {SIZE} px, 1 torch thread, "
        f"median of {args.repeats}; app = web (ASGI) + worker processes, timed by a client of the event stream"
    )
    print(
        "sends: together = the three operations in one request; queued = the first click alone, the second"
        " click and the propagation (made while it was on its way) together once it is accepted;"
        " one-by-one = each once the one before is accepted"
    )
    print(
        f"{'path':<30}{'propagation fps':>16}{'vs bare':>9}{'click -> mask ms':>18}{'(202 ms)':>10}"
        f"{'click -> frame 1 ms':>21}{'vs bare':>9}"
    )
    for name, row, bare_row in rows:  # each deployment's bare runs interleaved with its app runs
        if bare_row is None:
            print(f"{name:<30}{row['fps']:>16.1f}{'':>9}{row['click_ms']:>18.1f}{'':>10}{row['first_ms']:>21.1f}")
            continue
        cost = f"{100 * (bare_row['fps'] / row['fps'] - 1):+.1f}%"
        late = f"{row['first_ms'] - bare_row['first_ms']:+.0f} ms"
        print(
            f"{name:<30}{row['fps']:>16.1f}{cost:>9}{row['click_ms']:>18.1f}{row['accepted_ms']:>10.1f}"
            f"{row['first_ms']:>21.1f}{late:>9}"
        )
    print("goals: propagation at most +15% time per frame; clicks at most bare + 60 ms on Redis")
    print("CPU ms per propagated frame (frame 1 to the last, medians; the client's share includes its event reader):")
    for name, row, _ in rows:
        shares = ", ".join(f"{process} {ms:.1f}" for process, ms in row["cpu_ms"].items())
        print(f"  {name:<30}{sum(row['cpu_ms'].values()):6.1f}  ({shares})")
    if args.timeline:
        for name, row, bare_row in rows:
            if bare_row is not None:
                print(f"{name}: the median run up to frame 1 (ms since the first operation was sent)")
                for at, what in row["timeline"]:
                    print(f"  {at:8.1f}  {what}")

    if args.rss_frames:
        peaks = {}
        for n in (int(v) for v in args.rss_frames.split(",")):
            frames = root / f"rss-{n}"
            frames.mkdir()
            write_video(frames, n)
            env = bench_env(root / f"rss-var-{n}", checkpoints)
            peaks[n] = child(["--rss-child", str(n), "--folder", str(frames)], env)
        small, large = sorted(peaks)
        print(f"session peak RSS (embedded, worker code path, one object, forward pass over every {SIZE} px frame):")
        for n in (small, large):
            p = peaks[n]
            print(
                f"  {n:>5} frames: {p['peak_mb']:.0f} MB peak ({p['peak_mb'] - p['before_mb']:+.0f} MB over the loaded process)"
            )
        print(
            f"  ratio {large} / {small}: {peaks[large]['peak_mb'] / peaks[small]['peak_mb']:.2f}x (goal: within 1.3x)"
        )


if __name__ == "__main__":
    main()
