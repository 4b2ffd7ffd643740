"""Running users' SPARQL on a store, safely: the library behind ``provenance sparql``.

A query goes through three steps, each usable on its own:

1. :func:`prepare` reads the query with a small SPARQL tokenizer and refuses what
   the user did not allow: an update (INSERT, DELETE, LOAD, CLEAR, DROP...) unless
   ``allow_update``; ``SERVICE``, ``LOAD`` and ``FROM``/``USING`` naming a graph that
   is not one of the store's unless ``allow_network`` (those make engines fetch from
   the network: pyoxigraph runs ``SERVICE`` by itself, Virtuoso may fetch a
   ``FROM <url>``). It then checks the syntax with Oxigraph's parser and reports an
   error as one line, ``NAME:LINE:COLUMN: ...``.
2. Parameters are bound without pasting text into the query: the embedded store
   gets them as pyoxigraph ``substitutions`` (SEP-0007); a remote store gets a
   ``VALUES`` block, built from escaped RDF terms, at the head of the query's outer
   ``WHERE`` group (:func:`inject_values`).
3. :func:`execute` runs it on a :class:`~provenance.store.Backend` and returns a
   :class:`Result` that renders itself as a table, SPARQL 1.1 Results JSON, CSV,
   TSV or XML (SELECT, ASK) or as Turtle, N-Triples, JSON-LD or TriG (CONSTRUCT,
   DESCRIBE). With a ``timeout`` an embedded query runs in a worker process that is
   killed when time is up: Oxigraph cannot be interrupted from another thread, so
   ending the process is what actually stops it (and, for an update, leaves the
   store as it was: the transaction is never committed). A remote query is given
   the same time on the socket, and Virtuoso is asked to stop its own work.

The query library (``provenance/queries/*.rq``) is read by :func:`library`.

Example
-------
>>> prepared = prepare("SELECT ?s WHERE { ?s a pt:Statement } LIMIT 1")
>>> prepared.form
'SELECT'
>>> execute(store, prepared).render("csv")                      # doctest: +SKIP
's\\r\\nhttps://w3id.org/provenance-tracker/id/statement/aid-tranches-face-hurdles\\r\\n'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .errors import InputError, StoreError
from .remote import QueryTimeout  # raised by remote stores too; re-exported here
from .store import Backend, EmbeddedStore
from .vocab import ID, PREFIXES

__all__ = [
    "QueryForm",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "SparqlSyntaxError",
    "QueryTimeout",
    "Prepared",
    "Result",
    "Param",
    "LibraryQuery",
    "prepare",
    "execute",
    "execute_embedded_update",
    "inject_values",
    "term_to_sparql",
    "library",
    "library_query",
    "parse_param_value",
]

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE"]
RESULT_FORMATS: tuple[str, ...] = ("table", "json", "csv", "tsv", "xml")
GRAPH_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld", "trig")

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


class SparqlSyntaxError(InputError):
    """A query that does not parse; the message is ``NAME:LINE:COLUMN: ...``."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line = line
        self.column = column


