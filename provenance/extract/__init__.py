"""Extract attribution chains from the text of a news article.

:func:`extract` turns an article into an annotation in the YAML format of design
section 6: the document, the sources it names (``anonymous: true`` for unnamed ones
such as "officials"), and one statement per claim with its evidence sentence, the
character offsets of that sentence, the reporting cue, the chains of sources
(nearest relay first) and a confidence. A sentence with no attribution becomes a
statement without ``according_to``: the publisher's own voice.

The default backend is pure Python: sentence splitting, a lexicon of reporting cues
(:mod:`provenance.extract.lexicon`) and patterns over the text. If spaCy and an
English pipeline are installed, ``backend="spacy"`` derives the triples from a
dependency parse; attribution stays with the patterns.

Examples
--------
>>> from provenance.extract import extract
>>> a = extract("Officials said that the bridge will reopen in May.", document_id="d1")
>>> a["sources"]["officials"]
{'label': 'Officials', 'type': 'person', 'anonymous': True}
>>> a["statements"][0]["according_to"]
[['officials']]
"""

from __future__ import annotations

from typing import Any, Literal

from ._errors import BackendUnavailableError, EmptyTextError, ExtractionError, InvalidIdError
from ._extractor import Extraction, run
from ._yaml import to_yaml

__all__ = [
    "extract",
    "extract_full",
    "to_yaml",
    "Extraction",
    "Backend",
    "BACKENDS",
    "ExtractionError",
    "EmptyTextError",
    "InvalidIdError",
    "BackendUnavailableError",
]

Backend = Literal["pattern", "spacy"]
BACKENDS: tuple[str, ...] = ("pattern", "spacy")


def extract_full(
    text: str,
    *,
    document_id: str,
    publisher: str = "publisher",
    text_path: str | None = None,
    backend: Backend = "pattern",
) -> Extraction:
    """Like :func:`extract`, but also return the other wordings of each source.

    Returns
    -------
    Extraction
        ``.annotation`` (the dict :func:`extract` returns) and ``.aliases`` (source id
        to the other names the text used, for :func:`to_yaml` to show as comments).
    """
    if backend not in BACKENDS:
        raise BackendUnavailableError(
            f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}"
        )
    result = run(text, document_id=document_id, publisher=publisher, text_path=text_path)
    if backend == "spacy":
        from ._spacy import refine_triples

        refine_triples(result.annotation)
    return result


def extract(
    text: str,
    *,
    document_id: str,
    publisher: str = "publisher",
    text_path: str | None = None,
    backend: Backend = "pattern",
) -> dict[str, Any]:
    """Extract an annotation (sources, statements, chains) from an article's text.

    Parameters
    ----------
    text:
        The article as plain text. A first line without final punctuation, followed by
        a blank line, is taken as the title.
    document_id:
        The document's id (a slug); statement ids are ``{document_id}.s01`` and on.
    publisher:
        The publisher's source id. What the publisher says in its own name (a company
        in its own press release) is unattributed, and the publisher never appears in
        a chain: it relays every chain implicitly.
    text_path:
        Recorded as ``document.text``: the text file, relative to the annotation file.
    backend:
        ``"pattern"`` (default, pure Python) or ``"spacy"`` (needs spaCy and an English
        pipeline; refines the triples).

    Returns
    -------
    dict
        An annotation that validates against ``annotation.schema.json``.

    Raises
    ------
    EmptyTextError
        If *text* has no text.
    InvalidIdError
        If *document_id* or *publisher* is not a valid id.
    BackendUnavailableError
        If *backend* is unknown or its dependencies are missing.

    Examples
    --------
    >>> a = extract("TASS, citing the press service, reported that talks had begun.",
    ...             document_id="d1", publisher="example-wire")
    >>> a["statements"][0]["according_to"]
    [['tass', 'press-service']]
    """
    return extract_full(
        text, document_id=document_id, publisher=publisher, text_path=text_path,
        backend=backend,
    ).annotation
