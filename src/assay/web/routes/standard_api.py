"""The standard as JSON: standards, versions, controls, the signed-off export, diffs and crosswalks (CSV too).

Everything here is public and, per version, immutable: version-scoped responses are cacheable by anyone
for five minutes and carry an ETag; the export's ETag and Digest are its content hash.
"""

from __future__ import annotations

import base64
import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from assay.content import DEFAULT_STANDARD_ID
from assay.core.errors import NotFound
from assay.core.standard.crosswalk import Coverage, CoverageTable
from assay.core.standard.diff import diff_to_dict
from assay.core.standard.export import canonical_bytes
from assay.core.standard.model import Control, StandardInfo, Version, VersionStatus
from assay.services import standards
from assay.services.standards import StoredVersion
from assay.web.deps import DbSession
from assay.web.routes.standard_views import etag_for, etag_matches

PUBLIC_CACHE = "public, max-age=300"
SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"


def _shareable(request: Request) -> None:
    """Public, cacheable JSON: no visitor cookie on these responses (nothing here needs a CSRF token)."""
    request.state.new_visitor_id = None


router = APIRouter(prefix="/api/v1/standards", tags=["standards"], dependencies=[Depends(_shareable)])

StandardId = Annotated[str, Path(pattern=SLUG, description="The standard's ID, e.g. assay-pae.")]
VersionNo = Annotated[
    str, Path(pattern=r"^(latest|[0-9]+\.[0-9]+(\.[0-9]+)?)$", description="A version number, or 'latest'.")
]
ControlId = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9]{0,7}-[0-9]{2,3}$", description="A control ID, e.g. HO-02.")]
Framework = Annotated[str, Path(pattern=SLUG, description="nist-ai-rmf, iso-iec-42001 or owasp-llm-top10.")]
RefFilter = Annotated[str | None, Query(description="Only this reference, e.g. 'MEASURE 2.7'.")]


class VersionSummary(BaseModel):
    version: str
    status: VersionStatus
    released: str
    content_hash: str
    controls: int
    url: str


class StandardSummary(BaseModel):
    id: str
    title: str
    latest: str
    versions: list[VersionSummary]


class StandardDetail(StandardInfo):
    latest: str
    versions: list[VersionSummary]


class VersionDocument(Version):
    standard_id: str
    content_hash: str


class DomainRef(BaseModel):
    id: str
    title: str


class ControlDocument(Control):
    standard_id: str
    version: str
    version_status: VersionStatus
    domain: DomainRef
    permalink: str | None


class MappingOut(BaseModel):
    id: str
    title: str
    coverage: str


class CoverageRowOut(BaseModel):
    ref: str
    title: str
    group: str | None
    status: Coverage
    controls: list[MappingOut]


class CrosswalkOut(BaseModel):
    standard_id: str
    version: str
    framework: str
    edition: str
    title: str
    counts: dict[str, int]
    rows: list[CoverageRowOut]


def _summary(sid: str, s: StoredVersion) -> VersionSummary:
    v = s.version
    url = f"/api/v1/standards/{sid}/versions/{v.version}"
    return VersionSummary(
        version=v.version,
        status=v.status,
        released=v.released,
        content_hash=s.content_hash,
        controls=len(v.controls()),
        url=url,
    )


def _cache(response: Response, etag: str) -> None:
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.headers["ETag"] = etag


def _not_modified(request: Request, etag: str) -> Response | None:
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"Cache-Control": PUBLIC_CACHE, "ETag": etag})
    return None


@router.get("", response_model=list[StandardSummary])
def list_standards(db: DbSession) -> list[StandardSummary]:
    """Every loaded standard with its versions, oldest first."""
    out = []
    for sid in standards.ids(db):
        versions = standards.catalogue(db, sid)
        latest = standards.latest(db, sid)
        out.append(
            StandardSummary(
                id=sid,
                title=latest.info.title,
                latest=latest.version.version,
                versions=[_summary(sid, s) for s in versions],
            )
        )
    return out


@router.get("/{sid}", response_model=StandardDetail)
def get_standard(sid: StandardId, db: DbSession) -> StandardDetail:
    """The standard's description, licence, and its versions with status, release date and content hash."""
    versions = standards.catalogue(db, sid)
    if not versions:
        raise NotFound(f"The standard {sid} has not been loaded.")
    latest = standards.latest(db, sid)
    return StandardDetail(
        **latest.info.model_dump(),
        latest=latest.version.version,
        versions=[_summary(sid, s) for s in versions],
    )


@router.get("/{sid}/diff")
def get_diff(
    sid: StandardId,
    db: DbSession,
    from_: Annotated[str | None, Query(alias="from", description="The earlier version (default: before `to`).")] = None,
    to: Annotated[str | None, Query(description="The later version (default: the latest published).")] = None,
) -> dict[str, Any]:
    """What changed between two versions: added, retired, changed field by field, split, merged, renamed."""
    new = standards.resolve(db, sid, to or "latest")
    if from_ is None:
        earlier = [s.version.version for s in standards.catalogue(db, sid)]
        position = earlier.index(new.version.version)
        from_ = new.version.previous or earlier[max(position - 1, 0)]
    return diff_to_dict(standards.diff(db, sid, from_, new.version.version))


@router.get("/{sid}/versions/{v}", response_model=VersionDocument)
def get_version(sid: StandardId, v: VersionNo, request: Request, response: Response, db: DbSession) -> Any:
    """The full version: summary, rationale, changes, and its domains with their controls."""
    stored = standards.resolve(db, sid, v)
    etag = etag_for(stored.content_hash)
    if (cached := _not_modified(request, etag)) is not None:
        return cached
    _cache(response, etag)
    return VersionDocument.model_validate(
        {
            **stored.version.model_dump(mode="json", by_alias=True),
            "standard_id": sid,
            "content_hash": stored.content_hash,
        }
    )