# --------------------------------------------------------------------- tokenizer

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:
        (?:[\w\-:%\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%]|\.(?=[\w\-:%]))*)
  | (?P<bnode>_:[\w.\-]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[^\W\d][\w]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


def _tokens(text: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            yield _Token(kind, match.group(), match.start())


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                 "WITH"}
_LOCAL_SCHEMES = ("urn:", "tag:", "uuid:")
_SERVER_SCHEMES = ("bif:", "sql:")  # Virtuoso: SQL functions on the server (http_get...)


@dataclass(frozen=True)
class _Scan:
    """What the tokenizer found in a query."""

    form: QueryForm
    prefixes: dict[str, str]  # declared by the query itself
    service: list[int] = field(default_factory=list)  # offsets
    load: list[int] = field(default_factory=list)
    remote_graphs: list[tuple[int, str]] = field(default_factory=list)
    server_functions: list[tuple[int, str]] = field(default_factory=list)
    unknown_prefixes: list[tuple[int, str]] = field(default_factory=list)
    update_words: list[tuple[int, str]] = field(default_factory=list)


def _is_local_graph(iri: str) -> bool:
    return iri.startswith(ID) or iri.lower().startswith(_LOCAL_SCHEMES)


def _scan(text: str) -> _Scan:
    """Scan *text*, and also its decoded form if it has codepoint escapes (\\u0053ERVICE).

    Whatever either reading finds is kept: no escape can hide a keyword from the
    checks (a finding only in the decoded text is placed at the first escape).
    """
    found = _scan_once(text)
    first = _UCHAR.search(text)
    if first is None:
        return found
    decoded = _scan_once(_unescape(text))
    at = first.start()

    def extra(mine: list[Any], theirs: list[Any]) -> list[Any]:
        if len(theirs) <= len(mine):
            return mine
        moved = [(at, *t[1:]) if isinstance(t, tuple) else at for t in theirs]
        return mine + moved[len(mine):]

    return _Scan(
        form="UPDATE" if "UPDATE" in (found.form, decoded.form) else found.form,
        prefixes=found.prefixes,
        service=extra(found.service, decoded.service),
        load=extra(found.load, decoded.load),
        remote_graphs=extra(found.remote_graphs, decoded.remote_graphs),
        server_functions=extra(found.server_functions, decoded.server_functions),
        unknown_prefixes=found.unknown_prefixes,
        update_words=extra(found.update_words, decoded.update_words),
    )


def _scan_once(text: str) -> _Scan:
    tokens = list(_tokens(text))
    # Codepoint escapes (\u0053ERVICE) are read as the characters they stand for,
    # everywhere but in strings: nothing can hide a keyword from the checks.
    words = [t.text.upper() if t.kind == "word" else None for t in tokens]
    prefixes: dict[str, str] = {}
    form: QueryForm | None = None
    scan_service: list[int] = []
    scan_load: list[int] = []
    remote: list[tuple[int, str]] = []
    server: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    updates: list[tuple[int, str]] = []

    def iri_at(i: int) -> str | None:
        if i >= len(tokens):
            return None
        tok = tokens[i]
        if tok.kind == "iri":
            return _unescape(tok.text[1:-1])
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            base = prefixes.get(prefix, PREFIXES.get(prefix))
            return None if base is None else base + local
        return None

    for i, tok in enumerate(tokens):
        word = words[i]
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname":
            name = tokens[i + 1].text.rstrip(":")
            if tokens[i + 2].kind == "iri":
                prefixes[name] = _unescape(tokens[i + 2].text[1:-1])
            continue
        if tok.kind == "pname":
            prefix = tok.text.partition(":")[0]
            if prefix not in prefixes and prefix not in PREFIXES:
                unknown.append((tok.start, prefix))
        if tok.kind in ("iri", "pname"):
            iri = iri_at(i)
            if iri and iri.lower().startswith(_SERVER_SCHEMES):
                server.append((tok.start, iri))
        if word is None:
            continue
        if form is None and (word in _QUERY_FORMS or word in _UPDATE_WORDS):
            form = word if word in _QUERY_FORMS else "UPDATE"  # type: ignore[assignment]
        if word in _UPDATE_WORDS:
            updates.append((tok.start, word))
        if word == "SERVICE":
            scan_service.append(tok.start)
        elif word == "LOAD":
            scan_load.append(tok.start)
        elif word in ("FROM", "USING"):
            j = i + 1
            if j < len(words) and words[j] == "NAMED":
                j += 1
            iri = iri_at(j)
            if iri is None or not _is_local_graph(iri):
                remote.append((tok.start, iri or (tokens[j].text if j < len(tokens) else "")))
        elif word == "DEFINE":  # Virtuoso pragmas (input:grab-*, get:soft) fetch URLs
            scan_service.append(tok.start)
    if updates and form != "UPDATE":
        form = "UPDATE"
    return _Scan(
        form=form or "SELECT",
        prefixes=prefixes,
        service=scan_service,
        load=scan_load,
        remote_graphs=remote,
        server_functions=server,
        unknown_prefixes=unknown,
        update_words=updates,
    )


# --------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Prepared:
    """A checked query, ready to run."""

    text: str
    form: QueryForm
    name: str = "query"
    prefixes: Mapping[str, str] = field(default_factory=dict)  # declared by the query
    uses_network: bool = False

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"

    def remote_text(self) -> str:
        """The text to send to a server: the project prefixes the query does not declare."""
        missing = "".join(
            f"PREFIX {p}: <{iri}> " for p, iri in PREFIXES.items() if p not in self.prefixes
        )
        # One line, so that the server's line numbers stay the user's.
        return missing + self.text


def _fail(name: str, text: str, offset: int, message: str, exc: type[InputError] = InputError
          ) -> InputError:
    line, column = _position(text, offset)
    if exc is SparqlSyntaxError:
        return SparqlSyntaxError(f"{name}:{line}:{column}: {message}", line, column)
    return exc(f"{name}:{line}:{column}: {message}")


def prepare(
    text: str,
    *,
    allow_update: bool = False,
    allow_network: bool = False,
    name: str = "query",
) -> Prepared:
    """Check *text* and return it prepared; raise :class:`InputError` if refused.

    *name* is what error messages call the query (a file name, ``query``, ``stdin``).

    >>> prepare("DROP ALL").form  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    provenance.errors.InputError: query:1:1: this is an update (DROP); ...
    """
    if not text.strip():
        raise InputError(f"{name}: the query is empty; give SPARQL text, -f FILE or --query NAME")
    scan = _scan(text)
    if scan.unknown_prefixes:
        offset, prefix = scan.unknown_prefixes[0]
        raise _fail(
            name, text, offset,
            f"SPARQL syntax error: unknown prefix '{prefix}:'; declare it "
            f"(PREFIX {prefix}: <...>) or use one of {', '.join(sorted(PREFIXES))}",
            SparqlSyntaxError,
        )
    if scan.form == "UPDATE" and not allow_update:
        offset, word = scan.update_words[0] if scan.update_words else (0, "update")
        raise _fail(name, text, offset,
                    f"this is an update ({word}); the store is read-only unless you pass --update")
    if not allow_network:
        for offset in scan.service:
            word = "DEFINE" if text[offset:offset + 6].upper() == "DEFINE" else "SERVICE"
            raise _fail(
                name, text, offset,
                f"{word} would make the query engine fetch from the network; pass "
                "--allow-network if you mean it",
            )
        for offset in scan.load:
            raise _fail(name, text, offset,
                        "LOAD fetches a document from the network; pass --allow-network "
                        "(and --update) if you mean it")
        for offset, iri in scan.remote_graphs:
            raise _fail(
                name, text, offset,
                f"<{iri}> is not a graph of the store (they are under {ID}); some engines "
                "fetch such a graph from the network: pass --allow-network if you mean it",
            )
        for offset, iri in scan.server_functions:
            raise _fail(name, text, offset,
                        f"<{iri}> runs SQL on a Virtuoso server (which may fetch from the "
                        "network); pass --allow-network if you mean it")
    uses_network = bool(scan.service or scan.load)
    if not uses_network:
        _check_syntax(text, scan.form, name)
    return Prepared(text, scan.form, name, scan.prefixes, uses_network)


_EXPECTED = re.compile(r'"([^"\\]+)"|\b([A-Z][A-Za-z]+)\b')


def _oxigraph_error(message: str) -> tuple[int, int, str]:
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not match:
        return 1, 1, message.splitlines()[0] if message else "invalid SPARQL"
    line, column, rest = int(match.group(1)), int(match.group(2)), match.group(3)
    expected = []
    for quoted, word in _EXPECTED.findall(rest.replace("expected one of", "").replace(
            "expected", "")):
        item = quoted or word
        if item and item not in expected:
            expected.append(item)
    hint = ", ".join(expected[:6]) + (", ..." if len(expected) > 6 else "")
    return line, column, f"expected {hint}" if hint else rest.splitlines()[0]


def _rdflib_position(text: str, form: QueryForm) -> tuple[int, int] | None:
    """Where rdflib's parser stops: the start of the construct that fails, when it fails."""
    try:
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

        (parseUpdate if form == "UPDATE" else parseQuery)(text)
    except Exception as exc:  # pyparsing.ParseException and friends
        line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
        if isinstance(line, int) and isinstance(col, int):
            return line, col
    return None


def _check_syntax(text: str, form: QueryForm, name: str) -> None:
    """Parse with Oxigraph (on an empty in-memory store); one-line error with position."""
    import pyoxigraph as ox

    try:
        if form == "UPDATE":
            ox.Store().update(text, prefixes=dict(PREFIXES))
        else:
            ox.Store().query(text, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        line, column, detail = _oxigraph_error(str(exc))
        # Oxigraph reports how far it got, which may be past the mistake; rdflib
        # stops at the start of the construct that fails. Show the earlier one.
        other = _rdflib_position(text, form)
        if other is not None and other < (line, column):
            line, column = other
            detail = ""  # Oxigraph's expectations were about its own, later position
        lines = text.splitlines() or [""]
        near = lines[min(line, len(lines)) - 1][max(column - 1, 0):].strip()[:30]
        where = f" near '{near}'" if near else " at the end"
        if near.startswith("/"):
            detail = "a prefixed name cannot hold '/': write the full <IRI> or escape it as \\/"
        hint = f" ({detail})" if detail else ""
        raise SparqlSyntaxError(
            f"{name}:{line}:{column}: SPARQL syntax error{where}{hint}", line, column
        ) from None


# --------------------------------------------------------------------- terms and binding


_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
          "\f": "\\f"}


def term_to_sparql(term: Any) -> str:
    """A pyoxigraph term as SPARQL text, escaped so that no value can change the query.

    >>> import pyoxigraph as ox
    >>> term_to_sparql(ox.Literal('say "hi" } DROP ALL {'))
    '"say \\\\"hi\\\\" } DROP ALL {"'
    """
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        if _IRI_FORBIDDEN.search(term.value):
            raise InputError(f"{term.value!r} is not a valid IRI (it has spaces, quotes or <>)")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        body = "".join(_ECHAR.get(c, c) for c in term.value)
        if term.language:
            return f'"{body}"@{term.language}'
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{body}"^^{term_to_sparql(term.datatype)}'
        return f'"{body}"'
    raise InputError(f"cannot bind {term!r}: only IRIs and literals can be parameters")


def _outer_group(text: str, form: QueryForm) -> int:
    """Offset just after the ``{`` that opens the query's outer WHERE group."""
    depth = 0
    seen_where = False
    groups = 0
    for tok in _tokens(text):
        word = tok.text.upper() if tok.kind == "word" else None
        if depth == 0 and word == "WHERE":
            seen_where = True
        if tok.text == "{":
            if depth == 0:
                groups += 1
                # CONSTRUCT { template } WHERE { ... }: the template is not the pattern.
                if seen_where or form != "CONSTRUCT" or groups == 2:
                    return tok.start + 1
            depth += 1
        elif tok.text == "}":
            depth -= 1
    raise InputError("cannot bind parameters: the query has no WHERE group")


def inject_values(prepared: Prepared, bindings: Mapping[str, Any]) -> str:
    """The query text with a ``VALUES`` block binding *bindings* at the head of its WHERE.

    The values are RDF terms written by :func:`term_to_sparql`; nothing the user
    typed is pasted as SPARQL. Used for remote stores (the embedded store binds
    through pyoxigraph's ``substitutions``).
    """
    if not bindings:
        return prepared.text
    if prepared.is_update:
        raise InputError("parameters can be bound in queries only, not in updates")
    names = sorted(bindings)
    for n in names:
        if not re.fullmatch(r"\w+", n):
            raise InputError(f"{n!r} is not a variable name")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_to_sparql(bindings[n]) for n in names)
    at = _outer_group(prepared.text, prepared.form)
    return f"{prepared.text[:at]} VALUES ({head}) {{ ({row}) }} {prepared.text[at:]}"


