"""Load the item bank (YAML files) and validate it against the standard version it measures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from assay.core.items.model import Item, ItemStatus, Pool
from assay.core.standard.problems import Problem, format_path


class BankFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pool: Pool
    standard: str
    standard_version: str
    domain: str
    items: tuple[dict[str, Any], ...]


@dataclass
class ItemBank:
    standard: str
    standard_version: str
    items: dict[str, Item] = field(default_factory=dict)

    def operational(self, pool: Pool) -> list[Item]:
        return [i for i in self.items.values() if i.pool is pool and i.status is ItemStatus.OPERATIONAL]

    def by_domain(self, pool: Pool) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = {}
        for item in self.operational(pool):
            out.setdefault(item.domain, []).append(item)
        return out


@dataclass
class BankResult:
    bank: ItemBank | None
    problems: list[Problem]


def load_bank(folder: Path, *, controls: Mapping[str, str], standard: str, standard_version: str) -> BankResult:
    """`controls`: control id → domain id of the standard version the bank measures."""
    bank = ItemBank(standard, standard_version)
    problems: list[Problem] = []
    files = sorted(folder.rglob("*.yaml"))
    if not files:
        problems.append(Problem(str(folder), "", "no item files (*.yaml) here"))
    for path in files:
        name = str(path.relative_to(folder))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(Problem(name, "", f"cannot read: {exc}"))
            continue
        try:
            header = BankFile.model_validate(data)
        except ValidationError as exc:
            problems += [Problem(name, format_path(e["loc"]), e["msg"]) for e in exc.errors()]
            continue
        if (header.standard, header.standard_version) != (standard, standard_version):
            problems.append(
                Problem(
                    name,
                    "standard_version",
                    f"measures {header.standard} {header.standard_version}, not {standard} {standard_version}",
                )
            )
        for n, raw in enumerate(header.items):
            problems += _one(bank, raw, header, name, n, controls)
    return BankResult(bank if not problems else None, problems)


def _one(
    bank: ItemBank, raw: dict[str, Any], header: BankFile, name: str, n: int, controls: Mapping[str, str]
) -> list[Problem]:
    where = f"items[{n}]"
    try:
        item = Item.model_validate({**raw, "pool": header.pool.value})
    except ValidationError as exc:
        return [Problem(name, f"{where}.{format_path(e['loc'])}".rstrip("."), e["msg"]) for e in exc.errors()]
    problems = []
    if item.id in bank.items:
        problems.append(Problem(name, f"{where}.id", f"{item.id} is defined twice"))
    if item.domain != header.domain:
        problems.append(
            Problem(name, f"{where}.id", f"{item.id} is in the {header.domain} file but names domain {item.domain}")
        )
    if (item.pool is Pool.PRACTICE) != (item.id.split("-")[1] == "P"):
        problems.append(
            Problem(name, f"{where}.id", "practice items are numbered <DOMAIN>-P-nnn and secure items <DOMAIN>-S-nnn")
        )
    for k, control in enumerate(item.controls):
        if control not in controls:
            problems.append(
                Problem(
                    name,
                    f"{where}.controls[{k}]",
                    f"{control} is not a control of {bank.standard} {bank.standard_version}",
                )
            )
    bank.items[item.id] = item
    return problems


def coverage(bank: ItemBank, controls: Iterable[str], pool: Pool) -> dict[str, int]:
    """Operational items per control."""
    counts = dict.fromkeys(controls, 0)
    for item in bank.operational(pool):
        for control in item.controls:
            if control in counts:
                counts[control] += 1
    return counts
