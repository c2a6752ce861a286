"""Queries for profiles, domains, artifacts, feedback, change triggers and case studies."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assay.db.models import (
    CaseStudy,
    CaseStudyAuthor,
    ChangeTrigger,
    Contribution,
    ContributionReview,
    DraftChange,
    DraftComment,
    DraftInvitation,
    DraftVersion,
    Feedback,
    IssuedCredential,
    PoolItem,
    PracticeApplication,
    PracticeAssessment,
    Profile,
    ProfileArtifact,
    ProfileDomain,
    ReviewOptIn,
    User,
)


def profile_by_handle(db: Session, handle: str) -> Profile | None:
    return db.scalars(select(Profile).where(Profile.handle == handle)).one_or_none()


def public_profiles(
    db: Session, *, q: str = "", region: str = "", availability: str = ""
) -> list[tuple[Profile, User]]:
    stmt = (
        select(Profile, User)
        .join(User, User.id == Profile.user_id)
        .where(Profile.visibility == "public", User.is_active.is_(True))
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(User.display_name.ilike(like), Profile.headline.ilike(like), Profile.bio.ilike(like)))
    if region:
        stmt = stmt.where(Profile.region == region)
    if availability:
        stmt = stmt.where(Profile.availability == availability)
    return [(p, u) for p, u in db.execute(stmt.order_by(User.display_name, Profile.handle)).all()]


def domains_of(db: Session, user_id: str) -> list[ProfileDomain]:
    return list(
        db.scalars(select(ProfileDomain).where(ProfileDomain.user_id == user_id).order_by(ProfileDomain.created_at))
    )


def domain(db: Session, domain_id: str) -> ProfileDomain | None:
    return db.get(ProfileDomain, domain_id)


def artifacts_of(db: Session, user_id: str) -> list[ProfileArtifact]:
    return list(
        db.scalars(
            select(ProfileArtifact).where(ProfileArtifact.user_id == user_id).order_by(ProfileArtifact.created_at)
        )
    )


def artifact(db: Session, artifact_id: str) -> ProfileArtifact | None:
    return db.get(ProfileArtifact, artifact_id)


def feedback(db: Session, *, state: str | None = None, user_id: str | None = None) -> list[Feedback]:
    stmt = select(Feedback).order_by(Feedback.created_at)
    if state is not None:
        stmt = stmt.where(Feedback.state == state)
    if user_id is not None:
        stmt = stmt.where(Feedback.user_id == user_id)
    return list(db.scalars(stmt))


def feedback_item(db: Session, feedback_id: str) -> Feedback | None:
    return db.get(Feedback, feedback_id, with_for_update=True)


def triggers(db: Session) -> list[ChangeTrigger]:
    return list(db.scalars(select(ChangeTrigger).order_by(ChangeTrigger.recorded_at)))


def case_studies(db: Session, *, state: str | None = None) -> list[CaseStudy]:
    stmt = select(CaseStudy).order_by(CaseStudy.submitted_at.desc())
    if state is not None:
        stmt = stmt.where(CaseStudy.state == state)
    return list(db.scalars(stmt))


def case_study(db: Session, case_id: str) -> CaseStudy | None:
    return db.get(CaseStudy, case_id, with_for_update=True)


def case_studies_by(db: Session, user_id: str) -> list[CaseStudy]:
    stmt = (
        select(CaseStudy)
        .join(CaseStudyAuthor, CaseStudyAuthor.case_study_id == CaseStudy.id)
        .where(CaseStudyAuthor.user_id == user_id)
    )
    return list(db.scalars(stmt.order_by(CaseStudy.submitted_at)))


def pool_items(db: Session) -> list[PoolItem]:
    return list(db.scalars(select(PoolItem).order_by(PoolItem.added_at)))


def contributions(db: Session, *, state: str | None = None, user_id: str | None = None) -> list[Contribution]:
    stmt = select(Contribution).order_by(Contribution.created_at)
    if state is not None:
        stmt = stmt.where(Contribution.state == state)
    if user_id is not None:
        stmt = stmt.where(Contribution.user_id == user_id)
    return list(db.scalars(stmt))


def contribution(db: Session, contribution_id: str) -> Contribution | None:
    return db.get(Contribution, contribution_id, with_for_update=True)


def contribution_reviews(db: Session, contribution_id: str) -> list[ContributionReview]:
    stmt = select(ContributionReview).where(ContributionReview.contribution_id == contribution_id)
    return list(db.scalars(stmt.order_by(ContributionReview.created_at)))


def opt_ins(db: Session) -> list[ReviewOptIn]:
    return list(db.scalars(select(ReviewOptIn).order_by(ReviewOptIn.opted_in_at)))


def drafts(db: Session) -> list[DraftVersion]:
    return list(db.scalars(select(DraftVersion).order_by(DraftVersion.opened_at.desc())))


def draft(db: Session, draft_id: str) -> DraftVersion | None:
    return db.get(DraftVersion, draft_id, with_for_update=True)


def draft_changes(db: Session, draft_id: str) -> list[DraftChange]:
    return list(
        db.scalars(select(DraftChange).where(DraftChange.draft_id == draft_id).order_by(DraftChange.control_id))
    )


def draft_comments(db: Session, draft_id: str) -> list[DraftComment]:
    return list(
        db.scalars(select(DraftComment).where(DraftComment.draft_id == draft_id).order_by(DraftComment.created_at))
    )


def invited(db: Session, draft_id: str, user_id: str) -> bool:
    stmt = select(DraftInvitation.id).where(DraftInvitation.draft_id == draft_id, DraftInvitation.user_id == user_id)
    return db.scalars(stmt).first() is not None


def invitations_of(db: Session, user_id: str) -> list[DraftInvitation]:
    return list(db.scalars(select(DraftInvitation).where(DraftInvitation.user_id == user_id)))


def practice_applications(db: Session, *, organisation_id: str | None = None) -> list[PracticeApplication]:
    stmt = select(PracticeApplication).order_by(PracticeApplication.created_at)
    if organisation_id is not None:
        stmt = stmt.where(PracticeApplication.organisation_id == organisation_id)
    return list(db.scalars(stmt))


def practice_application(db: Session, application_id: str) -> PracticeApplication | None:
    return db.get(PracticeApplication, application_id, with_for_update=True)


def practice_assessments(db: Session, application_id: str) -> list[PracticeAssessment]:
    stmt = select(PracticeAssessment).where(PracticeAssessment.application_id == application_id)
    return list(db.scalars(stmt.order_by(PracticeAssessment.created_at)))


def organisation_credentials(db: Session, organisation_id: str) -> list[IssuedCredential]:
    stmt = select(IssuedCredential).where(IssuedCredential.organisation_id == organisation_id)
    return list(db.scalars(stmt.order_by(IssuedCredential.issued_at)))
