"""Issuer identity derived from the public base URL: did:web per the did:web method spec."""

from __future__ import annotations

from urllib.parse import quote, urlsplit


def did_web_for(base_url: str) -> str:
    """did:web for a base URL: host (port percent-encoded as %3A) then path segments joined by ':'.

    >>> did_web_for("https://assay.example.org")
    'did:web:assay.example.org'
    >>> did_web_for("http://127.0.0.1:8000/registry")
    'did:web:127.0.0.1%3A8000:registry'
    """
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ValueError(f"not an absolute URL: {base_url!r}")
    host = parts.hostname
    if parts.port is not None:
        host = f"{host}{quote(':')}{parts.port}"
    segments = [quote(seg, safe="") for seg in parts.path.split("/") if seg]
    return ":".join(["did", "web", host, *segments])
