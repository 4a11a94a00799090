"""What a validator found: problems as `file: sentence`, and counts of what it checked."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

MAX_PROBLEMS = 200


@dataclass
class Report:
    format: str
    path: str
    problems: list[str] = field(default_factory=list)
    checked: Counter = field(default_factory=Counter)
    _dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {message}")
        else:
            self._dropped += 1

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] += n

    def lines(self) -> list[str]:
        """The report as printed by `manage.py validate_export`."""
        counts = ", ".join(f"{what}: {n}" for what, n in sorted(self.checked.items())) or "nothing"
        if self.ok:
            return [f"OK {self.format} {self.path} (checked {counts})"]
        total = len(self.problems) + self._dropped
        lines = [f"FAILED {self.format} {self.path}: {total} problem{'' if total == 1 else 's'} (checked {counts})"]
        lines.extend(f"  {problem}" for problem in self.problems)
        if self._dropped:
            lines.append(f"  ... and {self._dropped} more")
        return lines


def load_json(data: bytes, where: str, report: Report) -> object | None:
    """Parse JSON, recording a problem (and returning None) when it is not JSON."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add(where, f"not UTF-8 JSON: {exc}")
        return None


def load_json_lines(data: bytes, where: str, report: Report) -> list[tuple[int, object]]:
    """(line number, record) for each non-empty line; bad lines become problems."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(where, f"not UTF-8 text: {exc}")
        return []
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            report.add(f"{where} line {number}", f"not JSON: {exc}")
    return records