# --------------------------------------------------------------------- results


@dataclass
class Result:
    """The answer of a query, in one canonical form whatever the store.

    ``results`` is SPARQL 1.1 Results JSON (SELECT, ASK); ``ntriples`` is the graph
    of a CONSTRUCT or DESCRIBE; an update has neither.
    """

    form: QueryForm
    results: dict[str, Any] | None = None
    ntriples: bytes | None = None

    @property
    def variables(self) -> list[str]:
        return list((self.results or {}).get("head", {}).get("vars", []))

    @property
    def boolean(self) -> bool | None:
        return None if self.results is None else self.results.get("boolean")

    def rows(self) -> list[dict[str, str]]:
        """SELECT rows as variable -> lexical value (unbound variables left out)."""
        bindings = (self.results or {}).get("results", {}).get("bindings", [])
        return [{k: v["value"] for k, v in row.items()} for row in bindings]

    def formats(self) -> tuple[str, ...]:
        return GRAPH_FORMATS if self.ntriples is not None else RESULT_FORMATS

    def default_format(self, terminal: bool) -> str:
        if self.ntriples is not None:
            return "ttl"
        return "table" if terminal else "json"

    def render(self, fmt: str) -> str:
        """The answer as *fmt* (see :data:`RESULT_FORMATS` and :data:`GRAPH_FORMATS`)."""
        if fmt not in self.formats():
            kind = "a CONSTRUCT or DESCRIBE" if self.ntriples is not None else f"a {self.form}"
            raise InputError(
                f"--format {fmt} does not fit {kind} query; use one of {', '.join(self.formats())}"
            )
        if self.ntriples is not None:
            return _render_graph(self.ntriples, fmt)
        assert self.results is not None
        if fmt == "json":
            return json.dumps(self.results, indent=2, ensure_ascii=False)
        if fmt == "table":
            return self._table()
        import pyoxigraph as ox

        fmt_ = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                "xml": ox.QueryResultsFormat.XML}[fmt]
        parsed = ox.parse_query_results(
            json.dumps(self.results).encode("utf-8"), format=ox.QueryResultsFormat.JSON
        )
        return parsed.serialize(format=fmt_).decode("utf-8").rstrip("\r\n")

    def _table(self) -> str:
        from .output import render_table

        if self.boolean is not None:
            return "yes" if self.boolean else "no"
        bindings = (self.results or {}).get("results", {}).get("bindings", [])
        rows = [{k: _display(v) for k, v in row.items()} for row in bindings]
        if not rows:
            return "(no results)"
        return render_table(rows, self.variables) + f"\n({len(rows)} row{'s' * (len(rows) != 1)})"


