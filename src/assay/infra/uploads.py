"""Upload inspection: decide what a file really is, refuse what we do not accept, and strip its metadata."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import struct
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter

from assay.core.errors import ValidationFailed
from assay.infra.sizes import over_limit

#: Images larger than this many pixels are refused before decoding (a 50 MP image is ~150 MB in memory).
MAX_IMAGE_PIXELS = 50_000_000

#: Sanitised file names keep at most this many characters before the extension.
MAX_FILENAME_STEM = 100

ACCEPTED_SUMMARY = "a PDF, PNG, JPEG, plain-text (.txt), Markdown (.md), CSV (.csv) or JSON (.json) file"


@dataclass(frozen=True, slots=True)
class FileKind:
    media_type: str
    label: str  # how a person would name it: "a PNG image"
    extensions: tuple[str, ...]  # first one is canonical
    declared_aliases: frozenset[str]  # client-sent types that agree with this content

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("application/pdf", "a PDF document", (".pdf",), frozenset({"application/pdf", "application/x-pdf"}))
PNG = FileKind("image/png", "a PNG image", (".png",), frozenset({"image/png", "image/x-png"}))
JPEG = FileKind(
    "image/jpeg", "a JPEG image", (".jpg", ".jpeg", ".jpe"), frozenset({"image/jpeg", "image/jpg", "image/pjpeg"})
)
TEXT = FileKind("text/plain", "a plain-text file", (".txt", ".text"), frozenset({"text/plain"}))
# Browsers label .md and .json uploads inconsistently (often text/plain), so those aliases agree too.
MARKDOWN = FileKind(
    "text/markdown",
    "a Markdown file",
    (".md", ".markdown"),
    frozenset({"text/markdown", "text/x-markdown", "text/plain"}),
)
JSON = FileKind(
    "application/json", "a JSON file", (".json",), frozenset({"application/json", "text/json", "text/plain"})
)

CSV = FileKind(
    "text/csv",
    "a CSV file",
    (".csv",),
    frozenset({"text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel", "text/plain"}),
)

KINDS: tuple[FileKind, ...] = (PDF, PNG, JPEG, TEXT, MARKDOWN, JSON, CSV)
_BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
# What clients send when they do not know the type: these contradict nothing.
_UNINFORMATIVE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})

# Only for naming refused binary files in the error message; acceptance never depends on this list.
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (Word, Excel and PowerPoint files are ZIP archives too)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Microsoft Office file"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
# Markup a browser could treat as a page or a script if it were ever served without our headers.
_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|svg|\?xml|script|iframe|frameset|object|embed|meta|style|xsl|!--)[\s>/]",
    re.IGNORECASE,
)
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls other than \t \n \f \r
_FILENAME_FORBIDDEN = re.compile(r'[<>:"|?*;\\/]')


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What we kept: the key is the SHA-256 of the stored (sanitised) bytes, so identical files share a key."""

    key: str
    media_type: str
    size: int
    sha256: str
    safe_filename: str


def inspect_upload(
    data: bytes, *, filename: str, declared_type: str | None, max_bytes: int
) -> tuple[bytes, StoredFile]:
    """Check an upload and return the bytes to store (metadata stripped) with their description.

    Raises ValidationFailed, with a message a person can act on, for anything we do not accept.
    """
    _check_size(len(data), max_bytes)
    extension = file_extension(filename)
    declared = _normalise_type(declared_type)
    kind = _detect(data, extension, declared)
    if declared not in _UNINFORMATIVE_TYPES and declared not in kind.declared_aliases:
        # The declared type is client input echoed into a message: show it only if it looks like a type.
        shown = declared if _MEDIA_TYPE.fullmatch(declared) else "an unexpected type"
        raise ValidationFailed(
            f"This file was sent as {shown}, but its content is {kind.label}. Check that you chose the right file.",
            {"file": "The file type does not match its content."},
        )
    if extension and extension not in kind.extensions:
        raise ValidationFailed(
            f"The file name ends in {extension}, but the file is {kind.label}. "
            f"Rename it to end in {kind.extension} and upload it again.",
            {"file": "The file name does not match its content."},
        )
    clean = _SANITISERS[kind](data)
    digest = hashlib.sha256(clean).hexdigest()
    stored = StoredFile(
        key=digest,
        media_type=kind.media_type,
        size=len(clean),
        sha256=digest,
        safe_filename=safe_filename(filename, kind),
    )
    return clean, stored


