"""The ``provenance`` command: a thin click layer over :mod:`provenance.tracker`.

Each command parses its options, calls the library and renders the result with
:mod:`provenance.output`. Library errors are mapped to one-line messages and exit
codes in one place (:class:`_Group`). Heavy imports happen inside commands so that
``provenance --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click

from .errors import AmbiguousIdError, ProvenanceError

__all__ = ["cli", "main"]


class _Exit(click.ClickException):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.exit_code = code


# Commands defined in their own modules, imported only when used (fast start-up).
_LAZY_COMMANDS = {
    "sparql": "provenance.cli_sparql:sparql_command",
    "export": "provenance.cli_export:export_command",
    "generate": "provenance.cli_generate:generate_command",
    "extract": "provenance.extract_cli:extract_command",
    "evaluate": "provenance.extract_cli:evaluate_command",
}


class _Group(click.Group):
    """Maps the package's exceptions to one-line errors and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available_lazy()})

    @staticmethod
    def _available_lazy() -> list[str]:
        import importlib.util

        return [
            name
            for name, target in _LAZY_COMMANDS.items()
            if importlib.util.find_spec(target.split(":")[0]) is not None
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self._available_lazy():
            return command
        import importlib

        module, _, attr = _LAZY_COMMANDS[cmd_name].partition(":")
        loaded = getattr(importlib.import_module(module), attr)
        loaded.name = cmd_name
        return loaded

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._mapped(ctx)
        finally:
            if isinstance(ctx.obj, _State):
                ctx.obj.clear_status()  # before an error is printed, or on an interrupt

    def _mapped(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AmbiguousIdError as exc:
            lines = [f"  {ident}: {text}" for ident, text in exc.candidates]
            raise _Exit("\n".join([str(exc), *lines]), exc.exit_code) from None
        except ProvenanceError as exc:
            raise _Exit(_one_line(str(exc)), exc.exit_code) from None
        except BrokenPipeError:
            # Before the OSError below (that would be exit code 2), and not left to click
            # (which exits with 1): the same quiet 0 for every command, see _reader_gone
            _reader_gone()
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            raise _Exit(f"{exc.filename or 'input'}: {exc.strerror or exc}", 2) from None


def _reader_gone() -> None:
    """The reader of standard output went away (`provenance report | head`). That is
    not a failure: it had what it wanted, and a pipeline run with ``set -o pipefail``
    must not fail for it. So every command then exits with 0, without a traceback;
    what is still to be written (the flush at exit) goes to /dev/null."""
    import io

    with suppress(OSError, io.UnsupportedOperation):  # (no file descriptor: a test's)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _one_line(message: str) -> str:
    """*message* with its unprintable characters escaped: an error is one line even when
    it quotes a file name, an id or an IRI holding a line break (``\\n``, U+2028)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


class _State:
    def __init__(
        self, store: Path, endpoint: str | None = None, update_endpoint: str | None = None
    ):
        self.store = store
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.status: Any = None  # a StatusLine while a question runs on a terminal

    def clear_status(self) -> None:
        if self.status is not None:
            self.status.clear()

    @property
    def location(self) -> str:
        """Where the data is: the endpoint's URL or the store's folder."""
        return self.endpoint or str(self.store)

    def reader(self) -> Any:
        if self.endpoint:
            return self._remote()
        from .store import EmbeddedStore

        return EmbeddedStore.open_read(self.store)

    @contextmanager
    def writer(self) -> Iterator[Any]:
        """The store opened for writing (the embedded one holds the writer's lock)."""
        if self.endpoint:
            yield self._remote()
            return
        from .store import EmbeddedStore

        with EmbeddedStore.open_write(self.store) as store:
            yield store

    def _remote(self) -> Any:
        from .remote import RemoteStore

        assert self.endpoint is not None
        return RemoteStore(self.endpoint, self.update_endpoint)

    def status_line(self) -> Any:
        """The status line of a long command, on a terminal's stderr (else None)."""
        if self.status is None and sys.stderr.isatty():
            import os

            from .output import StatusLine

            try:  # seconds before the status line shows (scripts, tests: 0)
                delay = float(os.environ.get("PROVENANCE_STATUS_DELAY", "1"))
            except ValueError:
                delay = 1.0
            self.status = StatusLine(sys.stderr, delay=delay)
        return self.status

    def tracker(self) -> Any:
        from .tracker import Tracker

        return Tracker(self.reader(), progress=self.status_line())


@contextmanager
def _questions(state: _State) -> Iterator[Any]:
    """A tracker whose whole-store answers are kept while the rows are printed (their
    writer commits them meanwhile: 2 to 3 s at a million report rows); said on stderr
    if they could not be kept."""
    with state.tracker() as tracker:
        yield tracker
    for kind in tracker.unkept:
        name = _KINDS.get(kind, kind)
        click.echo(f"note: the answers of `{name}` could not be kept in "
                   f"{Path(state.location) / 'citations.sqlite'} (a full disk, a folder "
                   f"that cannot be written, or the index locked too long): the next "
                   f"`{name}` computes them again", err=True)


_KINDS = {"single": "single-source"}


def _format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default=None,
        help="Output format (default: table on a terminal, json otherwise).",
    )(f)


def _by_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--by",
        type=click.Choice(["source", "organization"]),
        default="source",
        show_default=True,
        help="Count sources as they are, or merged with the organisations they act for.",
    )(f)


def _fmt(fmt: str | None) -> str:
    return fmt or ("table" if sys.stdout.isatty() else "json")


def _echo(data: Any, fmt: str | None, **kwargs: Any) -> None:
    from .output import render_pieces

    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(_State) if ctx is not None else None
    if state is not None:
        state.clear_status()  # the answer is printed where the status line was

    batch: list[str] = []
    size = 0
    for piece in render_pieces(data, _fmt(fmt), **kwargs):
        batch.append(piece)
        size += len(piece)
        if size > 1 << 20:  # a megabyte at a time: a long listing is never held whole
            click.echo("".join(batch), nl=False)
            batch, size = [], 0
    click.echo("".join(batch))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Path(path_type=Path),  # a file given here: the store's own one-line error
    envvar="PROVENANCE_STORE",
    default=".provenance",
    show_default=True,
    help="Folder of the embedded store (or set PROVENANCE_STORE).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    envvar="PROVENANCE_ENDPOINT",
    help="Use a SPARQL 1.1 server instead of the embedded store (or set PROVENANCE_ENDPOINT). "
    "Credentials come from PROVENANCE_ENDPOINT_USER and PROVENANCE_ENDPOINT_PASSWORD.",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    envvar="PROVENANCE_UPDATE_ENDPOINT",
    help="Where updates go if not to --endpoint (Oxigraph server: .../update).",
)
@click.version_option(package_name="provenance-tracker")
@click.pass_context
def cli(
    ctx: click.Context, store: Path, endpoint: str | None, update_endpoint: str | None
) -> None:
    """Track where the claims in news come from.

    \b
    Ingest annotated articles, then ask who originally said a claim and which
    claims rest on a single source:
      provenance ingest seeds/
      provenance report
      provenance origin blinken-attends
      provenance single-source
    """
    if endpoint and ctx.get_parameter_source("store") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--store and --endpoint exclude each other: give one of them")
    if update_endpoint and not endpoint:
        raise click.UsageError("--update-endpoint needs --endpoint (the query endpoint) too")
    ctx.obj = _State(store, endpoint, update_endpoint)
    _quiet_libraries()


