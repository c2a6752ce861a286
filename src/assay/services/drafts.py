"""Draft versions of the standard, reviewed by the practitioners who hold the matching specialist
credentials before they are published.

An editor opens a draft on the latest version: the new version number, a summary and rationale,
the specialist programmes whose holders review it, and the proposed changes (a control's new
statement, each with its rationale). Holders of a current credential of one of those programmes
who opted in to reviews are invited (by e-mail). They comment per change; the editor resolves every
comment (adopted, declined or noted, with a note). Publication needs every comment resolved; it
stores a new version of the standard (the base version with the new statements), whose changelog
lists each change with its rationale, checked with every stored version like an import. Each step is
recorded, and a change triggered by the review is recorded as such for the evolution page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from assay.content import DEFAULT_STANDARD_ID
from assay.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from assay.core.ids import new_id
from assay.core.roles import Permission, Principal, require
from assay.core.standard.export import version_key
from assay.core.standard.model import Change, ChangeKind, Lineage, VersionStatus
from assay.db.models import ChangeTrigger, DraftChange, DraftComment, DraftInvitation, DraftVersion, ReviewOptIn, User
from assay.db.repositories import community as repo
from assay.services import audit, mail, standards
from assay.services import programmes as content
from assay.services.runtime import Runtime

RESOLUTIONS = ("adopted", "declined", "noted")


def set_opt_in(db: Session, rt: Runtime, *, user: User, opted_in: bool) -> None:
    row = db.get(ReviewOptIn, user.id)
    if opted_in and row is None:
        db.add(ReviewOptIn(user_id=user.id, opted_in_at=rt.clock.now()))
    elif not opted_in and row is not None:
        db.delete(row)
    db.flush()


def open_draft(
    db: Session,
    rt: Runtime,
    *,
    editor: Principal,
    version: str,
    summary: str,
    rationale: str,
    programmes: Sequence[str],
    changes: Sequence[tuple[str, str, str]],
) -> DraftVersion:
    """`changes`: (control id, new statement, rationale) for controls of the latest version."""
    require(editor, Permission.STANDARD_EDIT)
    base = standards.latest(db, DEFAULT_STANDARD_ID).version
    if not _valid_number(version) or version_key(version) <= version_key(base.version):
        raise ValidationFailed(
            f"The draft's version must be a number above {base.version} (for example 1.2).",
            {"version": "Above the latest."},
        )
    if any(d.version == version and d.state == "open" for d in repo.drafts(db)):
        raise Conflict(f"A draft of version {version} is already open.")
    specialists = {p.id for p in content.all_programmes() if p.id.startswith("specialist-")}
    if not programmes or any(p not in specialists for p in programmes):
        raise ValidationFailed(
            "Invite the holders of one or more specialist credentials.", {"programmes": "Specialist programmes."}
        )
    if len(summary.strip()) < 20 or len(rationale.strip()) < 20:
        raise ValidationFailed("Give the draft a summary and a rationale (20 characters or more each).")
    controls = {c.id: c for c in base.controls()}
    if not changes:
        raise ValidationFailed("Propose at least one change.")
    for control_id, statement, why in changes:
        if control_id not in controls:
            raise ValidationFailed(f"{control_id} is not a control of version {base.version}.")
        if len(statement.strip()) < 40 or statement.strip() == controls[control_id].statement.strip():
            raise ValidationFailed(
                f"Give {control_id} a new statement (40 characters or more, different from the current one)."
            )
        if len(why.strip()) < 20:
            raise ValidationFailed(f"Say why {control_id} changes (20 characters or more).")
    now = rt.clock.now()
    draft = DraftVersion(
        id=new_id(now),
        base_version=base.version,
        version=version,
        summary=summary.strip(),
        rationale=rationale.strip(),
        programmes=json.dumps(sorted(programmes)),
        state="open",
        opened_by=editor.user_id,
        opened_at=now,
    )
    db.add(draft)
    db.flush()
    for control_id, statement, why in changes:
        db.add(
            DraftChange(
                id=new_id(now),
                draft_id=draft.id,
                control_id=control_id,
                statement=statement.strip(),
                rationale=why.strip(),
            )
        )
    invited = _invite(db, rt, draft)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="draft.opened",
        subject_type="draft_version",
        subject_id=draft.id,
        details={"version": version, "changes": len(changes), "invited": invited},
    )
    return draft


def _valid_number(version: str) -> bool:
    parts = version.split(".")
    return 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)


def _invite(db: Session, rt: Runtime, draft: DraftVersion) -> int:
    programmes = json.loads(draft.programmes)
    now = rt.clock.now()
    count = 0
    for opt in repo.opt_ins(db):
        user = db.get(User, opt.user_id)
        if user is None or not user.is_active:
            continue
        if not any(content.holds_current(db, user.id, p, now) for p in programmes):
            continue
        db.add(DraftInvitation(id=new_id(now), draft_id=draft.id, user_id=user.id, invited_at=now))
        count += 1
        mail.queue(
            db,
            rt,
            to=user.email,
            subject=f"Assay: review the draft of version {draft.version} of the standard",
            text=f"As a holder of a specialist credential you asked to review drafts. Version {draft.version} proposes: {draft.summary}\n\nComment on each change: {rt.settings.base_url.rstrip('/')}/drafts/{draft.id}",
        )
    return count


def _draft(db: Session, draft_id: str) -> DraftVersion:
    draft = repo.draft(db, draft_id)
    if draft is None:
        raise NotFound("No such draft.")
    return draft


def comment(db: Session, rt: Runtime, *, user: User, draft_id: str, change_id: str, text: str) -> DraftComment:
    draft = _draft(db, draft_id)
    if not repo.invited(db, draft.id, user.id):
        raise audit.refuse(
            PermissionDenied("This draft is reviewed by the invited holders of its specialist credentials."),
            clock=rt.clock,
            actor_id=user.id,
            action="draft.comment_refused",
            subject_type="draft_version",
            subject_id=draft.id,
        )
    if draft.state != "open":
        raise Conflict("This draft is closed to comments.")
    change = db.get(DraftChange, change_id)
    if change is None or change.draft_id != draft.id:
        raise NotFound("No such change in this draft.")
    if not 20 <= len(text.strip()) <= 4000:
        raise ValidationFailed("Comment in 20 to 4,000 characters.", {"text": "20 to 4,000 characters."})
    now = rt.clock.now()
    row = DraftComment(
        id=new_id(now), draft_id=draft.id, change_id=change.id, user_id=user.id, text=text.strip(), created_at=now
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=user.id,
        action="draft.commented",
        subject_type="draft_version",
        subject_id=draft.id,
        details={"control": change.control_id},
    )
    return row


def resolve(
    db: Session, rt: Runtime, *, editor: Principal, comment_id: str, resolution: str, note: str
) -> DraftComment:
    require(editor, Permission.STANDARD_EDIT)
    row = db.get(DraftComment, comment_id)
    if row is None:
        raise NotFound("No such comment.")
    if resolution not in RESOLUTIONS:
        raise ValidationFailed(f"Resolve as {', '.join(RESOLUTIONS)}.")
    if len(note.strip()) < 10:
        raise ValidationFailed("Write the resolution the reviewer will read.", {"note": "Required."})
    row.resolution, row.resolution_note, row.resolved_by, row.resolved_at = (
        resolution,
        note.strip(),
        editor.user_id,
        rt.clock.now(),
    )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="draft.comment_resolved",
        subject_type="draft_version",
        subject_id=row.draft_id,
        details={"resolution": resolution},
    )
    return row


def publish(db: Session, rt: Runtime, *, editor: Principal, draft_id: str) -> str:
    require(editor, Permission.STANDARD_EDIT)
    draft = _draft(db, draft_id)
    if draft.state != "open":
        raise Conflict(f"This draft is {draft.state}.")
    open_comments = [c for c in repo.draft_comments(db, draft.id) if c.resolution is None]
    if open_comments:
        raise ValidationFailed(
            f"{len(open_comments)} comments have no resolution; resolve every comment before publishing."
        )
    base = standards.resolve(db, DEFAULT_STANDARD_ID, draft.base_version).version
    changes = repo.draft_changes(db, draft.id)
    new_statement = {c.control_id: c.statement for c in changes}
    # Every control carries over from the base version (its lineage says so); reviewed ones get their new statement.
    domains = tuple(
        d.model_copy(
            update={
                "controls": tuple(
                    c.model_copy(
                        update={
                            "statement": new_statement.get(c.id, c.statement),
                            "lineage": Lineage(derived_from=(c.id,)),
                        }
                    )
                    for c in d.controls
                )
            }
        )
        for d in base.domains
    )
    now = rt.clock.now()
    version = base.model_copy(
        update={
            "version": draft.version,
            "status": VersionStatus.PUBLISHED,
            "released": now.date().isoformat(),
            "summary": draft.summary,
            "rationale": draft.rationale,
            "previous": base.version,
            "domains": domains,
            "changes": tuple(
                Change(kind=ChangeKind.REWORDED, controls=(c.control_id,), rationale=c.rationale) for c in changes
            ),
            "citation": base.citation.replace(base.version, draft.version),
        }
    )
    version = type(version).model_validate(version.model_dump(by_alias=True))  # re-validated as a whole
    standards.publish_version(db, rt, standard_id=DEFAULT_STANDARD_ID, version=version, actor_id=editor.user_id)
    draft.state, draft.published_at = "published", now
    for c in changes:
        db.add(
            ChangeTrigger(
                id=new_id(now),
                standard_version=draft.version,
                target=c.control_id,
                kind="draft-review",
                reference=draft.id,
                note=f"Reviewed in draft by holders of {', '.join(json.loads(draft.programmes))}: {len(repo.draft_comments(db, draft.id))} comments, each resolved.",
                recorded_by=editor.user_id,
                recorded_at=now,
            )
        )
    db.flush()
    audit.record(
        db,
        clock=rt.clock,
        actor_id=editor.user_id,
        action="draft.published",
        subject_type="draft_version",
        subject_id=draft.id,
        details={"version": draft.version},
    )
    return draft.version


def view(db: Session, draft: DraftVersion) -> dict[str, Any]:
    base = {c.id: c for c in standards.resolve(db, DEFAULT_STANDARD_ID, draft.base_version).version.controls()}
    comments = repo.draft_comments(db, draft.id)
    return {
        "id": draft.id,
        "version": draft.version,
        "base": draft.base_version,
        "summary": draft.summary,
        "rationale": draft.rationale,
        "state": draft.state,
        "programmes": json.loads(draft.programmes),
        "changes": [
            {
                "id": c.id,
                "control": c.control_id,
                "title": base[c.control_id].title,
                "current": base[c.control_id].statement,
                "proposed": c.statement,
                "rationale": c.rationale,
                "comments": [
                    {"id": m.id, "text": m.text, "resolution": m.resolution, "note": m.resolution_note}
                    for m in comments
                    if m.change_id == c.id
                ],
            }
            for c in repo.draft_changes(db, draft.id)
        ],
    }
