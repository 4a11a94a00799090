"""Walk every operation of /api/schema/ with odd values in the path, the query and the body, as every
role, and require a clean answer: never a 5xx, errors in JSON, and a refused write changes nothing.

Odd values: other Unicode digit systems, superscripts, full-width digits, huge and negative numbers,
floats and booleans for ints, NaN and Infinity, impossible dates, overlong strings, NUL characters
and lone surrogates, arrays for scalars, objects for strings, whole bodies that are not objects,
nested ten thousand deep, or not JSON at all. Each request runs in a savepoint that is rolled back,
so every one starts from the same world (api_world.py) and a refusal can be checked cheaply."""

import json
import re

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from rest_framework.test import APIClient

from engine import rle as rle_ops
from tests import media_factory as mf
from tests.conftest import OUTPUT
from tests.unit.backend.api_world import World, build_world


class Raw(str):
    """A token written into the JSON text as is (NaN, Infinity, 1e999 cannot be json.dumps'ed)."""


LONG = "x" * 20_000
ODD_VALUES = [
    "١٢",  # Arabic-Indic digits: int() reads 12
    "²",  # a superscript: str.isdigit() is True
    "１２",  # full-width digits
    "12",
    "1.0",
    1.0,
    1.5,
    True,
    2**63,
    2**64,
    -(2**63) - 1,
    10**40,
    -1,
    0,
    1e308,
    -1e308,
    "2026-02-30T00:00:00Z",
    "",
    LONG,
    "a\u0000b",
    "\ud800",
    [1],
    [[1, 2]],
    {"a": 1},
    None,
    Raw("NaN"),
    Raw("Infinity"),
    Raw("1e999"),
]
WHOLE_BODIES = [[], "text", 5, None, [{"a": 1}]]
RAW_BODIES = [
    b"{nope",
    b'{"a": "\\u0000"}',
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    '{"a": "\udcff"}'.encode("utf-8", "surrogatepass"),
    b"\xff\xfe not utf-8",
]
QUERY_VALUES = [
    "١٢",
    "²",
    "１２",
    "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "2026-02-30T00:00:00Z",
    "9999-99-99",
    "x" * 5000,
    "\x00",
    "[1]",
    "true",
    "",
]
PATH_VALUES = ["١٢", "²", "9" * 25, str(2**63), "-1", "1.0", "1e3", "%00", "abc"]
PATH_PARAM = re.compile(r"\{(\w+)\}")


def _rle(size) -> dict:
    shape = np.zeros(size, bool)
    shape[2:8, 3:9] = True
    return rle_ops.encode(shape)


