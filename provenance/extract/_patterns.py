"""Attribution patterns over one sentence.

:func:`analyse` finds who a sentence attributes its claim to, and where the claim is.
It knows these shapes, tried in this order:

1. "X quoted Y as saying ..." and "Y was quoted by X as saying ..." (chain [X, Y]);
2. "according to X[, which cited Y], ..." anywhere in the sentence;
3. a claim first and its source last: "..., the ministry said on Monday." and
   "..., the Gazette reported, citing Nordwire, which quoted the police.";
4. a reporting cue with its source before it ("X said that ...", "X, citing Y,
   reported ...", "Reports from X, citing Y, confirm ...", "X told reporters ..."), or
   after it ('"...," said X'), or around it ("The vote, officials said, was delayed").

The result names sources only as :class:`~._sources.Mention` objects arranged in
citation trees (:class:`Node`); turning them into sources is the registry's job, in
reading order, because "he" and "the ministry" depend on what came before.

Every search runs on a copy of the sentence whose quotations are blanked out, so a
reporting verb inside a quotation never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._sources import Mention, parse_mention
from ._text import OPEN_QUOTES, mask_quotes, quote_spans
from .lexicon import (
    ADVERBS,
    AUXILIARIES,
    BACKWARD_NOUNS,
    BACKWARD_VERBS,
    CUE_FORMS,
    CUE_PHRASES,
    CUES,
    DETERMINERS,
    GROUP_NOUNS,
    IRREGULAR_VERBS,
    MEDIA_KIND_NOUNS,
    NEGATIONS,
    ORG_NOUNS,
    PERSON_NOUNS,
    POSSESSIVE_PRONOUNS,
    PREPOSITIONS,
    QUANTIFIERS,
    TIME_WORDS,
)

__all__ = ["Node", "Attribution", "Backward", "analyse", "backward", "is_bare_quote"]

_BACKWARD_LEMMAS = {
    "outlined": "outline", "set": "set out", "made": "make", "stated": "state",
    "described": "describe", "contained": "contain", "included": "include",
    "published": "publish", "detailed": "detail", "presented": "present",
    "announced": "announce", "given": "give", "provided": "provide", "disclosed": "disclose",
    "released": "release", "laid": "lay out", "confirmed": "confirm", "reported": "report",
    "issued": "issue", "expressed": "express", "spelled": "spell out", "spelt": "spell out",
    "echoed": "echo", "repeated": "repeat", "voiced": "voice", "raised": "raise",
    "mentioned": "mention", "listed": "list", "summarised": "summarise",
    "summarized": "summarize", "conveyed": "convey", "relayed": "relay", "first": "make",
}
_QUOTE_CHARS = "\"“”«»„"
_ED_ADJECTIVES = frozenset(
    """
    united limited based related concerned interested detailed advanced armed balanced
    biased classified coordinated dedicated elected experienced informed integrated
    licensed organised organized qualified reduced registered renewed required
    scheduled sophisticated talented unexpected unnamed unidentified alleged
    """.split()
)
_MEDIA_HEADS = frozenset(
    "journal gazette herald tribune courier ledger chronicle telegraph newswire".split()
)
_AGENT_SUFFIXES = ("er", "or", "ist", "ant", "ent", "ian", "ary", "dog")
_CLAUSE_OPENERS = frozenset("who whom whose which where when while whereas".split())
_NP_OPENERS = (
    DETERMINERS | QUANTIFIERS | POSSESSIVE_PRONOUNS
    | frozenset("he she it they we i you there its no none every".split())
)

_CUE_RE = re.compile(r"\b(?:" + "|".join(sorted(CUE_FORMS, key=len, reverse=True)) + r")\b")
_PAST_FORMS = sorted(
    (f for f in CUE_FORMS if f.endswith(("ed", "id", "ld", "te", "ote", "ound"))),
    key=len,
    reverse=True,
)
_SECOND_CUE = re.compile(
    r"(?:,\s*|\s+)(?:but|and|while|yet|although)\s+(?:also\s+|later\s+|further\s+|then\s+)?"
    r"(?P<cue>" + "|".join(_PAST_FORMS) + r")\b"
    r"|,\s+(?P<ing>adding|noting|warning|stressing|insisting|arguing|saying)\b"
)
_ING_LEMMA = {
    "adding": "add", "noting": "note", "warning": "warn", "stressing": "stress",
    "insisting": "insist", "arguing": "argue", "saying": "say",
}
_CITE_MARK = re.compile(
    r"(?:,\s*|\s+)(?P<mark>(?:which|who|that)\s+(?:in\s+turn\s+|also\s+|had\s+|has\s+)?"
    r"(?:cited|quoted|relayed)|in\s+turn\s+(?:citing|quoting)|citing|quoting|relaying|"
    r"referring\s+to|drawing\s+on)\s+",
    re.I,
)
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+")
_AS_SAYING = re.compile(
    r"\b(?P<verb>quoted|quotes|cited|cites)\s+(?P<y>[^,;\x00]{1,80}?)\s+as\s+"
    r"(?:saying|stating|having\s+said|telling\s+[^,;]{1,40}?)\b"
)
_PASSIVE_AS_SAYING = re.compile(
    r"\b(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+(?:quoted|cited)\s+"
    r"(?:by\s+(?P<x>[^,;\x00]{1,80}?)\s+)?as\s+(?:saying|stating)\b"
)
_INTERVIEW = re.compile(
    r"\b(?:in|during)\s+(?:an?|the|his|her|its|their)\s+(?:[\w-]+\s+){0,2}?interview\s+"
    r"(?:with|to|on)\s+(?P<media>[^,;:\x00]+?)(?=\s*[,;:]|\s+(?:that|on|in|last|this)\b|$)",
    re.I,
)
_RECIPIENT = re.compile(
    r"\s*(?P<r>(?:the\s+|a\s+|an\s+)?[^,:;\x00\"“]+?)"
    r"(?=\s+(?:that|on|in|at|during|last|this|earlier|after|before|late|early|about|"
    r"yesterday|today|when|the|a|an|its|his|her|their|it|he|she|they|we|i|there)\b"
    r"|\s*[:,;\"“\x00]|\s*[.!?]?\s*$)",
    re.I,
)
_ADVERBIAL = re.compile(
    r"\s*(?:(?:on|last|this|next|early|late|earlier|later)\s+(?:\w+\s+)?(?:"
    + "|".join(sorted(TIME_WORDS, key=len, reverse=True))
    + r")\b|(?:also|again|later|earlier|today|yesterday|tonight|separately|publicly|"
    r"repeatedly|previously|recently|once|further|then|now|too|instead|however|"
    r"reportedly|privately|already|still)\b)",
    re.I,
)
_PP = re.compile(
    r"\s*(?P<prep>in|on|at|during|after|before|from|via|through|with|without|under|"
    r"over|amid|while)\s+(?P<body>[^,;:\x00\"“]{1,60}?)"
    r"(?=\s*[,;:\"“\x00]|\s+(?:that|the|a|an|its|his|her|their|it|he|she|they|we)\b|"
    r"\s*[.!?]?\s*$)",
    re.I,
)
_BACKWARD = re.compile(
    r"^(?:(?P<det>These|Those|This|That|Such|Both|All|The)\s+)"
    r"(?:(?P<noun>" + "|".join(sorted(BACKWARD_NOUNS)) + r")\s+)?"
    r"(?:were|was|are|is|have\s+been|has\s+been|had\s+been)\s+(?:first\s+|also\s+|all\s+)?"
    r"(?P<verb>" + "|".join(sorted(BACKWARD_VERBS)) + r")(?:\s+(?:out|up|down|forward))?\s+"
    r"(?:in|by|at|during)\s+(?P<np>[^,;.\x00]+?)(?=\s+and\s+|\s*[,;.]|\s*$)"
    r"|^(?P<det2>This|That|These|Those)\s+(?:is|was|are|were)\s+according\s+to\s+"
    r"(?P<np2>[^,;.\x00]+?)(?=\s*[,;.]|\s*$)"
)


@dataclass
class Node:
    """A source in a citation tree: *mention* said it, having it from each of *cited*.

    *offset* is the mention's position in the sentence; sources are resolved in order
    of position so that "the same ministry" looks back from where it is written.
    """

    mention: Mention
    offset: int
    cited: list[Node] = field(default_factory=list)


@dataclass
class Attribution:
    """A claim of one sentence and the sources it is attributed to.

    Attributes
    ----------
    roots:
        One citation tree per independent source named ("X and Y said": two).
    cue:
        The reporting cue's base form ("say", "according to", "quote").
    claim:
        Spans of the claim in the sentence: one, or two around a parenthetical
        attribution ("The vote, officials said, was delayed").
    quoted:
        True for a direct quotation.
    confidence:
        How sure the pattern is, in [0, 1].
    via:
        The addressee ("told the Courier"), or the outlet of an interview; the
        extractor makes it the nearest relay when it is a news outlet.
    pattern:
        Which pattern fired, for the record.
    """

    roots: list[Node]
    cue: str
    claim: list[tuple[int, int]]
    quoted: bool = False
    confidence: float = 0.8
    via: Node | None = None
    pattern: str = ""


@dataclass
class Backward:
    """ "These points were outlined in X": X is the source of the sentences before."""

    node: Node
    plural: bool
    cue: str


# --------------------------------------------------------------------------- helpers


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z’'-]*", text)


def _clause_like(text: str, loose: bool = False, cues: bool = True) -> bool:
    """Whether *text* has a finite verb (approximately: auxiliaries, a list of common
    irregular verbs, "-ed" words, reporting verbs unless *cues* is false (they double
    as nouns: "comments", "report"), and in *loose* mode "-s" words after a noun)."""
    words = _words(text)
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in AUXILIARIES or lw in IRREGULAR_VERBS:
            return True
        if i == 0 or not w[0].islower():
            continue
        if cues and lw in CUE_FORMS and words[i - 1].lower() not in _NOUN_MARKERS:
            return True
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if lw.endswith("ed") and len(lw) > 4 and lw not in _ED_ADJECTIVES and following != "by":
            return True
        if (
            loose
            and lw.endswith("s")
            and not lw.endswith(("ss", "us", "is", "ous", "ics"))
            and words[i - 1].lower() not in _NOT_BEFORE_S_VERB
        ):
            return True
    return False


def _has_aux(text: str) -> bool:
    """Whether *text* has an auxiliary or modal after its first word ("prices would")."""
    return any(w.lower() in AUXILIARIES for w in _words(text)[1:])


def _valid_source(mention: Mention | None) -> bool:
    if mention is None:
        return False
    if mention.pronoun:
        return mention.pronoun not in ("we", "i", "you")
    text = mention.text
    if len(text.split()) > 12 or _clause_like(text, cues=False):
        return False
    first = text.split()[0].lower()
    if first in PREPOSITIONS or first in ("whether", "if", "how", "what", "why", "there"):
        return False
    if mention.document or mention.authored or mention.named:
        return True
    head = mention.head or ""
    lexicon = _SOURCE_LEXICON | _MEDIA_HEADS
    return head in lexicon or head.endswith(_AGENT_SUFFIXES)


_TAIL_TIME = re.compile(
    r"(?:^|\s+)(?:on|last|this|next|earlier|later)\s+(?:\w+\s+)?(?:"
    + "|".join(sorted(TIME_WORDS, key=len, reverse=True))
    + r")\s*$",
    re.I,
)
_TAIL_PP = re.compile(r"\s+in\s+(?:a|an|its|his|her|their)\s+[\w-]+(?:\s+[\w-]+)?\s*$")
_TAIL_ADVERBS = ADVERBS | {"today", "yesterday", "tonight"}
_NOUN_MARKERS = DETERMINERS | POSSESSIVE_PRONOUNS
_NOT_BEFORE_S_VERB = (
    DETERMINERS | QUANTIFIERS | POSSESSIVE_PRONOUNS | PREPOSITIONS | {"of", "and", "or"}
)
_SOURCE_LEXICON = PERSON_NOUNS | ORG_NOUNS | GROUP_NOUNS | MEDIA_KIND_NOUNS


def _strip_tail(text: str) -> str:
    """Drop auxiliaries, adverbs and times between a source and its cue."""
    while True:
        stripped = _TAIL_TIME.sub("", text) if text[-1:].isalpha() else text
        stripped = _TAIL_PP.sub("", stripped)
        words = stripped.rstrip().split(" ")
        if words and words[-1].lower() in _TAIL_ADVERBS:
            stripped = " ".join(words[:-1])
        if stripped == text:
            return text
        text = stripped


def _segments(m: str, a: int, b: int) -> list[tuple[int, int]]:
    """Top-level comma-separated spans of m[a:b] (quotes are already masked)."""
    out: list[tuple[int, int]] = []
    pos = a
    for sep in re.finditer(r",\s*|;\s*|\s+(?:--|—|–)\s+", m[a:b]):
        s, e = a + sep.start(), a + sep.end()
        if s > pos:
            out.append((pos, s))
        pos = e
    if pos < b:
        out.append((pos, b))
    return [(s + len(m[s:e]) - len(m[s:e].lstrip()), e - (len(m[s:e]) - len(m[s:e].rstrip())))
            for s, e in out if m[s:e].strip()]


def _segment_kind(text: str) -> str:
    """Classify one comma segment: np, cite, relative, participle, adverb, pp, clause."""
    t = text.strip()
    low = t.lower()
    first = low.split()[0] if low.split() else ""
    if _CITE_MARK.match(" " + t):
        return "cite"
    if first in _CLAUSE_OPENERS or first == "that":
        return "relative"
    words = t.split()
    second = words[1].lower() if len(words) > 1 else ""
    if first.endswith("ing") and (
        words[0][:1].islower() or second in PREPOSITIONS | DETERMINERS | {"to", "of"}
    ) or first in ("asked", "speaking"):
        return "participle"
    if first in ADVERBS and len(low.split()) <= 2:
        return "adverb"
    if re.fullmatch(r"[\d\s.,-]+|aged \d+", low):
        return "adverb"  # an age: "Smith, 54, said"
    if first in PREPOSITIONS or first in ("according",):
        return "pp"
    if _clause_like(t, cues=False):
        return "clause"
    return "np"


def _subject_of_clause(text: str) -> str | None:
    """"Environmental groups welcomed the pledge but" -> "Environmental groups"."""
    words = text.split()
    for i, w in enumerate(words[1:], 1):
        lw = w.lower()
        if lw in AUXILIARIES or lw in IRREGULAR_VERBS or (
            w[:1].islower() and lw.endswith("ed") and lw not in _ED_ADJECTIVES
        ):
            return " ".join(words[:i])
    return None


# ---------------------------------------------------------------- source groups


def _split_coordination(text: str) -> list[str]:
    """"the interior ministry and the national rail company" -> both; but not
    "Ministry of Trade and Industry"."""
    text = re.sub(r"^(?:both|either)\s+", "", text.strip(), flags=re.I)
    parts = re.split(r",?\s+and\s+|,\s+(?=(?:the|a|an)\s)", text)
    if len(parts) < 2:
        return [text]
    for left, right in zip(parts, parts[1:], strict=False):
        right_opens = right.split()[0].lower() if right.split() else ""
        if right_opens in DETERMINERS | QUANTIFIERS | POSSESSIVE_PRONOUNS:
            continue
        if len(left.split()) >= 2 and len(right.split()) >= 2 and not re.search(
            r"\bof\s+[A-Z]", left
        ):
            continue
        return [text]
    return parts


def _node_for(s: str, a: int, b: int) -> list[Node]:
    """Nodes for the noun phrase s[a:b], one per coordinated source."""
    text = s[a:b]
    out: list[Node] = []
    for part in _split_coordination(text):
        mention = parse_mention(part)
        if not _valid_source(mention):
            return []
        assert mention is not None
        out.append(Node(mention, a + max(text.find(part), 0)))
    return out


def _cited_chain(s: str, m: str, a: int, b: int) -> list[tuple[str, int, int]]:
    """Split s[a:b] at citation marks: [(mark, start, end)], the first mark ''."""
    pieces: list[tuple[str, int, int]] = []
    mark, pos = "", a
    for cm in _CITE_MARK.finditer(m, a, b):
        pieces.append((mark, pos, cm.start()))
        mark, pos = cm.group("mark").lower(), cm.end()
    pieces.append((mark, pos, b))
    return pieces


def _first_np(s: str, m: str, a: int, b: int) -> tuple[int, int]:
    """The span of the first comma segment of s[a:b] (a cited source's own phrase)."""
    segs = _segments(m, a, b)
    return segs[0] if segs else (a, b)


def _group(s: str, m: str, a: int, b: int) -> list[Node] | None:
    """Parse a source group: a noun phrase with its appositives, citations and
    relative clauses ("The mayor, Oskar Lind,"; "TASS, citing the press service,")."""
    pieces = _cited_chain(s, m, a, b)
    _, ga, gb = pieces[0]
    roots = _main_nodes(s, m, ga, gb)
    if not roots:
        return None
    last = roots
    for mark, pa, pb in pieces[1:]:
        na, nb = _first_np(s, m, pa, pb)
        cited = _node_for(s, na, nb)
        if not cited:
            continue
        attach_to = last if mark.startswith(("which", "who", "that", "in turn")) else roots
        for node in attach_to:
            node.cited.extend(cited)
        last = cited
    return roots


def _main_nodes(s: str, m: str, a: int, b: int) -> list[Node]:
    nps: list[tuple[int, int]] = []
    for sa, sb in _segments(m, a, b):
        kind = _segment_kind(m[sa:sb])
        if kind == "np":
            nps.append((sa, sb))
        elif kind == "clause" and not nps:
            subject = _subject_of_clause(s[sa:sb])
            if subject:
                nps.append((sa, sa + len(subject)))
    if not nps:
        return []
    if len(nps) == 1:
        return _node_for(s, *nps[0])
    first, second = (_node_for(s, *span) for span in nps[-2:])
    if len(first) != 1 or len(second) != 1:
        return second or first
    one, two = first[0], second[0]
    named, desc = (two, one) if two.mention.named and not one.mention.named else (one, two)
    if not named.mention.named:
        return [two]
    named.mention.descriptor = desc.mention
    if not named.mention.kind and not desc.mention.named:
        label = desc.mention.label
        named.mention.kind = label[:1].lower() + label[1:] if label[1:2].islower() else label
    if named.mention.type == "agent":
        named.mention.type = desc.mention.type
    if desc.mention.parent and not named.mention.parent:
        named.mention.parent = desc.mention.parent
    return [named]


# ------------------------------------------------------------------------ claims


def _quote_content(s: str, span: tuple[int, int]) -> tuple[int, int]:
    a, b = span
    a += 1
    if b - 1 >= a and s[b - 1] in _QUOTE_CHARS:
        b -= 1
    while b > a and s[b - 1] in ",.;: ":
        b -= 1
    return a, b


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (s[a].isspace() or s[a] in ",;:-—–"):
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in ".,;:!?-—–"):
        b -= 1
    if b > a and s[a] in _QUOTE_CHARS and s[b - 1] in _QUOTE_CHARS:
        a, b = a + 1, b - 1
        while b > a and s[b - 1] in ",.;: ":
            b -= 1
    elif b > a and s[b - 1] in _QUOTE_CHARS and s[a:b].count(s[b - 1]) == 1:
        b -= 1
    return a, b