def _display(binding: Mapping[str, str]) -> str:
    """A term for people: our IRIs as prefixed names, literals as their text."""
    value = binding["value"]
    if binding["type"] == "uri":
        best = max(
            ((p, iri) for p, iri in PREFIXES.items() if value.startswith(iri)),
            key=lambda pair: len(pair[1]),
            default=None,
        )
        return f"{best[0]}:{value[len(best[1]):]}" if best else f"<{value}>"
    if binding["type"] == "bnode":
        return f"_:{value}"
    return value


_RDF_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "trig": "TRIG"}


def _render_graph(ntriples: bytes, fmt: str) -> str:
    import pyoxigraph as ox

    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    target = getattr(ox.RdfFormat, _RDF_FORMATS[fmt])
    if fmt == "trig":
        data: Sequence[Any] = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    else:
        data = triples
    used = {
        p: iri for p, iri in PREFIXES.items() if p != "ptid" and any(
            isinstance(term, ox.NamedNode) and term.value.startswith(iri)
            for t in triples for term in (t.subject, t.predicate, t.object))
    }
    out = ox.serialize(data, format=target, prefixes=None if fmt == "nt" else used)
    return (out or b"").decode("utf-8").rstrip("\n")


# --------------------------------------------------------------------- executing


_Encoded = tuple[str, str, str, str | None, str | None]