@router.get("/{sid}/versions/{v}/controls/{cid}", response_model=ControlDocument)
def get_control(
    sid: StandardId, v: VersionNo, cid: ControlId, request: Request, response: Response, db: DbSession
) -> Any:
    """One control of a version. A control the version does not have is a 404 that says where it went."""
    stored = standards.resolve(db, sid, v)
    number = stored.version.version
    control = stored.version.control(cid)
    domain = stored.version.domain_of(cid)
    if control is None or domain is None:
        trace = standards.trace(db, sid, number, cid)
        raise NotFound(trace.note if trace else f"There is no control {cid} in any version of {sid}.")
    etag = etag_for(stored.content_hash, cid)
    if (cached := _not_modified(request, etag)) is not None:
        return cached
    _cache(response, etag)
    return ControlDocument.model_validate(
        {
            **control.model_dump(mode="json", by_alias=True),
            "standard_id": sid,
            "version": number,
            "version_status": stored.version.status,
            "domain": {"id": domain.id, "title": domain.title},
            "permalink": f"/standard/{number}/controls/{cid}" if sid == DEFAULT_STANDARD_ID else None,
        }
    )


@router.get(
    "/{sid}/versions/{v}/export",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The RFC 8785 (JCS) export document."}},
)
def get_export(sid: StandardId, v: VersionNo, request: Request, db: DbSession) -> Response:
    """The single-document export, as the exact RFC 8785 (JCS) bytes its content hash covers.
    `ETag` is the content hash (hex); `Digest` is the same SHA-256 in base64."""
    document, digest = standards.export(db, sid, v)
    etag = f'"{digest}"'
    headers = {
        "Cache-Control": PUBLIC_CACHE,
        "ETag": etag,
        "Digest": "sha-256=" + base64.b64encode(bytes.fromhex(digest)).decode("ascii"),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(canonical_bytes(document), media_type="application/json", headers=headers)


def _crosswalk(db: DbSession, sid: str, v: str, framework: str, ref: str | None) -> tuple[StoredVersion, CrosswalkOut]:
    stored = standards.resolve(db, sid, v)
    table: CoverageTable = standards.crosswalk(db, sid, stored.version.version, framework)
    if ref:
        standards.covering(db, sid, stored.version.version, framework, ref, table.edition)  # unknown ref → 404
    rows = [
        CoverageRowOut(
            ref=r.entry.id,
            title=r.entry.title,
            group=r.entry.group,
            status=r.status,
            controls=[MappingOut(id=m.control_id, title=m.control_title, coverage=m.coverage) for m in r.mappings],
        )
        for r in table.rows
        if not ref or r.entry.id == ref
    ]
    out = CrosswalkOut(
        standard_id=sid,
        version=table.version,
        framework=table.framework,
        edition=table.edition,
        title=table.title,
        counts={status.value: table.count(status) for status in Coverage},
        rows=rows,
    )
    return stored, out


def _filename(sid: str, out: CrosswalkOut, ref: str | None, ext: str) -> str:
    suffix = "-" + "".join(ch if ch.isalnum() else "-" for ch in ref) if ref else ""
    return f"{sid}-{out.version}-{out.framework}-{out.edition}{suffix}.{ext}"


@router.get("/{sid}/versions/{v}/crosswalk/{framework}.csv", response_class=Response)
def get_crosswalk_csv(
    sid: StandardId, v: VersionNo, framework: Framework, db: DbSession, ref: RefFilter = None
) -> Response:
    """The coverage table as CSV: one row per reference (framework, edition, ref, title, status, controls)."""
    stored, out = _crosswalk(db, sid, v, framework, ref)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["framework", "edition", "ref", "title", "status", "controls"])
    for row in out.rows:
        controls = " ".join(f"{m.id}({m.coverage})" for m in row.controls)
        writer.writerow([out.framework, out.edition, row.ref, row.title, row.status.value, controls])
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(sid, out, ref, "csv")}"',
        "Cache-Control": PUBLIC_CACHE,
        "ETag": etag_for(stored.content_hash, framework, ref or "", "csv"),
    }
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/{sid}/versions/{v}/crosswalk/{framework}.json", response_model=CrosswalkOut)
def get_crosswalk_download(
    sid: StandardId, v: VersionNo, framework: Framework, response: Response, db: DbSession, ref: RefFilter = None
) -> CrosswalkOut:
    """The coverage table as a JSON file to save (the same body as the crosswalk endpoint, as an attachment)."""
    stored, out = _crosswalk(db, sid, v, framework, ref)
    _cache(response, etag_for(stored.content_hash, framework, ref or "", "json-file"))
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(sid, out, ref, "json")}"'
    return out


@router.get("/{sid}/versions/{v}/crosswalk/{framework}", response_model=CrosswalkOut)
def get_crosswalk(
    sid: StandardId, v: VersionNo, framework: Framework, response: Response, db: DbSession, ref: RefFilter = None
) -> CrosswalkOut:
    """How a version covers a framework: each reference with its status (covered, partly, not covered) and
    the controls that map to it, full mappings first. `?ref=` keeps one reference."""
    stored, out = _crosswalk(db, sid, v, framework, ref)
    _cache(response, etag_for(stored.content_hash, framework, ref or ""))
    return out
