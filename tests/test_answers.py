"""Kept whole-store answers equal answers computed from scratch, after any change.

Reference: ``single-source``, ``report`` and ``sources`` with the kept answers switched off
(:mod:`provenance.answers`). Hypothesis draws sequences of changes (documents added,
replaced by another version, removed; a source relabelled; a raw SPARQL update) over
documents that share statements and sources, so one change reaches statements of
other documents; after each change both ways must give the same rows.
"""

from __future__ import annotations

import contextlib
import copy
import io
import marshal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sparql_library import graph_writes, random_corpus

from provenance import answers as answers_module
from provenance import bulk, index, keeper
from provenance.cli import cli as main
from provenance.errors import InputError
from provenance.store import EmbeddedStore, GraphWrite
from provenance.tracker import Tracker

ROOT = Path(__file__).resolve().parent.parent


def _variants() -> list[dict[str, Any]]:
    """Document versions over four document ids, four statement ids and one source pool."""
    out = []
    for seed in range(12):
        for d, doc in enumerate(random_corpus(seed)):
            doc = copy.deepcopy(doc)
            doc["document"]["id"] = f"d{(seed + d) % 4}"
            specs = {}
            for spec in doc["statements"]:
                spec["id"] = f"s{int(spec['id'].rsplit('x', 1)[1]) % 4}"
                spec["text"] = f"Claim {spec['id']} (version {seed})"
                specs.setdefault(spec["id"], spec)
            doc["statements"] = list(specs.values())
            out.append(doc)
    return out


VARIANTS = _variants()