def _encode_terms(bindings: Mapping[str, Any]) -> list[_Encoded]:
    import pyoxigraph as ox

    out = []
    for name, term in bindings.items():
        if isinstance(term, ox.NamedNode):
            out.append((name, "iri", term.value, None, None))
        elif isinstance(term, ox.Literal):
            out.append((name, "literal", term.value, term.datatype.value, term.language))
        else:
            raise InputError(f"cannot bind ?{name}: only IRIs and literals can be parameters")
    return out


def _decode_terms(encoded: Sequence[_Encoded]) -> dict[Any, Any]:
    import pyoxigraph as ox

    subs: dict[Any, Any] = {}
    for name, kind, value, datatype, language in encoded:
        if kind == "iri":
            term: Any = ox.NamedNode(value)
        elif language:
            term = ox.Literal(value, language=language)
        else:
            term = ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
        subs[ox.Variable(name)] = term
    return subs


def _run_oxigraph(store: Any, text: str, form: QueryForm, encoded: Sequence[Any]) -> Result:
    """Run on a pyoxigraph store; the answer in the canonical form of :class:`Result`."""
    import pyoxigraph as ox

    if form == "UPDATE":
        store.update(text, prefixes=dict(PREFIXES))
        return Result(form)
    answer = store.query(
        text,
        prefixes=dict(PREFIXES),
        use_default_graph_as_union=True,
        substitutions=_decode_terms(encoded) or None,
    )
    if isinstance(answer, ox.QueryBoolean):
        return Result(form, results={"head": {}, "boolean": bool(answer)})
    if isinstance(answer, ox.QuerySolutions):
        data = answer.serialize(format=ox.QueryResultsFormat.JSON)
        return Result(form, results=json.loads(data))
    data = ox.serialize(list(answer), format=ox.RdfFormat.N_TRIPLES)
    return Result(form, ntriples=data or b"")


