"""Command line: `python -m models list`, `python -m models fetch NAME [--dir DIR]`, and
`python -m models auto-fetch SPEC... [--dir DIR]` (what start-up runs: missing files only, gives up
fast when offline, always exits 0)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from models.autofetch import fetch_missing
from models.checkpoints import BASE_URL_ENV, DEFAULT_CHECKPOINT_DIR, OFFICIAL_CHECKPOINTS, CheckpointError
from models.download import fetch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models", description="Official SAM / SAM 2.1 checkpoints.")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="known checkpoints and whether they are present")
    listing.add_argument("--dir", type=Path, default=DEFAULT_CHECKPOINT_DIR)
    getter = commands.add_parser(
        "fetch", help=f"download and verify a checkpoint (base URL from ${BASE_URL_ENV} if set)"
    )
    getter.add_argument("name", help="spec such as sam:vit_b or sam2:hiera_t, or the official file name")
    getter.add_argument("--dir", type=Path, default=DEFAULT_CHECKPOINT_DIR)
    getter.add_argument("--quiet", action="store_true", help="no progress bar")
    auto = commands.add_parser(
        "auto-fetch", help="fetch the missing official checkpoints among SPECs; say why not and exit 0 when offline"
    )
    auto.add_argument("specs", nargs="+", metavar="SPEC", help="model specs; classical and test ones are skipped")
    auto.add_argument("--dir", type=Path, default=DEFAULT_CHECKPOINT_DIR)
    auto.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    if args.command == "list":
        for info in OFFICIAL_CHECKPOINTS.values():
            present = "present" if (args.dir / info.file_name).is_file() else "absent"
            digest = info.sha256[:12] if info.sha256 else "no sha256 known"
            print(f"{info.name:<14} {info.file_name:<28} {present:<8} sha256 {digest}")
        return 0
    # Stopped by Ctrl+C or by the process that started it (a worker shutting down): the partial file
    # stays, the status record says so, and the next start resumes.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.command == "auto-fetch":
            logging.basicConfig(level=logging.INFO, format="models: %(message)s", stream=sys.stderr)
            fetch_missing(args.specs, args.dir, progress=not args.quiet)
            return 0
        try:
            path = fetch(args.name, args.dir, progress=not args.quiet)
        except (CheckpointError, ValueError, OSError) as error:
            print(f"fetch failed: {error}", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("download interrupted; it resumes where it stopped next time", file=sys.stderr)
        return 130
    print(path)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
