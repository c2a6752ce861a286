"""The injected collaborators every use case may need, built once per process from Settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher

from assay.core.clock import Clock, SystemClock
from assay.infra.dns import DomainLookup, SystemDomainLookup
from assay.infra.email import Mailer, mailer_from_settings
from assay.infra.http import HttpClient, http_from_settings
from assay.infra.keys import FileKeyStore, KeyStore
from assay.infra.storage import FileStore, file_store_from_settings
from assay.services.ratelimit import DatabaseRateLimiter, RateLimiter
from assay.settings import Settings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    mailer: Mailer
    files: FileStore
    http: HttpClient
    passwords: PasswordHasher
    limiter: RateLimiter
    keys: KeyStore
    dns: DomainLookup = field(default_factory=SystemDomainLookup)


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    files: FileStore | None = None,
    http: HttpClient | None = None,
    passwords: PasswordHasher | None = None,
    limiter: RateLimiter | None = None,
    keys: KeyStore | None = None,
    dns: DomainLookup | None = None,
) -> Runtime:
    """Defaults come from settings; tests pass fakes for any part."""
    clock = clock or SystemClock()
    return Runtime(
        settings=settings,
        clock=clock,
        mailer=mailer or mailer_from_settings(settings, clock=clock),
        files=files or file_store_from_settings(settings),
        http=http or http_from_settings(settings),
        # argon2-cffi's defaults follow RFC 9106's second recommended profile (64 MiB, t=3).
        passwords=passwords or PasswordHasher(),
        limiter=limiter or DatabaseRateLimiter(clock),
        keys=keys or FileKeyStore(settings.resolved_key_dir),
        dns=dns or SystemDomainLookup(),
    )