def _quiet_libraries() -> None:
    """Keep rdflib's warnings off the terminal: it logs an ill-typed literal
    (``"abc"^^xsd:integer``, valid RDF) with a traceback, and an odd IRI before our
    check refuses it in one line. Our own messages say what matters."""
    import logging

    logging.getLogger("rdflib").setLevel(logging.ERROR)


# ----------------------------------------------------------------- ingest, validate


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the summary line, not a line per document (a dump of "
                   "200,000 documents would print 200,000 lines).")
@click.pass_obj
def ingest(state: _State, files: tuple[Path, ...], quiet: bool) -> None:
    """Load YAML annotations or RDF files into the store, all or nothing.

    FILES may be YAML annotations (.yaml), RDF (.ttl .trig .nt .nq .jsonld .rdf)
    or folders of them. An article's plain text (.txt, named explicitly) is run
    through `provenance extract` first and ingested as extracted. Everything is
    validated before anything is written; re-ingesting a document replaces it, an
    unchanged file changes nothing. Each document's outcome (added, replaced,
    unchanged) is printed on a line of its own, then a summary on stderr.

    \b
    Examples:
      provenance ingest seeds/
      provenance ingest --quiet corpus.nq
    """
    from .ingest import ingest_files
    from .vocab import local_id

    with state.writer() as store:
        results = ingest_files(store, files, state.status_line())
    state.clear_status()  # the outcomes are printed where the status line was
    for r in results:
        if not quiet:
            click.echo(f"{r.status:<9} {local_id(r.graph)}  ({r.where}, {r.triples} triples)")
        if r.note:
            click.echo(f"{local_id(r.graph)}: {r.note}" if quiet else f"          {r.note}",
                       err=True)
    changed = sum(r.status != "unchanged" for r in results)
    click.echo(f"{changed} of {len(results)} document(s) written to {state.location}", err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def validate(state: _State, files: tuple[Path, ...]) -> None:
    """Check files against the schema and SHACL shapes without ingesting them.

    Sources declared in the store (if there is one) count as declared.

    \b
    Example:
      provenance validate seeds/blinken-brussels.yaml
    """
    from .errors import InputError
    from .ingest import validate_files

    try:
        store = state.reader()
    except InputError:
        store = None
    units = validate_files(files, store)
    click.echo(f"ok: {len(units)} document(s) in {len(files)} path(s) are valid")


# ----------------------------------------------------------------- questions


def _human_origin(obj: dict[str, Any]) -> str:
    st = obj["statement"]
    lines = [f"{st['id']}: {st['text']}"]
    for o in obj["origins"]:
        flags = [f for f in ("anonymous", "unattributed", "circular") if o.get(f)]
        extra = f" ({', '.join(flags)})" if flags else ""
        who = " + ".join(o.get("cycle") or [o["source"]])
        lines.append(f"  origin: {who} - {o['label']}{extra}")
    for chain in obj["chains"]:
        lines.append(f"  chain:  {' > '.join(chain)}")
    n = obj["independent_sources"]
    verdict = f"single source, rests on {obj['rests_on']}" if obj["rests_on"] else (
        "single source" if obj["single_source"] else "independently confirmed"
    )
    lines.append(f"  independent sources: {n} ({verdict})")
    if obj["circular"]:
        lines.append("  circular citation: yes (it never counts as confirmation)")
    return "\n".join(lines)


def _origin_rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "statement": obj["statement"]["id"],
            "chain": " > ".join(c),
            "origin": c[-1] if c else "",
            "independent_sources": obj["independent_sources"],
            "single_source": obj["single_source"],
            "rests_on": obj["rests_on"],
        }
        for c in obj["chains"] or [[]]
    ]


