"""Sample uploads for the storage tests, each carrying the metadata the store must strip."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

SECRET = "Secret Person"
FAKE_ICC = b"fake-icc-profile with vendor text " + SECRET.encode()
XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><dc:creator>{SECRET}</dc:creator></rdf:RDF></x:xmpmeta>'


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x010E] = SECRET  # ImageDescription
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


def png_with_metadata(size: tuple[int, int] = (20, 10)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("XML:com.adobe.xmp", XMP)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, exif=_exif().tobytes(), icc_profile=FAKE_ICC)
    return out.getvalue()


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (4, 4), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 1)
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    return out.getvalue()


def jpeg_with_metadata(size: tuple[int, int] = (20, 10), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (30, 30, 200))
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=_exif(orientation).tobytes(),
        icc_profile=FAKE_ICC,
        comment=SECRET.encode(),
        xmp=XMP.encode(),
    )
    return out.getvalue()


def pdf_with_metadata(text: str = "Evidence page") -> bytes:
    pdf = FPDF()
    pdf.set_author(SECRET)
    pdf.set_title(SECRET)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.add_metadata({"/Subject": SECRET})
    writer.xmp_metadata = XMP.encode()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    writer.add_attachment("payload.html", b"<script>alert(1)</script>")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_metadata())))
    writer.encrypt("user-password", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
