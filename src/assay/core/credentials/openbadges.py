"""Open Badges 3.0 credentials on VC Data Model 2.0: building them, and checking OB 3.0's required fields.

The standard version a credential was assessed against travels in terms Open Badges defines: an
`alignment` of the achievement to the version's public page, with the version's content hash as its
`targetCode`. A third-party verifier can expand every term; nothing private is needed to read it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = (VC_CONTEXT, OB_CONTEXT)


@dataclass(frozen=True)
class IssuerProfile:
    id: str  # the issuer DID
    name: str
    url: str
    email: str | None = None


@dataclass(frozen=True)
class StandardAlignment:
    """Which standard version the credential was assessed against."""

    framework: str  # the standard's title
    version: str
    page_url: str  # the version's public page
    content_hash: str  # SHA-256 of the version's JCS export


@dataclass(frozen=True)
class ResultDescriptionSpec:
    id: str
    name: str
    result_type: str  # an OB 3.0 ResultType, e.g. "ScaledScore", "Status", "RubricCriterionLevel"
    value_min: str | None = None
    value_max: str | None = None


@dataclass(frozen=True)
class ResultSpec:
    description_id: str
    value: str | None = None
    status: str | None = None  # for resultType Status: "Completed", "Passed", ...


@dataclass(frozen=True)
class EvidenceSpec:
    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class Programme:
    """The credential programme, expressed as an OB 3.0 Achievement."""

    id: str
    name: str
    description: str
    criteria: str
    version: str
    achievement_type: str = "Certification"
    result_descriptions: tuple[ResultDescriptionSpec, ...] = ()


@dataclass(frozen=True)
class SubjectIdentity:
    """Who holds it: a salted hash of an identifier (and/or a DID), never the identifier in clear."""

    identity_hash: str | None = None
    identity_type: str = "emailAddress"
    salt: str | None = None
    did: str | None = None

    @classmethod
    def hashed(
        cls, identifier: str, *, identity_type: str = "emailAddress", salt: str | None = None
    ) -> SubjectIdentity:
        salt = salt or secrets.token_hex(16)
        # OB 3.0's IdentityObject format: "sha256$" + hex digest of identifier + salt.
        digest = hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()
        return cls(identity_hash=f"sha256${digest}", identity_type=identity_type, salt=salt)

    def matches(self, identifier: str) -> bool:
        if self.identity_hash is None or self.salt is None:
            return False
        digest = hashlib.sha256((identifier + self.salt).encode("utf-8")).hexdigest()
        return secrets.compare_digest(self.identity_hash, f"sha256${digest}")


@dataclass(frozen=True)
class CredentialContent:
    id: str
    issuer: IssuerProfile
    programme: Programme
    subject: SubjectIdentity
    alignment: StandardAlignment
    valid_from: str
    valid_until: str | None
    name: str | None = None
    description: str | None = None
    results: tuple[ResultSpec, ...] = ()
    evidence: tuple[EvidenceSpec, ...] = ()
    status: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


def build_credential(content: CredentialContent) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential."""
    p, a = content.programme, content.alignment
    achievement: dict[str, Any] = {
        "id": p.id,
        "type": ["Achievement"],
        "name": p.name,
        "description": p.description,
        "criteria": {"narrative": p.criteria},
        "achievementType": p.achievement_type,
        "version": p.version,
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": f"{a.framework}, version {a.version}",
                "targetUrl": a.page_url,
                "targetCode": a.content_hash,
                "targetFramework": a.framework,
                "targetDescription": f"Assessed against version {a.version}; targetCode is the SHA-256 of the version's canonical (JCS) export.",
            }
        ],
    }
    if p.result_descriptions:
        achievement["resultDescription"] = [_result_description(r) for r in p.result_descriptions]
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    if content.subject.did:
        subject["id"] = content.subject.did
    if content.subject.identity_hash:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": content.subject.identity_hash,
                "identityType": content.subject.identity_type,
                "hashed": True,
                "salt": content.subject.salt,
            }
        ]
    if content.results:
        subject["result"] = [_result(r) for r in content.results]
    issuer: dict[str, Any] = {
        "id": content.issuer.id,
        "type": ["Profile"],
        "name": content.issuer.name,
        "url": content.issuer.url,
    }
    if content.issuer.email:
        issuer["email"] = content.issuer.email
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": content.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "validFrom": content.valid_from,
        "name": content.name or p.name,
        "credentialSubject": subject,
    }
    if content.description:
        credential["description"] = content.description
    if content.valid_until:
        credential["validUntil"] = content.valid_until
    if content.evidence:
        credential["evidence"] = [_evidence(e) for e in content.evidence]
    if content.status:
        credential["credentialStatus"] = [dict(s) for s in content.status]
    return credential