@cli.command()
@click.argument("statement")
@_by_option
@_format_option
@click.pass_obj
def origin(state: _State, statement: str, by: str, fmt: str | None) -> None:
    """Who originally said STATEMENT, with every chain of citations.

    STATEMENT is an id, an IRI, or words that occur in exactly one statement.

    \b
    Example:
      provenance origin blinken-attends
      provenance origin "Blinken will take part" --format json
    """
    obj = state.tracker().origin(statement, by=by)  # type: ignore[arg-type]
    _echo(obj, fmt, human=_human_origin, rows=_origin_rows)


_INDENT_LEVELS = 40  # deeper levels are drawn at this indentation, with their depth


def _tree_lines(tree: list[dict[str, Any]]) -> list[str]:
    """The tree as lines, drawn without recursion (a chain may have 10,000 relays)."""
    lines: list[str] = []
    stack = [(node, i == len(tree) - 1, "", 1) for i, node in reversed(list(enumerate(tree)))]
    while stack:
        node, last, prefix, depth = stack.pop()
        mark = " [origin]" if not node["cites"] else ""
        branch = "└── " if last else "├── "
        at = f"[depth {depth}] " if depth > _INDENT_LEVELS else ""
        lines.append(f"{prefix}{at}{branch}{node['source']} ({node['label']}){mark}")
        below = prefix if depth >= _INDENT_LEVELS else prefix + ("    " if last else "│   ")
        children = node["cites"]
        stack.extend((child, i == len(children) - 1, below, depth + 1)
                     for i, child in reversed(list(enumerate(children))))
    return lines


