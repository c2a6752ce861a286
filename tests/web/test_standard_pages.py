"""The standard's public pages: home, versions, domains, controls, history, diff and crosswalks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from assay.content import DEFAULT_STANDARD_ID
from assay.services import standards
from assay.services.runtime import Runtime
from tests.web.conftest import sign_up

PAGES = [
    "/standard",
    "/standard/1.1",
    "/standard/1.0",
    "/standard/1.1/domains/HO",
    "/standard/1.1/controls/HO-02",
    "/standard/1.0/controls/IA-03",
    "/standard/history",
    "/standard/diff",
    "/standard/diff?from=1.1&to=1.1",
    "/standard/1.1/crosswalk",
    "/standard/1.1/crosswalk/nist-ai-rmf",
    "/standard/1.1/crosswalk/owasp-llm-top10?ref=LLM01",
]


class Outline(HTMLParser):
    """What the accessibility checks need: headings, tables and their captions and header scopes, landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.navs: list[str | None] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        elif tag == "nav":
            self.navs.append(a.get("aria-label"))
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    """The page's main content as plain text, whitespace collapsed."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#39;", "'").replace("&amp;", "&")


def section(html: str, anchor: str) -> str:
    """The text of the <section> whose heading has this id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{anchor}".*?</section>', html, re.S)
    assert match, f"no section {anchor}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


@pytest.fixture
def loaded(client: TestClient, rt: Runtime) -> TestClient:
    session = client.app.state.session_factory()  # type: ignore[attr-defined]
    try:
        standards.import_standard(session, rt)
        session.commit()
    finally:
        session.close()
    return client


def test_an_unloaded_standard_is_a_friendly_page(client: TestClient) -> None:
    page = client.get("/standard")
    assert page.status_code == 404
    assert "The standard is not available yet" in page.text
    assert "assay standard import" in page.text
    deeper = client.get("/standard/1.1/controls/HO-02")
    assert deeper.status_code == 404
    assert "has not been loaded" in deeper.text
    assert "Traceback" not in deeper.text