def baselines(world: World) -> dict:
    """A valid body per (method, path) that takes one: the fuzz changes one value of it at a time."""
    rle, vrle = _rle(world.image_size), _rle(world.video_size)
    prompt = {"kind": "point", "x": 10.5, "y": 10, "label": 1, "t_ms": 100}
    ids = world.ids
    return {
        ("POST", "/api/auth/token/"): {"username": "w-manager", "password": "pw-for-tests-123"},
        ("POST", "/api/users/"): {"username": "fuzz-new-user", "password": "pw-for-tests-456"},
        ("POST", "/api/auth/session/"): {"username": "w-manager", "password": "pw-for-tests-123"},
        ("POST", "/api/images/{image_id}/predict/"): {
            "points": [[10, 10]],
            "labels": [1],
            "box": [1, 1, 20, 20],
            "logits_token": None,
            "multimask": True,
        },
        ("POST", "/api/masklets/{masklet_id}/review/"): {"decision": "accept", "reason": "", "seconds": 1.5},
        ("POST", "/api/masks/"): {
            "image": ids["image_id"],
            "category": world.category_id,
            "rle": rle,
            "source": "assisted",
            "seconds": 3.5,
            "clicks": 2,
            "prompts": [prompt],
            "model_version": "v1",
            "predicted_iou": 0.9,
        },
        ("PATCH", "/api/masks/{mask_id}/"): {
            "version": 1,
            "rle": rle,
            "category": world.category_id,
            "seconds": 1,
            "clicks": 1,
            "prompts": [prompt],
        },
        ("POST", "/api/masks/{mask_id}/accept/"): {"version": 1, "seconds": 1, "clicks": 0, "category": None},
        ("POST", "/api/masks/{mask_id}/reject/"): {"version": 1, "seconds": 1, "clicks": 0, "category": None},
        ("POST", "/api/masks/{mask_id}/review/"): {
            "decision": "fix",
            "version": 1,
            "reason": "edge",
            "seconds": 2,
            "rle": rle,
        },
        ("POST", "/api/projects/"): {
            "name": "fuzz-new",
            "kind": "image",
            "categories": ["a", {"name": "b", "color": "#00ff00"}],
            "annotation_fps": 6,
            "description": "d",
        },
        ("PATCH", "/api/projects/{project_id}/"): {
            "name": "w-images",
            "description": "d",
            "stage": "assisted",
            "annotation_fps": 6,
            "amg_settings": {"points_per_side": 8, "pred_iou_thresh": 0.8},
            "review_required": False,
            "qa_taxonomy": {"action": ["count"]},
            "gate_metric": "mIoU@1",
            "retrain_every_masks": 100,
        },
        ("POST", "/api/projects/{project_id}/auto-annotate/"): {
            "points_per_side": 4,
            "pred_iou_thresh": 0.8,
            "stability_score_thresh": 0.9,
            "box_nms_thresh": 0.7,
            "crop_n_layers": 0,
            "min_mask_region_area": 0,
        },
        ("POST", "/api/projects/{project_id}/exports/"): {"format": "coco", "include_all": True, "uncategorised": "x"},
        ("POST", "/api/projects/{project_id}/categories/"): {"name": "fuzz-category", "color": "#123456"},
        ("PATCH", "/api/categories/{category_id}/"): {"name": "renamed", "color": "#654321"},
        ("POST", "/api/categories/{category_id}/merge/"): {"into": world.category_id},
        ("POST", "/api/projects/{project_id}/bulk/"): {
            "kind": "mask",
            "ids": [ids["mask_id"]],
            "action": "categorise",
            "category": world.category_id,
            "reason": "",
        },
        ("POST", "/api/projects/{project_id}/members/"): {"username": "w-outsider", "role": "annotator"},
        ("PATCH", "/api/projects/{project_id}/members/{membership_id}/"): {"role": "reviewer"},
        ("POST", "/api/projects/{project_id}/simulations/"): {
            "options": {
                "rounds": 2,
                "images_per_round": 1,
                "objects": 3,
                "heldout_images": 1,
                "steps": 1,
                "pretrain_steps": 1,
                "pretrain_images": 2,
                "mae_steps": 0,
                "conv_stem": False,
                "trainable": "decoder",
                "max_clicks": 2,
                "seed": 1,
            }
        },
        ("POST", "/api/projects/{project_id}/rounds/"): {
            "config": {
                "steps": 2,
                "trainable": "decoder",
                "lr": 1e-4,
                "masks_per_step": 2,
                "iterations": 3,
                "mask_only_iterations": 1,
                "box_probability": 0.5,
                "focal_weight": 20,
                "dice_weight": 1,
                "heldout_percent": 10,
                "seed": 1,
            }
        },
        ("POST", "/api/projects/{project_id}/schedules/"): {
            "name": "nightly",
            "every": 1,
            "period": "days",
            "every_masks": 100,
            "min_new_masks": 1,
            "config": {"steps": 10, "trainable": "decoder", "gate_metric": "mIoU@1"},
            "paused": False,
        },
        ("PATCH", "/api/projects/{project_id}/schedules/{schedule_id}/"): {
            "name": "nightly",
            "cron": "0 3 * * *",
            "every_masks": None,
            "min_new_masks": 0,
            "config": {"steps": 10},
            "paused": True,
        },
        ("POST", "/api/video-sessions/{session_id}/prompts/"): {
            "kind": "points",
            "frame": 0,
            "obj_id": 3,
            "points": [[5, 5]],
            "labels": [1],
            "box": None,
            "rle": vrle,
            "category": None,
        },
        ("POST", "/api/video-sessions/{session_id}/propagate/"): {"start": 0, "direction": "forward", "obj_ids": [3]},
        ("POST", "/api/video-sessions/{session_id}/operations/"): {
            "operations": [
                {"op": "prompt", "kind": "points", "frame": 0, "obj_id": 3, "points": [[5, 5]], "labels": [1]},
                {"op": "propagate", "start": 0, "direction": "forward", "obj_ids": [3]},
            ]
        },
        ("POST", "/api/videos/{video_id}/captions/"): {
            "masklet": ids["masklet_id"],
            "kind": "rdcap",
            "start_frame": 0,
            "end_frame": 0,
            "caption": "a square",
            "dense_captions": [{"start_frame": 0, "end_frame": 0, "caption": "still"}],
        },
        ("PATCH", "/api/videos/{video_id}/masklets/{object_id}/"): {"category": None},
        ("PATCH", "/api/videos/{video_id}/"): {"environment": "Indoor", "split": "train"},
        **{
            ("POST", f"/api/{kind}s/{{item_id}}/{action}/"): body
            for kind in ("image", "video")
            for action, body in (
                ("claim", {"purpose": "annotate"}),
                ("flag", {"reason": "blurred"}),
                ("skip", {"reason": "not mine"}),
            )
        },
        ("POST", "/api/videos/{video_id}/questions/"): {
            "start_time": 0,
            "end_time": 0.1,
            "question": "what moves?",
            "answer": "nothing",
            "q_type": "action",
            "q_subtype": "",
            "what_description": "",
            "domain": "",
        },
    }


