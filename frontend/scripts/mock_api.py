"""A stand-in for the Django API, for looking at the frontend without the backend (screenshots, demos).

Serves frontend/dist the way Django will (index.html for non-/api/ paths, files under /static/) and
fakes the API contract in memory. Predict answers discs around the first positive point (three sizes
when multimask), cuts discs at negative points; image 2 answers 202 until its fake embedding job has
been polled three times; the model is reported as the classical fallback. POST /mock/bump/<id>/ bumps
a mask's version as if someone else edited it (to see the 409 dialog); POST /mock/pending/<id>/ puts an
image's embedding back to pending.

Usage: mock_api.py [--port 8765] [--images DIR]
"""

import argparse
import json
import mimetypes
import re
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

FRONTEND = Path(__file__).resolve().parent.parent
DIST = FRONTEND / "dist"
TOKEN = "mock-token"
LOCK = threading.Lock()


def now():
    return datetime.now(timezone.utc).isoformat()


def encode(m):
    rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
    return {"size": [int(m.shape[0]), int(m.shape[1])], "counts": rle["counts"].decode("ascii")}


def decode(rle):
    return mask_utils.decode({"size": rle["size"], "counts": rle["counts"].encode("ascii")}).astype(bool)


class World:
    def __init__(self, image_dir):
        self.categories = [
            {"id": 1, "name": "vehicle", "color": "#e6194b"},
            {"id": 2, "name": "animal", "color": "#3cb44b"},
            {"id": 3, "name": "food", "color": "#4363d8"},
        ]
        self.images = {}
        self.files = {}
        for i, path in enumerate(sorted(Path(image_dir).glob("*.jpg")), start=1):
            w, h = Image.open(path).size
            self.files[i] = path
            self.images[i] = {
                "id": i, "project": 1, "width": w, "height": h, "sha256": f"{i:064x}", "file_name": path.name,
                "file_url": f"/media/{path.name}", "mask_count": 0,
                "embedding_status": "pending" if i == 2 else "ready", "created_at": now(),
            }
        self.masks = {}
        self.next_mask = 1
        self.jobs = {}
        self.prompt_log = []

    def project(self, pid):
        images = [im for im in self.images.values() if im["project"] == pid]
        done = sum(1 for im in images if any(m["image"] == im["id"] for m in self.masks.values()))
        if pid == 1:
            return {"id": 1, "name": "Street and kitchen", "kind": "image", "categories": self.categories,
                    "role": "annotator", "image_count": len(images), "video_count": 0,
                    "mask_count": len(self.masks), "images_done": done}
        if pid == 2:
            return {"id": 2, "name": "Bedroom video", "kind": "video", "categories": self.categories[:1],
                    "role": "annotator", "image_count": 0, "video_count": 1, "mask_count": 0, "images_done": 0}
        return None

    def image(self, iid):
        im = self.images.get(iid)
        if im:
            im["mask_count"] = sum(1 for m in self.masks.values() if m["image"] == iid)
        return im

    def predict(self, iid, body):
        im = self.images[iid]
        if im["embedding_status"] != "ready":
            job = self.jobs.setdefault(iid, {"id": 100 + iid, "kind": "embed", "state": "queued", "progress": 0.0,
                                             "message": "", "polls": 0, "image": iid})
            return 202, {"status": "embedding_pending", "job": {k: job[k] for k in ("id", "state", "progress")}}
        h, w = im["height"], im["width"]
        yy, xx = np.mgrid[0:h, 0:w]
        points = body.get("points", [])
        labels = body.get("labels", [])
        box = body.get("box")
        positives = [p for p, l in zip(points, labels) if l == 1]
        if box:
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            base = max(8, min(box[2] - box[0], box[3] - box[1]) / 2)
        elif positives:
            cx, cy = positives[0]
            base = min(h, w) / 8
        else:
            cx, cy, base = w / 2, h / 2, 4
        radii = [base * 0.5, base, base * 1.6] if body.get("multimask") else [base]
        masks = []
        for k, r in enumerate(radii):
            m = (xx - cx) ** 2 / 1.4 + (yy - cy) ** 2 <= r * r
            for p in positives[1:]:
                m |= (xx - p[0]) ** 2 + (yy - p[1]) ** 2 <= (base / 2) ** 2
            for p, l in zip(points, labels):
                if l == 0:
                    m &= (xx - p[0]) ** 2 + (yy - p[1]) ** 2 > (base / 2) ** 2
            if box:
                m &= (xx >= box[0]) & (xx <= box[2]) & (yy >= box[1]) & (yy <= box[3])
            masks.append({"rle": encode(m), "score": round(0.95 - 0.07 * abs(k - 1), 3)})
        self.prompt_log.append(body)
        return 200, {"masks": masks, "logits_token": f"logits-{iid}-{len(self.prompt_log)}",
                     "model": {"backend": "classical", "version": "classical-grabcut-1", "fallback": True,
                               "reason": "no SAM checkpoint found under models/checkpoints"}}

    def job(self, jid):
        for job in self.jobs.values():
            if job["id"] == jid:
                job["polls"] += 1
                job["state"] = "running" if job["polls"] < 3 else "succeeded"
                job["progress"] = min(1.0, job["polls"] / 3)
                if job["state"] == "succeeded":
                    self.images[job["image"]]["embedding_status"] = "ready"
                return {k: job[k] for k in ("id", "kind", "state", "progress", "message")}
        return None

    def mask_row(self, body, user="ann"):
        m = decode(body["rle"])
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        return {
            "rle": body["rle"], "area": int(mask_utils.area(rle)),
            "bbox": [int(v) for v in mask_utils.toBbox(rle)],
        }


