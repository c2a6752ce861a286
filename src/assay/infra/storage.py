"""File storage for uploads: a FileStore protocol, a local-disk store, an in-memory fake, and safe download headers."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from assay.core.errors import IntegrityViolation, NotFound
from assay.infra.uploads import KINDS, StoredFile, inspect_upload
from assay.settings import Settings

__all__ = [
    "FileStore",
    "LocalFileStore",
    "MemoryFileStore",
    "StoredFile",
    "download_headers",
    "file_store_from_settings",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_KEY = re.compile(r"[0-9a-f]{64}")
# Text is served with an explicit charset so no browser guesses one (charset sniffing was an XSS vector).
_SERVE_AS = {kind.media_type: kind.media_type for kind in KINDS} | {
    "text/plain": "text/plain; charset=utf-8",
    "text/markdown": "text/markdown; charset=utf-8",
}


class FileStore(Protocol):
    def put(self, data: bytes, *, filename: str, declared_type: str | None) -> StoredFile:
        """Inspect, sanitise and keep an upload; raise ValidationFailed for anything not accepted.

        Storage is content-addressed: the same sanitised bytes always get the same key, and storing them
        twice keeps one copy. Callers that delete must therefore know no other record uses the key.
        """
        ...

    def open(self, key: str) -> bytes:
        """The stored bytes; NotFound for an unknown (or malformed) key."""
        ...

    def delete(self, key: str) -> None:
        """Forget the bytes. Deleting an unknown key is not an error (deletes are retried)."""
        ...


class LocalFileStore:
    """Keeps files under directory/ab/cdef… (the key split after two characters), mode 0600, written atomically."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    def put(self, data: bytes, *, filename: str, declared_type: str | None) -> StoredFile:
        clean, stored = inspect_upload(data, filename=filename, declared_type=declared_type, max_bytes=self.max_bytes)
        path = self._path(stored.key)
        if path.is_file():
            return stored  # same key, same bytes: already kept
        self._make_private_dir(path.parent)
        # Write beside the target then rename, so a reader never sees a partial file under a real key.
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")  # mkstemp creates 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(clean)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return stored

    def open(self, key: str) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("That file does not exist.") from exc
        # Content addressing makes corruption (or tampering) on disk detectable for free.
        if hashlib.sha256(data).hexdigest() != key:
            raise IntegrityViolation(f"The stored file {key} does not match its checksum.")
        return data

    def delete(self, key: str) -> None:
        if _KEY.fullmatch(key):
            self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        # Keys come back from URLs and forms: anything but 64 hex digits could be a path traversal.
        if not _KEY.fullmatch(key):
            raise NotFound("That file does not exist.")
        return self.directory / key[:2] / key[2:]

    def _make_private_dir(self, path: Path) -> None:
        for directory in (self.directory, path):
            if not directory.is_dir():
                directory.mkdir(parents=True, exist_ok=True)
                os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask


class MemoryFileStore:
    """Test fake with the same inspection and refusals as the real store, keeping bytes in a dict."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes, *, filename: str, declared_type: str | None) -> StoredFile:
        clean, stored = inspect_upload(data, filename=filename, declared_type=declared_type, max_bytes=self.max_bytes)
        self.files[stored.key] = clean
        return stored

    def open(self, key: str) -> bytes:
        try:
            return self.files[key]
        except KeyError as exc:
            raise NotFound("That file does not exist.") from exc

    def delete(self, key: str) -> None:
        self.files.pop(key, None)


def download_headers(stored: StoredFile) -> dict[str, str]:
    """Headers for serving a stored file so that no browser ever treats it as a page or runs it."""
    return {
        # Our accepted types never include HTML; anything unexpected is served as opaque bytes.
        "Content-Type": _SERVE_AS.get(stored.media_type, "application/octet-stream"),
        "Content-Disposition": content_disposition(stored.safe_filename),
        "X-Content-Type-Options": "nosniff",
        # If a browser renders it anyway (a PDF viewer in a tab), it runs with no origin and loads nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form (RFC 6266 section 4.3)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = _ascii_fallback(stem) or "download"
    ascii_ext = _ascii_fallback(ext)
    fallback = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _ascii_fallback(text: str) -> str:
    # Decompose accents (é -> e) then keep only characters that need no quoting inside a quoted-string.
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9 ._()+-]", "_", decomposed).strip(" ._")


def file_store_from_settings(settings: Settings) -> FileStore:
    """The local store under ASSAY_UPLOAD_DIR (default: data_dir/uploads), capped at ASSAY_UPLOAD_MAX_BYTES."""
    return LocalFileStore(settings.resolved_upload_dir, settings.upload_max_bytes)
