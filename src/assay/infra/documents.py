"""Generated documents in one import: PDF reports (assay.infra.pdf) and SVG charts (assay.infra.charts)."""

from __future__ import annotations

from assay.infra.charts import bar_chart_svg, radar_chart_svg
from assay.infra.pdf import PdfDocument, pdf_safe_text

__all__ = ["PdfDocument", "bar_chart_svg", "pdf_safe_text", "radar_chart_svg"]
