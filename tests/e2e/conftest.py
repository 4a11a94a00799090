"""Browser tests: the built app (frontend/dist) served by pytest-django's live server, driven by
headless Chromium through Playwright, against the real API, database and a Celery worker."""

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from engine.synthetic import make_scene

REPO = Path(__file__).resolve().parents[2]
DIST_INDEX = REPO / "frontend" / "dist" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-output" / "e2e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous calls, so Django's async guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class RequestsInFlight:
    """Requests the live server is still handling. Closing a browser context does not stop a view
    the server is running for one of its requests; a view still reading when the test's database is
    flushed can deadlock the flush (its statement holds one table while TRUNCATE holds another: seen
    in a CI run, which then left the test's rows behind for the next test). The page fixture waits
    for these to end before the flush. Counted around Django's WSGI handler, which the live server
    runs for every request: a view is done with the database once the handler returns (an event
    stream's body, sent later, holds no database connection)."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def install(self):
        from django.core.handlers.wsgi import WSGIHandler

        original, tracker = WSGIHandler.__call__, self

        def counted(handler, environ, start_response):
            with tracker.changed:
                tracker.count += 1
            try:
                return original(handler, environ, start_response)
            finally:
                with tracker.changed:
                    tracker.count -= 1
                    tracker.changed.notify_all()

        WSGIHandler.__call__ = counted
        return original

    def wait_until_none(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count == 0, timeout=timeout)


@pytest.fixture(scope="session")
def requests_in_flight():
    from django.core.handlers.wsgi import WSGIHandler

    tracker = RequestsInFlight()
    original = tracker.install()
    yield tracker
    WSGIHandler.__call__ = original


@pytest.fixture(scope="session")
def chromium():
    if not DIST_INDEX.is_file():
        pytest.fail("frontend/dist is not built: run frontend/build.sh (make test does)")
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: apt-get install -y chromium (make browser does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request, requests_in_flight, live_server):
    """A fresh browser context at 1280x800; on teardown a screenshot goes to test-output/e2e/.
    It depends on the live server (and so on the test database): it is closed before the database
    is flushed, and the views still running for its requests are waited for, so none of them can
    deadlock the flush."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
    finally:
        context.close()
        assert requests_in_flight.wait_until_none(timeout=30), "a view of the live server did not end in 30 s"
    assert not errors, f"uncaught errors in the page: {errors}"


@dataclass
class Scene:
    base_url: str
    user: object
    password: str
    project: object
    image: dict
    truths: list
    api: object  # DRF APIClient logged in as the same user

    def click_point(self, index: int = 0) -> tuple[int, int]:
        """An image pixel well inside shape `index` (its distance-transform maximum)."""
        import cv2

        mask = self.truths[index].astype(np.uint8)
        distance = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
        y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
        return int(x), int(y)


@pytest.fixture
def scene_factory(live_server, make_user, client_for, project_factory):
    """A user who annotates a project holding one generated scene image (uploaded through the API)."""

    def make(seed: int = 5, wait_embedding: bool = True, worker=None) -> Scene:
        from tests.conftest import wait_for_job

        user = make_user()
        api = client_for(user)
        project = project_factory(user, categories=("shape", "other"))
        pixels, truths = make_scene(seed=seed, height=240, width=320, n_shapes=2)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        answer = api.post(
            f"/api/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile("scene.png", buffer.getvalue())]},
            format="multipart",
        )
        assert answer.status_code in (200, 201), answer.content
        image = answer.json()[0]
        if wait_embedding:
            from backend.jobs.models import Job

            job = Job.objects.get(kind="embed", subject_id=image["id"])
            assert wait_for_job(job.pk, worker=worker).state == Job.State.SUCCEEDED
        return Scene(live_server.url, user, user.raw_password, project, image, truths, api)

    return make


def log_in(page, scene: Scene, path: str = "/") -> None:
    page.goto(scene.base_url + path)
    page.fill("input[name=username]", scene.user.username)
    page.fill("input[name=password]", scene.password)
    page.click("button[type=submit]")


def open_annotator(page, scene: Scene) -> None:
    log_in(page, scene, f"/images/{scene.image['id']}")
    page.wait_for_selector("canvas.annotation-canvas")
    page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")


def screen_point(page, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of image pixel (x, y), from the canvas' view transform."""
    view = page.eval_on_selector("canvas.annotation-canvas", "c => c.dataset.view")
    scale, offset_x, offset_y = (float(v) for v in view.split())
    box = page.locator("canvas.annotation-canvas").bounding_box()
    return box["x"] + offset_x + (x + 0.5) * scale, box["y"] + offset_y + (y + 0.5) * scale


def click_image(page, x: float, y: float, **options) -> None:
    sx, sy = screen_point(page, x, y)
    page.mouse.click(sx, sy, **options)


def drag_image(page, points: list[tuple[float, float]]) -> None:
    sx, sy = screen_point(page, *points[0])
    page.mouse.move(sx, sy)
    page.mouse.down()
    for x, y in points[1:]:
        sx, sy = screen_point(page, x, y)
        page.mouse.move(sx, sy, steps=6)
    page.mouse.up()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(autouse=True)
def _needs_services(services):
    """The browser tests run against PostgreSQL, Redis and SeaweedFS (tests/environment.py)."""


SCREEN_SIZES = ((1440, 900), (1280, 720))


def shots(page, name: str) -> None:
    """The page at 1440x900 and 1280x720: test-output/e2e/<name>-1440x900.png and -1280x720.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width, height in SCREEN_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
    page.set_viewport_size(before)


def sign_in(page, base_url: str, user, path: str = "/") -> None:
    """Log `user` in (a fresh session in the same browser context) and open `path`."""
    page.context.clear_cookies()  # whoever was signed in: the app signs in with a session cookie
    page.goto(base_url + path)
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.raw_password)
    page.click("button[type=submit]")
    page.locator(".topbar .user").wait_for()