class Handler(BaseHTTPRequestHandler):
    world: World = None  # set in main

    def log_message(self, fmt, *args):  # quiet
        pass

    def send_json(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def authed(self):
        return self.headers.get("Authorization") == f"Token {TOKEN}"

    def send_file(self, path):
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(str(path))[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        path, _, query = self.path.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        w = self.world
        if path.startswith("/static/"):
            target = (DIST / path[len("/static/"):]).resolve()
            if DIST in target.parents and target.is_file():
                return self.send_file(target)
            return self.send_json(404, {"detail": "not found"})
        if path.startswith("/mock/bump/"):
            mid = int(path.split("/")[3])
            with LOCK:
                row = w.masks[mid]
                row["version"] += 1
                row["category"] = 2 if row["category"] != 2 else 1
                row["updated_at"] = now()
            return self.send_json(200, row)
        if path.startswith("/mock/pending/"):
            iid = int(path.split("/")[3])
            with LOCK:
                w.images[iid]["embedding_status"] = "pending"
                w.jobs.pop(iid, None)
            return self.send_json(200, w.images[iid])
        if not path.startswith("/api/") and not path.startswith("/media/"):
            return self.send_file(DIST / "index.html")
        if path == "/api/auth/token/" and method == "POST":
            body = self.body()
            if body.get("username") == "ann" and body.get("password") == "ann":
                return self.send_json(200, {"token": TOKEN})
            return self.send_json(400, {"non_field_errors": ["Unable to log in with provided credentials."]})
        if not self.authed():
            return self.send_json(401, {"detail": "Authentication credentials were not provided."})
        with LOCK:
            return self.api(method, path, params)

    def api(self, method, path, params):
        w = self.world
        m = re.fullmatch(r"/media/(.+)", path)
        if m:
            for iid, file in w.files.items():
                if file.name == m[1]:
                    return self.send_file(file)
            return self.send_json(404, {"detail": "not found"})
        if path == "/api/auth/me/":
            return self.send_json(200, {"id": 1, "username": "ann", "is_staff": False})
        if path == "/api/health/":
            return self.send_json(200, {"status": "ok", "checks": {"database": "ok", "model": {
                "backend": "classical", "version": "classical-grabcut-1", "fallback": True,
                "reason": "no SAM checkpoint found under models/checkpoints"}}})
        if path == "/api/projects/":
            results = [w.project(1), w.project(2)]
            return self.send_json(200, {"count": 2, "next": None, "previous": None, "results": results})
        if m := re.fullmatch(r"/api/projects/(\d+)/", path):
            p = w.project(int(m[1]))
            return self.send_json(200, p) if p else self.send_json(404, {"detail": "Not found."})
        if m := re.fullmatch(r"/api/projects/(\d+)/images/", path):
            images = [w.image(i) for i in sorted(w.images)]
            return self.send_json(200, {"count": len(images), "next": None, "previous": None, "results": images})
        if m := re.fullmatch(r"/api/projects/(\d+)/images/next/", path):
            after = int(params.get("after", 0))
            for iid in sorted(w.images):
                if iid > after and w.image(iid)["mask_count"] == 0:
                    return self.send_json(200, w.image(iid))
            return self.send_json(404, {"detail": "No image needs work."})
        if m := re.fullmatch(r"/api/images/(\d+)/", path):
            im = w.image(int(m[1]))
            return self.send_json(200, im) if im else self.send_json(404, {"detail": "Not found."})
        if m := re.fullmatch(r"/api/images/(\d+)/predict/", path):
            status, body = w.predict(int(m[1]), self.body())
            return self.send_json(status, body)
        if m := re.fullmatch(r"/api/jobs/(\d+)/", path):
            job = w.job(int(m[1]))
            return self.send_json(200, job) if job else self.send_json(404, {"detail": "Not found."})
        if path == "/api/masks/" and method == "GET":
            iid = int(params.get("image", 0))
            rows = [r for r in w.masks.values() if r["image"] == iid]
            return self.send_json(200, {"count": len(rows), "next": None, "previous": None, "results": rows})
        if path == "/api/masks/" and method == "POST":
            body = self.body()
            row = {"id": w.next_mask, "image": body["image"], "category": body.get("category"),
                   **w.mask_row(body), "source": body.get("source", "manual"), "status": "pending", "version": 1,
                   "seconds": body.get("seconds", 0), "clicks": body.get("clicks", 0),
                   "model_version": body.get("model_version"), "created_by": 1, "created_at": now(),
                   "updated_at": now()}
            row["_prompts"] = body.get("prompts", [])
            w.masks[row["id"]] = row
            w.next_mask += 1
            return self.send_json(201, self.public(row))
        if m := re.fullmatch(r"/api/masks/(\d+)/", path):
            row = w.masks.get(int(m[1]))
            if not row:
                return self.send_json(404, {"detail": "Not found."})
            if method == "GET":
                return self.send_json(200, self.public(row))
            version = int(params["version"]) if method == "DELETE" else self.body_cache().get("version")
            if version != row["version"]:
                return self.send_json(409, {"detail": "The mask was changed by someone else.", "current": self.public(row)})
            if method == "DELETE":
                del w.masks[row["id"]]
                return self.send_json(204)
            body = self.body_cache()
            if "rle" in body:
                row.update(w.mask_row(body))
            for key in ("category", "seconds", "clicks"):
                if key in body:
                    row[key] = body[key]
            row["version"] += 1
            row["updated_at"] = now()
            return self.send_json(200, self.public(row))
        return self.send_json(404, {"detail": f"no mock for {method} {path}"})

    def body_cache(self):
        if not hasattr(self, "_body"):
            self._body = self.body()
        return self._body

    @staticmethod
    def public(row):
        return {k: v for k, v in row.items() if not k.startswith("_")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--images", default="/work/shared/fixtures/images")
    args = parser.parse_args()
    Handler.world = World(args.images)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"mock API on http://127.0.0.1:{args.port}/ (user ann / ann)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
