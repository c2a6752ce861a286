"""Export, content hash and diff: round trips, stability, and properties that hold for any change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.core.standard.diff import claimed_changes, diff_to_dict, diff_versions, real_changes
from assay.core.standard.export import EXPORT_FORMAT, canonical_bytes, content_hash, export_document, version_key
from assay.core.standard.loader import dumps_export, load_export
from assay.core.standard.model import Lineage, ReferenceList, Standard


def test_a_version_diffed_with_itself_is_empty(default_standard: Standard) -> None:
    for version in default_standard.versions:
        d = diff_versions(version, version)
        assert d.empty
        assert len(d.unchanged) == len(version.controls())


def test_the_default_changelog_matches_the_diff(default_standard: Standard) -> None:
    old, new = default_standard.versions
    assert claimed_changes(new.changes) == real_changes(diff_versions(old, new))


def test_diff_details(default_standard: Standard) -> None:
    old, new = default_standard.versions
    d = diff_to_dict(diff_versions(old, new))
    assert d["added"] == ["OBS-06"]
    assert d["retired"] == ["OBS-05"]
    assert d["split"] == [{"from": "IA-03", "into": ["IA-06", "IA-07"]}]
    [changed] = d["changed"]
    assert changed["control"] == "HO-02"
    statement = next(f for f in changed["fields"] if f["field"] == "statement")
    assert statement["before"] != statement["after"]
    json.dumps(d)  # JSON-ready


def test_content_hash_is_sha256_of_the_jcs_export(default_standard: Standard) -> None:
    for version in default_standard.versions:
        document = export_document(default_standard.info, version)
        assert document["format"] == EXPORT_FORMAT
        expected = hashlib.sha256(rfc8785.dumps(document)).hexdigest()
        assert content_hash(default_standard.info, version) == expected
        assert canonical_bytes(document) == rfc8785.dumps(json.loads(json.dumps(document)))


def test_content_hash_is_stable_across_loads(
    default_standard: Standard, references: dict[tuple[str, str], ReferenceList]
) -> None:
    from assay.content import DEFAULT_STANDARD_DIR
    from assay.core.standard.loader import load_folder

    again = load_folder(DEFAULT_STANDARD_DIR, references).standard
    assert again is not None
    for a, b in zip(default_standard.versions, again.versions, strict=True):
        assert content_hash(default_standard.info, a) == content_hash(again.info, b)


def test_export_import_export_is_identical(
    default_standard: Standard, references: dict[tuple[str, str], ReferenceList], tmp_path: Path
) -> None:
    for version in default_standard.versions:
        first = dumps_export(export_document(default_standard.info, version))
        path = tmp_path / f"{version.version}.json"
        path.write_text(first, encoding="utf-8")
        result = load_export(path, references)
        assert result.problems == []
        assert result.standard is not None
        [reloaded] = result.standard.versions
        assert dumps_export(export_document(result.standard.info, reloaded)) == first


def test_versions_sort_numerically() -> None:
    assert sorted(["1.10", "1.2", "1.9", "2.0"], key=version_key) == ["1.2", "1.9", "1.10", "2.0"]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_diff_finds_exactly_the_controls_that_were_edited(default_standard: Standard, data: st.DataObject) -> None:
    base = default_standard.versions[-1]
    ids = [c.id for c in base.controls()]
    edited = set(data.draw(st.lists(st.sampled_from(ids), max_size=6, unique=True)))
    field = data.draw(st.sampled_from(["statement", "rationale", "title"]))
    domains = []
    for domain in base.domains:
        controls = tuple(
            c.model_copy(update={field: getattr(c, field) + " (revised)"}) if c.id in edited else c
            for c in domain.controls
        )
        domains.append(domain.model_copy(update={"controls": controls}))
    revised = base.model_copy(update={"domains": tuple(domains)})
    d = diff_versions(base, revised)
    assert {c.control_id for c in d.changed} == edited
    assert all([f.field for f in c.fields] == [field] for c in d.changed)
    assert not (d.added or d.retired or d.splits or d.merges or d.renames)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_removed_controls_are_retired_and_new_ones_added(default_standard: Standard, data: st.DataObject) -> None:
    base = default_standard.versions[-1]
    ids = [c.id for c in base.controls()]
    drop = set(data.draw(st.lists(st.sampled_from(ids), max_size=5, unique=True)))
    domains = []
    for domain in base.domains:
        kept = tuple(c for c in domain.controls if c.id not in drop)
        extra = domain.controls[0].model_copy(update={"id": f"{domain.id}-99", "lineage": Lineage()})
        domains.append(domain.model_copy(update={"controls": (*kept, extra)}))
    revised = base.model_copy(update={"domains": tuple(domains)})
    d = diff_versions(base, revised)
    assert set(d.retired) == drop
    assert set(d.added) == {f"{dom.id}-99" for dom in base.domains}
