"""Signing keys behind a KeyStore: private keys live in files (owner-only) or memory, never in the database."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assay.core.errors import IntegrityViolation, NotFound

_KEY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Signer(Protocol):
    """Signs bytes with one Ed25519 key; the private key stays inside."""

    @property
    def public_key(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


class KeyStore(Protocol):
    def create(self, name: str) -> bytes:
        """Generate a new Ed25519 key under name; return its raw 32-byte public key."""
        ...

    def signer(self, name: str) -> Signer: ...

    def public_key(self, name: str) -> bytes: ...

    def names(self) -> list[str]: ...

    def destroy(self, name: str) -> bool:
        """Delete the private key for good; True if there was one to delete."""
        ...


class _Ed25519Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @property
    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def _check_name(name: str) -> None:
    if not _KEY_NAME.match(name):
        raise ValueError(f"invalid key name {name!r}: letters, digits, '.', '_' and '-' only")


class FileKeyStore:
    """PKCS#8 PEM files, one per key, mode 0600 in a 0700 directory. Refuses files others can read."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def _path(self, name: str) -> Path:
        _check_name(name)
        return self._dir / f"{name}.pem"

    def create(self, name: str) -> bytes:
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self._dir, 0o700)
        path = self._path(name)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # O_EXCL: an existing key is never overwritten, whatever the caller believes.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return _Ed25519Signer(key).public_key

    def _load(self, name: str) -> Ed25519PrivateKey:
        path = self._path(name)
        if not path.exists():
            raise NotFound(f"signing key {name} is not in the key store at {self._dir}")
        if path.stat().st_mode & 0o077:
            raise IntegrityViolation(f"signing key file {path} is readable by others; run: chmod 600 {path}")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise IntegrityViolation(f"signing key file {path} does not hold an Ed25519 key")
        return key

    def signer(self, name: str) -> Signer:
        return _Ed25519Signer(self._load(name))

    def public_key(self, name: str) -> bytes:
        return self.signer(name).public_key

    def names(self) -> list[str]:
        return sorted(p.stem for p in self._dir.glob("*.pem")) if self._dir.exists() else []

    def destroy(self, name: str) -> bool:
        """Overwrite the key file, then unlink it. (On copy-on-write or flash storage an overwrite may not
        reach the old blocks; operators of such disks should also rely on full-disk encryption.)"""
        path = self._path(name)
        if not path.exists():
            return False
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return True


class MemoryKeyStore:
    """The test fake: keys in a dict. Optionally seeded, for reproducible signatures in tests."""

    def __init__(self) -> None:
        self._keys: dict[str, Ed25519PrivateKey] = {}

    def create(self, name: str, seed: bytes | None = None) -> bytes:
        _check_name(name)
        if name in self._keys:
            raise ValueError(f"key {name} exists")
        key = Ed25519PrivateKey.from_private_bytes(seed) if seed else Ed25519PrivateKey.generate()
        self._keys[name] = key
        return _Ed25519Signer(key).public_key

    def signer(self, name: str) -> Signer:
        if name not in self._keys:
            raise NotFound(f"signing key {name} is not in the key store")
        return _Ed25519Signer(self._keys[name])

    def public_key(self, name: str) -> bytes:
        return self.signer(name).public_key

    def names(self) -> list[str]:
        return sorted(self._keys)

    def destroy(self, name: str) -> bool:
        return self._keys.pop(name, None) is not None
