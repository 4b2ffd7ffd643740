"""Ingest: files -> checked units -> one atomic write to the store.

Everything is validated before anything is written (schema, references, SHACL);
a batch of several files is written in one transaction, so a failed ingest leaves
the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from rdflib import RDF, Graph, URIRef

from .annotation import Unit, annotation_to_unit, load_yaml_units
from .errors import InputError, ValidationError
from .rdfio import SUPPORTED_SUFFIXES, YAML_SUFFIXES, load_rdf_units
from .resources import shapes_path
from .store import Backend, GraphWrite
from .vocab import PT, local_id

__all__ = ["IngestResult", "collect_files", "load_units", "validate_units", "ingest_files"]

Status = Literal["added", "replaced", "unchanged"]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one document graph."""

    graph: str
    where: str
    status: Status
    triples: int
    note: str | None = None


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into the supported files they hold (sorted, not recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not found:
                raise InputError(
                    f"{path}: no supported file in this folder "
                    f"({', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    # A file named twice (`seeds/ seeds/a.yaml`) is read once.
    seen: set[Path] = set()
    unique = []
    for file in files:
        if file.resolve() not in seen:
            seen.add(file.resolve())
            unique.append(file)
    return unique


TEXT_SUFFIXES = {".txt"}


def _extracted_unit(path: Path) -> Unit:
    """Run the extractor on an article's text and check its annotation as if hand-written.

    The publisher gets an id of its own per article (``{document}-publisher``), so that
    unrelated articles do not share a voice.
    """
    from .extract import ExtractionError, extract
    from .vocab import slugify

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; convert it first (iconv -t UTF-8)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror}") from None
    document_id = slugify(path.stem) or "document"
    try:
        data = extract(text, document_id=document_id, publisher=f"{document_id}-publisher",
                       text_path=path.name)
    except ExtractionError as exc:
        raise InputError(f"{path}: {exc}") from None
    unit = annotation_to_unit(data, path)
    n = len(data.get("statements") or [])
    unit.note = (
        f"extracted {n} statement(s) from the text; review them with "
        f"`provenance extract {path} -o {path.stem}.yaml`"
    )
    return unit


def load_units(files: Sequence[Path]) -> list[Unit]:
    """Parse every file into units; raise on the first bad file."""
    units: list[Unit] = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix in YAML_SUFFIXES:
            units.extend(load_yaml_units(path))
        elif suffix in TEXT_SUFFIXES:
            units.append(_extracted_unit(path))
        elif suffix in SUPPORTED_SUFFIXES:
            units.extend(load_rdf_units(path))
        else:
            raise InputError(
                f"{path}: unsupported file type '{suffix}'; use YAML (.yaml), RDF "
                "(.ttl .trig .nt .nq .jsonld .rdf) or an article's plain text (.txt)"
            )
    seen: dict[URIRef, str] = {}
    for unit in units:
        if unit.graph in seen and seen[unit.graph] != unit.where:
            raise InputError(
                f"{unit.where}: document '{local_id(unit.graph)}' is also in {seen[unit.graph]}; "
                "a document id must be unique"
            )
        if unit.graph in seen:
            raise InputError(f"{unit.where}: document '{local_id(unit.graph)}' appears twice")
        seen[unit.graph] = unit.where
    return units


def _declared_in_store(store: Backend | None, iris: set[URIRef], replaced: set[str]) -> set[str]:
    """Which of *iris* have a label in a graph of the store this batch does not replace."""
    if store is None or not iris:
        return set()
    values = " ".join(f"<{i}>" for i in sorted(iris))
    rows = store.select(
        f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} "
        "GRAPH ?g { ?s rdfs:label ?l } }",
        union=False,
    )
    return {r["s"] for r in rows if r["g"] not in replaced}


