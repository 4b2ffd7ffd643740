"""Fuzzing and properties (issue 7): random input never escapes as a crash, random
corpora always answer within the definitions.

Two families of properties, each a plain ``check_*`` function driven by a hypothesis
strategy, so that ``tests/fuzz_long.py`` can run the same checks with a large budget:

* **Robustness.** Random YAML structures, mutations of a valid annotation (keys
  dropped, wrong types, unknown ids, odd unicode, huge numbers, None), random bytes,
  and mutated Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML go through the
  library (``load_units``, ``validate_files``, ``ingest_files``) and the CLI
  (``provenance validate`` / ``provenance ingest``, in process): only
  :class:`~provenance.errors.ProvenanceError` may escape the library; the CLI exits 0,
  2 (bad input) or 1 (store), prints no traceback, says what is wrong in one line, and
  a refused ingest leaves the store as it was. What is accepted must then be
  answerable: the questions run on it without a crash.
* **Answers.** Random valid corpora (sources, relay chains, shared origins, citation
  cycles within and across documents, self-citations, anonymous sources, unattributed
  statements, affiliations, cyclic ones included) ingested into a fresh store satisfy
  the definitions of design section 3 and give the same answers after a re-ingest,
  after an export and re-import, whatever the batching, on the bulk path, and on the
  fast path and the networkx reference alike.

The budgets keep the file to about a minute in CI; ``PROVENANCE_FUZZ_SCALE`` multiplies
them (``tests/fuzz_long.py`` runs the checks for as long as it is asked to).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest import dump  # the store as sorted N-Quads lines

from provenance import bulk
from provenance.cli import cli
from provenance.errors import ProvenanceError, ValidationError
from provenance.ingest import ingest_files, validate_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

SCALE = float(os.environ.get("PROVENANCE_FUZZ_SCALE", "1"))


def budget(examples: int) -> settings:
    """Settings for a property: *examples* (times the scale), no deadline (stores are slow)."""
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ===================================================================== helpers


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh temporary folder per example (hypothesis reuses function fixtures)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        yield Path(folder)


def ingest(store: Path, files: list[Path]) -> list[Any]:
    with EmbeddedStore.open_write(store) as backend:
        return ingest_files(backend, files)


def answers(store: Path, fast: bool = True) -> dict[str, Any]:
    """Every whole-store answer, in the JSON shapes of design section 5."""
    tracker = Tracker(EmbeddedStore.open_read(store), fast=fast)
    return {
        "report": tracker.report(),
        "report-by-organization": tracker.report(by="organization"),
        "single-source": tracker.single_source(),
        "statements": tracker.statements(),
        "sources": tracker.sources(),
    }


def ask_everything(store: Path) -> None:
    """Run the questions on whatever a store holds: bad data may be refused, not crash."""
    tracker = Tracker(EmbeddedStore.open_read(store))
    for question in (
        tracker.report,
        lambda: tracker.report(by="organization"),
        tracker.single_source,
        tracker.sources,
        tracker.statements,
    ):
        with contextlib.suppress(ProvenanceError):
            question()
    with contextlib.suppress(ProvenanceError):
        for row in tracker.statements()[:3]:
            tracker.origin(row["iri"])
    with contextlib.suppress(ProvenanceError):
        for row in tracker.sources()[:2]:
            tracker.impact(row["id"])


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def assert_clean_exit(result: Result, *, codes: tuple[int, ...] = (0, 1, 2)) -> None:
    """A CLI run that ended as the design says: known exit code, no traceback, one line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__} escaped the CLI: {result.exception!r}\n"
        f"{result.output}"
    )
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, f"the error is not one line:\n{result.stderr}"
        assert lines[0].startswith("Error: "), lines[0]


# ===================================================================== valid corpora

SOURCE_IDS = ["wire", "paper", "tass", "press", "mfa", "official", "anon", "blog"]
SOURCE_LABELS = {
    "wire": "Example Wire",
    "paper": "The Daily Paper",
    "tass": "ТАСС",  # Cyrillic
    "press": "Press service \u00b7 ministry",
    "mfa": "Ministry of Foreign Affairs",
    "official": "A \u201csenior\u201d official",
    "anon": "\u533f\u540d Sources \U0001f575",  # CJK and an emoji
    "blog": "Blog \u202eRTL\u202c",  # a bidi override
}
STATEMENT_IDS = ["s1", "s2", "s3", "s4", "s5"]
STATEMENT_TEXTS = {
    "s1": "The minister resigned on Monday",
    "s2": "Blinken will attend the meeting",
    "s3": "Grain exports rose by 12 % in 2023",
    "s4": "Переговоры начнутся в среду",
    "s5": "Ein \u00abSprecher\u00bb best\u00e4tigte es",
}


