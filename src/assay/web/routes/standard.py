"""The standard's public pages: home, versions, domains, controls (stable permalinks), history, diff, crosswalks.

Every page is public and immutable for the content it shows. For people who are not signed in the response
is cacheable (`public, max-age=300`) with an ETag over the content hashes it shows, and carries no cookie;
a signed-in person's page names them in the header, so it keeps the app's default `no-store`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.content import DEFAULT_STANDARD_ID
from assay.core.errors import NotFound
from assay.core.standard.crosswalk import coverage_table
from assay.core.standard.export import version_key
from assay.core.standard.model import VersionStatus
from assay.services import standards
from assay.services.standards import StoredVersion
from assay.web.deps import CurrentUser, DbSession
from assay.web.routes.standard_views import (
    STATUS_LABELS,
    coverage_counts,
    crosswalk_groups,
    diff_view,
    etag_for,
    etag_matches,
)
from assay.web.templating import render

router = APIRouter(include_in_schema=False)  # pages, not API: the OpenAPI document lists the JSON API only

SID = DEFAULT_STANDARD_ID
PUBLIC_CACHE = "public, max-age=300"
API = f"/api/v1/standards/{SID}"

OptionalQuery = Annotated[str | None, Query()]


def _page(
    request: Request,
    user: object | None,
    template: str,
    build: Callable[[], dict[str, Any]],
    *,
    etag_parts: tuple[str, ...],
) -> Response:
    """Render a public page; for anonymous readers, cacheable, with an ETag checked before any rendering."""
    if user is not None:
        return render(request, template, build())
    etag = etag_for(*etag_parts)
    headers = {"Cache-Control": PUBLIC_CACHE, "ETag": etag, "Vary": "Cookie"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        response: Response = Response(status_code=304, headers=headers)
    else:
        response = render(request, template, build(), headers=headers)
    # A response any cache may share must not set a visitor cookie (the page has no form that needs one).
    request.state.new_visitor_id = None
    return response


def _latest_redirect(request: Request, db: DbSession, version: str) -> Response | None:
    """`latest` is a moving pointer: redirect it to the concrete version so that what people copy is a permalink."""
    if version != "latest":
        return None
    concrete = standards.latest(db, SID).version.version
    path = request.url.path.replace("/standard/latest", f"/standard/{concrete}", 1)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(path + query, status_code=307, headers={"Cache-Control": "no-cache"})


def _versions(db: DbSession) -> list[StoredVersion]:
    versions = standards.catalogue(db, SID)
    if not versions:
        raise NotFound(f"The standard {SID} has not been loaded. An operator runs `assay standard import`.")
    return versions


def _scoped(db: DbSession, version: str) -> tuple[list[StoredVersion], StoredVersion, StoredVersion]:
    """Every stored version, the one a page is about, and the current one."""
    return _versions(db), standards.resolve(db, SID, version), standards.latest(db, SID)


def _hashes(versions: list[StoredVersion]) -> tuple[str, ...]:
    """ETag parts: every stored version's hash, since each page names the current version and links to others."""
    return tuple(s.content_hash for s in versions)


def _common(stored: StoredVersion, current: StoredVersion) -> dict[str, Any]:
    return {
        "info": stored.info,
        "stored": stored,
        "v": stored.version,
        "current": current,
        "is_current": stored.version.version == current.version.version,
        "retired": stored.version.status is VersionStatus.RETIRED,
    }


@router.get("/standard", response_class=HTMLResponse)
def home(request: Request, db: DbSession, user: CurrentUser) -> Response:
    versions = standards.catalogue(db, SID)
    if not versions:
        return render(request, "standard/not_loaded.html", {"standard_id": SID}, status_code=404)
    current = standards.latest(db, SID)

    def build() -> dict[str, Any]:
        return {
            **_common(current, current),
            "versions": list(reversed(versions)),
            "frameworks": sorted(standards.references().values(), key=lambda r: r.title),
        }

    return _page(request, user, "standard/home.html", build, etag_parts=_hashes(versions))


