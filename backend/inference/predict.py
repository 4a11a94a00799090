"""Click-to-mask against a cached embedding: validation, the decoder call, logits tokens.

A click's answer keeps what the next click needs, and little else: the best candidate's 1x256x256
low-resolution logits in float16 (128 KB; all three used to be stored, 384 KB per click), and the
prompts that made the answer. A token of another candidate (the annotator picked the second one)
is answered by running the same decoder call again and taking that candidate: exact, and paid only
when someone refines from a candidate that was not the best. Without a cache tokens read as
expired and the click starts afresh."""

import logging
import secrets
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache

from backend.core.errors import InvalidInput
from backend.core.outages import outage_of
from engine import rle as rle_ops

log = logging.getLogger(__name__)
TOKEN_PREFIX = "logits:"
# How many answers back a token of a non-best candidate may be rebuilt through (each refers to
# the token its own click refined from).
MAX_REBUILD_DEPTH = 8


@dataclass(frozen=True)
class PredictResult:
    masks: list[dict]  # [{rle, score, logits_token}], best first
    best_token: str
    decode_ms: float
    decode_cpu_ms: float  # this thread's CPU time in the decoder
    token_expired: bool


def _token_key(token: str) -> str:
    return TOKEN_PREFIX + token


def _cache_get(key: str):
    """The stored record, or None when it expired or the cache is out (the click then starts
    afresh, as after an expiry: predict works without its cache)."""
    try:
        return cache.get(key)
    except Exception as exc:
        if outage_of(exc) is None:
            raise
        log.warning("logits cache unreachable (%s); the token counts as expired", exc)
        return None


def _cache_set(key: str, value: dict) -> None:
    try:
        cache.set(key, value, settings.LOGITS_TOKEN_SECONDS)
    except Exception as exc:
        if outage_of(exc) is None:
            raise
        log.warning("logits cache unreachable (%s); this answer's tokens will read as expired", exc)


def _parse_token(token: str) -> tuple[str, int]:
    ref, _, index = token.partition(":")
    if not ref.isalnum() or not index.isdigit() or len(ref) > 64 or len(index) > 2:
        raise InvalidInput({"logits_token": "malformed token"})
    return ref, int(index)


def _decode(segmenter, features, prompts: dict, mask_input: np.ndarray | None):
    points, labels, box = prompts["points"], prompts["labels"], prompts["box"]
    try:
        return segmenter.predict(
            features,
            points=np.asarray(points, dtype=np.float64).reshape(-1, 2) if points else None,
            labels=np.asarray(labels, dtype=np.int64) if labels else None,
            box=np.asarray(box, dtype=np.float64) if box is not None else None,
            mask_input=mask_input,
            multimask=prompts["multimask"],
        )
    except ValueError as exc:  # prompts outside the image, NaN, unknown labels, ...
        raise InvalidInput({"detail": str(exc)}) from exc


def logits_from_token(token: str, *, image, loaded, features, depth: int = 0) -> tuple[np.ndarray | None, bool]:
    """The 1x256x256 logits of the candidate `token` names, or (None, True) if expired. A token of
    another image or model version is refused."""
    ref, index = _parse_token(token)
    stored = _cache_get(_token_key(ref))
    if stored is None:
        return None, True
    if stored["sha256"] != image.sha256 or stored["model_version"] != loaded.version:
        raise InvalidInput({"logits_token": "this token belongs to another image or model version"})
    if index >= stored["count"]:
        raise InvalidInput({"logits_token": "token index out of range"})
    if index == stored["best"]:
        return np.frombuffer(stored["logits"], dtype=np.float16).reshape(1, 256, 256).astype(np.float32), False
    # Another candidate: the same decoder call again (from the same earlier logits, if any).
    prompts, mask_input = stored["prompts"], None
    if prompts["from"]:
        if depth >= MAX_REBUILD_DEPTH:
            return None, True
        mask_input, expired = logits_from_token(
            prompts["from"], image=image, loaded=loaded, features=features, depth=depth + 1
        )
        if expired:
            return None, True
    again = _decode(loaded.segmenter, features, prompts, mask_input)
    return np.asarray(again.low_res_logits[index : index + 1], dtype=np.float32), False


def predict(
    *, image, loaded, features, points, labels, box, logits_token: str | None, multimask: bool
) -> PredictResult:
    """Candidate masks for the prompts. loaded: the LoadedModel serving the image's project
    (runtime.serving_decoder); features: the image's decoded embedding for it."""
    mask_input, expired = (None, False)
    if logits_token:
        mask_input, expired = logits_from_token(logits_token, image=image, loaded=loaded, features=features)
    prompts = {
        "points": [list(map(float, p)) for p in points],
        "labels": [int(label) for label in labels],
        "box": list(map(float, box)) if box is not None else None,
        "multimask": bool(multimask),
        "from": logits_token if mask_input is not None else None,
    }
    started, started_cpu = time.perf_counter(), time.thread_time()
    prediction = _decode(loaded.segmenter, features, prompts, mask_input)
    decode_ms = (time.perf_counter() - started) * 1000
    decode_cpu_ms = (time.thread_time() - started_cpu) * 1000
    scores = np.asarray(prediction.scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    best = int(order[0])
    ref = secrets.token_hex(16)
    _cache_set(
        _token_key(ref),
        {
            "sha256": image.sha256,
            "model_version": loaded.version,
            "count": len(scores),
            "best": best,
            "logits": np.asarray(prediction.low_res_logits[best], dtype=np.float16).tobytes(),
            "prompts": prompts,
        },
    )
    masks = [
        {
            "rle": rle_ops.encode(prediction.masks[k]),
            # The model's IoU estimate, as a quality in [0, 1]: an untrained or unusual network
            # may predict outside it, and a mask saved with this score must be accepted.
            "score": round(min(max(float(scores[k]), 0.0), 1.0), 4),
            "logits_token": f"{ref}:{k}",
        }
        for k in order
    ]
    return PredictResult(masks, masks[0]["logits_token"], decode_ms, decode_cpu_ms, expired)
