"""Several video operations in one request (what a page made while its previous request was on the
way): stored in the order sent with a job each, all or none, and run by the session's worker as if
each had been sent alone."""

from backend.annotations.models import Masklet
from backend.inference.models import VideoPrompt
from backend.inference.tasks import video_prompt
from backend.jobs.models import Job
from backend.jobs.worker import delivery_run
from tests.unit.backend.conftest import FRAMES


def _open(api, video) -> str:
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    return f"/api/video-sessions/{session['id']}"


def _click(obj_id: int, frame: int, x: float, y: float) -> dict:
    return {"op": "prompt", "frame": frame, "obj_id": obj_id, "points": [[x, y]], "labels": [1]}


def _stored(video) -> tuple[list, list, int]:
    prompts = list(
        VideoPrompt.objects.filter(session__video=video).order_by("seq").values_list("seq", "kind", "obj_id")
    )
    objects = sorted(Masklet.objects.filter(video=video).values_list("object_id", flat=True))
    return prompts, objects, Job.objects.filter(kind__in=["video_prompt", "video_propagate"]).count()


def test_a_batch_is_stored_in_order_with_a_job_each_and_runs_as_sent_one_by_one(video, manager, client_for, classical):
    api = client_for(manager)
    base = _open(api, video)
    answer = api.post(
        f"{base}/operations/",
        {
            "operations": [
                _click(1, 0, 20, 30),
                _click(2, 2, 30, 30),
                {"op": "propagate", "start": 0, "direction": "forward"},
            ]
        },
        format="json",
    )
    assert answer.status_code == 202, answer.json()
    jobs = answer.json()["jobs"]
    assert [job["kind"] for job in jobs] == ["video_prompt", "video_prompt", "video_propagate"]
    assert all(job["state"] == "queued" for job in jobs)
    prompts, objects, _ = _stored(video)
    assert prompts == [(1, "points", 1), (2, "points", 2), (3, "propagate", 0)]
    assert objects == [1, 2]

    first = jobs[0]["id"]
    delivery_run(first, video_prompt.work, worker="test", then=video_prompt.then)  # the first's message
    assert [Job.objects.get(pk=job["id"]).state for job in jobs] == ["succeeded"] * 3
    frames = {
        (f["object_id"], f["frame"], f["source"]) for f in api.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]
    }
    last = FRAMES - 1
    assert {(1, 0, "prompted"), (2, 2, "prompted"), (1, last, "propagated"), (2, last, "propagated")} <= frames


def test_a_refused_operation_stores_none_of_the_batch_and_says_which(video, manager, client_for, classical):
    api = client_for(manager)
    base = _open(api, video)
    assert api.post(f"{base}/prompts/", _click(1, 0, 20, 30), format="json").status_code == 202
    before = _stored(video)

    outside = _click(3, 0, 500, 30)  # the video is 96 px wide
    answer = api.post(f"{base}/operations/", {"operations": [_click(2, 0, 30, 30), outside]}, format="json")
    assert answer.status_code == 400
    message = answer.json()["operations"][0]
    assert message.startswith("operation 2 of 2: ") and "outside" in message and "none of them was stored" in message
    assert _stored(video) == before  # object 2's prompt, masklet and job are gone with the refusal


def test_a_propagation_knows_the_objects_made_before_it_in_the_batch(video, manager, client_for, classical):
    api = client_for(manager)
    base = _open(api, video)
    only_new = {"op": "propagate", "start": 0, "direction": "forward", "obj_ids": [5]}
    assert api.post(f"{base}/operations/", {"operations": [only_new]}, format="json").status_code == 400
    answer = api.post(f"{base}/operations/", {"operations": [_click(5, 0, 20, 30), only_new]}, format="json")
    assert answer.status_code == 202, answer.json()
    propagation = VideoPrompt.objects.get(session__video=video, kind="propagate")
    assert propagation.options["obj_ids"] == [5]


def test_malformed_batches_are_refused_field_by_field(video, manager, client_for, classical):
    api = client_for(manager)
    base = _open(api, video)
    before = _stored(video)
    for body, field_errors in [
        ({"operations": []}, None),
        ({"operations": [_click(1, 0, 20, 30)] * 21}, None),
        ({"operations": "click"}, None),
        ({}, None),
        ({"operations": [_click(1, 0, 20, 30), {"op": "erase"}]}, {"1": ["op"]}),
        ({"operations": [{"op": ["prompt"]}]}, {"0": ["op"]}),  # not a name at all
        ({"operations": [["prompt"]]}, None),
        ({"operations": [{"op": "prompt", "frame": -1, "obj_id": 1}]}, {"0": ["frame"]}),
        ({"operations": [{"op": "propagate", "start": 0, "direction": "sideways"}]}, {"0": ["direction"]}),
    ]:
        answer = api.post(f"{base}/operations/", body, format="json")
        assert answer.status_code == 400, body
        errors = answer.json()["operations"]
        if field_errors is not None:
            assert {index: sorted(fields) for index, fields in errors.items()} == field_errors
    assert _stored(video) == before


def test_a_retried_batch_with_its_key_is_stored_once(video, manager, client_for, classical):
    api = client_for(manager)
    base = _open(api, video)
    body = {"operations": [_click(1, 0, 20, 30), _click(1, 1, 24, 30)]}
    first = api.post(f"{base}/operations/", body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = api.post(f"{base}/operations/", body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert _stored(video)[0] == [(1, "points", 1), (2, "points", 1)]