def _np_start(word: str) -> bool:
    lw = word.lower()
    return bool(word) and (
        lw in _NP_OPENERS or word[:1].isupper() or word[:1].isdigit() or word[:1] in OPEN_QUOTES
    )


@dataclass
class _Post:
    claim: tuple[int, int] | None = None
    kind: str = ""  # that | colon | quote | zero | np | paren
    via: Node | None = None
    cites: list[tuple[str, list[Node]]] = field(default_factory=list)


def _parse_post(s: str, m: str, pos: int, lemma: str) -> _Post:
    """What follows a cue: addressee, adverbials, citations, then the claim."""
    cue = CUES[lemma]
    out = _Post()
    end = len(s)
    recipient_done = not cue.recipient
    for _ in range(8):
        rest = m[pos:]
        if not rest.strip(" .!?\"”"):
            return out
        cite = re.match(r",\s*", rest) and _CITE_MARK.match(rest)
        if cite:
            seg_end = _next_comma(m, pos + cite.end())
            na, nb = _first_np(s, m, pos + cite.end(), seg_end)
            out.cites.append((cite.group("mark").lower(), _node_for(s, na, nb)))
            pos = seg_end
            continue
        inter = _INTERVIEW.match(rest.lstrip())
        if inter:
            lead = len(rest) - len(rest.lstrip())
            media = _node_for(s, pos + lead + inter.start("media"), pos + lead + inter.end("media"))
            out.via = out.via or (media[0] if media else None)
            pos += lead + inter.end()
            continue
        adv = _ADVERBIAL.match(rest)
        if adv:
            pos += adv.end()
            continue
        if not recipient_done:
            recipient_done = True
            r = _RECIPIENT.match(rest)
            if r and r.group("r").strip() and r.group("r").split()[0].lower() not in (
                "that", "in", "on", "at"
            ):
                nodes = _node_for(s, pos + r.start("r"), pos + r.end("r"))
                if nodes:
                    out.via = out.via or nodes[0]
                pos += r.end()
                continue
        pp = _PP.match(rest)
        if pp and not re.match(r"\s*(?:that)\b", rest):
            pos += pp.end()
            continue
        break
    return _claim_after(s, m, pos, end, cue.strong, cue.np_object, out, lemma)


