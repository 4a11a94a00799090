"""Failpoints: where fault tests stop a worker in the middle of a job, deterministically.

Off unless the environment names them (never set in a deployment). With JOB_FAILPOINTS=kind,kind
(job kinds, or `*`), the first attempt of a job of such a kind, at its first progress report, writes
`<kind>-<job id>.reached` into JOB_FAILPOINT_DIR and then waits there (up to ten minutes) for the test
to kill the worker, or to let it go on (a `<kind>-<job id>.release` file beside the marker: a cancel
test clicks cancel meanwhile). Later attempts pass, so the job can finish after the kill."""

import os
import time
from pathlib import Path

_KINDS = {kind.strip() for kind in os.environ.get("JOB_FAILPOINTS", "").split(",") if kind.strip()}
_FOLDER = Path(os.environ.get("JOB_FAILPOINT_DIR") or ".")
_WAIT_SECONDS = 600


def failpoint(job) -> None:
    if not _KINDS or job.attempts != 1 or not (job.kind in _KINDS or "*" in _KINDS):
        return
    marker = _FOLDER / f"{job.kind}-{job.pk}.reached"
    if marker.exists():  # one stop per job, even if the first attempt reports progress again
        return
    marker.write_text(str(os.getpid()))
    release = marker.with_suffix(".release")
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline and not release.exists():  # the test kills the worker meanwhile
        time.sleep(0.05)
