"""Benchmark of the image loop through the app, each figure against a baseline in the same run:

1. HTTP predict latency (real HTTP to a server thread, token auth, embedding cached) against the
   bare decoder call on the same embedding, for a ViT-B-sized SAM decoder, torch and onnxruntime
   (median and p95; goal: the HTTP path adds at most 30%).
2. Time from opening an image whose embedding was precomputed (image detail + pixels + first
   predict, embedding cold in this process) to its first mask.
3. Embeddings per minute through the worker's code path (read from storage, encode, float16, store)
   against bare `embed` calls, with SAM 2.1 hiera-t (random weights: speed does not depend on them).
4. COCO export: masks per second, and peak Python memory at N and 10N masks.

Runs on the embedded default (SQLite, local storage) in a temporary folder:
    .venv/bin/python bench/bench_image_loop.py [--runs 40] [--masks 2000]
"""

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
VAR = tempfile.mkdtemp(prefix="bench-image-loop-")
for key in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL", "S3_ENDPOINT_URL"):
    os.environ.pop(key, None)
os.environ.update(
    {"VAR_DIR": VAR, "DJANGO_SETTINGS_MODULE": "backend.config.settings", "DEBUG": "1", "MODEL": "classical"}
)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from PIL import Image as PILImage  # noqa: E402

from bench.bench_decoder import VIT_B_DECODER  # noqa: E402
from models.protocol import Embedding  # noqa: E402
from models.registry import LoadedModel  # noqa: E402
from models.sam import SamSegmenter, build_sam_network  # noqa: E402


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve() -> tuple[ThreadedWSGIServer, int]:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def install(segmenter) -> None:
    from backend.inference import runtime

    runtime.install_model(LoadedModel(segmenter, "bench", segmenter.version, None))


def setup_project():
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from backend.projects.services import project_create

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    project = project_create(user=user, name="bench", categories=["thing"])
    return user, project, Token.objects.create(user=user).key


def add_image(project, user, seed: int, size=(534, 800)):
    from backend.media.services import media_ingest

    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    PILImage.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(buffer, "JPEG", quality=90)
    buffer.seek(0)
    [(image, _)] = media_ingest(project=project, uploads=[(buffer, f"bench-{seed}.jpg")], user=user)
    return image


def store_embedding(image, features: Embedding) -> None:
    from backend.inference.models import Embedding as Row
    from backend.inference.services import embedding_key
    from backend.media.storage import store_bytes

    payload = features.to_bytes()
    key = store_bytes(embedding_key(image.sha256, features.model_version), payload, overwrite=True)
    Row.objects.update_or_create(
        sha256=image.sha256,
        model_version=features.model_version,
        defaults={"status": "ready", "storage_key": key, "size_bytes": len(payload)},
    )


def http_predict_ms(port: int, token: str, image_id: int, runs: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"points": [[400.0, 267.0]], "labels": [1], "multimask": True})
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    samples = []
    for i in range(runs + 5):
        started = time.perf_counter()
        connection.request("POST", f"/api/images/{image_id}/predict/", body, headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"predict answered {response.status}: {payload[:300]!r}")
        if i >= 5:
            samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return samples