@router.get("/standard/history", response_class=HTMLResponse)
def history(request: Request, db: DbSession, user: CurrentUser) -> Response:
    versions = _versions(db)
    current = standards.latest(db, SID)

    def build() -> dict[str, Any]:
        newest_first = list(reversed(versions))
        return {
            "info": current.info,
            "current": current,
            "versions": newest_first,
        }

    return _page(request, user, "standard/history.html", build, etag_parts=_hashes(versions))


@router.get("/standard/diff", response_class=HTMLResponse)
def diff(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: OptionalQuery = None,
) -> Response:
    versions = _versions(db)
    current = standards.latest(db, SID)
    numbers = [s.version.version for s in versions]
    new_number = current.version.version if to in (None, "", "latest") else str(to)
    old_number = current.version.version if from_ == "latest" else from_ or _previous_of(versions, new_number)
    context: dict[str, Any] = {"info": current.info, "current": current, "numbers": numbers}
    context.update({"old": old_number, "new": new_number})
    try:
        d = standards.diff(db, SID, old_number, new_number)
    except NotFound as exc:
        return render(request, "standard/diff.html", {**context, "error": exc.message}, status_code=404)
    old, new = standards.resolve(db, SID, old_number), standards.resolve(db, SID, new_number)
    old_number, new_number = old.version.version, new.version.version

    def build() -> dict[str, Any]:
        backwards = version_key(old_number) > version_key(new_number)
        return {**context, "view": diff_view(d, new.version), "old_v": old, "new_v": new, "backwards": backwards}

    return _page(request, user, "standard/diff.html", build, etag_parts=_hashes(versions))


def _previous_of(versions: list[StoredVersion], number: str) -> str:
    """The version before `number`: its declared predecessor, else the one stored before it, else itself."""
    found = next((s for s in versions if s.version.version == number), None)
    if found is None:
        return number
    if found.version.previous:
        return found.version.previous
    earlier = [s.version.version for s in versions if version_key(s.version.version) < version_key(number)]
    return earlier[-1] if earlier else number


@router.get("/standard/{version}", response_class=HTMLResponse)
def version_page(request: Request, version: str, db: DbSession, user: CurrentUser) -> Response:
    if redirect := _latest_redirect(request, db, version):
        return redirect
    versions, stored, current = _scoped(db, version)
    return _page(request, user, "standard/version.html", lambda: _common(stored, current), etag_parts=_hashes(versions))


@router.get("/standard/{version}/domains/{domain_id}", response_class=HTMLResponse)
def domain_page(request: Request, version: str, domain_id: str, db: DbSession, user: CurrentUser) -> Response:
    if redirect := _latest_redirect(request, db, version):
        return redirect
    versions, stored, current = _scoped(db, version)
    domain = stored.version.domain(domain_id)
    if domain is None:
        known = ", ".join(d.id for d in stored.version.domains)
        raise NotFound(f"Version {version} has no domain {domain_id}. Its domains: {known}.")
    return _page(
        request,
        user,
        "standard/domain.html",
        lambda: {**_common(stored, current), "domain": domain},
        etag_parts=_hashes(versions),
    )


@router.get("/standard/{version}/controls/{control_id}", response_class=HTMLResponse)
def control_page(request: Request, version: str, control_id: str, db: DbSession, user: CurrentUser) -> Response:
    if redirect := _latest_redirect(request, db, version):
        return redirect
    versions, stored, current = _scoped(db, version)
    control = stored.version.control(control_id)
    if control is None:
        return _control_elsewhere(request, db, stored, current, versions, control_id)
    domain = stored.version.domain_of(control_id)

    def build() -> dict[str, Any]:
        others = []
        for s in versions:
            number = s.version.version
            if number == version:
                continue
            there = s.version.control(control_id)
            trace = None if there else standards.trace(db, SID, number, control_id)
            changed = there is not None and there.content_fields() != control.content_fields()
            pair = sorted((number, version), key=version_key)
            others.append(
                {
                    "stored": s,
                    "control": there,
                    "trace": trace,
                    "changed": changed,
                    "diff_from": pair[0],
                    "diff_to": pair[1],
                }
            )
        return {
            **_common(stored, current),
            "domain": domain,
            "control": control,
            "crosswalk": crosswalk_groups(control, standards.references()),
            "derived_from": [
                (cid, _locate(versions, cid, version, earlier=True)) for cid in control.lineage.derived_from
            ],
            "replaced_by": [
                (cid, _locate(versions, cid, version, earlier=False)) for cid in control.lineage.replaced_by
            ],
            "others": others,
        }

    return _page(request, user, "standard/control.html", build, etag_parts=_hashes(versions))


