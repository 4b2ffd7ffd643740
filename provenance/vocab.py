"""The project's vocabulary and the rules that turn ids into IRIs.

Every term of our own namespace is declared here once, as a typed
:class:`rdflib.namespace.DefinedNamespace`; a misspelt term raises instead of
minting a new IRI. ``tests/test_vocab.py`` checks that each term is declared in
``ontology/provenance.ttl``, so the code and the ontology cannot drift apart.

IRIs of things (sources, statements, reports, documents, entities) are minted
from slugs under :data:`ID`; nothing else in the package concatenates IRIs.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = [
    "PT",
    "NS",
    "ID",
    "PREFIXES",
    "SLUG_PATTERN",
    "slugify",
    "source_iri",
    "statement_iri",
    "report_iri",
    "document_iri",
    "entity_iri",
    "relation_iri",
    "local_id",
]

NS = "https://w3id.org/provenance-tracker/ns#"
ID = "https://w3id.org/provenance-tracker/id/"


class PT(DefinedNamespace):
    """The provenance-tracker ontology (``ontology/provenance.ttl``)."""

    _NS = Namespace(NS)
    _fail = True

    # classes
    Statement: URIRef  # a claim: rdf:Statement with a text
    Report: URIRef  # one source's act of saying one statement
    Source: URIRef  # an agent that says things
    Document: URIRef  # a published text
    # statement
    text: URIRef
    # report
    statement: URIRef  # report -> the statement it reports
    appearsIn: URIRef  # report -> a document it appears in
    cue: URIRef
    evidence: URIRef
    evidenceStart: URIRef
    evidenceEnd: URIRef
    confidence: URIRef
    # source
    anonymous: URIRef
    kind: URIRef
    # document
    sourceFile: URIRef
    contentHash: URIRef


SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
_SLUG_RE = re.compile(SLUG_PATTERN)

PREFIXES: dict[str, str] = {
    "pt": NS,
    "ptid": ID,
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


def slugify(text: str) -> str:
    """Turn free text into a readable, IRI-safe slug.

    >>> slugify("Ukraine-NATO Council meeting")
    'ukraine-nato-council-meeting'
    """
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", norm).strip("-").lower()
    if slug:
        return slug
    # Text with no ASCII letters at all (e.g. Cyrillic) keeps its characters, escaped.
    return quote(text.strip().lower().replace(" ", "-"), safe="-")


def _mint(kind: str, slug: str) -> URIRef:
    if not _SLUG_RE.match(slug):
        raise ValueError(f"{slug!r} is not a valid id (letters, digits, '.', '_', '~', '-')")
    return URIRef(f"{ID}{kind}/{slug}")


def source_iri(source_id: str) -> URIRef:
    """IRI of the source with id *source_id*."""
    return _mint("source", source_id)


def statement_iri(statement_id: str) -> URIRef:
    """IRI of the statement with id *statement_id*."""
    return _mint("statement", statement_id)


def document_iri(document_id: str) -> URIRef:
    """IRI of the document with id *document_id*; also the name of its graph."""
    return _mint("document", document_id)


def report_iri(statement_id: str, source_id: str) -> URIRef:
    """IRI of the report by which *source_id* says *statement_id*.

    A report is identified by (source, statement): the same node in every document.
    """
    statement_iri(statement_id)  # validates
    source_iri(source_id)
    return URIRef(f"{ID}report/{statement_id}/{source_id}")


def entity_iri(text: str) -> URIRef:
    """IRI minted for a triple's subject or object given as plain text."""
    return URIRef(f"{ID}entity/{slugify(text)}")


def relation_iri(text: str) -> URIRef:
    """IRI minted for a triple's predicate given as plain text."""
    return URIRef(f"{ID}relation/{slugify(text)}")


def local_id(iri: str) -> str:
    """The readable id of one of our IRIs (its last path segment), else the IRI itself.

    >>> local_id("https://w3id.org/provenance-tracker/id/source/tass")
    'tass'
    """
    if iri.startswith(ID):
        rest = iri[len(ID) :]
        kind, _, tail = rest.partition("/")
        if kind == "report":
            return tail
        return tail or rest
    return iri
