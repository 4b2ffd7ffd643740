"""Score predicted annotations against hand-made (gold) ones.

Three levels are scored, each by precision, recall and F1 over counts summed across
all documents (micro-averaged):

**sources**
    The sources each document declares (``sources``), except the document's publisher,
    compared as sets of normalised labels (:func:`normalise_label`). Ids do not matter:
    a predicted ``ministry-of-health`` matches a gold ``health-ministry`` labelled
    "Ministry of Health". A label matches only a label: "the Russian news agency TASS"
    does not match "TASS"; an extractor must choose its labels well.

**statements**
    A predicted statement matches a gold statement whose evidence span overlaps its
    own, one to one (a maximum matching; among equal candidates, the larger overlap,
    then the same cue, then the same chains win). Spans are ``evidence_start`` and
    ``evidence_end``; a statement without them is matched by its ``evidence`` text
    (equal, or one containing the other, after normalising spaces and case).

**chains**
    Each chain of ``according_to`` is an ordered tuple of normalised source labels
    (resolved through each file's own ``sources``; an undeclared id stands for itself),
    with the publisher removed from its head, since the publisher relays every chain
    implicitly. A predicted chain is correct when its statement is matched to a gold
    statement that has the same chain (counted as multisets per statement pair). Chains
    of unmatched statements count as false positives or false negatives. Unattributed
    statements have no chains.

When nothing is predicted and nothing is expected, precision, recall and F1 are 1.
Otherwise a ratio with a zero denominator is 0, except precision with nothing
predicted (1, nothing was wrong) and recall with nothing expected (1).

Examples
--------
>>> gold = [{"document": {"id": "d", "publisher": "p"},
...          "sources": {"a": {"label": "The Ministry"}},
...          "statements": [{"id": "s", "text": "x", "triple": ["a", "b", "c"],
...                          "evidence_start": 0, "evidence_end": 10,
...                          "according_to": [["a"]]}]}]
>>> scores = evaluate(gold, gold)
>>> scores["sources"]["f1"], scores["chains"]["f1"], scores["statements"]["f1"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

__all__ = [
    "EvaluationError",
    "Counts",
    "normalise_label",
    "evaluate",
    "evaluate_pairs",
    "evaluate_paths",
    "load_annotations",
    "load_folder",
    "LEVELS",
]

LEVELS = ("sources", "chains", "statements")
ANNOTATION_SUFFIXES = (".yaml", ".yml", ".json")

_STOPWORDS = frozenset("the a an of for at in on and to from by".split())


class EvaluationError(InputError):
    """A gold or predicted file that cannot be read as annotations."""


@dataclass
class Counts:
    """True positives, false positives and false negatives of one level."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    def scores(self) -> dict[str, float | int]:
        """Precision, recall, F1 (rounded to 4 places) and the counts."""
        if self.tp + self.fp + self.fn == 0:
            p = r = f = 1.0
        else:
            p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
            r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }


def normalise_label(label: str) -> str:
    """The form in which source labels are compared.

    Lower case, accents and curly quotes folded to ASCII, a possessive "'s" removed,
    punctuation turned into spaces, articles and prepositions ("the", "a", "of",
    "for", "at", "in", "on", "and", "to", "from", "by") dropped, and the remaining
    words sorted, so that word order does not matter.

    >>> normalise_label("Ukraine’s security leadership")
    'leadership security ukraine'
    >>> normalise_label("spokesperson for the Ministry of Health")
    'health ministry spokesperson'
    >>> normalise_label("Ministry of Health spokesperson")
    'health ministry spokesperson'
    """
    text = unicodedata.normalize("NFKD", label.replace("’", "'")).encode("ascii", "ignore")
    words = re.sub(r"'s\b", "", text.decode().lower())
    every = re.sub(r"[^a-z0-9]+", " ", words).split()
    tokens = [w for w in every if w not in _STOPWORDS] or every
    return " ".join(sorted(tokens))


# ----------------------------------------------------------------------- one document


def _publisher(annotation: dict[str, Any]) -> str | None:
    document = annotation.get("document") or {}
    return document.get("publisher")


def _labels(annotation: dict[str, Any]) -> dict[str, str]:
    """Source id -> normalised label, for every declared source."""
    out: dict[str, str] = {}
    for sid, entry in (annotation.get("sources") or {}).items():
        label = entry.get("label") if isinstance(entry, dict) else None
        out[str(sid)] = normalise_label(str(label or sid))
    return out