def _next_comma(m: str, pos: int) -> int:
    found = re.search(r",\s|;\s|\s(?:that)\s", m[pos:])
    return pos + found.start() if found else len(m)


# Cues whose plain object is a claim only with their preposition: "linked the attack to
# a group", "blamed the delay on", "accused the government of".
_NP_NEEDS = {"link": " to ", "attribute": " to ", "blame": " on | for ", "accuse": " of "}


def _claim_after(
    s: str, m: str, pos: int, end: int, strong: bool, np_object: bool, out: _Post,
    lemma: str = "",
) -> _Post:
    rest = m[pos:end]
    stripped = rest.lstrip()
    at = pos + len(rest) - len(stripped)
    if not stripped.strip(" .!?\"”’"):
        return out
    if re.match(r"(?:whether|if|how|why|what|when)\b|to\s+[a-z]+", stripped):
        return out  # a question, or an infinitive: "promised to publish"
    that = re.match(r",?\s*that\b", stripped)
    if that:
        out.claim, out.kind = _trim(s, at + that.end(), end), "that"
    elif stripped.startswith(":"):
        out.claim, out.kind = _trim(s, at + 1, end), "colon"
    elif stripped[0] in OPEN_QUOTES or re.match(r",\s*[\"“]", stripped):
        out.claim, out.kind = _trim(s, at, end), "quote"
    elif stripped.startswith(","):
        out.claim, out.kind = _trim(s, at + 1, end), "paren"
    else:
        first = stripped.split()[0]
        window = " ".join(stripped.split()[:9])
        if strong and (_np_start(first) or _clause_like(window, cues=False)):
            out.claim, out.kind = _trim(s, at, end), "zero"
        elif (_np_start(first) and _clause_like(window, cues=False)) or _has_aux(window):
            out.claim, out.kind = _trim(s, at, end), "zero"
        elif np_object:
            out.claim, out.kind = _trim(s, at, end), "np"
    if out.claim and out.claim[0] >= out.claim[1]:
        out.claim = None
    needs = _NP_NEEDS.get(lemma)
    if out.claim and needs and not re.search(needs, s[out.claim[0]:out.claim[1]]):
        out.claim = None
    return out