def file_extension(filename: str) -> str:
    """The lower-cased extension (".pdf"), or "" when the name has none (or only a version-like ".2")."""
    base = _basename(filename)
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem.strip(" ."):
        return ""
    candidate = f".{ext}"
    return candidate.lower() if len(candidate) <= 11 and _EXTENSION.fullmatch(candidate) else ""


def safe_filename(filename: str, kind: FileKind) -> str:
    """A name safe in any header or file system: no directories, no control or bidi characters, bounded length."""
    name = unicodedata.normalize("NFC", _basename(filename))
    name = re.sub(r"\s+", " ", name)  # tabs and line breaks become spaces before control characters go
    # Category C covers control, format (bidi overrides such as U+202E, zero-width), private-use and unassigned.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = re.sub(" +", " ", _FILENAME_FORBIDDEN.sub("_", name)).strip()
    extension = file_extension(name)
    if extension in kind.extensions:
        stem = name[: -len(extension)]
    else:
        extension = kind.extension
        stem = "" if name.lower() in kind.extensions else name  # ".pdf" alone names nothing
    # A leading dot would make a hidden file on download; trailing dots and spaces are dropped by Windows.
    stem = stem.strip(" .")[:MAX_FILENAME_STEM].strip(" .") or "upload"
    return f"{stem}{extension}"


def _basename(filename: str) -> str:
    # Browsers on Windows have sent full paths ("C:\\Users\\...\\cv.pdf"), so split on both separators.
    return re.split(r"[\\/]", filename)[-1]


def _normalise_type(declared_type: str | None) -> str:
    return (declared_type or "").split(";", 1)[0].strip().lower()


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise ValidationFailed("This file is empty. Choose a file with content.", {"file": "The file is empty."})
    if size > max_bytes:
        shown, limit = over_limit(size, max_bytes)
        raise ValidationFailed(
            f"This file is {shown}; the limit is {limit}. Upload a smaller file.", {"file": "The file is too large."}
        )


def _detect(data: bytes, extension: str, declared: str) -> FileKind:
    """The kind the bytes themselves say they are; the name and declared type only pick among text kinds."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    text = _as_text(data)
    if text is None:
        described = next((label for magic, label in _REFUSED_SIGNATURES if data.startswith(magic)), None)
        what = f"This file is {described}" if described else "We could not recognise this file's type"
        raise ValidationFailed(f"{what}. Upload {ACCEPTED_SUMMARY}.", {"file": "This type of file is not accepted."})
    if _MARKUP.match(text.lstrip()):
        raise ValidationFailed(
            f"This file is HTML, SVG or XML markup, which we do not accept. Upload {ACCEPTED_SUMMARY}; "
            "save web pages and drawings as PDF.",
            {"file": "Markup files are not accepted."},
        )
    kind = _BY_EXTENSION.get(extension) if extension else _text_kind_for_declared(declared)
    if kind is None or kind in (PDF, PNG, JPEG):
        if kind is None:
            raise ValidationFailed(
                f"Files ending in {extension} are not accepted. Upload {ACCEPTED_SUMMARY}.",
                {"file": "This type of file is not accepted."},
            )
        raise ValidationFailed(
            f"The file name ends in {extension}, but the file contains text, not {kind.label}. "
            "Check that you chose the right file.",
            {"file": "The file name does not match its content."},
        )
    if kind is JSON:
        _check_json(text)
    if kind is CSV:
        _check_csv(text)
    return kind


def _text_kind_for_declared(declared: str) -> FileKind:
    if declared in JSON.declared_aliases - {"text/plain"}:
        return JSON
    if declared in MARKDOWN.declared_aliases - {"text/plain"}:
        return MARKDOWN
    return TEXT


def _as_text(data: bytes) -> str | None:
    """The content as text, or None when it is binary (NUL bytes, invalid UTF-8, stray control characters)."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if _TEXT_CONTROL.search(text) else text


def _check_json(text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"This .json file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "Fix it, or upload it as a .txt file.",
            {"file": "The JSON does not parse."},
        ) from exc
    except RecursionError as exc:
        raise ValidationFailed(
            "This JSON file is nested too deeply to read.", {"file": "The JSON is nested too deeply."}
        ) from exc


def _check_csv(text: str) -> None:
    try:
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as exc:
        raise ValidationFailed(
            f"This .csv file does not parse as CSV ({exc}). Fix it, or upload it as a .txt file.",
            {"file": "The CSV does not parse."},
        ) from exc
    if not rows:
        raise ValidationFailed("This CSV file is empty.", {"file": "Empty file."})


