"""``provenance export``: a thin click layer over :mod:`provenance.export`."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from .errors import InputError

__all__ = ["export_command"]

# The names are repeated here (and checked against the registry by a test) so that
# `provenance export --help` does not import the exporters.
FORMAT_NAMES = (
    "ttl",
    "trig",
    "nq",
    "jsonld",
    "prov-json",
    "provn",
    "graphml",
    "gexf",
    "dot",
    "svg",
    "cytoscape",
    "html",
)


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or a file written whole or not at all (a temporary file renamed)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name with -o")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@click.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    required=True,
    help="ttl/trig/nq/jsonld: the store's RDF; prov-json/provn: W3C PROV; graphml/gexf: "
    "Gephi, yEd, Cytoscape; dot/svg: Graphviz; cytoscape: Cytoscape.js JSON; html: a "
    "self-contained interactive page.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--statement",
    "statements",
    multiple=True,
    metavar="ID",
    help="Export only this statement's provenance (id, IRI or words); repeat for more.",
)
@click.option("--document", metavar="ID", help="Export only the statements of this document.")
@click.option(
    "--by",
    type=click.Choice(["source", "organization"]),
    default="source",
    show_default=True,
    help="Count sources as they are, or merged with the organisations they act for.",
)
@click.pass_obj
def export_command(
    state: Any,
    fmt: str,
    output: Path | None,
    statements: tuple[str, ...],
    document: str | None,
    by: str,
) -> None:
    """Export the store (or some statements' provenance) for visualisation and exchange.

    Nodes are statements, reports and sources; single-source statements and
    circular citations are marked in every format that carries styles or attributes.
    Exporting RDF and ingesting it into a new store gives the same answers.

    \b
    Examples:
      provenance export --format html -o graph.html
      provenance export --format graphml --document blinken-brussels -o blinken.graphml
      provenance export --format provn --statement blinken-attends
      provenance export --format trig -o backup.trig
    """
    from .export import export, select

    source = select(state.tracker(), statements, document, by)  # type: ignore[arg-type]
    with _output(output) as out:  # (a reader that stops early: see cli._reader_gone)
        export(source, fmt, out)
    if output is not None:
        click.echo(f"wrote {output} ({fmt}, {output.stat().st_size:,} bytes)", err=True)
