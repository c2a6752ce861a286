"""The issuer's signing keys: the first key, rotation, and the did:web document that lists them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assay.core.credentials.multikey import KeyState, PublishedKey, did_web_document, public_key_multibase
from assay.core.errors import Conflict
from assay.core.ids import new_id
from assay.db.models import SigningKey
from assay.db.repositories import credentials as repo
from assay.infra.keys import Signer
from assay.services import audit, translog
from assay.services.runtime import Runtime


@dataclass(frozen=True)
class ActiveKey:
    record: SigningKey
    verification_method: str
    signer: Signer


def issuer_did(rt: Runtime) -> str:
    return rt.settings.issuer_did


def _create(db: Session, rt: Runtime, *, fragment: str) -> SigningKey:
    now = rt.clock.now()
    key_id = new_id(now)
    public = rt.keys.create(key_id)
    record = SigningKey(
        id=key_id,
        issuer_did=issuer_did(rt),
        fragment=fragment,
        public_key_multibase=public_key_multibase(public),
        state=KeyState.ACTIVE.value,
        created_at=now,
    )
    db.add(record)
    db.flush()
    return record


def ensure_active_key(db: Session, rt: Runtime, *, actor_id: str | None = None) -> SigningKey:
    """The active key, creating the issuer's first one if there is none yet."""
    active = repo.active_key(db, issuer_did(rt))
    if active is not None:
        return active
    if repo.keys_of(db, issuer_did(rt)):
        raise Conflict("The issuer has keys but none is active; rotate to create a new one.")
    record = _create(db, rt, fragment="key-1")
    translog.append(db, rt, event="key.created", subject=record.public_key_multibase, fragment=record.fragment)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor_id,
        action="key.created",
        subject_type="signing_key",
        subject_id=record.id,
        details={
            "verification_method": f"{record.issuer_did}#{record.fragment}",
            "public_key": record.public_key_multibase,
        },
    )
    return record


def active(db: Session, rt: Runtime) -> ActiveKey:
    record = ensure_active_key(db, rt)
    signer = rt.keys.signer(record.id)
    if public_key_multibase(signer.public_key) != record.public_key_multibase:
        raise Conflict("The key store's private key does not match the registered public key; refusing to sign.")
    return ActiveKey(record, f"{record.issuer_did}#{record.fragment}", signer)


def rotate(db: Session, rt: Runtime, *, actor_id: str | None = None) -> SigningKey:
    """Retire the active key and make a new one active. Credentials signed with the old key still verify:
    it stays in the DID document."""
    current = ensure_active_key(db, rt, actor_id=actor_id)
    now = rt.clock.now()
    current.state = KeyState.RETIRED.value
    current.retired_at = now
    db.flush()
    number = len(repo.keys_of(db, issuer_did(rt))) + 1
    record = _create(db, rt, fragment=f"key-{number}")
    translog.append(
        db,
        rt,
        event="key.rotated",
        subject=record.public_key_multibase,
        fragment=record.fragment,
        retired=current.public_key_multibase,
    )
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor_id,
        action="key.rotated",
        subject_type="signing_key",
        subject_id=record.id,
        details={
            "retired": f"{current.issuer_did}#{current.fragment}",
            "active": f"{record.issuer_did}#{record.fragment}",
            "public_key": record.public_key_multibase,
        },
    )
    return record


def did_document(db: Session, rt: Runtime) -> dict[str, Any]:
    keys = [
        PublishedKey(
            fragment=k.fragment,
            public_key_multibase=k.public_key_multibase,
            state=KeyState(k.state),
            revoked=k.compromised_at.replace(microsecond=0).isoformat().replace("+00:00", "Z")
            if k.compromised_at
            else None,
        )
        for k in repo.keys_of(db, issuer_did(rt))
    ]
    return did_web_document(issuer_did(rt), keys)


def listing(db: Session, rt: Runtime) -> list[SigningKey]:
    return repo.keys_of(db, issuer_did(rt))
