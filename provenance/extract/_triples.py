"""A readable [subject, predicate, object] for a claim, by shallow rules.

The subject is the words before the first finite verb, the predicate is the verb
group (auxiliaries, the verb, a particle or preposition), and the object is the rest of
the main clause. A pronoun subject ("he", "his attendance") is replaced by the person
last named before the claim. This is a reviewer's starting point, not a parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .lexicon import (
    AUXILIARIES,
    DETERMINERS,
    IRREGULAR_VERBS,
    POSSESSIVE_PRONOUNS,
    PREPOSITIONS,
    QUANTIFIERS,
)

__all__ = ["make_triple", "participle"]

_VERB_ADVERBS = frozenset(
    """
    not also still already probably likely most never now just only again further long
    soon recently currently reportedly steadily expected due
    """.split()
)
_ED_ADJECTIVES = frozenset(
    "united limited based related concerned interested armed advanced detailed".split()
)
_PARTICIPLES = {
    "say": "said", "tell": "told", "find": "found", "show": "shown", "write": "written",
    "think": "thought", "forecast": "forecast", "make clear": "made clear",
    "point out": "pointed out", "according to": "reported", "quote": "quoted",
    "dateline": "reported",
}
_NO_SUBJECT_OPENERS = PREPOSITIONS | {"last", "next", "this", "meanwhile", "however"}


def participle(lemma: str) -> str:
    """Past participle of a cue: "confirm" -> "confirmed", "say" -> "said"."""
    if lemma in _PARTICIPLES:
        return _PARTICIPLES[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


_OBJECT_OPENERS = (
    DETERMINERS | QUANTIFIERS | POSSESSIVE_PRONOUNS
    | frozenset("to on in for with from up down out no more less at into over".split())
)


def _verb_rank(words: list[str], i: int) -> int:
    """0 if words[i] is surely a finite verb, 1 if an "-ed" verb, 2 if an "-s" verb
    followed by something that opens an object, 9 if not a verb."""
    w = words[i]
    lw = w.lower().strip(",;:")
    if i == 0 or not w[:1].islower():
        return 9
    prev = words[i - 1].lower()
    if lw in AUXILIARIES or lw in IRREGULAR_VERBS:
        return 9 if prev in DETERMINERS else 0
    if prev in DETERMINERS | QUANTIFIERS | POSSESSIVE_PRONOUNS | PREPOSITIONS | {"of", "and"}:
        return 9
    if lw.endswith("ed") and len(lw) > 4 and lw not in _ED_ADJECTIVES:
        return 1
    nxt = words[i + 1].lower() if i + 1 < len(words) else ""
    if (
        lw.endswith("s")
        and not lw.endswith(("ss", "us", "is", "ous", "ics"))
        and len(lw) > 3
        and (nxt in _OBJECT_OPENERS or nxt[:1].isdigit())
    ):
        return 2
    return 9


def _find_verb(words: list[str]) -> int | None:
    """The first word that is, or looks like, a finite verb."""
    for i in range(1, len(words)):
        if _verb_rank(words, i) < 9:
            return i
    return None


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" \"“”'‘’,;:.").strip()


def _main_clause(text: str) -> str:
    """Drop a trailing subordinate part: ", including ...", ", which ...", "; ..."."""
    return re.split(r";\s|,\s+(?=(?:including|which|who|while|whereas|bringing|with|as|amid|"
                    r"even|a\s|an\s|but|although|though|and\s+the)\b)", text)[0]


def make_triple(
    claim: str,
    *,
    cue: str | None = None,
    person_before: Callable[[], str | None] = lambda: None,
) -> list[str]:
    """[subject, predicate, object] for *claim*, each a non-empty string.

    Examples
    --------
    >>> make_triple("the United States remains committed to backing Ukraine")
    ['the United States', 'remains committed to', 'backing Ukraine']
    >>> make_triple("his attendance", cue="confirm", person_before=lambda: "Antony Blinken")
    ["Antony Blinken's attendance", 'is', 'confirmed']
    """
    text = _clean(claim)
    words = text.split()
    if not words:
        return ["(empty claim)", "is", participle(cue or "state")]
    verb = _find_verb(words)
    if verb is None:
        words = _resolve_pronoun(words, person_before)
        return [_clean(" ".join(words)) or text, "is", participle(cue or "state")]
    subject_words = words[:verb]
    if "," in " ".join(subject_words):
        tail = " ".join(subject_words).rsplit(",", 1)[1].split()
        subject_words = tail or subject_words
    if subject_words[0].lower() in _NO_SUBJECT_OPENERS:
        for k in range(len(subject_words) - 1, 0, -1):
            if subject_words[k].lower() in DETERMINERS | {"he", "she", "it", "they", "we"} or (
                subject_words[k][:1].isupper() and k > 1
            ):
                subject_words = subject_words[k:]
                break
    while len(subject_words) > 1 and subject_words[-1].lower() in _VERB_ADVERBS:
        subject_words = subject_words[:-1]
    subject_words = _resolve_pronoun(subject_words, person_before)
    end = verb + 1
    while end < len(words) and words[end].lower() in _VERB_ADVERBS | AUXILIARIES:
        end += 1
    if (
        end < len(words)
        and words[end][:1].islower()
        and words[end - 1].lower() in AUXILIARIES | _VERB_ADVERBS
        and words[end].lower() not in _OBJECT_OPENERS | PREPOSITIONS
    ):
        end += 1  # the main verb after auxiliaries: "will join", "has been suspended"
    if (
        end + 1 < len(words)
        and words[end].lower() == "to"
        and words[end + 1][:1].islower()
        and not words[end + 1].lower().endswith("ing")
        and words[end + 1].lower() not in _OBJECT_OPENERS
    ):
        end += 2
    if end < len(words) and words[end].lower() in PREPOSITIONS | {"of"}:
        end += 1
    subject = _clean(" ".join(subject_words))
    predicate = _clean(" ".join(words[verb:end]))
    obj = _clean(_main_clause(" ".join(words[end:])))
    if not obj:
        pred_words = predicate.split()
        if len(pred_words) > 1:
            predicate, obj = " ".join(pred_words[:-1]), pred_words[-1]
        else:
            predicate, obj = "has status", predicate
    return [subject or text, predicate or "is", obj or participle(cue or "state")]


def _resolve_pronoun(words: list[str], person_before: Callable[[], str | None]) -> list[str]:
    first = words[0].lower()
    if first in ("he", "she") or (first in ("his", "her") and len(words) > 1):
        name = person_before()
        if name:
            if first in ("he", "she"):
                return [name, *words[1:]]
            return [f"{name}'s", *words[1:]]
    return words
