"""The YAML annotation format (design section 6): load, check, turn into RDF.

A YAML file holds one or more annotation documents (separated by ``---``). Each is
checked against the JSON Schema shipped with the package, then for what a schema
cannot say (every source named in a chain is declared here or in the store), and
turned into the triples of one named graph: the document's own IRI.

Errors name the file and the line: ``seeds/x.yaml:14: statement 'a' ...``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import PROV, SDO

from .errors import InputError, ValidationError
from .resources import schema_path
from .vocab import (
    ID,
    PREFIXES,
    PT,
    document_iri,
    entity_iri,
    relation_iri,
    report_iri,
    source_iri,
    statement_iri,
)

__all__ = ["Unit", "load_yaml_units", "annotation_to_unit"]

Triple = tuple[URIRef, URIRef, Any]
YamlPath = tuple[str | int, ...]


@dataclass
class Unit:
    """What one ingest writes as a whole: the triples of one named graph.

    ``declares`` and ``needs`` are source IRIs this unit declares and refers to; an
    ingest checks that every needed source is declared somewhere.
    """

    graph: URIRef
    triples: list[Triple]
    where: str
    content_hash: str
    declares: set[URIRef] = field(default_factory=set)
    needs: dict[URIRef, str] = field(default_factory=dict)  # source IRI -> where named
    note: str | None = None  # said to the user on ingest (e.g. "extracted from text")


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


# --------------------------------------------------------------------- YAML loading


#: An annotation nests about five levels deep; much deeper is not one (and an alias
#: that contains itself nests forever).
_MAX_DEPTH = 64
#: Values read again through an alias. A hand-written file repeats a chain or two; a
#: "billion laughs" file of a few lines expands to billions.
_MAX_REPEATS = 100_000
_YAML_TAG = "tag:yaml.org,2002:"


@dataclass
class _Expansion:
    """The nodes converted so far, and how many were read again through an alias."""

    nodes: set[int] = field(default_factory=set)
    repeats: int = 0


class _Refused(Exception):
    """A YAML node that is not an annotation's: its line and why (made an InputError)."""

    def __init__(self, node: Any, message: str):
        super().__init__(message)
        self.line = node.start_mark.line + 1


def _to_python(
    node: Any, path: YamlPath, lines: dict[YamlPath, int], seen: _Expansion | None = None
) -> Any:
    """Convert a composed YAML node to Python, recording each value's line.

    Raises :class:`_Refused` for a tag that safe loading does not know (``!!python/...``,
    ``!local``), nesting too deep, or aliases that expand too far.
    """
    import yaml

    seen = _Expansion() if seen is None else seen
    if id(node) in seen.nodes:
        seen.repeats += 1
        if seen.repeats > _MAX_REPEATS:
            raise _Refused(node, f"aliases expand to more than {_MAX_REPEATS:,} values; "
                           "write the values out (is this an alias bomb?)")
    seen.nodes.add(id(node))
    if len(path) > _MAX_DEPTH:
        raise _Refused(node, f"nested more than {_MAX_DEPTH} levels deep (or an alias "
                       "inside the value it names); an annotation nests a few levels")
    if not node.tag.startswith(_YAML_TAG) or node.tag.startswith(_YAML_TAG + "python/"):
        shown = node.tag.replace(_YAML_TAG, "!!", 1)
        raise _Refused(node, f"the YAML tag {shown} is not allowed; write plain YAML")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _to_python(key_node, (*path, "?"), {}, seen)
            if str(key) in out:
                # YAML keeps the last silently: two `tass:` entries would lose one.
                raise _Refused(key_node, f"the key {str(key)!r} appears twice in this mapping "
                               f"(also line {lines[(*path, str(key))]}); keep one")
            out[str(key)] = _to_python(value_node, (*path, str(key)), lines, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, (*path, i), lines, seen) for i, v in enumerate(node.value)]
    # Scalars: let the safe constructor resolve types (bool, int, date, null...).
    # Only a few fields are typed; elsewhere a plain `yes`, `5` or `2023-11-24` is
    # text (a triple member, a label, an id), so keep it as the user wrote it.
    typed = bool(path) and path[-1] in _TYPED_KEYS
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
        # A value its tag cannot hold: `2023-02-30` (a date), `!!int abc`, `!!bool maybe`.
        if typed:
            kind = node.tag.removeprefix(_YAML_TAG).replace("timestamp", "date")
            raise _Refused(node, f"{path[-1]}: {node.value!r} is not a valid {kind}") from None
        return node.value
    finally:
        loader.dispose()
    if value is None or typed or isinstance(value, str) or node.style:  # '' or None: plain
        return value
    return node.value


