"""Benchmark, measured in the browser: the time from a click on the annotator's canvas to the
candidate masks drawn, against the server's own decode time for the same request (the API's
decode_ms) — the ratio shows what HTTP, JSON, RLE decoding and drawing add to the model.

Runs the app as `make run` does (manage.py run_embedded: SQLite, filesystem broker, a worker) in a
temporary folder, with the classical backend (what serves with no checkpoint), on the real photo
../shared/fixtures/images/dog.jpg when present (a generated scene otherwise), in headless Chromium:
    .venv/bin/python bench/bench_click_to_mask.py [--clicks 12]
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHOTO = REPO.parent / "shared" / "fixtures" / "images" / "dog.jpg"
CLICKS = [(0.38, 0.62), (0.45, 0.75), (0.62, 0.2), (0.8, 0.5), (0.25, 0.3), (0.55, 0.55)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, payload=None, headers=None, body=None, content_type="application/json"):
    data = body if body is not None else (json.dumps(payload).encode() if payload is not None else None)
    request = urllib.request.Request(
        url, data=data, headers={**({"Content-Type": content_type} if data else {}), **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def image_bytes() -> tuple[str, bytes]:
    if PHOTO.is_file():
        return PHOTO.name, PHOTO.read_bytes()
    sys.path.insert(0, str(REPO))
    from PIL import Image

    from engine.synthetic import make_scene

    pixels, _ = make_scene(seed=3, height=534, width=800, n_shapes=5)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return "scene.png", buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=12)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="bench-click-")
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_URL", "MODEL")
    }
    env.update(
        {
            "VAR_DIR": var,
            "MODEL": "classical",
            "DJANGO_SUPERUSER_USERNAME": "bench",
            "DJANGO_SUPERUSER_PASSWORD": "bench-pass-123",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "backend/manage.py", "run_embedded", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=open(Path(var) / "server.log", "w"),  # noqa: SIM115 - the server keeps writing after this call
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if call(f"{base}/api/health/")["status"] == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.2)
        token = call(f"{base}/api/auth/token/", {"username": "bench", "password": "bench-pass-123"})["token"]
        auth = {"Authorization": f"Token {token}"}
        project = call(f"{base}/api/projects/", {"name": "bench", "categories": ["thing"]}, auth)
        name, data = image_bytes()
        boundary = "bench-boundary"
        body = (
            (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n').encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        image = call(
            f"{base}/api/projects/{project['id']}/images/",
            headers=auth,
            body=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )[0]
        for _ in range(600):
            if call(f"{base}/api/images/{image['id']}/", headers=auth)["embedding_status"] == "ready":
                break
            time.sleep(0.2)
        drawn, decoded = measure(base, token, image, args.clicks)
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
    click_ms, decode_ms = statistics.median(drawn), statistics.median(decoded)
    print(f"image {name} {image['width']}x{image['height']}, classical backend, {len(drawn)} clicks, headless Chromium")
    print(
        f"click -> candidates drawn: median {click_ms:.1f} ms, p95 {sorted(drawn)[int(0.95 * (len(drawn) - 1))]:.1f} ms"
    )
    print(f"server decode (decode_ms): median {decode_ms:.1f} ms")
    print(f"ratio click-to-drawn / server decode: {click_ms / decode_ms:.2f}x")


def measure(base: str, token: str, image: dict, clicks: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    drawn, decoded = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/login")
        page.evaluate("t => localStorage.setItem('segdata.token', t)", token)
        page.goto(f"{base}/images/{image['id']}")
        page.wait_for_function(
            "document.querySelector('canvas.annotation-canvas')?.dataset.view !== undefined", timeout=60_000
        )
        page.on(
            "response",
            lambda r: (
                decoded.append(r.json()["decode_ms"]) if r.url.endswith("/predict/") and r.status == 200 else None
            ),
        )
        page.evaluate("""() => {
            document.addEventListener('pointerdown', () => { window.__clickAt = performance.now(); }, true);
            new MutationObserver(() => {
                if (document.querySelector('[data-testid=candidate-1]') && window.__clickAt && !window.__drawnAt)
                    requestAnimationFrame(() => { window.__drawnAt = performance.now(); });
            }).observe(document.body, {childList: true, subtree: true});
        }""")
        box = page.locator("canvas.annotation-canvas").bounding_box()
        scale, offset_x, offset_y = (
            float(v) for v in page.eval_on_selector("canvas.annotation-canvas", "c => c.dataset.view").split()
        )
        for index in range(clicks):
            fx, fy = CLICKS[index % len(CLICKS)]
            page.evaluate("() => { window.__clickAt = 0; window.__drawnAt = 0; }")
            page.mouse.click(
                box["x"] + offset_x + fx * image["width"] * scale, box["y"] + offset_y + fy * image["height"] * scale
            )
            page.wait_for_function("window.__drawnAt > 0", timeout=60_000)
            drawn.append(page.evaluate("window.__drawnAt - window.__clickAt"))
            page.keyboard.press("Control+z")
            page.wait_for_selector("[data-testid=candidates]", state="detached")
        browser.close()
    return drawn[1:], decoded[1:]  # the first click warms the server's caches


if __name__ == "__main__":
    main()
