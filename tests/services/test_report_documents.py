"""The readiness profile as a PDF and the action plan as a workbook, from a stored report's data."""

from __future__ import annotations

import copy
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from assay.services.assessments import action_plan_rows
from assay.services.report_documents import DOMAIN_COLUMNS, action_plan_xlsx, profile_pdf

GENERATED = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def domain(code: str, title: str, level: str, percent: int, interval: tuple[int, int], **extra: Any) -> dict[str, Any]:
    index = ["Not yet", "Developing", "Ready", "Advanced"].index(level)
    rating = extra.pop("self_rating", 2)
    return {
        "domain": code,
        "title": title,
        "level": level,
        "level_index": index,
        "indicative": extra.pop("indicative", False),
        "ability": 0.5,
        "interval": [-1.0, 1.0],
        "credible_level": 0.9,
        "percent": percent,
        "percent_interval": list(interval),
        "items": extra.pop("items", 3),
        "self_rating": rating,
        "self_gap": None if rating is None else rating - index,
        "controls": [{"control": f"{code}-01", "items": [f"{code}-P-001"], "missed": 0.0}],
    }


def sample_report() -> dict[str, Any]:
    """A compact copy of a real report (the service's shape): four domains, two below an integrator's target."""
    return {
        "standard": "assay-pae",
        "standard_version": "1.1",
        "form": "f6df4b5ed30bf5e15aff448c",
        "items": 11,
        "scoring_model": "2pl-grid-v1",
        "target_role": "integrator",
        "percent_to_target": 50,
        "domains": [
            domain("IG", "Input governance", "Ready", 82, (52, 95)),
            domain("OV", "Output validation", "Developing", 45, (16, 77)),
            domain("HO", "Human oversight", "Developing", 55, (20, 86), items=2, indicative=True),
            domain("SR", "System resilience", "Advanced", 91, (61, 99), items=2, self_rating=1),
        ],
        "calibration": {"answered_with_confidence": 11, "brier": 0.2025, "overconfidence": 0.03, "self_gap_mean": 0.25},
        "gaps": [
            {
                "domain": "OV",
                "title": "Output validation",
                "assessed": "Developing",
                "target": "Ready",
                "indicative": False,
                "controls": [
                    {
                        "control": "OV-02",
                        "title": "Context-safe handling of output downstream",
                        "criteria": [
                            "External links in rendered output are restricted to an allowlist.",
                            "Generated code runs with least privilege in a sandbox.",
                        ],
                    },
                    {
                        "control": "OV-04",
                        "title": "Grounding measurement and abstention",
                        "criteria": ["Groundedness is measured on a defined sample."],
                    },
                ],
            },
            {
                "domain": "HO",
                "title": "Human oversight",
                "assessed": "Developing",
                "target": "Ready",
                "indicative": True,
                "controls": [
                    {
                        "control": "HO-02",
                        "title": "Human gates for irreversible actions",
                        "criteria": ["=Approvals are single-use and expire after a documented interval."],
                    }
                ],
            },
        ],
        "feedback": [],
    }


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces as one space: table cells wrap anywhere."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- PDF ------------------------------------------------------------------------------------------------------


def test_profile_pdf_states_what_was_assessed() -> None:
    data = profile_pdf(sample_report(), generated_at=GENERATED, role_label="AI integrator", subject="Ada Lovelace")
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert reader.metadata.title == "Readiness profile"
    assert reader.metadata.creation_date == GENERATED
    text = pdf_text(data)
    for expected in (
        "Readiness profile: Ada Lovelace",
        "Standard assay-pae version 1.1",
        "Target role AI integrator",
        "Domains at the target 50%",
        "Form f6df4b5ed30bf5e15aff448c",
        "Scoring model 2pl-grid-v1",
        "Generated 2026-03-02 14:30 UTC",
    ):
        assert expected in text


def test_profile_pdf_has_a_row_per_domain_with_level_interval_and_self_rating() -> None:
    text = pdf_text(profile_pdf(sample_report(), generated_at=GENERATED, role_label="AI integrator"))
    assert "Chance (90% interval)" in text
    for row in (
        "Input governance (IG) Ready 82% (52–95%) 3 Ready (matches)",
        "Output validation (OV) Developing 45% (16–77%) 3 Ready (1 level above)",
        "Human oversight (HO) Developing (indicative) 55% (20–86%) 2 Ready (1 level above)",
        "System resilience (SR) Advanced 91% (61–99%) 2 Developing (2 levels below)",
    ):
        assert row in text
    assert "(indicative) marks a domain where too few questions touched it" in text
    for bar in ("Input governance 82 / 100", "Output validation 45 / 100", "System resilience 91 / 100"):
        assert bar in text


