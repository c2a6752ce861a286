"""Every implementation satisfies its protocol (checked by mypy on this file, and at run time by use)."""

from __future__ import annotations

from pathlib import Path

from assay.infra.email import EmailMessage, Mailer, MemoryMailer, OutboxMailer, SmtpMailer
from assay.infra.http import FakeHttp, HttpClient, OutboundHttp
from assay.infra.storage import FileStore, LocalFileStore, MemoryFileStore


def test_implementations_satisfy_their_protocols(tmp_path: Path) -> None:
    mailers: list[Mailer] = [
        MemoryMailer(),
        OutboxMailer(tmp_path / "outbox", "Assay <no-reply@assay.example>"),
        SmtpMailer("smtp.example.org", 587, sender="Assay <no-reply@assay.example>"),
    ]
    stores: list[FileStore] = [LocalFileStore(tmp_path / "uploads"), MemoryFileStore()]
    outbound = OutboundHttp()
    clients: list[HttpClient] = [outbound, FakeHttp()]
    for mailer in mailers[:2]:
        mailer.send(EmailMessage(to="ada@example.org", subject="Hi", text="Hello"))
    for store in stores:
        assert store.open(store.put(b"hello", filename="a.txt", declared_type=None).key) == b"hello"
    assert len(clients) == 2
    outbound.close()
