"""Strict reading of request values: ASCII digits only, numbers bounded to what the database holds,
no floats or booleans for ints, real dates, JSON bodies with a depth and size limit; every refusal is
a 400 that names the field."""

import json

import pytest
from rest_framework import serializers

from backend.core.fields import FloatField, IdField, IntegerField
from backend.core.json_input import JsonLimits, JsonRefused, load_json
from tests.unit.backend.api_world import build_world


class Numbers(serializers.Serializer):
    count = IntegerField(min_value=0, max_value=1000)
    row = IdField()
    score = FloatField(min_value=0, max_value=1)


GOOD = {"count": 12, "row": 7, "score": 0.5}


@pytest.mark.parametrize(
    "field,value",
    [
        ("count", "١٢"),  # Arabic-Indic digits: int() reads them as 12
        ("count", "²"),
        ("count", "１２"),  # full-width
        ("count", " 12"),
        ("count", "1.0"),
        ("count", 1.0),  # a float for an int, even a whole one
        ("count", True),
        ("count", [12]),
        ("count", {"n": 12}),
        ("count", 1001),
        ("row", 0),
        ("row", 2**63),
        ("row", 10**40),
        ("row", "9" * 30),
        ("score", True),
        ("score", "１.５"),
        ("score", "NaN"),
        ("score", float("inf")),
        ("score", 10**400),
        ("score", [0.5]),
    ],
)
def test_odd_numbers_are_refused_naming_the_field(field, value):
    data = Numbers(data={**GOOD, field: value})
    assert not data.is_valid()
    assert list(data.errors) == [field], data.errors


def test_plain_numbers_and_ascii_form_strings_are_read():
    data = Numbers(data={"count": "12", "row": str(2**63 - 1), "score": "0.25"})
    assert data.is_valid(), data.errors
    assert data.validated_data == {"count": 12, "row": 2**63 - 1, "score": 0.25}
    assert Numbers(data={"count": 0, "row": 1, "score": 1}).is_valid()


def test_json_nested_ten_thousand_deep_is_refused_with_a_message_not_a_recursion_error():
    for text in ("[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        with pytest.raises(JsonRefused, match="nested more than 32 levels"):
            load_json(text)
    assert load_json('{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"s": "[" * 42}  # brackets in text


def test_json_limits_on_size_count_nul_surrogates_and_infinity():
    with pytest.raises(JsonRefused, match="over the limit"):
        load_json(b"[" + b"1," * 100 + b"1]", JsonLimits(max_bytes=100))
    with pytest.raises(JsonRefused, match="objects and arrays"):
        load_json("[" + "{}," * 50 + "{}]", JsonLimits(max_containers=50))
    for text in ('{"a": "x\\u0000"}', '{"\\u0000": 1}', '["\\ud800"]', '["\\uDFFF x"]'):
        with pytest.raises(JsonRefused, match="NUL"):
            load_json(text)
    for text in ("[1e999]", "[NaN]", "[-Infinity]"):
        with pytest.raises(JsonRefused):
            load_json(text)
    assert load_json('["\\ud83d\\ude00", "\\\\u0000"]') == ["\U0001f600", "\\u0000"]  # a pair; an escaped backslash


@pytest.fixture
def world(db):
    return build_world()


def _errors(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return json.loads(response.content)


def test_api_names_the_field_of_each_bad_value(world, client_for):
    api = client_for(world.users["manager"])
    ids = world.ids
    assert "image" in _errors(api.get("/api/masks/?image=²"))
    assert "image" in _errors(api.get("/api/masks/?image=١٢"))
    assert "project" in _errors(api.get(f"/api/masks/?project={'9' * 25}"))
    assert "status" in _errors(api.get("/api/masks/?status=%00"))
    assert "page" in _errors(api.get("/api/masks/?page=1.0"))
    assert "limit" in _errors(api.get(f"/api/projects/{ids['project_id']}/review/queue/?limit=١٠"))
    assert "after" in _errors(api.get(f"/api/projects/{ids['project_id']}/images/next/?after=-1"))
    masklets = f"/api/videos/{ids['video_id']}/masklets/"
    assert "updated_after" in _errors(api.get(masklets + "?updated_after=2026-02-30T00:00:00Z"))
    assert "frame" in _errors(api.get(masklets + "?frame=1e3"))
    assert "version" in _errors(api.delete(f"/api/masks/{ids['mask_id']}/?version=²"))
    for value in ("١٢", 1.0, 2**63, -1, [ids["image_id"]], True):
        body = {"image": value, "rle": {"size": [30, 40], "counts": "PP0"}}
        assert "image" in _errors(api.post("/api/masks/", body, format="json")), value
    prompt = {"frame": 10**30, "obj_id": 3, "points": [[5, 5]], "labels": [1]}
    assert "frame" in _errors(api.post(f"/api/video-sessions/{ids['session_id']}/prompts/", prompt, format="json"))
    name = {"name": "n" * 201}
    assert "name" in _errors(api.post("/api/projects/", name, format="json"))
    assert "name" in _errors(api.post("/api/projects/", {"name": {"first": "x"}}, format="json"))
    assert "name" in _errors(api.post("/api/projects/", {"name": ["x"]}, format="json"))
