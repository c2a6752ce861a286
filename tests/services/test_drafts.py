"""Draft versions reviewed by opted-in specialist holders, from invitation to a published version."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.errors import PermissionDenied, ValidationFailed
from assay.db.models import AuditEntry
from assay.db.repositories import community as community_repo
from assay.services import accounts, drafts, feedback, standards
from assay.services.runtime import Runtime
from tests.certifying import PASSWORD, grant, make_cast, principal

NEW_RD02 = (
    "The retriever enforces the caller's entitlements in the query itself, and every cache of retrieved "
    "content or generated answers is keyed by those entitlements, so nothing one user may see is served to another."
)


def test_a_draft_from_invitation_to_a_published_version(db: Session, rt: Runtime) -> None:
    cast = make_cast(db, rt)
    editor = principal(db, cast["eve"])
    holder = accounts.sign_up(db, rt, email="rhea@example.org", display_name="Rhea", password=PASSWORD)
    grant(db, rt, "rhea@example.org", "specialist-retrieval-governance")
    grant(db, rt, "kim@example.org", "specialist-retrieval-governance")  # holds it but did not opt in
    drafts.set_opt_in(db, rt, user=holder, opted_in=True)
    with pytest.raises(ValidationFailed, match=r"above 1\.1"):
        drafts.open_draft(
            db,
            rt,
            editor=editor,
            version="1.0",
            summary="x" * 30,
            rationale="y" * 30,
            programmes=["specialist-retrieval-governance"],
            changes=[("RD-02", NEW_RD02, "Semantic caches leaked across tenants.")],
        )
    with pytest.raises(ValidationFailed, match="specialist"):
        drafts.open_draft(
            db,
            rt,
            editor=editor,
            version="1.2",
            summary="x" * 30,
            rationale="y" * 30,
            programmes=["foundation"],
            changes=[("RD-02", NEW_RD02, "Semantic caches leaked across tenants.")],
        )
    draft = drafts.open_draft(
        db,
        rt,
        editor=editor,
        version="1.2",
        summary="Caches come under the retrieval entitlement control.",
        rationale="Holders reported answers served from caches across entitlements.",
        programmes=["specialist-retrieval-governance"],
        changes=[("RD-02", NEW_RD02, "Semantic caches served one user's answer to another (practitioner feedback).")],
    )
    assert community_repo.invited(db, draft.id, holder.id) and not community_repo.invited(db, draft.id, cast["kim"].id)
    change_id = drafts.view(db, draft)["changes"][0]["id"]
    with pytest.raises(PermissionDenied, match="invited holders"):
        drafts.comment(
            db, rt, user=cast["kim"], draft_id=draft.id, change_id=change_id, text="I was not invited but have views."
        )
    note = drafts.comment(
        db,
        rt,
        user=holder,
        draft_id=draft.id,
        change_id=change_id,
        text="Say 'keyed by the caller's entitlements' also for embeddings caches.",
    )
    with pytest.raises(ValidationFailed, match="resolve every comment"):
        drafts.publish(db, rt, editor=editor, draft_id=draft.id)
    drafts.resolve(
        db,
        rt,
        editor=editor,
        comment_id=note.id,
        resolution="noted",
        note="Embedding caches are covered by 'every cache of retrieved content'.",
    )
    assert drafts.publish(db, rt, editor=editor, draft_id=draft.id) == "1.2"
    published = standards.resolve(db, "assay-pae", "1.2").version
    rd02 = next(c for c in published.controls() if c.id == "RD-02")
    assert rd02.statement == NEW_RD02 and published.previous == "1.1"
    assert [(c.kind.value, c.controls) for c in published.changes] == [("reworded", ("RD-02",))]
    assert standards.latest(db, "assay-pae").version.version == "1.2"
    page = feedback.evolution(db)
    assert (
        page["versions"][0]["version"] == "1.2"
        and page["versions"][0]["changes"][0]["triggers"][0]["kind"] == "draft-review"
    )
    assert any(e.action == "draft.published" for e in db.scalars(select(AuditEntry)))
