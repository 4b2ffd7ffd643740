"""Optional spaCy backend: triples from a dependency parse.

Attribution (sources, cues, chains) stays with the patterns, which are measured on the
gold set; spaCy only replaces the shallow triple of each claim by one read from the
parse: the subject's subtree, the root verb with its auxiliaries and particles, and
the rest of the clause. Nothing is downloaded: the pipeline must already be installed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ._errors import BackendUnavailableError

__all__ = ["refine_triples", "PIPELINES"]

PIPELINES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")
_SUBJECTS = ("nsubj", "nsubjpass", "csubj", "expl")
_VERB_PARTS = ("aux", "auxpass", "neg", "prt")


@cache
def _pipeline() -> Any:
    try:
        import spacy
    except ImportError:
        raise BackendUnavailableError(
            "the spacy backend needs spaCy and an English pipeline: pip install spacy, then "
            "install en_core_web_sm; or use --backend pattern"
        ) from None
    for name in PIPELINES:
        try:
            return spacy.load(name, disable=["ner"])
        except OSError:
            continue
    raise BackendUnavailableError(
        "spaCy is installed but no English pipeline is: install en_core_web_sm "
        "(or use --backend pattern)"
    )


def _span_text(tokens: list[Any]) -> str:
    tokens = sorted(tokens, key=lambda t: t.i)
    return " ".join(t.text for t in tokens).replace(" ,", ",").replace(" '", "'").strip()


def _triple(doc: Any) -> list[str] | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    subject = next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    if subject is None:
        return None
    verb = [root, *(c for c in root.children if c.dep_ in _VERB_PARTS)]
    taken = {t.i for t in subject.subtree} | {t.i for t in verb}
    rest = [t for t in doc if t.i not in taken and t.i > root.i and not t.is_punct]
    if rest and rest[0].dep_ == "prep":
        verb.append(rest[0])
        rest = rest[1:]
    triple = [_span_text(list(subject.subtree)), _span_text(verb), _span_text(rest)]
    return triple if all(triple) else None


def refine_triples(annotation: dict[str, Any]) -> None:
    """Replace each statement's triple by one from the dependency parse, where the parse
    yields a complete one; keep the pattern triple otherwise."""
    nlp = _pipeline()
    statements = annotation.get("statements", [])
    for statement, doc in zip(statements, nlp.pipe(s["text"] for s in statements), strict=True):
        triple = _triple(doc)
        if triple is not None:
            statement["triple"] = triple