def _worker(path: str, write: bool, text: str, form: QueryForm, encoded: Any, conn: Any,
            parent: int) -> None:
    """Body of the worker process: open the store, run, send the answer back; end
    if *parent* (the process waiting for the answer) is killed meanwhile."""
    from .lifeline import follow

    follow(parent)
    try:
        if write:
            with EmbeddedStore.open_write(Path(path)) as store:
                result = _run_oxigraph(store.raw(), text, form, encoded)
        else:
            reader = EmbeddedStore.open_read(Path(path))  # kept: it holds the readers' lock
            result = _run_oxigraph(reader.raw(), text, form, encoded)
        conn.send(("ok", result.form, result.results, result.ntriples))
    except Exception as exc:  # sent to the parent, which raises it as one line
        conn.send(("error", type(exc).__name__, str(exc), None))
    finally:
        conn.close()


def _in_worker(path: Path, write: bool, prepared: Prepared, encoded: Any, timeout: float) -> Result:
    import multiprocessing

    # "spawn": a fresh interpreter, so the worker shares no RocksDB handle or lock
    # with this process; killing it is the only way to stop Oxigraph mid-query.
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_worker,
        args=(str(path), write, prepared.text, prepared.form, encoded, send, os.getpid()),
        daemon=True,
    )
    from .lifeline import starting

    with starting():
        proc.start()
    send.close()
    try:
        if not receive.poll(timeout):
            proc.kill()
            proc.join()
            what = "update" if prepared.is_update else "query"
            undo = " (nothing was written)" if prepared.is_update else ""
            raise QueryTimeout(
                f"{prepared.name}: the {what} ran for more than {timeout:g} s and was "
                f"stopped{undo}; give it more time with --timeout SECONDS or make it narrower"
            )
        try:
            status, a, b, c = receive.recv()
        except EOFError:
            proc.join()
            raise StoreError(
                f"{prepared.name}: the query worker died (exit code {proc.exitcode})"
            ) from None
    finally:
        receive.close()
    proc.join()
    if status == "error":
        if a in ("InputError", "StoreError", "QueryTimeout"):
            raise (InputError if a == "InputError" else StoreError)(b)
        raise StoreError(f"{prepared.name}: the store failed to run it: {b}")
    return Result(a, results=b, ntriples=c)


