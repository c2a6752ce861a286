"""SQLAlchemy models, one module per aggregate. Importing this package registers them all on Base.metadata."""

from assay.db.models.accounts import PasswordReset, RoleGrant, User, WebSession
from assay.db.models.assessments import Attempt, AttemptResponse, Campaign, ReportShare
from assay.db.models.audit import AuditEntry
from assay.db.models.certification import (
    Appeal,
    CertificationCase,
    ExamAttempt,
    ExamFormRecord,
    ExamResponse,
    InterviewScore,
    InterviewSlot,
    ItemExposure,
    ItemFlag,
    TaskAttachment,
    TaskReview,
    TaskSubmission,
)
from assay.db.models.community import (
    CaseStudy,
    CaseStudyAuthor,
    ChangeTrigger,
    Feedback,
    Profile,
    ProfileArtifact,
    ProfileDomain,
)
from assay.db.models.credentials import (
    DecisionSubject,
    IssuanceDecision,
    IssuedCredential,
    SigningKey,
    StatusAllocation,
    StatusList,
)
from assay.db.models.integrations import OrgToken, StatusConsent, Webhook, WebhookDelivery
from assay.db.models.jobs import Job
from assay.db.models.organisations import Invitation, Membership, Organisation
from assay.db.models.panel import (
    AngoffRating,
    AngoffRound,
    AngoffStudy,
    CalibrationRound,
    DeclaredConflict,
    ItemPromotion,
    PanelSeat,
    ReviewAssignment,
)
from assay.db.models.ratelimit import RateLimitCounter
from assay.db.models.standards import StandardVersionRecord
from assay.db.models.translog import LogEntry, LogHead, LogNode

__all__ = [
    "AngoffRating",
    "AngoffRound",
    "AngoffStudy",
    "Appeal",
    "Attempt",
    "AttemptResponse",
    "AuditEntry",
    "CalibrationRound",
    "Campaign",
    "CaseStudy",
    "CaseStudyAuthor",
    "CertificationCase",
    "ChangeTrigger",
    "DecisionSubject",
    "DeclaredConflict",
    "ExamAttempt",
    "ExamFormRecord",
    "ExamResponse",
    "Feedback",
    "InterviewScore",
    "InterviewSlot",
    "Invitation",
    "IssuanceDecision",
    "IssuedCredential",
    "ItemExposure",
    "ItemFlag",
    "ItemPromotion",
    "Job",
    "LogEntry",
    "LogHead",
    "LogNode",
    "Membership",
    "OrgToken",
    "Organisation",
    "PanelSeat",
    "PasswordReset",
    "Profile",
    "ProfileArtifact",
    "ProfileDomain",
    "RateLimitCounter",
    "ReportShare",
    "ReviewAssignment",
    "RoleGrant",
    "SigningKey",
    "StandardVersionRecord",
    "StatusAllocation",
    "StatusConsent",
    "StatusList",
    "TaskAttachment",
    "TaskReview",
    "TaskSubmission",
    "User",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
]