def _split_claims(
    s: str, m: str, claim: tuple[int, int], lemma: str
) -> list[tuple[tuple[int, int], str]]:
    """"said A but cautioned that B" -> [(A, say), (B, caution)]."""
    a, b = claim
    found = _SECOND_CUE.search(m, a, b)
    if not found:
        return [(claim, lemma)]
    if found.group("ing"):
        lemma2 = _ING_LEMMA[found.group("ing")]
    else:
        lemma2 = CUE_FORMS[found.group("cue")]
    post = _claim_after(s, m, found.end(), b, CUES[lemma2].strong, False, _Post())
    if post.claim is None or post.kind not in ("that", "zero", "colon", "quote"):
        return [(claim, lemma)]
    first = _trim(s, a, found.start())
    return [(first, lemma), *_split_claims(s, m, post.claim, lemma2)]


# ----------------------------------------------------------------------- patterns


def _confidence(kind: str, roots: list[Node]) -> float:
    base = {
        "that": 0.9, "colon": 0.9, "quote": 0.9, "according": 0.9, "as-saying": 0.9,
        "final": 0.85, "paren": 0.85, "quote-before": 0.9, "zero": 0.8, "np": 0.7,
    }.get(kind, 0.75)
    if any(n.cited for n in roots):
        base -= 0.05
    if any(n.mention.pronoun or n.mention.definite and not n.mention.named for n in roots):
        base -= 0.05
    return round(base, 2)


