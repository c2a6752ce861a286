"""Load standard content (a folder of YAML, or a single-document JSON export) into models, collecting
every problem with its file, line and path. Nothing here raises for bad content."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assay.core.standard.export import EXPORT_FORMAT, version_key
from assay.core.standard.model import ReferenceList, Standard, StandardInfo, Version
from assay.core.standard.problems import Problem, format_path
from assay.core.standard.validate import Finding, check_standard

M = TypeVar("M", bound=BaseModel)

# libyaml's parser where it is installed (it ships in PyYAML's wheels), the pure-Python one otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FRIENDLY = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check the spelling; only documented fields are allowed)",
}


@dataclass
class Source:
    """One parsed file: its data and its YAML node tree, for turning a path into a line number."""

    file: str
    data: Any
    node: yaml.Node | None

    def line(self, loc: Sequence[str | int]) -> int | None:
        node = self.node
        if node is None:
            return None
        best = node.start_mark.line + 1
        for part in loc:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                nxt = node.value[part]
            if nxt is None:
                break
            node, best = nxt, nxt.start_mark.line + 1
        return best


@dataclass
class LoadResult:
    standard: Standard | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.standard is not None and not self.problems


def parse_file(path: Path, display: str | None = None) -> tuple[Source | None, list[Problem]]:
    """YAML (or JSON, which YAML reads too, with line numbers). Duplicate keys are problems, not overwrites."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "", f"cannot read the file: {exc}")]
    try:
        # Parse once into nodes (which keep line numbers), then build the data from those nodes.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        return None, [Problem(name, "", reason, mark.line + 1 if mark else None)]
    problems = [Problem(name, p, "the key appears twice", line) for p, line in _duplicate_keys(node)]
    return Source(name, data, node), problems


def _duplicate_keys(node: yaml.Node | None, loc: tuple[str | int, ...] = ()) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append((format_path((*loc, name)), key.start_mark.line + 1))
            seen.add(name)
            found += _duplicate_keys(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, (*loc, i))
    return found


def build(model: type[M], source: Source, loc: tuple[str | int, ...] = ()) -> tuple[M | None, list[Problem]]:
    data = source.data
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            data = None
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            full = (*loc, *err["loc"])
            reason = _FRIENDLY.get(err["type"], err["msg"])
            problems.append(Problem(source.file, format_path(full), reason, source.line(full)))
        return None, problems


def load_references(directory: Path) -> tuple[dict[tuple[str, str], ReferenceList], list[Problem]]:
    references: dict[tuple[str, str], ReferenceList] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        source, found = parse_file(path, path.name)
        problems += found
        if source is None:
            continue
        ref, found = build(ReferenceList, source)
        problems += found
        if ref is None:
            continue
        ids = [e.id for e in ref.entries]
        for i, entry_id in enumerate(ids):
            if entry_id in ids[:i]:
                problems.append(
                    Problem(
                        path.name, f"entries[{i}].id", f"{entry_id} is listed twice", source.line(("entries", i, "id"))
                    )
                )
        if ref.key in references:
            problems.append(Problem(path.name, "framework", f"{ref.framework} {ref.edition} is defined in two files"))
        references[ref.key] = ref
    return references, problems


def _findings_to_problems(findings: list[Finding], sources: Mapping[str | None, Source]) -> list[Problem]:
    problems = []
    for f in findings:
        source = sources.get(f.version) or sources.get(None)
        file = source.file if source else "(standard)"
        problems.append(Problem(file, format_path(f.loc), f.reason, source.line(f.loc) if source else None))
    return problems


def load_folder(folder: Path, references: Mapping[tuple[str, str], ReferenceList]) -> LoadResult:
    """A standard folder: standard.yaml and versions/<number>.yaml."""
    result = LoadResult()
    if not (folder / "standard.yaml").is_file():
        result.problems.append(
            Problem(str(folder), "", "no standard.yaml here: a standard folder holds standard.yaml and versions/*.yaml")
        )
        return result
    source, found = parse_file(folder / "standard.yaml", "standard.yaml")
    result.problems += found
    info, found = build(StandardInfo, source) if source else (None, [])
    result.problems += found
    sources: dict[str | None, Source] = {None: source} if source else {}
    versions: list[Version] = []
    files = sorted((folder / "versions").glob("*.yaml")) if (folder / "versions").is_dir() else []
    if not files:
        result.problems.append(
            Problem(str(folder), "versions", "no versions/*.yaml files: a standard needs at least one version")
        )
    for path in files:
        vsource, found = parse_file(path, f"versions/{path.name}")
        result.problems += found
        if vsource is None:
            continue
        version, found = build(Version, vsource)
        result.problems += found
        if version is not None:
            if path.stem != version.version:
                result.problems.append(
                    Problem(
                        vsource.file,
                        "version",
                        f"the file is named {path.name} but holds version {version.version}",
                        vsource.line(("version",)),
                    )
                )
            sources[version.version] = vsource
            versions.append(version)
    if info is None or result.problems:
        return result
    return _finish(result, info, versions, references, sources, allow_missing_previous=False)


def _finish(
    result: LoadResult,
    info: StandardInfo,
    versions: list[Version],
    references: Mapping[tuple[str, str], ReferenceList],
    sources: Mapping[str | None, Source],
    *,
    allow_missing_previous: bool,
) -> LoadResult:
    standard = Standard(info=info, versions=tuple(sorted(versions, key=lambda v: version_key(v.version))))
    findings = check_standard(standard, references)
    if allow_missing_previous:
        present = {v.version for v in standard.versions}
        missing = [f for f in findings if f.loc == ("previous",)]
        findings = [f for f in findings if f.loc != ("previous",)]
        result.notes += [
            f"version {f.version} follows {v.previous}, which is not in this file: its lineage and changelog are checked on import"
            for f in missing
            for v in standard.versions
            if v.version == f.version and v.previous not in present
        ]
    result.problems += _findings_to_problems(findings, sources)
    if not result.problems:
        result.standard = standard
    return result


def load_export(path: Path, references: Mapping[tuple[str, str], ReferenceList]) -> LoadResult:
    """A single-document JSON export of one version."""
    result = LoadResult()
    source, found = parse_file(path, path.name)
    result.problems += found
    if source is None:
        return result
    if not isinstance(source.data, dict) or source.data.get("format") != EXPORT_FORMAT:
        result.problems.append(
            Problem(
                source.file,
                "format",
                f"not an Assay standard export (expected format {EXPORT_FORMAT!r})",
                source.line(("format",)),
            )
        )
        return result
    info, found_info = build(StandardInfo, source, ("standard",))
    version, found_version = build(Version, source, ("version",))
    result.problems += found_info + found_version
    if info is None or version is None:
        return result
    located = _Rebased(source, ("version",))
    return _finish(
        result, info, [version], references, {version.version: located, None: source}, allow_missing_previous=True
    )


class _Rebased(Source):
    """A source whose paths start below a prefix (the version inside an export document)."""

    def __init__(self, source: Source, prefix: tuple[str | int, ...]) -> None:
        super().__init__(source.file, source.data, source.node)
        self.prefix = prefix

    def line(self, loc: Sequence[str | int]) -> int | None:
        return super().line((*self.prefix, *loc))


def load_path(path: Path, references: Mapping[tuple[str, str], ReferenceList]) -> LoadResult:
    if path.is_dir():
        return load_folder(path, references)
    if path.is_file():
        return load_export(path, references)
    return LoadResult(problems=[Problem(str(path), "", "no such file or folder")])


def dumps_export(document: Mapping[str, Any]) -> str:
    """The export as people read it: indented, keys in model order, UTF-8."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
