"""Live video with tiny SAM 2 in a real browser: a click's mask and a propagation's frames reach the
page on the session's event stream; frames appear on the timeline while the pass runs, and the
network log holds no polling request (no job reads, no repeated masklet reads), only the one
long events request. A click and a propagation made while the request before them is on its way
go out together, in one request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import MaskletFrame
from backend.inference.video import reset_tracker
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam2
from tests import media_factory as mf
from tests.conftest import wait_for_job, wait_for_worker
from tests.e2e.conftest import click_image, log_in, shot
from tests.e2e.test_video import stored, visitor, wait_saved

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SOURCE_FRAMES, WIDTH, HEIGHT = 240, 160, 96


@pytest.fixture
def tiny_sam2(tmp_path_factory, settings, transactional_db):
    folder = tmp_path_factory.mktemp("tiny-sam2")
    save_tiny_sam2(folder / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    # Random tiny weights: served only because the test allows unverified weights (under a warning).
    settings.VIDEO_MODEL, settings.MODEL_CHECKPOINT_DIR, settings.VIDEO_IMAGE_SIZE = "sam2:tiny", str(folder), 256
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_tracker()
    yield {
        "VIDEO_MODEL": "sam2:tiny",
        "MODEL_CHECKPOINT_DIR": folder,
        "MODEL_ALLOW_UNVERIFIED": 1,
        "VIDEO_IMAGE_SIZE": 256,
        "OMP_NUM_THREADS": 1,
    }
    reset_tracker()


def test_click_and_propagation_are_pushed_without_polling(
    page, live_server, tiny_sam2, worker_factory, make_user, client_for, project_factory
):
    worker = wait_for_worker(worker_factory(**tiny_sam2))
    try:
        user = make_user()
        api = client_for(user)
        project = project_factory(user, kind="video", categories=("square",))
        project.annotation_fps = 12
        project.save(update_fields=["annotation_fps"])
        clip = mf.video_bytes(frames=SOURCE_FRAMES, width=WIDTH, height=HEIGHT)
        answer = api.post(
            f"/api/projects/{project.pk}/videos/",
            {"files": [SimpleUploadedFile("square.mp4", clip)]},
            format="multipart",
        )
        video = answer.json()[0]
        assert wait_for_job(video["extraction_job"]["id"], timeout=180, worker=worker).state == "succeeded"
        video = api.get(f"/api/videos/{video['id']}/").json()
        frames = video["annotation_frame_count"]

        requests: list[tuple[str, str]] = []
        page.on("request", lambda request: requests.append((request.method, request.url)))
        log_in(page, visitor(live_server.url, user), f"/videos/{video['id']}")
        page.wait_for_selector("canvas.annotation-canvas")
        page.wait_for_function("document.querySelector('canvas.annotation-canvas').dataset.view !== undefined")
        page.wait_for_selector("text=Loading frame", state="detached")

        click_image(page, 15, 45)
        wait_saved(page, 1)  # the click's job ended: heard on the stream
        page.wait_for_function("document.querySelector('[data-testid=timeline-row-1]')?.dataset.tracked === '0'")

        before_propagation = len(requests)
        page.click("[data-testid=propagate-forward]")
        # Frames reach the timeline while the pass still runs.
        page.wait_for_function(
            """(last) => {
                const m = (document.querySelector('[data-testid=timeline-row-1]').dataset.tracked || '').match(/^0-(\\d+)$/);
                return m && Number(m[1]) < last && document.querySelector('[data-testid=propagation]');
            }""",
            arg=frames - 1,
        )
        during_pass = [url for _, url in requests[before_propagation:] if "/api/" in url]
        shot(page, "video-live-propagating")
        page.wait_for_selector("[data-testid=propagation]", state="detached", timeout=180_000)
        page.wait_for_function(
            f"document.querySelector('[data-testid=timeline-row-1]').dataset.tracked === '0-{frames - 1}'"
        )
        assert {frame for (obj, frame) in stored(video["id"]) if obj == 1} == set(range(frames))

        api_calls = [(method, url.split(live_server.url, 1)[-1]) for method, url in requests if "/api/" in url]
        # While frames streamed in, the page asked nothing: the propagate request itself, then silence.
        session_id = api_session(api_calls)
        assert [url.split(live_server.url, 1)[-1] for url in during_pass] == [
            f"/api/video-sessions/{session_id}/propagate/"
        ], during_pass
        assert not [url for _, url in api_calls if url.startswith("/api/jobs/")], api_calls  # no job polling
        assert len([url for _, url in api_calls if url.endswith("/events/")]) == 1, api_calls  # one stream
        masklet_reads = [url for _, url in api_calls if "/masklets/" in url]
        # Opening (all masks), the stream's hello (what was stored before it), the end of the pass (all).
        assert len(masklet_reads) <= 3, masklet_reads

        # Operations made while a request is on its way go out together once it is accepted: a click
        # whose request the test holds, then another click and a propagation (its shortcut).
        held = []

        def hold(route) -> None:  # a function of Python: Playwright cannot wrap a builtin like held.append
            held.append(route)

        page.route("**/prompts/", hold)
        before_batch = len(requests)
        with page.expect_request(lambda request: request.method == "POST" and request.url.endswith("/prompts/")):
            click_image(page, 20, 45)
        for _ in range(250):  # until Playwright hands the held request to the route (it lets events run)
            if held:
                break
            page.wait_for_timeout(20)
        assert held
        click_image(page, 25, 45)
        page.keyboard.press("Control+ArrowRight")
        page.wait_for_selector("[data-testid=propagation]")
        held[0].continue_()
        page.unroute("**/prompts/")
        wait_saved(page, 3)
        page.wait_for_selector("[data-testid=propagation]", state="detached", timeout=180_000)
        sent = [
            (method, url.split(live_server.url, 1)[-1]) for method, url in requests[before_batch:] if "/api/" in url
        ]
        posts = [url for method, url in sent if method == "POST"]
        assert posts == [f"/api/video-sessions/{session_id}/prompts/", f"/api/video-sessions/{session_id}/operations/"]
        tracked = MaskletFrame.objects.filter(masklet__video_id=video["id"], masklet__object_id=1)
        assert tracked.count() == frames
    finally:
        worker.stop()


def api_session(api_calls: list[tuple[str, str]]) -> int:
    """The session id the page used (from its events request)."""
    [events] = [url for _, url in api_calls if url.endswith("/events/")]
    return int(events.split("/")[3])
