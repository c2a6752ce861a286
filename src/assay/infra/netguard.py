"""Where outbound connections may go: the address policy, enforced on the resolved IP at connect time."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import httpcore
import httpx

from assay.core.errors import ExternalServiceError

#: Turns a host name into the IP addresses to try, in order. Injectable so tests never need real DNS.
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d form


class RequestRefused(ExternalServiceError):
    """An outbound request we would not make: a non-http(s) URL, or a destination on a private network."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address getaddrinfo gives for host, first-seen order, duplicates dropped."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal_reason(address: str) -> str | None:
    """Why an IP may not be connected to ("a loopback address"), or None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        # Forms that carry an IPv4 address are judged by the IPv4 address they will really reach.
        if ip.ipv4_mapped is not None:
            return _embedded(ip, ip.ipv4_mapped)
        if ip in _NAT64:
            return _embedded(ip, ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and (reason := _embedded(ip, ip.sixtofour)):
            return reason
        if ip.teredo is not None:
            return "a Teredo tunnel address, whose real destination cannot be checked"
        if ip in _IPV4_COMPATIBLE:  # also holds :: and ::1, which keep their own wording
            return _direct_reason(ip) or "a deprecated IPv4-compatible address"
        if ip.is_site_local:
            return "a site-local address"
    return _direct_reason(ip)


def _embedded(outer: ipaddress.IPv6Address, inner: ipaddress.IPv4Address) -> str | None:
    reason = _direct_reason(inner)
    return f"{reason} ({inner}, inside {outer})" if reason else None


def _direct_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    # Order matters only for the wording: the most specific description wins.
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (where cloud metadata services live)"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private-network address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, resolving names itself so the policy judges the IP actually dialled.

    Checking a URL's host before the request is not enough: a name can resolve to a public address for
    the check and to 127.0.0.1 for the connection (DNS rebinding). Here the same lookup serves both.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        if not self._allow_private:
            # Every address, not just the first: the socket layer may fall back to any of them.
            for address in addresses:
                if reason := refusal_reason(address):
                    raise RequestRefused(f"Refused to connect to {host}: {address} is {reason}.")
        options = list(socket_options or [])
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the next address, as socket.create_connection would
        assert failure is not None  # _resolve never returns an empty list
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise RequestRefused("Outbound requests do not use Unix sockets.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def _resolve(self, host: str, port: int) -> list[str]:
        try:
            addresses = list(self._resolver(host, port))
        except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
            raise httpcore.ConnectError(f"could not resolve {host}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no addresses")
        return addresses


# httpcore's exceptions, most specific first, as the httpx equivalents callers already handle.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


@contextlib.contextmanager
def _httpx_exceptions() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_exceptions():
            yield from self._stream

    def close(self) -> None:
        close: Any = getattr(self._stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that only ever connects through a GuardedBackend.

    Built from public httpx/httpcore APIs rather than by swapping HTTPTransport's private pool, so an
    httpx upgrade cannot silently drop the guard. No proxies: a proxy would make the checked address
    the proxy's, not the destination's.
    """

    def __init__(self, backend: GuardedBackend, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            network_backend=backend,
            max_connections=20,
            keepalive_expiry=30.0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("GuardedTransport is synchronous")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_exceptions():
            core_response = self._pool.handle_request(core_request)
        if not isinstance(core_response.stream, Iterable):
            raise TypeError("httpcore returned an asynchronous stream to a synchronous pool")
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_ResponseStream(core_response.stream),
            extensions=core_response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
