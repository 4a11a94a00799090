"""The embedded default's supervisor: a child that dies is started again within a second while the
others keep running; one that keeps dying at once waits longer each time; stop ends them all."""

import os
import signal
import sys
import time

from backend.config.supervisor import ProcessSpec, Supervisor
from tests.conftest import wait_until

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
QUITTER = [sys.executable, "-c", "raise SystemExit(3)"]


def test_a_killed_child_is_restarted_and_the_other_keeps_running(tmp_path):
    lines = []
    supervisor = Supervisor(
        [ProcessSpec("web", SLEEPER), ProcessSpec("worker", SLEEPER)],
        cwd=tmp_path,
        env=dict(os.environ),
        say=lines.append,
        status_path=tmp_path / "pids",
    )
    try:
        for child in supervisor.children:
            supervisor._start(child)
        web, worker = (child.process.pid for child in supervisor.children)
        os.kill(worker, signal.SIGKILL)
        killed = time.monotonic()

        def restarted():
            supervisor.poll()
            return supervisor.children[1].process is not None and supervisor.children[1].process.pid != worker

        wait_until(restarted, timeout=10, interval=0.05, what="the worker restarted")
        assert time.monotonic() - killed < 2.0
        assert supervisor.children[0].process.pid == web and supervisor.children[0].process.poll() is None
        assert len(lines) == 1 and lines[0].startswith("worker exited (signal SIGKILL) after ")
        assert lines[0].endswith("; restarting in 0.5 s")
        assert (tmp_path / "pids").read_text() == f"web {web}\nworker {supervisor.children[1].process.pid}\n"
    finally:
        supervisor.stop(timeout=5)
    assert all(child.process.poll() is not None for child in supervisor.children)


def test_a_child_that_keeps_dying_waits_longer_each_time(tmp_path):
    lines = []
    supervisor = Supervisor(
        [ProcessSpec("broken", QUITTER)], cwd=tmp_path, env=dict(os.environ), say=lines.append, max_delay=2.0
    )
    supervisor._start(supervisor.children[0])
    try:
        wait_until(lambda: supervisor.poll() or len(lines) >= 4, timeout=30, interval=0.02, what="four exits")
    finally:
        supervisor.stop(timeout=5)
    delays = [float(line.rsplit("restarting in ", 1)[1].split()[0]) for line in lines[:4]]
    assert delays == [0.5, 1.0, 2.0, 2.0] and all("status 3" in line for line in lines[:4])
