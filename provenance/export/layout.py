"""Drawing the export graph with Graphviz's ``dot`` program, in chunks that scale.

``dot`` lays a whole graph out at once, and its time grows faster than the graph.
A store's graph is many small provenance subgraphs joined only by the sources they
share, and drawn whole those shared sources pull every chain across the page. So
:func:`render_svgs` draws the statements (in id order) in bands of about
:data:`CHUNK_NODES` nodes, each with its statements, their reports and the sources
those reports name (a source may then appear in several bands, with the same data),
runs one ``dot`` per band on every core, and returns one SVG per band: the page
reads from top to bottom, and the time grows linearly with the store. A graph of up
to :data:`SINGLE_LAYOUT_NODES` nodes is drawn in one piece.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import networkx as nx

from ..errors import StoreError
from .dot import to_dot

__all__ = ["CHUNK_NODES", "SINGLE_LAYOUT_NODES", "Chunk", "chunks", "render_svgs", "dot_program"]

CHUNK_NODES = 80
SINGLE_LAYOUT_NODES = 200
DOT_TIMEOUT = 600  # seconds for one chunk


@dataclass
class Chunk:
    """Nodes drawn together, and the SVG id of each (unique across chunks)."""

    nodes: list[str]
    ids: dict[str, str]


def dot_program() -> str:
    """The path of Graphviz's ``dot``, or a one-line error that says how to get it."""
    path = shutil.which("dot")
    if path is None:
        raise StoreError(
            "Graphviz's `dot` program is needed for this format and is not on PATH; "
            "install Graphviz (Debian: apt-get install graphviz) or export --format dot"
        )
    return path


def _statement_nodes(G: nx.DiGraph, s: str) -> set[str]:
    """A statement, the reports reachable from it, their sources and organisations."""
    found = {s}
    todo = [s]
    while todo:
        n = todo.pop()
        for m in G.successors(n):
            if m not in found:
                found.add(m)
                todo.append(m)
    return found


def chunks(
    G: nx.DiGraph, size: int = CHUNK_NODES, single: int = SINGLE_LAYOUT_NODES
) -> list[Chunk]:
    """Split *G* into drawing chunks of about *size* nodes (one chunk if it is small)."""
    index = {n: i for i, n in enumerate(G)}
    if G.number_of_nodes() <= single:
        return [Chunk(list(G), {n: f"n{index[n]}" for n in G})]
    out: list[Chunk] = []
    placed: set[str] = set()
    current: set[str] = set()

    def close() -> None:
        if current:
            c = len(out)
            ids = {n: f"n{index[n]}" if n not in placed else f"n{index[n]}-{c}" for n in current}
            placed.update(current)
            out.append(Chunk(sorted(current, key=index.__getitem__), ids))
            current.clear()

    statements = sorted(n for n, k in G.nodes(data="kind") if k == "statement")
    for s in statements:
        current |= _statement_nodes(G, s)
        if len(current) >= size:
            close()
    close()
    rest = [n for n in G if n not in placed]  # reports and sources no statement reaches
    for start in range(0, len(rest), size):
        current |= {m for n in rest[start : start + size] for m in _statement_nodes(G, n)}
        close()
    return out


def _run_dot(program: str, text: str) -> str:
    try:
        result = subprocess.run(
            [program, "-Tsvg"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StoreError(f"Graphviz's dot took more than {DOT_TIMEOUT} s on one chunk") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StoreError(f"Graphviz's dot failed: {message[0] if message else result.returncode}")
    return result.stdout.decode("utf-8")


def render_svgs(G: nx.DiGraph) -> Iterator[tuple[Chunk, str]]:
    """Each chunk of *G* with its SVG drawn by ``dot``, in order."""
    program = dot_program()
    parts = chunks(G)
    workers = max(1, min(len(parts), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        # A few chunks in flight, not all: each one's DOT text and SVG are in memory
        # until written, and a store has thousands of chunks.
        pending: deque[tuple[Chunk, Future[str]]] = deque()
        for i, c in enumerate(parts):
            text = to_dot(G, c.nodes, c.ids, name=f"chunk {i}")
            pending.append((c, pool.submit(_run_dot, program, text)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
