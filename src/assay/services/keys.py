"""The issuer's signing keys: the first key, rotation, and the did:web document that lists them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assay.core.credentials.multikey import KeyState, PublishedKey, did_web_document, public_key_multibase
from assay.core.errors import Conflict, NotFound, ValidationFailed
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
    return _create_logged(db, rt, fragment="key-1", actor_id=actor_id)


def _create_logged(
    db: Session, rt: Runtime, *, fragment: str, actor_id: str | None, replaces: str | None = None
) -> SigningKey:
    """A new active key, with its log entry and audit entry."""
    record = _create(db, rt, fragment=fragment)
    translog.append(db, rt, event="key.created", subject=record.public_key_multibase, fragment=record.fragment)
    details = {
        "verification_method": f"{record.issuer_did}#{record.fragment}",
        "public_key": record.public_key_multibase,
    }
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor_id,
        action="key.created",
        subject_type="signing_key",
        subject_id=record.id,
        details={**details, "replaces": replaces} if replaces else details,
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
    it stays in the DID document. Its private key is destroyed."""
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
    # A retired key never signs again: its private half is destroyed (the public half stays published,
    # so what it signed keeps verifying), and the destruction is logged.
    if rt.keys.destroy(current.id):
        translog.append(db, rt, event="key.destroyed", subject=current.public_key_multibase, fragment=current.fragment)
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


def compromise(db: Session, rt: Runtime, *, fragment: str, reason: str, actor_id: str | None = None) -> SigningKey:
    """Mark a key compromised: it leaves the DID document's assertion methods (verifiers stop trusting
    it), its private key is destroyed, and, if it was the active key, a new one takes over. Credentials
    it signed stay valid only where the transparency log shows them under a head signed before now:
    whoever holds the stolen key can backdate `proof.created`, but not the log's past heads."""
    if not reason.strip():
        raise ValidationFailed("Say why the key is compromised; it is kept in the audit trail.")
    key = next((k for k in repo.keys_of(db, issuer_did(rt)) if k.fragment == fragment), None)
    if key is None:
        raise NotFound(f"The issuer has no key {fragment}.")
    if key.state == KeyState.COMPROMISED.value:
        raise Conflict(f"Key {fragment} is already marked compromised.")
    was_active = key.state == KeyState.ACTIVE.value
    now = rt.clock.now()
    key.state = KeyState.COMPROMISED.value
    key.compromised_at = now
    if key.retired_at is None:
        key.retired_at = now
    db.flush()
    translog.append(db, rt, event="key.compromised", subject=key.public_key_multibase, fragment=key.fragment)
    destroyed = rt.keys.destroy(key.id)
    translog.append(db, rt, event="key.destroyed", subject=key.public_key_multibase, fragment=key.fragment)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=actor_id,
        action="key.compromised",
        subject_type="signing_key",
        subject_id=key.id,
        details={
            "verification_method": f"{key.issuer_did}#{key.fragment}",
            "reason": reason.strip(),
            "destroyed": destroyed,
        },
    )
    if was_active:
        number = len(repo.keys_of(db, issuer_did(rt))) + 1
        _create_logged(db, rt, fragment=f"key-{number}", actor_id=actor_id, replaces=fragment)
    from assay.services import statuslists  # statuslists signs with keys: import at use, not at load

    statuslists.publish(db, rt, force=True)  # lists signed with the withdrawn key would no longer verify
    translog.publish_head(db, rt)  # a head, signed by a trusted key, that fixes the moment
    return key


def compromised_key(db: Session, rt: Runtime, *, verification_method: str) -> SigningKey | None:
    did, _, fragment = verification_method.partition("#")
    if did != issuer_did(rt):
        return None
    key = next((k for k in repo.keys_of(db, did) if k.fragment == fragment), None)
    return key if key is not None and key.state == KeyState.COMPROMISED.value else None


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
