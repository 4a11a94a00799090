"""The load test's deployment on this machine: a PostgreSQL database of its own (created and dropped),
a Redis key prefix, a media folder, a tiny SAM in the official checkpoint format, gunicorn with
backend/config/gunicorn.conf.py (ASGI, uvicorn workers, as deployed; or WSGI with gthread) and one
Celery worker; and the data the crowd works on."""

from __future__ import annotations

import hashlib
import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.scale.environment import REPO, configure, create_database, drop_database, setup_django

PICTURES = 24  # distinct pictures the worker embeds; image rows beyond them reuse their pixels


@dataclass
class Crowd:
    project_id: int
    tokens: list[str]  # one API token per annotator, index = annotator number
    shared_masks: list[int]  # masks several people edit at once
    image_size: tuple[int, int]  # (height, width) of every image
    model_version: str


def environment(name: str, web_workers: int, web_threads: int, wsgi: bool = False) -> dict[str, str]:
    """Point this process and its children at the benchmark's own services and the tiny SAM.
    Persistent database connections only under WSGI: under ASGI every request runs on a thread of
    its own, and a connection kept per thread is never reused or closed (they pile up until
    PostgreSQL refuses clients), so ASGI processes take connections from a pool of their own
    (DATABASE_POOL_SIZE), as docker-compose's web service does."""
    from tests.processes import tiny_sam_env

    settings = configure(name)
    model = tiny_sam_env(Path(settings["VAR_DIR"]) / "checkpoints")
    production = {
        "DEBUG": "0",  # DEBUG keeps every query in memory: production settings, as deployed
        "SECRET_KEY": "bench-load-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_CONN_MAX_AGE": "600" if wsgi else "0",
        "DATABASE_POOL_SIZE": "0" if wsgi else "12",  # ASGI: a pool per process (settings.py)
        "SERVER_TIMING": "1",
        "MODEL_ALLOW_UNVERIFIED": "1",  # the tiny SAM has random weights
        "WEB_WORKERS": str(web_workers),
        "WEB_THREADS": str(web_threads),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LOG_LEVEL": "WARNING",
        "TQDM_DISABLE": "1",
    }
    os.environ.update({**model, **production})
    return {**settings, **model, **production}


def start(name: str) -> None:
    create_database(name)
    setup_django()


def stop(name: str) -> None:
    drop_database(name)


def web_and_worker(log_folder: Path, wsgi: bool = False):
    """gunicorn (config file: warm workers, keep-alive) and one worker on queues gpu and cpu. As
    deployed: ASGI with uvicorn workers (each request on a thread of its own); wsgi: the gthread
    worker with WEB_THREADS threads."""
    from tests.processes import Service, free_port, worker_service

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "backend/config/gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}"]
    env = dict(os.environ)
    if wsgi:
        env["WEB_WORKER_CLASS"] = "gthread"
    command.append("backend.config.wsgi:application" if wsgi else "backend.config.asgi:application")
    web = Service("web", command, env, log_folder / "web.log")
    worker = worker_service(dict(os.environ), log_folder, queues="gpu,cpu")
    return web, worker, f"http://127.0.0.1:{port}"


def _picture(seed: int, height: int, width: int) -> bytes:
    from PIL import Image as PilImage

    from engine.synthetic import make_scene

    pixels, _ = make_scene(seed, height, width, n_shapes=5)
    out = io.BytesIO()
    PilImage.fromarray(pixels).save(out, format="JPEG", quality=85)
    return out.getvalue()


def seed(annotators: int, images: int, shared: int, height: int = 480, width: int = 640) -> Crowd:
    """A manager, `annotators` annotators with tokens, an image project with `images` images whose
    embeddings the worker computes (PICTURES distinct pictures; the other rows reuse their pixels,
    stored embedding included, under a sha256 of their own), and `shared` masks on one more image
    that several annotators edit at once."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from backend.annotations.models import Mask
    from backend.inference.models import Embedding
    from backend.inference.runtime import serving_decoder
    from backend.inference.services import embedding_schedule
    from backend.media.models import Image
    from backend.media.storage import media_key, store_bytes
    from backend.projects.models import Membership, Project
    from engine import rle as rle_ops
    from engine.synthetic import make_scene

    users = get_user_model()
    manager = users.objects.create_user("bench-manager", password="x" * 12)
    project = Project.objects.create(name="load", kind=Project.Kind.IMAGE, created_by=manager)
    Membership.objects.create(project=project, user=manager, role="manager")
    people = [users.objects.create_user(f"annotator-{k:02d}", password="x" * 12) for k in range(annotators)]
    Membership.objects.bulk_create(Membership(project=project, user=p, role="annotator") for p in people)
    tokens = [Token.objects.create(user=p).key for p in people]

    pictures = []
    for k in range(PICTURES):
        data = _picture(k, height, width)
        digest = hashlib.sha256(data).hexdigest()
        pictures.append((digest, store_bytes(media_key("images", digest, "jpg"), data), len(data)))
    rows = []
    for k in range(images + 1):
        digest, key, size = pictures[k % PICTURES]
        own = digest if k < PICTURES else hashlib.sha256(f"{digest}:{k}".encode()).hexdigest()
        rows.append(
            Image(
                project=project,
                sha256=own,
                storage_key=key,
                file_name=f"{k}.jpg",
                format="jpeg",
                size_bytes=size,
                width=width,
                height=height,
                created_by=manager,
            )
        )
    Image.objects.bulk_create(rows)
    version = serving_decoder(project).version
    originals = list(Image.objects.filter(project=project).order_by("id")[:PICTURES])
    for image in originals:
        embedding_schedule(image=image, user=manager)
    deadline = time.monotonic() + 600
    while Embedding.objects.filter(sha256__in=[i.sha256 for i in originals], status="ready").count() < PICTURES:
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not embed the pictures within 10 minutes")
        time.sleep(0.5)
    stored = dict(Embedding.objects.filter(status="ready").values_list("sha256", "storage_key"))
    everyone = list(Image.objects.filter(project=project).order_by("id"))
    Embedding.objects.bulk_create(
        Embedding(
            sha256=image.sha256,
            model_version=version,
            status="ready",
            storage_key=stored[pictures[k % PICTURES][0]],
            size_bytes=1,
        )
        for k, image in enumerate(everyone)
        if k >= PICTURES
    )
    # The shared masks sit on the last image, which `next` never hands out (it is decided).
    board = everyone[-1]
    from backend.work.models import ItemDecision

    ItemDecision.objects.create(
        project=project, image=board, decision=ItemDecision.Decision.COMPLETE, decided_by=manager
    )
    _, shapes = make_scene(999, height, width, n_shapes=max(shared, 1))
    masks = [
        Mask.objects.create(
            image=board,
            rle=rle_ops.encode(shape),
            area=int(shape.sum()),
            bbox=rle_ops.bbox_coco(rle_ops.encode(shape)),
            created_by=manager,
        )
        for shape in shapes[:shared]
    ]
    return Crowd(project.pk, tokens, [m.pk for m in masks], (height, width), version)
