"""A fast conversion of plain YAML annotations into quads, for the bulk ingest.

:func:`provenance.annotation.annotation_to_unit` is the reference: it checks a
document against the JSON Schema and builds rdflib terms, which costs about a
millisecond per statement. This module converts the common shape of annotation
(the fields the generator and most hand annotations use) straight into the quad
tuples of :mod:`provenance.bulk`, with the same triples, the same content hash and
the same sources declared and needed. Anything outside that shape raises
:class:`Fallback`, and the caller converts the file with the reference instead, so
the reference still decides what is valid and what every error message says.
``tests/test_fastyaml.py`` checks that both give the same units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ._names import ID, PREFIXES

__all__ = ["Fallback", "fast_units", "too_deep"]

_PT, _RDF, _RDFS = PREFIXES["pt"], PREFIXES["rdf"], PREFIXES["rdfs"]
_PROV, _XSD, _SDO = PREFIXES["prov"], PREFIXES["xsd"], PREFIXES["schema"]
_TYPE = _RDF + "type"

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ALIAS = re.compile(r"(^|[\s\[\{,:-])[&*][^\s\]\},]")
_SAFE_IRI = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')

_DOC_KEYS = {"id", "title", "publisher", "published", "url", "type"}
_SOURCE_KEYS = {"label", "type", "kind", "anonymous", "acted_on_behalf_of"}
_STATEMENT_KEYS = {"id", "text", "triple", "evidence", "cue", "quoted", "according_to"}
_SOURCE_TYPES = {"person": _PROV + "Person", "organization": _PROV + "Organization", "agent": None}

IRI, LITERAL = 0, 1


class Fallback(Exception):
    """This document is outside the fast path: convert it with the reference."""


def _id(value: Any) -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise Fallback
    return value


def _text(value: Any, empty: bool = True) -> str:
    if not isinstance(value, str) or "\n" in value or (not empty and not value):
        raise Fallback
    return value


def _iri(value: str) -> str:
    if not _SAFE_IRI.match(value):
        raise Fallback
    return value


def _user_iri(value: str) -> str:
    """An IRI written by the user: Oxigraph must accept it (the bulk load is lenient)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(_iri(value))
    except ValueError:
        raise Fallback from None
    return value


@cache
def _schema_type(kind: str) -> str | None:
    """The schema.org class of a document type, None if schema.org has none (as the
    reference decides: then the type is CreativeWork and the kind its genre)."""
    from rdflib import URIRef
    from rdflib.namespace import SDO

    iri = URIRef(f"{SDO._NS}{kind}")
    return str(iri) if kind.isidentifier() and iri in SDO else None


_SLUGS: dict[str, str] = {}
_SLUGS_HELD = 1 << 18  # a converting process sees every term of a batch: hold a few


def _slug(text: str) -> str:
    """:func:`provenance.vocab.slugify`, remembered (four texts in five come again within
    30 files of the 1M corpus), forgotten every 262,144 texts: a cache without a bound
    grew each converting process by 0.1 GB at 1M."""
    slug = _SLUGS.get(text)
    if slug is None:
        from .vocab import slugify

        if len(_SLUGS) >= _SLUGS_HELD:
            _SLUGS.clear()
        slug = _SLUGS[text] = slugify(text)
    return slug


def _term(text: str, kind: str) -> str:
    """As :func:`provenance.annotation._term` with the default prefixes."""
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        return _user_iri(value[1:-1])
    if value.startswith(("http://", "https://", "urn:")) and " " not in value:
        return _user_iri(value)
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and " " not in value:
        return _user_iri(PREFIXES[prefix] + local)
    return _iri(f"{ID}{kind}/{_slug(value)}")


def _n3(value: str, kind: int, datatype: str | None) -> str:
    """rdflib's ``n3()`` of the term (no newlines: they were refused)."""
    if kind == IRI:
        return f"<{value}>"
    lexical = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'
    return f"{lexical}^^<{datatype}>" if datatype else lexical


class _Out:
    """The triples of one unit, as quad tuples, with their n3 lines for the hash."""

    def __init__(self) -> None:
        self.quads: list[tuple[str, str, str, int, str | None, None]] = []
        self.lines: list[str] = []

    def iri(self, s: str, p: str, o: str) -> None:
        self.quads.append((s, p, o, IRI, None, None))
        self.lines.append(f"<{s}> <{p}> <{o}>")

    def lit(self, s: str, p: str, o: str, datatype: str | None = None) -> None:
        self.quads.append((s, p, o, LITERAL, datatype, None))
        self.lines.append(f"<{s}> <{p}> {_n3(o, LITERAL, datatype)}")


