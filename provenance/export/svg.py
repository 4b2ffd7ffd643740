"""``svg``: the graph drawn by Graphviz (see :mod:`provenance.export.layout`).

A graph drawn in one piece is ``dot -Tsvg``'s output as it is. A large graph drawn
in chunks becomes one SVG with each chunk's drawing stacked below the previous one.
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from typing import IO

from .layout import Chunk, render_svgs
from .model import ExportSource

__all__ = ["write"]

_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the drawing; chunks are nested ``<svg>`` elements stacked vertically.

    The outer element needs the total size, known only once every chunk is drawn:
    the chunks are spooled to a temporary file meanwhile, not held in memory.
    """
    drawn = render_svgs(source.graph)
    first = next(drawn, None)
    second = next(drawn, None)
    if first is not None and second is None:
        out.write(first[1].encode("utf-8"))
        return
    y = width = 0.0
    with tempfile.TemporaryFile() as spool:
        for i, (_, svg) in enumerate(itertools.chain(_present(first, second), drawn)):
            m = _SIZE.search(svg)
            w, h = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
            place = f'<svg x="0" y="{y:.2f}" width="{w}" height="{h}"'
            if i:
                spool.write(b"\n")
            spool.write(_SIZE.sub(place, svg[svg.index("<svg") :], 1).encode("utf-8"))
            y += h
            width = max(width, w)
        out.write(
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                f'<svg width="{width:.0f}pt" height="{y:.0f}pt" '
                f'viewBox="0 0 {width:.0f} {y:.0f}" '
                'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            ).encode()
        )
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.write(b"\n</svg>\n")


def _present(*chunks: tuple[Chunk, str] | None) -> list[tuple[Chunk, str]]:
    return [c for c in chunks if c is not None]
