"""A realistic synthetic news corpus, for benchmarks and scale tests.

:func:`generate_corpus` writes *N* statements as YAML annotations (design section 6)
and as the N-Quads the YAML ingest produces (one named graph per document, made by
:func:`provenance.annotation.annotation_to_unit`, so the two cannot drift apart):

* many outlets publish the documents; a few wire agencies and press services are
  cited with power-law (Zipf) popularity;
* chains of 1 to 6 relays, nearest relay first, ordered so that chains of one
  statement in different documents meet at shared relays;
* 1 to 5 documents per statement; press services and spokespersons act on behalf
  of ministries; about 10% anonymous origins, 10% unattributed statements and 1%
  statements caught in a citation cycle.

The corpus is deterministic for a seed and written as a stream: statements are made
in blocks of :data:`BLOCK` with their own random generator, so memory stays bounded
whatever *N* is. Sources are declared once, in ``yaml/sources.yaml``.

Layout of the output folder::

    yaml/sources.yaml          every source (a sources-only annotation)
    yaml/docs-00001.yaml ...   documents, ``---``-separated, DOCS_PER_FILE per file
    nquads/corpus.nq           the same RDF: graph .../file/sources, then one per document
    manifest.json              the parameters and counts

Examples
--------
>>> from pathlib import Path
>>> summary = generate_corpus(Path("/tmp/corpus"), statements=100, seed=1)  # doctest: +SKIP
>>> summary.statements
100
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BLOCK",
    "DOCS_PER_FILE",
    "CorpusSummary",
    "SourcePool",
    "make_sources",
    "iter_documents",
    "generate_corpus",
    "dump_annotation",
]

BLOCK = 1000  # statements made together (and shared among the documents of a block)
DOCS_PER_FILE = 500
MAX_RELAYS = 6

_COUNTRIES = [
    "Aldoria", "Belmark", "Corvania", "Dravia", "Estmere", "Falkland Union", "Galdor",
    "Hestia", "Istrava", "Jorvik", "Kelvania", "Lormont", "Marivia", "Norland", "Ostrava",
    "Pellagia", "Quorvia", "Rostova", "Sylvania", "Tarnia",
]
_DOMAINS = [
    "Foreign Affairs", "Defence", "Finance", "Energy", "Health", "Interior", "Justice",
    "Trade", "Agriculture", "Transport", "Education", "Environment",
]
_FIRST = [
    "Anna", "Boris", "Clara", "David", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas",
    "Katya", "Lars", "Maria", "Nikolai", "Olga", "Pavel", "Rosa", "Stefan", "Tanja", "Viktor",
]
_LAST = [
    "Andersen", "Petrov", "Novak", "Kowalski", "Horvat", "Lindqvist", "Moreau", "Rossi",
    "Schmidt", "Ivanova", "Costa", "Dubois", "Jansen", "Keller", "Marin", "Popescu",
]
_PAPERS = ["Herald", "Tribune", "Courier", "Gazette", "Observer", "Post", "Times", "Ledger"]
_TOPICS = [
    "the grain corridor", "the border crossing", "the gas pipeline", "the aid package",
    "the peace talks", "the trade agreement", "the port of Ostrava", "the power grid",
    "the refugee programme", "the air defence system", "the sanctions regime",
    "the election commission", "the dam repairs", "the rail link", "the summit",
]
_ACTIONS = [
    ("will sign", "signs"), ("has suspended", "suspends"), ("plans to expand", "expands"),
    ("will inspect", "inspects"), ("has approved", "approves"), ("rejected", "rejects"),
    ("will finance", "finances"), ("has delayed", "delays"), ("is negotiating", "negotiates"),
]
_CUES = ["said", "according to", "citing", "confirmed", "reported", "told", "claimed"]
_ANON = [
    "senior officials", "a source familiar with the matter", "diplomatic sources",
    "people close to the talks", "an intelligence official", "government insiders",
]


def _zipf_cum(n: int, s: float = 1.1) -> list[float]:
    """Cumulative Zipf weights of ranks 1..n (for :func:`bisect` sampling)."""
    return list(itertools.accumulate(1.0 / (k**s) for k in range(1, n + 1)))


def _pick(rng: random.Random, items: Sequence[str], cum: Sequence[float]) -> str:
    return items[bisect.bisect_left(cum, rng.random() * cum[-1])]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


@dataclass
class SourcePool:
    """Every source of a corpus, by role, with the rank that orders chains.

    A chain only goes from a lower rank to a higher one (outlets, then agencies,
    press services, spokespersons, origins), so chains never loop by accident.
    """

    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)
    outlets: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    ministries: list[str] = field(default_factory=list)
    press: list[str] = field(default_factory=list)
    spokespersons: list[str] = field(default_factory=list)
    officials: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)
    ministry_of: dict[str, str] = field(default_factory=dict)  # affiliated source -> ministry

    def add(self, role: list[str], sid: str, spec: dict[str, Any], rank: int) -> None:
        self.specs[sid] = spec
        self.rank[sid] = rank
        role.append(sid)


def make_sources(statements: int, seed: int) -> SourcePool:
    """The sources of a corpus of *statements* statements (their number grows with it)."""
    rng = random.Random(f"{seed}:sources")
    pool = SourcePool()
    n_outlets = _clamp(statements // 200, 20, 5000)
    n_ministries = _clamp(statements // 5000, 8, 60)
    n_officials = _clamp(statements // 50, 40, 20000)
    n_orgs = _clamp(statements // 500, 10, 2000)
    for i in range(n_outlets):
        city = _COUNTRIES[i % len(_COUNTRIES)]
        label = f"{city} {_PAPERS[(i // len(_COUNTRIES)) % len(_PAPERS)]} {i + 1}"
        pool.add(pool.outlets, f"outlet-{i + 1:04d}",
                 {"label": label, "type": "organization", "kind": "news outlet"}, i)
    base = n_outlets
    for i, name in enumerate(["Northwire", "Eastpress", "Global Wire Service", "Continental",
                              "Baltic News Agency", "Meridian", "Polar Press", "Interwire"]):
        pool.add(pool.agencies, f"agency-{i + 1}",
                 {"label": name, "type": "organization", "kind": "news agency"}, base + i)
    base += 100
    for i in range(n_ministries):
        country = _COUNTRIES[i % len(_COUNTRIES)]
        domain = _DOMAINS[(i // len(_COUNTRIES) + i) % len(_DOMAINS)]
        ministry = f"ministry-{i + 1:02d}"
        label = f"Ministry of {domain} of {country}"
        pool.add(pool.ministries, ministry,
                 {"label": label, "type": "organization", "kind": "ministry"}, base + 3000 + i)
        press = f"press-{i + 1:02d}"
        pool.add(pool.press, press, {"label": f"{label} press service", "type": "organization",
                                     "kind": "press service", "acted_on_behalf_of": ministry},
                 base + i)
        spokes = f"spokesperson-{i + 1:02d}"
        person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        pool.add(pool.spokespersons, spokes,
                 {"label": f"{person}, spokesperson of the {label}", "type": "person",
                  "kind": "spokesperson", "acted_on_behalf_of": ministry}, base + 1000 + i)
        pool.ministry_of[press] = pool.ministry_of[spokes] = ministry
    base += 10000
    for i in range(n_officials):
        sid = f"official-{i + 1:05d}"
        spec: dict[str, Any] = {"label": f"{rng.choice(_FIRST)} {rng.choice(_LAST)} ({i + 1})",
                                "type": "person", "kind": "official"}
        if rng.random() < 0.5:
            ministry = rng.choice(pool.ministries)
            spec["acted_on_behalf_of"] = ministry
            pool.ministry_of[sid] = ministry
        pool.add(pool.officials, sid, spec, base + i)
    for i in range(n_orgs):
        label = f"{rng.choice(_COUNTRIES)} {rng.choice(['Institute', 'Foundation', 'Council'])}"
        pool.add(pool.organisations, f"org-{i + 1:04d}",
                 {"label": f"{label} {i + 1}", "type": "organization", "kind": "organisation"},
                 base + 50000 + i)
    # About 10% of all sources are anonymous ("senior officials" of some ministry).
    n_anon = max(4, (len(pool.specs) + 1) // 9)
    for i in range(n_anon):
        ministry = rng.choice(pool.ministries)
        spec = {"label": f"{rng.choice(_ANON).capitalize()} ({i + 1})", "type": "person",
                "anonymous": True}
        if rng.random() < 0.3:
            spec["acted_on_behalf_of"] = ministry
            pool.ministry_of[f"anon-{i + 1:04d}"] = ministry
        pool.add(pool.anonymous, f"anon-{i + 1:04d}", spec, base + 80000 + i)
    return pool


class _Sampler:
    """Popularity-weighted choices over a pool (Zipf for agencies, press, outlets)."""

    def __init__(self, pool: SourcePool):
        self.pool = pool
        self.agency_cum = _zipf_cum(len(pool.agencies), 1.2)
        self.press_cum = _zipf_cum(len(pool.press), 1.1)
        self.outlet_cum = _zipf_cum(len(pool.outlets), 0.8)

    def agency(self, rng: random.Random) -> str:
        return _pick(rng, self.pool.agencies, self.agency_cum)

    def press(self, rng: random.Random) -> str:
        return _pick(rng, self.pool.press, self.press_cum)

    def outlet(self, rng: random.Random) -> str:
        return _pick(rng, self.pool.outlets, self.outlet_cum)

    def origin(self, rng: random.Random) -> str:
        p = self.pool
        roll = rng.random()
        if roll < 0.10:
            return rng.choice(p.anonymous)
        if roll < 0.60:
            return rng.choice(p.officials)
        if roll < 0.72:
            return rng.choice(p.ministries)
        if roll < 0.84:
            return rng.choice(p.spokespersons)
        return rng.choice(p.organisations)


_CHAIN_LENGTHS = (1, 2, 3, 4, 5, 6)
_CHAIN_WEIGHTS = list(itertools.accumulate([42, 28, 13, 8, 5, 4]))  # relays 1..6
_DOCS_PER_STATEMENT = list(itertools.accumulate([64, 17, 9, 6, 4]))  # documents 1..5


def _ladder(rng: random.Random, smp: _Sampler, origin: str) -> list[str]:
    """Relays that may stand between a publisher and *origin*, lowest rank first."""
    pool = smp.pool
    ladder = []
    if rng.random() < 0.35:
        ladder.append(rng.choice(pool.outlets))
    ladder.append(smp.agency(rng))
    if rng.random() < 0.3:
        other = smp.agency(rng)
        if other not in ladder:
            ladder.append(other)
    ministry = pool.ministry_of.get(origin) or (origin if origin in pool.ministries else None)
    press = f"press-{ministry.split('-')[1]}" if ministry else smp.press(rng)
    if press != origin:
        ladder.append(press)
    spokes = f"spokesperson-{ministry.split('-')[1]}" if ministry else None
    if spokes and spokes != origin and rng.random() < 0.5:
        ladder.append(spokes)
    ladder = [s for s in ladder if pool.rank[s] < pool.rank[origin]]
    ladder.sort(key=pool.rank.__getitem__)
    return ladder


def _chain(rng: random.Random, pool: SourcePool, ladder: list[str], origin: str,
           publisher: str) -> list[str]:
    length = _CHAIN_LENGTHS[bisect.bisect_left(_CHAIN_WEIGHTS, rng.random() * _CHAIN_WEIGHTS[-1])]
    usable = [s for s in ladder if pool.rank[s] > pool.rank[publisher]]
    relays = sorted(rng.sample(usable, min(length - 1, len(usable))), key=pool.rank.__getitem__)
    return [*relays, origin]


def _statement_text(rng: random.Random, n: int) -> tuple[str, list[str]]:
    country = rng.choice(_COUNTRIES)
    verb, relation = rng.choice(_ACTIONS)
    topic = rng.choice(_TOPICS)
    obj = f"{topic} (item {n})"
    return f"{country} {verb} {obj}", [country, relation, obj]


@dataclass
class _Plan:
    """One statement: its fields, and per document the chains it is relayed with."""

    sid: str
    text: str
    triple: list[str]
    cue: str | None
    quoted: bool
    origins: list[str]
    ladders: list[list[str]]
    cycle: tuple[str, str] | None


def _plan(rng: random.Random, smp: _Sampler, n: int) -> _Plan:
    text, triple = _statement_text(rng, n)
    roll = rng.random()
    origins: list[str] = []
    ladders: list[list[str]] = []
    cycle = None
    if roll < 0.01:
        a, b = rng.sample(smp.pool.agencies, 2)
        cycle = (a, b)
    elif roll >= 0.11:  # the 10% in between are unattributed
        k = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
        while len(origins) < k:
            o = smp.origin(rng)
            if o not in origins:
                origins.append(o)
        ladders = [_ladder(rng, smp, o) for o in origins]
    return _Plan(
        sid=f"st-{n:07d}", text=text, triple=triple,
        cue=None if not origins and not cycle else rng.choice(_CUES),
        quoted=rng.random() < 0.1, origins=origins, ladders=ladders, cycle=cycle,
    )


def _entry(rng: random.Random, pool: SourcePool, plan: _Plan, publisher: str,
           occurrence: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": plan.sid, "text": plan.text, "triple": plan.triple}
    chains: list[list[str]] = []
    if plan.cycle:
        a, b = plan.cycle
        chains.append([a, b] if occurrence % 2 == 0 else [b, a])
        if occurrence == 0:
            chains[0].append(a)  # closes the loop even when there is one document
    elif plan.origins:
        n_chains = 2 if len(plan.origins) > 1 and rng.random() < 0.25 else 1
        k = len(plan.origins)
        chosen = rng.sample(range(k), n_chains) if n_chains > 1 else [
            occurrence % k if rng.random() < 0.7 else rng.randrange(k)
        ]
        for i in chosen:
            chains.append(_chain(rng, pool, plan.ladders[i], plan.origins[i], publisher))
    if chains:
        if rng.random() < 0.2:
            spec["evidence"] = f"{plan.text}, {plan.cue} {pool.specs[chains[0][0]]['label']}."
        spec["cue"] = plan.cue
        if plan.quoted:
            spec["quoted"] = True
        spec["according_to"] = chains
    return spec


def iter_documents(statements: int, seed: int, pool: SourcePool | None = None,
                   start_doc: int = 1) -> Iterator[dict[str, Any]]:
    """The corpus's annotation documents, in order, made block by block."""
    pool = pool or make_sources(statements, seed)
    smp = _Sampler(pool)
    doc_no = start_doc
    for block_start in range(0, statements, BLOCK):
        rng = random.Random(f"{seed}:block:{block_start}")
        plans = [_plan(rng, smp, n + 1)
                 for n in range(block_start, min(block_start + BLOCK, statements))]
        copies = [1 + bisect.bisect_left(_DOCS_PER_STATEMENT, rng.random() * 100) for _ in plans]
        n_docs = max(1, round(sum(copies) / 8))
        members: list[list[int]] = [[] for _ in range(n_docs)]
        for i, m in enumerate(copies):
            for d in rng.sample(range(n_docs), min(m, n_docs)):
                members[d].append(i)
        seen: dict[int, int] = {}
        for items in members:
            if not items:
                continue
            publisher = smp.outlet(rng)
            day = 1 + rng.randrange(28)
            month = 1 + rng.randrange(12)
            doc_id = f"doc-{doc_no:07d}"
            statements_out = []
            for i in items:
                occurrence = seen.get(i, 0)
                seen[i] = occurrence + 1
                statements_out.append(_entry(rng, pool, plans[i], publisher, occurrence))
            first = plans[items[0]]
            yield {
                "document": {
                    "id": doc_id,
                    "title": first.text,
                    "publisher": publisher,
                    "published": f"2024-{month:02d}-{day:02d}",
                    "url": f"https://{publisher}.example/{doc_id}",
                    "type": "NewsArticle",
                },
                "statements": statements_out,
            }
            doc_no += 1


