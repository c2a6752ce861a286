"""Byte counts worded for people, for error messages about limits."""

from __future__ import annotations


def format_size(size: int) -> str:
    """Word a byte count ("512 bytes", "3.4 KB", "14.2 MB") in binary units, as our limits are multiples of 1024."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def over_limit(size: int, limit: int) -> tuple[str, str]:
    """Both sizes worded so that the first visibly exceeds the second ("just over 10 MB" rather than "10 MB")."""
    shown, limit_text = format_size(size), format_size(limit)
    if shown == limit_text:
        shown = f"just over {shown}"
    return shown, limit_text
