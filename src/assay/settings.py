"""Runtime configuration, read from ASSAY_* environment variables when (and only when) asked for."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assay.core.identity import did_web_for


class Settings(BaseSettings):
    """Every knob Assay has. Build one with `Settings()` in an adapter and pass it down; never import a global."""

    model_config = SettingsConfigDict(env_prefix="ASSAY_", env_file=None, extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: an SQLite file inside data_dir
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""  # empty: generated once and kept in data_dir/secret_key

    session_days: int = Field(default=14, ge=1, le=90)
    session_cookie_secure: bool | None = None  # None: secure exactly when base_url is https

    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_attempts_per_ip: int = Field(default=30, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)

    email_backend: Literal["outbox", "smtp"] = "outbox"
    email_from: str = "Assay <no-reply@assay.local>"
    outbox_dir: Path | None = None  # None: data_dir/outbox
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True

    upload_dir: Path | None = None  # None: data_dir/uploads
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)

    http_timeout_seconds: float = Field(default=10.0, gt=0)
    http_max_response_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    http_allow_private_addresses: bool = False  # True only in tests that talk to a local server

    jobs_poll_seconds: float = Field(default=2.0, gt=0)

    max_concurrent_requests: int = Field(default=32, ge=1, le=1000)  # in the app at once; more wait
    admission_wait_seconds: float = Field(default=30.0, gt=0)  # then 503 with Retry-After

    key_dir: Path | None = None  # None: data_dir/keys (private signing keys, owner-only files)
    credential_cryptosuite: Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"] = "eddsa-rdfc-2022"
    status_list_validity_hours: int = Field(default=48, ge=1)
    status_list_ttl_seconds: int = Field(default=300, ge=0)

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("ASSAY_BASE_URL must be an absolute http(s) URL, e.g. https://assay.example.org")
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'assay.db').resolve()}"

    @property
    def resolved_outbox_dir(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def resolved_upload_dir(self) -> Path:
        return self.upload_dir or self.data_dir / "uploads"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.data_dir / "keys"

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.base_url.startswith("https://")

    @property
    def issuer_did(self) -> str:
        """The issuer's did:web, derived from the public base URL of this environment."""
        return did_web_for(self.base_url)

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated on first use and kept (mode 0600) in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