# ------------------------------------------------------------------------ writing


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def dump_annotation(data: dict[str, Any]) -> str:
    """One annotation document as YAML text, written by hand for speed (no PyYAML)."""
    out: list[str] = []
    if "document" in data:
        out.append("document:")
        for key, value in data["document"].items():
            out.append(f"  {key}: {_q(value)}")
    if data.get("sources"):
        out.append("sources:")
        for sid, spec in data["sources"].items():
            parts = []
            for key, value in spec.items():
                if isinstance(value, bool):
                    parts.append(f"{key}: {'true' if value else 'false'}")
                elif isinstance(value, list):
                    parts.append(f"{key}: {_flow(value)}")
                else:
                    parts.append(f"{key}: {_q(value)}")
            out.append(f"  {_q(sid)}: {{{', '.join(parts)}}}")
    if data.get("statements"):
        out.append("statements:")
        for spec in data["statements"]:
            out.append(f"  - id: {_q(spec['id'])}")
            for key in ("text", "evidence", "cue"):
                if key in spec:
                    out.append(f"    {key}: {_q(spec[key])}")
            out.append(f"    triple: {_flow(spec['triple'])}")
            if spec.get("quoted"):
                out.append("    quoted: true")
            if spec.get("according_to"):
                out.append("    according_to:")
                out.extend(f"      - {_flow(chain)}" for chain in spec["according_to"])
    return "\n".join(out) + "\n"


