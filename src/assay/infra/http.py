"""The one outbound HTTP client: bounded in time and size, http(s) only, never into private networks."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from types import TracebackType
from typing import Any, NoReturn, Protocol, Self

import httpx

from assay.core.errors import ExternalServiceError
from assay.infra.netguard import (
    GuardedBackend,
    GuardedTransport,
    RequestRefused,
    Resolver,
    refusal_reason,
    system_resolver,
)
from assay.infra.sizes import format_size, over_limit
from assay.settings import Settings

__all__ = [
    "FakeHttp",
    "HttpClient",
    "OutboundHttp",
    "OutboundResponse",
    "RecordedRequest",
    "RequestRefused",
    "http_from_settings",
]

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Assay (+outbound)"

_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+")  # a name (IDNs arrive as punycode) or an IP literal
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Credentials meant for one origin must not follow a redirect to another.
_ORIGIN_BOUND_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    """A complete response. Header names are lower-case; repeated headers are joined with ", "."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str  # after redirects

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        """The body decoded with the charset the server declared (UTF-8 when it declared none)."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "text/plain")
        charset = message.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset name Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; ExternalServiceError when it is not JSON."""
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError) as exc:
            raise ExternalServiceError(f"The response from {_host(self.url)} was not valid JSON.") from exc


class HttpClient(Protocol):
    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> OutboundResponse: ...

    def post_json(self, url: str, payload: Any, *, headers: Mapping[str, str] | None = None) -> OutboundResponse: ...


