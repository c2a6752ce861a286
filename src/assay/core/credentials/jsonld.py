"""JSON-LD for credentials: shipped contexts only, size and depth limits, and a safe mode.

Offline loader. Only the contexts shipped in ``contexts/`` (see its SOURCES.md) are served, matched
by exact URL; any other URL, remote or not, is refused with an error naming it. Nothing is fetched.

Safe mode. pyld, like any JSON-LD processor, silently drops what it cannot turn into RDF: a term
no context defines, a relative ``id`` or ``type``, a term mapped to a blank node. For a signature
over canonical RDF (eddsa-rdfc-2022) a dropped term is an unsigned term: it can be changed after
signing without breaking the signature. So the expansion is watched, and every such place is
reported with its JSON path; signing and verification refuse the document. This mirrors the "safe
mode" of jsonld.js that the Digital Bazaar verifier uses.

How VC 2.0 interacts: the final VC 2.0 context has no ``@vocab`` (earlier drafts mapped every
undefined term to an "issuer-dependent" IRI). So a term that neither the VC 2.0 context nor the Open
Badges context defines, say a misspelt ``descripton``, is dropped, and safe mode refuses it. A
document can still bring its own ``@vocab`` (inline, or the W3C examples context the test vectors
use); its undefined terms then expand to IRIs under that vocabulary, are signed, and pass.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped]
from pyld.jsonld import JsonLdError, JsonLdProcessor  # type: ignore[import-untyped]

from assay.core.credentials.jsondata import (
    DEFAULT_LIMITS,
    ContextNotAllowed,
    CredentialDataError,
    DocumentTooDeep,
    DocumentTooLarge,
    InvalidJsonLd,
    Limits,
    MalformedDocument,
    TermProblem,
    UnsafeDocument,
    check_limits,
    json_path,
    parse_json,
    uncertain_text,
    walk,
)
from assay.core.credentials.rdfc import XSD_STRING, Quad, Term, TermKind

# The data-layer names are re-exported: callers import everything credential-JSON from here.
__all__ = [
    "DEFAULT_LIMITS",
    "KEYWORDS",
    "SHIPPED_CONTEXTS",
    "ContextNotAllowed",
    "CredentialDataError",
    "DocumentLoader",
    "DocumentTooDeep",
    "DocumentTooLarge",
    "InvalidJsonLd",
    "Limits",
    "MalformedDocument",
    "TermProblem",
    "UnsafeDocument",
    "check_limits",
    "default_loader",
    "find_unsafe_terms",
    "json_path",
    "parse_json",
    "shipped_context",
    "to_dataset",
    "uncertain_text",
]

#: URL → file in contexts/. Exact URLs: no normalisation, no redirects, no "close enough".
SHIPPED_CONTEXTS: Mapping[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}

_KEYWORD_LIST = "@base @container @context @direction @graph @id @import @included @index @json @language @list \
@nest @none @prefix @propagate @protected @reverse @set @type @value @version @vocab"
KEYWORDS = frozenset(_KEYWORD_LIST.split())
# The same test as pyld's, so what we accept is exactly what pyld keeps; characters IRIREF cannot
# hold raw (space, <, >, ", {, }, |, ^, `, \ and controls) are refused on top of it.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")  # the test jsonld.js applies


# --- the offline loader ----------------------------------------------------------------------


@cache
def shipped_context(url: str) -> Mapping[str, Any]:
    """A shipped context document, parsed once; KeyError for any URL not shipped."""
    filename = SHIPPED_CONTEXTS[url]
    text = (importlib.resources.files("assay.core.credentials") / "contexts" / filename).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


class _BoundedCache(OrderedDict[str, Any]):
    """The resolved-context cache pyld shares between calls, bounded because inline contexts are input."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


class DocumentLoader:
    """Serves the shipped contexts (and any `extra` given, for tests), refusing every other URL.

    Each loader has its own cache of processed contexts: pyld's module-wide cache is keyed by URL
    alone, so a context another caller loaded from the network could otherwise be reused here.
    """

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._extra = {url: copy.deepcopy(dict(doc)) for url, doc in (extra or {}).items()}
        self._cache = _BoundedCache(256)
        # pyld's caches are plain dicts; one processing at a time per loader keeps them consistent.
        self.lock = threading.Lock()

    def document(self, url: str) -> dict[str, Any]:
        if url in self._extra:
            return copy.deepcopy(self._extra[url])
        if url in SHIPPED_CONTEXTS:
            return copy.deepcopy(dict(shipped_context(url)))
        raise ContextNotAllowed(url)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # 'static' lets pyld keep the processed context in this loader's cache across calls.
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "tag": "static",
        }

    def resolver(self) -> Any:
        return ContextResolver(self._cache, self)


@cache
def default_loader() -> DocumentLoader:
    return DocumentLoader()


# --- safe mode -------------------------------------------------------------------------------


