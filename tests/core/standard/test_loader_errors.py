"""Bad content gets a precise problem (file, line, path, reason) and produces no standard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.core.standard.export import export_document
from assay.core.standard.loader import LoadResult, dumps_export, load_export, load_folder, load_path
from assay.core.standard.model import ReferenceList, Standard

Refs = dict[tuple[str, str], ReferenceList]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[occurrence - 1]


def only_problem(result: LoadResult) -> str:
    assert result.standard is None
    assert len(result.problems) >= 1, "expected a problem"
    return str(result.problems[0])


def test_the_copy_is_valid(standard_copy: Path, references: Refs) -> None:
    assert load_folder(standard_copy, references).ok


def test_broken_yaml_names_file_and_line(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    edit(v11, "status: published", "status: [published")
    result = load_folder(standard_copy, references)
    problem = result.problems[0]
    assert problem.file == "versions/1.1.yaml"
    assert problem.line is not None and problem.line > 0
    assert "not valid YAML" in problem.reason


def test_unknown_crosswalk_reference(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    edit(v11, 'ref: "LLM01"', 'ref: "LLM11"') if 'ref: "LLM01"' in v11.read_text() else edit(
        v11, "ref: LLM01", "ref: LLM11"
    )
    result = load_folder(standard_copy, references)
    messages = [str(p) for p in result.problems]
    assert result.standard is None
    assert any("LLM11 is not an entry of owasp-llm-top10 2025" in m and "crosswalk" in m for m in messages), messages
    bad = next(p for p in result.problems if "LLM11" in p.reason)
    assert bad.file == "versions/1.1.yaml" and bad.line == line_of(v11, "LLM11")


def test_unknown_framework(standard_copy: Path, references: Refs) -> None:
    v10 = standard_copy / "versions" / "1.0.yaml"
    edit(v10, "framework: owasp-llm-top10", "framework: owasp-llm-top-10")
    result = load_folder(standard_copy, references)
    assert any("unknown framework owasp-llm-top-10" in p.reason for p in result.problems)


def test_duplicate_control_id(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    edit(v11, "- id: IG-02", "- id: IG-01")
    result = load_folder(standard_copy, references)
    problem = next(p for p in result.problems if "used twice" in p.reason)
    assert problem.file == "versions/1.1.yaml"
    assert problem.path.endswith(".id") and problem.path.startswith("domains[0].controls[1]")
    assert problem.line == line_of(v11, "- id: IG-01", 2)


def test_lineage_pointing_at_nothing(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    edit(v11, "derived_from: [IA-03]", "derived_from: [IA-33]")
    result = load_folder(standard_copy, references)
    reasons = [p.reason for p in result.problems]
    assert "IA-33 does not exist in version 1.0" in reasons


def test_changelog_claiming_a_change_that_is_not_there(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    edit(v11, "controls: [HO-02]\n    from: [HO-02]", "controls: [HO-02, IG-01]\n    from: [HO-02, IG-01]")
    result = load_folder(standard_copy, references)
    reasons = [p.reason for p in result.problems]
    assert "the changelog claims a change the content does not show: IG-01 reworded" in reasons


def test_real_change_missing_from_the_changelog(standard_copy: Path, references: Refs) -> None:
    v11 = standard_copy / "versions" / "1.1.yaml"
    text = v11.read_text(encoding="utf-8")
    start = text.index("      - id: IG-01")
    statement = text.index("statement:", start)
    v11.write_text(
        text[:statement] + "statement: The system shall do something else entirely.\n        old_" + text[statement:],
        encoding="utf-8",
    )
    result = load_folder(standard_copy, references)
    assert result.standard is None
    # The stray key is its own problem; fix it and the unclaimed change remains.
    edit(v11, "old_statement:", "rationale_was:")
    text = v11.read_text(encoding="utf-8")
    cut = text.index("        rationale_was:")
    end = text.index("\n        rationale:", cut)
    v11.write_text(text[:cut] + text[end + 1 :], encoding="utf-8")
    result = load_folder(standard_copy, references)
    reasons = [p.reason for p in result.problems]
    assert "the changelog does not mention a real change: IG-01 reworded" in reasons


def test_predecessor_missing(standard_copy: Path, references: Refs) -> None:
    (standard_copy / "versions" / "1.0.yaml").unlink()
    result = load_folder(standard_copy, references)
    assert any(p.path == "previous" and "1.0 is not part of this standard" in p.reason for p in result.problems)


def test_missing_required_field_and_unknown_field(standard_copy: Path, references: Refs) -> None:
    v10 = standard_copy / "versions" / "1.0.yaml"
    edit(v10, "citation:", "citaton:")
    result = load_folder(standard_copy, references)
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons["citation"] == "required field is missing"
    assert reasons["citaton"].startswith("unknown field")


def test_duplicate_yaml_key(standard_copy: Path, references: Refs) -> None:
    v10 = standard_copy / "versions" / "1.0.yaml"
    edit(v10, "status: retired", "status: retired\nstatus: published")
    result = load_folder(standard_copy, references)
    problem = next(p for p in result.problems if "appears twice" in p.reason)
    assert problem.path == "status" and problem.line == line_of(v10, "status: published")


def test_bad_maturity_levels(standard_copy: Path, references: Refs) -> None:
    v10 = standard_copy / "versions" / "1.0.yaml"
    edit(v10, "level: 3", "level: 4")
    result = load_folder(standard_copy, references)
    assert any("maturity" in p.path for p in result.problems)


def test_file_name_must_match_version(standard_copy: Path, references: Refs) -> None:
    (standard_copy / "versions" / "1.1.yaml").rename(standard_copy / "versions" / "1.2.yaml")
    result = load_folder(standard_copy, references)
    assert any("named 1.2.yaml but holds version 1.1" in p.reason for p in result.problems)


def test_not_a_standard_folder(tmp_path: Path, references: Refs) -> None:
    assert "no standard.yaml here" in only_problem(load_path(tmp_path, references))
    assert "no such file or folder" in only_problem(load_path(tmp_path / "missing", references))


def test_export_that_is_not_an_export(tmp_path: Path, references: Refs) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": "world"}))
    assert "not an Assay standard export" in only_problem(load_export(path, references))


def test_export_problems_point_into_the_document(tmp_path: Path, references: Refs, default_standard: Standard) -> None:
    document = export_document(default_standard.info, default_standard.versions[-1])
    document["version"]["domains"][0]["controls"][0]["crosswalk"][0]["ref"] = "GOVERN 9.9"
    text = dumps_export(document)
    path = tmp_path / "bad.json"
    path.write_text(text)
    result = load_export(path, references)
    problem = next(p for p in result.problems if "GOVERN 9.9" in p.reason)
    assert problem.path == "domains[0].controls[0].crosswalk[0].ref"
    assert problem.line == text.splitlines().index(next(line for line in text.splitlines() if "GOVERN 9.9" in line)) + 1


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00", b"{not json", b"[]"])
def test_garbage_files(tmp_path: Path, references: Refs, garbage: bytes) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(garbage)
    result = load_export(path, references)
    assert result.standard is None and result.problems
