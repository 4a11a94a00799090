"""Run in a fresh process by test_direct_queues: `publish HOST N` sends N messages to the direct
queue of worker HOST from N threads at once, as the very first messages this process publishes;
`consume HOST N` reads them back from that queue. The broker comes from the environment
(CELERY_BROKER_URL, VAR_DIR); prints JSON."""

import json
import os
import sys
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

import django

django.setup()

from celery.utils.nodenames import worker_direct  # noqa: E402

from backend.jobs.celery_app import app  # noqa: E402
from backend.jobs.publish import destination, direct_queue_name  # noqa: E402


def publish(hostname: str, count: int) -> dict:
    errors: list[str] = []
    barrier = threading.Barrier(count)

    def send(number: int) -> None:
        barrier.wait()  # every thread publishes at the same moment
        try:
            app.send_task("tests.direct_probe", args=[number], queue=destination(direct_queue_name(hostname)))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"errors": errors}


def consume(hostname: str, count: int) -> dict:
    received: list[int] = []
    with app.connection_for_read() as connection:
        queue = worker_direct(hostname)(connection.default_channel)
        queue.declare()
        while (message := queue.get(no_ack=True)) is not None:  # published before: already there
            args, _kwargs, _embed = message.decode()  # Celery's message protocol 2
            received.append(args[0])
    return {"received": sorted(received)}


if __name__ == "__main__":
    action, host, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(publish(host, n) if action == "publish" else consume(host, n)))