def _answers(path: Path, kept: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as m:
        if not kept:
            m.setattr(answers_module.Answers, "open", classmethod(lambda cls, b, k: None))
        store = EmbeddedStore.open_read(path)
        try:
            tracker = Tracker(store)
            return tracker.single_source(), tracker.report(), tracker.sources()
        finally:
            store.close()


def _write(path: Path, writes: list[GraphWrite]) -> None:
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs(writes)


def _update(path: Path, text: str) -> None:
    result = CliRunner().invoke(main, ["--store", str(path), "sparql", "--update", text])
    assert result.exit_code == 0, result.output


def _same(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    reference = _answers(path, False, monkeypatch)
    assert _answers(path, True, monkeypatch) == reference
    return reference


def _relabelled(doc: dict[str, Any], n: int) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for sid, spec in doc["sources"].items():
        spec["label"] = f"Source {sid}, relabelled {n}"
    return doc


def _bulk(folder: Path, path: Path, doc: dict[str, Any]) -> None:
    """*doc* ingested through the bulk path (whole or not at all)."""
    folder.mkdir(parents=True)
    (folder / "doc.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with EmbeddedStore.open_write(path) as store:
        with contextlib.suppress(InputError):  # e.g. a statement's text differs: refused
            bulk.bulk_ingest(store, [folder / "doc.yaml"])


def _eight_documents(tmp_path: Path) -> Path:
    """A store of the documents of the first eight variants (one version of each)."""
    path = tmp_path / "store"
    _write(path, graph_writes(tmp_path / "a", list({v["document"]["id"]: v
                                                    for v in VARIANTS[:8]}.values())))
    return path


CHANGE = st.tuples(st.sampled_from(["write", "write", "drop", "relabel", "update", "bulk"]),
                   st.integers(0, len(VARIANTS) - 1))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=st.lists(st.integers(0, len(VARIANTS) - 1), min_size=1, max_size=4),
       changes=st.lists(CHANGE, min_size=1, max_size=5), writer=st.booleans())
def test_kept_answers_equal_fresh_answers_after_any_change(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    first: list[int], changes: list[tuple[str, int]], writer: bool,
) -> None:
    """*writer*: whole-store answers are written by the writer process (as from
    twenty thousand statements on), the touched terms retired there."""
    monkeypatch.setattr(answers_module, "CHILD", 1 if writer else answers_module.CHILD)
    folder = tmp_path_factory.mktemp("answers")
    path = folder / "store"
    docs = {VARIANTS[i]["document"]["id"]: VARIANTS[i] for i in first}
    _write(path, graph_writes(folder / "0", list(docs.values())))
    _answers(path, True, monkeypatch)  # keeps them
    for step, (change, i) in enumerate(changes, 1):
        doc = VARIANTS[i]
        if change == "write":
            _write(path, graph_writes(folder / str(step), [doc]))
        elif change == "bulk":
            _bulk(folder / f"bulk{step}", path, doc)
        elif change == "relabel":
            _write(path, graph_writes(folder / str(step), [_relabelled(doc, step)]))
        elif change == "drop":
            with EmbeddedStore.open_write(path) as store:
                store.drop_graphs([w.graph for w in graph_writes(folder / str(step), [doc])])
        else:  # a raw update into a graph of its own, then the same graph dropped again
            _update(path, f"INSERT DATA {{ GRAPH <urn:x:{step}> {{ "
                       "<urn:x:r> <https://w3id.org/provenance-tracker/ns#statement> "
                       "<https://w3id.org/provenance-tracker/id/statement/s0> } }")
        _same(path, monkeypatch)


def _recorded_analyses(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The statements each analysis is asked for (None: the whole store), from now on."""
    asked: list[Any] = []
    original = Tracker._fast_analyses

    def recording(self: Tracker, wanted: Any, cutoff: Any = None) -> Any:
        asked.append(wanted)
        return original(self, wanted, cutoff)

    monkeypatch.setattr(Tracker, "_fast_analyses", recording)
    return asked


#: One more document: it relays s1 (with its own chain) and states a new claim.
EXTRA = {
    "document": {"id": "extra", "title": "extra", "publisher": "pubX"},
    "sources": {"pubX": {"label": "Publisher X"}, "offX": {"label": "Official X"}},
    "statements": [
        {"id": "s1", "text": "Claim s1", "triple": ["a", "b", "c"],
         "according_to": [["offX"]]},
        {"id": "new", "text": "A new claim", "triple": ["x", "y", "z"],
         "according_to": [["offX"]]},
    ],
}


#: The same, relaying s2 as the store states it (s1 has two texts: a bulk load refuses it).
EXTRA_S2 = copy.deepcopy(EXTRA)
EXTRA_S2["statements"][0].update(id="s2", text="Claim s2 (version 2)")


def _single_source_recorded(path: Path, monkeypatch: pytest.MonkeyPatch
                            ) -> tuple[list[Any], list[Any]]:
    """``single-source`` of the store, and the statements each analysis was asked for."""
    asked = _recorded_analyses(monkeypatch)
    store = EmbeddedStore.open_read(path)
    try:
        return Tracker(store).single_source(), asked
    finally:
        store.close()


def test_one_more_document_recomputes_only_the_statements_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers kept for the documents d0 to d3; a fifth that relays one of their statements
    (s1, with its own chain) recomputes s1 and its own statement only."""
    docs = list({v["document"]["id"]: v for v in VARIANTS[:8]}.values())
    _write(tmp_path / "store", graph_writes(tmp_path / "a", docs))
    before = _same(tmp_path / "store", monkeypatch)
    _write(tmp_path / "store", graph_writes(tmp_path / "b", [EXTRA]))
    single, asked = _single_source_recorded(tmp_path / "store", monkeypatch)
    ids = [sorted(w.rsplit("/", 1)[1] for w in wanted) for wanted in asked]
    assert ids == [["new", "s1"]]
    monkeypatch.undo()
    after = _same(tmp_path / "store", monkeypatch)
    assert single == after[0]
    assert after != before
    assert {r["statement"] for r in single} >= {"new"}  # rests on the one official


@pytest.mark.parametrize("how", ["written", "bulk-loaded"])
@pytest.mark.parametrize(("share", "asked_for"), [(2, [["new", "s2"]]), (4, [None])])
def test_more_statements_to_recompute_than_a_share_of_the_kept_ones_recompute_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: int, asked_for: list[Any], how: str
) -> None:
    """Four statements kept; one more document touches two (s2 and its own). Up to
    4 // share of them (at least LIMIT) are fetched one by one: two with a share of 2;
    with 4 the limit is one, so the whole store is read again (asked for as None).
    A bulk load decides as it commits: it keeps the answers and notes what it
    touched, or drops them."""
    docs = list({v["document"]["id"]: v for v in VARIANTS[:8]}.values())
    _write(tmp_path / "store", graph_writes(tmp_path / "a", docs))
    _same(tmp_path / "store", monkeypatch)
    monkeypatch.setattr(answers_module, "LIMIT", 1)
    monkeypatch.setattr(answers_module, "SHARE", share)
    if how == "written":
        _write(tmp_path / "store", graph_writes(tmp_path / "b", [EXTRA_S2]))
    else:
        _bulk(tmp_path / "b", tmp_path / "store", EXTRA_S2)
    single, asked = _single_source_recorded(tmp_path / "store", monkeypatch)
    assert [sorted(w.rsplit("/", 1)[1] for w in wanted) if wanted is not None else None
            for wanted in asked] == asked_for
    monkeypatch.undo()
    assert single == _same(tmp_path / "store", monkeypatch)[0]
    assert "new" in {row["statement"] for row in single}


def test_a_bulk_load_that_cannot_read_what_it_touched_drops_the_answers_and_still_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import index

    docs = list({v["document"]["id"]: v for v in VARIANTS[:8]}.values())
    _write(tmp_path / "store", graph_writes(tmp_path / "a", docs))
    _same(tmp_path / "store", monkeypatch)

    def unreadable(*args: object) -> set[str]:
        raise OSError("Input/output error")

    monkeypatch.setattr(index, "_touched", unreadable)
    _bulk(tmp_path / "b", tmp_path / "store", EXTRA_S2)
    single, asked = _single_source_recorded(tmp_path / "store", monkeypatch)
    assert asked == [None]  # every answer computed again
    monkeypatch.undo()
    assert single == _same(tmp_path / "store", monkeypatch)[0]
    assert "new" in {row["statement"] for row in single}


def test_sources_asked_again_reads_its_kept_answers_and_not_the_whole_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second ``sources`` analyses nothing and builds no whole-store tables: its
    counts are kept, and the sources are read through the citation index."""
    path = _eight_documents(tmp_path)
    asked = _recorded_analyses(monkeypatch)
    answers = []
    for _ in range(2):
        store = EmbeddedStore.open_read(path)
        answers.append(Tracker(store).sources())
        assert (getattr(store, "_indexed", None) is None) == (len(answers) == 2)
        store.close()
    assert asked == [None]  # the whole store once, then nothing
    assert answers[0] == answers[1]
    assert any(row["statements"] for row in answers[0])
    assert any(row["origin_of"] for row in answers[0])


def test_answers_are_not_kept_where_facts_sit_outside_hashed_graphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "store", graph_writes(tmp_path / "a", VARIANTS[:2]))
    _same(tmp_path / "store", monkeypatch)
    _update(tmp_path / "store",
               "INSERT DATA { <urn:x:r> <https://w3id.org/provenance-tracker/ns#statement> "
               "<https://w3id.org/provenance-tracker/id/statement/s0> }")
    store = EmbeddedStore.open_read(tmp_path / "store")
    assert answers_module.Answers.open(store, "single") is None
    store.close()
    _same(tmp_path / "store", monkeypatch)


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
@pytest.mark.parametrize("command", ["report", "single-source", "sources"])
def test_kept_answers_print_exactly_what_fresh_answers_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, fmt: str
) -> None:
    """Kept rows carry their JSON text: every format must still print the same bytes."""
    path = _eight_documents(tmp_path)
    args = ["--store", str(path), command, "--format", fmt]
    with monkeypatch.context() as m:
        m.setattr(answers_module.Answers, "open", classmethod(lambda cls, b, k: None))
        fresh = CliRunner().invoke(main, args)
    assert fresh.exit_code == 0, fresh.output
    first, kept = CliRunner().invoke(main, args), CliRunner().invoke(main, args)
    assert first.output == fresh.output
    assert kept.output == fresh.output


def test_rows_for_python_are_plain_dicts_without_their_json_text_computed_or_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows returned to Python, computed (and kept) or read back, do not also hold their
    JSON text (a million report rows: 0.8 GB more); printing them as JSON makes the same
    bytes all the same (the test above)."""
    path = _eight_documents(tmp_path)
    computed = _answers(path, True, monkeypatch)  # computed, and kept
    kept = _answers(path, True, monkeypatch)  # read back
    assert kept == computed == _answers(path, False, monkeypatch)
    for rows in (*computed[:2], *kept[:2]):  # single-source and report
        assert rows and all(type(row) is dict for row in rows)


def test_a_cited_term_that_becomes_a_report_recomputes_the_statements_citing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hand-written RDF: wire's report of s cites c, which is nothing yet (so G(s) is
    wire's report alone). A second graph makes c TASS's report of t, citing an official:
    s now rests on the official. c was in no kept answer's terms; the reports citing a
    touched term are touched too."""
    from provenance._names import PREFIXES
    from provenance.vocab import document_iri, report_iri, source_iri, statement_iri

    pt, prov, rdfs = PREFIXES["pt"], PREFIXES["prov"], PREFIXES["rdfs"]
    s, t = statement_iri("s"), statement_iri("t")
    wire, tass, official = (source_iri(x) for x in ("wire", "tass", "official"))
    p, c, o = report_iri("s", "wire"), report_iri("t", "tass"), report_iri("t", "official")

    def graph(name: str, reports: list[tuple[Any, Any, Any]], extra: list[str]) -> GraphWrite:
        doc = document_iri(name)
        lines = [f"<{doc}> a <{pt}Document> ; <{PREFIXES['schema']}publisher> <{wire}> ."]
        for report, statement, source in reports:
            lines += [f'<{statement}> a <{pt}Statement> ; <{pt}text> "{statement}" .',
                      f"<{report}> a <{pt}Report> ; <{pt}statement> <{statement}> ; "
                      f"<{prov}wasAttributedTo> <{source}> ; <{pt}appearsIn> <{doc}> .",
                      f'<{source}> a <{pt}Source> ; <{rdfs}label> "{source}" .']
        return GraphWrite(str(doc), lines + extra, name)

    path = tmp_path / "store"
    _write(path, [graph("first", [(p, s, wire)], [f"<{p}> <{prov}wasDerivedFrom> <{c}> ."])])
    single = _same(path, monkeypatch)[0]
    assert [r["rests_on"] for r in single if r["statement"] == "s"] == ["wire"]
    _write(path, [graph("second", [(c, t, tass), (o, t, official)],
                        [f"<{c}> <{prov}wasDerivedFrom> <{o}> ."])])
    single = _same(path, monkeypatch)[0]
    assert [r["rests_on"] for r in single if r["statement"] == "s"] == ["official"]


def test_a_document_changing_its_publisher_in_another_graph_recomputes_its_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hand-written RDF: the document (and its publisher) in one graph, wire's report
    appearing in it in another. While wire publishes the document, the report is
    wire's own voice (unattributed); once the first graph names another publisher, it
    is not. Neither the document nor the new publisher is a term of the kept answer."""
    from provenance._names import PREFIXES
    from provenance.vocab import document_iri, report_iri, source_iri, statement_iri

    pt, prov, sdo = PREFIXES["pt"], PREFIXES["prov"], PREFIXES["schema"]
    doc, s, r = document_iri("d"), statement_iri("s"), report_iri("s", "wire")
    wire, other = source_iri("wire"), source_iri("other")

    def document(publisher: str, version: str) -> GraphWrite:
        return GraphWrite(str(doc), [f"<{doc}> a <{pt}Document> ; <{sdo}publisher> "
                                     f"<{publisher}> ."], version)

    report = GraphWrite("urn:x:reports", [
        f'<{s}> a <{pt}Statement> ; <{pt}text> "s" .',
        f"<{r}> a <{pt}Report> ; <{pt}statement> <{s}> ; <{prov}wasAttributedTo> <{wire}> ; "
        f"<{pt}appearsIn> <{doc}> .",
    ], "reports")
    path = tmp_path / "store"
    _write(path, [document(wire, "1"), report])
    rows = _same(path, monkeypatch)[1]
    assert [row["unattributed"] for row in rows] == [True]
    _write(path, [document(other, "2")])
    rows = _same(path, monkeypatch)[1]
    assert [row["unattributed"] for row in rows] == [False]


def _started_writers(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every writer process started from now on (whole-store answers of any size)."""
    monkeypatch.setattr(answers_module, "CHILD", 1)
    started: list[Any] = []
    start = answers_module._Writer.start.__func__

    def recording(cls: Any, *args: Any) -> Any:
        writer = start(cls, *args)
        started.append(writer)
        return writer

    monkeypatch.setattr(answers_module._Writer, "start", classmethod(recording))
    return started


@pytest.mark.parametrize("interpreter", [True, False])
def test_whole_store_answers_are_kept_whether_or_not_a_writer_process_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interpreter: bool
) -> None:
    """Written by a writer process; or, with no interpreter to start (an embedded
    Python), by this one (the start tried once per question)."""
    path = _eight_documents(tmp_path)
    fresh = _answers(path, False, monkeypatch)
    started = _started_writers(monkeypatch)
    if not interpreter:
        monkeypatch.setattr(sys, "executable", "")
    assert _answers(path, True, monkeypatch) == fresh  # computed, and kept
    if interpreter:
        assert [w.proc.returncode for w in started] == [0, 0, 0]
    else:
        assert started == [None, None, None]
    monkeypatch.undo()
    asked = _recorded_analyses(monkeypatch)
    assert _answers(path, True, monkeypatch) == fresh
    assert asked == []  # all three read back: nothing analysed again


def test_answers_are_returned_but_not_kept_when_the_writer_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _eight_documents(tmp_path)
    fresh = _answers(path, False, monkeypatch)
    _started_writers(monkeypatch)
    monkeypatch.setattr(answers_module, "_KEEPER", ("-c", "raise SystemExit(3)"))
    assert _answers(path, True, monkeypatch) == fresh
    monkeypatch.undo()
    asked = _recorded_analyses(monkeypatch)
    assert _answers(path, True, monkeypatch) == fresh
    assert asked == [None, None, None]  # none was kept: each computed again


def _kept_rows(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
        return db.execute("SELECT * FROM answer ORDER BY kind, statement").fetchall()


def _keep(path: Path, monkeypatch: pytest.MonkeyPatch, frames: list[Any]) -> int:
    """What the writer process does with the frames *frames* on its input."""
    data = b"".join(len(f).to_bytes(8, "little") + f for f in map(marshal.dumps, frames))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return keeper.main([str(path / index.FILE), "report", "text"])


def test_the_writer_waits_for_a_locked_index_as_long_as_the_store_says_then_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It waited a fixed 30 s, whatever PROVENANCE_LOCK_WAIT said."""
    path = _eight_documents(tmp_path)
    _answers(path, True, monkeypatch)
    before = _kept_rows(path)
    monkeypatch.setenv("PROVENANCE_LOCK_WAIT", "0.2")
    rows = [("urn:x:s1", ["urn:x:a"], {"text": "one"})]
    with contextlib.closing(sqlite3.connect(path / index.FILE, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process committing its answers
        started = time.monotonic()
        code = _keep(path, monkeypatch, [rows, {"touched": [], "named": None}])
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
    assert code == 2  # not kept: the question's answers are still right, only not kept
    assert waited < 20  # not the 30 s it waited before
    assert _kept_rows(path) == before


def test_the_writer_commits_only_once_it_has_the_last_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input that ends early (the computing process died) writes nothing; the whole of
    it replaces the kind's answers and retires the touched terms, in one transaction."""
    path = _eight_documents(tmp_path)
    _answers(path, True, monkeypatch)
    before = _kept_rows(path)
    rows = [("urn:x:s1", ["urn:x:a"], {"text": "one"}), ("urn:x:s2", ["urn:x:b"], None)]
    assert _keep(path, monkeypatch, []) == 1
    assert _keep(path, monkeypatch, [rows[:1], rows[1:]]) == 1
    assert _kept_rows(path) == before
    singles = [row for row in before if row[0] == "single"]
    touched = singles[0][1]  # a statement: its single-source answer is to compute again
    assert _keep(path, monkeypatch,
                 [rows[:1], rows[1:], {"touched": [touched], "named": [touched]}]) == 0
    after = _kept_rows(path)
    assert [(s, marshal.loads(terms), marshal.loads(row))
            for kind, s, terms, row in after if kind == "report"] == [
        ("urn:x:s1", ["urn:x:a"], (None, '  {\n    "text": "one"\n  }')),
        ("urn:x:s2", ["urn:x:b"], None)]
    assert ("single", touched, marshal.dumps([touched]), b"") in after
    assert len([row for row in after if row[0] == "single"]) == len(singles)


def test_a_whole_store_answer_that_fails_midway_keeps_nothing_and_ends_its_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _eight_documents(tmp_path)
    started = _started_writers(monkeypatch)
    render = Tracker._report_row
    done: list[Any] = []

    def failing(self: Tracker, proj: Any, a: Any) -> Any:
        if len(done) == 3:
            raise RuntimeError("interrupted")
        done.append(a.statement)
        return render(self, proj, a)

    monkeypatch.setattr(Tracker, "_report_row", failing)
    store = EmbeddedStore.open_read(path)
    with pytest.raises(RuntimeError, match="interrupted"):
        Tracker(store).report()
    store.close()
    assert len(started) == 1 and started[0].proc.returncode == 1  # cut off: rolled back
    assert not [row for row in _kept_rows(path) if row[0] == "report"]


class _Frames:
    """The writer's input, frame by frame, *probe* called just before the last one."""

    def __init__(self, frames: list[Any], probe: Any) -> None:
        self.frames = [len(f).to_bytes(8, "little") + f for f in map(marshal.dumps, frames)]
        self.probe, self.buf = probe, b""

    def read(self, n: int) -> bytes:
        if not self.buf and self.frames:
            if len(self.frames) == 1:
                self.probe()
            self.buf = self.frames.pop(0)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def test_the_index_is_not_locked_while_the_writer_waits_for_the_last_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of a question still running are staged aside: another process can read
    and write the index meanwhile (straight into it, they held its lock for as long as
    the question ran: a minute at a million statements, past other processes' wait)."""
    path = _eight_documents(tmp_path)
    _answers(path, True, monkeypatch)
    before = _kept_rows(path)
    probed: list[int] = []

    def probe() -> None:
        with contextlib.closing(sqlite3.connect(path / index.FILE, timeout=0,
                                                isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if the writer held it
            probed.append(other.execute("SELECT count(*) FROM answer").fetchone()[0])
            other.execute("ROLLBACK")

    rows = [(f"urn:x:s{i}", ["urn:x:a"], {"text": "x" * 1000}) for i in range(2000)]
    stream = _Frames([rows[:1000], rows[1000:], {"touched": [], "named": None}], probe)
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": stream})())
    assert keeper.main([str(path / index.FILE), "report", "text"]) == 0
    assert probed == [len(before)]  # the index as it was, until the last frame came
    after = _kept_rows(path)
    assert [row[1] for row in after if row[0] == "report"] == sorted(r[0] for r in rows)
    assert [row for row in after if row[0] != "report"] == [
        row for row in before if row[0] != "report"]


def _held_writers(monkeypatch: pytest.MonkeyPatch, go: Path) -> list[Any]:
    """Writers started from now on, each of which begins only once the file *go*
    exists (or after 60 s)."""
    started = _started_writers(monkeypatch)
    hold = (f"import os, sys, time; t = time.monotonic() + 60\n"
            f"while not os.path.exists({str(go)!r}) and time.monotonic() < t: time.sleep(0.01)\n"
            f"from provenance.keeper import main; sys.exit(main())")
    monkeypatch.setattr(answers_module, "_KEEPER", ("-c", hold))
    return started


def test_a_question_asked_in_a_with_block_returns_before_its_answers_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer commits while the caller goes on (the command line prints the rows
    meanwhile: 2 to 3 s at a million report rows); leaving the block waits for it."""
    path = _eight_documents(tmp_path)
    fresh = _answers(path, False, monkeypatch)
    go = tmp_path / "go"
    started = _held_writers(monkeypatch, go)
    store = EmbeddedStore.open_read(path)
    try:
        with Tracker(store) as tracker:
            assert tracker.report() == fresh[1]
            assert [w.proc.poll() for w in started] == [None]  # still running
            assert not [row for row in _kept_rows(path) if row[0] == "report"]
            assert tracker.single_source() == fresh[0]
            go.touch()
        assert [w.proc.returncode for w in started] == [0, 0]
        with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
            db.execute("DELETE FROM answer WHERE kind = 'report'")
            db.commit()
        assert tracker.report() == fresh[1]  # after the block: kept before it returns
        assert [w.proc.returncode for w in started] == [0, 0, 0]
    finally:
        store.close()
    monkeypatch.undo()
    asked = _recorded_analyses(monkeypatch)
    assert _answers(path, True, monkeypatch) == fresh
    assert asked == [None]  # single-source and report read back; sources computed


def test_a_question_asked_outside_a_with_block_returns_once_its_answers_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _eight_documents(tmp_path)
    started = _held_writers(monkeypatch, tmp_path / "go")
    (tmp_path / "go").touch()
    store = EmbeddedStore.open_read(path)
    try:
        Tracker(store).report()
        assert [w.proc.returncode for w in started] == [0]
        assert [row for row in _kept_rows(path) if row[0] == "report"]
    finally:
        store.close()


def test_a_report_whose_printing_fails_still_keeps_its_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`provenance report | head` closes the pipe early: the rows were right, so the
    writer still commits them before the command ends."""
    path = _eight_documents(tmp_path)
    started = _held_writers(monkeypatch, tmp_path / "go")
    (tmp_path / "go").touch()

    def closed(*args: Any, **kwargs: Any) -> None:
        raise BrokenPipeError

    monkeypatch.setattr("provenance.cli._echo", closed)
    result = CliRunner().invoke(main, ["--store", str(path), "report"])
    assert result.exit_code == 0 and result.stderr == ""
    assert [w.proc.returncode for w in started] == [0]
    assert [row for row in _kept_rows(path) if row[0] == "report"]


def test_answers_that_could_not_be_kept_are_said_so_once_the_rows_are_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a writer that failed (a full disk, an index locked too long) left no
    trace: each run computed every answer again, and nobody knew why."""
    path = _eight_documents(tmp_path)
    expected = CliRunner().invoke(main, ["--store", str(path), "report", "--format", "json"])
    assert expected.exit_code == 0 and expected.stderr == ""  # computed and kept: no note
    with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
        db.execute("DELETE FROM answer")
        db.commit()
    started = _started_writers(monkeypatch)
    monkeypatch.setattr(answers_module, "_KEEPER", ("-c", "raise SystemExit(3)"))
    for command in (["report"], ["single-source"]):
        result = CliRunner().invoke(main, ["--store", str(path), *command, "--format", "json"])
        assert result.exit_code == 0
        name = command[0]
        assert result.stderr == (
            f"note: the answers of `{name}` could not be kept in {path / index.FILE} (a full "
            "disk, a folder that cannot be written, or the index locked too long): the "
            f"next `{name}` computes them again\n")
    assert result.stdout and [w.proc.returncode for w in started] == [3, 3]
    assert CliRunner().invoke(main, ["--store", str(path), "report", "--format", "json"]
                              ).stdout == expected.stdout
    monkeypatch.undo()  # written here, by this process (fewer than CHILD answers)
    monkeypatch.setattr(answers_module, "write_answers", lambda *args, **kwargs: False)
    result = CliRunner().invoke(main, ["--store", str(path), "sources"])
    assert result.exit_code == 0 and "answers of `sources` could not be kept" in result.stderr
    assert not _kept_rows(path)


def _tamper(path: Path, code: bytes | None) -> None:
    """Change every kept single-source answer (as another version might have computed
    it), and note *code* as the code that kept them (None: leave the note)."""
    with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
        db.execute("UPDATE answer SET row = ? WHERE kind = 'single'",
                   (marshal.dumps((None, '{"statement": "made up"}')),))
        if code is not None:
            db.execute("UPDATE meta SET value = ? WHERE key = 'answers'", (code,))
        db.commit()


def test_answers_kept_by_another_version_of_the_code_are_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade (or a fix) may answer differently on the same graphs: what an older
    version kept must not be served as this one's answer."""
    path = _eight_documents(tmp_path)
    fresh = _answers(path, False, monkeypatch)
    assert _answers(path, True, monkeypatch) == fresh  # computed, then kept
    _tamper(path, None)
    served = _answers(path, True, monkeypatch)[0]  # the same code: what it kept is served
    assert served and all(row == {"statement": "made up"} for row in served)
    _tamper(path, b"another version")
    assert _answers(path, True, monkeypatch) == fresh
    assert _answers(path, True, monkeypatch) == fresh  # and kept again


def test_an_index_of_version_7_keeps_its_rows_and_drops_its_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No code is noted for the answers an index of version 7 kept."""
    path = _eight_documents(tmp_path)
    fresh = _answers(path, False, monkeypatch)
    _answers(path, True, monkeypatch)
    _tamper(path, None)
    with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
        db.execute("DROP TABLE meta")
        db.execute("PRAGMA user_version = 7")
        db.commit()
        graphs = db.execute("SELECT name, hash, facts, more FROM graph ORDER BY name").fetchall()
    asked = _recorded_analyses(monkeypatch)
    assert _answers(path, True, monkeypatch) == fresh
    assert asked == [None, None, None]  # every kind computed again
    with contextlib.closing(sqlite3.connect(path / index.FILE)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == index._VERSION
        assert db.execute("SELECT name, hash, facts, more FROM graph ORDER BY name"
                          ).fetchall() == graphs  # not read again from the store
