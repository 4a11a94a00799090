"""Fetching the configured default checkpoints when they are missing: what `make run` and each worker
do at start. Start-up never waits on the network: the download runs in its own process, gives up
after a short connect timeout when the host does not answer, and the classical fallback serves
until the file lands (models.registry notices it and says why meanwhile)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from models.checkpoints import BASE_URL_ENV, OFFICIAL_CHECKPOINTS, CheckpointError
from models.download import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    DownloadBusy,
    FetchStatus,
    HostUnreachable,
    checkpoint_url,
    fetch,
    write_status,
)

AUTO_FETCH_ENV = "MODEL_AUTO_FETCH"
REPO_DIR = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoFetchOutcome:
    """One checkpoint's fate. state: "fetched", "failed" or "busy" (another process downloads it);
    reason: the sentence for the log and the UI when not fetched."""

    spec: str
    path: Path
    state: str
    reason: str | None = None


def auto_fetch_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when $MODEL_AUTO_FETCH is 0 / false / no / off (air-gapped sites, CI)."""
    value = (os.environ if environ is None else environ).get(AUTO_FETCH_ENV, "1")
    return value.strip().lower() not in ("0", "false", "no", "off")


def missing_checkpoints(specs: Iterable[str], directory: Path) -> list[str]:
    """The official specs among `specs` whose file is absent from `directory`, each file once, in
    order. "classical", test architectures and unknown specs are skipped (nothing to download)."""
    missing: list[str] = []
    files = set()
    for spec in specs:
        info = OFFICIAL_CHECKPOINTS.get(spec)
        if info is None or info.file_name in files or (Path(directory) / info.file_name).is_file():
            continue
        files.add(info.file_name)
        missing.append(spec)
    return missing


def fetch_missing(
    specs: Iterable[str],
    directory: Path,
    *,
    base_url: str | None = None,
    progress: bool = True,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> list[AutoFetchOutcome]:
    """Download every missing official checkpoint of `specs` into `directory`; never raises for a
    network or digest problem: each outcome carries its reason (also logged, with the command to
    run later). A host that did not answer is not asked again for the next checkpoint."""
    outcomes = []
    unreachable: dict[str, str] = {}
    for spec in missing_checkpoints(specs, directory):
        path = Path(directory) / OFFICIAL_CHECKPOINTS[spec].file_name
        host = urllib.parse.urlsplit(checkpoint_url(spec, base_url)).netloc
        if host in unreachable:
            write_status(path, FetchStatus("failed", unreachable[host], 0, None, time.time()))
            outcomes.append(AutoFetchOutcome(spec, path, "failed", _later(spec, unreachable[host])))
            log.warning("%s", outcomes[-1].reason)
            continue
        size = OFFICIAL_CHECKPOINTS[spec].size_bytes
        log.info(
            "fetching %s (%s%s) into %s; the classical fallback serves until it lands",
            spec,
            OFFICIAL_CHECKPOINTS[spec].file_name,
            "" if size is None else f", {size / 1e6:.0f} MB",
            directory,
        )
        try:
            fetch(
                spec,
                directory,
                base_url=base_url,
                progress=progress,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
            )
        except DownloadBusy as error:
            outcomes.append(AutoFetchOutcome(spec, path, "busy", str(error)))
            log.info("%s", error)
            continue
        except HostUnreachable as error:
            unreachable[host] = str(error)
            outcomes.append(AutoFetchOutcome(spec, path, "failed", _later(spec, str(error))))
        except (OSError, CheckpointError) as error:
            outcomes.append(AutoFetchOutcome(spec, path, "failed", _later(spec, str(error))))
        else:
            outcomes.append(AutoFetchOutcome(spec, path, "fetched"))
            log.info("fetched %s: %s", spec, path)
            continue
        log.warning("%s", outcomes[-1].reason)
    return outcomes


def start_background_fetch(
    specs: Iterable[str],
    directory: Path,
    *,
    environ: Mapping[str, str] | None = None,
    quiet: bool = False,
) -> subprocess.Popen | None:
    """Start `python -m models auto-fetch` for the missing checkpoints of `specs` and return the
    process (the caller stops it on shutdown; a partial download resumes next time), or None when
    nothing is missing or $MODEL_AUTO_FETCH turns fetching off. Returns at once."""
    environment = dict(os.environ if environ is None else environ)
    if not auto_fetch_enabled(environment):
        return None
    missing = missing_checkpoints(specs, directory)
    if not missing:
        return None
    command = [sys.executable, "-m", "models", "auto-fetch", *missing, "--dir", str(directory)]
    if quiet:
        command.append("--quiet")
    return subprocess.Popen(command, cwd=REPO_DIR, env=environment)  # -m finds the package from cwd


def _later(spec: str, why: str) -> str:
    return (
        f"{spec} was not downloaded ({why}); the classical fallback serves. Run `python -m models fetch {spec}` "
        f"when online, or point ${BASE_URL_ENV} at a mirror"
    )
