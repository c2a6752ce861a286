"""Checks before Assay asks the outside world for something on a user's behalf."""

from __future__ import annotations

from assay.core.errors import ValidationFailed
from assay.infra.netguard import RequestRefused, refusal_reason
from assay.services.runtime import Runtime


def refuse_internal(rt: Runtime, host: str, *, purpose: str) -> None:
    """The host must resolve, and only to the public internet (the guarded client checks again at
    connect time; this check gives the person a reason before anything is stored or fetched)."""
    addresses = rt.dns.addresses(host)
    if not addresses:
        raise ValidationFailed(f"{host} does not resolve; check the name.", {"url": "Does not resolve."})
    for address in addresses:
        reason = refusal_reason(address)
        if reason is not None and not rt.settings.http_allow_private_addresses:
            raise RequestRefused(
                f"{host} resolves to {address}, {reason}; {purpose} must point to the public internet."
            )
