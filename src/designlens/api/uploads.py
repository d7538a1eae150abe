"""Uploaded images: unpacked from zips under guards, checked for size, stored by SHA-256.

The runtime's instances reference image paths, so every upload gets a home on disk:
`<data>/images/<sha[:2]>/<sha>/<name>`. The same bytes uploaded twice are stored once.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from designlens.api.problems import Problem
from designlens.api.settings import Limits
from designlens.images import IMAGE_SUFFIXES

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Upload:
    """One image as received: the name the user gave it and its bytes."""

    name: str
    data: bytes


def safe_name(name: str) -> str:
    """A file name that cannot climb directories or surprise a shell."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE.sub("_", base).strip("._")[:100]
    return cleaned or "image"


def is_zip(name: str, data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip")


def unsafe_member(name: str) -> bool:
    """True for a zip name that is absolute, climbs with `..` or names a drive (path traversal)."""
    norm = name.replace("\\", "/")
    parts = PurePosixPath(norm).parts
    return norm.startswith("/") or ".." in parts or bool(re.match(r"^[A-Za-z]:", norm))


def unzip(name: str, data: bytes, limits: Limits) -> tuple[list[Upload], list[str]]:
    """The images inside a zip and the names of members skipped (not images, hidden files).

    Raises Problem 422 for a corrupt zip or a traversal name, 413 when the entry count or
    the unzipped size (counted while reading, not trusted from the header) is over the limit.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Problem(422, f"{name}: not a readable zip archive ({exc})") from None
    bad = [m.filename for m in members if unsafe_member(m.filename)]
    if bad:
        raise Problem(422, f"{name}: zip member '{bad[0]}' escapes the archive (path traversal refused)")
    if len(members) > limits.max_zip_entries:
        raise Problem(
            413, f"{name}: zip has {len(members)} entries, over the limit of {limits.max_zip_entries}"
        )
    declared = sum(m.file_size for m in members)
    if declared > limits.max_unzipped_bytes:
        raise Problem(
            413, f"{name}: zip unpacks to {declared:,} bytes, over the limit of "
            f"{limits.max_unzipped_bytes:,} (zip bomb guard)",
        )
    images: list[Upload] = []
    skipped: list[str] = []
    total = 0
    for member in members:
        path = PurePosixPath(member.filename)
        hidden = any(p.startswith(".") or p == "__MACOSX" for p in path.parts)
        if hidden or path.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(member.filename)
            continue
        chunks: list[bytes] = []
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_unzipped_bytes:
                        raise Problem(
                            413, f"{name}: zip unpacks to more than {limits.max_unzipped_bytes:,} bytes "
                            "(zip bomb guard)",
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise Problem(422, f"{name}: zip member {member.filename!r} is unreadable ({exc})") from None
        except NotImplementedError as exc:  # an unsupported compression method
            raise Problem(422, f"{name}: zip member {member.filename!r}: {exc}") from None
        images.append(Upload(f"{name}/{member.filename}", b"".join(chunks)))
    return images, skipped


def expand(files: Iterable[Upload], limits: Limits) -> tuple[list[Upload], list[str]]:
    """Uploaded files with zips replaced by their images; plus the zip members skipped."""
    out: list[Upload] = []
    skipped: list[str] = []
    for f in files:
        if is_zip(f.name, f.data):
            images, passed = unzip(f.name, f.data, limits)
            out.extend(images)
            skipped.extend(passed)
        else:
            out.append(f)
        if len(out) > limits.max_images:
            raise Problem(413, f"more than {limits.max_images} images in one job (limit {limits.max_images})")
    return out, skipped


def check_pixels(upload: Upload, max_pixels: int) -> None:
    """Refuse an image whose header declares more than `max_pixels` (decompression bomb).

    Only the header is read. Bytes Pillow cannot identify pass: the job reports that image
    as failed and completes with the others.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(upload.data)) as img:
                width, height = img.size
    except Image.DecompressionBombError:
        width, height = 1 << 16, 1 << 16  # over Pillow's own hard limit: certainly over ours
    except Exception:  # not an image Pillow knows: the job's decoder names the problem
        return
    if width * height > max_pixels:
        raise Problem(
            413, f"{upload.name}: image is {width}x{height} = {width * height:,} pixels, over the limit "
            f"of {max_pixels:,} (decompression bomb guard)",
        )


class ImageStore:
    """Content-addressed image files under `root/images`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "images"
        self._root_resolved = self.root.resolve()
        self._names: dict[str, str] = {}

    def put(self, upload: Upload) -> Path:
        """Store the bytes (once per SHA-256) and return the file's path; writes are atomic."""
        digest = hashlib.sha256(upload.data).hexdigest()
        folder = self.root / digest[:2] / digest
        existing = self.image_path(digest)
        if existing is not None:
            return existing
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe_name(upload.name)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(upload.data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def display_name(self, path: str) -> str:
        """What a user calls a stored image: its file name, not the server's path.

        Remembered: every SSE event and status read asks, and resolving a path is a few
        system calls on the event loop."""
        name = self._names.get(path)
        if name is None:
            try:
                name = Path(path).resolve().relative_to(self._root_resolved).name
            except ValueError:
                name = Path(path).name
            if len(self._names) > 100_000:
                self._names.clear()
            self._names[path] = name
        return name

    def image_path(self, image_id: str) -> Path | None:
        if not re.fullmatch(r"[0-9a-f]{64}", image_id):
            return None
        folder = self.root / image_id[:2] / image_id
        files = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
        return files[0] if files else None