def _make(
    s: str,
    m: str,
    roots: list[Node],
    lemma: str,
    claim: list[tuple[int, int]],
    kind: str,
    via: Node | None = None,
    quoted: bool = False,
) -> list[Attribution]:
    claim = [c for c in claim if c[1] > c[0]]
    if not claim or not roots:
        return []
    parts = [(claim[0], lemma)]
    if len(claim) == 1 and kind in ("that", "zero"):
        parts = _split_claims(s, m, claim[0], lemma)
    conf = _confidence(kind, roots)
    out = []
    for i, (span, cue) in enumerate(parts):
        spans = [span] if i or len(claim) == 1 else claim
        is_quote = quoted or _is_whole_quote(s, span)
        out.append(Attribution(roots, cue, spans, is_quote, conf, via, kind))
    return out


def _is_whole_quote(s: str, span: tuple[int, int]) -> bool:
    a, b = span
    return a > 0 and s[a - 1] in _QUOTE_CHARS and (b >= len(s) or s[b:b + 2].strip(",.")[:1]
                                                    in _QUOTE_CHARS or s[b] in _QUOTE_CHARS)


def _as_saying(s: str, m: str, start: int) -> list[Attribution]:
    found = _AS_SAYING.search(m, start)
    if found:
        y = _node_for(s, found.start("y"), found.end("y"))
        xs = _subject_before(s, m, start, found.start())
        if not y or not xs:
            return []
        for x in xs:
            x.cited.extend(y)
        post = _claim_after(s, m, found.end(), len(s), True, False, _Post())
        if post.claim is None:
            return []
        return _make(s, m, xs, "quote", [post.claim], "as-saying", quoted=True)
    passive = _PASSIVE_AS_SAYING.search(m, start)
    if passive:
        ys = _subject_before(s, m, start, passive.start())
        if not ys:
            return []
        roots = ys
        if passive.group("x"):
            xs = _node_for(s, passive.start("x"), passive.end("x"))
            for x in xs:
                x.cited.extend(ys)
            roots = xs or ys
        post = _claim_after(s, m, passive.end(), len(s), True, False, _Post())
        if post.claim is None:
            return []
        return _make(s, m, roots, "quote", [post.claim], "as-saying", quoted=True)
    return []


