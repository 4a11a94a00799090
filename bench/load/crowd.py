"""Simulated annotators and editors over HTTP keep-alive connections, one thread each.

An annotator: asks for the next image (leaving the last one), opens its detail, clicks 1-3 times
(1-3 s apart, about one click per 2 s; every click after the first feeds back the previous answer's
logits token), saves the best candidate (Idempotency-Key), marks the image complete, and goes on.
An editor: reads one of a few shared masks, thinks 1-2 s, and saves a change with the version it
read; a 409 (someone saved first) is the expected answer to a stale edit, and it reads again.
Every request is timed on the client; `Server-Timing` gives the server's CPU for it."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Call:
    endpoint: str
    status: int | None  # None: no answer (reset, refused, timed out)
    seconds: float
    cpu_ms: float | None
    decode_ms: float | None
    started: float


@dataclass
class Record:
    """Everything one simulated person saw (threads append to their own record only)."""

    user: int
    calls: list[Call] = field(default_factory=list)
    created: list[int] = field(default_factory=list)  # mask ids answered 201
    holds: list[tuple[int, float, float]] = field(default_factory=list)  # (image, from, to)
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # (mask, version after, counts) per 200
    stale: int = 0  # 409 answers to edits
    resets: int = 0  # requests whose kept-alive connection was closed under them (retried once)
    no_work: bool = False


class Client:
    """JSON over one kept-alive HTTP/1.1 connection, with an API token."""

    def __init__(self, base: str, token: str, record: Record):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.token, self.record = token, record
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def call(self, endpoint: str, method: str, path: str, body: dict | None = None, key: bool = False):
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        data = None
        if body is not None or method != "GET":
            data = json.dumps(body or {}).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        started = time.perf_counter()
        for attempt in (0, 1):
            reused = self.connection is not None
            try:
                connection = self._connect()
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
                self.close()
                if attempt == 0 and reused:  # a browser retries once on a reused connection
                    self.record.resets += 1
                    continue
                self.record.calls.append(Call(endpoint, None, time.perf_counter() - started, None, None, started))
                return None, None
        seconds = time.perf_counter() - started
        timing = _server_timing(response.getheader("Server-Timing", ""))
        self.record.calls.append(
            Call(endpoint, response.status, seconds, timing.get("cpu"), timing.get("decode"), started)
        )
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        return response.status, payload


def _server_timing(header: str) -> dict[str, float]:
    values = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            values[name] = float(rest)
    return values


def annotator(client: Client, project: int, size: tuple[int, int], until: float, rng: random.Random) -> None:
    record, height, width = client.record, *size
    after = None
    while time.monotonic() < until:
        path = f"/api/projects/{project}/images/next/" + (f"?after={after}" if after else "")
        status, item = client.call("next", "POST", path, key=True)
        if status == 404:
            record.no_work = True
            return
        if status != 200:
            time.sleep(1)
            continue
        image, held_from = item["id"], time.time()
        client.call("detail", "GET", f"/api/images/{image}/")
        token, best, prompts, points, labels = None, None, [], [], []
        clicks = rng.randint(1, 3)
        for k in range(clicks):
            time.sleep(rng.uniform(1.0, 3.0))
            points.append([rng.uniform(0, width - 1), rng.uniform(0, height - 1)])
            labels.append(1 if k == 0 or rng.random() < 0.7 else 0)
            body = {"points": points, "labels": labels, "multimask": k == 0}
            if token:
                body["logits_token"] = token
            status, answer = client.call("predict", "POST", f"/api/images/{image}/predict/", body)
            if status == 200:
                token, best = answer["logits_token"], answer["masks"][0]
                x, y = points[-1]
                prompts.append({"kind": "point", "x": x, "y": y, "label": labels[-1], "t_ms": 2000 * k})
        if best is not None and _area_positive(best["rle"]):
            save = {
                "image": image,
                "rle": best["rle"],
                "source": "assisted",
                "seconds": round(2.0 * clicks, 2),
                "clicks": clicks,
                "prompts": prompts,
                "predicted_iou": best["score"],
            }
            status, mask = client.call("save", "POST", "/api/masks/", save, key=True)
            if status == 201:
                record.created.append(mask["id"])
        client.call("complete", "POST", f"/api/images/{image}/complete/", key=True)
        record.holds.append((image, held_from, time.time()))
        after = image
    if after is not None:
        client.call("leave", "DELETE", f"/api/images/{after}/claim/")


def _area_positive(rle: dict) -> bool:
    from engine import rle as rle_ops

    return rle_ops.area(rle) > 0


def editor(client: Client, masks: list[int], until: float, rng: random.Random) -> None:
    from engine import rle as rle_ops

    record = client.record
    while time.monotonic() < until:
        mask_id = rng.choice(masks)
        status, mask = client.call("mask", "GET", f"/api/masks/{mask_id}/")
        if status != 200:
            time.sleep(1)
            continue
        time.sleep(rng.uniform(1.0, 2.0))
        pixels = rle_ops.decode(mask["rle"])
        height, width = pixels.shape
        y, x = rng.randrange(height - 8), rng.randrange(width - 8)
        pixels[y : y + 8, x : x + 8] = ~pixels[y : y + 8, x : x + 8]  # a brush stroke
        if not pixels.any():
            continue
        change = {"version": mask["version"], "rle": rle_ops.encode(pixels), "clicks": 1, "seconds": 1.5}
        status, answer = client.call("edit", "PATCH", f"/api/masks/{mask_id}/", change)
        if status == 200:
            record.edits.append((mask_id, answer["version"], answer["rle"]["counts"]))
        elif status == 409:
            record.stale += 1


def run_phase(
    base: str,
    tokens: list[str],
    project: int,
    size,
    shared: list[int],
    users: int,
    editors: int,
    seconds: float,
    seed: int,
) -> tuple[list[Record], float]:
    """`users` people for `seconds`: the first `editors` of them edit the shared masks, the others
    annotate. Returns their records and the wall time of the phase."""
    records = [Record(user=k) for k in range(users)]
    clients = [Client(base, tokens[k], records[k]) for k in range(users)]
    until = time.monotonic() + seconds
    threads = []
    for k in range(users):
        rng = random.Random(seed * 1000 + k)
        if k < editors:
            target, args = editor, (clients[k], shared, until, rng)
        else:
            target, args = annotator, (clients[k], project, size, until, rng)
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    started = time.monotonic()
    for k, thread in enumerate(threads):
        thread.start()
        time.sleep(0.02 if k else 0)  # people arrive over a second or so, not in one instant
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return records, time.monotonic() - started
