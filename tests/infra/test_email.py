"""Email: message validation, the outbox, SMTP (against a tiny local server), the fake and the factory."""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import socketserver
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assay.core.clock import FrozenClock
from assay.core.errors import ExternalServiceError, ValidationFailed
from assay.infra.email import (
    EmailMessage,
    MemoryMailer,
    OutboxMailer,
    SmtpMailer,
    mailer_from_settings,
    parse_address,
)
from assay.settings import Settings

SENDER = "Assay <no-reply@assay.example>"


def message(**overrides: Any) -> EmailMessage:
    fields: dict[str, Any] = {"to": "ada@example.org", "subject": "Your sign-in link", "text": "Hello Ada"}
    return EmailMessage(**(fields | overrides))


def read_eml(path: Path) -> MimeMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, MimeMessage)
    return parsed


# --- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.org",
        "Ada Lovelace <ada@example.org>",
        '"Lovelace, Ada" <ada@example.org>',
        "a.b+tag@mail.example.co.uk",
    ],
)
def test_valid_addresses(address: str) -> None:
    assert message(to=address).recipient in {"ada@example.org", "a.b+tag@mail.example.co.uk"}


@pytest.mark.parametrize(
    ("field_name", "value"),
    [
        ("to", "ada@example.org\nBcc: everyone@example.org"),
        ("to", "ada@example.org\r\nBcc: everyone@example.org"),
        ("to", "ada@example.org\u2028Bcc: everyone@example.org"),
        ("reply_to", "ada@example.org\nBcc: everyone@example.org"),
        ("to", "ada@example.org\x00"),
    ],
)
def test_header_injection_in_addresses_is_refused(field_name: str, value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        message(**{field_name: value})
    assert "line break or control character" in caught.value.message
    assert field_name in caught.value.fields


@pytest.mark.parametrize("subject", ["Hi\nBcc: everyone@example.org", "Hi\r\nX-Evil: 1", "Hi\rthere", "Hi\u2029"])
def test_header_injection_in_the_subject_is_refused(subject: str) -> None:
    with pytest.raises(ValidationFailed, match="keep it to one line") as caught:
        message(subject=subject)
    assert caught.value.fields == {"subject": "Keep the subject to one line."}


@pytest.mark.parametrize(
    ("address", "wording"),
    [
        ("ada@example.org, bob@example.org", "exactly one"),
        ("", "exactly one"),
        ("alice@example.org)<bob@example.org>", "exactly one"),  # CVE-2023-27043 shape
        ("Ada <ada@example.org> trailing", "exactly one"),
        ("Ada <ada@example.org", "not a valid"),
        ("not-an-address", "not a valid"),
        ("ada@localhost", "not a valid"),
        ("ada@-example.org", "not a valid"),
        ("ada..lovelace@example.org", "not a valid"),
        ("ada@exa_mple.org", "not a valid"),
    ],
)
def test_invalid_addresses_are_refused(address: str, wording: str) -> None:
    with pytest.raises(ValidationFailed, match=wording):
        message(to=address)


def test_subject_limits() -> None:
    with pytest.raises(ValidationFailed, match="subject is empty"):
        message(subject="   ")
    with pytest.raises(ValidationFailed, match="251 characters; the limit is 250"):
        message(subject="x" * 251)
    assert message(subject="Tabs\tare fine").subject == "Tabs\tare fine"


def test_parse_address_keeps_the_display_name() -> None:
    parsed = parse_address("  Zoë Example <zoe@example.org> ")
    assert (parsed.name, parsed.addr, parsed.domain) == ("Zoë Example", "zoe@example.org", "example.org")


# --- the outbox ---------------------------------------------------------------------------------------------


def test_outbox_writes_an_rfc5322_message(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 1, 15, 9, 30, 15, 123456, tzinfo=UTC))
    outbox = tmp_path / "outbox"
    OutboxMailer(outbox, SENDER, clock=clock).send(
        message(
            to="Zoë <zoe@example.org>",
            subject="Bienvenue — déjà vu",
            text="Line one\nLine two ✓",
            html="<p>Line one</p>",
            reply_to="support@assay.example",
        )
    )
    (path,) = outbox.iterdir()
    assert path.name.startswith("20260115T093015.123456Z-")
    assert path.suffix == ".eml"
    raw = path.read_bytes()
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout, as RFC 5322 requires
    parsed = read_eml(path)
    assert parsed["From"] == SENDER
    assert parsed["To"] == "Zoë <zoe@example.org>"
    assert parsed["Subject"] == "Bienvenue — déjà vu"
    assert parsed["Reply-To"] == "support@assay.example"
    assert parsed["Date"].datetime == clock.now().replace(microsecond=0)
    assert parsed["Message-ID"].endswith("@assay.example>")
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    # MIME's canonical line break is CRLF, also inside base64-encoded text.
    assert text_part.get_content().replace("\r\n", "\n") == "Line one\nLine two ✓\n"
    assert html_part.get_content().replace("\r\n", "\n") == "<p>Line one</p>\n"