def _subject_before(s: str, m: str, start: int, pos: int) -> list[Node] | None:
    """The source group that ends at *pos*, after any leading adverbial segments."""
    pre_end = start + len(_strip_tail(m[start:pos]).rstrip())
    segs = _segments(m, start, pre_end)
    if not segs:
        return None
    group_start = _group_start(m, segs, m[start:pre_end].rstrip().endswith(","))
    return _group(s, m, group_start, pre_end)


def _group_start(m: str, segs: list[tuple[int, int]], trailing_comma: bool) -> int:
    """Where the source group begins among the segments before a cue."""
    if not trailing_comma:
        last = segs[-1]
        if _segment_kind(m[last[0]:last[1]]) in ("cite", "relative", "participle", "adverb"):
            trailing_comma = True
        else:
            return last[0]
    nps = 0
    start = segs[-1][0]
    for sa, sb in reversed(segs):
        kind = _segment_kind(m[sa:sb])
        if kind in ("cite", "relative", "participle", "adverb"):
            start = sa
            continue
        if kind == "np" and nps < 2:
            nps += 1
            start = sa
            continue
        break
    return start


def _named_phrase(text: str) -> bool:
    """A short phrase that names someone: "Vesk Lines", "the ministry's Jan Novak"."""
    mention = parse_mention(text)
    return mention is not None and mention.named and len(text.split()) <= 5


def _according_to(s: str, m: str, start: int) -> list[Attribution]:
    found = _ACCORDING.search(m, start)
    if not found:
        return []
    a = found.end()
    segs = _segments(m, a, len(m))
    if not segs:
        return []
    group_end = segs[0][1]
    for k, (sa, sb) in enumerate(segs[1:], 1):
        kind = _segment_kind(m[sa:sb])
        appositive = (
            kind == "np" and k == 1 and k + 1 < len(segs) and _named_phrase(s[sa:sb])
        )
        if (kind in ("cite", "relative") or appositive) and sa - group_end <= 3:
            group_end = sb
        else:
            break
    group_end = min(group_end, len(s.rstrip(" .!?\"”")))
    roots = _group(s, m, a, group_end)
    if not roots:
        return []
    lead = m[start:found.start()].strip(" ,")
    if not lead or lead.lower() in ("but", "and", "yet", "however", "still"):
        claim = [_trim(s, group_end, len(s))]
    else:
        claim = [_trim(s, start, found.start())]
        tail = _trim(s, group_end, len(s))
        if tail[1] > tail[0] and _clause_like(s[tail[0]:tail[1]], loose=True):
            claim.append(tail)
    return _make(s, m, roots, "according to", claim, "according")


_PASSIVE_AUX = frozenset("is are was were be been being am".split())


def _finite_at(m: str, start: int, a: int, b: int) -> bool:
    """Whether the cue word m[a:b] is a finite reporting verb, judging by its
    neighbours: not passive, negated, infinitive, relative, or a noun."""
    before = m[start:a].rstrip()
    prev = before.split()[-1].lower().strip(",") if before.split() else ""
    if prev in _PASSIVE_AUX:
        return False  # passive: "is expected", "was reported"
    if prev in NEGATIONS or prev.endswith("n't") or prev in ("to", "who", "which", "that"):
        return False
    if prev in DETERMINERS | POSSESSIVE_PRONOUNS or prev.endswith(("'s", "’s")):
        return False  # a noun: "the report", "its statement"
    nxt = m[b:].split()[0].lower() if m[b:].split() else ""
    return nxt not in ("from", "of", "by")  # "comments from", "reports of"


def _cue_candidates(m: str, start: int) -> list[re.Match[str]]:
    out = []
    for cm in _CUE_RE.finditer(m, start):
        form = cm.group(0)
        before = m[start:cm.start()].rstrip()
        if not _finite_at(m, start, cm.start(), cm.end()):
            continue
        if form in CUE_PHRASES:
            word, _ = CUE_PHRASES[form]
            if not re.match(rf"\s+(?:it\s+)?{word}\b", m[cm.end():]):
                continue
        if not before and not _after_quote(m, start, cm.start()):
            continue
        out.append(cm)
    return out


def _after_quote(m: str, start: int, pos: int) -> bool:
    return bool(re.search(r"[\"”»][,\s]*$", m[start:pos]))


def _clause_start(s: str, m: str, spans: list[tuple[int, int]], pos: int, start: int) -> int:
    begin = start
    for qa, qb in spans:
        if qb <= pos and qa >= start:
            begin = max(begin, qb)
    semi = m.rfind(";", begin, pos)
    if semi >= 0:
        begin = semi + 1
    while begin < pos and (m[begin].isspace() or m[begin] in ",—–-"):
        begin += 1
    return begin


def _quote_before(spans: list[tuple[int, int]], start: int, pos: int) -> tuple[int, int] | None:
    before = [sp for sp in spans if sp[1] <= pos and sp[0] >= start]
    return before[-1] if before else None


