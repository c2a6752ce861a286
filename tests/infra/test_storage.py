"""File stores (local disk and the in-memory fake) and the headers for serving stored files."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from urllib.parse import unquote

import pytest

from assay.core.errors import IntegrityViolation, NotFound, ValidationFailed
from assay.infra.storage import (
    FileStore,
    LocalFileStore,
    MemoryFileStore,
    StoredFile,
    content_disposition,
    download_headers,
    file_store_from_settings,
)
from assay.settings import Settings

from .uploads_samples import SECRET, pdf_with_metadata, png_with_metadata


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return LocalFileStore(tmp_path / "uploads", max_bytes=1024 * 1024)
    return MemoryFileStore(max_bytes=1024 * 1024)


# --- behaviour both stores share ---------------------------------------------------------------------------


def test_put_open_delete(store: FileStore) -> None:
    stored = store.put(png_with_metadata(), filename="photo.png", declared_type="image/png")
    data = store.open(stored.key)
    assert hashlib.sha256(data).hexdigest() == stored.key
    assert SECRET.encode() not in data
    store.delete(stored.key)
    with pytest.raises(NotFound):
        store.open(stored.key)
    store.delete(stored.key)  # deleting twice is fine


def test_identical_content_shares_a_key(store: FileStore) -> None:
    first = store.put(b"same bytes", filename="a.txt", declared_type=None)
    second = store.put(b"same bytes", filename="b.txt", declared_type="text/plain")
    assert first.key == second.key
    assert (first.safe_filename, second.safe_filename) == ("a.txt", "b.txt")


def test_refusals_store_nothing(store: FileStore) -> None:
    with pytest.raises(ValidationFailed, match="the limit is 1 MB"):
        store.put(b"x" * (2 * 1024 * 1024), filename="big.txt", declared_type=None)
    with pytest.raises(ValidationFailed, match="HTML"):
        store.put(b"<html><script>alert(1)</script></html>", filename="x.txt", declared_type="text/plain")


@pytest.mark.parametrize("key", ["nope", "../../etc/passwd", "A" * 64, "0" * 63, "0" * 64 + "/x"])
def test_unknown_or_malformed_keys_are_not_found(store: FileStore, key: str) -> None:
    with pytest.raises(NotFound):
        store.open(key)
    store.delete(key)


# --- the local store ----------------------------------------------------------------------------------------


def test_local_layout_and_permissions(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    stored = LocalFileStore(root).put(pdf_with_metadata(), filename="r.pdf", declared_type="application/pdf")
    path = root / stored.key[:2] / stored.key[2:]
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [stored.key[2:]]  # no temporary files left behind


def test_local_detects_corruption(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    stored = store.put(b"original", filename="a.txt", declared_type=None)
    (tmp_path / stored.key[:2] / stored.key[2:]).write_bytes(b"tampered")
    with pytest.raises(IntegrityViolation, match="does not match its checksum"):
        store.open(stored.key)


def test_local_store_survives_a_restart(tmp_path: Path) -> None:
    stored = LocalFileStore(tmp_path).put(b"kept", filename="a.txt", declared_type=None)
    assert LocalFileStore(tmp_path).open(stored.key) == b"kept"


def test_settings_factory(tmp_path: Path) -> None:
    store = file_store_from_settings(Settings(data_dir=tmp_path, upload_dir=None, upload_max_bytes=2048))
    assert isinstance(store, LocalFileStore)
    assert store.directory == tmp_path / "uploads"
    assert store.max_bytes == 2048
    custom = file_store_from_settings(Settings(data_dir=tmp_path, upload_dir=tmp_path / "elsewhere"))
    assert isinstance(custom, LocalFileStore)
    assert custom.directory == tmp_path / "elsewhere"


# --- download headers ----------------------------------------------------------------------------------------


def stored_file(media_type: str, name: str) -> StoredFile:
    return StoredFile(key="0" * 64, media_type=media_type, size=1, sha256="0" * 64, safe_filename=name)


def test_download_headers_make_files_inert() -> None:
    headers = download_headers(stored_file("application/pdf", "report.pdf"))
    assert headers == {
        "Content-Type": "application/pdf",
        "Content-Disposition": "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


@pytest.mark.parametrize(
    ("media_type", "content_type"),
    [
        ("text/plain", "text/plain; charset=utf-8"),
        ("text/markdown", "text/markdown; charset=utf-8"),
        ("application/json", "application/json"),
        ("image/png", "image/png"),
        ("image/jpeg", "image/jpeg"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
    ],
)
def test_content_type_is_never_active(media_type: str, content_type: str) -> None:
    assert download_headers(stored_file(media_type, "f"))["Content-Type"] == content_type


def test_unicode_filenames_are_rfc5987_encoded() -> None:
    header = content_disposition("Łódź raport “final”.pdf")
    fallback, encoded = header.removeprefix("attachment; ").split("; ")
    assert fallback == 'filename="odz raport final.pdf"'  # the ASCII fallback drops what it cannot spell
    assert encoded.startswith("filename*=UTF-8''")
    assert unquote(encoded.removeprefix("filename*=UTF-8''"), encoding="utf-8") == "Łódź raport “final”.pdf"
    assert header.isascii()


def test_filenames_without_ascii_fall_back_to_a_generic_name() -> None:
    assert content_disposition("報告.pdf").startswith('attachment; filename="download.pdf"; ')


def test_stored_names_cannot_break_the_header(store: FileStore) -> None:
    stored = store.put(b"hi", filename='evil"; filename=x.html\r\n.txt', declared_type=None)
    header = download_headers(stored)["Content-Disposition"]
    assert header.count('"') == 2
    assert "\r" not in header
    assert "\n" not in header
