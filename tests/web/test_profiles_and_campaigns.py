"""Share links, downloads, comparison and team campaigns over HTTP: pages and the JSON API."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from assay.db.repositories import organisations as org_repo
from assay.services import accounts, assessments, campaigns, organisations, standards
from tests.services.conftest import answer_all
from tests.web.conftest import post_form, sign_up

SHARE_RE = re.compile(r"/shared/([A-Za-z0-9_-]+)")


def _db(client: TestClient) -> Session:
    db: Session = client.app.state.session_factory()  # type: ignore[attr-defined]
    return db


def finished_attempt(client: TestClient, rt: Any, *, wrong_in: tuple[str, ...] = ("OV",)) -> str:
    with _db(client) as db:
        if not standards.catalogue(db, "assay-pae"):
            standards.import_standard(db, rt)
        _, token = assessments.start(db, rt)
        answer_all(db, rt, token, right=True, wrong_in=wrong_in)
        assessments.submit(db, rt, token=token)
        db.commit()
    return token


def test_report_page_shares_and_withdraws(client: TestClient, other_client: TestClient, rt: Any) -> None:
    token = finished_attempt(client, rt)
    page = client.get(f"/assessment/{token}/report")
    assert page.status_code == 200
    assert page.text.count('<img class="chart" src="data:image/svg+xml;base64,') == 2  # radar and bars
    assert "built-in method" not in page.text  # "items" is a dict method too: the template must index, not attribute
    rows = re.findall(
        r"<tr>\s*<td>([^<]+)</td>\s*<td>[^<]*(?:<span[^>]*>[^<]*</span>)?</td>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>",
        page.text,
    )
    assert len(rows) == 10 and all(int(n) >= 1 for _, n in rows)
    made = post_form(
        client, f"/assessment/{token}/shares", {"label": "For my mentor"}, token_from=f"/assessment/{token}/report"
    )
    assert made.status_code == 201  # type: ignore[attr-defined]
    share = SHARE_RE.search(made.text).group(1)  # type: ignore[attr-defined, union-attr]
    # Someone else, with only the share link: the profile, not the answers or the owner's link.
    shared = other_client.get(f"/shared/{share}")
    assert shared.status_code == 200 and "Readiness profile" in shared.text
    assert "Your answers" not in shared.text and token not in shared.text
    assert shared.headers["x-robots-tag"] == "noindex"
    assert other_client.get(f"/api/v1/shared/{share}").json()["domains"]
    pdf = other_client.get(f"/shared/{share}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The owner withdraws it; it stops opening at once.
    share_id = client.get(f"/api/v1/assessments/{token}/shares").json()[0]["id"]
    withdrawn = post_form(
        client, f"/assessment/{token}/shares/{share_id}/revoke", {}, token_from=f"/assessment/{token}/report"
    )
    assert withdrawn.status_code == 303  # type: ignore[attr-defined]
    assert other_client.get(f"/shared/{share}").status_code == 404
    assert other_client.get(f"/api/v1/shared/{share}").status_code == 404
    too_long = post_form(
        client, f"/assessment/{token}/shares", {"label": "x" * 200}, token_from=f"/assessment/{token}/report"
    )
    assert too_long.status_code == 400 and "120 characters" in too_long.text  # type: ignore[attr-defined]


def test_downloads_pdf_xlsx_and_the_api(client: TestClient, rt: Any) -> None:
    token = finished_attempt(client, rt)
    pdf = client.get(f"/assessment/{token}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    xlsx = client.get(f"/assessment/{token}/plan.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"  # a zip container, as every XLSX is
    assert client.get(f"/api/v1/assessments/{token}/report.pdf").content[:4] == b"%PDF"
    csrf = client.get("/api/v1/csrf").json()["csrf_token"]
    made = client.post(f"/api/v1/assessments/{token}/shares", json={"label": "CV"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["url"].endswith(made.json()["share_token"])
    bad = client.post(f"/api/v1/assessments/{token}/shares", json={"label": 5, "x": 1}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422
    assert client.get("/assessment/not-a-real-token/report.pdf").status_code == 404


def test_compare_two_attempts_by_link_and_in_the_account(client: TestClient, rt: Any) -> None:
    first = finished_attempt(client, rt)
    second = finished_attempt(client, rt, wrong_in=())
    page = client.get(f"/assessment/{second}/compare", params={"other": f"http://x/assessment/{first}/report"})
    assert page.status_code == 200 and "Two attempts compared" in page.text and re.search(r"\+\d+ points", page.text)
    assert client.get(f"/assessment/{second}/compare", params={"other": "nonsense"}).status_code == 400
    api = client.get(f"/api/v1/assessments/{first}/compare/{second}").json()
    assert api["same_version"] and any(d["change"] for d in api["domains"])
    # Signed in: save both, then compare from the account's list.
    sign_up(client, "Rowan")
    for token in (first, second):
        assert (
            post_form(client, f"/assessment/{token}/claim", {}, token_from=f"/assessment/{token}/report").status_code
            == 303
        )  # type: ignore[attr-defined]
    mine = client.get("/account/assessments")
    ids = re.findall(r"/account/assessments/([0-9A-Z]{26})/open", mine.text)
    assert len(set(ids)) == 2
    compared = client.get("/account/assessments/compare", params={"first": ids[1], "second": ids[0]})
    assert compared.status_code == 200 and "Two attempts compared" in compared.text
    reopened = post_form(client, f"/account/assessments/{ids[0]}/open", {}, token_from="/account/assessments")
    assert reopened.headers["location"].startswith("/assessment/")  # type: ignore[attr-defined]


def test_campaign_pages_from_link_to_team_profile(client: TestClient, other_client: TestClient, rt: Any) -> None:
    with _db(client) as db:
        standards.import_standard(db, rt)
        db.commit()
    sign_up(client, "Maria")
    created = post_form(client, "/orgs", {"name": "Northwind"})
    assert created.status_code == 303  # type: ignore[attr-defined]
    bad = post_form(
        client,
        "/orgs/northwind/campaigns",
        {"name": "Q1", "target_role": "integrator", "min_group_size": "2"},
        token_from="/orgs/northwind",
    )
    assert bad.status_code == 400 and "At least 3" in bad.text  # type: ignore[attr-defined]
    opened = post_form(
        client,
        "/orgs/northwind/campaigns",
        {"name": "Q1 readiness", "target_role": "reviewer", "min_group_size": "3"},
        token_from="/orgs/northwind",
    )
    campaign_url = opened.headers["location"].split("?")[0]  # type: ignore[attr-defined]
    page = client.get(campaign_url)
    join_link = re.search(r'<code id="join-link">[^<]*(/campaigns/join/[A-Za-z0-9_-]+)</code>', page.text).group(1)  # type: ignore[union-attr]
    assert "0 of the 3 submissions needed" in page.text
    # An outsider with the link cannot join; members can.
    sign_up(other_client, "Outsider")
    assert post_form(other_client, join_link, {}).status_code == 403  # type: ignore[attr-defined]
    campaign_id = campaign_url.rsplit("/", 1)[1]
    assert other_client.get(campaign_url).status_code == 404
    assert other_client.get(f"/api/v1/campaigns/{campaign_id}/team").status_code == 404
    with _db(client) as db:
        org = org_repo.by_slug(db, "northwind")
        maria = accounts.authenticate(
            db, rt, email="maria@example.org", password="lantern-orbit-cedar-71", client_ip="t"
        ).user
        for n in range(3):
            person = accounts.sign_up(
                db, rt, email=f"m{n}@example.org", display_name=f"Member {n}", password="lantern-orbit-cedar-71"
            )
            _, invite = organisations.invite(
                db, rt, principal=accounts.principal_for(db, maria), organisation=org, email=person.email, role="member"
            )  # type: ignore[arg-type]
            organisations.accept(db, rt, user=person, token=invite)
            campaign = campaigns.by_id(db, campaign_id=campaign_id)
            _, token, _ = campaigns.join(
                db, rt, principal=accounts.principal_for(db, person), token=campaign.join_token
            )
            answer_all(db, rt, token, right=n != 1, wrong_in=("OV",))
            assessments.submit(db, rt, token=token)
        db.commit()
    team = client.get(campaign_url)
    assert "How the team spreads over the levels" in team.text and "Members by domain" in team.text
    assert "Member 0" in team.text and "weakest" in team.text
    csv_text = client.get(campaign_url + "/team.csv").text
    assert csv_text.startswith("domain,title,members") and "Member 2" in csv_text
    api = client.get(f"/api/v1/campaigns/{campaign_id}/team").json()
    assert api["submitted"] == 3 and len(api["heatmap"]) == 3
    assert client.get("/api/v1/organisations/northwind/campaigns").json()[0]["submitted"] == 3
    org_page = client.get("/orgs/northwind")
    assert "Q1 readiness" in org_page.text
