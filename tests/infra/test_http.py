"""The outbound HTTP client: address policy, limits, redirects, and the fakes. Only loopback traffic, ever."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import httpcore
import httpx
import pytest

from assay.core.errors import ExternalServiceError
from assay.infra import netguard
from assay.infra.http import FakeHttp, OutboundHttp, OutboundResponse, RequestRefused, checked_url, http_from_settings
from assay.infra.netguard import GuardedBackend, refusal_reason
from assay.settings import Settings

from .conftest import LocalServer


def fixed_resolver(table: dict[str, Sequence[str]]) -> netguard.Resolver:
    """DNS for tests: names map to whatever addresses the test says, nothing goes to a real resolver."""

    def resolve(host: str, port: int) -> Sequence[str]:
        if host in table:
            return table[host]
        return netguard.system_resolver(host, port) if _is_ip(host) else []

    return resolve


def _is_ip(host: str) -> bool:
    try:
        refusal_reason(host)
    except ValueError:
        return False
    return True


# --- the address policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "wording"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fec0::1", "site-local"),
        ("100.64.0.1", "not a public address"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test, not a bind
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", ""),  # "private" or "reserved", depending on the Python version
        ("255.255.255.255", ""),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("2002:a9fe:a9fe::", "link-local"),  # 6to4 wrapping 169.254.169.254
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("::127.0.0.1", ""),  # deprecated IPv4-compatible
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ""),  # Teredo
    ],
)
def test_refused_addresses(address: str, wording: str) -> None:
    reason = refusal_reason(address)
    assert reason is not None
    assert wording in reason


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(address) is None


def test_refusal_reason_rejects_names() -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        refusal_reason("example.org")


# --- refusals through the real client (the local server proves nothing was sent) -------------------


@pytest.mark.parametrize(
    "url_template",
    [
        "http://127.0.0.1:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://[::ffff:127.0.0.1]:{port}/ok",
        "http://localhost:{port}/ok",
        "http://10.1.2.3:{port}/ok",
        "http://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:{port}/ok",
    ],
)
def test_private_destinations_are_refused_before_connecting(local_server: LocalServer, url_template: str) -> None:
    with OutboundHttp(timeout=2) as http, pytest.raises(RequestRefused, match="Refused to connect"):
        http.get(url_template.format(port=local_server.port))
    assert local_server.requests == []


def test_refusal_is_an_external_service_error_with_a_readable_message(local_server: LocalServer) -> None:
    with OutboundHttp() as http, pytest.raises(ExternalServiceError) as caught:
        http.get(local_server.url("/ok"))
    assert caught.value.message == "Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address."


def test_a_name_with_any_private_address_is_refused(local_server: LocalServer) -> None:
    resolver = fixed_resolver({"mixed.test": ["93.184.215.14", "10.0.0.8"]})
    with OutboundHttp(resolver=resolver) as http, pytest.raises(RequestRefused, match=r"10\.0\.0\.8 is a private"):
        http.get("http://mixed.test/")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/file", "file:///etc/passwd", "gopher://example.org/", "/relative/path", "http://"]
)
def test_only_absolute_http_urls(url: str) -> None:
    with OutboundHttp() as http, pytest.raises(RequestRefused):
        http.get(url)


def test_unresolvable_names_fail_as_external_errors_not_refusals() -> None:
    with OutboundHttp(resolver=fixed_resolver({})) as http, pytest.raises(ExternalServiceError) as caught:
        http.get("http://nowhere.test/")
    assert not isinstance(caught.value, RequestRefused)
    assert "nowhere.test" in caught.value.message


def test_unix_sockets_are_refused() -> None:
    with pytest.raises(RequestRefused):
        GuardedBackend(allow_private=True).connect_unix_socket("/var/run/docker.sock")


def test_connection_goes_to_the_checked_address_not_a_fresh_lookup(local_server: LocalServer) -> None:
    # The socket layer never sees the name, so a second DNS answer (rebinding) cannot be used.
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    with OutboundHttp(allow_private_addresses=True, resolver=resolver) as http:
        response = http.get(f"http://service.test:{local_server.port}/ok")
    assert response.status == 200
    assert lookups == ["service.test"]
    assert local_server.requests[0].headers["host"] == f"service.test:{local_server.port}"


def test_falls_back_to_the_next_address_when_one_refuses(local_server: LocalServer) -> None:
    closed_port_first = fixed_resolver({"two.test": ["127.0.0.2", "127.0.0.1"]})
    with OutboundHttp(allow_private_addresses=True, resolver=closed_port_first) as http:
        # 127.0.0.2 has no listener on this port (connection refused), 127.0.0.1 does.
        response = http.get(f"http://two.test:{local_server.port}/ok")
    assert response.content == b"hello"


# --- allowed traffic against the local server ---------------------------------------------------------


def test_get_against_a_local_server_when_allowed(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.get(local_server.url("/ok"), headers={"X-Trace": "abc"})
    assert response == OutboundResponse(
        status=200, headers=response.headers, content=b"hello", url=local_server.url("/ok")
    )
    assert response.ok
    assert response.text() == "hello"
    assert response.headers["x-test"] == "yes"
    seen = local_server.requests[0].headers
    assert seen["x-trace"] == "abc"
    assert seen["accept-encoding"] == "identity"
    assert seen["user-agent"].startswith("Assay")


def test_non_success_statuses_are_returned_not_raised(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.get(local_server.url("/status/503"))
    assert response.status == 503
    assert not response.ok


def test_post_json(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.post_json(local_server.url("/echo"), {"name": "Zoë", "n": [1, 2]})
    echoed = response.json()
    assert echoed["method"] == "POST"
    assert json.loads(echoed["body"]) == {"name": "Zoë", "n": [1, 2]}
    assert echoed["headers"]["content-type"] == "application/json"


def test_response_json_error_is_an_external_error(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.get(local_server.url("/ok"))
    with pytest.raises(ExternalServiceError, match="not valid JSON"):
        response.json()


def test_settings_factory_reads_the_http_settings() -> None:
    settings = Settings(http_timeout_seconds=1.5, http_max_response_bytes=1234, http_allow_private_addresses=True)
    with http_from_settings(settings) as http:
        assert http.timeout == 1.5
        assert http.max_response_bytes == 1234


def test_settings_factory_allows_local_server_only_when_set(local_server: LocalServer) -> None:
    with http_from_settings(Settings(http_allow_private_addresses=True)) as http:
        assert http.get(local_server.url("/ok")).status == 200
    with http_from_settings(Settings(http_allow_private_addresses=False)) as http, pytest.raises(RequestRefused):
        http.get(local_server.url("/ok"))


# --- size cap and time limits --------------------------------------------------------------------------


def test_body_at_the_cap_is_accepted(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True, max_response_bytes=50_000) as http:
        assert len(http.get(local_server.url("/stream/50000")).content) == 50_000


def test_streamed_body_over_the_cap_is_refused_while_reading(local_server: LocalServer) -> None:
    with (
        OutboundHttp(allow_private_addresses=True, max_response_bytes=50_000) as http,
        pytest.raises(ExternalServiceError, match=r"larger than the 48\.8 KB limit"),
    ):
        http.get(local_server.url("/stream/5000000"))


def test_declared_length_over_the_cap_is_refused_before_reading(local_server: LocalServer) -> None:
    with (
        OutboundHttp(allow_private_addresses=True, max_response_bytes=1024) as http,
        pytest.raises(ExternalServiceError, match=r"larger than the 1 KB limit \(at least 1.5 KB\)"),
    ):
        http.get(local_server.url("/bytes/1536"))


def test_slow_server_times_out(local_server: LocalServer) -> None:
    started = time.monotonic()
    with (
        OutboundHttp(allow_private_addresses=True, timeout=0.3) as http,
        pytest.raises(ExternalServiceError, match=r"did not respond within 0\.3 seconds"),
    ):
        http.get(local_server.url("/slow?seconds=5"))
    assert time.monotonic() - started < 3


def test_compressed_responses_are_refused(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http, pytest.raises(ExternalServiceError, match="gzip"):
        http.get(local_server.url("/gzip"))


# --- redirects -------------------------------------------------------------------------------------------


def test_redirects_are_followed(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.get(local_server.url("/redirect?to=/ok"))
    assert response.content == b"hello"
    assert response.url == local_server.url("/ok")
    assert [r.path for r in local_server.requests] == ["/redirect?to=/ok", "/ok"]


def test_at_most_five_redirects(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http, pytest.raises(ExternalServiceError, match="more than 5"):
        http.get(local_server.url("/loop"))
    assert len(local_server.requests) == 6


def test_post_becomes_get_after_303(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.post_json(local_server.url("/redirect?status=303&to=/echo"), {"a": 1})
    echoed = response.json()
    assert echoed["method"] == "GET"
    assert echoed["body"] == ""
    assert "content-type" not in echoed["headers"]


def test_post_keeps_method_and_body_after_307(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.post_json(local_server.url("/redirect?status=307&to=/echo"), {"a": 1})
    assert response.json()["method"] == "POST"
    assert json.loads(response.json()["body"]) == {"a": 1}


def test_credentials_do_not_follow_a_cross_origin_redirect(local_server: LocalServer) -> None:
    other_origin = local_server.url("/echo", host="localhost")
    with OutboundHttp(allow_private_addresses=True) as http:
        response = http.get(
            local_server.url(f"/redirect?to={other_origin}"), headers={"Authorization": "Bearer secret"}
        )
    assert local_server.requests[0].headers["authorization"] == "Bearer secret"
    assert "authorization" not in response.json()["headers"]


def test_redirect_to_another_scheme_is_refused(local_server: LocalServer) -> None:
    with OutboundHttp(allow_private_addresses=True) as http, pytest.raises(RequestRefused, match="not file URLs"):
        http.get(local_server.url("/redirect?to=file:///etc/passwd"))


def test_redirect_into_a_private_network_is_refused(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The local server plays a public site: 127.0.0.1 counts as public for this test only. The redirect
    # target resolves to 10.0.0.7, which must be refused before any connection is attempted.
    real_policy = netguard.refusal_reason
    monkeypatch.setattr(netguard, "refusal_reason", lambda ip: None if ip == "127.0.0.1" else real_policy(ip))
    resolver = fixed_resolver({"public.test": ["127.0.0.1"], "internal.test": ["10.0.0.7"]})
    first_hop = f"http://public.test:{local_server.port}/redirect?to=http://internal.test:{local_server.port}/ok"
    with OutboundHttp(resolver=resolver) as http:
        assert http.get(f"http://public.test:{local_server.port}/ok").status == 200  # the first hop is allowed
        with pytest.raises(RequestRefused, match=r"internal\.test: 10\.0\.0\.7 is a private-network address"):
            http.get(first_hop)
    assert [r.path for r in local_server.requests] == [
        "/ok",
        f"/redirect?to=http://internal.test:{local_server.port}/ok",
    ]


# --- injected transport and the fake ------------------------------------------------------------------


def test_mock_transport_replaces_the_network() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "https://api.example.org/data"})
        return httpx.Response(200, json={"ok": True, "path": request.url.path})

    with OutboundHttp(transport=httpx.MockTransport(handler)) as http:
        response = http.get("https://api.example.org/start")
    assert response.json() == {"ok": True, "path": "/data"}
    assert response.url == "https://api.example.org/data"


def test_size_cap_applies_with_an_injected_transport() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"x" * 2048))
    with OutboundHttp(transport=transport, max_response_bytes=1024) as http, pytest.raises(ExternalServiceError):
        http.get("https://api.example.org/")


def test_transport_errors_become_external_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with OutboundHttp(transport=httpx.MockTransport(handler)) as http, pytest.raises(ExternalServiceError) as caught:
        http.get("https://api.example.org/")
    assert caught.value.message == "Could not complete the request to api.example.org (ConnectError)."


def test_httpcore_errors_surface_as_httpx_errors(local_server: LocalServer) -> None:
    # The guarded transport maps httpcore's exception types the way httpx's own transport does.
    backend = GuardedBackend(allow_private=True)
    transport = netguard.GuardedTransport(backend)
    request = httpx.Request(
        "GET", f"http://127.0.0.1:{local_server.port}/slow?seconds=5", extensions={"timeout": {"read": 0.2}}
    )
    with pytest.raises(httpx.ReadTimeout):
        transport.handle_request(request)
    transport.close()
    assert issubclass(httpcore.ReadTimeout, httpcore.TimeoutException)


def test_fake_http_serves_registered_responses_and_records_requests() -> None:
    fake = FakeHttp()
    fake.add("GET", "https://api.example.org/status", json_body={"up": True})
    fake.add("POST", "https://hooks.example.org/in", status=202, content=b"queued")
    assert fake.get("https://api.example.org/status", headers={"X-A": "1"}).json() == {"up": True}
    response = fake.post_json("https://hooks.example.org/in", {"event": "issued"})
    assert (response.status, response.content) == (202, b"queued")
    assert [(r.method, r.url) for r in fake.requests] == [
        ("GET", "https://api.example.org/status"),
        ("POST", "https://hooks.example.org/in"),
    ]
    assert fake.requests[1].json() == {"event": "issued"}
    assert fake.requests[0].headers == {"X-A": "1"}


def test_fake_http_fails_like_the_real_client() -> None:
    fake = FakeHttp(max_response_bytes=10)
    fake.add("GET", "https://big.example.org/", content=b"x" * 11)
    fake.fail("GET", "https://down.example.org/")
    with pytest.raises(ExternalServiceError, match="no route"):
        fake.get("https://unknown.example.org/")
    with pytest.raises(ExternalServiceError, match=r"down\.example\.org"):
        fake.get("https://down.example.org/")
    with pytest.raises(ExternalServiceError, match="larger than"):
        fake.get("https://big.example.org/")
    with pytest.raises(RequestRefused):
        fake.get("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(RequestRefused):
        fake.get("file:///etc/passwd")
    assert FakeHttp(allow_private_addresses=True).requests == []


def test_checked_url_normalises() -> None:
    assert str(checked_url("HTTPS://Example.ORG")) == "https://example.org"
    with pytest.raises(RequestRefused, match="not a valid URL"):
        checked_url("http://exa mple.org/")
    with pytest.raises(RequestRefused, match="not a valid URL"):
        checked_url("http://example.org:99999/")
    with pytest.raises(RequestRefused, match="not a valid URL"):
        checked_url("http://[::1/")