_TYPED_KEYS = {"anonymous", "quoted", "evidence_start", "evidence_end", "confidence", "published"}


def _check_nesting(text: str, path: Path) -> None:
    """Refuse nesting deeper than :data:`_MAX_DEPTH` before composing (libyaml's
    composer recurses in C and crashes the process on some 25,000 levels)."""
    from .fastyaml import too_deep

    line = too_deep(text, _MAX_DEPTH)
    if line is not None:
        raise InputError(
            f"{path}:{line}: nested more than {_MAX_DEPTH} levels deep; an annotation nests "
            "a few levels"
        )


def load_yaml_units(
    path: Path, is_declared: Callable[[URIRef], bool] | None = None
) -> list[Unit]:
    """Load every annotation document of a YAML file as units, checked.

    Raises :class:`InputError` naming the file and line of the first problem.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    try:
        _check_nesting(text, path)
        nodes = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:  # the reader's: a control character, say
        at = getattr(exc, "position", None)
        line = f":{text.count(chr(10), 0, at) + 1}" if isinstance(at, int) else ""
        raise InputError(f"{path}{line}: not YAML: {str(exc).splitlines()[0]}") from None
    units: list[Unit] = []
    for index, node in enumerate(n for n in nodes if n is not None):
        lines: dict[YamlPath, int] = {}
        try:
            data = _to_python(node, (), lines)
        except _Refused as exc:
            raise InputError(f"{path}:{exc.line}: {exc}") from None
        name = path.stem if len(nodes) == 1 else f"{path.stem}-{index + 1}"
        units.append(annotation_to_unit(data, path, lines=lines, fallback_name=name))
    if not units:
        raise InputError(f"{path}: the file is empty; write an annotation (see design section 6)")
    return units


def _where(path: Path, lines: dict[YamlPath, int], at: YamlPath) -> str:
    while at and at not in lines:
        at = at[:-1]
    line = lines.get(at)
    return f"{path}:{line}" if line else str(path)


def _describe_path(at: YamlPath) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


def _schema_message(error: Any) -> str:
    at = tuple(error.absolute_path)
    what = _describe_path(at)
    if error.validator in ("minItems", "maxItems") and at and at[-1] == "triple":
        n = len(error.instance)
        return f"{what} has {n} item{'s' * (n != 1)}; a triple is [subject, predicate, object]"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{what} has no '{missing}'; add it"
    if error.validator == "additionalProperties":
        return f"{what}: {error.message}; check the spelling against design section 6"
    if error.validator == "pattern":
        return f"{what}: {error.instance!r} is not a valid id (use letters, digits, '.', '_', '-')"
    if error.validator == "type" and at and at[-1] == "according_to":
        return f"{what} must be a list of chains, e.g. [[tass, mfa-press]]"
    if error.validator == "type" and len(at) >= 2 and at[-2] == "according_to":
        return f"{what} must be a chain (a list of source ids), e.g. [tass, mfa-press]"
    return f"{what}: {error.message}"


def _json_view(node: Any) -> Any:
    """*node* as JSON would hold it: YAML reads an unquoted 2023-11-24 as a date."""
    if isinstance(node, dict):
        return {k: _json_view(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_json_view(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    if isinstance(node, float) and node != node:  # YAML's .nan: JSON has no such number
        return "NaN"
    return node


def _check_schema(data: Any, path: Path, lines: dict[YamlPath, int]) -> None:
    if not isinstance(data, dict):
        raise ValidationError(
            f"{path}: an annotation must be a mapping with 'document', 'sources', 'statements'"
        )
    errors = sorted(
        _validator().iter_errors(_json_view(data)), key=lambda e: list(map(str, e.absolute_path))
    )
    if errors:
        # Report the deepest error first: it is the most specific.
        error = max(errors, key=lambda e: len(e.absolute_path))
        where = _where(path, lines, tuple(error.absolute_path))
        raise ValidationError(f"{where}: {_schema_message(error)}")


# --------------------------------------------------------------------- conversion


class _BadIri(ValueError):
    """A value written as an IRI that the store cannot hold (made a ValidationError)."""


def _iri(text: str) -> URIRef:
    """*text* as an IRI, checked as the store will check it (absolute, no spaces or ``<>"``)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise _BadIri(f"{text!r} is not a valid IRI ({exc}); percent-encode it, or write "
                      "plain text") from None
    return URIRef(text)