def _result_description(r: ResultDescriptionSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id, "type": ["ResultDescription"], "name": r.name, "resultType": r.result_type}
    if r.value_min is not None:
        out["valueMin"] = r.value_min
    if r.value_max is not None:
        out["valueMax"] = r.value_max
    return out


def _result(r: ResultSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["Result"], "resultDescription": r.description_id}
    if r.value is not None:
        out["value"] = r.value
    if r.status is not None:
        out["status"] = r.status
    return out


def _evidence(e: EvidenceSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "type": ["Evidence"], "name": e.name}
    if e.description:
        out["description"] = e.description
    return out


# --- OB 3.0 required fields -------------------------------------------------------------------------

_REQUIRED: dict[str, tuple[str, ...]] = {
    "OpenBadgeCredential": ("@context", "id", "type", "issuer", "validFrom", "name", "credentialSubject"),
    "Profile": ("id", "type"),
    "AchievementSubject": ("type", "achievement"),
    "Achievement": ("id", "type", "name", "description", "criteria"),
    "Alignment": ("type", "targetName", "targetUrl"),
    "ResultDescription": ("id", "type", "name", "resultType"),
    "Result": ("type",),
    "Evidence": ("type",),
    "IdentityObject": ("type", "hashed", "identityHash", "identityType"),
}


def _types(node: Mapping[str, Any]) -> list[str]:
    t = node.get("type")
    return [t] if isinstance(t, str) else [x for x in t if isinstance(x, str)] if isinstance(t, list) else []


def _require(node: Any, kind: str, path: str, problems: list[str]) -> None:
    if not isinstance(node, Mapping):
        problems.append(f"{path}: must be an object ({kind})")
        return
    for name in _REQUIRED[kind]:
        if name not in node or node[name] in (None, "", []):
            problems.append(f"{path}.{name}: required by Open Badges 3.0 ({kind})")
    if (
        kind != "IdentityObject"
        and kind not in _types(node)
        and not (kind == "OpenBadgeCredential" and "AchievementCredential" in _types(node))
    ):
        problems.append(f"{path}.type: must include {kind}")


def _each(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else [value]


def check_required_fields(credential: Mapping[str, Any]) -> list[str]:
    """The OB 3.0 required fields and types, as a list of problems (empty: the shape is right)."""
    problems: list[str] = []
    _require(credential, "OpenBadgeCredential", "$", problems)
    contexts = credential.get("@context")
    if (
        not isinstance(contexts, list)
        or contexts[:1] != [VC_CONTEXT]
        or not any(
            isinstance(c, str) and c.startswith("https://purl.imsglobal.org/spec/ob/v3p0/context") for c in contexts
        )
    ):
        problems.append("$.@context: must start with the VC 2.0 context and include the Open Badges 3.0 context")
    if "VerifiableCredential" not in _types(credential):
        problems.append("$.type: must include VerifiableCredential")
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        _require(issuer, "Profile", "$.issuer", problems)
    elif not isinstance(issuer, str):
        problems.append("$.issuer: must be a URI or a Profile")
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping):
        _require(subject, "AchievementSubject", "$.credentialSubject", problems)
        if "id" not in subject and not subject.get("identifier"):
            problems.append("$.credentialSubject: needs an id or an identifier")
        for i, ident in enumerate(_each(subject.get("identifier", []))):
            _require(ident, "IdentityObject", f"$.credentialSubject.identifier[{i}]", problems)
        achievement = subject.get("achievement")
        if isinstance(achievement, Mapping):
            _require(achievement, "Achievement", "$.credentialSubject.achievement", problems)
            for i, al in enumerate(_each(achievement.get("alignment", []))):
                _require(al, "Alignment", f"$.credentialSubject.achievement.alignment[{i}]", problems)
            for i, rd in enumerate(_each(achievement.get("resultDescription", []))):
                _require(rd, "ResultDescription", f"$.credentialSubject.achievement.resultDescription[{i}]", problems)
        for i, res in enumerate(_each(subject.get("result", []))):
            _require(res, "Result", f"$.credentialSubject.result[{i}]", problems)
    for i, ev in enumerate(_each(credential.get("evidence", []))):
        _require(ev, "Evidence", f"$.evidence[{i}]", problems)
    return problems


def alignment_of(credential: Mapping[str, Any]) -> StandardAlignment | None:
    """Read back which standard version a credential names (the first alignment with a targetCode)."""
    try:
        achievement = credential["credentialSubject"]["achievement"]
        for al in _each(achievement.get("alignment", [])):
            if isinstance(al, Mapping) and al.get("targetCode") and al.get("targetUrl"):
                name = str(al.get("targetFramework") or al.get("targetName"))
                url = str(al["targetUrl"])
                return StandardAlignment(name, url.rstrip("/").rsplit("/", 1)[-1], url, str(al["targetCode"]))
    except (KeyError, TypeError, AttributeError):
        return None
    return None