def _store_context(store: Backend | None, iris: set[URIRef]) -> Graph:
    """The store's types and labels of *iris*, for SHACL to see what they are."""
    context = Graph()
    if store is None or not iris:
        return context
    values = " ".join(f"<{i}>" for i in sorted(iris))
    for row in store.select(
        # FILTER, not VALUES ?p: with VALUES Oxigraph scans every rdf:type triple of the
        # store (seconds in a large store, for what is a lookup of a few sources).
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o "
        "FILTER(?p IN (rdf:type, rdfs:label)) }"
    ):
        from rdflib import Literal

        obj: Any = URIRef(row["o"]) if row["p"] == str(RDF.type) else Literal(row["o"])
        context.add((URIRef(row["s"]), URIRef(row["p"]), obj))
    return context


@cache
def _shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


def _check_statement_texts(
    units: Sequence[Unit], store: Backend | None, replaced: set[str]
) -> None:
    """The same statement id must be the same claim: one text everywhere (pt:text is functional)."""
    texts: dict[str, tuple[str, str]] = {}
    for unit in units:
        for s, p, o in unit.triples:
            if p != PT.text:
                continue
            seen = texts.setdefault(str(s), (str(o), unit.where))
            if seen[0] != str(o):
                raise ValidationError(
                    f"{unit.where}: statement '{local_id(str(s))}' has another text in "
                    f"{seen[1]} ({seen[0]!r}); the same id must be the same claim: "
                    "use the same text or another id"
                )
    if store is None or not texts:
        return
    iris = sorted(texts)
    for start in range(0, len(iris), 500):
        values = " ".join(f"<{i}>" for i in iris[start : start + 500])
        rows = store.select(
            f"SELECT ?s ?t ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s pt:text ?t }} }}",
            union=False,
        )
        for row in rows:
            text, where = texts[row["s"]]
            if row["g"] not in replaced and row["t"] != text:
                raise ValidationError(
                    f"{where}: statement '{local_id(row['s'])}' already has another text in "
                    f"document '{local_id(row['g'])}' ({row['t']!r}); the same id must be the "
                    "same claim: use the same text or another id"
                )


def _conforms_quickly(units: Sequence[Unit], context: Graph) -> bool:
    """True when the bulk path's shape checker accepts the batch.

    The checker is the SHACL shapes in plain Python, tested to accept exactly what
    pyshacl accepts (tests/test_bulk.py); it spares a small ingest pyshacl's import
    (about 0.4 s, most of the time of one more document into a large store).
    """
    from rdflib import BNode
    from rdflib import Literal as RDFLiteral

    from .bulk import BNODE, IRI, LITERAL, ShapeChecker

    checker = ShapeChecker()
    for unit in units:
        for s, p, o in unit.triples:
            if isinstance(o, RDFLiteral):
                if o.ill_typed:  # rdflib has normalised its lexical form: let pyshacl judge
                    return False
                dt = str(o.datatype) if o.datatype is not None else None
                checker.add((str(s), str(p), str(o), LITERAL, dt, o.language))
            else:
                kind = BNODE if isinstance(o, BNode) else IRI
                checker.add((str(s), str(p), str(o), kind, None, None))
    for s, p, o in context:
        checker.add_context(str(s), str(p), str(o), IRI if isinstance(o, URIRef) else LITERAL)
    try:
        checker.check()
    except ValidationError:
        return False
    return True


def validate_units(units: Sequence[Unit], store: Backend | None = None) -> None:
    """Check references and SHACL shapes; raise :class:`ValidationError` on the first problem."""
    declared: set[URIRef] = set().union(*(u.declares for u in units)) if units else set()
    replaced = {str(u.graph) for u in units}
    needed = {iri: u for u in units for iri in u.needs}
    missing = set(needed) - declared
    missing -= {URIRef(i) for i in _declared_in_store(store, missing, replaced)}
    if missing:
        iri = min(missing)
        unit = needed[iri]
        raise ValidationError(
            f"{unit.needs[iri]}: source '{local_id(iri)}' is not declared; declare it under "
            "'sources:' in this file or in a file ingested with it or before it"
        )
    _check_statement_texts(units, store, replaced)
    context = _store_context(store, set(needed))
    if _conforms_quickly(units, context):
        return
    # Refused by the quick check: pyshacl, the reference, decides and words the message.
    import pyshacl

    _refuse_non_numbers(units)
    data = Graph()
    owner: dict[Any, Unit] = {}
    for unit in units:
        for triple in unit.triples:
            data.add(triple)
            owner.setdefault(triple[0], unit)
    data += context
    try:
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=_shapes(), advanced=False, inference="none", allow_warnings=True
        )
    except ArithmeticError as exc:  # a value rdflib cannot compare (see _refuse_non_numbers)
        raise ValidationError(
            f"the input holds a value the SHACL shapes cannot compare ({exc!r}); "
            "check its numbers") from None
    if conforms:
        return
    sh = "http://www.w3.org/ns/shacl#"
    for result in report.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = report.value(result, URIRef(sh + "focusNode"))
        message = report.value(result, URIRef(sh + "resultMessage"))
        path = report.value(result, URIRef(sh + "resultPath"))
        unit = owner.get(focus)
        where = unit.where if unit else "input"
        what = f"{local_id(str(focus))}"
        detail = message or f"violates the shape on {path}"
        raise ValidationError(f"{where}: {what}: {detail} (SHACL)")
    raise ValidationError("the input does not satisfy the SHACL shapes")


