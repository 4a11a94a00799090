"""Command line: `python -m models list` and `python -m models fetch NAME [--dir DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.checkpoints import (
    BASE_URL_ENV,
    DEFAULT_CHECKPOINT_DIR,
    OFFICIAL_CHECKPOINTS,
    CheckpointError,
    fetch,
)


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
    args = parser.parse_args(argv)

    if args.command == "list":
        for info in OFFICIAL_CHECKPOINTS.values():
            present = "present" if (args.dir / info.file_name).is_file() else "absent"
            digest = info.sha256[:12] if info.sha256 else "no sha256 known"
            print(f"{info.name:<14} {info.file_name:<28} {present:<8} sha256 {digest}")
        return 0
    try:
        path = fetch(args.name, args.dir, progress=not args.quiet)
    except (CheckpointError, ValueError, OSError) as error:
        print(f"fetch failed: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