def _source_set(annotation: dict[str, Any]) -> set[str]:
    publisher = _publisher(annotation)
    return {
        label for sid, label in _labels(annotation).items() if sid != publisher and label
    }


def _chains(annotation: dict[str, Any], statement: dict[str, Any]) -> Counter[tuple[str, ...]]:
    labels = _labels(annotation)
    publisher = _publisher(annotation)
    out: Counter[tuple[str, ...]] = Counter()
    for chain in statement.get("according_to") or []:
        ids = [str(x) for x in chain]
        while ids and ids[0] == publisher:
            ids = ids[1:]
        if ids:
            out[tuple(labels.get(i, normalise_label(i.replace("-", " "))) for i in ids)] += 1
    return out


def _span(statement: dict[str, Any]) -> tuple[int, int] | None:
    start, end = statement.get("evidence_start"), statement.get("evidence_end")
    if isinstance(start, int) and isinstance(end, int) and end > start:
        return start, end
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _overlap(gold: dict[str, Any], pred: dict[str, Any]) -> int:
    """Characters of evidence the two statements share (0: they do not match)."""
    g, p = _span(gold), _span(pred)
    if g is not None and p is not None:
        return max(0, min(g[1], p[1]) - max(g[0], p[0]))
    ge, pe = _squash(str(gold.get("evidence") or "")), _squash(str(pred.get("evidence") or ""))
    if ge and pe and (ge in pe or pe in ge):
        return min(len(ge), len(pe))
    return 0


