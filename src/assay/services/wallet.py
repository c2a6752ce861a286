"""The holder's side of a credential: who may see their name on its public page, a PDF certificate
with a QR code to that page, and a link that adds it to a LinkedIn profile."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from sqlalchemy.orm import Session

from assay.core.errors import ValidationFailed
from assay.db.models import IssuedCredential, User
from assay.infra.pdf import PdfDocument
from assay.services import audit, issuance
from assay.services.runtime import Runtime

VISIBILITY = {
    "public": "Public: anyone with the link sees your name (and the directory may list it)",
    "link": "Link only: anyone with the link sees your name; it is never listed",
    "anonymous": "Hide my name: the page confirms the credential but not who holds it",
}


def page_url(rt: Runtime, credential: IssuedCredential) -> str:
    return f"{rt.settings.base_url.rstrip('/')}/credentials/{credential.public_id}"


def set_visibility(db: Session, rt: Runtime, *, user_id: str, public_id: str, visibility: str) -> IssuedCredential:
    if visibility not in VISIBILITY:
        raise ValidationFailed("Choose public, link only, or hide my name.", {"visibility": "Choose one."})
    credential = issuance.held_credential(db, user_id=user_id, public_id=public_id)
    if credential.visibility != visibility:
        credential.visibility = visibility
        db.flush()
        audit.record(
            db,
            clock=rt.clock,
            actor_id=user_id,
            action="credential.visibility_changed",
            subject_type="credential",
            subject_id=public_id,
            details={"visibility": visibility},
        )
    return credential


def certificate_pdf(db: Session, rt: Runtime, *, credential: IssuedCredential) -> bytes:
    """A one-page certificate: who, what, against which standard version, until when, and the QR code
    and address where anyone can check it is still valid."""
    holder = db.get(User, credential.user_id) if credential.user_id else None
    programme = issuance.programmes().get(credential.programme_id)
    name = programme.name if programme else credential.programme_id
    url = page_url(rt, credential)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    doc = PdfDocument(f"{name} certificate", generated_at=rt.clock.now())
    doc.heading(name)
    doc.paragraph(f"Awarded to {holder.display_name if holder else 'the holder'} by Assay.")
    doc.key_value_table(
        [
            ("Issued", credential.issued_at.strftime("%d %B %Y")),
            ("Valid until", credential.valid_until.strftime("%d %B %Y") if credential.valid_until else "No expiry"),
            ("Assessed against", f"{credential.standard_id} version {credential.standard_version}"),
            ("Credential ID", credential.public_id),
        ]
    )
    if programme:
        doc.paragraph(programme.description)
    doc.heading("Check it", 2)
    doc.paragraph(
        "This certificate is a copy. The credential itself is a signed Open Badges 3.0 document; scan the "
        f"code or open {url} to see whether it is valid today (it may have expired, or been suspended or revoked)."
    )
    doc.image(qr.getvalue(), width_mm=40, alt=f"QR code linking to {url}")
    return doc.to_bytes()


def linkedin_url(rt: Runtime, credential: IssuedCredential) -> str:
    """LinkedIn's add-to-profile link for a certification (opened by the holder; nothing is sent by us)."""
    programme = issuance.programmes().get(credential.programme_id)
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": programme.name if programme else credential.programme_id,
        "organizationName": "Assay",
        "issueYear": credential.issued_at.year,
        "issueMonth": credential.issued_at.month,
        "certUrl": page_url(rt, credential),
        "certId": credential.public_id,
    }
    if credential.valid_until:
        params |= {"expirationYear": credential.valid_until.year, "expirationMonth": credential.valid_until.month}
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