def _store_error(prepared: Prepared, exc: Exception) -> StoreError:
    return StoreError(f"{prepared.name}: the store failed to run it: {exc}")


def execute(
    backend: Backend,
    prepared: Prepared,
    bindings: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = None,
) -> Result:
    """Run *prepared* on *backend* with *bindings* (variable name -> pyoxigraph term).

    An update needs an embedded store opened for writing (or a remote one); use
    :func:`execute_embedded_update` to let this module open it (and to stop a
    runaway update). Raises :class:`QueryTimeout` if *timeout* seconds pass.
    """
    bindings = dict(bindings or {})
    if prepared.is_update and bindings:
        raise InputError("parameters can be bound in queries only, not in updates")
    from .remote import RemoteStore

    if isinstance(backend, RemoteStore):
        return _execute_remote(backend, prepared, bindings, timeout)
    if not isinstance(backend, EmbeddedStore):
        raise TypeError(f"cannot run SPARQL on {backend!r}")
    encoded = _encode_terms(bindings)
    if timeout is not None and not prepared.is_update:
        return _in_worker(backend.path, False, prepared, encoded, timeout)
    if timeout is not None:
        raise InputError("use execute_embedded_update() to run an update with a timeout")
    try:
        return _run_oxigraph(backend.raw(), prepared.text, prepared.form, encoded)
    except SyntaxError as exc:
        line, column, detail = _oxigraph_error(str(exc))
        raise SparqlSyntaxError(f"{prepared.name}:{line}:{column}: {detail}", line, column
                                ) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise _store_error(prepared, exc) from None


def execute_embedded_update(path: Path, prepared: Prepared, *, timeout: float | None = None
                            ) -> Result:
    """Run an update on the embedded store at *path*, holding the writer's lock.

    With *timeout*, the update runs in a worker process that is killed when time
    is up; Oxigraph's transaction is then never committed and the store stays as it
    was.
    """
    from .index import forget

    # An update can change a graph without its pt:contentHash: the citation index,
    # which trusts that hash, is dropped before the update and again after it.
    forget(path)
    try:
        if timeout is not None:
            return _in_worker(path, True, prepared, [], timeout)
        with EmbeddedStore.open_write(path) as store:
            try:
                return _run_oxigraph(store.raw(), prepared.text, prepared.form, [])
            except (OSError, RuntimeError, ValueError, SyntaxError) as exc:
                raise _store_error(prepared, exc) from None
    finally:
        forget(path)


def _execute_remote(store: Any, prepared: Prepared, bindings: Mapping[str, Any],
                    timeout: float | None) -> Result:
    text = Prepared(inject_values(prepared, bindings), prepared.form, prepared.name,
                    prepared.prefixes).remote_text()
    if prepared.is_update:
        store.update(text, timeout=timeout)
        return Result("UPDATE")
    if prepared.form in ("SELECT", "ASK"):
        return Result(prepared.form, results=store.results(text, timeout=timeout))
    response = store.graph_query(text, timeout=timeout)
    return Result(prepared.form, ntriples=_to_ntriples(response.body, response.content_type,
                                                         store.endpoint))


_MEDIA_FORMATS = {
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
}


def _to_ntriples(body: bytes, content_type: str, url: str) -> bytes:
    import pyoxigraph as ox

    name = _MEDIA_FORMATS.get(content_type)
    if name is None:
        raise StoreError(f"the SPARQL endpoint {url} answered with {content_type or 'no type'}, "
                         "not RDF")
    try:
        triples = [q.triple if isinstance(q, ox.Quad) else q
                   for q in ox.parse(body, format=getattr(ox.RdfFormat, name))]
    except SyntaxError as exc:
        raise StoreError(f"the SPARQL endpoint {url} sent RDF that does not parse: {exc}"
                         ) from None
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