def test_the_nav_links_to_the_standard_for_everyone(client: TestClient) -> None:
    nav = client.get("/").text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs[:2] == ["/", "/standard"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_one_h1_breadcrumbs_and_labelled_tables(loaded: TestClient, path: str) -> None:
    page = loaded.get(path)
    assert page.status_code == 200, page.text
    o = outline(page.text)
    assert o.h1 == 1
    assert "Breadcrumb" in o.navs
    assert o.tables == o.captions
    assert o.th_without_scope == 0


def test_home_shows_the_standard_its_versions_and_how_to_cite_it(
    loaded: TestClient, sessions: sessionmaker[Session]
) -> None:
    page = loaded.get("/standard")
    text = text_of(page.text)
    assert "Assay Production AI Engineering Standard" in text
    assert "Assay Standards Board" in text
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC-BY-4.0</a>' in page.text
    assert re.search(r"<blockquote[^>]*>\s*<p>Assay Standards Board\. .*version 1\.1\. 2026\.", page.text)
    db = sessions()
    hashes = {s.version.version: s.content_hash for s in standards.catalogue(db, DEFAULT_STANDARD_ID)}
    db.close()
    assert hashes["1.1"] in page.text
    versions = section(page.text, "versions-title")
    assert versions.index("Version 1.1") < versions.index("Version 1.0")
    assert "Retired" in versions and "Published" in versions
    links = outline(page.text).links
    for href in ["/standard/1.1", "/standard/1.0", "/standard/history", "/standard/1.1/crosswalk"]:
        assert href in links
    assert "/standard/diff?from=1.0&to=1.1" in links


def test_public_pages_are_cacheable_with_an_etag_and_no_cookie(loaded: TestClient) -> None:
    first = loaded.get("/standard/1.1/controls/HO-02")
    assert first.headers["cache-control"] == "public, max-age=300"
    assert "cookie" in first.headers["vary"].lower()
    assert "set-cookie" not in first.headers
    etag = first.headers["etag"]
    again = loaded.get("/standard/1.1/controls/HO-02", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert loaded.get("/standard/1.1/controls/HO-02", headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_signed_in_persons_pages_are_not_shared(loaded: TestClient) -> None:
    sign_up(loaded, "Maria")
    page = loaded.get("/standard/1.1")
    assert "Signed in as" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "etag" not in page.headers


def test_latest_redirects_to_the_concrete_version(loaded: TestClient) -> None:
    response = loaded.get("/standard/latest", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/standard/1.1"
    deep = loaded.get("/standard/latest/crosswalk/nist-ai-rmf?ref=MAP%204.2", follow_redirects=False)
    assert deep.status_code == 307
    assert deep.headers["location"] == "/standard/1.1/crosswalk/nist-ai-rmf?ref=MAP%204.2"


def test_version_overview_lists_domains_and_controls(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.1")
    text = text_of(page.text)
    assert "Version 1.1 is the first revision" in text
    assert "2026-09-14" in text
    assert "is retired" not in text
    links = outline(page.text).links
    assert len([h for h in links if h.startswith("/standard/1.1/domains/")]) == 10
    assert len({h for h in links if h.startswith("/standard/1.1/controls/")}) == 51
    assert "/standard/1.1/controls/OBS-06" in links
    assert "/standard/1.1/controls/OBS-05" not in links


def test_a_retired_version_is_flagged_and_points_to_the_current_one(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.0")
    assert "Version 1.0 is retired." in text_of(page.text)
    assert 'role="note"' in page.text
    assert '<a href="/standard/1.1">version 1.1</a>' in page.text
    control = loaded.get("/standard/1.0/controls/HO-02")
    assert "Version 1.0 is retired." in text_of(control.text)
    assert '<a href="/standard/1.1/controls/HO-02">version 1.1</a>' in control.text


def test_domain_page(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.1/domains/OBS")
    assert page.status_code == 200
    links = outline(page.text).links
    assert "/standard/1.1/controls/OBS-06" in links
    assert "/standard/1.1/controls/OBS-05" not in links
    assert loaded.get("/standard/1.1/domains/NOPE").status_code == 404


def test_control_page_shows_everything_about_the_control(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.1/controls/HO-02")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "HO-02 Human gates for irreversible actions" in text
    assert "approval shall be bound to a hash of the action's final parameters" in text
    assert [f"Level {n}" for n in range(4)] == re.findall(r"Level [0-3]", section(page.text, "maturity-title"))
    assert "Tests verify that changing any parameter after approval" in text
    assert "Evidence examples" in text and "Failure modes prevented" in text
    assert "Human oversight architecture" in text  # the domain, in the breadcrumb and the facts
    crosswalk = section(page.text, "crosswalk-title")
    for framework in ["NIST AI Risk Management Framework", "ISO/IEC 42001:2023", "OWASP Top 10"]:
        assert framework in crosswalk
    assert "Roles for human oversight of AI systems defined" in crosswalk  # GOVERN 3.2's paraphrased title
    assert '<a href="/standard/1.1/crosswalk/nist-ai-rmf?ref=GOVERN%203.2">GOVERN 3.2</a>' in page.text
    lineage = section(page.text, "lineage-title")
    assert "HO-02 in version 1.0" in lineage
    assert "see what changed" in lineage
    assert '<a href="/standard/1.0/controls/HO-02">' in page.text
    assert "/standard/diff?from=1.0&amp;to=1.1" in page.text


def test_a_split_control_in_its_old_version_says_where_it_went(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.0/controls/IA-03")
    assert page.status_code == 200
    lineage = section(page.text, "lineage-title")
    assert "IA-03 was replaced in version 1.1 by IA-06, IA-07" in lineage
    assert '<a href="/standard/1.1/controls/IA-06">' in page.text


def test_a_control_not_in_this_version_is_a_helpful_404(loaded: TestClient) -> None:
    split = loaded.get("/standard/1.1/controls/IA-03")
    assert split.status_code == 404
    text = text_of(split.text)
    assert "IA-03 is not part of version 1.1" in text
    assert "replaced in version 1.1 by IA-06, IA-07" in text
    links = outline(split.text).links
    assert {"/standard/1.1/controls/IA-06", "/standard/1.1/controls/IA-07", "/standard/1.0/controls/IA-03"} <= set(
        links
    )
    retired = loaded.get("/standard/1.1/controls/OBS-05")
    assert retired.status_code == 404
    assert "version 1.1 retired it" in text_of(retired.text)
    introduced_later = loaded.get("/standard/1.0/controls/OBS-06")
    assert introduced_later.status_code == 404
    assert "introduced after version 1.0, in version 1.1" in text_of(introduced_later.text)
    never = loaded.get("/standard/1.1/controls/ZZ-01")
    assert never.status_code == 404
    assert "There is no control ZZ-01 in any version" in never.text
    assert loaded.get("/standard/9.9/controls/HO-02").status_code == 404


def test_history_lists_versions_newest_first_with_their_changes(loaded: TestClient) -> None:
    page = loaded.get("/standard/history")
    text = text_of(page.text)
    assert text.index("Version 1.1") < text.index("Version 1.0")
    assert "Version 1.1 draws on the first six months of assessments" in text
    changes = section(page.text, "v1-1")
    for kind in ["Added", "Reworded", "Split", "Retired"]:
        assert kind in changes
    assert "IA-03 combined two artefacts" in changes
    links = outline(page.text).links
    for href in ["/standard/1.1/controls/OBS-06", "/standard/1.1/controls/IA-07", "/standard/1.0/controls/OBS-05"]:
        assert href in links
    assert "The first version: no changes to list." in section(page.text, "v1-0")


def test_diff_page_defaults_to_the_latest_revision(loaded: TestClient) -> None:
    page = loaded.get("/standard/diff")
    assert page.status_code == 200
    assert '<option value="1.0" selected>' in page.text and '<option value="1.1" selected>' in page.text
    assert '<label for="diff-from">From version</label>' in page.text
    assert "OBS-06" in section(page.text, "added")
    assert "OBS-05" in section(page.text, "retired")
    split = section(page.text, "split")
    assert re.search(r"IA-03 .* was split into IA-06 .* and IA-07", split)
    changed = section(page.text, "changed")
    assert "HO-02" in changed
    assert "Statement" in changed
    assert "Before (1.0)" in changed and "After (1.1)" in changed
    assert "<del>" in page.text and "<ins>" in page.text
    assert "[removed: require explicit human approval" in changed
    assert "Incident reviews under 1.0 found approvals" in changed  # the changelog's rationale
    assert loaded.get("/standard/diff?from=1.0&to=1.1").text == page.text


def test_diff_of_a_version_with_itself_and_of_unknown_versions(loaded: TestClient) -> None:
    same = loaded.get("/standard/diff?from=1.1&to=1.1")
    assert same.status_code == 200
    assert "No differences" in same.text
    unknown = loaded.get("/standard/diff?from=1.0&to=9.9")
    assert unknown.status_code == 404
    assert "There is no version 9.9 of this standard" in unknown.text
    assert '<select id="diff-to" name="to">' in unknown.text  # the form stays, to pick again
    backwards = loaded.get("/standard/diff?from=1.1&to=1.0")
    assert backwards.status_code == 200
    assert "this shows the changes in reverse" in backwards.text


def test_crosswalk_index_links_every_framework(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.1/crosswalk")
    links = outline(page.text).links
    for framework in ["nist-ai-rmf", "iso-iec-42001", "owasp-llm-top10"]:
        assert f"/standard/1.1/crosswalk/{framework}" in links


@pytest.mark.parametrize(("framework", "size"), [("nist-ai-rmf", 72), ("iso-iec-42001", 38), ("owasp-llm-top10", 10)])
def test_crosswalk_counts_add_up_to_the_reference_list(loaded: TestClient, framework: str, size: int) -> None:
    page = loaded.get(f"/standard/1.1/crosswalk/{framework}")
    summary = section(page.text, "summary-title")
    total = int(re.search(r"(\d+) references", summary).group(1))  # type: ignore[union-attr]
    counts = [int(n) for n in re.findall(r"(?:Covered|Partly covered|Not covered) : (\d+)", summary)]
    assert total == size == len(standards.reference_list(framework).entries)
    assert len(counts) == 3 and sum(counts) == size
    assert page.text.count('<th scope="row">') == size
    assert f"/api/v1/standards/assay-pae/versions/1.1/crosswalk/{framework}.csv" in page.text
    assert f"/api/v1/standards/assay-pae/versions/1.1/crosswalk/{framework}.json" in page.text


def test_crosswalk_filtered_to_one_reference(loaded: TestClient) -> None:
    page = loaded.get("/standard/1.1/crosswalk/nist-ai-rmf", params={"ref": "GOVERN 3.2"})
    assert page.status_code == 200
    covering = section(page.text, "covering-title")
    assert "Controls covering GOVERN 3.2" in covering
    assert "HO-02 Human gates for irreversible actions" in covering
    assert page.text.count('<th scope="row">') == 1
    assert '<option value="GOVERN 3.2" selected>' in page.text
    assert "crosswalk/nist-ai-rmf.csv?ref=GOVERN%203.2" in page.text
    everything = loaded.get("/standard/1.1/crosswalk/nist-ai-rmf?ref=")
    assert everything.text.count('<th scope="row">') == 72
    unknown = loaded.get("/standard/1.1/crosswalk/nist-ai-rmf", params={"ref": "GOVERN 99.9"})
    assert unknown.status_code == 404
    assert "GOVERN 99.9 is not an entry" in unknown.text
    assert loaded.get("/standard/1.1/crosswalk/no-such-framework").status_code == 404
