"""Bar and radar charts as self-contained, accessible SVG (pygal), safe to inline in a page."""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

import pygal  # untyped: pyproject.toml tells mypy to ignore its missing stubs
from pygal.style import Style

# pygal appends a legacy (find_module-only) finder to sys.meta_path so map plugins import as pygal.maps.*.
# Python 3.10+ emits ImportWarning for every import that reaches it, i.e. every *failed* import, which
# turns optional-dependency probes elsewhere (fontTools trying uharfbuzz) into errors under -W error.
# We use no map plugins, so undo that process-wide side effect.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

# Colours with at least 4.5:1 contrast on white (WCAG AA) for bars and text.
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4e89", "#9a3412"),  # the series, then a second one to compare with (a target)
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
)
_RADAR_SIZE = 640
_LEGEND_HEIGHT = 40
_ACTIVE = frozenset({"script", "foreignObject", "iframe", "object", "embed"})


def bar_chart_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    max_value: float | None = None,
    errors: Sequence[float] | None = None,
    intervals: Sequence[tuple[float, float]] | None = None,
    description: str | None = None,
) -> str:
    """One series of vertical bars as an SVG document string, with no scripts and no external references.

    `errors` are symmetric uncertainties (value ± error), drawn as error bars; `intervals` are
    (low, high) pairs for asymmetric ones (an interval on a 0–100 scale is rarely symmetric). `description` becomes the
    chart's <desc>; by default it lists every label and value, so a screen reader gets the data itself.
    """
    _check(labels, values, max_value, errors)
    if intervals is not None and (
        len(intervals) != len(values) or any(not (lo <= v <= hi) for (lo, hi), v in zip(intervals, values, strict=True))
    ):
        raise ValueError("intervals must be one (low, high) pair per value, containing it")
    chart = pygal.Bar(
        title=title,
        style=_STYLE,
        js=[],  # no tooltip script from a CDN
        disable_xml_declaration=True,  # so the string can be inlined in HTML as-is
        show_legend=False,
        print_values=True,  # without scripts, tooltips never appear: print the numbers on the bars
        range=(min([0.0, *values]), max_value) if max_value is not None else None,
        x_label_rotation=20 if any(len(label) > 12 for label in labels) else 0,
        truncate_label=-1,
    )
    summary = description or _describe(labels, values)
    chart.add_xml_filter(lambda root: _make_safe_and_accessible(root, title, summary))
    chart.x_labels = list(labels)
    if intervals is not None:
        points: list[float | dict[str, Any]] = [
            {"value": v, "ci": {"low": lo, "high": hi}} for v, (lo, hi) in zip(values, intervals, strict=True)
        ]
    else:
        points = [_point(value, errors[i] if errors else None) for i, value in enumerate(values)]
    chart.add(title, points)
    rendered: str = chart.render(is_unicode=True)
    return rendered


def radar_chart_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    max_value: float = 100.0,
    series_label: str = "Value",
    second: tuple[str, Sequence[float]] | None = None,
    description: str | None = None,
) -> str:
    """A radar (spider) chart of one series on a 0..max_value scale, with an optional `second` series
    (label, values) to compare it with, such as a target profile, as SVG with no scripts and no external
    references. Needs three axes or more: with fewer, a radar is a line or a dot and a bar chart says more.

    `description` becomes the chart's <desc>; by default it lists every series' values per label.
    """
    series = [(series_label, values)] + ([second] if second is not None else [])
    _check_radar(labels, series, max_value)
    chart = pygal.Radar(
        title=title,
        style=_STYLE,
        js=[],  # no tooltip script from a CDN
        disable_xml_declaration=True,  # so the string can be inlined in HTML as-is
        width=_RADAR_SIZE,  # pygal scales each axis to the plot area: a square one keeps the web round
        height=_RADAR_SIZE + (_LEGEND_HEIGHT if second is not None else 0),
        show_legend=second is not None,  # one series: the title names it
        legend_at_bottom=True,
        range=(0, max_value),
        fill=False,
        dots_size=3,
        truncate_label=-1,
    )
    summary = description or _describe_series(labels, series)
    chart.add_xml_filter(lambda root: _make_safe_and_accessible(root, title, summary))
    chart.x_labels = list(labels)
    for name, points in series:
        chart.add(name, [float(v) for v in points])
    rendered: str = chart.render(is_unicode=True)
    return rendered


def _check_radar(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], max_value: float) -> None:
    if len(labels) < 3:
        raise ValueError(f"a radar chart needs at least 3 axes (labels); got {len(labels)}")
    if not (math.isfinite(max_value) and max_value > 0):
        raise ValueError("max_value must be a positive, finite number")
    for name, points in series:
        if len(points) != len(labels):
            raise ValueError(f"series {name!r}: {len(labels)} labels but {len(points)} values")
        if not all(math.isfinite(v) for v in points):
            raise ValueError(f"series {name!r}: values must be finite numbers")
        if not all(0 <= v <= max_value for v in points):
            raise ValueError(f"series {name!r}: values must lie between 0 and max_value={max_value:g}")


def _check(
    labels: Sequence[str], values: Sequence[float], max_value: float | None, errors: Sequence[float] | None
) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if not all(math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers")
    if max_value is not None and (not math.isfinite(max_value) or any(v > max_value for v in values)):
        raise ValueError(f"values must not exceed max_value={max_value}")
    if errors is not None and (len(errors) != len(values) or any(not math.isfinite(e) or e < 0 for e in errors)):
        raise ValueError("errors must be one finite, non-negative number per value")


def _point(value: float, error: float | None) -> float | dict[str, Any]:
    if error is None:
        return value
    return {"value": value, "ci": {"low": value - error, "high": value + error}}


def _describe(labels: Sequence[str], values: Sequence[float]) -> str:
    if not labels:
        return "No data."
    return "; ".join(f"{label}: {value:g}" for label, value in zip(labels, values, strict=True)) + "."


def _describe_series(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    return (
        "; ".join(
            f"{name}: " + ", ".join(f"{label} {value:g}" for label, value in zip(labels, points, strict=True))
            for name, points in series
        )
        + "."
    )


def _make_safe_and_accessible(root: ET.Element, title: str, description: str) -> ET.Element:
    """pygal always embeds a config <script> (even with js=[]) and dated comments: remove them, add a11y.
    pygal hands over an lxml tree when lxml is installed (pyld brings it) and an ElementTree one otherwise."""
    for parent in list(root.iter()):  # a snapshot: lxml iterators are live, and we remove as we go
        for child in list(parent):
            if not isinstance(child.tag, str) or _local(child.tag) in _ACTIVE:
                parent.remove(child)  # scripts, and comments (whose tag is a function, not a str)
    chart_id = root.get("id") or "chart"
    title_el = next((el for el in root if _local(el.tag) == "title"), None)
    if title_el is None:
        title_el = root.makeelement("title", {})  # works for lxml and ElementTree trees alike
        root.insert(0, title_el)
    title_el.text = title
    title_el.set("id", f"{chart_id}-title")
    desc_el = root.makeelement("desc", {"id": f"{chart_id}-desc"})
    desc_el.text = description
    root.insert(list(root).index(title_el) + 1, desc_el)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