class _NQuads:
    """Turns annotation documents into N-Quads with the YAML ingest's own conversion."""

    def __init__(self) -> None:
        from .annotation import annotation_to_unit

        self._convert = annotation_to_unit
        self._n3: dict[Any, str] = {}

    def term(self, term: Any) -> str:
        text = self._n3.get(term)
        if text is None:
            text = term.n3()
            if len(self._n3) < 200_000 and not hasattr(term, "language"):
                self._n3[term] = text
        return text

    def lines(self, data: dict[str, Any], path: Path, name: str) -> Iterator[str]:
        unit = self._convert(data, path, fallback_name=name)
        g = f"<{unit.graph}>"
        term = self.term
        for s, p, o in unit.triples:
            yield f"{term(s)} {term(p)} {term(o)} {g} .\n"


@dataclass
class CorpusSummary:
    """What :func:`generate_corpus` wrote."""

    statements: int
    seed: int
    sources: int
    documents: int
    yaml_files: int
    quads: int
    formats: list[str]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def generate_corpus(
    out: Path,
    statements: int,
    seed: int = 0,
    formats: Sequence[str] = ("yaml", "nquads"),
    docs_per_file: int = DOCS_PER_FILE,
) -> CorpusSummary:
    """Write a corpus of *statements* statements into *out* (see the module docstring).

    Raises :class:`~provenance.errors.InputError` for a bad number or format.
    """
    from .errors import InputError

    if statements < 1:
        raise InputError(f"--statements must be at least 1 (got {statements})")
    unknown = set(formats) - {"yaml", "nquads"}
    if unknown or not formats:
        raise InputError(f"unknown corpus format(s) {sorted(unknown)}; use yaml and/or nquads")
    pool = make_sources(statements, seed)
    yaml_dir, nq_dir = out / "yaml", out / "nquads"
    yaml_dir.mkdir(parents=True, exist_ok=True)
    write_yaml = "yaml" in formats
    nq = _NQuads() if "nquads" in formats else None
    nq_file = None
    quads = 0
    if nq is not None:
        nq_dir.mkdir(parents=True, exist_ok=True)
        nq_file = (nq_dir / "corpus.nq").open("w", encoding="utf-8")
    try:
        sources_doc = {"sources": pool.specs}
        sources_path = yaml_dir / "sources.yaml"
        if write_yaml:
            sources_path.write_text(
                "# Every source of the generated corpus, declared once.\n"
                + dump_annotation(sources_doc), encoding="utf-8")
        if nq is not None and nq_file is not None:
            for line in nq.lines(sources_doc, sources_path, "sources"):
                nq_file.write(line)
                quads += 1
        documents = files = 0
        handle = None
        for data in iter_documents(statements, seed, pool):
            if documents % docs_per_file == 0:
                files += 1
                if handle is not None:
                    handle.close()
                    handle = None
                path = yaml_dir / f"docs-{files:05d}.yaml"
                if write_yaml:
                    handle = path.open("w", encoding="utf-8")
            elif handle is not None:
                handle.write("---\n")
            if handle is not None:
                handle.write(dump_annotation(data))
            if nq is not None and nq_file is not None:
                buf = list(nq.lines(data, path, path.stem))
                nq_file.writelines(buf)
                quads += len(buf)
            documents += 1
        if handle is not None:
            handle.close()
    finally:
        if nq_file is not None:
            nq_file.close()
    summary = CorpusSummary(
        statements=statements, seed=seed, sources=len(pool.specs), documents=documents,
        yaml_files=files if write_yaml else 0, quads=quads, formats=list(formats),
    )
    (out / "manifest.json").write_text(summary.to_json() + "\n", encoding="utf-8")
    return summary
