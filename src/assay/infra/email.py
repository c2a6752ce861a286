"""Outgoing email: one message type, a Mailer protocol, an outbox (files), SMTP, and an in-memory fake."""

from __future__ import annotations

import email.policy
import os
import re
import secrets
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Protocol

from assay.core.clock import Clock, SystemClock
from assay.core.errors import ExternalServiceError, ValidationFailed
from assay.settings import Settings

#: How long one SMTP exchange may take before we give up (there is no setting: mail is sent from jobs).
SMTP_TIMEOUT_SECONDS = 30.0

#: RFC 5322 allows 998 octets per line; a subject this long is a mistake, not a message.
MAX_SUBJECT_CHARS = 250

# Deliberately narrower than RFC 5322 (no quoted local parts, no IP-literal domains): every address we
# send to was typed into a form, and the narrow form is what every mail provider actually accepts.
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# Any character that could end a header line or smuggle one in, including the Unicode line separators
# some mail libraries also treat as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed mailbox: optional display name and the bare addr-spec (local@domain)."""

    name: str
    addr: str

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2]

    def header(self) -> HeaderAddress:
        """The stdlib form, which quotes and RFC 2047-encodes the display name when it is set as a header."""
        return HeaderAddress(display_name=self.name, addr_spec=self.addr)

    def __str__(self) -> str:
        return str(self.header())