def test_profile_pdf_explains_calibration() -> None:
    text = pdf_text(profile_pdf(sample_report(), generated_at=GENERATED, role_label="AI integrator"))
    assert "Brier score 0.203 over 11 questions answered with a confidence" in text
    assert "0 is perfect" in text
    assert "Overconfidence +3 percentage points" in text
    assert "Self-rating gap +0.25 levels on average" in text


def test_profile_pdf_lists_the_gaps_in_priority_order_with_their_criteria() -> None:
    text = pdf_text(profile_pdf(sample_report(), generated_at=GENERATED, role_label="AI integrator"))
    first = text.index("1. Output validation: Developing -> Ready")
    second = text.index("2. Human oversight: Developing -> Ready (indicative)")
    assert first < text.index("OV-02: Context-safe handling of output downstream") < second
    assert first < text.index("• Generated code runs with least privilege in a sandbox.") < second
    assert first < text.index("OV-04: Grounding measurement and abstention") < second
    assert second < text.index("• =Approvals are single-use and expire after a documented interval.")
    assert text.index("Reading the intervals") > second
    assert "intervals overlap" in text


def test_profile_pdf_without_gaps_calibration_or_self_ratings() -> None:
    report = sample_report()
    report["gaps"] = []
    report["calibration"] = {
        "answered_with_confidence": 0,
        "brier": None,
        "overconfidence": None,
        "self_gap_mean": None,
    }
    report["percent_to_target"] = None
    for d in report["domains"]:
        d["self_rating"] = d["self_gap"] = None
        d["indicative"] = False
    text = pdf_text(profile_pdf(report, generated_at=GENERATED, role_label=""))
    assert "Target role integrator" in text  # the role's id when it has no label
    assert "Domains at the target -" in text
    assert "Every domain meets the target" in text
    assert "No confidence or self-ratings were given" in text
    assert "Input governance (IG) Ready 82% (52–95%) 3 not given" in text
    assert "indicative" not in text
    assert "Brier score 0" not in text
    assert "1. " not in text


def test_profile_pdf_is_reproducible() -> None:
    report = sample_report()
    first = profile_pdf(report, generated_at=GENERATED, role_label="AI integrator")
    assert report == sample_report()  # the report is read, not changed
    assert profile_pdf(copy.deepcopy(report), generated_at=GENERATED, role_label="AI integrator") == first


# --- XLSX -----------------------------------------------------------------------------------------------------


def test_action_plan_workbook_has_the_plan_and_the_domains() -> None:
    report = sample_report()
    rows = action_plan_rows(report)
    book = load_workbook(io.BytesIO(action_plan_xlsx(rows, report)))
    assert book.sheetnames == ["Action plan", "Domains"]

    plan = book["Action plan"]
    assert [[cell.value for cell in row] for row in plan.iter_rows()] == rows
    assert [cell.value for cell in plan[1]] == [
        "priority",
        "domain",
        "assessed",
        "target",
        "indicative",
        "control",
        "title",
        "criteria to meet",
    ]
    assert plan.max_row == 4  # the header, then one row per control: two for OV, one for HO
    criteria = plan["H4"]
    assert criteria.value == "=Approvals are single-use and expire after a documented interval."
    assert criteria.data_type == "s"  # text that looks like a formula stays text
    assert all(cell.font.b for cell in plan[1])
    assert plan.freeze_panes == "A2"

    domains = book["Domains"]
    assert [[cell.value for cell in row] for row in domains.iter_rows()] == [
        DOMAIN_COLUMNS,
        ["IG", "Input governance", "Ready", 82, 52, 95, 3, "no", "Ready"],
        ["OV", "Output validation", "Developing", 45, 16, 77, 3, "no", "Ready"],
        ["HO", "Human oversight", "Developing", 55, 20, 86, 2, "yes", "Ready"],
        ["SR", "System resilience", "Advanced", 91, 61, 99, 2, "no", "Developing"],
    ]
    assert DOMAIN_COLUMNS == [
        "domain",
        "title",
        "level",
        "percent",
        "interval low",
        "interval high",
        "items",
        "indicative",
        "self rating",
    ]
    assert domains["D2"].data_type == "n"  # percentages are numbers, to sort and chart
    assert domains.auto_filter.ref == "A1:I5"


@pytest.mark.parametrize("rating", [None, 0, 3])
def test_domains_sheet_names_each_self_rating(rating: int | None) -> None:
    report = sample_report()
    report["domains"][0]["self_rating"] = rating
    book = load_workbook(io.BytesIO(action_plan_xlsx(action_plan_rows(report), report)))
    assert book["Domains"]["I2"].value == {None: None, 0: "Not yet", 3: "Advanced"}[rating]