def test_outbox_permissions(tmp_path: Path) -> None:
    outbox = tmp_path / "deep" / "outbox"
    OutboxMailer(outbox, SENDER).send(message())
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    (path,) = outbox.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_outbox_files_sort_by_time_and_never_collide(tmp_path: Path) -> None:
    clock = FrozenClock()
    mailer = OutboxMailer(tmp_path, SENDER, clock=clock)
    for minute in (0, 1, 2):
        clock.set(datetime(2026, 1, 15, 9, minute, tzinfo=UTC))
        mailer.send(message(subject=f"minute {minute}"))
    for _ in range(30):  # all in the same microsecond
        mailer.send(message(subject="same instant"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 33
    assert [read_eml(tmp_path / n)["Subject"] for n in names[:2]] == ["minute 0", "minute 1"]
    assert all(n.endswith(".eml") for n in names)  # no temporary files left behind


def test_outbox_failure_is_an_external_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(ExternalServiceError, match="Could not write the email to the outbox"):
        OutboxMailer(blocker, SENDER).send(message())


def test_outbox_refuses_a_bad_sender(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="sender address"):
        OutboxMailer(tmp_path, "Assay <no-reply@assay.example>\nBcc: x@example.org")


# --- SMTP -----------------------------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class SmtpRecord:
    port: int
    messages: list[Received] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib to deliver one message without TLS or AUTH."""

    def handle(self) -> None:
        record: SmtpRecord = self.server.record  # type: ignore[attr-defined]
        self.wfile.write(b"220 test.local ESMTP\r\n")
        sender, in_data = "", False
        recipients: list[str] = []
        lines: list[bytes] = []
        while line := self.rfile.readline():
            if in_data:
                if line == b".\r\n":
                    record.messages.append(Received(sender, recipients, b"".join(lines)))
                    in_data, lines, recipients = False, [], []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-test.local\r\n250 8BITMIME\r\n")
            elif verb == b"MAIL":
                sender = line.decode().split(":", 1)[1].strip().split()[0].strip("<>")
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecord]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    record = SmtpRecord(port=server.server_address[1])
    server.record = record  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_smtp_delivers_to_a_real_server(smtp_server: SmtpRecord) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp_server.port, starttls=False, sender=SENDER, timeout=5)
    mailer.send(message(to="Ada <ada@example.org>", subject="Hello ✓", html="<b>hi</b>"))
    (received,) = smtp_server.messages
    assert received.sender == "no-reply@assay.example"
    assert received.recipients == ["ada@example.org"]
    parsed = email.message_from_bytes(received.data, policy=email.policy.default)
    assert parsed["Subject"] == "Hello ✓"
    assert parsed["To"] == "Ada <ada@example.org>"


def test_smtp_connection_failure_is_an_external_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailer = SmtpMailer("127.0.0.1", port, starttls=False, sender=SENDER, timeout=2)
    with pytest.raises(ExternalServiceError, match=rf"127.0.0.1:{port} did not accept the message"):
        mailer.send(message())


class FakeSmtp:
    """Stands in for smtplib.SMTP / SMTP_SSL to check the order of the conversation."""

    instances: ClassVar[list[FakeSmtp]] = []

    def __init__(self, host: str, port: int, *, timeout: float, context: Any = None) -> None:
        self.calls: list[str] = [f"connect {host}:{port} timeout={timeout} tls={context is not None}"]
        FakeSmtp.instances.append(self)

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def ehlo(self) -> None:
        self.calls.append("ehlo")

    def starttls(self, *, context: Any) -> None:
        self.calls.append("starttls")

    def login(self, username: str, password: str) -> None:
        self.calls.append(f"login {username}")

    def send_message(self, mime: MimeMessage) -> dict[str, Any]:
        self.calls.append(f"send {mime['To']}")
        return {}


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSmtp]:
    FakeSmtp.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSmtp)
    return FakeSmtp


def test_smtp_upgrades_to_tls_before_logging_in(fake_smtp: type[FakeSmtp]) -> None:
    SmtpMailer("smtp.example.org", 587, username="u", password="p", sender=SENDER, timeout=7).send(message())
    (conn,) = fake_smtp.instances
    assert conn.calls == [
        "connect smtp.example.org:587 timeout=7 tls=False",
        "ehlo",
        "starttls",
        "ehlo",
        "login u",
        "send ada@example.org",
        "quit",
    ]


def test_smtp_port_465_uses_implicit_tls(fake_smtp: type[FakeSmtp]) -> None:
    SmtpMailer("smtp.example.org", 465, username="u", password="p", sender=SENDER).send(message())
    (conn,) = fake_smtp.instances
    assert conn.calls[0].endswith("tls=True")
    assert "starttls" not in conn.calls


def test_smtp_refuses_to_send_credentials_in_clear() -> None:
    with pytest.raises(ValueError, match="unencrypted"):
        SmtpMailer("smtp.example.org", 25, username="u", password="p", starttls=False, sender=SENDER)


def test_smtp_protocol_errors_are_external_errors(fake_smtp: type[FakeSmtp], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: FakeSmtp, mime: MimeMessage) -> None:
        raise smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"no such user at internal-host-7")})

    monkeypatch.setattr(FakeSmtp, "send_message", refuse)
    with pytest.raises(ExternalServiceError) as caught:
        SmtpMailer("smtp.example.org", 587, sender=SENDER).send(message())
    assert (
        caught.value.message
        == "The mail server smtp.example.org:587 did not accept the message (SMTPRecipientsRefused)."
    )
    assert "internal-host" not in caught.value.message


# --- the fake and the factory -------------------------------------------------------------------------------


def test_memory_mailer_keeps_messages_and_finds_the_last_one() -> None:
    mailer = MemoryMailer()
    first = message(subject="first")
    mailer.send(first)
    mailer.send(message(to="bob@example.org", subject="other"))
    mailer.send(message(to="Ada L <ADA@example.org>", subject="second"))
    assert [m.subject for m in mailer.sent] == ["first", "other", "second"]
    last = mailer.last_to("ada@EXAMPLE.org")
    assert last is not None
    assert last.subject == "second"
    assert mailer.last_to("nobody@example.org") is None
    mailer.clear()
    assert mailer.sent == []


def test_settings_select_the_outbox_by_default(tmp_path: Path) -> None:
    # Every relevant field is explicit, so ASSAY_* variables in the environment cannot change the outcome.
    mailer = mailer_from_settings(
        Settings(data_dir=tmp_path, email_backend="outbox", outbox_dir=None, email_from=SENDER)
    )
    assert isinstance(mailer, OutboxMailer)
    assert mailer.directory == tmp_path / "outbox"
    mailer.send(message())
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_settings_select_smtp(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        email_backend="smtp",
        smtp_host="mail.example.org",
        smtp_port=2525,
        smtp_username="",
        smtp_starttls=True,
        email_from="Reports <reports@example.org>",
    )
    mailer = mailer_from_settings(settings)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port) == ("mail.example.org", 2525)


def test_frozen_clock_dates_the_message(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    mailer = OutboxMailer(tmp_path, SENDER, clock=clock)
    mailer.send(message())
    clock.advance(timedelta(days=1))
    mailer.send(message())
    dates = sorted(read_eml(p)["Date"].datetime for p in tmp_path.iterdir())
    assert dates == [datetime(2026, 3, 1, 12, 0, tzinfo=UTC), datetime(2026, 3, 2, 12, 0, tzinfo=UTC)]