def parse_address(value: str, *, field: str = "email", label: str = "email address") -> Address:
    """One mailbox, strictly: refuses lists, control characters and anything the parser had to guess at."""
    if _CONTROL.search(value):
        raise ValidationFailed(
            f"The {label} contains a line break or control character. Enter a single address, e.g. ada@example.org.",
            {field: "Remove line breaks and control characters."},
        )
    text = value.strip()
    parsed = getaddresses([text])
    if len(parsed) != 1 or not parsed[0][1]:
        raise ValidationFailed(
            f"Enter exactly one {label}, e.g. ada@example.org.", {field: "Enter exactly one address."}
        )
    name, addr = parsed[0]
    # Older stdlib parsers "repair" malformed input (CVE-2023-27043), so accept only input that is
    # literally the address, or "<address>", or "Name <address>": nothing the parser had to reinterpret.
    plain_forms = {addr, f"<{addr}>"}
    if not (text in plain_forms or (name and text.endswith(f"<{addr}>") and "<" not in text[: -len(addr) - 2])):
        raise ValidationFailed(f"{text!r} is not a valid {label}.", {field: "Enter an address like ada@example.org."})
    local, _, domain = addr.rpartition("@")
    if not (local and len(local) <= 64 and len(addr) <= 254 and _LOCAL_PART.match(local) and _DOMAIN.match(domain)):
        raise ValidationFailed(f"{addr!r} is not a valid {label}.", {field: "Enter an address like ada@example.org."})
    return Address(name=name.strip(), addr=addr)


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """A message to one person. Validated on construction, so an invalid message cannot exist."""

    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None

    def __post_init__(self) -> None:
        parse_address(self.to, field="to", label="recipient address")
        if self.reply_to is not None:
            parse_address(self.reply_to, field="reply_to", label="reply-to address")
        if _CONTROL.search(self.subject.replace("\t", " ")):
            raise ValidationFailed(
                "The subject contains a line break or control character; keep it to one line.",
                {"subject": "Keep the subject to one line."},
            )
        if not self.subject.strip():
            raise ValidationFailed("The subject is empty.", {"subject": "Enter a subject."})
        if len(self.subject) > MAX_SUBJECT_CHARS:
            raise ValidationFailed(
                f"The subject is {len(self.subject)} characters; the limit is {MAX_SUBJECT_CHARS}.",
                {"subject": f"Shorten the subject to {MAX_SUBJECT_CHARS} characters."},
            )

    @property
    def recipient(self) -> str:
        """The bare addr-spec of `to`, for comparisons."""
        return parse_address(self.to).addr


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver (or durably hand off) one message; raise ExternalServiceError when that fails."""
        ...


def render_message(message: EmailMessage, sender: Address, *, now: datetime) -> MimeMessage:
    """The RFC 5322 form of a message: text part, optional HTML alternative, CRLF line ends."""
    # policy.SMTP: CRLF line ends and RFC 2047 encoding of non-ASCII headers, as on the wire.
    mime = MimeMessage(policy=email.policy.SMTP)
    mime["From"] = sender.header()
    mime["To"] = parse_address(message.to).header()
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now.astimezone(UTC))
    # make_msgid() without a domain calls socket.getfqdn(), which can block on DNS for seconds.
    mime["Message-ID"] = make_msgid(domain=sender.domain)
    if message.reply_to is not None:
        mime["Reply-To"] = parse_address(message.reply_to).header()
    mime.set_content(message.text)
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html")
    return mime


class OutboxMailer:
    """Writes each message as a .eml file: the development and test backend, and a durable audit of mail."""

    def __init__(self, directory: Path, sender: str, *, clock: Clock | None = None) -> None:
        self.directory = Path(directory)
        self._sender = parse_address(sender, field="email_from", label="sender address")
        self._clock = clock or SystemClock()

    def send(self, message: EmailMessage) -> None:
        now = self._clock.now()
        data = render_message(message, self._sender, now=now).as_bytes()
        try:
            self._ensure_directory()
            self._write_new_file(data, now)
        except OSError as exc:
            raise ExternalServiceError(f"Could not write the email to the outbox at {self.directory}.") from exc

    def _ensure_directory(self) -> None:
        if self.directory.is_dir():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; the outbox holds sign-in links, so set it outright.
        os.chmod(self.directory, 0o700)

    def _write_new_file(self, data: bytes, now: datetime) -> None:
        # The name leads with the UTC time to the microsecond so `ls` lists mail in order; the random
        # tail separates messages sent in the same microsecond.
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        # Temp names start with "." and end ".tmp" so nothing globbing *.eml sees a half-written file.
        fd, tmp_name = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            for _ in range(8):
                final = self.directory / f"{stamp}-{secrets.token_hex(4)}.eml"
                try:
                    # link(), unlike rename(), refuses to replace an existing file: no message is ever lost.
                    os.link(tmp_name, final)
                    return
                except FileExistsError:
                    continue
            raise FileExistsError(f"no free outbox file name for {stamp}")
        finally:
            Path(tmp_name).unlink(missing_ok=True)


class SmtpMailer:
    """Sends through an SMTP relay. Port 465 means implicit TLS; otherwise STARTTLS when `starttls`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str = "",
        password: str = "",
        starttls: bool = True,
        sender: str,
        timeout: float = SMTP_TIMEOUT_SECONDS,
        clock: Clock | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._username = username
        self._password = password
        self._implicit_tls = port == 465
        self._starttls = starttls and not self._implicit_tls
        if username and not (self._starttls or self._implicit_tls):
            # smtplib would happily send AUTH PLAIN over a clear connection.
            raise ValueError("SMTP credentials would be sent unencrypted: set ASSAY_SMTP_STARTTLS=true or use port 465")
        self._sender = parse_address(sender, field="email_from", label="sender address")
        self._timeout = timeout
        self._clock = clock or SystemClock()

    def send(self, message: EmailMessage) -> None:
        mime = render_message(message, self._sender, now=self._clock.now())
        context = ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if self._implicit_tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self._timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
            with smtp:
                smtp.ehlo()
                if self._starttls:
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self._username:
                    smtp.login(self._username, self._password)
                smtp.send_message(mime)
        except (smtplib.SMTPException, OSError) as exc:
            # The server's own words can name internal hosts; keep them in the chained exception only.
            raise ExternalServiceError(
                f"The mail server {self.host}:{self.port} did not accept the message ({type(exc).__name__})."
            ) from exc


class MemoryMailer:
    """Test fake: keeps every message in `.sent`, after rendering it exactly as a real mailer would."""

    def __init__(self, sender: str = "Assay <no-reply@assay.local>", *, clock: Clock | None = None) -> None:
        self._sender = parse_address(sender, field="email_from", label="sender address")
        self._clock = clock or SystemClock()
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        render_message(message, self._sender, now=self._clock.now())
        self.sent.append(message)

    def last_to(self, address: str) -> EmailMessage | None:
        """The most recent message to `address` (compared case-insensitively, display names ignored)."""
        wanted = parse_address(address).addr.lower()
        for message in reversed(self.sent):
            if message.recipient.lower() == wanted:
                return message
        return None

    def clear(self) -> None:
        self.sent.clear()


def mailer_from_settings(settings: Settings, *, clock: Clock | None = None) -> Mailer:
    """The mailer ASSAY_EMAIL_BACKEND selects: "outbox" (files in the outbox directory) or "smtp"."""
    if settings.email_backend == "smtp":
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            sender=settings.email_from,
            clock=clock,
        )
    return OutboxMailer(settings.resolved_outbox_dir, settings.email_from, clock=clock)