#: A cell a spreadsheet would run as a formula: =, +, @, tab or CR first, or - not starting a number.
_FORMULA_CELL = re.compile(r"^(?:[=+@\t\r]|-(?![0-9.]))")


def _clean_csv(data: bytes) -> bytes:
    """Defuse CSV injection: a cell that would open as a formula is prefixed with an apostrophe
    (OWASP's advice), so a reviewer opening the file in a spreadsheet sees text, never runs code."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["'" + cell if _FORMULA_CELL.match(cell) else cell for cell in row])
    return out.getvalue().encode("utf-8")


def _unchanged(data: bytes) -> bytes:
    return data


def _clean_png(data: bytes) -> bytes:
    return _reencode_image(data, "PNG")


def _clean_jpeg(data: bytes) -> bytes:
    return _reencode_image(data, "JPEG")


def _reencode_image(data: bytes, pil_format: str) -> bytes:
    """Decode and re-encode, so only pixels survive: no EXIF (GPS, camera serials), XMP, ICC or text chunks."""
    damaged = ValidationFailed(
        "This image is damaged or incomplete and could not be read. Export it again and upload the new file.",
        {"file": "The image could not be read."},
    )
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice that; treat the warning as the error it is.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[pil_format]) as opened:
                width, height = opened.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels(width, height)
                opened.load()
                # Apply the EXIF orientation to the pixels first: once EXIF is gone, nothing else would.
                image = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(*_declared_size(data)) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise damaged from exc
    # Transparency is pixel data for palette PNGs, not metadata; everything else in .info goes.
    image.info = {k: v for k, v in image.info.items() if k == "transparency" and pil_format == "PNG"}
    out = io.BytesIO()
    # Explicit empties as well as the cleared .info: the encoders fall back to .info for some fields.
    # Dropping ICC can shift colours slightly for wide-gamut photos; profiles can carry vendor text.
    options: dict[str, object] = {"exif": b"", "icc_profile": None}
    if pil_format == "JPEG":
        options.update(quality=90, comment=b"", xmp=b"")
    try:
        image.save(out, format=pil_format, **options)
    except (OSError, ValueError) as exc:
        raise damaged from exc
    return out.getvalue()


def _declared_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header, for the error message; Pillow refuses to open a bomb at all."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return (0, 0)


def _too_many_pixels(width: int, height: int) -> ValidationFailed:
    megapixels = MAX_IMAGE_PIXELS // 1_000_000
    size = f" ({width} × {height} pixels)" if width and height else ""
    return ValidationFailed(
        f"This image is too large{size}; the limit is {megapixels} megapixels. Resize it and upload it again.",
        {"file": "The image has too many pixels."},
    )


def _clean_pdf(data: bytes) -> bytes:
    """Rewrite the pages into a new document: no info dictionary, no XMP, no document-level scripts."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationFailed(
                "This PDF is password-protected or encrypted. Save an unprotected copy and upload that.",
                {"file": "Encrypted PDFs are not accepted."},
            )
        writer = PdfWriter()
        # Copying pages (not cloning the catalogue) leaves behind everything document-level: /Info,
        # /Metadata (XMP), /OpenAction, JavaScript and embedded files in /Names, /AcroForm. Annotations
        # on a page travel with it (their actions too): stored PDFs are only ever served as attachments.
        for page in reader.pages:
            copied = writer.add_page(page)
            for key in ("/Metadata", "/AA", "/PieceInfo"):
                if key in copied:
                    del copied[key]
        if not writer.pages:
            raise ValidationFailed("This PDF has no pages.", {"file": "The PDF has no pages."})
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except ValidationFailed:
        raise
    except Exception as exc:  # pypdf raises many unrelated types on hostile input
        raise ValidationFailed(
            "This PDF is damaged or could not be read. Export or print it to PDF again and upload the new file.",
            {"file": "The PDF could not be read."},
        ) from exc
    return out.getvalue()


_SANITISERS: dict[FileKind, Callable[[bytes], bytes]] = {
    PDF: _clean_pdf,
    PNG: _clean_png,
    JPEG: _clean_jpeg,
    TEXT: _unchanged,
    MARKDOWN: _unchanged,
    JSON: _unchanged,
    CSV: _clean_csv,
}
