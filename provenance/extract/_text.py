"""Plain-text plumbing: sentences with offsets, quotations, headlines and datelines.

Offsets are always into the original text, so that ``text[start:end]`` is exactly the
evidence the annotation quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import ABBREVIATIONS

__all__ = [
    "Sentence",
    "split_sentences",
    "find_title",
    "find_dateline",
    "quote_spans",
    "mask_quotes",
    "OPEN_QUOTES",
    "CLOSE_QUOTES",
]

OPEN_QUOTES = "“\"«„"
CLOSE_QUOTES = "”\"»“"
_TERMINAL = ".!?"
_CLOSERS = "\"”’')]»"
# A candidate end of sentence: terminal punctuation, closing quotes or brackets, space,
# then something that can open a sentence.
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]»]*(?=\s+[\"“‘(\[«]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or one quotation with its speaker) of a text.

    Attributes
    ----------
    start, end:
        Character offsets into the whole text; ``text[start:end] == self.text``.
    text:
        The sentence itself.
    paragraph:
        Index of the paragraph it belongs to, counted from 0.
    """

    start: int
    end: int
    text: str
    paragraph: int


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: blank-line blocks, or single lines where each line ends a
    sentence (articles that put one paragraph on each line)."""
    spans: list[tuple[int, int]] = []
    block: list[tuple[int, int]] = []

    def flush() -> None:
        if not block:
            return
        if all(text[s:e].rstrip()[-1:] in _TERMINAL + _CLOSERS for s, e in block[:-1]):
            spans.extend(block)
        else:
            spans.append((block[0][0], block[-1][1]))
        block.clear()

    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            lead = len(body) - len(body.lstrip())
            block.append((pos + lead, pos + len(body.rstrip())))
        else:
            flush()
        pos += len(line)
    flush()
    return spans


def _quotes_balanced(chunk: str) -> bool:
    straight = chunk.count('"') % 2 == 0
    return straight and chunk.count("“") == chunk.count("”")


def _inside_quote(chunk: str, upto: int) -> bool:
    """Whether position *upto* of *chunk* lies inside a double quotation."""
    head = chunk[:upto]
    if head.count('"') % 2 == 1:
        return True
    return head.count("“") > head.count("”")


def _is_abbreviation(chunk: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(chunk[: dot + 1])
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith"
    return word in ABBREVIATIONS


def _split_paragraph(text: str, start: int, end: int, paragraph: int) -> list[Sentence]:
    chunk = text[start:end]
    use_quotes = _quotes_balanced(chunk)
    out: list[Sentence] = []
    cut = 0
    for m in _BOUNDARY.finditer(chunk):
        stop = m.end()
        first_dot = m.start()
        if chunk[first_dot] == "." and _is_abbreviation(chunk, first_dot):
            continue
        if use_quotes and _inside_quote(chunk, stop):
            continue
        out.append(_make(text, start + cut, start + stop, paragraph))
        cut = stop
    out.append(_make(text, start + cut, end, paragraph))
    return [s for s in out if s.text]


def _make(text: str, s: int, e: int, paragraph: int) -> Sentence:
    piece = text[s:e]
    lead = len(piece) - len(piece.lstrip())
    body = piece.strip()
    return Sentence(s + lead, s + lead + len(body), body, paragraph)


def split_sentences(text: str) -> list[Sentence]:
    """Split *text* into sentences with offsets into *text*.

    A full stop after an abbreviation or an initial does not end a sentence, and a
    quotation that spans several sentences stays whole, so that a quote and its speaker
    ("... Monday. The city will pay," he said.) are one unit of evidence.

    Examples
    --------
    >>> [s.text for s in split_sentences('Dr. Lee spoke. "It works. Truly," she said.')]
    ['Dr. Lee spoke.', '"It works. Truly," she said.']
    """
    out: list[Sentence] = []
    for index, (s, e) in enumerate(_paragraph_spans(text)):
        out.extend(_split_paragraph(text, s, e, index))
    return out


def find_title(text: str, sentences: list[Sentence]) -> Sentence | None:
    """The headline, if the text opens with one: a short first paragraph that does not
    end like a sentence, followed by more text."""
    if len(sentences) < 2:
        return None
    first = sentences[0]
    if sentences[1].paragraph == first.paragraph:
        return None
    if first.text[-1] in _TERMINAL + _CLOSERS or len(first.text.split()) > 25:
        return None
    return first


_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{2,40}?)"
    r"(?:,\s*(?P<date>[A-Za-z0-9 .]{1,20}?))?"
    r"\s*(?:\((?P<credit>[^()]{1,40})\))?"
    r"\s*(?:--|[-–—:])\s+"
)


def find_dateline(sentence: str) -> tuple[int, str | None]:
    """Length of a dateline at the start of *sentence* and its credit, if any.

    >>> find_dateline("TESSEL (Nordwire) - The ban was approved.")
    (20, 'Nordwire')
    >>> find_dateline("The ban was approved.")
    (0, None)
    """
    m = _DATELINE.match(sentence)
    if not m or not re.search(r"[A-Z]{3}", m.group("place")):
        return 0, None
    credit = m.group("credit")
    return m.end(), credit.strip() if credit else None


def quote_spans(s: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the double-quoted passages in *s*, quote marks included.

    An unclosed quotation runs to the end of *s*.
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch in "“«„" or (ch == '"'):
            closer = {"“": "”", "«": "»", "„": "“", '"': '"'}[ch]
            j = s.find(closer, i + 1)
            if ch == "„" and j < 0:
                j = s.find("”", i + 1)
            end = n if j < 0 else j + 1
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


def mask_quotes(s: str, spans: list[tuple[int, int]]) -> str:
    """*s* with the inside of every quotation blanked out (same length), so that
    patterns never fire on words a speaker said."""
    if not spans:
        return s
    chars = list(s)
    for a, b in spans:
        for k in range(a + 1, max(a + 1, b - 1)):
            if not chars[k].isspace():
                chars[k] = "\x00"
    return "".join(chars)