@st.composite
def corpora(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Random valid annotation documents (the last may be a file of sources only).

    Statement ids and source ids are drawn from small pools so that documents meet:
    the same statement relayed by several documents, shared relays and origins,
    citation cycles across documents (``[a, b]`` here, ``[b, a]`` there), chains that
    come back to a source already in them (self-citation), chains that end at the
    publisher, and statements with no ``according_to`` (unattributed).
    """
    pool = draw(st.lists(st.sampled_from(SOURCE_IDS), min_size=2, max_size=6, unique=True))
    sources: dict[str, dict[str, Any]] = {}
    for sid in pool:
        spec: dict[str, Any] = {"label": SOURCE_LABELS[sid]}
        kind = draw(st.sampled_from([None, "person", "organization", "agent"]))
        if kind:
            spec["type"] = kind
        if draw(st.booleans()):
            spec["anonymous"] = draw(st.booleans())
        principals = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        if principals:  # possibly itself, possibly a cycle of affiliations
            spec["acted_on_behalf_of"] = principals[0] if len(principals) == 1 else principals
        sources[sid] = spec
    chain = st.lists(st.sampled_from(pool), min_size=1, max_size=4)
    separate_sources = draw(st.booleans())
    documents: list[dict[str, Any]] = []
    for d in range(draw(st.integers(1, 3))):
        statements = []
        for sid in draw(st.lists(st.sampled_from(STATEMENT_IDS), min_size=1, max_size=3,
                                 unique=True)):
            stmt: dict[str, Any] = {
                "id": sid,
                "text": STATEMENT_TEXTS[sid],
                "triple": [f"subject of {sid}", "relates to", f"object of {sid}"],
            }
            chains = draw(st.lists(chain, max_size=3))
            if chains:
                stmt["according_to"] = chains
            if draw(st.booleans()):
                stmt["quoted"] = True
            statements.append(stmt)
        doc: dict[str, Any] = {
            "document": {"id": f"doc-{d}", "publisher": draw(st.sampled_from(pool))},
            "statements": statements,
        }
        if not separate_sources:
            doc["sources"] = sources
        documents.append(doc)
    if separate_sources:
        documents.append({"sources": sources})
    return documents


def write_corpus(
    folder: Path, documents: list[dict[str, Any]], one_file: bool = False
) -> list[Path]:
    """One YAML file per document (a file of sources only goes first), or one file of all."""
    folder.mkdir(parents=True, exist_ok=True)
    if one_file:
        path = folder / "corpus.yaml"
        path.write_text(yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False),
                        "utf-8")
        return [path]
    files = []
    for index, doc in enumerate(documents):
        name = "00-sources.yaml" if "document" not in doc else f"{index + 1:02d}-doc.yaml"
        path = folder / name
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        files.append(path)
    return sorted(files)


def relayed(documents: list[dict[str, Any]]) -> dict[str, list[tuple[str, list[list[str]]]]]:
    """statement id -> [(publisher, chains)] over the documents that relay it."""
    out: dict[str, list[tuple[str, list[list[str]]]]] = {}
    for doc in documents:
        if "document" not in doc:
            continue
        for stmt in doc["statements"]:
            out.setdefault(stmt["id"], []).append(
                (doc["document"]["publisher"], stmt.get("according_to", []))
            )
    return out


# ===================================================================== answers


def check_answers_satisfy_the_definitions(documents: list[dict[str, Any]]) -> None:
    with scratch() as tmp:
        store = tmp / "store"
        ingest(store, write_corpus(tmp / "in", documents))
        got = answers(store)
        # One statement's or one document's answers are the whole store's, in part.
        tracker = Tracker(EmbeddedStore.open_read(store))
        whole = {r["statement"]["id"]: r for r in got["report"]}
        for doc in documents:
            if "document" in doc:
                part = tracker.report(doc["document"]["id"])
                assert part == [whole[r["statement"]["id"]] for r in part]
                assert {r["statement"]["id"] for r in part} == {
                    s["id"] for s in doc["statements"]
                }
        for sid, row in whole.items():
            flags = {"anonymous", "unattributed"}
            assert tracker.origin(sid) == {k: v for k, v in row.items() if k not in flags}
    expected = relayed(documents)
    for by in ("report", "report-by-organization"):
        rows = got[by]
        assert sorted(r["statement"]["id"] for r in rows) == sorted(expected)
        for row in rows:
            n = row["independent_sources"]
            assert n >= 1, row
            assert row["single_source"] == (n <= 1), row
            if row["single_source"]:
                assert row["rests_on"] is not None, row
                assert row["rests_on_label"] is not None, row
            else:
                assert row["rests_on"] is None, row
            assert row["origins"], row
            assert len(row["origins"]) >= n or row["circular"], row
            for chain in row["chains"]:
                assert chain, row
    for row in got["report"]:
        relays = expected[row["statement"]["id"]]
        mentioned = {s for publisher, chains in relays for s in [publisher, *sum(chains, [])]}
        assert {o["source"] for o in row["origins"]} <= mentioned, row
        if row["rests_on"]:
            assert row["rests_on"] in mentioned, row
        if all(not chains for _, chains in relays):
            # Only the publishers' own voices: each publisher is one origin.
            assert row["unattributed"], row
            assert row["independent_sources"] == len({p for p, _ in relays}), row
    single = {r["statement"]: r["rests_on"] for r in got["single-source"]}
    assert single == {
        r["statement"]["id"]: r["rests_on"] for r in got["report"] if r["single_source"]
    }
    assert all(r["statements"] >= 0 and r["origin_of"] >= 0 for r in got["sources"])


@budget(12)
@given(corpora())
def test_every_attributed_statement_has_a_source_and_single_source_names_what_it_rests_on(
    documents: list[dict[str, Any]],
) -> None:
    check_answers_satisfy_the_definitions(documents)


def check_reingest_changes_nothing(documents: list[dict[str, Any]]) -> None:
    with scratch() as tmp:
        store = tmp / "store"
        files = write_corpus(tmp / "in", documents)
        first = ingest(store, files)
        assert {r.status for r in first} == {"added"}
        before, content = answers(store), dump(store)
        again = ingest(store, files)
        assert [r.status for r in again] == ["unchanged"] * len(first)
        assert dump(store) == content
        assert answers(store) == before
        result = run_cli("--store", str(store), "ingest", *map(str, files))
        assert_clean_exit(result, codes=(0,))
        assert all(line.startswith("unchanged") for line in result.stdout.splitlines())
        assert dump(store) == content


@budget(10)
@given(corpora())
def test_reingesting_a_random_corpus_is_unchanged_with_the_same_answers(
    documents: list[dict[str, Any]],
) -> None:
    check_reingest_changes_nothing(documents)


def check_export_round_trip(documents: list[dict[str, Any]], fmt: str) -> None:
    with scratch() as tmp:
        store, copy_store = tmp / "store", tmp / "copy"
        ingest(store, write_corpus(tmp / "in", documents))
        exported = tmp / f"export.{fmt}"
        result = run_cli("--store", str(store), "export", "--format", fmt, "-o", str(exported))
        assert_clean_exit(result, codes=(0,))
        result = run_cli("--store", str(copy_store), "ingest", str(exported))
        assert_clean_exit(result, codes=(0,))
        assert answers(copy_store) == answers(store)
        for stmt in relayed(documents):
            origin = run_cli("--store", str(copy_store), "origin", stmt, "--format", "json")
            assert_clean_exit(origin, codes=(0,))
            assert json.loads(origin.stdout) == Tracker(EmbeddedStore.open_read(store)).origin(
                stmt
            )
        content = dump(copy_store)
        again = run_cli("--store", str(copy_store), "ingest", str(exported))
        assert_clean_exit(again, codes=(0,))
        assert all(line.startswith("unchanged") for line in again.stdout.splitlines())
        assert dump(copy_store) == content


@budget(7)
@given(corpora(), st.sampled_from(["trig", "nq", "jsonld", "ttl"]))
def test_answers_are_identical_after_export_and_reimport(
    documents: list[dict[str, Any]], fmt: str
) -> None:
    check_export_round_trip(documents, fmt)


def check_batching_does_not_change_answers(
    documents: list[dict[str, Any]], order: list[int]
) -> None:
    with scratch() as tmp:
        files = write_corpus(tmp / "in", documents)
        ingest(tmp / "one", files)
        # Sources-only files first (a document needs its sources declared before it).
        one_by_one = sorted((files[i] for i in order), key=lambda f: "sources" not in f.name)
        for file in one_by_one:
            ingest(tmp / "many", [file])
        assert answers(tmp / "many") == answers(tmp / "one")


@st.composite
def corpora_and_orders(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[int]]:
    documents = draw(corpora())
    return documents, draw(st.permutations(range(len(documents))))


@budget(5)
@given(corpora_and_orders())
def test_one_batch_or_one_file_at_a_time_in_any_order_gives_the_same_answers(
    case: tuple[list[dict[str, Any]], list[int]],
) -> None:
    check_batching_does_not_change_answers(*case)


def check_bulk_path_answers_like_the_ordinary_path(
    documents: list[dict[str, Any]], one_file: bool
) -> None:
    with scratch() as tmp:
        files = write_corpus(tmp / "in", documents, one_file)
        ingest(tmp / "ordinary", files)
        with mock.patch.object(bulk, "BULK_MIN_BYTES", 0):
            ingest(tmp / "bulk", files)
            again = ingest(tmp / "bulk", files)
        assert {r.status for r in again} == {"unchanged"}
        assert answers(tmp / "bulk") == answers(tmp / "ordinary")


@budget(8)
@given(corpora())
def test_the_bulk_path_answers_like_the_ordinary_path(documents: list[dict[str, Any]]) -> None:
    # One file: three or more start the bulk path's process pool (seconds each time);
    # tests/fuzz_long.py tries both.
    check_bulk_path_answers_like_the_ordinary_path(documents, one_file=True)


def check_fast_path_answers_like_the_reference(documents: list[dict[str, Any]]) -> None:
    with scratch() as tmp:
        store = tmp / "store"
        ingest(store, write_corpus(tmp / "in", documents))
        fast = Tracker(EmbeddedStore.open_read(store), fast=True)
        ref = Tracker(EmbeddedStore.open_read(store), fast=False)
        assert fast.report() == ref.report()
        assert fast.single_source() == ref.single_source()
        assert fast.sources() == ref.sources()
        for row in ref.sources():
            assert fast.impact(row["id"]) == ref.impact(row["id"])


@budget(10)
@given(corpora())
def test_the_fast_path_answers_random_stores_like_the_networkx_reference(
    documents: list[dict[str, Any]],
) -> None:
    check_fast_path_answers_like_the_reference(documents)


# ===================================================================== bad input

# Values that a hand-written or generated file could hold where it should not.
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u200b",  # zero-width space
        "\u202e",  # right-to-left override
        "\u2028",  # line separator
        "\ufeff",  # byte-order mark
        "\ud7ff",
        "\U0010ffff",
        "e\u0301" * 50,  # combining accents
        "\U0001f4a9" * 3,
        "ǅ",
        "x" * 10_000,
        "../../etc/passwd",
        "/etc/passwd",
        "ghost",
        "no such-source",
        "http://example.org/x",
        "<http://example.org/x y>",
        "pt:Statement",
        "_:b0",
        "2023-02-30",
        "'; DROP GRAPH <x> ;",
        'http://example.org/"quoted"',
        "http://example.org/a b",
        "<relative>",
        "<>",
        "urn:",
        "wd:Q42 x",
        "https://",
        "http://[::1",
        "} } INSERT DATA { <a> <b> <c> } #",
        '"\\u0000"',
        "${HOME}",
        "%s%n",
    ]
)
HUGE = st.sampled_from([10**100, -(10**100), 2**63, -1, 1e308, -1e308, math.inf, -math.inf,
                        math.nan, 0.1, 1.5, -0.0])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE,
    st.floats(),
    st.text(max_size=30),
    ODD_TEXT,
    st.dates(),
)
KEYS = st.one_of(
    st.sampled_from(
        ["document", "sources", "statements", "prefixes", "id", "publisher", "label", "type",
         "text", "triple", "according_to", "anonymous", "acted_on_behalf_of", "quoted",
         "confidence", "evidence_start", "evidence_end", "published", "url", "kind", "cue"]
    ),
    st.text(max_size=12),
)
YAML_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(KEYS, children, max_size=6)
    ),
    max_leaves=40,
)


def to_yaml(data: Any, style: str) -> str:
    if style == "json":
        return json.dumps(data, default=str, ensure_ascii=False)
    return yaml.safe_dump(data, allow_unicode=style == "unicode", default_flow_style=None,
                          sort_keys=False)


def library_entry_points(files: list[Path], store: Path) -> None:
    """Each library entry point on *files*: nothing but ProvenanceError may escape."""
    with contextlib.suppress(ProvenanceError):
        validate_files(files, EmbeddedStore.open_read(store))
    before = dump(store)
    try:
        ingest(store, files)
    except ProvenanceError:
        assert dump(store) == before, "a refused ingest changed the store"
    else:
        ask_everything(store)


def cli_entry_points(files: list[Path], store: Path) -> None:
    """``provenance validate`` and ``ingest``: exit 0, 2 or 1; no traceback; one line."""
    paths = list(map(str, files))
    assert_clean_exit(run_cli("--store", str(store), "validate", *paths))
    before = dump(store)
    result = run_cli("--store", str(store), "ingest", *paths)
    assert_clean_exit(result)
    if result.exit_code != 0:
        assert dump(store) == before, "a refused ingest changed the store"
        assert result.stdout == ""


_SEEDED: list[Path] = []


@contextlib.contextmanager
def seeded_store() -> Iterator[Path]:
    """A private copy of a small store (built once), so a refused ingest can be compared."""
    if not _SEEDED:
        folder = Path(tempfile.mkdtemp(prefix="fuzz-seeded-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # built once per test run
        base = yaml.safe_dump(VALID, allow_unicode=True)
        (folder / "base.yaml").write_text(base.replace("doc-0", "base-doc"), "utf-8")
        ingest(folder / "store", [folder / "base.yaml"])
        _SEEDED.append(folder / "store")
    with scratch() as tmp:
        shutil.copytree(_SEEDED[0], tmp / "store")
        yield tmp / "store"


def check_input_never_crashes(payload: bytes, name: str, cli_too: bool = True) -> None:
    with scratch() as tmp, seeded_store() as store:
        path = tmp / name
        path.write_bytes(payload)
        library_entry_points([path], store)
        if cli_too:
            cli_entry_points([path], store)


VALID: dict[str, Any] = {
    "document": {"id": "doc-0", "publisher": "wire", "title": "A title", "type": "NewsArticle",
                 "published": "2023-11-24", "url": "https://example.org/a"},
    "sources": {
        "wire": {"label": "Example Wire", "type": "organization", "kind": "news outlet"},
        "tass": {"label": "TASS", "type": "organization", "anonymous": False},
        "press": {"label": "Press service", "type": "organization", "acted_on_behalf_of": "mfa"},
        "mfa": {"label": "Ministry", "type": "organization"},
        "official": {"label": "US official", "type": "person", "anonymous": True},
    },
    "statements": [
        {
            "id": "s1",
            "text": "Blinken will take part in the meeting",
            "triple": ["Antony Blinken", "participates in", "wd:Q42"],
            "evidence": "TASS, citing the press service, confirms it.",
            "evidence_start": 0,
            "evidence_end": 44,
            "cue": "confirm",
            "confidence": 0.9,
            "according_to": [["tass", "press", "official"], ["press", "official"]],
        },
        {
            "id": "s2",
            "text": "The meeting is on the agenda",
            "triple": ["meeting", "is on", "agenda"],
            "quoted": True,
            "according_to": [["tass", "press", "tass"]],
        },
        {"id": "s3", "text": "The wire says so", "triple": ["<http://e.org/a>", "pt:x", "b"]},
    ],
    "prefixes": {"wd": "http://www.wikidata.org/entity/"},
}


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*at, index))


def _parent(root: Any, at: tuple[Any, ...]) -> Any:
    for part in at[:-1]:
        root = root[part]
    return root


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """*base* with one to four mutations: a key dropped, a value replaced by a wrong type,
    None, an odd string, a huge number or an unknown id (often of the type it replaces, so
    that it passes the schema), an item duplicated, a key added."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        at = draw(st.sampled_from(paths))
        parent = _parent(data, at)
        action = draw(st.sampled_from(["drop", "replace", "odd", "odd", "duplicate", "add"]))
        old = parent[at[-1]]
        if action == "drop":
            del parent[at[-1]]
        elif action == "odd" and not isinstance(old, dict | list):
            # The same type, an odd value: it passes the schema and goes deeper.
            if isinstance(old, bool):
                parent[at[-1]] = not old
            elif isinstance(old, int | float):
                parent[at[-1]] = draw(HUGE)
            else:
                parent[at[-1]] = draw(st.one_of(ODD_TEXT, st.text(max_size=20)))
        elif action in ("replace", "odd"):
            parent[at[-1]] = draw(
                st.one_of(SCALARS, st.sampled_from([[], {}, [[]], {"": None}, ["ghost"],
                                                    [["ghost"]], ["a", "b"]]))
            )
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[at[-1]]))
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(SCALARS)
    return data