# --------------------------------------------------------------------- the library


ParamKind = Literal["statement", "source", "document", "entity", "iri", "string", "integer"]
_KINDS = ("statement", "source", "document", "entity", "iri", "string", "integer")


@dataclass(frozen=True)
class Param:
    """A parameter of a library query: a variable the caller binds."""

    name: str
    kind: ParamKind
    description: str


@dataclass(frozen=True)
class LibraryQuery:
    """One ``.rq`` file of the library, with what its header comment says."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path


_PARAM_LINE = re.compile(r"#\s+\?(\w+)\s+(\w+)\s+(.*)")


def _parse_library_file(path: Path) -> LibraryQuery:
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    params: list[Param] = []
    prose: list[str] = []
    in_params = False
    for line in header:
        body = line[1:].strip()
        if body.lower().startswith("parameters:"):
            in_params = True
            continue
        match = _PARAM_LINE.match(line)
        if in_params and match:
            kind = match.group(2)
            if kind not in _KINDS:
                raise ValueError(f"{path}: parameter ?{match.group(1)} has unknown kind {kind}")
            params.append(Param(match.group(1), kind, match.group(3).strip()))  # type: ignore[arg-type]
        elif not in_params:
            prose.append(body)
    title = prose[0] if prose else path.stem
    description = "\n".join(prose[1:]).strip()
    return LibraryQuery(path.stem, title, description, tuple(params), text, path)


@cache
def library() -> dict[str, LibraryQuery]:
    """The query library: name (file stem) -> :class:`LibraryQuery`, sorted by name."""
    return {p.stem: _parse_library_file(p) for p in sorted(QUERIES_DIR.glob("*.rq"))}


def library_query(name: str) -> LibraryQuery:
    """The library query called *name* (with or without ``.rq``)."""
    queries = library()
    key = name[:-3] if name.endswith(".rq") else name
    if key not in queries:
        raise InputError(
            f"no library query named {name!r}; choose one of: {', '.join(queries)} "
            "(see `provenance sparql --list`)"
        )
    return queries[key]


def parse_param_value(kind: ParamKind, value: str, tracker: Any) -> Any:
    """Turn a parameter as typed by a user into an RDF term (ids resolved by *tracker*)."""
    import pyoxigraph as ox

    from .vocab import entity_iri

    if kind == "statement":
        return ox.NamedNode(tracker.resolve_statement(value))
    if kind == "source":
        return ox.NamedNode(tracker.resolve_source(value))
    if kind == "document":
        return ox.NamedNode(tracker.resolve_document(value))
    if kind in ("entity", "iri"):
        value = value.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES and " " not in value and not local.startswith("//"):
            value = PREFIXES[prefix] + local
        elif kind == "entity" and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
            value = str(entity_iri(value))  # plain text, minted as ingest mints it
        term = ox.NamedNode(value) if not _IRI_FORBIDDEN.search(value) else None
        if term is None:
            raise InputError(f"{value!r} is not an IRI; give an IRI, a CURIE or text")
        return term
    if kind == "integer":
        try:
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))
        except ValueError:
            raise InputError(f"{value!r} is not an integer") from None
    return ox.Literal(value)


def bind_params(
    query: LibraryQuery, raw: Mapping[str, str], tracker: Any
) -> dict[str, Any]:
    """Check and convert ``--param NAME=VALUE`` pairs for a library query."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        expected = ", ".join(known) or "none"
        raise InputError(
            f"query {query.name!r} has no parameter {unknown[0]!r} (its parameters: {expected})"
        )
    missing = [p.name for p in query.params if p.name not in raw]
    if missing:
        p = known[missing[0]]
        raise InputError(
            f"query {query.name!r} needs --param {p.name}=VALUE ({p.kind}: {p.description})"
        )
    return {n: parse_param_value(known[n].kind, value, tracker) for n, value in raw.items()}


__all__ += ["bind_params", "QUERIES_DIR"]