UPLOADS = {"/api/projects/{project_id}/images/", "/api/projects/{project_id}/videos/"}


def leaf_paths(value, prefix=()):
    """Every position in a JSON value (containers too), as key paths."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*prefix, index))


def replaced(value, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


def encode(body) -> bytes:
    """JSON text with Raw tokens written bare."""
    marks = {}

    def mark(value):
        if isinstance(value, Raw):
            token = f"__raw_{len(marks)}__"
            marks[f'"{token}"'] = str(value)
            return token
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(body))
    for token, raw in marks.items():
        text = text.replace(token, raw)
    return text.encode()


# --- the stored state a refused write must leave as it was ------------------------------------
_fingerprint_sql: list[str] = []


def _fingerprint_query() -> str:
    from django.apps import apps

    def joined(expression: str) -> str:
        if connection.vendor == "postgresql":
            return f"STRING_AGG(({expression})::text, ',' ORDER BY id)"
        return f"GROUP_CONCAT({expression})"

    tables = sorted(m._meta.db_table for m in apps.get_models() if m.__module__.startswith("backend."))
    counts = ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)
    return (
        f"SELECT {counts}, (SELECT SUM(version) FROM annotations_mask), "
        f"(SELECT {joined('name || stage || description || annotation_fps')} FROM media_project), "
        f"(SELECT {joined('role')} FROM accounts_membership), "
        f"(SELECT {joined('state')} FROM jobs_job)"
    )


def fingerprint() -> tuple:
    """Row counts of every table of ours, and the mutable fields a refused write could touch."""
    if not _fingerprint_sql:
        _fingerprint_sql.append(_fingerprint_query())
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql[0])
        return tuple(cursor.fetchone())


class Fuzzer:
    def __init__(self, world: World):
        self.world = world
        self.failures: list[str] = []
        self.sent = 0
        self.clients = {"anonymous": APIClient()}
        for role, user in world.users.items():
            client = APIClient()
            client.force_authenticate(user)
            self.clients[role] = client

    def send(self, role, method, url, what, *, body=None, content_type="application/json", data=None):
        client = self.clients[role]
        self.sent += 1
        with transaction.atomic():
            writes = method != "GET"
            before = fingerprint() if writes else None
            if data is not None:
                response = client.generic(method, url, data=data, content_type=content_type)
            elif body is not None:
                response = client.generic(method, url, data=body, content_type=content_type)
            else:
                response = client.generic(method, url)
            after = fingerprint() if writes else None
            transaction.set_rollback(True)
        status = response.status_code
        where = f"{role} {method} {url[:120]!r} {what}"
        if status >= 500 and not (status == 503 and url.startswith("/api/health/")):  # health says what is down
            self.failures.append(f"{where}: {status} {_content(response)[:300]}")
        elif status >= 400:
            if not response.get("Content-Type", "").startswith("application/json"):
                self.failures.append(f"{where}: {status} is not JSON: {response.get('Content-Type')}")
            if writes and before != after:
                self.failures.append(f"{where}: refused with {status} but stored data changed")
        return response

    def url(self, template: str, ids: dict | None = None, **override) -> str:
        ids = ids or (self.world.video_ids if "/videos/" in template else self.world.ids)
        return PATH_PARAM.sub(lambda m: str(override.get(m.group(1), ids[m.group(1)])), template)


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return "<stream>"
    return response.content.decode(errors="replace")


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def query_names(operation) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]


def body_properties(schema: dict, operation) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref")
        if ref:
            component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            return list(component.get("properties", {}))
    return []


@pytest.fixture
def world(db):
    cache.clear()  # the sign-in throttle counts in the cache: start and end with none
    yield build_world()
    cache.clear()


@pytest.fixture
def schema(world):
    client = APIClient()
    client.force_authenticate(world.users["staff"])
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


MUTATING_ROLE = "manager"
OTHER_ROLES = ("anonymous", "outsider", "annotator", "reviewer", "researcher", "staff")


def test_every_endpoint_answers_odd_values_without_a_server_error(world, schema):
    fuzz = Fuzzer(world)
    bodies = baselines(world)
    ops = list(operations(schema))
    assert len(ops) > 50, "the schema lists the API"
    missing = [
        (m, p)
        for m, p, op in ops
        if op.get("requestBody", {}).get("content", {}).get("application/json") is not None
        and (m, p) not in bodies
        and body_properties(schema, op)
    ]
    assert not missing, f"add a valid body for these operations to baselines(): {missing}"

    for method, path, operation in ops:
        baseline = bodies.get((method, path))
        url = fuzz.url(path)
        for role in (MUTATING_ROLE, *OTHER_ROLES):
            if path in UPLOADS and method == "POST":
                _fuzz_upload(fuzz, role, path)
                continue
            fuzz.send(role, method, url, "baseline", body=encode(baseline) if baseline is not None else None)
            for raw in RAW_BODIES[:2] if role != MUTATING_ROLE else []:
                fuzz.send(role, method, url, f"raw body {raw[:20]!r}", body=raw)
        # Path parameters: each one odd in turn (the manager sees every object).
        for name in PATH_PARAM.findall(path):
            for value in PATH_VALUES:
                fuzz.send(MUTATING_ROLE, method, fuzz.url(path, **{name: value}), f"path {name}={value[:12]!r}")
        # Query parameters: each one odd in turn, as the manager, an annotator and an outsider.
        for name in query_names(operation):
            for role in (MUTATING_ROLE, "annotator", "outsider"):
                for value in QUERY_VALUES:
                    fuzz.send(role, method, url + "?" + _query(name, value), f"query {name}={value[:12]!r}")
                fuzz.send(role, method, f"{url}?{name}=1&{name}=2", f"query {name} twice")
        if method == "GET" or path in UPLOADS:
            continue
        # Bodies: the whole body odd, then every value of the baseline (and every field of the schema
        # the baseline leaves out) odd in turn.
        for whole in WHOLE_BODIES:
            fuzz.send(MUTATING_ROLE, method, url, f"body {whole!r}", body=encode(whole))
        for raw in RAW_BODIES:
            fuzz.send(MUTATING_ROLE, method, url, f"raw body {raw[:20]!r}", body=raw)
        fuzz.send(
            MUTATING_ROLE, method, url, "form body", data="a=1&b=%00", content_type="application/x-www-form-urlencoded"
        )
        base = baseline if isinstance(baseline, dict) else {}
        positions = [p for p in leaf_paths(base) if p]
        positions += [(name,) for name in body_properties(schema, operation) if name not in base]
        for position in positions:
            for value in ODD_VALUES:
                body = replaced(base, position, value) if position[0] in base else {**base, position[0]: value}
                fuzz.send(
                    MUTATING_ROLE,
                    method,
                    url,
                    f"body {'.'.join(map(str, position))}={_short(value)}",
                    body=encode(body),
                )

    for path in ("/api/schema/", "/api/docs/", "/api/nowhere/", "/api/projects/1/nowhere/"):
        for value in QUERY_VALUES[:8]:
            fuzz.send("staff", "GET", f"{path}?format={_quote(value)}&lang={_quote(value)}", "schema query")

    print(f"{fuzz.sent} requests")
    if fuzz.failures:
        (OUTPUT / "api-fuzz-failures.txt").write_text("\n".join(fuzz.failures))
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.sent} requests failed:\n" + "\n".join(fuzz.failures[:40])


def _fuzz_upload(fuzz: Fuzzer, role: str, path: str) -> None:
    url = fuzz.url(path)
    kind = "image" if "images" in path else "video"
    good = mf.jpeg_bytes(32, 24, seed=9) if kind == "image" else mf.video_bytes(frames=6)
    name = "ok.jpg" if kind == "image" else "ok.mp4"
    client = fuzz.clients[role]
    cases = {
        "a file": {"files": [SimpleUploadedFile(name, good)]},
        "no file": {"files": "not a file"},
        "a path in the name": {"files": [SimpleUploadedFile("../../etc/" + name, good)]},
        "a NUL in the name": {"files": [SimpleUploadedFile("a\x00" + name, good)]},
        "a long name": {"files": [SimpleUploadedFile("x" * 5000 + name, good)]},
        "html": {"files": [SimpleUploadedFile(name, mf.html_bytes())]},
        "empty": {"files": [SimpleUploadedFile(name, b"")]},
    }
    for what, data in cases.items():
        if role != MUTATING_ROLE and what != "a file":
            continue
        fuzz.sent += 1
        with transaction.atomic():
            before = fingerprint()
            response = client.post(url, data, format="multipart")
            after = fingerprint()
            transaction.set_rollback(True)
        where = f"{role} POST {url} upload {what}"
        if response.status_code >= 500:
            fuzz.failures.append(f"{where}: {response.status_code} {_content(response)[:300]}")
        elif response.status_code >= 400:
            if not response.get("Content-Type", "").startswith("application/json"):
                fuzz.failures.append(f"{where}: {response.status_code} is not JSON")
            if before != after:
                fuzz.failures.append(f"{where}: refused but stored data changed")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _query(name: str, value: str) -> str:
    return f"{name}={_quote(value)}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 24 else text[:20] + "..."