def _sources(out: _Out, sources: Any, needs: dict[str, str], where: str) -> set[str]:
    if not isinstance(sources, dict):
        raise Fallback
    declared = set()
    for sid, spec in sources.items():
        iri = f"{ID}source/{_id(sid)}"
        if not isinstance(spec, dict) or not set(spec) <= _SOURCE_KEYS or "label" not in spec:
            raise Fallback
        kind = spec.get("type", "agent")
        if kind not in _SOURCE_TYPES:
            raise Fallback
        out.iri(iri, _TYPE, _PT + "Source")
        out.iri(iri, _TYPE, _PROV + "Agent")
        if _SOURCE_TYPES[kind]:
            out.iri(iri, _TYPE, _SOURCE_TYPES[kind])
        out.lit(iri, _RDFS + "label", _text(spec["label"], empty=False))
        anonymous = spec.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise Fallback
        out.lit(iri, _PT + "anonymous", "true" if anonymous else "false", _XSD + "boolean")
        if "kind" in spec and _text(spec["kind"]):
            out.lit(iri, _PT + "kind", spec["kind"])
        principals = spec.get("acted_on_behalf_of")
        if principals is not None:
            for boss in [principals] if isinstance(principals, str) else _list(principals):
                boss_iri = f"{ID}source/{_id(boss)}"
                out.iri(iri, _PROV + "actedOnBehalfOf", boss_iri)
                needs.setdefault(boss_iri, where)
        declared.add(iri)
    return declared


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Fallback
    return value


def _report(out: _Out, report: str, source: str, stmt: str, doc: str) -> None:
    out.iri(report, _TYPE, _PT + "Report")
    out.iri(report, _TYPE, _PROV + "Entity")
    out.iri(report, _PROV + "wasAttributedTo", f"{ID}source/{source}")
    out.iri(report, _PT + "statement", stmt)
    out.iri(report, _PT + "appearsIn", doc)


