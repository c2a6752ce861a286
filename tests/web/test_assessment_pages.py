"""The assessment pages over HTTP: keys never reach the page before submission; bad input is a page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from assay.services import assessments, standards
from tests.web.conftest import csrf_from


def test_pages_hide_keys_and_refuse_bad_input(client: TestClient, rt: Any) -> None:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        standards.import_standard(db, rt)
        db.commit()
    token_field = csrf_from(client, "/assessment")
    started = client.post("/assessment/start", data={"csrf_token": token_field}, follow_redirects=False)
    attempt_url = started.headers["location"]
    token = attempt_url.rsplit("/", 1)[1]
    assert client.get(attempt_url, follow_redirects=False).headers["location"].endswith("/self")
    incomplete = client.post(
        f"/assessment/{token}/self", data={"csrf_token": csrf_from(client, f"/assessment/{token}/self"), "rate-IG": "2"}
    )
    assert incomplete.status_code == 400 and "Rate every domain" in incomplete.text
    ratings = {f"rate-{d}": "1" for d in ("IG", "OV", "RD", "DR", "OBS", "HO", "SR", "VD", "IA", "AT")}
    client.post(
        f"/assessment/{token}/self", data={"csrf_token": csrf_from(client, f"/assessment/{token}/self"), **ratings}
    )
    page = client.get(f"/assessment/{token}/q/1")
    assert page.status_code == 200 and "Question 1 of 25" in page.text
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        first = assessments._item(assessments.refs(assessments.get(db, token=token))[0])
    for option in first.options:
        assert option.rationale not in page.text
    empty = client.post(f"/assessment/{token}/q/1", data={"csrf_token": csrf_from(client, f"/assessment/{token}/q/1")})
    assert empty.status_code == 400
    assert client.get(f"/assessment/{token}/q/99").status_code == 400
    assert client.get("/assessment/no-such-token").status_code == 404
    assert re.search(r"Question \d+ of 25", client.get(f"/assessment/{token}").text)