def _refuse_non_numbers(units: Sequence[Unit]) -> None:
    """Refuse an xsd:decimal that is no number ("NaN", "INF"): outside the type's lexical
    space, yet rdflib reads it as Python's Decimal does, and pyshacl's range checks then
    raise instead of answering (the bulk path's checker refuses it as out of range)."""
    from decimal import Decimal

    from rdflib import Literal as RDFLiteral
    from rdflib.namespace import XSD

    for unit in units:
        for s, p, o in unit.triples:
            if (isinstance(o, RDFLiteral) and o.datatype == XSD.decimal
                    and isinstance(o.value, Decimal) and not o.value.is_finite()):
                name = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                raise ValidationError(
                    f"{unit.where}: {local_id(str(s))}: {name} {str(o)!r} is not an "
                    "xsd:decimal number; write a finite decimal")


def _to_ntriples(unit: Unit) -> list[str]:
    return [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in unit.triples]


def ingest_files(store: Backend, paths: Iterable[Path],
                 progress: Callable[[int, int, str], None] | None = None) -> list[IngestResult]:
    """Validate every file, then write them all in one transaction.

    Re-ingesting an unchanged file changes nothing; a changed document replaces its
    graph. Raises :class:`InputError` (and writes nothing) on any bad input. A large
    batch tells *progress* (done, total, what) how far it is, as a
    :class:`~provenance.output.StatusLine` shows it.
    """
    files = collect_files(paths)
    from .bulk import bulk_ingest, wants_bulk

    if wants_bulk(store, files):  # large batches: streamed, checked, bulk-loaded, committed
        return bulk_ingest(store, files, progress)
    units = load_units(files)
    validate_units(units, store)
    known = store.graph_hashes([u.graph for u in units])
    results: list[IngestResult] = []
    writes: list[GraphWrite] = []
    for unit in units:
        graph = str(unit.graph)
        if known.get(graph) == unit.content_hash:
            results.append(
                IngestResult(graph, unit.where, "unchanged", len(unit.triples), unit.note)
            )
            continue
        status: Status = "replaced" if graph in known else "added"
        if status == "replaced" and _holds(store, unit):
            status = "unchanged"  # rewritten all the same: it records the new hash
        writes.append(GraphWrite(graph, _to_ntriples(unit), unit.content_hash))
        results.append(IngestResult(graph, unit.where, status, len(unit.triples), unit.note))
    store.write_graphs(writes)
    return results


def _holds(store: Backend, unit: Unit) -> bool:
    """Whether an embedded store's graph holds exactly the unit's triples already: the
    hash of a graph read from an RDF file with several graphs is the file's, so one
    changed document makes every other one look changed."""
    from .bulk import _from_rdflib, store_holds
    from .store import EmbeddedStore

    if not isinstance(store, EmbeddedStore):
        return False
    return store_holds(store.raw(), str(unit.graph), [_from_rdflib(t) for t in unit.triples])


def validate_files(paths: Iterable[Path], store: Backend | None = None) -> list[Unit]:
    """Check files as an ingest would, without writing anything."""
    units = load_units(collect_files(paths))
    validate_units(units, store)
    return units


__all__ += ["validate_files"]