class OutboundHttp:
    """Every outbound request goes through one of these. Non-2xx statuses are returned, not raised.

    Guarantees: only http and https; every hop of up to MAX_REDIRECTS redirects is re-checked; each
    connect/read/write/pool step is bounded by `timeout` and the whole exchange by 3 x `timeout`; the
    body is refused once it passes `max_response_bytes`, while streaming, so it is never read unbounded;
    unless `allow_private_addresses`, no connection is made to a loopback, private, link-local,
    multicast, reserved or unspecified address, judged on the resolved IP at connect time.

    `transport` replaces the network (an httpx.MockTransport in tests); the address guard lives in the
    default transport, so an injected transport is trusted to make no real connections.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_private_addresses: bool = False,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = system_resolver,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        if transport is None:
            transport = GuardedTransport(GuardedBackend(allow_private=allow_private_addresses, resolver=resolver))
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,  # followed by hand, so each hop is checked and counted
            trust_env=False,  # no proxy or .netrc credentials picked up from the environment
            headers={"User-Agent": user_agent},
        )

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        return self._exchange("GET", url, dict(headers or {}), None)

    def post_json(self, url: str, payload: Any, *, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        merged = {"Content-Type": "application/json", **(headers or {})}
        return self._exchange("POST", url, merged, body)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _exchange(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> OutboundResponse:
        deadline = time.monotonic() + 3 * self.timeout
        current = checked_url(url)
        for hop in range(MAX_REDIRECTS + 1):
            response = self._send(method, current, headers, body, deadline)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or location is None:
                return response
            if hop == MAX_REDIRECTS:
                raise ExternalServiceError(f"{_host(url)} redirected more than {MAX_REDIRECTS} times.")
            target = checked_url(str(current.join(location)))
            # RFC 9110 15.4: 303 always becomes GET; 301/302 after POST become GET in every client.
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            if (target.scheme, target.host, target.port) != (current.scheme, current.host, current.port):
                headers = {k: v for k, v in headers.items() if k.lower() not in _ORIGIN_BOUND_HEADERS}
            current = target
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self, method: str, url: httpx.URL, headers: dict[str, str], body: bytes | None, deadline: float
    ) -> OutboundResponse:
        # identity only: a compressed body would let a small download inflate past the cap in one chunk.
        request = self._client.build_request(
            method, url, headers={**headers, "Accept-Encoding": "identity"}, content=body
        )
        host = url.host
        try:
            response = self._client.send(request, stream=True)
            try:
                content = self._read_capped(response, host, deadline)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise ExternalServiceError(f"{host} did not respond within {self.timeout:g} seconds.") from exc
        except httpx.HTTPError as exc:
            raise ExternalServiceError(f"Could not complete the request to {host} ({type(exc).__name__}).") from exc
        return OutboundResponse(
            status=response.status_code, headers=dict(response.headers.items()), content=content, url=str(url)
        )

    def _read_capped(self, response: httpx.Response, host: str, deadline: float) -> bytes:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise ExternalServiceError(f"{host} sent a {encoding}-compressed response although we asked for none.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            self._too_large(host, int(declared))
        # Transports that build the response in memory (httpx.MockTransport) hand it over already read.
        source = [response.content] if response.is_stream_consumed else response.iter_raw()
        chunks: list[bytes] = []
        received = 0
        for chunk in source:
            received += len(chunk)
            if received > self.max_response_bytes:
                self._too_large(host, received)
            if time.monotonic() > deadline:
                raise ExternalServiceError(f"{host} took longer than {3 * self.timeout:g} seconds to respond.")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, host: str, size: int) -> NoReturn:
        shown, limit = over_limit(size, self.max_response_bytes)
        raise ExternalServiceError(f"The response from {host} is larger than the {limit} limit (at least {shown}).")


def checked_url(url: str) -> httpx.URL:
    """The URL parsed, or RequestRefused when it is not an absolute http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise RequestRefused(f"{url!r} is not a valid URL.") from exc
    if parsed.scheme not in ("http", "https"):
        raise RequestRefused(f"Only http and https URLs can be requested, not {parsed.scheme or 'relative'} URLs.")
    if not parsed.host:
        raise RequestRefused(f"{url!r} has no host name.")
    # httpx accepts hosts like "exa%20mple.org" and ports past 65535; neither can be a real destination.
    if not _HOST.fullmatch(parsed.raw_host.decode("ascii", "replace")) or not 0 < (parsed.port or 80) < 65536:
        raise RequestRefused(f"{url!r} is not a valid URL.")
    return parsed


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except (httpx.InvalidURL, TypeError, ValueError):
        return url


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeHttp:
    """Test fake for code that calls out: canned responses by (method, URL), every request recorded.

    An unregistered URL fails like an unreachable host. URL checks match OutboundHttp's where they need
    no DNS: the scheme, and IP-literal hosts against the private-address policy.
    """

    allow_private_addresses: bool = False
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    requests: list[RecordedRequest] = field(default_factory=list)
    _routes: dict[tuple[str, str], OutboundResponse | ExternalServiceError] = field(
        default_factory=dict, init=False, repr=False
    )

    def add(
        self,
        method: str,
        url: str,
        *,
        status: int = 200,
        json_body: Any = None,
        content: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Register a response. `json_body` (when not None) replaces `content` and sets the content type."""
        response_headers = {k.lower(): v for k, v in (headers or {}).items()}
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            response_headers.setdefault("content-type", "application/json")
        key = (method.upper(), str(checked_url(url)))
        self._routes[key] = OutboundResponse(status=status, headers=response_headers, content=content, url=key[1])

    def fail(self, method: str, url: str, error: ExternalServiceError | None = None) -> None:
        """Make a URL fail as a timeout or refused connection would."""
        key = (method.upper(), str(checked_url(url)))
        self._routes[key] = error or ExternalServiceError(f"Could not complete the request to {_host(url)}.")

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        return self._respond("GET", url, headers, None)

    def post_json(self, url: str, payload: Any, *, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._respond("POST", url, {"Content-Type": "application/json", **(headers or {})}, body)

    def _respond(
        self, method: str, url: str, headers: Mapping[str, str] | None, body: bytes | None
    ) -> OutboundResponse:
        parsed = checked_url(url)
        if not self.allow_private_addresses and (reason := _literal_refusal(parsed.host)):
            raise RequestRefused(f"Refused to connect to {parsed.host}: it is {reason}.")
        self.requests.append(RecordedRequest(method, str(parsed), dict(headers or {}), body))
        outcome = self._routes.get((method, str(parsed)))
        if outcome is None:
            raise ExternalServiceError(f"Could not complete the request to {parsed.host} (FakeHttp: no route).")
        if isinstance(outcome, ExternalServiceError):
            raise outcome
        if len(outcome.content) > self.max_response_bytes:
            raise ExternalServiceError(
                f"The response from {parsed.host} is larger than the {format_size(self.max_response_bytes)} limit."
            )
        return outcome


def _literal_refusal(host: str) -> str | None:
    try:
        return refusal_reason(host)
    except ValueError:  # a name, not an IP literal: judged only by the real client, after DNS
        return None


def http_from_settings(settings: Settings) -> OutboundHttp:
    """The client ASSAY_HTTP_TIMEOUT_SECONDS, _MAX_RESPONSE_BYTES and _ALLOW_PRIVATE_ADDRESSES configure."""
    return OutboundHttp(
        timeout=settings.http_timeout_seconds,
        max_response_bytes=settings.http_max_response_bytes,
        allow_private_addresses=settings.http_allow_private_addresses,
    )
