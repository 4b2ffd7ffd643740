"""The namespaces and id rules of :mod:`provenance.vocab`, without importing rdflib.

rdflib takes tens of milliseconds to import; a question about one statement
(``provenance origin``) needs only these strings. Everything here returns plain
``str``; ``tests/test_names.py`` checks that it agrees with :mod:`provenance.vocab`,
which stays the one place where the vocabulary is declared.
"""

from __future__ import annotations

import re

__all__ = ["NS", "ID", "PREFIXES", "IRI", "local_id", "source_iri", "statement_iri",
           "document_iri"]

NS = "https://w3id.org/provenance-tracker/ns#"
ID = "https://w3id.org/provenance-tracker/id/"

#: An absolute IRI that can be written between angle brackets in a query (a blank
#: node's label, a literal's value cannot).
IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*')

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

_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


def _mint(kind: str, slug: str) -> str:
    if not _SLUG_RE.match(slug):
        raise ValueError(f"{slug!r} is not a valid id (letters, digits, '.', '_', '~', '-')")
    return f"{ID}{kind}/{slug}"


def source_iri(source_id: str) -> str:
    """IRI of the source with id *source_id* (as :func:`provenance.vocab.source_iri`)."""
    return _mint("source", source_id)


def statement_iri(statement_id: str) -> str:
    """IRI of the statement with id *statement_id*."""
    return _mint("statement", statement_id)


def document_iri(document_id: str) -> str:
    """IRI of the document with id *document_id*."""
    return _mint("document", document_id)


def local_id(iri: str) -> str:
    """The readable id of one of our IRIs (as :func:`provenance.vocab.local_id`)."""
    if iri.startswith(ID):
        rest = iri[len(ID) :]
        kind, _, tail = rest.partition("/")
        if kind == "report":
            return tail
        return tail or rest
    return iri
