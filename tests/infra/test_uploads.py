"""Upload inspection: what is accepted, what is refused (and how it is worded), and what is stripped."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image
from pypdf import PdfReader

from assay.core.errors import ValidationFailed
from assay.infra import uploads
from assay.infra.sizes import format_size
from assay.infra.uploads import JPEG, PDF, PNG, TEXT, StoredFile, file_extension, inspect_upload, safe_filename

from .uploads_samples import (
    SECRET,
    encrypted_pdf,
    jpeg_with_metadata,
    palette_png_with_transparency,
    pdf_with_metadata,
    png_with_metadata,
)

MB = 1024 * 1024


def inspect(
    data: bytes, filename: str, declared_type: str | None = None, max_bytes: int = 10 * MB
) -> tuple[bytes, StoredFile]:
    return inspect_upload(data, filename=filename, declared_type=declared_type, max_bytes=max_bytes)


def refusal(data: bytes, filename: str, declared_type: str | None = None, max_bytes: int = 10 * MB) -> str:
    with pytest.raises(ValidationFailed) as caught:
        inspect(data, filename, declared_type, max_bytes)
    assert caught.value.fields.keys() == {"file"}
    return caught.value.message


# --- accepted types -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "media_type"),
    [
        (png_with_metadata(), "photo.png", "image/png"),
        (jpeg_with_metadata(), "photo.jpeg", "image/jpeg"),
        (pdf_with_metadata(), "report.pdf", "application/pdf"),
        (b"plain words\n", "notes.txt", "text/plain"),
        ("# Título\n\n* item\n".encode(), "README.md", "text/markdown"),
        (b'{"a": [1, 2]}', "data.json", "application/json"),
        ("\ufeffwith a byte-order mark".encode(), "bom.txt", "text/plain"),
    ],
)
def test_accepted_types(data: bytes, filename: str, media_type: str) -> None:
    clean, stored = inspect(data, filename)
    assert stored.media_type == media_type
    assert stored.size == len(clean)
    assert stored.key == stored.sha256 == hashlib.sha256(clean).hexdigest()
    assert stored.safe_filename == filename


def test_text_is_stored_unchanged() -> None:
    data = "Zoë’s notes\r\n\ttabbed\n".encode()
    assert inspect(data, "notes.txt")[0] == data


def test_declared_types_that_agree_or_say_nothing_are_fine() -> None:
    pdf = pdf_with_metadata()
    for declared in (None, "", "application/octet-stream", "application/pdf", "Application/PDF; charset=binary"):
        assert inspect(pdf, "r.pdf", declared)[1].media_type == "application/pdf"
    assert inspect(b"{}", "data.json", "text/plain")[1].media_type == "application/json"


def test_missing_extension_is_added_from_the_content() -> None:
    assert inspect(pdf_with_metadata(), "report")[1].safe_filename == "report.pdf"
    assert inspect(b"hello", "README")[1].safe_filename == "README.txt"
    assert inspect(b"# hi", "README", "text/markdown")[1].safe_filename == "README.md"


def test_declared_json_without_extension_must_parse() -> None:
    assert inspect(b"[1]", "export", "application/json")[1].safe_filename == "export.json"
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        inspect(b"[1,", "export", "application/json")


# --- metadata stripping ------------------------------------------------------------------------------------


def test_png_metadata_is_stripped() -> None:
    clean, _ = inspect(png_with_metadata(), "photo.png")
    assert SECRET.encode() not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "PNG"
        assert image.size == (20, 10)
        assert not {"Author", "XML:com.adobe.xmp", "exif", "icc_profile"} & image.info.keys()
        assert image.getpixel((0, 0)) == (200, 30, 30)


def test_jpeg_metadata_is_stripped() -> None:
    clean, _ = inspect(jpeg_with_metadata(), "photo.jpg")
    assert SECRET.encode() not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG"
        assert not {"exif", "icc_profile", "comment", "xmp"} & image.info.keys()
        assert len(image.getexif()) == 0


def test_jpeg_orientation_is_applied_before_exif_is_dropped() -> None:
    clean, _ = inspect(jpeg_with_metadata(size=(20, 10), orientation=6), "sideways.jpg")
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (10, 20)


def test_palette_transparency_survives() -> None:
    clean, _ = inspect(palette_png_with_transparency(), "icon.png")
    with Image.open(io.BytesIO(clean)) as image:
        assert image.mode == "P"
        assert image.info["transparency"] == 0


def test_pdf_metadata_and_scripts_are_stripped() -> None:
    clean, _ = inspect(pdf_with_metadata("Evidence page"), "report.pdf")
    assert SECRET.encode() not in clean
    reader = PdfReader(io.BytesIO(clean))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    root = reader.root_object
    assert not {"/OpenAction", "/Names", "/Metadata", "/AA"} & set(root.keys())
    assert "Evidence page" in reader.pages[0].extract_text()


# --- refusals, worded for people -----------------------------------------------------------------------------


def test_empty_files_are_refused() -> None:
    assert refusal(b"", "empty.txt") == "This file is empty. Choose a file with content."


def test_oversized_files_are_refused_with_sizes() -> None:
    size = int(14.2 * MB)
    assert refusal(b"a" * size, "big.txt") == "This file is 14.2 MB; the limit is 10 MB. Upload a smaller file."
    assert "just over 10 MB; the limit is 10 MB" in refusal(b"a" * (10 * MB + 1), "big.txt")


@pytest.mark.parametrize(
    ("data", "filename", "wording"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "page.txt", "HTML, SVG or XML"),
        (b"  <html><body>hi</body></html>", "page.html", "HTML, SVG or XML"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "chart.svg", "HTML, SVG or XML"),
        (b'<?xml version="1.0"?><root/>', "data.md", "HTML, SVG or XML"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "setup.exe", "a Windows program"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(200), "tool", "a Linux program"),
        (b"PK\x03\x04\x14\x00\x00\x00" + bytes(100), "report.docx", "a ZIP archive"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20), "anim.gif", "a GIF image"),
        (bytes(range(256)) * 4, "blob.bin", "could not recognise"),
        (b"caf\xe9 latin-1 text", "latin1.txt", "could not recognise"),
        (b"text with a NUL\x00 byte", "nul.txt", "could not recognise"),
        (b"escape \x1b[31m codes", "ansi.txt", "could not recognise"),
        (b'a,"b\n', "table.csv", "does not parse as CSV"),
        (b"print('hi')", "script.py", "Files ending in .py are not accepted"),
    ],
)
def test_unaccepted_content_is_refused(data: bytes, filename: str, wording: str) -> None:
    message = refusal(data, filename)
    assert wording in message
    assert message.endswith(".")


def test_contradicting_declared_type_is_refused() -> None:
    message = refusal(pdf_with_metadata(), "report.pdf", "image/png")
    assert (
        message
        == "This file was sent as image/png, but its content is a PDF document. Check that you chose the right file."
    )
    assert "text/html" in refusal(b"hello", "notes.txt", "text/html")
    assert "sent as an unexpected type," in refusal(b"hello", "notes.txt", "<script>alert(1)</script>")


@pytest.mark.parametrize(
    ("data", "filename", "wording"),
    [
        (jpeg_with_metadata(), "photo.png", "The file name ends in .png, but the file is a JPEG image."),
        (pdf_with_metadata(), "report.txt", "The file name ends in .txt, but the file is a PDF document."),
        (png_with_metadata(), "image.exe", "The file name ends in .exe, but the file is a PNG image."),
        (b"just text", "fake.pdf", "The file name ends in .pdf, but the file contains text, not a PDF document."),
    ],
)
def test_contradicting_extension_is_refused(data: bytes, filename: str, wording: str) -> None:
    assert refusal(data, filename).startswith(wording)


def test_invalid_json_is_refused_with_its_position() -> None:
    message = refusal(b'{"a": 1,\n "b": }', "data.json")
    assert message.startswith("This .json file is not valid JSON (line 2, column 7")


def test_deeply_nested_json_is_refused() -> None:
    message = refusal(b"[" * 100_000 + b"]" * 100_000, "deep.json")
    assert "nested too deeply" in message or "not valid JSON" in message


def test_encrypted_pdf_is_refused() -> None:
    assert "password-protected or encrypted" in refusal(encrypted_pdf(), "locked.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.7\ngarbage that is not a PDF", b"%PDF-", pdf_with_metadata()[:300]])
def test_unreadable_pdf_is_refused(data: bytes) -> None:
    assert "This PDF is damaged or could not be read" in refusal(data, "broken.pdf")


def test_truncated_image_is_refused() -> None:
    data = png_with_metadata(size=(400, 400))
    assert "This image is damaged or incomplete" in refusal(data[: len(data) // 2], "half.png")
    assert "This image is damaged or incomplete" in refusal(b"\x89PNG\r\n\x1a\n" + b"junk" * 10, "junk.png")
    assert "This image is damaged or incomplete" in refusal(b"\xff\xd8\xff" + b"junk" * 10, "junk.jpg")


def test_images_over_the_pixel_limit_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 10_000)
    message = refusal(png_with_metadata(size=(200, 100)), "wide.png")
    assert message == (
        "This image is too large (200 × 100 pixels); the limit is 0 megapixels. Resize it and upload it again."
    )


def test_decompression_bombs_are_refused() -> None:
    # 10,000 × 10,000 one-bit pixels compress to a few kilobytes but would decode to 100 megapixels.
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 100_000
    assert "This image is too large (10000 × 10000 pixels)" in refusal(bomb.getvalue(), "bomb.png")


def test_pillows_own_bomb_check_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # Should our limit ever be raised above Pillow's, Pillow's error still becomes a refusal.
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 10**12)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    for size in ((40, 40), (100, 100)):  # warning range (1x-2x the limit) and error range (over 2x)
        assert "This image is too large" in refusal(png_with_metadata(size=size), "big.png")


# --- names ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "kind", "expected"),
    [
        ("../../etc/passwd.txt", TEXT, "passwd.txt"),
        ("C:\\Users\\ada\\Desktop\\cv.pdf", PDF, "cv.pdf"),
        ("report\x00\r\n.pdf", PDF, "report.pdf"),
        ("invoice\u202egnp.pdf", PDF, "invoicegnp.pdf"),  # right-to-left override removed
        ("zero\u200bwidth.png", PNG, "zerowidth.png"),
        ('what"is<this>?.jpg', JPEG, "what_is_this__.jpg"),
        ("PHOTO.JPEG", JPEG, "PHOTO.jpeg"),
        ("...hidden.txt", TEXT, "hidden.txt"),
        ("   .pdf", PDF, "upload.pdf"),
        ("", PDF, "upload.pdf"),
        ("v1.2", PDF, "v1.2.pdf"),
        ("notes  with\t\tspaces .txt", TEXT, "notes with spaces.txt"),
        ("Łódź raport.pdf", PDF, "Łódź raport.pdf"),
    ],
)
def test_safe_filename(filename: str, kind: uploads.FileKind, expected: str) -> None:
    assert safe_filename(filename, kind) == expected


def test_safe_filename_limits_length_and_keeps_the_extension() -> None:
    name = safe_filename("a" * 500 + ".pdf", PDF)
    assert name == "a" * uploads.MAX_FILENAME_STEM + ".pdf"


@pytest.mark.parametrize(
    ("filename", "extension"),
    [("a.PDF", ".pdf"), ("archive.tar.gz", ".gz"), ("v1.2", ""), (".bashrc", ""), ("noext", ""), ("dir.d/file", "")],
)
def test_file_extension(filename: str, extension: str) -> None:
    assert file_extension(filename) == extension


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (10 * MB, "10 MB"),
        (int(14.2 * MB), "14.2 MB"),
        (3 * 1024 * MB, "3 GB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


def test_json_payload_round_trips() -> None:
    payload = {"scores": [1, 2.5], "name": "Zoë"}
    clean, _ = inspect(json.dumps(payload).encode(), "scores.json")
    assert json.loads(clean) == payload


def test_csv_is_accepted_and_formula_cells_are_defused() -> None:
    clean, stored = inspect_upload(
        b"risk,score,note\nvendor,-5,=cmd|calc\n@SUM(A1),+3,-x\n",
        filename="risks.csv",
        declared_type="text/csv",
        max_bytes=1_000_000,
    )
    assert stored.media_type == "text/csv" and stored.safe_filename == "risks.csv"
    lines = clean.decode().splitlines()
    assert lines[1] == "vendor,-5,'=cmd|calc"
    assert lines[2] == "'@SUM(A1),'+3,'-x"