def bare_predict_ms(segmenter, features: Embedding, runs: int) -> list[float]:
    click, label = np.array([[400.0, 267.0]]), np.array([1])
    samples = []
    for i in range(runs + 5):
        started = time.perf_counter()
        segmenter.predict(features, click, label, multimask=True)
        if i >= 5:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_predict(project, user, token, port, runs) -> None:
    torch.manual_seed(0)
    network = build_sam_network(VIT_B_DECODER)
    print(f"\n1. predict latency, ViT-B-sized decoder (256-d, 64x64 embedding), image 800x534, {runs} runs")
    print(
        f"   {'decoder':<12}{'bare median':>12}{'bare p95':>10}{'HTTP median':>13}{'HTTP p95':>10}{'ratio (median)':>16}"
    )
    image = add_image(project, user, seed=1)
    rng = np.random.default_rng(0)
    for decoder in ("torch", "onnx"):
        segmenter = SamSegmenter(network, f"bench:vitb-decoder-{decoder}", decoder=decoder)
        install(segmenter)
        features = Embedding(
            "sam", segmenter.version, (534, 800), (683, 1024), rng.standard_normal((1, 256, 64, 64)).astype(np.float32)
        )
        store_embedding(image, features)
        http_predict_ms(port, token, image.pk, 3)  # loads the embedding into the LRU
        from backend.inference.runtime import embedding_cache

        cached = embedding_cache.get((image.sha256, segmenter.version))
        bare, over_http = [], []
        for _ in range(runs // 5):  # interleaved, so load changes on the machine hit both alike
            bare += bare_predict_ms(segmenter, cached, 5)
            over_http += http_predict_ms(port, token, image.pk, 5)
        (bm, bp), (hm, hp) = stats(bare), stats(over_http)
        print(f"   {decoder:<12}{bm:>10.1f}ms{bp:>8.1f}ms{hm:>11.1f}ms{hp:>8.1f}ms{hm / bm:>15.2f}x")
    return network, image


def bench_open_to_first_mask(project, user, token, port, network) -> None:
    from backend.inference.runtime import embedding_cache

    segmenter = SamSegmenter(network, "bench:vitb-decoder-open", decoder="torch")
    install(segmenter)
    rng = np.random.default_rng(1)
    samples = []
    for seed in range(10, 15):
        image = add_image(project, user, seed=seed)
        store_embedding(
            image,
            Embedding(
                "sam",
                segmenter.version,
                (534, 800),
                (683, 1024),
                rng.standard_normal((1, 256, 64, 64)).astype(np.float32),
            ),
        )
        embedding_cache.clear()  # precomputed by a worker, never seen by this web process
        connection = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        connection.request("GET", f"/api/images/{image.pk}/", headers=headers)
        detail = json.loads(connection.getresponse().read())
        connection.request("GET", detail["file_url"], headers=headers)
        connection.getresponse().read()
        connection.request(
            "POST", f"/api/images/{image.pk}/predict/", json.dumps({"points": [[10, 10]], "labels": [1]}), headers
        )
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200
        connection.close()
    bare = bare_predict_ms(segmenter, embedding_cache.get((image.sha256, segmenter.version)), 10)
    print("\n2. open an image with a precomputed embedding -> first mask (detail + pixels + predict, cold LRU)")
    print(
        f"   median {statistics.median(samples):.1f} ms over {len(samples)} images; bare decoder median "
        f"{statistics.median(bare):.1f} ms; ratio {statistics.median(samples) / statistics.median(bare):.2f}x"
    )


def bench_embeddings(project, user, count: int) -> None:
    from backend.inference.services import embedding_compute
    from backend.media.pixels import image_rgb
    from models.sam2 import Sam2Segmenter, build_sam2_network

    torch.manual_seed(0)
    segmenter = Sam2Segmenter(build_sam2_network("hiera_t"), "bench:sam2-hiera-t-random")
    install(segmenter)
    images = [add_image(project, user, seed=100 + i) for i in range(count)]
    segmenter.embed(image_rgb(images[0]))  # warm-up
    started = time.perf_counter()
    for image in images:
        segmenter.embed(image_rgb(image))
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for image in images:
        embedding_compute(image=image)
    app = time.perf_counter() - started
    print(f"\n3. embeddings per minute, SAM 2.1 hiera-t at 1024 on this machine ({count} images of 800x534)")
    print(
        f"   bare embed: {60 * count / bare:.1f}/min; app path (storage read, encode, float16, store): "
        f"{60 * count / app:.1f}/min; ratio app/bare time {app / bare:.2f}x"
    )


def bench_export(project, user, n_masks: int) -> None:
    from backend.annotations.models import Mask
    from backend.exports.services import export_to_path
    from engine import rle as rle_ops

    image = add_image(project, user, seed=999, size=(480, 640))
    rng = np.random.default_rng(5)
    print("\n4. COCO export (streamed), masks per second and peak Python memory")
    results = []
    for n in (n_masks, 10 * n_masks):
        Mask.objects.all().delete()
        masks = []
        for _i in range(n):
            mask = np.zeros((480, 640), bool)
            y, x = rng.integers(0, 400), rng.integers(0, 560)
            mask[y : y + rng.integers(5, 80), x : x + rng.integers(5, 80)] = True
            rle = rle_ops.encode(mask)
            masks.append(Mask(image=image, rle=rle, area=rle_ops.area(rle), bbox=rle_ops.bbox_coco(rle), source="auto"))
        Mask.objects.bulk_create(masks, batch_size=2000)
        del masks
        out = Path(VAR) / f"export-{n}.json"
        started = time.perf_counter()
        counts = export_to_path(project, "coco", str(out))
        seconds = time.perf_counter() - started
        tracemalloc.start()
        export_to_path(project, "coco", str(out))
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        results.append((n, counts["annotations"], seconds, peak, out.stat().st_size / 1e6))
    for _n, written, seconds, peak, size in results:
        print(f"   {written:>7} masks: {written / seconds:>8.0f} masks/s, peak {peak:6.1f} MB, file {size:6.1f} MB")
    print(f"   peak memory ratio at 10x the masks: {results[1][3] / results[0][3]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description="image loop benchmark")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--masks", type=int, default=2000)
    parser.add_argument("--embeddings", type=int, default=3)
    args = parser.parse_args()
    torch.set_flush_denormal(True)
    user, project, token = setup_project()
    server, port = serve()
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, threads {torch.get_num_threads()}")
    network, _ = bench_predict(project, user, token, port, args.runs)
    bench_open_to_first_mask(project, user, token, port, network)
    bench_embeddings(project, user, args.embeddings)
    bench_export(project, user, args.masks)
    server.shutdown()


if __name__ == "__main__":
    main()
