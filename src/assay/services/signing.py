"""Signing documents with the issuer's active key, in the configured cryptosuite."""

from __future__ import annotations

from typing import Any

from assay.core.credentials.suites import sign
from assay.core.credentials.verification import format_time
from assay.services.keys import ActiveKey
from assay.services.runtime import Runtime


def sign_document(
    document: dict[str, Any], *, key: ActiveKey, rt: Runtime, cryptosuite: str | None = None
) -> dict[str, Any]:
    return sign(
        document,
        signer=key.signer,
        verification_method=key.verification_method,
        cryptosuite=cryptosuite or rt.settings.credential_cryptosuite,
        created=format_time(rt.clock.now()),
    )