def _cue_verbs(s: str, m: str, spans: list[tuple[int, int]], start: int) -> list[Attribution]:
    for cm in _cue_candidates(m, start):
        found = _attribution_at(s, m, spans, cm, start)
        if found:
            return found
    return []


def _attribution_at(
    s: str, m: str, spans: list[tuple[int, int]], cm: re.Match[str], start: int
) -> list[Attribution]:
    form = cm.group(0)
    lemma = CUE_FORMS[form]
    cue_end = cm.end()
    if form in CUE_PHRASES:
        lemma = CUE_PHRASES[form][1]
        cue_end = re.match(r"\s+(?:it\s+)?\w+", m[cue_end:]).end() + cue_end  # type: ignore[union-attr]
    clause = _clause_start(s, m, spans, cm.start(), start)
    pre_raw = m[clause:cm.start()]
    pre_end = clause + len(_strip_tail(pre_raw).rstrip())
    pre = m[clause:pre_end]
    quote = _quote_before(spans, start, cm.start())
    segs = _segments(m, clause, pre_end)
    trailing = pre.rstrip().endswith(",")
    last_kind = _segment_kind(m[segs[-1][0]:segs[-1][1]]) if segs else ""
    if not segs or (trailing and last_kind == "clause"):
        return _inverted(s, m, clause, cm, cue_end, lemma, quote)
    group_start = _group_start(m, segs, trailing)
    roots = _group(s, m, group_start, pre_end)
    if not roots:
        return []
    if not cm.group(0).endswith(("s", "ed", "id", "ld", "ote", "ound", "ght")) and not roots[
        0
    ].mention.plural and len(roots) == 1 and not re.match(r"\s+that\b", m[cue_end:]):
        if roots[0].mention.pronoun not in ("they", "we", "i", "you"):
            return []  # base form after a singular subject: not a finite verb
    post = _parse_post(s, m, cue_end, lemma)
    prefix_end = group_start
    prefix = m[clause:prefix_end].strip(" ,")
    via = post.via
    inter = _INTERVIEW.search(m, clause, max(prefix_end, clause))
    if inter and via is None:
        media = _node_for(s, inter.start("media"), inter.end("media"))
        via = media[0] if media else None
    _attach_cites(roots, _leading_cites(s, m, clause, group_start) + post.cites)
    if post.claim is not None and post.kind != "paren":
        is_quote = post.kind in ("quote", "colon") and _is_whole_quote(s, post.claim)
        return _make(s, m, roots, lemma, [post.claim], post.kind, via, is_quote)
    if quote is not None and quote[1] <= clause + 2:
        return _make(s, m, roots, lemma, [_quote_content(s, quote)], "quote-before", via, True)
    if prefix and group_start > clause:
        claim = [_trim(s, clause, group_start)]
        if post.kind == "paren" and post.claim:
            claim.append(post.claim)
        text = " ".join(s[a:b] for a, b in claim)
        if _clause_like(text, loose=True):
            kind = "paren" if len(claim) > 1 else "final"
            return _make(s, m, roots, lemma, claim, kind, via)
    return []


def _leading_cites(s: str, m: str, a: int, b: int) -> list[tuple[str, list[Node]]]:
    """"Citing local media, the agency reported ...": citations before the source."""
    out: list[tuple[str, list[Node]]] = []
    for sa, sb in _segments(m, a, b):
        found = _CITE_MARK.match(" " + m[sa:sb])
        if found:
            start = sa + found.end() - 1
            out.append((found.group("mark").lower(), _node_for(s, start, sb)))
    return out


def _attach_cites(roots: list[Node], cites: list[tuple[str, list[Node]]]) -> None:
    last = roots
    for mark, nodes in cites:
        if not nodes:
            continue
        target = last if mark.startswith(("which", "who", "that", "in turn")) else roots
        for node in target:
            node.cited.extend(nodes)
        last = nodes


def _inverted(
    s: str,
    m: str,
    clause: int,
    cm: re.Match[str],
    cue_end: int,
    lemma: str,
    quote: tuple[int, int] | None,
) -> list[Attribution]:
    """'"...," said Marta Kell, who leads ...' and "..., said a person present"."""
    rest_end = len(s.rstrip(" .!?\"”"))
    segs = _segments(m, cue_end, rest_end)
    if not segs:
        return []
    group_end = segs[0][1]
    for sa, sb in segs[1:]:
        if _segment_kind(m[sa:sb]) in ("np", "cite", "relative", "participle"):
            group_end = sb
        else:
            break
    roots = _group(s, m, segs[0][0], group_end)
    if not roots:
        return []
    if quote is not None and quote[1] <= cm.start() and quote[1] >= clause - 3:
        return _make(s, m, roots, lemma, [_quote_content(s, quote)], "quote-before", None, True)
    claim = _trim(s, clause, cm.start())
    if claim[1] > claim[0] and _clause_like(s[claim[0]:claim[1]], loose=True):
        return _make(s, m, roots, lemma, [claim], "final")
    return []


_FINAL = re.compile(
    r",\s+(?P<src>[^,;\x00\"“”]{1,90}?)\s+(?P<cue>"
    + "|".join(sorted(CUE_FORMS, key=len, reverse=True))
    + r")\b(?P<tail>[^,;\x00]{0,60}?)(?P<cites>,\s+(?:citing|quoting|which|who|that|in\s+turn)"
    r"[^;]*?)?\s*[.!?]?[\"”’]?\s*$"
)