def _term(text: str, prefixes: dict[str, str], mint: Callable[[str], URIRef]) -> URIRef:
    """A triple member: an IRI (<...> or http...), a CURIE with a known prefix, or text."""
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    if value.startswith(("http://", "https://", "urn:")) and " " not in value:
        return _iri(value)
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and " " not in value:
        return _iri(prefixes[prefix] + local)
    return mint(value)


def _date_literal(value: Any) -> Literal:
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value).strip()
    # A quoted "2023-11-24" is the same date as an unquoted one.
    parsers = ((dt.date.fromisoformat, XSD.date), (dt.datetime.fromisoformat, XSD.dateTime))
    for parse, datatype in parsers:
        try:
            return Literal(parse(text).isoformat(), datatype=datatype)
        except ValueError:
            continue
    return Literal(text)


def _source_triples(sid: str, spec: dict[str, Any]) -> Iterator[Triple]:
    iri = source_iri(sid)
    kind = spec.get("type", "agent")
    yield iri, RDF.type, PT.Source
    yield iri, RDF.type, PROV.Agent
    if kind == "person":
        yield iri, RDF.type, PROV.Person
    elif kind == "organization":
        yield iri, RDF.type, PROV.Organization
    yield iri, RDFS.label, Literal(spec["label"])
    yield iri, PT.anonymous, Literal(bool(spec.get("anonymous", False)))
    if spec.get("kind"):
        yield iri, PT.kind, Literal(spec["kind"])
    principals = spec.get("acted_on_behalf_of") or []
    for principal in [principals] if isinstance(principals, str) else principals:
        yield iri, PROV.actedOnBehalfOf, source_iri(principal)


def _report_triples(report: URIRef, sid: str, stmt: URIRef, doc: URIRef) -> Iterator[Triple]:
    yield report, RDF.type, PT.Report
    yield report, RDF.type, PROV.Entity
    yield report, PROV.wasAttributedTo, source_iri(sid)
    yield report, PT.statement, stmt
    yield report, PT.appearsIn, doc


def _statement_triples(
    spec: dict[str, Any], doc: URIRef, publisher: str, prefixes: dict[str, str]
) -> Iterator[Triple]:
    sid = spec["id"]
    stmt = statement_iri(sid)
    subject, predicate, obj = spec["triple"]
    members = (
        _term(subject, prefixes, entity_iri),
        _term(predicate, prefixes, relation_iri),
        _term(obj, prefixes, entity_iri),
    )
    yield stmt, RDF.type, PT.Statement
    yield stmt, RDF.type, RDF.Statement
    yield stmt, PT.text, Literal(spec["text"])
    for prop, member, text in zip(
        (RDF.subject, RDF.predicate, RDF.object), members, (subject, predicate, obj), strict=True
    ):
        yield stmt, prop, member
        if member.startswith(ID):
            yield member, RDFS.label, Literal(text.strip())

    entry = report_iri(sid, publisher)
    yield from _report_triples(entry, publisher, stmt, doc)
    if spec.get("evidence"):
        yield entry, PT.evidence, Literal(spec["evidence"])
    if spec.get("cue"):
        yield entry, PT.cue, Literal(spec["cue"])
    for key, prop in (("evidence_start", PT.evidenceStart), ("evidence_end", PT.evidenceEnd)):
        if key in spec:
            yield entry, prop, Literal(spec[key], datatype=XSD.nonNegativeInteger)
    if "confidence" in spec:
        yield entry, PT.confidence, Literal(str(spec["confidence"]), datatype=XSD.decimal)

    cites = PROV.wasQuotedFrom if spec.get("quoted") else PROV.wasDerivedFrom
    for chain in spec.get("according_to") or []:
        previous = entry
        for source in chain:
            report = report_iri(sid, source)
            yield from _report_triples(report, source, stmt, doc)
            yield previous, cites, report
            previous = report


