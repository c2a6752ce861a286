"""Ed25519 keys as Multikey, did:key and did:web: encodings, resolution and DID documents (pure).

Multikey (W3C Controlled Identifiers 1.0) writes a key as multibase base58btc ('z') of a multicodec
header and the raw key: 0xed 0x01 for an Ed25519 public key (hence "z6Mk…"), 0x80 0x26 for an
Ed25519 secret key (hence "z3u2…"). A did:key is `did:key:` + the public key's Multikey, and its one
verification method is `did:key:z6Mk…#z6Mk…`.

Key states in a did:web document
--------------------------------
Assay's issuer DID document keeps every key that ever signed, so credentials signed with an old key
keep verifying, in our verifier and in anyone else's. DID Core has no standard "state" of a key, so
the state lives in Assay's key registry and is expressed in the document with standard terms only:

- ``active``: listed in ``verificationMethod`` and ``assertionMethod``. The registry, not the
  document, says which key signs new credentials.
- ``retired``: exactly like active. A third-party verifier checks that the key is an
  ``assertionMethod`` of the issuer; removing a retired key from it would make every credential it
  signed fail, which is the opposite of what retirement means.
- ``compromised``: kept in ``verificationMethod`` (with the Multikey ``revoked`` time, so the key is
  visibly withdrawn) but removed from ``assertionMethod``, so no verifier accepts anything it signed:
  whoever holds the key can back-date ``created``, so no credential it signed can be trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}

ED25519_PUBLIC_HEADER = b"\xed\x01"
ED25519_SECRET_HEADER = b"\x80\x26"
ED25519_KEY_LENGTH = 32

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_DOCUMENT_CONTEXT = (DID_CONTEXT, MULTIKEY_CONTEXT)

_DATETIME_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class MultikeyError(ValueError):
    """A multibase, Multikey or DID that cannot be decoded."""


# --- base58btc ------------------------------------------------------------------------------------


def base58_encode(data: bytes) -> str:
    """Bitcoin base58: leading zero bytes become '1's, the rest is the number in base 58."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(BASE58_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _BASE58_INDEX[char]
        except KeyError:
            raise MultikeyError(f"{char!r} is not a base58btc character") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: the 'z' prefix says which base follows."""
    return "z" + base58_encode(data)


#: Multibase here carries keys (47 characters) and signatures (88); base58 decoding is quadratic in
#: the length, so anything longer is refused before decoding rather than left to burn CPU.
MAX_MULTIBASE_LENGTH = 256


def multibase_decode(text: str) -> bytes:
    if len(text) > MAX_MULTIBASE_LENGTH:
        raise MultikeyError(f"multibase value longer than {MAX_MULTIBASE_LENGTH} characters")
    if not text.startswith("z"):
        raise MultikeyError("only multibase base58btc (prefix 'z') is supported")
    return base58_decode(text[1:])


# --- Multikey ------------------------------------------------------------------------------------


def _check_length(key: bytes, what: str) -> None:
    if len(key) != ED25519_KEY_LENGTH:
        raise MultikeyError(f"an Ed25519 {what} is {ED25519_KEY_LENGTH} bytes, not {len(key)}")


def public_key_multibase(public_key: bytes) -> str:
    _check_length(public_key, "public key")
    return multibase_encode(ED25519_PUBLIC_HEADER + public_key)


def decode_public_key_multibase(text: str) -> bytes:
    raw = multibase_decode(text)
    if not raw.startswith(ED25519_PUBLIC_HEADER):
        raise MultikeyError("not an Ed25519 public key Multikey (multicodec 0xed01)")
    key = raw[len(ED25519_PUBLIC_HEADER) :]
    _check_length(key, "public key")
    return key


def secret_key_multibase(seed: bytes) -> str:
    _check_length(seed, "secret key")
    return multibase_encode(ED25519_SECRET_HEADER + seed)


def decode_secret_key_multibase(text: str) -> bytes:
    raw = multibase_decode(text)
    if not raw.startswith(ED25519_SECRET_HEADER):
        raise MultikeyError("not an Ed25519 secret key Multikey (multicodec 0x8026)")
    seed = raw[len(ED25519_SECRET_HEADER) :]
    _check_length(seed, "secret key")
    return seed


# --- did:key -------------------------------------------------------------------------------------


def did_key(public_key: bytes) -> str:
    return "did:key:" + public_key_multibase(public_key)


def did_key_verification_method(public_key: bytes) -> str:
    multikey = public_key_multibase(public_key)
    return f"did:key:{multikey}#{multikey}"


def _did_key_parts(did_or_url: str) -> tuple[str, str]:
    """(did, multikey) of a did:key DID or DID URL; the fragment, if any, must repeat the key."""
    did, _, fragment = did_or_url.partition("#")
    if not did.startswith("did:key:"):
        raise MultikeyError(f"{did_or_url!r} is not a did:key")
    multikey = did[len("did:key:") :]
    decode_public_key_multibase(multikey)
    if fragment and fragment != multikey:
        raise MultikeyError(f"{did_or_url!r}: a did:key has one verification method, #{multikey}")
    return did, multikey


def resolve_did_key(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key, as the did:key method derives it (no network).

    Exactly what `@digitalbazaar/did-method-key` 5.3.0 resolves: no X25519 keyAgreement key is
    derived (credentials never need one).
    """
    did, multikey = _did_key_parts(did)
    vm_id = f"{did}#{multikey}"
    method = {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
    return {
        "@context": list(DID_DOCUMENT_CONTEXT),
        "id": did,
        "verificationMethod": [method],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }


def did_key_public_key(verification_method: str) -> bytes | None:
    """The public key of a did:key verification method, or None if it is not a valid one."""
    try:
        _, multikey = _did_key_parts(verification_method)
    except MultikeyError:
        return None
    if "#" not in verification_method:
        return None
    return decode_public_key_multibase(multikey)


# --- did:web documents --------------------------------------------------------------------------


class KeyState(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    COMPROMISED = "compromised"


@dataclass(frozen=True)
class PublishedKey:
    """One key of the issuer, as the registry knows it."""

    fragment: str  # the verification method id is f"{did}#{fragment}"
    public_key_multibase: str
    state: KeyState
    revoked: str | None = None  # when a compromised key was withdrawn (XSD dateTimeStamp)


def did_web_document(did: str, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """The did:web DID document for the issuer's keys; see the module docstring for key states."""
    if not did.startswith("did:web:"):
        raise MultikeyError(f"{did!r} is not a did:web")
    fragments = [k.fragment for k in keys]
    if len(set(fragments)) != len(fragments):
        raise MultikeyError("key fragments must be unique")
    methods: list[dict[str, Any]] = []
    assertion: list[str] = []
    for key in keys:
        if not re.fullmatch(r"[A-Za-z0-9._~-]+", key.fragment):
            raise MultikeyError(f"{key.fragment!r} is not a plain DID URL fragment")
        decode_public_key_multibase(key.public_key_multibase)
        vm_id = f"{did}#{key.fragment}"
        method: dict[str, Any] = {
            "id": vm_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.state is KeyState.COMPROMISED:
            if key.revoked is None or not _DATETIME_STAMP.match(key.revoked):
                raise MultikeyError(f"compromised key {key.fragment!r} needs a 'revoked' dateTimeStamp")
            method["revoked"] = key.revoked
        else:
            assertion.append(vm_id)
        methods.append(method)
    return {
        "@context": list(DID_DOCUMENT_CONTEXT),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }


def _absolute(did: str, ref: str) -> str:
    return did + ref if ref.startswith("#") else ref


def assertion_key(did_document: Mapping[str, Any], verification_method: str) -> bytes | None:
    """The Ed25519 public key of `verification_method` if the document lists it for assertions.

    None when the method is absent, not an Ed25519 Multikey, withdrawn (``revoked``), or not in
    ``assertionMethod``: in each case the document does not let it sign credentials.
    """
    did = did_document.get("id")
    if not isinstance(did, str) or verification_method.partition("#")[0] != did:
        return None
    assertion = did_document.get("assertionMethod", [])
    listed = {_absolute(did, a) for a in assertion if isinstance(a, str)} if isinstance(assertion, list) else set()
    if verification_method not in listed:
        return None
    methods = did_document.get("verificationMethod", [])
    for method in methods if isinstance(methods, list) else []:
        if not isinstance(method, Mapping) or _absolute(did, str(method.get("id", ""))) != verification_method:
            continue
        if method.get("type") != "Multikey" or "revoked" in method or method.get("controller", did) != did:
            return None
        try:
            return decode_public_key_multibase(str(method.get("publicKeyMultibase", "")))
        except MultikeyError:
            return None
    return None


def key_resolver(did_documents: Iterable[Mapping[str, Any]] = ()) -> Callable[[str], bytes | None]:
    """A `resolve_key` for proof verification: did:key resolved locally, other DIDs from documents given."""
    by_did = {str(d.get("id")): d for d in did_documents}

    def resolve(verification_method: str) -> bytes | None:
        if verification_method.startswith("did:key:"):
            return did_key_public_key(verification_method)
        document = by_did.get(verification_method.partition("#")[0])
        return assertion_key(document, verification_method) if document is not None else None

    return resolve
