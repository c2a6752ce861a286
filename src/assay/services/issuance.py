"""Issuance: credentials come only from an IssuanceDecision that a registrar who did not grade approved.

A decision may cover many people (a batch); issuing it twice never issues twice (one credential per
decision subject, enforced by a unique constraint as well as by the check here).
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assay.content import DEFAULT_STANDARD_ID, PROGRAMMES_FILE
from assay.core.accounts import normalise_email
from assay.core.credentials.openbadges import (
    CredentialContent,
    EvidenceSpec,
    IssuerProfile,
    Programme,
    ResultDescriptionSpec,
    ResultSpec,
    StandardAlignment,
    SubjectIdentity,
    build_credential,
    check_required_fields,
)
from assay.core.credentials.programmes import ProgrammeCatalogue, ProgrammeDef, load_programmes
from assay.core.credentials.statuslist import status_entry
from assay.core.credentials.verification import format_time
from assay.core.errors import Conflict, IntegrityViolation, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id, new_token
from assay.core.roles import Permission, Principal, decide, require
from assay.db.models import DecisionSubject, IssuanceDecision, IssuedCredential, Organisation, StatusList, User
from assay.db.repositories import accounts as account_repo
from assay.db.repositories import credentials as repo
from assay.services import audit, integrations, keys, standards, statuslists, translog
from assay.services.accounts import principal_for
from assay.services.runtime import Runtime
from assay.services.signing import sign_document

_catalogue: ProgrammeCatalogue | None = None


def programmes() -> ProgrammeCatalogue:
    global _catalogue
    if _catalogue is None:
        _catalogue = load_programmes(PROGRAMMES_FILE)
    return _catalogue


@dataclass(frozen=True)
class SubjectInput:
    email: str
    results: Sequence[dict[str, str]] = ()  # {"description": <result description id>, "value": ..., "status": ...}
    evidence: Sequence[dict[str, str]] = ()  # {"id": URL, "name": ..., "description": ...}
    renews: str | None = None  # the public ID of the person's credential this one renews


def _user(db: Session, email: str, what: str) -> User:
    user = account_repo.user_by_email(db, normalise_email(email))
    if user is None:
        raise NotFound(f"No account uses {email} ({what}).")
    return user


def _check_results(programme: ProgrammeDef, results: Sequence[dict[str, str]], who: str) -> list[dict[str, str]]:
    known = {r.id for r in programme.result_descriptions}
    clean = []
    for r in results:
        description = str(r.get("description", ""))
        if description not in known:
            names = ", ".join(sorted(known)) or "none"
            raise ValidationFailed(
                f"{who}: result “{description}” is not defined by {programme.id} (defined: {names})."
            )
        clean.append(
            {k: str(v) for k, v in r.items() if k in {"description", "value", "status"} and v not in (None, "")}
        )
    return clean


def _check_evidence(evidence: Sequence[dict[str, str]], who: str) -> list[dict[str, str]]:
    clean = []
    for e in evidence:
        url = str(e.get("id", ""))
        if not url.startswith("https://") and not url.startswith("http://"):
            raise ValidationFailed(f"{who}: evidence needs an http(s) link, got “{url}”.")
        clean.append(
            {"id": url, "name": str(e.get("name") or "Evidence"), "description": str(e.get("description") or "")}
        )
    return clean


def check_subjects(
    db: Session, *, programme_id: str, subjects: Sequence[SubjectInput], grader_email: str | None = None
) -> list[str | None]:
    """Every row's problem (None where the row is fine), all at once: a batch of thousands is corrected
    in one pass, not one error per run. create_decision still checks everything itself."""
    programme = programmes().get(programme_id)
    if programme is None:
        return [None] * len(subjects)  # not a row's problem: create_decision names the unknown programme
    grader = account_repo.user_by_email(db, normalise_email(grader_email)) if grader_email else None
    seen: set[str] = set()
    problems: list[str | None] = []
    for subject in subjects:
        try:
            user = _user(db, subject.email, "candidate")
            if user.id in seen:
                raise ValidationFailed(f"{user.email} appears twice in this batch.")
            if grader is not None and user.id == grader.id:
                raise ValidationFailed(f"{user.email} cannot be graded by themselves.")
            seen.add(user.id)
            _check_results(programme, subject.results, user.email)
            _check_evidence(subject.evidence, user.email)
            if subject.renews is not None:
                _check_renewal(db, subject.renews, user, programme)
            problems.append(None)
        except (NotFound, ValidationFailed) as exc:
            problems.append(exc.message)
    return problems


def _new_decision(
    db: Session,
    rt: Runtime,
    programme: ProgrammeDef,
    graded_by_email: str,
    rationale: str,
    standard_version: str,
    created_by: str | None,
) -> tuple[IssuanceDecision, User]:
    """The pending decision itself, graded by a reviewer and with a rationale; subjects are added by the caller."""
    if not rationale.strip():
        raise ValidationFailed("Say why: a decision needs a rationale.", {"rationale": "Required."})
    grader = _user(db, graded_by_email, "grader")
    if not decide(principal_for(db, grader), Permission.SUBMISSION_REVIEW).allowed:
        raise ValidationFailed(f"{grader.email} is not a reviewer; only reviewers grade.")
    version = standards.resolve(db, DEFAULT_STANDARD_ID, standard_version)
    now = rt.clock.now()
    decision = IssuanceDecision(
        id=new_id(now),
        programme_id=programme.id,
        standard_id=DEFAULT_STANDARD_ID,
        standard_version=version.version.version,
        graded_by=grader.id,
        created_by=created_by,
        created_at=now,
        rationale=rationale.strip(),
        status="pending",
    )
    db.add(decision)
    db.flush()
    return decision, grader


def create_decision(
    db: Session,
    rt: Runtime,
    *,
    programme_id: str,
    subjects: Sequence[SubjectInput],
    graded_by_email: str,
    rationale: str,
    standard_version: str = "latest",
    created_by: str | None = None,
) -> IssuanceDecision:
    """Record who earned what, on what evidence, graded by whom. Nothing can be signed until it is approved."""
    programme = programmes().get(programme_id)
    if not subjects:
        raise ValidationFailed("A decision needs at least one person.")
    decision, grader = _new_decision(db, rt, programme, graded_by_email, rationale, standard_version, created_by)
    seen: set[str] = set()
    for subject in subjects:
        user = _user(db, subject.email, "candidate")
        if user.id in seen:
            raise ValidationFailed(f"{user.email} appears twice in this decision.")
        if user.id == grader.id:
            raise ValidationFailed(f"{user.email} cannot be graded by themselves.")
        seen.add(user.id)
        if subject.renews is not None:
            _check_renewal(db, subject.renews, user, programme)
        db.add(
            DecisionSubject(
                id=new_id(rt.clock.now()),
                decision_id=decision.id,
                user_id=user.id,
                results=json.dumps(_check_results(programme, subject.results, user.email)),
                evidence=json.dumps(_check_evidence(subject.evidence, user.email)),
                renews=subject.renews,
            )
        )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=created_by,
        action="issuance.decision_recorded",
        subject_type="issuance_decision",
        subject_id=decision.id,
        details={
            "programme": programme.id,
            "standard_version": decision.standard_version,
            "subjects": len(seen),
            "graded_by": grader.id,
        },
    )
    return decision


def create_organisation_decision(
    db: Session,
    rt: Runtime,
    *,
    programme_id: str,
    organisation: Organisation,
    graded_by_email: str,
    rationale: str,
    results: Sequence[dict[str, str]] = (),
    created_by: str | None = None,
) -> IssuanceDecision:
    """A decision about an organisation (the practice certification): one subject, the organisation."""
    programme = programmes().get(programme_id)
    if programme.holder != "organisation":
        raise ValidationFailed(f"{programme.name} certifies people, not organisations.")
    decision, grader = _new_decision(db, rt, programme, graded_by_email, rationale, "latest", created_by)
    now = rt.clock.now()
    db.add(
        DecisionSubject(
            id=new_id(now),
            decision_id=decision.id,
            user_id=None,
            organisation_id=organisation.id,
            results=json.dumps(_check_results(programme, results, organisation.name)),
            evidence="[]",
        )
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=created_by,
        action="issuance.decision_recorded",
        subject_type="issuance_decision",
        subject_id=decision.id,
        organisation_id=organisation.id,
        details={"programme": programme.id, "organisation": organisation.id, "graded_by": grader.id},
    )
    return decision


def _check_renewal(db: Session, public_id: str, user: User, programme: ProgrammeDef) -> None:
    """A renewal names a credential of the same person and programme that was not revoked."""
    old = repo.credential(db, public_id)
    if old is None or old.user_id != user.id:
        raise ValidationFailed(f"{user.email} holds no credential {public_id} to renew.")
    if old.programme_id != programme.id:
        raise ValidationFailed(
            f"Credential {public_id} is for another programme ({old.programme_id}); renew like with like."
        )
    if old.state == "revoked":
        raise ValidationFailed(
            f"Credential {public_id} was revoked; a revoked credential is not renewed, it is earned again."
        )


def renewal_of(db: Session, public_id: str) -> IssuedCredential | None:
    """The newest credential issued to renew this one, if any."""
    return repo.renewal_of(db, public_id)


def approve(db: Session, rt: Runtime, *, registrar: Principal, decision_id: str) -> IssuanceDecision:
    """The human gate: a registrar, who is not the grader nor one of the people it covers, approves."""
    require(registrar, Permission.CREDENTIAL_APPROVE)
    decision = repo.decision(db, decision_id, lock=True)
    if decision is None:
        raise NotFound(f"No issuance decision {decision_id}.")
    if decision.status != "pending":
        raise Conflict(f"Decision {decision_id} is {decision.status}; only a pending decision can be approved.")
    if registrar.user_id == decision.graded_by:
        raise PermissionDenied("The registrar who approves must not be the person who graded.")
    if registrar.user_id in {s.user_id for s in repo.subjects_of(db, decision.id)}:
        raise PermissionDenied("A registrar cannot approve a decision about themselves.")
    decision.status = "approved"
    decision.approved_by = registrar.user_id
    decision.approved_at = rt.clock.now()
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action="issuance.decision_approved",
        subject_type="issuance_decision",
        subject_id=decision.id,
        details={"programme": decision.programme_id},
    )
    return decision


def issue(
    db: Session,
    rt: Runtime,
    *,
    decision_id: str,
    actor_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> list[IssuedCredential]:
    """Sign one credential per person of an approved decision; people already issued are skipped.

    With `limit`, sign at most that many and stop: a caller issuing a large batch commits after each
    call (idempotence makes that safe) and keeps every transaction, and the session, small."""
    decision = repo.decision(db, decision_id, lock=True)
    if decision is None:
        raise NotFound(f"No issuance decision {decision_id}.")
    if decision.status not in {"approved", "issued"} or decision.approved_by is None:
        raise PermissionDenied(f"Decision {decision_id} is not approved by a registrar; nothing can be signed.")
    if decision.approved_by == decision.graded_by:
        raise IntegrityViolation(f"Decision {decision_id} was approved by its grader; refusing to sign.")
    programme = programmes().get(decision.programme_id)
    version = standards.resolve(db, decision.standard_id, decision.standard_version)
    key = keys.active(db, rt)
    issued = []
    total, remaining = repo.subject_counts(db, decision.id)
    batch = repo.subjects_to_issue(db, decision.id, limit=limit)
    more = remaining > len(batch)
    for n, subject in enumerate(batch, start=1):
        issued.append(_issue_one(db, rt, decision, subject, programme, version, key))
        if progress is not None:
            progress(total - remaining + n, total)
    if not more:
        decision.status = "issued"
    db.flush()
    if issued and not more:  # a head at once, so every new holder's download carries its inclusion proof
        translog.publish_head(db, rt)
    return issued


def _issue_one(
    db: Session,
    rt: Runtime,
    decision: IssuanceDecision,
    subject: DecisionSubject,
    programme: ProgrammeDef,
    version: standards.StoredVersion,
    key: keys.ActiveKey,
) -> IssuedCredential:
    user = db.get(User, subject.user_id) if subject.user_id else None
    organisation = db.get(Organisation, subject.organisation_id) if subject.organisation_id else None
    now = rt.clock.now()
    public_id = new_token()
    base = rt.settings.base_url
    entries = []
    allocations = {}
    for purpose in ("revocation", "suspension"):
        status_list, index = statuslists.allocate(db, rt, credential_public_id=public_id, purpose=purpose)
        allocations[purpose] = (status_list.id, index)
        entries.append(status_entry(list_url=statuslists.list_url(rt, status_list), purpose=purpose, index=index))
    valid_until = _add_months(now, programme.validity_months)
    programme_url = f"{base}/programmes/{programme.id}"
    content = CredentialContent(
        id=f"{base}/credentials/{public_id}",
        issuer=IssuerProfile(key.record.issuer_did, "Assay", base),
        programme=Programme(
            id=programme_url,
            name=programme.name,
            description=programme.description,
            criteria=programme.criteria,
            version=programme.version,
            achievement_type=programme.achievement_type,
            result_descriptions=tuple(
                ResultDescriptionSpec(f"{programme_url}#{r.id}", r.name, r.result_type, r.value_min, r.value_max)
                for r in programme.result_descriptions
            ),
        ),
        # A person is named by a salted hash of their e-mail; an organisation by its public practice page.
        subject=SubjectIdentity.hashed(user.email)
        if user is not None
        else SubjectIdentity(did=f"{base}/practices/{organisation.slug if organisation else ''}"),
        alignment=StandardAlignment(
            version.info.title,
            version.version.version,
            f"{base}/standard/{version.version.version}",
            version.content_hash,
        ),
        valid_from=format_time(now),
        valid_until=format_time(valid_until),
        results=tuple(
            ResultSpec(f"{programme_url}#{r['description']}", r.get("value"), r.get("status"))
            for r in json.loads(subject.results)
        ),
        evidence=tuple(
            EvidenceSpec(e["id"], e["name"], e["description"] or None) for e in json.loads(subject.evidence)
        ),
        status=tuple(entries),
    )
    unsigned = build_credential(content)
    problems = check_required_fields(unsigned)
    if problems:
        raise IntegrityViolation("The credential would not be valid Open Badges 3.0: " + "; ".join(problems))
    signed = sign_document(unsigned, key=key, rt=rt)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    credential = IssuedCredential(
        id=new_id(now),
        public_id=public_id,
        decision_subject_id=subject.id,
        user_id=user.id if user is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
        programme_id=programme.id,
        standard_id=decision.standard_id,
        standard_version=decision.standard_version,
        signing_key_id=key.record.id,
        document=text,
        document_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        cryptosuite=signed["proof"]["cryptosuite"],
        valid_from=now,
        valid_until=valid_until,
        state="active",
        issued_at=now,
        renews=subject.renews,
    )
    db.add(credential)
    db.flush()
    translog.append(
        db,
        rt,
        event="credential.issued",
        subject=credential.document_sha256,
        key=key.record.public_key_multibase,
    )
    audit.record(
        db,
        clock=rt.clock,
        actor_id=decision.approved_by,
        action="credential.issued",
        subject_type="credential",
        subject_id=public_id,
        details={
            "decision": decision.id,
            "programme": programme.id,
            "standard_version": decision.standard_version,
            "document_sha256": credential.document_sha256,
            "revocation_index": allocations["revocation"][1],
            "suspension_index": allocations["suspension"][1],
        },
    )
    integrations.credential_event(db, rt, credential=credential, event="credential.issued")
    return credential


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


STATE_ACTIONS = {"revoke": ("revocation", True), "suspend": ("suspension", True), "reinstate": ("suspension", False)}


def change_state(
    db: Session, rt: Runtime, *, registrar: Principal, public_id: str, action: str, reason: str
) -> IssuedCredential:
    """Revoke (for good), suspend, or reinstate (a suspension only), with a reason, by a registrar."""
    require(registrar, Permission.CREDENTIAL_REVOKE)
    if action not in STATE_ACTIONS:
        raise ValidationFailed("The action is revoke, suspend or reinstate.")
    if not reason.strip():
        raise ValidationFailed("Give a reason; it is kept in the audit trail.", {"reason": "Required."})
    credential = repo.credential(db, public_id)
    if credential is None:
        raise NotFound("No credential has that ID.")
    if credential.state == "revoked":
        raise Conflict("This credential is revoked; revocation cannot be undone.")
    if action == "reinstate" and credential.state != "suspended":
        raise Conflict("Only a suspended credential can be reinstated.")
    if action == "suspend" and credential.state == "suspended":
        raise Conflict("This credential is already suspended.")
    purpose, value = STATE_ACTIONS[action]
    allocation = next(
        (a for a in repo.allocations_of(db, public_id) if db.get_one(StatusList, a.status_list_id).purpose == purpose),
        None,
    )
    if allocation is None:
        raise IntegrityViolation(f"The credential has no {purpose} status entry.")
    statuslists.set_bit(db, rt, status_list_id=allocation.status_list_id, index=allocation.list_index, value=value)
    credential.state = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}[action]
    credential.state_reason = reason.strip()
    credential.state_changed_at = rt.clock.now()
    credential.state_changed_by = registrar.user_id
    db.flush()
    event = {"revoke": "credential.revoked", "suspend": "credential.suspended", "reinstate": "credential.reinstated"}[
        action
    ]
    translog.append(db, rt, event=event, subject=credential.document_sha256)
    audit.record(
        db,
        clock=rt.clock,
        actor_id=registrar.user_id,
        action=f"credential.{credential.state if action != 'reinstate' else 'reinstated'}",
        subject_type="credential",
        subject_id=public_id,
        details={"reason": reason.strip(), "status_index": allocation.list_index},
    )
    event = {"revoke": "credential.revoked", "suspend": "credential.suspended", "reinstate": "credential.reinstated"}[
        action
    ]
    integrations.credential_event(db, rt, credential=credential, event=event)
    return credential


def document_of(credential: IssuedCredential) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(credential.document)
    return data


def held_by(db: Session, *, user_id: str) -> list[IssuedCredential]:
    return repo.credentials_of_user(db, user_id)


def held_credential(db: Session, *, user_id: str, public_id: str) -> IssuedCredential:
    """A credential, if this user holds it. Anyone else gets NotFound (not a hint that it exists)."""
    credential = repo.credential(db, public_id)
    if credential is None or credential.user_id != user_id:
        raise NotFound("You hold no credential with that ID.")
    return credential


def decision_view(db: Session, *, decision_id: str) -> dict[str, Any]:
    decision = repo.decision(db, decision_id)
    if decision is None:
        raise NotFound(f"No issuance decision {decision_id}.")
    subjects = repo.subjects_of(db, decision.id)
    issued = [c.public_id for s in subjects if (c := repo.credential_for_subject(db, s.id)) is not None]
    return {
        "id": decision.id,
        "programme": decision.programme_id,
        "standard_version": decision.standard_version,
        "status": decision.status,
        "subjects": len(subjects),
        "credentials": issued,
    }