def _chain_tree(obj: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The chains as a tree of sources, each node listing those it cites (no recursion)."""
    top: list[dict[str, Any]] = []
    made: dict[int, dict[str, dict[str, Any]]] = {id(top): {}}
    for chain in obj["chains"]:
        level = top
        for src in chain:
            known = made[id(level)]
            node = known.get(src)
            if node is None:
                node = known[src] = {"source": src, "label": labels.get(src, src), "cites": []}
                level.append(node)
                made[id(node["cites"])] = {}
            level = node["cites"]
    return top


@cli.command()
@click.argument("statement")
@_by_option
@_format_option
@click.pass_obj
def chain(state: _State, statement: str, by: str, fmt: str | None) -> None:
    """The chains of citations behind STATEMENT, as a tree.

    \b
    Example:
      provenance chain blinken-attends
    """
    tracker = state.tracker()
    obj = tracker.origin(statement, by=by)  # type: ignore[arg-type]
    # Only the chain's sources are labelled: listing every source would analyse the store.
    labels = tracker.source_labels({src for c in obj["chains"] for src in c})
    data = {"statement": obj["statement"], "tree": _chain_tree(obj, labels)}

    def human(d: dict[str, Any]) -> str:
        head = f"{d['statement']['id']}: {d['statement']['text']}"
        return "\n".join([head, *_tree_lines(d["tree"])])

    _echo(data, fmt, human=human, rows=lambda _: _origin_rows(obj))


def _report_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["statement"]["id"],
            "independent_sources": r["independent_sources"],
            "single_source": r["single_source"],
            "rests_on": r["rests_on"],
            "origins": [o["source"] for o in r["origins"]],
            "flags": [f for f in ("anonymous", "unattributed", "circular") if r.get(f)],
            "text": r["statement"]["text"],
            "chains": r["chains"],
        }
        for r in rows
    ]


def _report_table(rows: list[dict[str, Any]]) -> str:
    from .output import render_table

    short = [
        {
            "statement": r["id"],
            "sources": r["independent_sources"],
            "rests on": r["rests_on"] or "",
            "flags": r["flags"],
            "text": r["text"],
        }
        for r in _report_rows(rows)
    ]
    single = sum(r["single_source"] for r in rows)
    return f"{render_table(short)}\n\n{len(rows)} statements, {single} resting on a single source"


@cli.command()
@click.argument("document", required=False)
@_by_option
@_format_option
@click.pass_obj
def report(state: _State, document: str | None, by: str, fmt: str | None) -> None:
    """For every statement (of DOCUMENT, or the whole store): origins and independence.

    Flags: anonymous (rests only on unnamed sources), unattributed (only the
    publisher's own voice), circular (a citation cycle is involved).

    \b
    Example:
      provenance report
      provenance report blinken-brussels --format csv
    """
    with _questions(state) as tracker:
        rows = tracker.report(document, by=by,  # type: ignore[arg-type]
                              text_only=_fmt(fmt) == "json")
        _echo(rows, fmt, rows=_report_rows, human=_report_table)


@cli.command()
@_format_option
@click.pass_obj
def statements(state: _State, fmt: str | None) -> None:
    """List the statements in the store.

    \b
    Example:
      provenance statements --format csv
    """
    rows = state.tracker().statements()
    _echo(rows, fmt, columns=["id", "text", "triple"])


@cli.command()
@_by_option
@_format_option
@click.pass_obj
def sources(state: _State, by: str, fmt: str | None) -> None:
    """List sources with how many statements rest on each.

    STATEMENTS counts the statements that would lose every path to an origin
    without the source; ORIGIN_OF those it is an origin of.

    \b
    Example:
      provenance sources --by organization
    """
    with _questions(state) as tracker:
        rows = tracker.sources(by=by)  # type: ignore[arg-type]
        _echo(rows, fmt, columns=["id", "label", "type", "anonymous", "statements", "origin_of"])


@cli.command(name="single-source")
@_by_option
@_format_option
@click.pass_obj
def single_source(state: _State, by: str, fmt: str | None) -> None:
    """Every statement that rests on one source, and that source.

    \b
    Example:
      provenance single-source
      provenance single-source --by organization --format json
    """
    with _questions(state) as tracker:
        rows = tracker.single_source(by=by,  # type: ignore[arg-type]
                                     text_only=_fmt(fmt) == "json")
        _echo(rows, fmt, columns=["statement", "rests_on", "label", "text"])


@cli.command()
@click.argument("source")
@_by_option
@_format_option
@click.pass_obj
def impact(state: _State, source: str, by: str, fmt: str | None) -> None:
    """What falls if SOURCE is discredited.

    Lists the statements that rest on SOURCE (they lose every path to an origin)
    and those that merely lose independence. SOURCE is an id, an IRI or words of
    exactly one source's label.

    \b
    Example:
      provenance impact tass
    """
    with state.tracker() as tracker:  # closed: the tables it keeps are written first
        rows = tracker.impact(source, by=by)  # type: ignore[arg-type]
    _echo(rows, fmt, columns=["statement", "effect", "independent_sources", "text"])


class _Terminated(KeyboardInterrupt):
    """SIGTERM, taken as an interrupt: what Ctrl-C stops cleanly (a bulk load dropped,
    helpers ended, locks released, the store left as it was), SIGTERM stops the same
    way, where Python's default would end the process on the spot."""


_TERMINATED: list[int] = []  # the SIGTERM taken, if one was


def _terminate(signum: int, frame: object) -> None:
    import signal

    _TERMINATED.append(signum)
    signal.signal(signum, signal.SIG_IGN)  # a second one would cut the clean-up short
    raise _Terminated()


def main() -> None:
    """Entry point of the ``provenance`` console script."""
    import signal

    with suppress(ValueError, AttributeError):  # not the main thread; no SIGTERM here
        signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="provenance")
    except SystemExit:
        if _TERMINATED:  # click has said "Aborted!"; the code a shell expects of SIGTERM
            sys.exit(128 + _TERMINATED[0])
        raise
    except BrokenPipeError:  # a closed pipe met outside a command (see _reader_gone)
        _reader_gone()
        sys.exit(0)