def _sentence_final(s: str, m: str, start: int) -> list[Attribution]:
    """"<claim>, the ministry said on Monday." with nothing after but times, places,
    an addressee and citations."""
    found = _FINAL.search(m, start)
    if not found or not _finite_at(m, start, found.start("cue"), found.end("cue")):
        return []
    lemma = CUE_FORMS[found.group("cue")]
    claim = _trim(s, start, found.start())
    if claim[1] <= claim[0] or not _clause_like(s[claim[0]:claim[1]], loose=True):
        return []
    post = _parse_post(s, m, found.end("cue"), lemma)
    if post.claim is not None:
        return []
    src_a = found.start("src")
    src_b = src_a + len(_strip_tail(m[src_a:found.start("cue")]).rstrip())
    roots = _group(s, m, src_a, src_b)
    if not roots:
        return []
    _attach_cites(roots, post.cites)
    return _make(s, m, roots, lemma, [claim], "final", post.via)


# -------------------------------------------------------------------------- public


_PASSIVE_BY = re.compile(
    r"\s(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+(?:also\s+)?"
    r"(?P<cue>confirmed|reported|announced|denied|disclosed|revealed|stated|predicted|"
    r"estimated|forecast|projected|described|claimed|alleged)\s+by\s+"
)
_RELATIVE_CUE = re.compile(
    r",\s+(?:which|who)\s+(?:also\s+|later\s+)?(?P<cue>"
    + "|".join(_PAST_FORMS) + r"|says|adds|warns|claims)\b"
)


def _passive_by(s: str, m: str, start: int) -> list[Attribution]:
    """"The job cuts were confirmed by the union, which said it would fight them"."""
    found = _PASSIVE_BY.search(m, start)
    if not found:
        return []
    rest = _segments(m, found.end(), len(s.rstrip(" .!?\"”")))
    if not rest:
        return []
    ga, gb = rest[0]
    roots = _node_for(s, ga, gb)
    claim = _trim(s, start, found.start())
    if not roots or claim[1] <= claim[0]:
        return []
    lemma = CUE_FORMS.get(found.group("cue"), "report")
    out = _make(s, m, roots, lemma, [claim], "passive")
    relative = _RELATIVE_CUE.match(m, gb)
    if relative:
        second = CUE_FORMS.get(relative.group("cue"), "say")
        post = _claim_after(s, m, relative.end(), len(s), True, False, _Post())
        if post.claim is not None:
            out += _make(s, m, roots, second, [post.claim], post.kind or "zero")
    return out


_CALLED = re.compile(
    r"\b(?P<cue>called|calls|described|describes|dismissed|dismisses|branded|brands|"
    r"labelled|labeled|labels|termed)\s+(?P<obj>[^,;\x00\"“]{1,80}?)\s+(?:as\s+)?"
    r"(?P<q>[\"“])"
)
_CALLED_LEMMA = {"call": "call", "describ": "describe", "dismiss": "dismiss", "brand": "brand",
                 "label": "label", "term": "term"}


def _called(s: str, m: str, start: int) -> list[Attribution]:
    """ "Passenger groups called the increase "unacceptable"": an opinion quoted."""
    found = _CALLED.search(m, start)
    if not found or not _finite_at(m, start, found.start("cue"), found.end("cue")):
        return []
    roots = _subject_before(s, m, start, found.start("cue"))
    if not roots:
        return []
    word = found.group("cue")
    lemma = next(v for k, v in _CALLED_LEMMA.items() if word.startswith(k))
    claim = _trim(s, found.start("obj"), len(s))
    return _make(s, m, roots, lemma, [claim], "np")


def analyse(sentence: str, start: int = 0) -> list[Attribution]:
    """The attributions of one sentence (usually one; two when a second cue follows:
    "said A but cautioned that B"). *start* skips a dateline.

    Examples
    --------
    >>> [a.cue for a in analyse("The ministry said that the bridge will reopen.")]
    ['say']
    >>> analyse("The bridge will reopen in May.")
    []
    """
    spans = quote_spans(sentence)
    masked = mask_quotes(sentence, spans)
    for finder in (_as_saying, _according_to, _sentence_final, _passive_by, _called):
        found = finder(sentence, masked, start)
        if found:
            return found
    return _cue_verbs(sentence, masked, spans, start)


def backward(sentence: str) -> Backward | None:
    """ "These points were outlined in the foreign ministry statement ...": the source
    and whether it covers several sentences before (plural) or one."""
    found = _BACKWARD.match(sentence)
    if not found:
        return None
    det = found.group("det") or found.group("det2") or ""
    noun = found.group("noun") or ""
    if det == "The" and not noun:
        return None
    group = "np" if found.group("np") else "np2"
    a, b = found.start(group), found.end(group)
    nodes = _node_for(sentence, a, b)
    if len(nodes) != 1:
        return None
    plural = det in ("These", "Those", "Both", "All") or noun.endswith("s")
    verb = (found.group("verb") or "").lower()
    cue = _BACKWARD_LEMMAS.get(verb, verb) if verb else "according to"
    return Backward(nodes[0], plural, cue)


def is_bare_quote(sentence: str) -> bool:
    """A sentence that is nothing but a quotation (a speaker's next sentence)."""
    text = sentence.strip()
    if not text or text[0] not in OPEN_QUOTES:
        return False
    spans = quote_spans(text)
    return len(spans) == 1 and not text[spans[0][1]:].strip(" .!?,")