def convert(data: Any, path: Path, name: str) -> tuple[dict[str, Any], list[Any]]:
    """One annotation document as (unit facts, quads); raises :class:`Fallback`."""
    if not isinstance(data, dict) or not set(data) <= {"document", "sources", "statements"}:
        raise Fallback
    if "document" not in data and "sources" not in data:
        raise Fallback
    where = str(path)
    out = _Out()
    needs: dict[str, str] = {}
    declared = _sources(out, data["sources"], needs, where) if "sources" in data else set()
    document = data.get("document")
    statements = data.get("statements")
    if document is None:
        if statements:
            raise Fallback
        graph = f"{ID}file/{_id(name)}"
    else:
        if not isinstance(document, dict) or not set(document) <= _DOC_KEYS:
            raise Fallback
        doc_id, publisher = _id(document.get("id")), _id(document.get("publisher"))
        graph = doc = f"{ID}document/{doc_id}"
        pub = f"{ID}source/{publisher}"
        kind = document.get("type", "NewsArticle")
        out.iri(doc, _TYPE, _PT + "Document")
        out.iri(doc, _TYPE, _PROV + "Entity")
        schema_class = _schema_type(_text(kind))
        out.iri(doc, _TYPE, schema_class or _SDO + "CreativeWork")
        if schema_class is None:
            out.lit(doc, _SDO + "genre", kind)
        out.iri(doc, _SDO + "publisher", pub)
        out.iri(doc, _PROV + "wasAttributedTo", pub)
        out.lit(doc, _PT + "sourceFile", _text(path.name))
        if "title" in document and _text(document["title"]):
            out.lit(doc, _SDO + "headline", document["title"])
        published = document.get("published")
        if isinstance(published, dt.datetime):
            raise Fallback
        if isinstance(published, dt.date):
            out.lit(doc, _SDO + "datePublished", published.isoformat(), _XSD + "date")
        elif published:
            if not isinstance(published, str) or not _DATE_RE.match(published):
                raise Fallback
            try:
                day = dt.date.fromisoformat(published).isoformat()
            except ValueError:
                raise Fallback from None
            out.lit(doc, _SDO + "datePublished", day, _XSD + "date")
        elif published is not None and not isinstance(published, str):
            raise Fallback
        if "url" in document and _text(document["url"]):
            out.iri(doc, _SDO + "url", _user_iri(document["url"]))
        needs.setdefault(pub, where)
        seen: set[str] = set()
        for spec in _list(statements) if statements is not None else []:
            if not isinstance(spec, dict) or not set(spec) <= _STATEMENT_KEYS:
                raise Fallback
            sid = _id(spec.get("id"))
            if sid in seen:
                raise Fallback
            seen.add(sid)
            _statement(out, spec, sid, doc, publisher, needs, where)
    digest = hashlib.sha256()
    for line in sorted(out.lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    facts = {"graph": graph, "where": where, "content_hash": digest.hexdigest(),
             "triples": len(out.quads), "declares": declared, "needs": needs}
    return facts, out.quads


def _statement(out: _Out, spec: dict[str, Any], sid: str, doc: str, publisher: str,
               needs: dict[str, str], where: str) -> None:
    stmt = f"{ID}statement/{sid}"
    text = _text(spec.get("text"), empty=False)
    triple = _list(spec.get("triple"))
    if len(triple) != 3 or not all(isinstance(t, str) and t for t in triple):
        raise Fallback
    out.iri(stmt, _TYPE, _PT + "Statement")
    out.iri(stmt, _TYPE, _RDF + "Statement")
    out.lit(stmt, _PT + "text", text)
    for prop, member_text, kind in zip(("subject", "predicate", "object"), triple,
                                       ("entity", "relation", "entity"), strict=True):
        member = _term(_text(member_text), kind)
        out.iri(stmt, _RDF + prop, member)
        if member.startswith(ID):
            out.lit(member, _RDFS + "label", member_text.strip())
    entry = f"{ID}report/{sid}/{publisher}"
    _report(out, entry, publisher, stmt, doc)
    if spec.get("evidence") is not None and _text(spec["evidence"]):
        out.lit(entry, _PT + "evidence", spec["evidence"])
    if spec.get("cue") is not None and _text(spec["cue"]):
        out.lit(entry, _PT + "cue", spec["cue"])
    quoted = spec.get("quoted", False)
    if not isinstance(quoted, bool):
        raise Fallback
    cites = _PROV + ("wasQuotedFrom" if quoted else "wasDerivedFrom")
    chains = spec.get("according_to")
    for chain in _list(chains) if chains is not None else []:
        if not _list(chain):
            raise Fallback
        previous = entry
        for source in chain:
            report = f"{ID}report/{sid}/{_id(source)}"
            _report(out, report, source, stmt, doc)
            out.iri(previous, cites, report)
            previous = report
            needs.setdefault(f"{ID}source/{source}", where)


def too_deep(text: str, limit: int) -> int | None:
    """The line where YAML *text* nests more than *limit* collections deep, else None.

    libyaml's composer recurses in C, and some 25,000 nested ``[`` crash the process
    (SIGSEGV) before any Python code could object. Its event parser keeps an explicit
    stack, so counting depth over the events is safe (and costs about 6% of a load).
    A syntax error is left for the load to report.
    """
    import yaml

    opens = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closes = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, opens):
                depth += 1
                if depth > limit:
                    return int(event.start_mark.line) + 1
            elif isinstance(event, closes):
                depth -= 1
    except yaml.YAMLError as exc:
        # PyYAML 6.0.4's libyaml refuses deep nesting itself: the same refusal, our words.
        if "nesting depth" in str(exc):
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            return int(mark.line) + 1 if mark is not None else 1
        return None
    return None


def fast_units(path: Path) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """Every document of a YAML file, converted; raises :class:`Fallback` if any is unusual.

    The whole file is converted before anything is yielded, so a fallback never
    leaves a file half read.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise Fallback from None
    if _ALIAS.search(text):
        raise Fallback  # anchors and aliases (and their bombs): the reference handles them
    if too_deep(text, 64) is not None:
        raise Fallback  # libyaml's composer would crash (SIGSEGV): the reference refuses it
    try:
        docs = [d for d in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                if d is not None]
    except yaml.YAMLError:
        raise Fallback from None
    if not docs:
        raise Fallback
    converted = []
    for index, data in enumerate(docs):
        name = path.stem if len(docs) == 1 else f"{path.stem}-{index + 1}"
        converted.append(convert(data, path, name))
    yield from converted
