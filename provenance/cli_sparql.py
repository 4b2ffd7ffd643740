"""``provenance sparql``: run SPARQL on the store, or a query of the library, safely.

A thin layer over :mod:`provenance.sparql`; the core CLI loads it lazily.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["sparql_command"]

_FORMATS = ("table", "json", "csv", "tsv", "xml", "ttl", "nt", "jsonld", "trig")


def _read_query(query: str | None, file: Path | None, name: str | None) -> tuple[str, str]:
    """The query text and what error messages call it."""
    from .errors import InputError
    from .sparql import library_query

    given = [x for x in (query, file, name) if x is not None]
    if len(given) > 1:
        raise InputError("give the query one way: as text, with -f FILE, or with --query NAME")
    if name is not None:
        entry = library_query(name)
        return entry.text, entry.path.name
    if file is not None:
        if str(file) == "-":
            return sys.stdin.read(), "stdin"
        try:
            return file.read_text(encoding="utf-8"), str(file)
        except UnicodeDecodeError:
            raise InputError(f"{file}: not UTF-8 text; save the query as UTF-8") from None
    if query is not None and query != "-":
        return query, "query"
    if query == "-" or not sys.stdin.isatty():
        return sys.stdin.read(), "stdin"
    raise InputError(
        "no query: give it as an argument, with -f FILE, on standard input, or run a "
        "library query with --query NAME (see --list)"
    )


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    from .errors import InputError

    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise InputError(
                f"--param {pair!r}: write it as NAME=VALUE, e.g. statement=blinken-attends"
            )
        if name in out:
            raise InputError(f"--param {name} is given twice")
        out[name] = value
    return out


def _adhoc_kind(value: str) -> str:
    from .vocab import PREFIXES

    text = value.strip()
    prefix, sep, _ = text.partition(":")
    if text.startswith("<") or text.startswith(("http://", "https://", "urn:")):
        return "iri"
    if sep and prefix in PREFIXES and " " not in text:
        return "iri"
    return "string"


def _list_library() -> str:
    from .output import render_table
    from .sparql import library

    rows = [
        {
            "name": q.name,
            "parameters": " ".join(f"{p.name}={p.kind.upper()}" for p in q.params),
            "answers": q.title,
        }
        for q in library().values()
    ]
    return render_table(rows, ["name", "parameters", "answers"])


@click.command(name="sparql")
@click.argument("query", required=False)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the query from FILE ('-' for standard input).")
@click.option("--query", "-q", "name", metavar="NAME",
              help="Run the library query NAME (see --list).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (ids, IRIs or words for a library query's statement, "
              "source, document or entity parameters); repeatable. Bound as an RDF term, "
              "never pasted into the query.")
@click.option("--list", "list_", is_flag=True, help="List the library queries and exit.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="SELECT/ASK: table, json (SPARQL 1.1 Results JSON), csv, tsv, xml "
              "(default: table on a terminal, json otherwise). CONSTRUCT/DESCRIBE: ttl "
              "(default), nt, jsonld, trig.")
@click.option("--update", is_flag=True,
              help="Allow an update (INSERT, DELETE, LOAD, CLEAR, DROP...); read-only without it.")
@click.option("--allow-network", is_flag=True,
              help="Allow SERVICE, LOAD <url> and FROM <url>, which fetch from the network.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the query if it runs longer than this.")
@click.pass_obj
def sparql_command(
    state: Any,
    query: str | None,
    file: Path | None,
    name: str | None,
    params: tuple[str, ...],
    list_: bool,
    fmt: str | None,
    update: bool,
    allow_network: bool,
    timeout: float | None,
) -> None:
    """Run a SPARQL QUERY on the store (read-only unless --update).

    The query comes as an argument, from -f FILE, from standard input, or from the
    library with --query NAME. The prefixes pt, ptid, prov, rdf, rdfs, xsd, owl,
    schema, dcterms, foaf, wd and wdt are declared; every document's named graph is
    part of a query's default graph (an update sees the store's own default graph:
    write GRAPH ?g { ... } to reach the documents).

    \b
    Examples:
      provenance sparql 'SELECT ?s ?text WHERE { ?s a pt:Statement ; pt:text ?text }'
      provenance sparql -f examples/queries/single-origin.rq --format csv
      provenance sparql --query origins --param statement=blinken-attends
      provenance sparql --list
    """
    from . import sparql
    from .errors import InputError

    if list_:
        click.echo(_list_library())
        return
    text, where = _read_query(query, file, name)
    prepared = sparql.prepare(text, allow_update=update, allow_network=allow_network, name=where)
    if fmt is not None:
        allowed = sparql.GRAPH_FORMATS if prepared.form in ("CONSTRUCT", "DESCRIBE") else (
            sparql.RESULT_FORMATS)
        if not prepared.is_update and fmt not in allowed:
            raise InputError(
                f"--format {fmt} does not fit a {prepared.form} query; use one of "
                f"{', '.join(allowed)}"
            )
    raw = _params(params)
    if prepared.is_update:
        if raw:
            raise InputError("--param binds variables of queries, not of updates")
        if state.endpoint:
            sparql.execute(state.reader(), prepared, timeout=timeout)
        else:
            sparql.execute_embedded_update(state.store, prepared, timeout=timeout)
        click.echo(f"update applied to {state.location}", err=True)
        return
    backend = state.reader()
    bindings: dict[str, Any] = {}
    if raw:
        from .tracker import Tracker

        tracker = Tracker(backend)
        if name is not None:
            bindings = sparql.bind_params(sparql.library_query(name), raw, tracker)
        else:
            bindings = {
                k: sparql.parse_param_value(_adhoc_kind(v), v, tracker)  # type: ignore[arg-type]
                for k, v in raw.items()
            }
    elif name is not None:
        bindings = sparql.bind_params(sparql.library_query(name), {}, None)
    result = sparql.execute(backend, prepared, bindings, timeout=timeout)
    click.echo(result.render(fmt or result.default_format(sys.stdout.isatty())))
