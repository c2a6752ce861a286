"""DNS for domain proofs: TXT records of a name, and the addresses a host resolves to.

An adapter so tests never need real DNS. The system implementation uses dnspython for TXT and the
system resolver (getaddrinfo) for addresses."""

from __future__ import annotations

from typing import Protocol

import dns.exception
import dns.resolver

from assay.core.errors import ExternalServiceError
from assay.infra.netguard import system_resolver


class DomainLookup(Protocol):
    def txt(self, name: str) -> list[str]:
        """Every TXT string at name ([] when there is none); ExternalServiceError when DNS fails."""
        ...

    def addresses(self, host: str) -> list[str]:
        """The addresses host resolves to ([] when it does not resolve)."""
        ...


class SystemDomainLookup:
    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def txt(self, name: str) -> list[str]:
        try:
            answer = dns.resolver.resolve(name, "TXT", lifetime=self.timeout)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as exc:
            raise ExternalServiceError(f"DNS lookup of {name} failed: {exc.__class__.__name__}.") from None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    def addresses(self, host: str) -> list[str]:
        try:
            return system_resolver(host, 443)
        except OSError:
            return []


class MemoryDomainLookup:
    """For tests: TXT records and addresses set by hand."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.hosts: dict[str, list[str]] = {}

    def txt(self, name: str) -> list[str]:
        return list(self.records.get(name.lower().rstrip("."), []))

    def addresses(self, host: str) -> list[str]:
        return list(self.hosts.get(host.lower(), []))
