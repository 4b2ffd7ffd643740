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

# The plain strings live in ._names (importable without rdflib, for fast start-up);
# this module adds the typed rdflib terms on top of them.
from . import _names
from ._names import ID, NS, PREFIXES, local_id

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


def source_iri(source_id: str) -> URIRef:
    """IRI of the source with id *source_id*."""
    return URIRef(_names.source_iri(source_id))


def statement_iri(statement_id: str) -> URIRef:
    """IRI of the statement with id *statement_id*."""
    return URIRef(_names.statement_iri(statement_id))


def document_iri(document_id: str) -> URIRef:
    """IRI of the document with id *document_id*; also the name of its graph."""
    return URIRef(_names.document_iri(document_id))


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
