"""Conformance of an export to its official format: schema, value types, and cross-references (ids,
file names, frame counts, masklet ids shared between SA-V and PLM files). `validate_export` returns
a Report whose problems are sentences naming the file and field; `manage.py validate_export` prints
it. A SA-V export given as `sav` lets the PLM validators check their references into it."""

from __future__ import annotations

import os

from engine.formats.validation.report import Report
from engine.formats.validation.tree import ExportTree, TreeError

FORMATS = ("coco", "sa1b", "sav", "plm-fgqa", "plm-stc")

__all__ = ["FORMATS", "ExportTree", "Report", "TreeError", "validate_export"]


def validate_export(path: str | os.PathLike, fmt: str, *, sav: str | os.PathLike | None = None) -> Report:
    """Check the export at `path` (a folder, a tar archive, or the JSON / JSON Lines file) against
    format `fmt`.

    Args:
        sav: for plm-fgqa and plm-stc, the project's SA-V export, to check video names, masklet
            ids, frame counts and times against it.
    Raises:
        ValueError: an unknown format.
    """
    from engine.formats.validation import coco, plm, sa1b
    from engine.formats.validation import sav as sav_checks

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {list(FORMATS)}, got {fmt!r}")
    report = Report(format=fmt, path=str(path))
    try:
        with ExportTree(path) as tree:
            if fmt == "coco":
                coco.check(tree, report)
            elif fmt == "sa1b":
                sa1b.check(tree, report)
            elif fmt == "sav":
                sav_checks.check(tree, report)
            else:
                videos = None
                if sav is not None:
                    with ExportTree(sav) as sav_tree:
                        videos = sav_checks.videos_of(sav_tree, report)
                (plm.check_fgqa if fmt == "plm-fgqa" else plm.check_stc)(tree, report, videos)
    except TreeError as exc:
        report.add(os.path.basename(str(path)), str(exc))
    return report
