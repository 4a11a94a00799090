"""Click-to-mask against a cached embedding: validation, the decoder call, logits tokens (kept in
the cache; without a cache they read as expired)."""

import logging
import secrets
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache

from backend.core.errors import InvalidInput
from backend.core.outages import outage_of
from backend.inference.runtime import serving_decoder
from backend.inference.services import embedding_load
from engine import rle as rle_ops

log = logging.getLogger(__name__)
TOKEN_PREFIX = "logits:"


@dataclass(frozen=True)
class PredictResult:
    masks: list[dict]  # [{rle, score, logits_token}]
    best_token: str
    decode_ms: float
    decode_cpu_ms: float  # this thread's CPU time in the decoder
    token_expired: bool


def _token_key(token: str) -> str:
    return TOKEN_PREFIX + token


def _cache_get(key: str):
    """The stored logits, or None when they expired or the cache is out (the click then starts
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


def logits_from_token(token: str, *, image, model_version: str) -> tuple[np.ndarray | None, bool]:
    """The 1x256x256 logits a previous answer stored under `token`, or (None, True) if expired.
    A token of another image or model version is refused."""
    ref, _, index = token.partition(":")
    if not ref.isalnum() or not index.isdigit() or len(ref) > 64:
        raise InvalidInput({"logits_token": "malformed token"})
    stored = _cache_get(_token_key(ref))
    if stored is None:
        return None, True
    if stored["sha256"] != image.sha256 or stored["model_version"] != model_version:
        raise InvalidInput({"logits_token": "this token belongs to another image or model version"})
    logits = np.frombuffer(stored["logits"], dtype=np.float16).reshape(stored["shape"])
    k = int(index)
    if k >= logits.shape[0]:
        raise InvalidInput({"logits_token": "token index out of range"})
    return logits[k : k + 1].astype(np.float32), False


def predict(*, image, embedding_row, points, labels, box, logits_token: str | None, multimask: bool) -> PredictResult:
    loaded = serving_decoder(image.project)
    mask_input, expired = (None, False)
    if logits_token:
        mask_input, expired = logits_from_token(logits_token, image=image, model_version=loaded.version)
    features = embedding_load(embedding_row)
    started, started_cpu = time.perf_counter(), time.thread_time()
    try:
        prediction = loaded.segmenter.predict(
            features,
            points=np.asarray(points, dtype=np.float64).reshape(-1, 2) if points else None,
            labels=np.asarray(labels, dtype=np.int64) if labels else None,
            box=np.asarray(box, dtype=np.float64) if box is not None else None,
            mask_input=mask_input,
            multimask=multimask,
        )
    except ValueError as exc:  # prompts outside the image, NaN, unknown labels, ...
        raise InvalidInput({"detail": str(exc)}) from exc
    decode_ms = (time.perf_counter() - started) * 1000
    decode_cpu_ms = (time.thread_time() - started_cpu) * 1000
    ref = secrets.token_hex(16)
    logits = np.asarray(prediction.low_res_logits, dtype=np.float16)
    _cache_set(
        _token_key(ref),
        {"sha256": image.sha256, "model_version": loaded.version, "shape": logits.shape, "logits": logits.tobytes()},
    )
    order = np.argsort(-np.asarray(prediction.scores))
    masks = [
        {
            "rle": rle_ops.encode(prediction.masks[k]),
            "score": round(float(prediction.scores[k]), 4),
            "logits_token": f"{ref}:{k}",
        }
        for k in order
    ]
    return PredictResult(masks, masks[0]["logits_token"], decode_ms, decode_cpu_ms, expired)
