"""A small process supervisor for the embedded default: it starts the processes of `make run`
(the web server, a worker and beat), restarts any that dies within seconds
while the others keep serving, and stops them all on Ctrl+C or SIGTERM."""

import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessSpec:
    """One supervised process: its name in the logs and its command line."""

    name: str
    argv: list[str]


@dataclass
class Child:
    spec: ProcessSpec
    process: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    next_start: float = 0.0  # while waiting out a back-off after a quick death
    delay: float = field(default=0.0)


class Supervisor:
    """Keeps every process of `specs` running.

    A process that exits is started again after `restart_delay` seconds, doubled (up to `max_delay`)
    each time it dies within `stable_after` seconds of its start, so a process that cannot start
    does not spin. `tick` (every `tick_seconds`) lets the caller do periodic work in this process,
    such as reconciling jobs."""

    def __init__(
        self,
        specs: list[ProcessSpec],
        *,
        cwd: Path,
        env: dict[str, str],
        restart_delay: float = 0.5,
        max_delay: float = 30.0,
        stable_after: float = 30.0,
        poll_seconds: float = 0.2,
        tick: Callable[[], None] | None = None,
        tick_seconds: float = 5.0,
        say: Callable[[str], None] = print,
        status_path: Path | None = None,
    ):
        self.children = [Child(spec) for spec in specs]
        self.cwd, self.env = cwd, env
        self.restart_delay, self.max_delay, self.stable_after = restart_delay, max_delay, stable_after
        self.poll_seconds, self.tick, self.tick_seconds, self.say = poll_seconds, tick, tick_seconds, say
        self.status_path = status_path
        self._stopping = False

    def run(self) -> None:
        """Start everything, supervise until a signal asks to stop, then stop everything."""
        signal.signal(signal.SIGINT, self._ask_stop)
        signal.signal(signal.SIGTERM, self._ask_stop)
        for child in self.children:
            self._start(child)
        last_tick = time.monotonic()
        try:
            while not self._stopping:
                self.poll()
                if self.tick is not None and time.monotonic() - last_tick >= self.tick_seconds:
                    last_tick = time.monotonic()
                    self._run_tick()
                time.sleep(self.poll_seconds)
        finally:
            self.stop()

    def poll(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                code = child.process.returncode
                lived = now - child.started
                child.process = None
                child.delay = (
                    self.restart_delay
                    if lived >= self.stable_after
                    else min(max(child.delay * 2, self.restart_delay), self.max_delay)
                )
                child.next_start = now + child.delay
                self.say(
                    f"{child.spec.name} exited ({_exit_reason(code)}) after {lived:.1f} s; restarting in {child.delay:.1f} s"
                )
            if child.process is None and now >= child.next_start and not self._stopping:
                child.restarts += 1
                self._start(child)

    def stop(self, timeout: float = 20.0) -> None:
        self._stopping = True
        running = [
            child.process for child in self.children if child.process is not None and child.process.poll() is None
        ]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.spec.argv, cwd=self.cwd, env=self.env)
        child.started = time.monotonic()
        log.info("started %s (pid %s)", child.spec.name, child.process.pid)
        self._write_status()

    def _write_status(self) -> None:
        """`name pid` per running child in `status_path` (for operators and the fault tests), replaced
        atomically so a reader never sees half a file."""
        if self.status_path is None:
            return
        lines = "".join(f"{c.spec.name} {c.process.pid}\n" for c in self.children if c.process is not None)
        partial = self.status_path.with_suffix(".tmp")
        partial.write_text(lines)
        os.replace(partial, self.status_path)

    def _run_tick(self) -> None:
        try:
            self.tick()
        except Exception:  # the database may be down for a moment: try again next tick
            log.exception("periodic work of the supervisor failed")

    def _ask_stop(self, *_):
        self._stopping = True


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"status {code}"