@budget(40)
@given(YAML_VALUES, st.sampled_from(["plain", "unicode", "json"]))
def test_random_yaml_structures_raise_only_the_projects_errors(data: Any, style: str) -> None:
    check_input_never_crashes(to_yaml(data, style).encode("utf-8"), "random.yaml", cli_too=False)


@budget(25)
@given(mutated(VALID), st.sampled_from(["plain", "unicode", "json"]))
def test_mutated_annotations_raise_only_the_projects_errors(data: Any, style: str) -> None:
    check_input_never_crashes(to_yaml(data, style).encode("utf-8"), "mutated.yaml")


SUFFIXES = [".yaml", ".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".txt"]


@budget(25)
@given(
    st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode)),
    st.sampled_from(SUFFIXES),
)
def test_random_bytes_in_any_format_raise_only_the_projects_errors(
    payload: bytes, suffix: str
) -> None:
    check_input_never_crashes(payload, f"random{suffix}")


# --------------------------------------------------------------------- RDF


_RDF_TEXTS: dict[str, bytes] = {}


def rdf_serialisation(fmt: str) -> bytes:
    """:data:`VALID` as RDF in format *fmt* (its suffix), as a store export would write it."""
    if fmt not in _RDF_TEXTS:
        from rdflib import Dataset, Graph

        from provenance.annotation import annotation_to_unit

        unit = annotation_to_unit(copy.deepcopy(VALID), Path("valid.yaml"))
        plain, dataset = Graph(), Dataset()
        named = dataset.graph(unit.graph)
        for triple in unit.triples:
            plain.add(triple)
            named.add(triple)
        rdflib_format, graph = {
            "ttl": ("turtle", plain),
            "nt": ("nt", plain),
            "rdf": ("xml", plain),
            "trig": ("trig", dataset),
            "nq": ("nquads", dataset),
            "jsonld": ("json-ld", dataset),
        }[fmt]
        _RDF_TEXTS[fmt] = graph.serialize(format=rdflib_format, encoding="utf-8")
    return _RDF_TEXTS[fmt]