def _locate(versions: list[StoredVersion], control_id: str, number: str, *, earlier: bool) -> str | None:
    """The nearest version before (or after) `number` that contains the control, for lineage links."""
    key = version_key(number)
    candidates = [
        s.version.version
        for s in versions
        if (version_key(s.version.version) < key if earlier else version_key(s.version.version) > key)
        and s.version.control(control_id) is not None
    ]
    if not candidates:
        return None
    return candidates[-1] if earlier else candidates[0]


def _control_elsewhere(
    request: Request,
    db: DbSession,
    stored: StoredVersion,
    current: StoredVersion,
    versions: list[StoredVersion],
    control_id: str,
) -> Response:
    """A permalink to a control this version does not have: a 404 that says where the control went."""
    number = stored.version.version
    trace = standards.trace(db, SID, number, control_id)
    if trace is None:
        raise NotFound(
            f"There is no control {control_id} in any version of {stored.info.title}. "
            f"Browse version {number} for the controls it has."
        )
    context = {
        **_common(stored, current),
        "control_id": control_id,
        "trace": trace,
        "elsewhere": [s for s in versions if s.version.control(control_id) is not None],
    }
    return render(request, "standard/control_missing.html", context, status_code=404)


@router.get("/standard/{version}/crosswalk", response_class=HTMLResponse)
def crosswalks(request: Request, version: str, db: DbSession, user: CurrentUser) -> Response:
    if redirect := _latest_redirect(request, db, version):
        return redirect
    versions, stored, current = _scoped(db, version)

    def build() -> dict[str, Any]:
        tables = [
            (ref_list, coverage_counts(coverage_table(stored.version, ref_list)))
            for ref_list in sorted(standards.references().values(), key=lambda r: r.title)
        ]
        return {**_common(stored, current), "tables": tables}

    return _page(request, user, "standard/crosswalks.html", build, etag_parts=_hashes(versions))


@router.get("/standard/{version}/crosswalk/{framework}", response_class=HTMLResponse)
def crosswalk(
    request: Request, version: str, framework: str, db: DbSession, user: CurrentUser, ref: OptionalQuery = None
) -> Response:
    if redirect := _latest_redirect(request, db, version):
        return redirect
    ref = ref or None
    versions, stored, current = _scoped(db, version)
    table = standards.crosswalk(db, SID, version, framework)
    ref_list = standards.reference_list(framework, table.edition)
    covering = standards.covering(db, SID, version, framework, ref, table.edition) if ref else None
    entry = next((e for e in ref_list.entries if e.id == ref), None)

    def build() -> dict[str, Any]:
        base = f"{API}/versions/{version}/crosswalk/{framework}"
        return {
            **_common(stored, current),
            "table": table,
            "ref_list": ref_list,
            "rows": [r for r in table.rows if ref is None or r.entry.id == ref],
            "counts": coverage_counts(table),
            "status_labels": STATUS_LABELS,
            "ref": ref,
            "entry": entry,
            "covering": covering,
            "csv_url": base + ".csv" + (f"?ref={quote(ref)}" if ref else ""),
            "json_url": base + ".json" + (f"?ref={quote(ref)}" if ref else ""),
        }

    return _page(request, user, "standard/crosswalk.html", build, etag_parts=(*_hashes(versions), framework))