def _match(
    gold_doc: dict[str, Any], pred_doc: dict[str, Any]
) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of gold to predicted statements by overlap."""
    gold = gold_doc.get("statements") or []
    pred = pred_doc.get("statements") or []
    options: list[list[int]] = []
    for g in gold:
        scored = []
        for j, p in enumerate(pred):
            overlap = _overlap(g, p)
            if overlap > 0:
                same_cue = g.get("cue") == p.get("cue")
                same_chains = _chains(gold_doc, g) == _chains(pred_doc, p)
                scored.append((-overlap, not same_cue, not same_chains, j))
        options.append([j for *_, j in sorted(scored)])
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def _score_document(
    gold: dict[str, Any] | None, pred: dict[str, Any] | None
) -> dict[str, Counts]:
    gold = gold or {}
    pred = pred or {}
    g_sources, p_sources = _source_set(gold), _source_set(pred)
    sources = Counts(
        len(g_sources & p_sources), len(p_sources - g_sources), len(g_sources - p_sources)
    )
    g_statements = gold.get("statements") or []
    p_statements = pred.get("statements") or []
    pairs = _match(gold, pred) if gold and pred else []
    statements = Counts(len(pairs), len(p_statements) - len(pairs), len(g_statements) - len(pairs))
    g_total = sum(sum(_chains(gold, s).values()) for s in g_statements)
    p_total = sum(sum(_chains(pred, s).values()) for s in p_statements)
    tp = sum(
        sum((_chains(gold, g_statements[i]) & _chains(pred, p_statements[j])).values())
        for i, j in pairs
    )
    chains = Counts(tp, p_total - tp, g_total - tp)
    return {"sources": sources, "chains": chains, "statements": statements}


# ------------------------------------------------------------------------- many documents


def evaluate_pairs(
    pairs: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
) -> dict[str, Any]:
    """Score (key, gold, predicted) document pairs; either side may be None.

    Returns the same dict as :func:`evaluate`.
    """
    totals = {level: Counts() for level in LEVELS}
    per_document = []
    gold_only: list[str] = []
    predicted_only: list[str] = []
    paired = 0
    for key, gold, pred in pairs:
        if gold is None:
            predicted_only.append(key)
        elif pred is None:
            gold_only.append(key)
        else:
            paired += 1
        counts = _score_document(gold, pred)
        for level in LEVELS:
            totals[level] += counts[level]
        per_document.append(
            {"document": key, **{level: counts[level].scores() for level in LEVELS}}
        )
    return {
        "documents": {
            "paired": paired, "gold_only": gold_only, "predicted_only": predicted_only,
        },
        **{level: totals[level].scores() for level in LEVELS},
        "per_document": per_document,
    }


def _document_id(annotation: dict[str, Any], where: str) -> str:
    document = annotation.get("document")
    if not isinstance(document, dict) or not document.get("id"):
        raise EvaluationError(f"{where}: an annotation without document.id cannot be paired")
    return str(document["id"])


def evaluate(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Score *predicted* annotations against *gold* ones, paired by document id.

    Parameters
    ----------
    gold, predicted:
        Annotation dicts (design section 6). Dicts with only ``sources`` (no
        ``document``) are ignored.

    Returns
    -------
    dict
        ``sources``, ``chains`` and ``statements``, each with ``precision``,
        ``recall``, ``f1``, ``tp``, ``fp`` and ``fn``; ``documents`` (how many were
        paired, and the ids found on one side only); ``per_document``.

    Raises
    ------
    EvaluationError
        If a document has no id, or two documents on one side share an id.
    """
    def index(annotations: list[dict[str, Any]], side: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for n, annotation in enumerate(annotations):
            if "document" not in annotation:
                continue
            key = _document_id(annotation, f"{side} annotation {n + 1}")
            if key in out:
                raise EvaluationError(f"two {side} annotations have document id {key!r}")
            out[key] = annotation
        return out

    g, p = index(gold, "gold"), index(predicted, "predicted")
    keys = list(g) + [k for k in p if k not in g]
    return evaluate_pairs((k, g.get(k), p.get(k)) for k in keys)


# ------------------------------------------------------------------------------ files


def load_annotations(path: str | Path) -> list[dict[str, Any]]:
    """Annotations in a YAML file (several documents allowed), a JSON file, or every
    such file in a folder (sorted by name).

    Raises
    ------
    EvaluationError
        If the path does not exist, a file is not UTF-8, YAML or JSON, or holds
        something other than annotation mappings.
    """
    path = Path(path)
    if path.is_dir():
        out: list[dict[str, Any]] = []
        for docs in load_folder(path).values():
            out.extend(docs)
        return out
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file or folder")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    try:
        if path.suffix == ".json":
            loaded = json.loads(text)
            docs = loaded if isinstance(loaded, list) else [loaded]
        else:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except (yaml.YAMLError, json.JSONDecodeError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise EvaluationError(f"{path}: not valid YAML or JSON ({first})") from None
    for doc in docs:
        if not isinstance(doc, dict):
            raise EvaluationError(
                f"{path}: expected annotation mappings, found {type(doc).__name__}"
            )
    return docs


def load_folder(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The annotations of each ``.yaml``/``.yml``/``.json`` file in a folder, by file
    name without its suffix."""
    path = Path(path)
    if not path.is_dir():
        raise EvaluationError(f"{path}: not a folder")
    return {
        f.stem: load_annotations(f)
        for f in sorted(path.iterdir())
        if f.suffix in ANNOTATION_SUFFIXES and f.is_file()
    }


def evaluate_paths(gold: str | Path, predicted: str | Path) -> dict[str, Any]:
    """Score files or folders of annotations.

    Two folders are paired file by file, by file name (``NAME.yaml`` with
    ``NAME.yaml`` or ``NAME.json``); within a pair of files holding one document each
    the documents are paired whatever their ids, otherwise by document id. Files are
    paired by document id.
    """
    gold, predicted = Path(gold), Path(predicted)
    if not (gold.is_dir() and predicted.is_dir()):
        return evaluate(load_annotations(gold), load_annotations(predicted))
    g, p = load_folder(gold), load_folder(predicted)
    if not g:
        raise EvaluationError(f"{gold}: no .yaml, .yml or .json files")
    pairs: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = []
    for name in list(g) + [n for n in p if n not in g]:
        g_docs = [d for d in g.get(name, []) if "document" in d]
        p_docs = [d for d in p.get(name, []) if "document" in d]
        if len(g_docs) == 1 and len(p_docs) == 1:
            pairs.append((name, g_docs[0], p_docs[0]))
            continue
        g_ids = {_document_id(d, f"{gold / name}"): d for d in g_docs}
        p_ids = {_document_id(d, f"{predicted / name}"): d for d in p_docs}
        for key in list(g_ids) + [k for k in p_ids if k not in g_ids]:
            pairs.append((f"{name}:{key}", g_ids.get(key), p_ids.get(key)))
    return evaluate_pairs(pairs)
