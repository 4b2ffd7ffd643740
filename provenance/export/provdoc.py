"""``prov-json`` and ``provn``: the graph as a W3C PROV document, through the ``prov`` package.

Statements and reports are entities (``prov:type`` ``pt:Statement`` / ``pt:Report``),
sources are agents; a report is attributed to its source (``wasAttributedTo``),
cites with ``wasDerivedFrom`` and names its statement and documents with ``pt:``
attributes; a source acts for its organisation (``actedOnBehalfOf``). The analysis
rides along as attributes of the :data:`PTA` namespace: ``pta:singleSource``,
``pta:independentSources``, ``pta:restsOn``, ``pta:circular``, ``pta:origin``,
``pta:critical``. The ``prov`` package reads both formats back.
"""

from __future__ import annotations

from typing import IO, Any

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

from ..errors import InputError
from ..vocab import ID, NS, PT
from .model import ExportSource

__all__ = ["PTA", "write", "to_prov", "BYTES_PER_NODE", "available_memory"]


class PTA(DefinedNamespace):
    """Analysis results written into PROV exports (derived, never ingested)."""

    _NS = Namespace("https://w3id.org/provenance-tracker/analysis#")
    _fail = True

    singleSource: URIRef
    independentSources: URIRef
    restsOn: URIRef
    circular: URIRef
    origin: URIRef
    critical: URIRef
    entry: URIRef


_PREFIXES = {
    "stmt": f"{ID}statement/",
    "rep": f"{ID}report/",
    "src": f"{ID}source/",
    "doc": f"{ID}document/",
}
_SOURCE_TYPES = {"person": "Person", "organization": "Organization"}


class _Names:
    """QualifiedNames for IRIs: our kinds get short prefixes, others one per base."""

    def __init__(self, document: Any):
        self.doc = document
        self.ns = {p: document.add_namespace(p, iri) for p, iri in _PREFIXES.items()}
        self.pt = document.add_namespace("pt", NS)
        self.pta = document.add_namespace("pta", str(PTA._NS))
        self._others: dict[str, Any] = {}

    def __call__(self, iri: str) -> Any:
        for prefix, base in _PREFIXES.items():
            if iri.startswith(base) and len(iri) > len(base):
                return self.ns[prefix][iri[len(base) :]]
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        base, local = iri[:cut], iri[cut:]
        if base not in self._others:
            self._others[base] = self.doc.add_namespace(f"ns{len(self._others) + 1}", base)
        return self._others[base][local]

    def term(self, uri: URIRef) -> Any:
        """A pt: or pta: term as a QualifiedName."""
        text = str(uri)
        if text.startswith(NS):
            return self.pt[text[len(NS) :]]
        return self.pta[text[len(str(PTA._NS)) :]]


def to_prov(source: ExportSource) -> Any:
    """The export graph as a :class:`prov.model.ProvDocument`."""
    from prov.constants import PROV, PROV_LABEL, PROV_TYPE
    from prov.model import ProvDocument

    X = source.graph
    document = ProvDocument()
    name = _Names(document)
    t = name.term
    iri_of = {n: d["iri"] for n, d in X.nodes(data=True)}
    documents: set[str] = set()
    for _, d in X.nodes(data=True):
        documents.update(d["document"].split())
    for doc in sorted(documents):
        document.entity(name(f"{ID}document/{doc}"), {PROV_TYPE: t(PT.Document)})
    for _, d in X.nodes(data=True):
        if d["kind"] == "statement":
            attrs: list[tuple[Any, Any]] = [
                (PROV_TYPE, t(PT.Statement)),
                (PROV_LABEL, d["label"]),
                (t(PTA.singleSource), d["single_source"]),
                (t(PTA.independentSources), d["independent_sources"]),
                (t(PTA.circular), d["circular"]),
            ]
            if d["rests_on"]:
                attrs.append((t(PTA.restsOn), name(f"{ID}source/{d['rests_on']}")))
            document.entity(name(d["iri"]), attrs)
        elif d["kind"] == "report":
            attrs = [
                (PROV_TYPE, t(PT.Report)),
                (PROV_LABEL, d["label"]),
                (t(PTA.origin), d["origin"]),
                (t(PTA.critical), d["critical"]),
                (t(PTA.circular), d["circular"]),
                (t(PTA.entry), d["entry"]),
            ]
            if d["statement"]:
                attrs.append((t(PT.statement), name(f"{ID}statement/{d['statement']}")))
            if d["cue"]:
                attrs.append((t(PT.cue), d["cue"]))
            attrs.extend(
                (t(PT.appearsIn), name(f"{ID}document/{doc}")) for doc in d["document"].split()
            )
            document.entity(name(d["iri"]), attrs)
        else:
            kind = _SOURCE_TYPES.get(d["type"])
            attrs = [
                (PROV_TYPE, t(PT.Source)),
                (PROV_LABEL, d["label"]),
                (t(PT.anonymous), d["anonymous"]),
            ]
            if kind:
                attrs.append((PROV_TYPE, PROV[kind]))
            document.agent(name(d["iri"]), attrs)
    for u, v, e in X.edges(data=True):
        a, b = name(iri_of[u]), name(iri_of[v])
        if e["kind"] == "cites":
            document.wasDerivedFrom(a, b, other_attributes={t(PTA.circular): e["circular"]})
        elif e["kind"] == "said_by":
            document.wasAttributedTo(a, b)
        elif e["kind"] == "acts_for":
            document.actedOnBehalfOf(a, b)
        # "asserts" edges are the reports' pt:statement attributes.
    return document


#: Peak memory of a PROV export per node of its graph: the ``prov`` package holds the
#: whole document (measured at 100k statements, 513,255 nodes: PROV-JSON 5.8 GB,
#: PROV-N 5.1 GB for the whole process), rounded up.
BYTES_PER_NODE = 12_000


def available_memory() -> int | None:
    """The memory the system says is available (Linux's MemAvailable), in bytes."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Serialise the PROV document as PROV-JSON or PROV-N (or refuse one that would not
    fit in the memory available: the ``prov`` package cannot write a document it does
    not hold whole)."""
    available = available_memory()
    if available is not None:
        size = source.node_count()
        if size * BYTES_PER_NODE > available:
            raise InputError(
                f"a {fmt} export of {size:,} nodes or more needs about "
                f"{size * BYTES_PER_NODE / 1e9:.1f} GB of memory and {available / 1e9:.1f} GB "
                "is available; export a part with --statement ID or --document ID, or the "
                "whole store as --format nq or trig"
            )
    document = to_prov(source)
    if fmt == "prov-json":
        out.write(document.serialize(format="json", indent=1).encode("utf-8"))
    else:
        out.write(document.get_provn().encode("utf-8"))
        out.write(b"\n")
