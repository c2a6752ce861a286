"""Generated documents: the PDF report builder and the SVG bar and radar charts."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from assay.infra.documents import PdfDocument, bar_chart_svg, pdf_safe_text, radar_chart_svg

GENERATED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, and parsing it is the test


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- PDF ----------------------------------------------------------------------------------------------------


def build_report() -> PdfDocument:
    doc = PdfDocument("Assessment report", generated_at=GENERATED)
    doc.heading("Assessment of Acme Ltd")
    doc.paragraph("This report summarises the assessment against the Assay standard. " * 3)
    doc.key_value_table([("Organisation", "Acme Ltd"), ("Assessed", "15 January 2026")])
    doc.heading("Findings", level=2)
    doc.table(["Control", "Score", "Note"], [["GOV-1", "4", "Policy approved"], ["SEC-2", "2", "No key rotation"]])
    doc.bar_chart(["Governance", "Security"], [3.5, 2.0], 5, title="Scores by area")
    return doc


def test_pdf_parses_and_contains_the_content() -> None:
    data = build_report().to_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    for expected in (
        "Assessment of Acme Ltd",
        "Findings",
        "Organisation",
        "Acme Ltd",
        "GOV-1",
        "Policy approved",
        "No key rotation",
        "Scores by area",
        "Governance",
        "3.5 / 5",
        "2 / 5",
    ):
        assert expected in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Assessment report"
    assert reader.metadata.creation_date == GENERATED


def test_footer_has_page_numbers_and_the_generation_time() -> None:
    doc = PdfDocument("Long report", generated_at=datetime(2026, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=1))))
    doc.table(["#", "Text"], [[str(i), "row text " * 8] for i in range(150)])
    reader = PdfReader(io.BytesIO(doc.to_bytes()))
    pages = len(reader.pages)
    assert pages > 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text
        assert "Generated 2026-01-15 09:30 UTC" in text
    assert reader.pages[1].extract_text().count("Text") >= 1  # the header row repeats on later pages


def test_same_input_same_bytes() -> None:
    # No wall-clock reads: the creation date and IDs derive from the inputs.
    assert build_report().to_bytes() == build_report().to_bytes()


def test_long_bar_charts_break_across_pages() -> None:
    doc = PdfDocument("Chart", generated_at=GENERATED)
    labels = [f"Area {i} with a label far too long to fit in its column" for i in range(60)]
    doc.bar_chart(labels, [i % 6 for i in range(60)], 5)
    text = pdf_text(doc.to_bytes())
    assert len(PdfReader(io.BytesIO(doc.to_bytes())).pages) > 1
    assert "Area 59" in text
    assert "…" in text  # long labels are cut with an ellipsis


def test_non_latin_text_is_rendered_sensibly() -> None:
    doc = PdfDocument("Łódź “report” 漢字", generated_at=GENERATED)
    doc.heading("Zażółć gęślą jaźń — €5 ≤ 6")
    doc.paragraph("Ünïcödé, ﬁne, 漢字 and 😀.")
    doc.table(["Ключ", "Value"], [["ő", "Ø"]])
    text = pdf_text(doc.to_bytes())
    assert "Zazólc gesla jazn — €5 <= 6" in text
    assert "Ünïcödé, fine, ?? and ?." in text
    assert "????" in text
    assert "o" in text
    assert "Ø" in text


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("plain ASCII", "plain ASCII"),
        ("café “quoted” – dash…", "café “quoted” – dash…"),
        ("Łukasz Świątek", "Lukasz Swiatek"),
        ("ﬁnal Ａ", "final A"),
        ("a → b ≥ c", "a -> b >= c"),
        ("tab\there", "tab    here"),
        ("bell\x07 and\nnewline", "bell and\nnewline"),
        ("漢字", "??"),
    ],
)
def test_pdf_safe_text(raw: str, safe: str) -> None:
    assert pdf_safe_text(raw) == safe


def test_pdf_builder_rejects_misuse() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PdfDocument("x", generated_at=datetime(2026, 1, 1))
    doc = PdfDocument("x", generated_at=GENERATED)
    with pytest.raises(ValueError, match="heading level"):
        doc.heading("x", level=4)
    with pytest.raises(ValueError, match="row 1 has 1 cells; the header has 2"):
        doc.table(["a", "b"], [["only one"]])
    with pytest.raises(ValueError, match="at least one column"):
        doc.table([], [])
    with pytest.raises(ValueError, match="between 0 and max_value=5"):
        doc.bar_chart(["a"], [6], 5)
    with pytest.raises(ValueError, match="labels but"):
        doc.bar_chart(["a", "b"], [1], 5)
    with pytest.raises(ValueError, match="positive"):
        doc.bar_chart(["a"], [0], 0)
    doc.to_bytes()
    with pytest.raises(RuntimeError, match="already rendered"):
        doc.paragraph("too late")


def test_empty_key_value_table_and_zero_bars_are_fine() -> None:
    doc = PdfDocument("x", generated_at=GENERATED)
    doc.key_value_table([]).bar_chart(["Nothing yet"], [0], 5).table(["Only header"], [])
    text = pdf_text(doc.to_bytes())
    assert "Nothing yet" in text
    assert "0 / 5" in text
    assert "Only header" in text


# --- SVG chart ------------------------------------------------------------------------------------------------


def test_svg_chart_parses_and_has_the_bars_and_labels() -> None:
    svg = bar_chart_svg("Scores by area", ["Governance", "Security", "Operations"], [3.5, 2, 4], max_value=5)
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    texts = [el.text for el in root.iter(f"{SVG}text")]
    for label in ("Governance", "Security", "Operations", "3.5", "2", "4", "Scores by area"):
        assert label in texts
    bars = [
        el for el in root.iter(f"{SVG}rect") if "rect" in (el.get("class") or "") and "reactive" in el.get("class", "")
    ]
    assert len(bars) == 3


def test_svg_chart_is_accessible() -> None:
    svg = bar_chart_svg("Scores", ["Governance", "Security"], [3.5, 2], max_value=5)
    root = parse_svg(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Scores"
    assert desc.text == "Governance: 3.5; Security: 2."
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_svg_chart_is_inert_and_self_contained() -> None:
    svg = bar_chart_svg("<script>alert(1)</script>", ["<b>x</b>"], [1], description="custom & safe")
    assert "<script" not in svg.lower()
    assert "<!--" not in svg
    assert not svg.startswith("<?xml")
    assert not re.search(r"(?:href|src)\s*=", svg)
    assert "url(http" not in svg
    assert "@import" not in svg
    root = parse_svg(svg)
    assert not [el for el in root.iter() if el.tag.endswith(("script", "foreignObject"))]
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "custom & safe"  # type: ignore[union-attr]


def test_svg_chart_with_error_bars() -> None:
    svg = bar_chart_svg("Scores", ["A", "B"], [3, 2], max_value=5, errors=[0.5, 0.25])
    root = parse_svg(svg)
    error_bars = [el for el in root.iter(f"{SVG}path") if "nofill" in (el.get("class") or "")]
    assert len(error_bars) == 2


def test_svg_chart_without_data() -> None:
    root = parse_svg(bar_chart_svg("Nothing", [], [], max_value=5))
    assert root.find(f"{SVG}desc").text == "No data."  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("labels", "values", "kwargs", "wording"),
    [
        (["a"], [1, 2], {}, "labels but"),
        (["a"], [float("nan")], {}, "finite"),
        (["a"], [6], {"max_value": 5}, "exceed"),
        (["a"], [1], {"errors": [-1]}, "non-negative"),
        (["a"], [1], {"errors": [1, 2]}, "one finite"),
    ],
)
def test_svg_chart_rejects_bad_input(
    labels: list[str], values: list[float], kwargs: dict[str, object], wording: str
) -> None:
    with pytest.raises(ValueError, match=wording):
        bar_chart_svg("x", labels, values, **kwargs)  # type: ignore[arg-type]


def test_svg_chart_with_asymmetric_intervals() -> None:
    from assay.infra.charts import bar_chart_svg

    svg = bar_chart_svg("Readiness", ["IG", "OV"], [82, 41], max_value=100, intervals=[(60, 97), (11, 71)])
    assert "<svg" in svg and "<script" not in svg
    import pytest

    with pytest.raises(ValueError, match="containing it"):
        bar_chart_svg("Readiness", ["IG"], [82], max_value=100, intervals=[(85, 97)])


# --- SVG radar chart ------------------------------------------------------------------------------------------

AXES = ["Input governance", "Output validation", "Retrieval data", "Deployment"]


def radar_polygons(root: ET.Element) -> dict[str, list[tuple[float, float]]]:
    """Each series' outline (the closed path pygal draws per series), as points, by the series' CSS class."""
    polygons = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        path = group.find(f"{SVG}path")
        if "series" in classes and path is not None:
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d", ""))]
            polygons[classes[1]] = list(zip(numbers[::2], numbers[1::2], strict=True))
    return polygons


def test_radar_chart_parses_and_draws_each_series() -> None:
    svg = radar_chart_svg(
        "Profile against the target", AXES, [82, 45, 45, 100], series_label="Assessed", second=("Target", [60] * 4)
    )
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    texts = [el.text for el in root.iter(f"{SVG}text")]
    for label in (*AXES, "Profile against the target", "Assessed", "Target"):  # axes, title, legend
        assert label in texts
    polygons = radar_polygons(root)
    assert sorted(polygons) == ["serie-0", "serie-1"]
    assert all(len(points) == 4 for points in polygons.values())
    # The target is a regular polygon (all 60): its points lie at one distance from the centre, and the
    # assessed series is outside it where it is higher (82, 100) and inside where lower (45).
    target, assessed = polygons["serie-1"], polygons["serie-0"]
    cx, cy = (target[1][0] + target[3][0]) / 2, (target[0][1] + target[2][1]) / 2

    def radius(point: tuple[float, float]) -> float:
        return float(((point[0] - cx) ** 2 + (point[1] - cy) ** 2) ** 0.5)

    assert radius(assessed[0]) > radius(target[0])
    assert radius(assessed[1]) < radius(target[1])
    assert radius(assessed[3]) > radius(target[3])
    assert radius(assessed[3]) == pytest.approx(radius(target[3]) * 100 / 60, rel=0.05)  # drawn to scale


def test_radar_chart_with_one_series_has_no_legend() -> None:
    root = parse_svg(radar_chart_svg("Profile", AXES[:3], [10, 20, 30]))
    assert list(radar_polygons(root)) == ["serie-0"]
    assert not [el for el in root.iter(f"{SVG}g") if "legends" in (el.get("class") or "")]


def test_radar_chart_is_accessible() -> None:
    svg = radar_chart_svg("Profile", AXES[:3], [82, 45.5, 0], series_label="Assessed", second=("Target", [60, 60, 85]))
    root = parse_svg(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Profile"
    assert desc.text == (
        "Assessed: Input governance 82, Output validation 45.5, Retrieval data 0; "
        "Target: Input governance 60, Output validation 60, Retrieval data 85."
    )
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_radar_chart_is_inert_and_self_contained() -> None:
    svg = radar_chart_svg("<script>alert(1)</script>", ["<b>x</b>", "y", "z"], [1, 2, 3], description="custom & safe")
    assert "<script" not in svg.lower()
    assert "<!--" not in svg
    assert not svg.startswith("<?xml")
    assert not re.search(r"(?:href|src)\s*=", svg)
    assert "url(http" not in svg
    assert "@import" not in svg
    root = parse_svg(svg)
    assert not [el for el in root.iter() if el.tag.endswith(("script", "foreignObject"))]
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "custom & safe"  # type: ignore[union-attr]
    assert "<b>x</b>" in [el.text for el in root.iter(f"{SVG}text")]  # a label is text, not markup


def test_radar_chart_values_may_reach_the_ends_of_the_scale() -> None:
    root = parse_svg(radar_chart_svg("Edges", ["a", "b", "c"], [0, 5, 5], max_value=5, second=("t", [5, 0, 0])))
    assert len(radar_polygons(root)) == 2


@pytest.mark.parametrize(
    ("labels", "values", "kwargs", "wording"),
    [
        (["a", "b"], [1, 2], {}, "at least 3 axes"),
        ([], [], {}, "at least 3 axes"),
        (["a", "b", "c"], [1, 2], {}, "'Value': 3 labels but 2 values"),
        (["a", "b", "c"], [1, 2, 3], {"second": ("Target", [1, 2])}, "'Target': 3 labels but 2 values"),
        (["a", "b", "c"], [1, float("nan"), 3], {}, "finite"),
        (["a", "b", "c"], [1, 2, 3], {"second": ("Target", [1, float("inf"), 3])}, "'Target'.*finite"),
        (["a", "b", "c"], [1, 2, 101], {}, "between 0 and max_value=100"),
        (["a", "b", "c"], [1, -2, 3], {}, "between 0 and max_value=100"),
        (["a", "b", "c"], [1, 2, 3], {"max_value": 2.5}, "between 0 and max_value=2.5"),
        (["a", "b", "c"], [0, 0, 0], {"max_value": 0}, "max_value must be a positive"),
        (["a", "b", "c"], [1, 2, 3], {"max_value": float("inf")}, "max_value must be a positive"),
    ],
)
def test_radar_chart_rejects_bad_input(
    labels: list[str], values: list[float], kwargs: dict[str, object], wording: str
) -> None:
    with pytest.raises(ValueError, match=wording):
        radar_chart_svg("x", labels, values, **kwargs)  # type: ignore[arg-type]