class _Node(dict[str, Any]):
    """A JSON object that remembers its JSON path; pyld deep-copies its input, and copies keep it."""

    json_path = "$"


def _annotate(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        node = _Node((k, _annotate(v, json_path(path, k))) for k, v in value.items())
        node.json_path = path
        return node
    if isinstance(value, list):
        return [_annotate(v, json_path(path, i)) for i, v in enumerate(value)]
    return value


_RELATIVE = "is not an absolute IRI"
_UNDEFINED = "is not defined by the context"  # what a relative IRI means for a term or a type


def _iri_problem(value: Any, *, allow_blank: bool = True) -> str | None:
    """Why `value` cannot stand as an IRI in the RDF (and so would be dropped), or None if it can."""
    if not isinstance(value, str):
        return "is not a string"
    if value.startswith("_:"):
        return None if allow_blank else "maps to a blank node, which cannot be a property"
    if not _ABSOLUTE_IRI.match(value):
        return _RELATIVE
    if _NOT_IN_IRI.search(value):
        return "holds characters an IRI cannot contain"
    return None


class _SafeProcessor(JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor, watching expansion for anything toRdf would drop (see module docstring).

    It hooks `_expand_object`, the step that expands one JSON object's keys: before it, each key is
    expanded the way pyld is about to; after it, the ids, types and references the object produced
    are checked. pyld is pinned (requirements/lock.txt) and the tests cover each kind of problem.
    """

    def __init__(self) -> None:
        super().__init__()
        self.problems: dict[tuple[str, str], TermProblem] = {}
        # Objects already checked, by id; they are kept alive here so no later object reuses an id.
        self._checked: dict[int, Mapping[str, Any]] = {}

    def _report(self, path: str, term: str, reason: str) -> None:
        self.problems.setdefault((path, reason), TermProblem(path, term, reason))

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        path = getattr(element, "json_path", "$")
        keys: dict[str, str] = {}  # expanded IRI or keyword -> the key written in the document
        for key in element:
            if key == "@context":
                continue
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if isinstance(expanded, str) and expanded in KEYWORDS:
                keys[expanded] = key
                continue
            reason = _UNDEFINED if expanded is None else _iri_problem(expanded, allow_blank=False)
            reason = _UNDEFINED if reason == _RELATIVE else reason
            if reason is None:
                keys[expanded] = key
            else:
                self._report(json_path(path, key), key, f"the term {key!r} {reason}, so it would not be signed")
        result = super()._expand_object(
            active_ctx, active_property, expanded_active_property, element, expanded_parent, options, *args, **kwargs
        )
        self._check_expanded(expanded_parent, path, keys)
        return result

    def _check_value(self, value: Any, path: str, term: str) -> None:
        if isinstance(value, list):
            for item in value:
                self._check_value(item, path, term)
        elif isinstance(value, dict) and id(value) not in self._checked:
            if "@list" in value:
                self._check_value(value["@list"], path, term)
            elif "@id" in value and "@value" not in value:
                reason = _iri_problem(value["@id"])
                if reason is not None:
                    self._report(path, term, f"the value {value['@id']!r} {reason}, so it would not be signed")

    def _check_expanded(self, node: Mapping[str, Any], path: str, keys: Mapping[str, str]) -> None:
        """Check the IRIs one object expanded to: its id, its types, and references among its values."""
        self._checked[id(node)] = node
        id_key = keys.get("@id", "@id")
        type_key = keys.get("@type", "@type")
        if "@id" in node and (reason := _iri_problem(node["@id"])) is not None:
            self._report(
                json_path(path, id_key),
                id_key,
                f"the identifier {node['@id']!r} {reason}, so nothing said about this object would be signed",
            )
        if "@value" in node:
            language = node.get("@language")
            if language is not None and not (isinstance(language, str) and _LANGUAGE_TAG.match(language)):
                self._report(
                    json_path(path, keys.get("@language", "@language")),
                    "@language",
                    f"{language!r} is not a language tag",
                )
            datatype = node.get("@type")
            if datatype not in (None, "@json") and (reason := _iri_problem(datatype, allow_blank=False)) is not None:
                self._report(json_path(path, type_key), type_key, f"the datatype {datatype!r} {reason}")
            return
        types = node.get("@type")
        for value in types if isinstance(types, list) else []:
            if (reason := _iri_problem(value)) is not None:
                reason = _UNDEFINED if reason == _RELATIVE else reason
                self._report(
                    json_path(path, type_key), type_key, f"the type {value!r} {reason}, so it would not be signed"
                )
        for prop, values in node.items():
            if not prop.startswith("@"):
                key = keys.get(prop)
                self._check_value(values, json_path(path, key) if key else path, key or prop)
            elif prop in ("@list", "@set", "@included", "@graph"):
                self._check_value(values, path, prop)


def _term(component: Mapping[str, Any]) -> Term:
    kind = component["type"]
    value = str(component["value"])
    if kind == "IRI":
        return Term(TermKind.IRI, value)
    if kind == "blank node":
        return Term(TermKind.BLANK, value.removeprefix("_:"))
    return Term(TermKind.LITERAL, value, str(component.get("datatype") or XSD_STRING), component.get("language"))


def _find(exc: BaseException | None, kind: type[CredentialDataError]) -> CredentialDataError | None:
    while exc is not None:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _innermost(exc: BaseException) -> str:
    """pyld wraps each failure in "could not expand…" errors; the innermost names the actual problem."""
    while isinstance(exc.__cause__, JsonLdError):
        exc = exc.__cause__
    code = getattr(exc, "code", None)
    message = exc.args[0] if exc.args else type(exc).__name__
    return f"{message} ({code})" if code else str(message)


_RESERVED = re.compile(r"^@[a-zA-Z]+$")
_CONTEXT_KEYWORDS = frozenset(
    ["@base", "@direction", "@import", "@language", "@propagate", "@protected", "@type", "@version", "@vocab"]
)


def _reserved(value: Any) -> bool:
    return isinstance(value, str) and bool(_RESERVED.match(value)) and value not in KEYWORDS


def _reserved_in_context(context: Any, path: str) -> Iterator[TermProblem]:
    """Inline context entries using '@…' names JSON-LD reserves: pyld ignores them with a warning."""
    for index, item in enumerate(context) if isinstance(context, list) else [(None, context)]:
        here = path if index is None else json_path(path, index)
        if not isinstance(item, dict):
            continue
        for term, definition in item.items():
            at = json_path(here, term)
            if _RESERVED.match(term) and term not in _CONTEXT_KEYWORDS:
                yield TermProblem(at, term, f"{term!r} is reserved by JSON-LD and cannot be defined in a context")
            elif _reserved(definition) or (
                isinstance(definition, dict)
                and (_reserved(definition.get("@id")) or _reserved(definition.get("@reverse")))
            ):
                yield TermProblem(at, term, f"the term {term!r} maps to a reserved '@' name and would be ignored")


def _reserved_terms(document: Mapping[str, Any], limits: Limits) -> tuple[TermProblem, ...]:
    """Reserved names in every inline context, scoped ones included (they are objects with @context too)."""
    return tuple(
        problem
        for path, value in walk(document, "$", 1, limits)
        if isinstance(value, dict) and "@context" in value
        for problem in _reserved_in_context(value["@context"], json_path(path, "@context"))
    )


def _expand_to_rdf(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    limits: Limits,
) -> tuple[Any, tuple[TermProblem, ...]]:
    check_limits(document, limits)
    reserved = _reserved_terms(document, limits)
    if reserved:  # refused before pyld sees them: it would only warn, and drop them
        return None, reserved
    processor = _SafeProcessor()
    options = {
        "documentLoader": loader,
        "contextResolver": loader.resolver(),
        # No base IRI, as jsonld.js is called by Data Integrity: pyld would otherwise resolve
        # relative IRIs against http://example.org/base/ and sign something nobody wrote.
        "base": None,
        "rdfDirection": "i18n-datatype",
        "produceGeneralizedRdf": False,
        "processingMode": "json-ld-1.1",
        "extractAllScripts": False,
    }
    try:
        with loader.lock:
            dataset = processor.to_rdf(_annotate(document, "$"), options)
    except JsonLdError as exc:
        refused = _find(exc, ContextNotAllowed)
        if refused is not None:
            raise refused from None
        raise InvalidJsonLd(f"The document is not valid JSON-LD: {_innermost(exc)}") from None
    except RecursionError:
        raise DocumentTooDeep("The document nests too deep to process.") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # pyld reports some invalid input (a relative context URL, a misplaced keyword) by failing
        # inside; to the caller that is invalid JSON-LD, never a crash.
        raise InvalidJsonLd(f"The document is not valid JSON-LD: {type(exc).__name__}: {exc}") from None
    return dataset, tuple(processor.problems.values())


def find_unsafe_terms(
    document: Mapping[str, Any],
    *,
    loader: DocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[TermProblem, ...]:
    """Every term or IRI in `document` that JSON-LD processing would drop, with its JSON path."""
    _, problems = _expand_to_rdf(document, loader or default_loader(), limits)
    return problems


def to_dataset(
    document: Mapping[str, Any],
    *,
    loader: DocumentLoader | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Quad]:
    """The RDF dataset of a JSON-LD document, in safe mode: UnsafeDocument if anything would be dropped."""
    dataset, problems = _expand_to_rdf(document, loader or default_loader(), limits)
    if problems:
        raise UnsafeDocument(problems)
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        graph = None if graph_name == "@default" else _term({"type": _graph_kind(graph_name), "value": graph_name})
        for triple in triples:
            quads.append(Quad(_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"]), graph))
    return quads


def _graph_kind(name: str) -> str:
    return "blank node" if name.startswith("_:") else "IRI"
