"""Sources: from a noun phrase to a mention, and from mentions to one source each.

:func:`parse_mention` reads one noun phrase ("the Russian news agency TASS", "a senior
European official", "Lead author Sanna Virta of Tessel University") into a
:class:`Mention`: its label, type, kind, anonymity, affiliation, and whether it is a
pronoun or a definite description that points back to something named earlier.

:class:`SourceRegistry` turns the mentions of one document into sources, so that the
same source named in different words is one source: "the Russian news agency TASS"
and "TASS"; "Ministry of Foreign Affairs" and "the foreign ministry"; "his lawyer" and,
a sentence later, "The lawyer, Ines Moor". It keeps every wording as an alias.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..vocab import slugify
from .lexicon import (
    COMPANY_WORDS,
    DETERMINERS,
    DOCUMENT_ADJECTIVES,
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    KNOWN_MEDIA,
    MEDIA_KIND_NOUNS,
    MEDIA_NOUNS,
    NATIONALITY_SUFFIXES,
    ORG_NOUNS,
    ORG_PRONOUNS,
    PARTICIPLE_CUTS,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    PLURAL_PRONOUNS,
    POSSESSIVE_PRONOUNS,
    PREPOSITIONS,
    QUANTIFIERS,
    SPOKES_NOUNS,
    TIME_WORDS,
    TITLE_WORDS,
)

__all__ = [
    "Mention",
    "Source",
    "SourceRegistry",
    "parse_mention",
    "normalise_label",
    "clear_caches",
]

SourceType = str  # "person" | "organization" | "agent"

_POSTMODIFIER_ADJECTIVES = frozenset(
    """
    close familiar present knowledgeable briefed involved linked loyal opposed
    responsible based working speaking aware privy near
    """.split()
)
_GENERIC_ORG_HEADS = frozenset(
    """
    company firm group business corporation conglomerate carmaker airline lender insurer
    retailer manufacturer operator club producer developer chain
    """.split()
)
_SENTENCE_OPENERS = frozenset(
    "in on at during after before since for from with by as but and meanwhile however "
    "separately earlier later last this according".split()
)
_PUBLIC_BODY_WORDS = frozenset(
    """
    ministry government office agency authority council court police parliament
    commission committee department bureau institute army navy
    """.split()
)
_MEDIA_DESCRIPTIONS = frozenset(
    """
    newspaper paper daily weekly broadcaster agency channel station outlet magazine
    tabloid network website
    """.split()
)
# First halves of compound document nouns, which name no author: "charge sheet".
_COMPOUND_DOC_WORDS = frozenset(
    "charge fact press news policy position white green research background court-".split()
)
_TIME_OPENERS = frozenset("last this earlier later today yesterday ''".split()) | {""}
_STOP = DETERMINERS | QUANTIFIERS | {"same", "one", "of", "for", "at", "in", "on", "and"}
_LEADING = DETERMINERS | QUANTIFIERS | {"same"}
_NAME_LEXICON = PERSON_NOUNS | GROUP_NOUNS | ORG_NOUNS | MEDIA_KIND_NOUNS | DOCUMENT_NOUNS
_PRONOUNS = PERSON_PRONOUNS | ORG_PRONOUNS | PLURAL_PRONOUNS | {"we", "i"}
_NON_AUTHOR = DOCUMENT_ADJECTIVES | _COMPOUND_DOC_WORDS
_DASHES = re.compile(r"\s+(?:--|—|–|-)\s+")
_LEAD_CONJ = re.compile(r"^(?:and|but|or|while|as|so|then)\s+", re.I)
_TRAIL_QUANT = re.compile(r"\s+(?:each|both|all|themselves|itself|alike|too)$", re.I)
_POSSESSIVE_END = re.compile(r"(?:'s|’s|'|’)$")
_PART_OF = re.compile(
    r"^(?:one|two|three|four|some|both|each|either|neither|none|all|many|several|most|"
    r"another)\s+of\s+(?P<group>(?:the|those|these|them)\b.*)$",
    re.I,
)
_CUT_CLAUSE = re.compile(
    r"\s+(?:who|whom|whose|which|where|when|while|whereas|because|although|after|"
    r"as|if|than)\b.*$",
    re.S,
)
_AFFILIATION = re.compile(
    r"^(?P<person>.*?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+)\s+(?:of|at|from|with)\s+"
    r"(?:the\s+)?(?P<org>[A-Z].*)$"
)
_SPOKES_AFTER = re.compile(
    r"^(?P<role>" + "|".join(SPOKES_NOUNS) + r")\s+(?:for|of|at|from)\s+(?P<org>.+)$", re.I
)
_SPOKES_BEFORE = re.compile(r"^(?P<org>.+?)\s+(?P<role>" + "|".join(SPOKES_NOUNS) + r")$", re.I)
_DOC_FROM = re.compile(
    r"^(?P<doc>(?:[\w’'-]+\s+){0,3}?(?P<noun>[\w-]+))\s+"
    r"(?:(?:issued|released|published|prepared|written|signed|sent|posted|compiled|"
    r"commissioned|conducted|carried out|seen|obtained|reviewed|viewed|examined)\s+)?"
    r"(?:from|by|of)\s+(?P<author>.+)$",
    re.I,
)
_POSSESSIVE = re.compile(r"^(?P<owner>.+?)(?:'s|’s|'|’)\s+(?P<rest>.+)$")
_NAME_TOKEN = re.compile(r"^(?:Mc|Mac|O')?[A-Z][a-zà-ÿ]+(?:[-’'][A-Za-z][a-zà-ÿ]*)*$")
_ACRONYM = re.compile(r"^(?:[A-Z]{2,}|(?:[A-Z]\.){2,})[a-z]?$")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=8192)
def normalise_label(text: str) -> str:
    """Lower case, ASCII, no possessive "'s", no punctuation, no leading article.

    >>> normalise_label("the Russian News-Agency’s")
    'russian news agency'
    """
    t = _ascii(text.replace("’", "'")).lower()
    t = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", t)
    words = re.sub(r"[^a-z0-9]+", " ", t).split()
    while words and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


_IRREGULAR_PLURALS = {"people": "person", "men": "man", "women": "woman", "media": "media"}


def _singular(word: str) -> str:
    w = word.lower()
    if w in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[w]
    if w.endswith(("sses", "ches", "shes", "xes", "zes")) and len(w) > 5:
        return w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def _stem(word: str) -> str:
    w = _singular(word)
    for suffix in ("ion", "ors", "ers", "or", "er", "ing", "ive", "al"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def _in(word: str, table: frozenset[str]) -> bool:
    w = word.lower().strip(".,;:")
    return w in table or _singular(w) in table


@lru_cache(maxsize=8192)
def _content_words(text: str) -> frozenset[str]:
    return frozenset(_singular(w) for w in normalise_label(text).split() if w not in _STOP)


def _is_name_token(word: str) -> bool:
    lw = word.lower().rstrip(".")
    if lw in TITLE_WORDS or lw in TIME_WORDS:
        return False
    if _in(word, ORG_NOUNS) or _in(word, MEDIA_NOUNS):
        return False
    return bool(_NAME_TOKEN.match(word.rstrip(",")))


@dataclass
class Mention:
    """One noun phrase that names (or points to) a source.

    Attributes
    ----------
    text:
        The phrase as written, cleaned of leading articles and trailing clauses.
    label:
        What the source would be called if this mention introduces it.
    type:
        ``person``, ``organization`` or ``agent`` (unknown).
    kind:
        A descriptor: "news agency", "deputy minister".
    anonymous:
        Unnamed people or groups: "officials", "a senior European official".
    named:
        Whether the label is a proper name.
    definite:
        A definite description that may point back ("the ministry", "his lawyer").
    pronoun:
        The pronoun, if the mention is one.
    parent:
        The organisation this source speaks for ("spokesperson for the ministry").
    media:
        Whether this is a news outlet.
    plural:
        Whether the phrase is plural ("officials", "reports").
    descriptor:
        For "The lawyer, Ines Moor": the description that may match an earlier source.
    document:
        For "the annual report" with no author: the document phrase.
    authored:
        True when the mention is the author of a document ("the government briefing").
    doc_noun:
        The document noun ("report") of an authored mention or of a bare document.
    """

    text: str
    label: str
    type: SourceType = "agent"
    kind: str | None = None
    anonymous: bool = False
    named: bool = False
    definite: bool = False
    pronoun: str | None = None
    parent: Mention | None = None
    media: bool = False
    plural: bool = False
    descriptor: Mention | None = None
    document: str | None = None
    head: str = ""
    authored: bool = False
    doc_noun: str | None = None

    @property
    def words(self) -> frozenset[str]:
        extra = self.kind or ""
        return _content_words(f"{self.label} {extra}")


def _clean_np(text: str) -> str:
    t = text.strip().strip(",;:.\"“”'‘ \x00")
    t = _DASHES.split(t)[-1]
    t = _LEAD_CONJ.sub("", t)
    t = _CUT_CLAUSE.sub("", t)
    words = t.split()
    for i, w in enumerate(words):
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        opens_modifier = following in PREPOSITIONS or following in _TIME_OPENERS
        if i >= 1 and w.lower() in PARTICIPLE_CUTS and opens_modifier and following != "by":
            t = " ".join(words[:i])
            break
    t = _TRAIL_QUANT.sub("", t)
    return t.strip().strip(",;:.")


def _strip_determiners(words: list[str]) -> tuple[list[str], bool, bool]:
    """Drop leading articles and quantifiers; report (definite, indefinite)."""
    definite = indefinite = False
    while words:
        lw = words[0].lower()
        if lw in ("the", "this", "that", "these", "those") or lw in POSSESSIVE_PRONOUNS:
            definite = True
        elif lw in ("a", "an", "one", "another", "some", "several", "many", "various"):
            indefinite = True
        elif lw in QUANTIFIERS or lw == "same":
            pass
        else:
            break
        words = words[1:]
    if words and words[0].lower() == "same":
        definite = True
        words = words[1:]
    return words, definite, indefinite


def _descriptor_and_name(words: list[str]) -> tuple[list[str], list[str]] | None:
    """Split "news agency TASS" into (["news", "agency"], ["TASS"])."""
    last_lower = max((i for i, w in enumerate(words) if w[:1].islower()), default=-1)
    if last_lower < 0 or last_lower == len(words) - 1:
        return None
    noun = words[last_lower].lower()
    desc = [w.lower() for w in words[: last_lower + 1]]
    if any(w in PREPOSITIONS or w in ("of", "and", "for") for w in desc):
        return None  # "researchers at the firm Blackline": the name is in a modifier
    tail = words[last_lower + 1 :]
    if not all(w[:1].isupper() or w[:1].isdigit() for w in tail):
        return None
    kind_noun = _in(noun, MEDIA_KIND_NOUNS) or _in(noun, ORG_NOUNS) or _in(noun, PERSON_NOUNS)
    if not kind_noun and not _org_like(tail):
        return None  # "the opposition Democratic Alliance" splits; a bare word does not
    return words[: last_lower + 1], tail


def _person_name(words: list[str]) -> tuple[list[str], list[str]] | None:
    """Split "Deputy Minister Ilona Varga" into (title, name), if it ends in a name."""
    j = len(words)
    while j > 0 and _is_name_token(words[j - 1]):
        j -= 1
    run = words[j:]
    if not run or len(run) > 3:
        return None
    before = words[:j]
    if before and before[-1].lower() in ("of", "for", "in", "at", "from"):
        return None  # "the mayor of Dunmore": a role and a place, not a name
    titled = bool(before) and before[-1].lower().rstrip(".") in TITLE_WORDS
    if len(run) >= 2 and (not before or titled or all(w[:1].islower() for w in before)):
        return before, run
    if len(run) == 1 and titled:
        return before, run
    return None


def _org_like(words: list[str]) -> bool:
    return any(
        _in(w, ORG_NOUNS) or _in(w, MEDIA_NOUNS) or _ACRONYM.match(w)
        or (w[:1].isupper() and w.lower().strip(".,") in COMPANY_WORDS)
        for w in words
    )


def _media_like(words: list[str], kind: str | None) -> bool:
    if kind and any(_in(w, MEDIA_KIND_NOUNS) for w in kind.split()):
        return True
    for w in words:
        lw = w.lower().strip(".,")
        if lw in KNOWN_MEDIA:
            return True
        if w[:1].isupper() and lw in MEDIA_NOUNS and lw != "agency":
            return True
    if len(words) == 1 and words[0][:1].isupper():
        lw = words[0].lower()
        return any(lw.endswith(s) and len(lw) > len(s) + 2 for s in ("wire", "press", "news"))
    return "News" in words and "Agency" in words


def parse_mention(phrase: str, *, documents: bool = True) -> Mention | None:
    """Read a noun phrase into a :class:`Mention`, or None if it names nobody.

    Examples
    --------
    >>> m = parse_mention("the Russian news agency TASS")
    >>> (m.label, m.kind, m.type, m.media)
    ('TASS', 'news agency', 'organization', True)
    >>> m = parse_mention("a senior European official")
    >>> (m.label, m.type, m.anonymous)
    ('senior European official', 'person', True)
    """
    found = _parse_cached(phrase, documents)
    return copy.copy(found) if found is not None else None


@lru_cache(maxsize=4096)
def _parse_cached(phrase: str, documents: bool) -> Mention | None:
    text = _clean_np(phrase)
    if not text:
        return None
    words = text.split()
    if len(words) > 14:
        return None
    low = words[0].lower()
    if len(words) == 1 and low in _PRONOUNS:
        return Mention(text=text, label=text, pronoun=low)
    part = _PART_OF.match(text)
    if part:
        group = part.group("group")
        if group.lower() == "them":
            return Mention(text=text, label=text, pronoun="they")
        inner = parse_mention(group, documents=documents)
        if inner is not None:
            inner.definite = True
        return inner
    doc = _document_author(text) if documents else None
    if doc is not None:
        return doc
    if low in POSSESSIVE_PRONOUNS and len(words) > 1:
        inner = parse_mention(" ".join(words[1:]))
        if inner is None:
            return None
        inner.definite = True
        return inner
    core, definite, indefinite = _strip_determiners(words)
    if not core:
        return None
    spokes = _spokes(core)
    if spokes is not None:
        spokes.definite = definite
        return spokes
    return _plain_mention(core, definite, indefinite)


def _spokes(core: list[str]) -> Mention | None:
    joined = " ".join(core)
    m = _SPOKES_AFTER.match(joined) or _SPOKES_BEFORE.match(joined)
    if not m:
        return None
    parent = parse_mention(m.group("org"))
    if parent is None or parent.pronoun and parent.pronoun not in ORG_PRONOUNS:
        return None
    if not parent.named and len(m.group("org").split()) == 1:
        parent.definite = True  # "a ministry spokeswoman": the ministry named before
    role = m.group("role").lower()
    is_office = role.startswith("press ") and role != "press secretary"
    return Mention(
        text=joined,
        label=joined,
        named=is_office and parent.named,
        type="organization" if is_office else "person",
        kind=role,
        parent=parent,
        head=role.split()[-1],
        plural=role.endswith(("people", "men", "women")),
    )


def _adjective_like(word: str, following: str | None) -> bool:
    """Nationalities and country acronyms before a common noun: "European", "US"."""
    if following is None or not following[:1].islower():
        return False
    lw = word.lower().rstrip(".")
    if len(lw) <= 4 and word.replace(".", "").isupper():
        return True
    return lw.endswith(NATIONALITY_SUFFIXES) and not _in(lw, ORG_NOUNS)


def _pre_head(core: list[str]) -> list[str]:
    """The words before the first post-modifier; "of" inside a name ("Ministry of
    Foreign Affairs") does not end it."""
    out: list[str] = []
    for i, w in enumerate(core):
        lw = w.lower()
        nxt = core[i + 1] if i + 1 < len(core) else ""
        if out and lw in ("of", "for") and nxt[:1].isupper() and out[-1][:1].isupper():
            out.append(w)
            continue
        if out and (lw in PREPOSITIONS or lw in _POSTMODIFIER_ADJECTIVES or lw == "of"):
            break
        out.append(w)
    return out


def _has_proper_name(core: list[str]) -> bool:
    words = _pre_head(core)
    lexicon = _NAME_LEXICON
    for i, w in enumerate(words):
        if not w[:1].isupper() or w.lower() in ("of", "for", "the", "and"):
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        if i == 0 and ((nxt is not None and nxt[:1].islower()) or _in(w, lexicon)):
            continue  # capitalised only because it opens the sentence
        if _adjective_like(w, nxt):
            continue
        return True
    return False


def _plain_mention(core: list[str], definite: bool, indefinite: bool) -> Mention:
    joined = " ".join(core)
    aff = _AFFILIATION.match(joined)
    if aff and _person_name(aff.group("person").split()):
        core = aff.group("person").split()
        joined = " ".join(core)
    person = _person_name(core)
    if person is not None and not _org_like(person[1]):
        title, name = person
        kind = " ".join(title).lower().rstrip(".") or None
        if kind in ("dr", "mr", "mrs", "ms", "prof"):
            kind = None
        return Mention(
            text=joined, label=" ".join(name), type="person", kind=kind, named=True,
            head=_singular(name[-1]),
        )
    split = _descriptor_and_name(core)
    if split is not None:
        desc, name = split
        kind = " ".join(w for w in desc if w[:1].islower()) or None
        person_kind = _in(desc[-1], PERSON_NOUNS) and not _in(desc[-1], ORG_NOUNS)
        return Mention(
            text=joined, label=" ".join(name), named=True, kind=kind,
            type="person" if person_kind else "organization",
            media=_media_like(name, kind), head=_singular(name[-1]),
        )
    head_word = _head_word(core)
    head = _singular(head_word)
    named = _has_proper_name(core)
    if _in(head, ORG_NOUNS) or _org_like([head_word]) or (named and _org_like(_pre_head(core))):
        typ = "organization"
    elif _in(head, PERSON_NOUNS):
        typ = "person"
    else:
        typ = "agent"
    plural = head != head_word.lower() or head_word.lower() in GROUP_NOUNS
    if typ == "organization":
        anonymous = not named and plural and not definite
    else:
        anonymous = not named and (plural or indefinite)
    return Mention(
        text=joined, label=joined, type=typ, named=named, definite=definite,
        anonymous=anonymous, media=_media_like(core, None), plural=plural, head=head,
    )


def _head_word(core: list[str]) -> str:
    words = _pre_head(core)
    out = words[-1] if words else core[-1]
    lowered = [w.lower() for w in words]
    if "of" in lowered[1:]:
        out = words[lowered.index("of", 1) - 1]
    return _POSSESSIVE_END.sub("", out)


def _document_author(text: str) -> Mention | None:
    """"Reports from X", "X's statement", "the X briefing": the mention of the author."""
    m = _DOC_FROM.match(text)
    if m and _in(m.group("noun"), DOCUMENT_NOUNS):
        author = parse_mention(m.group("author"))
        if author is not None:
            author.plural = author.plural or m.group("noun").lower().endswith("s")
            author.authored = True
            author.doc_noun = _singular(m.group("noun"))
        return author
    words = text.split()
    if not words or not _in(words[-1], DOCUMENT_NOUNS) or words[-1][:1].isupper():
        return None  # a capitalised "Post" or "Review" ends a name, not a document
    m = _POSSESSIVE.match(text)
    if m and len(m.group("rest").split()) <= 4:
        author = parse_mention(m.group("owner"), documents=False)
        if author is not None:
            author.definite = True
            author.authored = True
            author.doc_noun = _singular(words[-1])
        return author
    if words[0].lower() in POSSESSIVE_PRONOUNS:
        return Mention(text=words[0], label=words[0], pronoun=words[0].lower(), authored=True,
                       doc_noun=_singular(words[-1]))
    core, definite, _ = _strip_determiners(words[:-1])
    mods = [w for w in core if w.lower() not in _NON_AUTHOR]
    if not mods:
        return Mention(text=text, label=text, document=text, head=_singular(words[-1]),
                       definite=definite, doc_noun=_singular(words[-1]))
    author = parse_mention(("the " if definite else "") + " ".join(mods), documents=False)
    if author is not None:
        # "a ministry statement" is still the ministry named before
        author.definite = author.definite or definite or not author.named
        author.authored = True
        author.doc_noun = _singular(words[-1])
    return author


# --------------------------------------------------------------------------- registry


@dataclass
class Source:
    """One source of a document, with every wording it was named by."""

    key: int
    label: str
    type: SourceType
    kind: str | None = None
    anonymous: bool = False
    named: bool = False
    media: bool = False
    plural: bool = False
    head: str = ""
    parent: Source | None = None
    publisher: bool = False
    last_seen: int = -1
    aliases: list[str] = field(default_factory=list)

    @property
    def words(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for text in [self.label, self.kind or "", *self.aliases]:
            out |= _content_words(text)
        return out


@dataclass
class Entity:
    """A capitalised name seen in the text, which a later description may point to."""

    label: str
    position: int
    type: SourceType
    media: bool
    words: frozenset[str]


_ENTITY = re.compile(
    r"(?<![\w’'])(?:[A-Z][\w’'&.-]*)(?:\s+(?:(?:of|for|and|de|du|van|von|the)\s+)*"
    r"[A-Z][\w’'&.-]*)*"
)


_PLACE_WORDS = frozenset(
    "port fort mount mt saint st lake new north south east west upper lower san santa "
    "city cape bay river".split()
)


def find_entities(text: str, spans: list[tuple[int, int]]) -> list[Entity]:
    """Organisations and people named in *text* (capitalised word sequences), looked
    for within each sentence span (start, end)."""
    out: list[Entity] = []
    for a, b in spans:
        for m in _ENTITY.finditer(text, a, b):
            phrase = re.sub(r"(?:'s|’s|'|’)$", "", m.group(0).rstrip("."))
            start = m.start()
            words = phrase.split()
            while words and words[0].lower() in DETERMINERS | _SENTENCE_OPENERS:
                start += len(words[0]) + 1
                words = words[1:]
            if not words:
                continue
            mention = _plain_mention(words, False, False)
            if not mention.named:
                continue
            multiword_name = mention.type == "agent" and len(words) >= 2
            if mention.type == "organization" or mention.media or multiword_name:
                out.append(Entity(mention.label, start, "organization", mention.media,
                                  _content_words(mention.label)))
            elif mention.type == "person" and words[0].lower() not in _PLACE_WORDS:
                out.append(Entity(mention.label, start, "person", False,
                                  _content_words(mention.label)))
    return out


def clear_caches() -> None:
    """Empty the phrase caches (for benchmarks that must not reuse earlier work)."""
    normalise_label.cache_clear()
    _content_words.cache_clear()
    _parse_cached.cache_clear()


class SourceRegistry:
    """The sources of one document, resolved mention by mention in reading order.

    Parameters
    ----------
    text:
        The whole document (to recover a fuller name for "the prosecutors").
    publisher:
        The publisher's source id; a mention of the publisher is its own voice.
    entities:
        Capitalised names found in the text, for descriptions and pronouns that point
        to an organisation named but not yet quoted.
    """

    def __init__(self, text: str, publisher: str, entities: list[Entity]):
        self.text = text
        self.sources: list[Source] = []
        self.entities = entities
        self.documents: list[tuple[str, Source, int]] = []  # (noun, author, position)
        self.publisher = self._new(
            Mention(text=publisher, label=publisher.replace("-", " "), type="organization"),
            -1,
        )
        self.publisher.publisher = True
        self.publisher_id = publisher
        words = [re.escape(w) for w in publisher.split("-") if w]
        named = re.search(r"\b" + r"[\s-]+".join(words) + r"\b", text, re.I) if words else None
        if named and named.group(0)[:1].isupper():
            self.publisher.label = named.group(0)
            self.publisher.named = True
            self.publisher.media = _media_like(named.group(0).split(), None)

    # -- public -------------------------------------------------------------------

    def resolve(self, mention: Mention, position: int) -> Source | None:
        """The source *mention* names, creating it if it is new; None for a pronoun or
        description that points to nothing."""
        if mention.document:
            return self._document_author(mention, position)
        source = self._find(mention, position)
        if source is None:
            if mention.pronoun or (mention.definite and mention.head in _MEDIA_DESCRIPTIONS
                                   and not mention.named):
                return None
            source = self._new(mention, position)
        else:
            self._merge(source, mention)
        source.last_seen = max(source.last_seen, position)
        if mention.doc_noun:
            self.documents.append((mention.doc_noun, source, position))
        if mention.parent is not None and source.parent is None and not mention.pronoun:
            parent = self._resolve_parent(mention.parent, position)
            if parent is not None and parent is not source:
                source.parent = parent
        return source

    def _document_author(self, mention: Mention, position: int) -> Source | None:
        """The author of "the report" when a report by someone was mentioned before."""
        if not mention.definite:
            return None
        for noun, source, where in reversed(self.documents):
            if noun == mention.doc_noun and where < position:
                source.last_seen = max(source.last_seen, position)
                return source
        return None

    def is_media(self, mention: Mention, position: int) -> bool:
        """Whether *mention* is a news outlet (named as one or known as one)."""
        if mention.media:
            return True
        found = self._find(mention, position) if (mention.definite or mention.named) else None
        return bool(found and found.media)

    # -- lookup ---------------------------------------------------------------------

    def _find(self, m: Mention, position: int) -> Source | None:
        if m.pronoun:
            return self._by_pronoun(m.pronoun, position)
        if slugify(m.label) == self.publisher_id:
            return self.publisher
        key = normalise_label(m.label)
        for s in reversed(self.sources):
            if key and any(normalise_label(a) == key for a in [s.label, *s.aliases]):
                return s
        if m.named:
            found = self._by_name(m)
            if found is not None:
                return found
        if m.descriptor is not None and m.descriptor.definite:
            found = self._by_description(m.descriptor, position, unnamed_only=True)
            if found is not None:
                return found
        if m.definite and not m.named:
            return self._by_description(m, position)
        return None

    def _by_pronoun(self, pronoun: str, position: int) -> Source | None:
        want: tuple[str, ...]
        if pronoun in PERSON_PRONOUNS:
            want = ("person",)
        elif pronoun in ORG_PRONOUNS:
            want = ("organization",)
        else:
            want = ("organization", "person", "agent")
        best: Source | None = None
        for s in self.sources:
            if s.publisher and not s.named:
                continue
            if s.type in want and s.last_seen < position and (
                pronoun not in PERSON_PRONOUNS or not s.plural
            ):
                if pronoun in PLURAL_PRONOUNS and s.type == "person" and not s.plural:
                    continue
                if best is None or s.last_seen > best.last_seen:
                    best = s
        entity = self._latest_entity(position, lambda e: e.type in want)
        if entity is not None and (best is None or entity.position > best.last_seen):
            return self._from_entity(entity, position)
        return best

    def _by_name(self, m: Mention) -> Source | None:
        tokens = normalise_label(m.label).split()
        if not tokens:
            return None
        acronym = m.label.replace(".", "")
        for s in sorted(self.sources, key=lambda s: -s.last_seen):
            if not s.named and not s.publisher:
                continue
            label_tokens = normalise_label(s.label).split()
            n = len(tokens)
            partial = n < len(label_tokens) and (
                label_tokens[:n] == tokens and n == 1 or label_tokens[-n:] == tokens
            )
            if partial and (m.type in ("agent", s.type) or s.type == "agent"):
                return s
            if acronym.isupper() and len(acronym) >= 2 and acronym == _initials(s.label):
                return s
        for e in reversed(self.entities):
            label_tokens = normalise_label(e.label).split()
            n = len(tokens)
            if n < len(label_tokens) and label_tokens[-n:] == tokens and e.type == "person":
                return self._from_entity(e, e.position)
            if acronym.isupper() and len(acronym) >= 2 and acronym == _initials(e.label):
                return self._from_entity(e, e.position)
        return None

    def _matches(self, m: Mention, words: frozenset[str], media: bool, typ: str) -> bool:
        head = m.head or _singular(m.label.split()[-1])
        if head in _MEDIA_DESCRIPTIONS and not media and head not in words:
            return False
        stems = {_stem(w) for w in words}
        mods = _content_words(m.label) - {head}
        if head in words or _stem(head) in stems:
            return all(w in words or _stem(w) in stems for w in mods)
        if mods:
            return False
        if head in _GENERIC_ORG_HEADS and typ in ("organization", "agent"):
            return not (words & _PUBLIC_BODY_WORDS) and not media
        return head in _MEDIA_DESCRIPTIONS and media

    def _by_description(
        self, m: Mention, position: int, unnamed_only: bool = False
    ) -> Source | None:
        best: Source | None = None

        def rank(s: Source) -> tuple[bool, int]:
            return (s.head == m.head, s.last_seen)

        for s in self.sources:
            if (unnamed_only and s.named) or (s.publisher and not s.named):
                continue
            if s.last_seen < position and self._matches(m, s.words, s.media, s.type):
                if best is None or rank(s) > rank(best):
                    best = s
        if unnamed_only:
            return best
        entity = self._latest_entity(
            position, lambda e: self._matches(m, e.words, e.media, e.type)
        )
        if entity is not None and (best is None or entity.position > best.last_seen):
            return self._from_entity(entity, position)
        return best

    def _latest_entity(self, position: int, accept) -> Entity | None:  # type: ignore[no-untyped-def]
        best: Entity | None = None
        for e in self.entities:
            if e.position < position and accept(e):
                best = e
        return best

    def _from_entity(self, entity: Entity, position: int) -> Source:
        for s in self.sources:
            if normalise_label(s.label) == normalise_label(entity.label):
                return s
        mention = parse_mention(entity.label) or Mention(text=entity.label, label=entity.label)
        mention.named = True
        mention.type = entity.type
        mention.media = mention.media or entity.media
        return self.resolve(mention, entity.position) or self._new(mention, position)

    def _resolve_parent(self, m: Mention, position: int) -> Source | None:
        found = self._find(m, position)
        if found is not None:
            return found
        if m.pronoun or (not m.named and len(m.label.split()) < 2):
            return None  # "a club spokeswoman": no organisation named
        return self.resolve(m, position)

    # -- creation -------------------------------------------------------------------

    def _new(self, m: Mention, position: int) -> Source:
        label = m.label
        if m.definite and not m.named:
            label = self._fuller_label(m, position) or label
        s = Source(
            key=len(self.sources), label=label, type=m.type, kind=m.kind,
            anonymous=m.anonymous, named=m.named, media=m.media, plural=m.plural,
            head=m.head, last_seen=position,
        )
        if m.text and m.text != label:
            s.aliases.append(m.text)
        self.sources.append(s)
        return s

    def _fuller_label(self, m: Mention, position: int) -> str | None:
        """For "the prosecutors", an earlier "Prosecutors in Port Aldren"."""
        head_word = m.label.split()[-1]
        pattern = re.compile(
            rf"\b(?i:{re.escape(head_word)})\s+(?:in|at|of|from|for)\s+(?:the\s+)?"
            r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*"
        )
        found = pattern.search(self.text, 0, max(position, 0))
        if found and found.group(0)[0].isalpha():
            label = found.group(0)
            return label[0].lower() + label[1:] if label[1:2].islower() else label
        return None

    def _merge(self, s: Source, m: Mention) -> None:
        if m.pronoun:
            return
        if m.named and not s.named and not s.publisher:
            s.aliases.append(s.label)
            s.label = m.label
            s.named = True
            s.anonymous = False
            s.type = m.type if m.type != "agent" else s.type
            s.kind = m.kind or (m.descriptor.label if m.descriptor else None) or s.kind
        elif normalise_label(m.text) != normalise_label(s.label) and m.text not in s.aliases:
            s.aliases.append(m.text)
        if m.kind and not s.kind:
            s.kind = m.kind
        s.media = s.media or m.media


def _initials(label: str) -> str:
    return "".join(
        w[0] for w in re.findall(r"[A-Za-z][\w’'-]*", label)
        if w[0].isupper() and w.lower() not in ("of", "the", "and", "for")
    )
