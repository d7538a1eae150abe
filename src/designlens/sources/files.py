"""Files, directories and globs on the local disk."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from designlens.errors import InputError
from designlens.images import IMAGE_SUFFIXES


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A place an image can be read from; its identity is known only once read."""

    path: str

    @property
    def name(self) -> str:
        return Path(self.path).name

    def read(self) -> bytes:
        try:
            return Path(self.path).read_bytes()
        except OSError as exc:
            raise InputError(self.path, f"cannot read ({exc.strerror or exc})") from None


def resolve_paths(paths: Iterable[str]) -> tuple[list[ImageRef], list[InputError]]:
    """Expand files, directories (recursively, image suffixes only) and globs.

    A named file is taken whatever its suffix (the decoder judges it); problems with
    one path are returned as errors and never stop the others.
    """
    refs: dict[str, ImageRef] = {}
    errors: list[InputError] = []
    for raw in paths:
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            errors.append(InputError(raw, "no file matches this pattern"))
        for item in matches:
            path = Path(item)
            if path.is_dir():
                found = sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                )
                if not found:
                    errors.append(InputError(item, "directory holds no images"))
                for p in found:
                    refs.setdefault(str(p), ImageRef(str(p)))
            elif path.is_file():
                refs.setdefault(str(path), ImageRef(str(path)))
            else:
                errors.append(InputError(item, "no such file or directory"))
    return list(refs.values()), errors
