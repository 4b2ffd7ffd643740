"""The pattern extractor: a document's sentences in, an annotation dict out.

It reads the text once, in order, because attribution depends on order: "He added"
and "The ministry also said" point back, a quotation standing alone continues the
speaker before it, "These points were outlined in X" attributes the sentences before,
and a dateline credit ("TESSEL (Nordwire) -") relays the whole article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..vocab import SLUG_PATTERN, slugify
from ._errors import EmptyTextError, InvalidIdError
from ._patterns import Attribution, Node, analyse, backward, is_bare_quote
from ._sources import Source, SourceRegistry, find_entities, parse_mention
from ._text import Sentence, find_dateline, find_title, split_sentences
from ._triples import make_triple
from .lexicon import NON_CLAIM_STARTS

__all__ = ["Extraction", "run"]

_SLUG = re.compile(SLUG_PATTERN)
Chain = list[Source]


@dataclass
class Extraction:
    """An annotation and what the extractor knows beyond it.

    Attributes
    ----------
    annotation:
        The annotation dict (design section 6; valid against the JSON Schema).
    aliases:
        For each source id, the other wordings the text used for it
        ("the Russian news agency TASS" for ``tass``).
    """

    annotation: dict[str, Any]
    aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Draft:
    sentence: Sentence
    claim: list[tuple[int, int]]  # absolute offsets
    chains: list[Chain] = field(default_factory=list)
    cue: str | None = None
    quoted: bool = False
    confidence: float = 0.7


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise InvalidIdError(
            f"{what} {value!r} is not a valid id: use letters, digits, '.', '_', '~' or '-',"
            " starting with a letter or digit"
        )


def _skip(text: str) -> bool:
    low = text.lower()
    return (
        low.startswith(NON_CLAIM_STARTS)
        or text.rstrip("\"”’' ").endswith("?")
        or len(re.findall(r"\w+", text)) < 3
    )


class _Run:
    """State of one extraction: the registry, the drafts, the wire credit."""

    def __init__(self, text: str, publisher: str):
        self.text = text
        self.sentences = split_sentences(text)
        self.title = find_title(text, self.sentences)
        body = [s for s in self.sentences if s is not self.title]
        self.lead = body[0] if body else None
        self.dateline = find_dateline(self.lead.text) if self.lead else (0, None)
        spans = [
            (s.start + (self.dateline[0] if s is self.lead else 0), s.end) for s in body
        ]
        self.entities = find_entities(text, spans)
        self.registry = SourceRegistry(text, publisher, self.entities)
        self.drafts: list[_Draft] = []
        self.wire: Source | None = None

    # -- resolution -------------------------------------------------------------------

    def _chains(self, node: Node, base: int) -> list[Chain]:
        source = self.registry.resolve(node.mention, base + node.offset)
        if source is None:
            return []
        below: list[Chain] = []
        for cited in node.cited:
            below.extend(self._chains(cited, base))
        if not below:
            return [[source]]
        return [[source, *chain] for chain in below]

    def _attribution_chains(self, att: Attribution, base: int) -> list[Chain] | None:
        chains: list[Chain] = []
        for root in att.roots:
            found = self._chains(root, base)
            if not found:
                return None  # "He added" with nobody to point to
            chains.extend(found)
        if att.via is not None and self.registry.is_media(att.via.mention, base + att.via.offset):
            relay = self.registry.resolve(att.via.mention, base + att.via.offset)
            if relay is not None:
                chains = [[relay, *chain] for chain in chains]
        return chains

    def _person_before(self, position: int) -> str | None:
        best: tuple[int, str] | None = None
        for e in self.entities:
            if e.type == "person" and e.position < position:
                best = (e.position, e.label)
        for s in self.registry.sources:
            if s.type == "person" and s.named and 0 <= s.last_seen < position:
                if best is None or s.last_seen > best[0]:
                    best = (s.last_seen, s.label)
        return best[1] if best else None

    # -- reading ----------------------------------------------------------------------

    def read(self) -> Sentence | None:
        """Read every sentence; return the title, if the text has one."""
        for sentence in self.sentences:
            if sentence is self.title:
                continue
            skip = 0
            if sentence is self.lead:
                skip, credit = self.dateline
                if credit:
                    self._set_wire(credit, sentence.start)
            if _skip(sentence.text[skip:]):
                continue
            self._read_sentence(sentence, skip)
        return self.title

    def _set_wire(self, credit: str, position: int) -> None:
        mention = parse_mention(credit)
        if mention is None:
            return
        mention.media = True
        mention.type = "organization"
        source = self.registry.resolve(mention, position)
        if source is not None and not source.publisher:
            source.media = True
            source.kind = source.kind or "news agency"
            self.wire = source

    def _read_sentence(self, sentence: Sentence, skip: int) -> None:
        back = backward(sentence.text)
        if back is not None:
            self._apply_backward(sentence, back)
            return
        base = sentence.start
        for att in analyse(sentence.text, skip):
            chains = self._attribution_chains(att, base)
            if chains is None:
                continue
            claim = [(base + a, base + b) for a, b in att.claim]
            self.drafts.append(
                _Draft(sentence, claim, chains, att.cue, att.quoted, att.confidence)
            )
        if self.drafts and self.drafts[-1].sentence is sentence:
            return
        previous = self.drafts[-1] if self.drafts else None
        if (
            is_bare_quote(sentence.text)
            and previous is not None
            and previous.quoted
            and previous.chains
            and sentence.paragraph - previous.sentence.paragraph <= 1
        ):
            self.drafts.append(
                _Draft(sentence, [_inside_quote(sentence)], previous.chains, previous.cue,
                       True, 0.7)
            )
            return
        self.drafts.append(_Draft(sentence, [(sentence.start + skip, sentence.end)]))

    def _apply_backward(self, sentence: Sentence, back: Any) -> None:
        chains = self._chains(back.node, sentence.start)
        if not chains:
            return
        for draft in reversed(self.drafts):
            if draft.sentence.paragraph != sentence.paragraph or draft.chains:
                break
            draft.chains = chains
            draft.cue = back.cue
            draft.confidence = 0.6
            if not back.plural:
                break

    # -- output -----------------------------------------------------------------------

    def finish(self) -> None:
        for draft in self.drafts:
            draft.chains = _tidy(draft.chains, self.registry.publisher)
            if self.wire is not None:
                if draft.chains:
                    draft.chains = [[self.wire, *c] if c[0] is not self.wire else c
                                    for c in draft.chains]
                else:
                    draft.chains = [[self.wire]]
                    draft.cue = draft.cue or "dateline"
                    draft.confidence = 0.8


def _inside_quote(sentence: Sentence) -> tuple[int, int]:
    text = sentence.text
    a, b = 1, len(text)
    while b > a and text[b - 1] in "\"”».!? ":
        b -= 1
    return sentence.start + a, sentence.start + b


def _tidy(chains: list[Chain], publisher: Source) -> list[Chain]:
    """Drop the publisher from the head of chains (it relays every chain), repeated
    sources, and duplicate chains."""
    out: list[Chain] = []
    for chain in chains:
        while chain and chain[0] is publisher:
            chain = chain[1:]
        clean: Chain = []
        for source in chain:
            if not clean or clean[-1] is not source:
                clean.append(source)
        keys = [s.key for s in clean]
        if clean and all(keys != [s.key for s in c] for c in out):
            out.append(clean)
    return out


def _mint_ids(sources: list[Source], publisher: str) -> dict[int, str]:
    ids: dict[int, str] = {}
    taken = {publisher}
    for s in sources:
        base = slugify(s.label)[:60].strip("-") or "source"
        if not _SLUG.match(base):
            base = f"source-{s.key}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        ids[s.key] = candidate
    return ids


def _used_sources(drafts: list[_Draft]) -> list[Source]:
    seen: dict[int, Source] = {}
    for draft in drafts:
        for chain in draft.chains:
            for source in chain:
                current: Source | None = source
                while current is not None and current.key not in seen:
                    if not current.publisher:
                        seen[current.key] = current
                    current = current.parent
    return list(seen.values())


def _source_entry(s: Source, ids: dict[int, str], publisher: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": s.label, "type": s.type}
    if s.kind:
        entry["kind"] = s.kind
    if s.anonymous:
        entry["anonymous"] = True
    if s.parent is not None:
        entry["acted_on_behalf_of"] = publisher if s.parent.publisher else ids[s.parent.key]
    return entry


def _publisher_label(state: _Run) -> str:
    publisher = state.registry.publisher
    if publisher.named:
        return publisher.label
    return " ".join(w.capitalize() for w in publisher.label.split())


def _claim_text(text: str, spans: list[tuple[int, int]]) -> str:
    parts = [text[a:b].strip(" ,;") for a, b in spans]
    joined = " ".join(p for p in parts if p)
    joined = re.sub(r"\s+", " ", joined).strip().rstrip(".!?;:,")
    return joined.strip("\"“”") or joined


def run(
    text: str,
    *,
    document_id: str,
    publisher: str = "publisher",
    text_path: str | None = None,
) -> Extraction:
    """Extract an annotation from *text* (see :func:`provenance.extract.extract`)."""
    if not isinstance(text, str):
        raise EmptyTextError(f"expected the article's text as a string, got {type(text).__name__}")
    _check_id(document_id, "document id")
    _check_id(publisher, "publisher")
    if not text.strip():
        raise EmptyTextError("the article is empty: give a text file with at least one sentence")
    state = _Run(text, publisher)
    title = state.read()
    state.finish()
    used = _used_sources(state.drafts)
    ids = _mint_ids(used, publisher)
    document: dict[str, Any] = {"id": document_id}
    if title is not None:
        document["title"] = title.text
    document["publisher"] = publisher
    if text_path:
        document["text"] = text_path
    # The publisher is declared too: it is a source (the document's own voice), and
    # an annotation must declare every source it names.
    sources = {publisher: {"label": _publisher_label(state), "type": "organization"}}
    sources.update({ids[s.key]: _source_entry(s, ids, publisher) for s in used})
    statements = []
    for n, draft in enumerate(state.drafts, 1):
        statements.append(_statement(state, draft, n, document_id, ids, publisher))
    aliases = {
        ids[s.key]: [a for a in dict.fromkeys(s.aliases) if a != s.label] for s in used
    }
    annotation = {"document": document, "sources": sources, "statements": statements}
    return Extraction(annotation, {k: v for k, v in aliases.items() if v})


def _statement(
    state: _Run, draft: _Draft, n: int, document_id: str, ids: dict[int, str], publisher: str
) -> dict[str, Any]:
    sentence = draft.sentence
    claim = _claim_text(state.text, draft.claim) or sentence.text
    start = draft.claim[0][0]
    triple = make_triple(
        claim, cue=draft.cue, person_before=lambda: state._person_before(start)
    )
    statement: dict[str, Any] = {
        "id": f"{document_id}.s{n:02d}",
        "text": claim,
        "triple": triple,
        "evidence": sentence.text,
        "evidence_start": sentence.start,
        "evidence_end": sentence.end,
    }
    if draft.cue:
        statement["cue"] = draft.cue
    if draft.quoted and draft.chains:
        statement["quoted"] = True
    statement["confidence"] = round(draft.confidence, 2)
    if draft.chains:
        statement["according_to"] = [
            [ids.get(s.key, publisher) for s in chain] for chain in draft.chains
        ]
    return statement
