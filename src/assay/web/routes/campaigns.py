"""Team campaigns in the browser: open one from the organisation page, join by link, the team profile."""

from __future__ import annotations

import base64
import csv
import io
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assay.core.errors import ValidationFailed
from assay.core.roles import Permission, decide
from assay.infra.charts import bar_chart_svg
from assay.services import assessments, campaigns, organisations
from assay.web.deps import CurrentPrincipal, CurrentUser, DbSession, Rt
from assay.web.routes.organisations import org_page
from assay.web.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/orgs/{slug}/campaigns", response_class=HTMLResponse)
def open_campaign(
    request: Request,
    slug: str,
    db: DbSession,
    rt: Rt,
    principal: CurrentPrincipal,
    name: Annotated[str, Form()] = "",
    target_role: Annotated[str, Form()] = "integrator",
    min_group_size: Annotated[str, Form()] = "5",
) -> Response:
    org = organisations.visible(db, principal=principal, slug=slug)
    form = {"name": name, "target_role": target_role, "min_group_size": min_group_size}
    try:
        size = int(min_group_size) if min_group_size.strip().isdigit() else -1
        campaign = campaigns.open_campaign(
            db, rt, principal=principal, organisation=org, name=name, target_role=target_role, min_group_size=size
        )
    except ValidationFailed as exc:
        return org_page(
            request, db, principal, slug, campaign_form=form, campaign_errors=exc.fields or {"name": exc.message}
        )
    return RedirectResponse(f"/orgs/{org.slug}/campaigns/{campaign.id}?notice=opened", status_code=303)


def _heat_class(level: str | None) -> str:
    return {"Not yet": "heat-0", "Developing": "heat-1", "Ready": "heat-2", "Advanced": "heat-3"}.get(level or "", "")


@router.get("/orgs/{slug}/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, slug: str, campaign_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal
) -> Response:
    campaign, org = campaigns.get(db, principal=principal, campaign_id=campaign_id)
    if org.slug != slug:
        return RedirectResponse(f"/orgs/{org.slug}/campaigns/{campaign.id}", status_code=307)
    team = campaigns.team_profile(db, principal=principal, campaign=campaign)
    chart = None
    if not team["suppressed"]:
        domains = team["domains"]
        svg = bar_chart_svg(
            "Team median per domain (chance on a medium scenario), with the quartiles",
            [d["domain"] for d in domains],
            [float(d["percent"]["median"]) for d in domains],
            max_value=100,
            intervals=[(float(d["percent"]["q1"]), float(d["percent"]["q3"])) for d in domains],
        )
        chart = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    context = {
        "org": org,
        "campaign": campaign,
        "team": team,
        "chart": chart,
        "can_manage": decide(principal, Permission.ORG_MANAGE, org.id).allowed,
        "join_link": f"{rt.settings.base_url.rstrip('/')}/campaigns/join/{campaign.join_token}",
        "role_label": assessments.role_targets()[campaign.target_role]["label"],
        "notice": request.query_params.get("notice"),
        "heat_class": _heat_class,
    }
    return render(request, "campaigns/detail.html", context)


@router.get("/orgs/{slug}/campaigns/{campaign_id}/team.csv")
def team_csv(slug: str, campaign_id: str, db: DbSession, principal: CurrentPrincipal) -> Response:
    campaign, _ = campaigns.get(db, principal=principal, campaign_id=campaign_id)
    out = io.StringIO()
    rows = campaigns.export_rows(campaigns.team_profile(db, principal=principal, campaign=campaign))
    csv.writer(out, lineterminator="\n").writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="assay-team-profile.csv"'},
    )


@router.post("/orgs/{slug}/campaigns/{campaign_id}/close")
def close(slug: str, campaign_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    campaign, org = campaigns.get(db, principal=principal, campaign_id=campaign_id)
    campaigns.close(db, rt, principal=principal, campaign=campaign)
    return RedirectResponse(f"/orgs/{org.slug}/campaigns/{campaign.id}?notice=closed", status_code=303)


@router.post("/orgs/{slug}/campaigns/{campaign_id}/link")
def replace_link(slug: str, campaign_id: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    campaign, org = campaigns.get(db, principal=principal, campaign_id=campaign_id)
    campaigns.new_link(db, rt, principal=principal, campaign=campaign)
    return RedirectResponse(f"/orgs/{org.slug}/campaigns/{campaign.id}?notice=link", status_code=303)


@router.get("/campaigns/join/{token}", response_class=HTMLResponse)
def join_page(request: Request, token: str, db: DbSession, user: CurrentUser) -> Response:
    campaign, org = campaigns.by_join_token(db, token=token)
    context = {
        "campaign": campaign,
        "org": org,
        "token": token,
        "role_label": assessments.role_targets()[campaign.target_role]["label"],
    }
    return render(request, "campaigns/join.html", context)


@router.post("/campaigns/join/{token}")
def join(token: str, db: DbSession, rt: Rt, principal: CurrentPrincipal) -> Response:
    attempt, attempt_token, _ = campaigns.join(db, rt, principal=principal, token=token)
    target = f"/assessment/{attempt_token}" + ("/report" if attempt.submitted_at else "")
    return RedirectResponse(target, status_code=303)