def annotation_to_unit(
    data: Any,
    path: Path,
    *,
    lines: dict[YamlPath, int] | None = None,
    fallback_name: str | None = None,
) -> Unit:
    """Check one annotation document and turn it into a :class:`Unit`."""
    lines = lines or {}
    _check_schema(data, path, lines)
    prefixes = {**PREFIXES, **data.get("prefixes", {})}
    sources: dict[str, dict[str, Any]] = data.get("sources") or {}
    triples: list[Triple] = []
    needs: dict[URIRef, str] = {}

    for sid, spec in sources.items():
        triples.extend(_source_triples(sid, spec))
        for principal in _as_list(spec.get("acted_on_behalf_of")):
            needs.setdefault(source_iri(principal), _where(path, lines, ("sources", sid)))

    document = data.get("document")
    statements = data.get("statements") or []
    if document is None:
        if statements:
            raise ValidationError(
                f"{_where(path, lines, ('statements',))}: statements need a 'document' "
                "(with id and publisher) in the same file"
            )
        graph = URIRef(f"{ID}file/{fallback_name or path.stem}")
    else:
        graph = document_iri(document["id"])
        triples.extend(_document_triples(document, graph, path, lines))
        needs.setdefault(
            source_iri(document["publisher"]), _where(path, lines, ("document", "publisher"))
        )
        seen: dict[str, int] = {}
        for index, spec in enumerate(statements):
            at = ("statements", index)
            if spec["id"] in seen:
                raise ValidationError(
                    f"{_where(path, lines, at)}: statement id '{spec['id']}' is used twice "
                    f"in this document (also statements[{seen[spec['id']]}]); merge them"
                )
            seen[spec["id"]] = index
            for c, chain in enumerate(spec.get("according_to") or []):
                for source in chain:
                    needs.setdefault(
                        source_iri(source), _where(path, lines, (*at, "according_to", c))
                    )
            try:
                triples.extend(_statement_triples(spec, graph, document["publisher"], prefixes))
            except _BadIri as exc:
                where = _where(path, lines, (*at, "triple"))
                what = _describe_path((*at, "triple"))
                raise ValidationError(f"{where}: {what}: {exc}") from None

    digest = hashlib.sha256()
    for line in sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return Unit(
        graph=graph,
        triples=triples,
        where=str(path),
        content_hash=digest.hexdigest(),
        declares={source_iri(sid) for sid in sources},
        needs=needs,
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _document_triples(
    document: dict[str, Any], doc: URIRef, path: Path, lines: dict[YamlPath, int]
) -> Iterator[Triple]:
    yield doc, RDF.type, PT.Document
    yield doc, RDF.type, PROV.Entity
    kind = document.get("type", "NewsArticle")
    # A schema.org class where there is one; other kinds ("PressRelease") stay readable
    # as a genre of a CreativeWork rather than minting a class schema.org lacks.
    known = kind.isidentifier() and URIRef(f"{SDO._NS}{kind}") in SDO
    yield doc, RDF.type, URIRef(f"{SDO._NS}{kind}") if known else SDO.CreativeWork
    if not known:
        yield doc, SDO.genre, Literal(kind)
    yield doc, SDO.publisher, source_iri(document["publisher"])
    yield doc, PROV.wasAttributedTo, source_iri(document["publisher"])
    yield doc, PT.sourceFile, Literal(path.name)
    if document.get("title"):
        yield doc, SDO.headline, Literal(document["title"])
    if document.get("published"):
        yield doc, SDO.datePublished, _date_literal(document["published"])
    if document.get("url"):
        try:
            yield doc, SDO.url, _iri(document["url"])
        except _BadIri as exc:
            where = _where(path, lines, ("document", "url"))
            raise ValidationError(f"{where}: document.url: {exc}") from None
    if document.get("text"):
        text_file = _text_path(path, document["text"], _where(path, lines, ("document", "text")))
        try:
            body = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            where = _where(path, lines, ("document", "text"))
            raise ValidationError(
                f"{where}: cannot read the document text {text_file} "
                f"({getattr(exc, 'strerror', None) or exc}); fix the path, relative to this file"
            ) from None
        yield doc, SDO.text, Literal(body)


def _text_path(path: Path, text: str, where: str) -> Path:
    """The document's text file, which must lie in the annotation's own folder (or below).

    An annotation is often someone else's file: ``text: ../../etc/passwd`` or an
    absolute path would copy a local secret into the store (and into every export).
    """
    folder = path.parent.resolve()
    target = (folder / text).resolve()
    if Path(text).is_absolute() or not target.is_relative_to(folder):
        raise ValidationError(
            f"{where}: the document text {text!r} is outside the annotation's folder "
            f"({path.parent}); copy the text next to the annotation and give its name"
        )
    return path.parent / text
