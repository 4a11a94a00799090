"""An export as the validators see it: a folder, a tar archive (any compression tarfile reads) or a
single file, listed by relative POSIX name. Exports may come from anywhere, so links, special files,
absolute names, names with `..` and members over a size limit are refused before anything is read."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

MAX_MEMBER_BYTES = 2 * 1024**3  # a SA-V video of a few minutes; JSON files are far smaller
MAX_READ_BYTES = 512 * 1024**2  # what one JSON file may take in memory


class TreeError(ValueError):
    """The export cannot be read as a folder, tar archive or file."""


class ExportTree:
    """Read-only view of an export; use as a context manager (a tar stays open inside)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._tar: tarfile.TarFile | None = None
        self._members: dict[str, int] = {}  # name -> size

    def __enter__(self) -> ExportTree:
        if self.path.is_dir():
            self._scan_folder()
        elif self.path.is_file() and tarfile.is_tarfile(self.path):
            self._scan_tar()
        elif self.path.is_file():
            self._members = {self.path.name: self.path.stat().st_size}
        else:
            raise TreeError(f"{self.path} does not exist")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tar is not None:
            self._tar.close()

    @property
    def single_file(self) -> bool:
        return self.path.is_file() and self._tar is None

    def _check(self, name: str, size: int) -> str:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts:
            raise TreeError(f"{name}: names outside the export are not accepted")
        if size > MAX_MEMBER_BYTES:
            raise TreeError(f"{name}: {size} bytes is over the {MAX_MEMBER_BYTES}-byte limit")
        return str(pure)

    def _scan_folder(self) -> None:
        for folder, dirs, files in os.walk(self.path, followlinks=False):
            for entry in dirs + files:
                full = Path(folder) / entry
                if full.is_symlink():
                    raise TreeError(f"{full.relative_to(self.path)}: links are not accepted")
            for entry in files:
                full = Path(folder) / entry
                if not full.is_file():
                    raise TreeError(f"{full.relative_to(self.path)}: not a regular file")
                name = full.relative_to(self.path).as_posix()
                self._members[self._check(name, full.stat().st_size)] = full.stat().st_size

    def _scan_tar(self) -> None:
        try:
            self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115 - closed in __exit__
            for member in self._tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise TreeError(f"{member.name}: links and special files are not accepted")
                name = self._check(member.name, member.size)
                if name in self._members:
                    raise TreeError(f"{name} appears twice in the archive")
                self._members[name] = member.size
        except tarfile.TarError as exc:
            raise TreeError(f"{self.path.name} is not a readable tar archive: {exc}") from exc

    def names(self) -> list[str]:
        return sorted(self._members)

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        return self._members[name]

    def read_bytes(self, name: str) -> bytes:
        if name not in self._members:
            raise TreeError(f"{name} is not in the export")
        if self._members[name] > MAX_READ_BYTES:
            raise TreeError(f"{name}: {self._members[name]} bytes is too large to read")
        if self._tar is not None:
            handle = self._tar.extractfile(name)
            if handle is None:
                raise TreeError(f"{name} cannot be read from the archive")
            return handle.read()
        return (self.path if self.single_file else self.path / name).read_bytes()

    @contextmanager
    def local_file(self, name: str) -> Iterator[str]:
        """A path on disk holding the member (extracted to a temporary file from a tar)."""
        if name not in self._members:
            raise TreeError(f"{name} is not in the export")
        if self._tar is None:
            yield str(self.path if self.single_file else self.path / name)
            return
        handle = self._tar.extractfile(name)
        if handle is None:
            raise TreeError(f"{name} cannot be read from the archive")
        suffix = PurePosixPath(name).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            shutil.copyfileobj(handle, copy)
            copy.flush()
            yield copy.name
