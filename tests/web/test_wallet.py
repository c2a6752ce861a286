"""The holder's wallet: certificate PDF with a QR code, LinkedIn link, and the privacy setting that
the public page follows."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.web.conftest import PASSWORD, post_form
from tests.web.test_registry import issue_one


def test_wallet_certificate_linkedin_and_privacy(client: TestClient, other_client: TestClient, rt: Any) -> None:
    document = issue_one(client, rt)
    public_id = str(document["id"]).rsplit("/", 1)[-1]
    assert client.get("/account/credentials", follow_redirects=False).status_code in (303, 401)
    post_form(client, "/account/signin", {"email": "sam@example.org", "password": PASSWORD})
    wallet = client.get("/account/credentials")
    assert wallet.status_code == 200 and "Foundation" in wallet.text

    pdf = client.get(f"/account/credentials/{public_id}.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Awarded to sam" in text and "version 1.1" in text and f"/credentials/{public_id}" in text
    assert any(page.images for page in reader.pages)  # the QR code

    link = next(line for line in wallet.text.split('"') if line.startswith("https://www.linkedin.com/profile/add?"))
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["certId"] == [public_id] and query["certUrl"][0].endswith(f"/credentials/{public_id}")

    assert "sam" in other_client.get(f"/api/v1/credentials/{public_id}").json()["holder"]
    saved = post_form(
        client,
        f"/account/credentials/{public_id}/visibility",
        {"visibility": "anonymous"},
        token_from="/account/credentials",
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert other_client.get(f"/api/v1/credentials/{public_id}").json()["holder"] is None
    assert "the holder&#39;s name is private" in other_client.get(f"/credentials/{public_id}").text
    bad = post_form(
        client,
        f"/account/credentials/{public_id}/visibility",
        {"visibility": "everyone"},
        token_from="/account/credentials",
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    # Someone else's credential is not theirs to change or download.
    post_form(
        other_client, "/account/signup", {"email": "eve@example.org", "display_name": "Eve", "password": PASSWORD}
    )
    assert other_client.get(f"/account/credentials/{public_id}.pdf").status_code == 404
    stolen = post_form(
        other_client,
        f"/account/credentials/{public_id}/visibility",
        {"visibility": "public"},
        token_from="/account/credentials",
    )
    assert stolen.status_code == 404  # type: ignore[attr-defined]