RDF_TOKENS = [
    b"<", b">", b'"', b"'", b'"""', b".", b";", b",", b"{", b"}", b"[", b"]", b"(", b")",
    b"@prefix x: <http://x/> .", b"@base <../..> .", b"_:b", b"a", b"^^", b"@en", b"\\u0000",
    b"\\U0010FFFF", b"\x00", b"\xff\xfe", b"\n", b"#", b"GRAPH", b"<file:///etc/passwd>",
    b'"@context"', b'"@id"', b'"@type"', b'"@graph"', b'"@value"', b'"@list"', b'"@reverse"',
    b'"http://example.org/c.jsonld"', b"null", b"true", b"1e999", b"-0", b"[[[[[[[[",
    b"<!ENTITY x 'y'>", b"&x;", b"<!DOCTYPE r [", b"rdf:parseType=\"Collection\"",
    b"rdf:resource=\"\"", b"xml:base=\"file:///\"", "é€\U0001f600".encode(),
]


@st.composite
def mutated_bytes(draw: st.DrawFn, base: bytes) -> bytes:
    """*base* with one to five byte-level edits: a span cut, a token or random bytes put
    in, a span doubled, or the end cut off."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "insert", "random", "double", "end"]))
        if action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(RDF_TOKENS))
        elif action == "random":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "double":
            data[at:at] = data[at : at + draw(st.integers(1, 80))]
        else:
            del data[at:]
    return bytes(data)


RDF_SUFFIXES = ["ttl", "trig", "nt", "nq", "jsonld", "rdf"]


@st.composite
def mutated_rdf(draw: st.DrawFn) -> tuple[bytes, str]:
    fmt = draw(st.sampled_from(RDF_SUFFIXES))
    return draw(mutated_bytes(rdf_serialisation(fmt))), fmt


@budget(25)
@given(mutated_rdf())
def test_mutated_rdf_files_raise_only_the_projects_errors(case: tuple[bytes, str]) -> None:
    payload, fmt = case
    check_input_never_crashes(payload, f"mutated.{fmt}")


@st.composite
def mutated_jsonld(draw: st.DrawFn) -> bytes:
    """The JSON-LD of :data:`VALID` with its tree mutated (keys dropped, wrong values)."""
    tree = json.loads(rdf_serialisation("jsonld"))
    return json.dumps(draw(mutated(tree)), default=str, ensure_ascii=False).encode("utf-8")


@budget(15)
@given(mutated_jsonld())
def test_mutated_jsonld_trees_raise_only_the_projects_errors(payload: bytes) -> None:
    check_input_never_crashes(payload, "mutated.jsonld")


OBJECTS = [
    '"text"', '"5"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"@en',
    '"nope"^^<http://www.w3.org/2001/XMLSchema#boolean>',
    '"nan"^^<http://www.w3.org/2001/XMLSchema#decimal>', "_:b1",
    "<https://w3id.org/provenance-tracker/id/source/ghost>",
    "<https://w3id.org/provenance-tracker/id/statement/s1>",
    "<https://w3id.org/provenance-tracker/id/report/s1/tass>",
    "<https://w3id.org/provenance-tracker/ns#Statement>",
    "<https://w3id.org/provenance-tracker/ns#Report>",
    "<https://w3id.org/provenance-tracker/ns#Source>",
    "<http://www.w3.org/ns/prov#Agent>",
]


def _nquads() -> list[list[str]]:
    """The N-Quads of :data:`VALID` as [subject, predicate, object, graph] terms."""
    out = []
    for line in rdf_serialisation("nq").decode().splitlines():
        body = line.strip().removesuffix(" .")
        if body:
            rest, _, graph = body.rpartition(" ")  # every line is in the document's graph
            out.append([*rest.split(" ", 2), graph])
    return out


@st.composite
def rewired_nquads(draw: st.DrawFn) -> bytes:
    """Valid N-Quads of :data:`VALID` with triples dropped, doubled or their object,
    subject or graph replaced: RDF that parses but breaks the model in every way."""
    quads = _nquads()
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(quads) - 1))
        action = draw(st.sampled_from(["drop", "object", "subject", "graph", "copy"]))
        if action == "drop" and len(quads) > 1:
            del quads[i]
        elif action == "object":
            quads[i][2] = draw(st.sampled_from(OBJECTS))
        elif action == "subject":
            quads[i][0] = draw(st.sampled_from([o for o in OBJECTS if o.startswith(("<", "_"))]))
        elif action == "graph":
            quads[i][3] = draw(st.sampled_from(["", "<http://example.org/other>", "_:g"]))
        else:
            quads.append([t.replace("statement/s1", "statement/s9") for t in quads[i]])
    return "".join(" ".join(filter(None, q)) + " .\n" for q in quads).encode("utf-8")


@budget(12)
@given(rewired_nquads())
def test_rdf_that_parses_but_breaks_the_model_raises_only_the_projects_errors(
    payload: bytes,
) -> None:
    check_input_never_crashes(payload, "rewired.nq")


def check_nquads_on_the_bulk_path_never_crash(payload: bytes, name: str, block: int) -> None:
    """:func:`check_input_never_crashes` with the bulk path taken whatever the file's
    size, the file read in blocks of *block* bytes (the blocks the loader is sent)."""
    with mock.patch.object(bulk, "BULK_MIN_BYTES", 0), mock.patch.object(bulk, "_BLOCK", block):
        check_input_never_crashes(payload, name)


@budget(8)
@given(rewired_nquads(), st.sampled_from([64, 1000, 4 << 20]))
def test_rewired_nquads_on_the_bulk_path_raise_only_the_projects_errors(
    payload: bytes, block: int
) -> None:
    check_nquads_on_the_bulk_path_never_crash(payload, "rewired.nq", block)


@budget(10)
@given(st.lists(st.tuples(YAML_VALUES, st.sampled_from(SUFFIXES[:1] + ["json"])), min_size=2,
                max_size=3))
def test_several_random_files_in_one_batch_raise_only_the_projects_errors(
    files: list[tuple[Any, str]],
) -> None:
    with scratch() as tmp, seeded_store() as store:
        paths = []
        for index, (data, style) in enumerate(files):
            path = tmp / f"f{index}.yaml"
            path.write_text(to_yaml(data, style), "utf-8")
            paths.append(path)
        paths.append(tmp / "valid.yaml")
        paths[-1].write_text(yaml.safe_dump(VALID), "utf-8")
        library_entry_points(paths, store)
        cli_entry_points(paths, store)


@budget(10)
@given(mutated(VALID))
def test_the_bulk_path_raises_only_the_projects_errors_on_mutated_annotations(
    data: Any,
) -> None:
    with scratch() as tmp, seeded_store() as store:
        path = tmp / "mutated.yaml"
        path.write_text(to_yaml(data, "unicode"), "utf-8")
        with mock.patch.object(bulk, "BULK_MIN_BYTES", 0):
            library_entry_points([path], store)


# ===================================================================== regressions


def test_valid_base_documents_are_accepted() -> None:
    """The mutation bases are valid, so the mutations test what they claim to."""
    with scratch() as tmp:
        (tmp / "valid.yaml").write_text(yaml.safe_dump(VALID), "utf-8")
        ingest(tmp / "store", [tmp / "valid.yaml"])
        for fmt in RDF_SUFFIXES:
            (tmp / f"valid.{fmt}").write_bytes(rdf_serialisation(fmt))
            ingest(tmp / f"store-{fmt}", [tmp / f"valid.{fmt}"])
            assert answers(tmp / f"store-{fmt}") == answers(tmp / "store")


#: every property, for tests/fuzz_long.py: (name, strategy of argument tuples, check)
PROPERTIES: list[tuple[str, st.SearchStrategy[Any], Callable[..., None]]] = [
    ("definitions", st.tuples(corpora()), check_answers_satisfy_the_definitions),
    ("reingest", st.tuples(corpora()), check_reingest_changes_nothing),
    ("export-round-trip",
     st.tuples(corpora(), st.sampled_from(["trig", "nq", "jsonld", "ttl"])),
     check_export_round_trip),
    ("batching", corpora_and_orders(), check_batching_does_not_change_answers),
    ("bulk-path", st.tuples(corpora(), st.booleans()),
     check_bulk_path_answers_like_the_ordinary_path),
    ("fast-path", st.tuples(corpora()), check_fast_path_answers_like_the_reference),
    ("random-yaml",
     st.tuples(st.builds(lambda d, s: to_yaml(d, s).encode(), YAML_VALUES,
                         st.sampled_from(["plain", "unicode", "json"])),
               st.just("random.yaml")),
     check_input_never_crashes),
    ("mutated-yaml",
     st.tuples(st.builds(lambda d, s: to_yaml(d, s).encode(), mutated(VALID),
                         st.sampled_from(["plain", "unicode", "json"])),
               st.just("mutated.yaml")),
     check_input_never_crashes),
    ("random-bytes",
     st.tuples(st.one_of(st.binary(max_size=2000), st.text(max_size=600).map(str.encode)),
               st.sampled_from(SUFFIXES).map(lambda s: f"random{s}")),
     check_input_never_crashes),
    ("mutated-rdf", mutated_rdf().map(lambda c: (c[0], f"mutated.{c[1]}")),
     check_input_never_crashes),
    ("mutated-jsonld", st.tuples(mutated_jsonld(), st.just("mutated.jsonld")),
     check_input_never_crashes),
    ("rewired-nquads", st.tuples(rewired_nquads(), st.just("rewired.nq")),
     check_input_never_crashes),
    ("rewired-nquads-bulk",
     st.tuples(rewired_nquads(), st.just("rewired.nq"), st.sampled_from([64, 1000, 4 << 20])),
     check_nquads_on_the_bulk_path_never_crash),
]

assert len({name for name, _, _ in PROPERTIES}) == len(PROPERTIES)


def _refusal(text: str) -> str:
    from provenance.annotation import load_yaml_units

    with scratch() as tmp:
        path = tmp / "a.yaml"
        path.write_text(text, "utf-8")
        try:
            load_yaml_units(path)
        except ProvenanceError as exc:
            return str(exc)
    raise AssertionError("the file was accepted")


def test_a_control_character_in_yaml_is_an_input_error_with_its_line() -> None:
    assert _refusal("document: {id: a, publisher: b}\nsources: {b: {label: \"x\x7f\"}}\n") \
        .endswith("a.yaml:2: not YAML: unacceptable character #x007f: control characters "
                  "are not allowed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/name:os.system ''\n", "a.yaml:1: the YAML tag !!python/name:os.system"),
        ("document: !local {id: a}\n", "a.yaml:1: the YAML tag !local is not allowed"),
        ("x: 1\nsources: &s {b: *s}\n", "a.yaml:2: nested more than 64 levels deep"),
        ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
         + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 10)}]\n"
                   for p, k in zip("abcdef", "bcdefg", strict=True)),
         "aliases expand to more than 100,000 values"),
        ("document: {id: a, publisher: b, published: 2023-02-30}\n",
         "a.yaml:1: published: '2023-02-30' is not a valid date"),
        ("document: {id: a, publisher: b}\nsources: {b: {label: L, anonymous: !!bool maybe}}\n",
         "a.yaml:2: anonymous: 'maybe' is not a valid bool"),
    ],
    ids=["python-tag", "local-tag", "alias-in-itself", "alias-bomb", "impossible-date",
         "bad-explicit-type"],
)
def test_yaml_that_safe_loading_cannot_construct_is_an_input_error_with_its_line(
    text: str, expected: str
) -> None:
    assert expected in _refusal(text)


def test_an_impossible_date_outside_typed_fields_is_text(tmp_path: Path) -> None:
    from provenance.annotation import load_yaml_units

    path = tmp_path / "a.yaml"
    path.write_text(
        "document: {id: a, publisher: b}\nsources: {b: {label: 2023-02-30}}\n", "utf-8"
    )
    (unit,) = load_yaml_units(path)
    assert any(str(o) == "2023-02-30" for _, _, o in unit.triples)


def test_a_confidence_that_is_not_a_number_is_refused_by_the_schema() -> None:
    text = "\n".join([
        "document: {id: a, publisher: b}",
        "sources: {b: {label: B}}",
        "statements:",
        "  - {id: s, text: t, triple: [x, y, z], confidence: .nan}",
    ])
    assert _refusal(text + "\n").endswith(
        "a.yaml:4: statements[0].confidence: 'NaN' is not of type 'number'"
    )


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ('"<a b>"', "'a b' is not a valid IRI"),
        ('"<relative>"', "'relative' is not a valid IRI"),
        ("'http://example.org/\"x'", "'http://example.org/\"x' is not a valid IRI"),
        ('"ex:a b"', None),  # a space: text, minted into an IRI
        ('"bad:x"', "'not an iri <>x' is not a valid IRI"),
    ],
)
def test_a_triple_member_written_as_an_invalid_iri_is_refused_with_its_line(
    member: str, expected: str | None
) -> None:
    text = "\n".join([
        "prefixes: {ex: 'http://example.org/', bad: 'not an iri <>'}",
        "document: {id: a, publisher: b}",
        "sources: {b: {label: B}}",
        "statements:",
        "  - id: s",
        "    text: t",
        f"    triple: [x, y, {member}]",
    ]) + "\n"
    if expected is None:
        with scratch() as tmp:
            (tmp / "a.yaml").write_text(text, "utf-8")
            validate_files([tmp / "a.yaml"])
        return
    message = _refusal(text)
    assert "a.yaml:7: statements[0].triple: " + expected in message


def test_a_document_url_that_is_not_an_iri_is_refused_with_its_line() -> None:
    text = "document: {id: a, publisher: b, url: 'http://example.org/a b'}\n" \
        "sources: {b: {label: B}}\n"
    assert "a.yaml:1: document.url: 'http://example.org/a b' is not a valid IRI" in \
        _refusal(text)


@pytest.mark.parametrize(
    "node",
    [
        {"@id": "http://example.org/x", "http://example.org/p": {"@id": 'http://e.org/"q'}},
        {"@id": "http://example.org/x",
         "http://example.org/p": {"@value": "v", "@type": "http://example.org/a b"}},
    ],
    ids=["object", "datatype"],
)
def test_jsonld_with_an_iri_the_store_cannot_hold_is_an_input_error(node: dict) -> None:
    with scratch() as tmp, seeded_store() as store:
        path = tmp / "bad.jsonld"
        path.write_text(json.dumps(node), "utf-8")
        before = dump(store)
        result = run_cli("--store", str(store), "ingest", str(path))
        assert_clean_exit(result, codes=(2,))
        assert "is not a valid IRI" in result.stderr
        assert dump(store) == before


def test_an_error_quoting_a_line_break_stays_one_line() -> None:
    with scratch() as tmp:
        bad_name = tmp / "two\nlines\u2028.yaml"
        bad_name.write_text("document: [\n", "utf-8")
        jsonld = tmp / "iri.jsonld"
        jsonld.write_text(json.dumps(
            {"@id": "http://example.org/x", "http://example.org/p": {"@id": "x\x85y"}}
        ), "utf-8")
        for path, expected in [(bad_name, "two\\nlines\\u2028.yaml"), (jsonld, "x\\x85y")]:
            result = run_cli("--store", str(tmp / "store"), "ingest", str(path))
            assert_clean_exit(result, codes=(2,))
            assert expected in result.stderr


def test_rdflib_warnings_about_an_ill_typed_literal_never_reach_the_terminal() -> None:
    import subprocess
    import sys

    with scratch() as tmp:
        path = tmp / "typed.nt"
        path.write_text(
            "<https://w3id.org/provenance-tracker/id/source/x> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "X" .\n'
            "<https://w3id.org/provenance-tracker/id/source/x> <http://example.org/p> "
            '"abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', "utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "provenance", "--store", str(tmp / "store"), "ingest",
             str(path)],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Failed to convert" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"1 of 1 document(s) written to {tmp}/store"]


@pytest.mark.parametrize("value", ["nan", "NaN", "sNaN", "INF", "-Infinity"])
def test_a_confidence_that_is_no_number_is_refused_in_one_line(value: str) -> None:
    """rdflib reads "NaN"^^xsd:decimal as Python's Decimal does; pyshacl's range check
    on it raised decimal.InvalidOperation (found by the rewired N-Quads fuzz test)."""
    quads = _nquads()
    for q in quads:
        if q[1].endswith("#confidence>"):
            q[2] = f'"{value}"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    payload = "".join(" ".join(q) + " .\n" for q in quads)
    with scratch() as tmp, seeded_store() as store:
        path = tmp / "nan.nq"
        path.write_text(payload, "utf-8")
        with pytest.raises(ValidationError, match="confidence '.*' is not an xsd:decimal number"):
            validate_files([path], EmbeddedStore.open_read(store))
        before = dump(store)
        result = run_cli("--store", str(store), "ingest", str(path))
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1
        assert dump(store) == before
