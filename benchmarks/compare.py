"""Compare two benchmark results (the JSON files ``run.py`` writes), question by question.

    python benchmarks/compare.py benchmarks/results/OLD.json benchmarks/results/NEW.json

Prints a Markdown table: each question's time and peak memory in both runs and the
ratio new/old, marked ``slower`` or ``faster`` where the times differ by more than
``--noise`` (a fraction; 0.2 by default, as the machines these run on are shared). The
runs' commits, dates and corpora head the table; runs of different corpora are compared
all the same, with a warning, as their figures are not comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from run import _fmt_mb, _fmt_time  # one formatting for both tables


def _corpus(info: dict[str, Any]) -> tuple[Any, ...]:
    corpus = info.get("corpus", {})  # the corpus's manifest: its seed, not --seed's
    return info.get("statements"), corpus.get("seed", info.get("seed")), corpus.get("quads")


def _run_line(name: str, info: dict[str, Any]) -> str:
    commit = info.get("commit") or "commit not recorded"
    statements, seed, quads = (f"{n:,}" if isinstance(n, int) else "?" for n in _corpus(info))
    return (f"- {name}: {info.get('date', '?')}, {commit}, {statements} statements "
            f"(seed {seed}, {quads} quads), median of {info.get('runs', '?')} runs; "
            f"{info.get('machine', '?')}")


def _ratio(old: float | None, new: float | None, noise: float,
           marks: tuple[str, str] = ("slower", "faster")) -> str:
    if not old or not new:
        return ""
    r = new / old
    mark = f" {marks[0]}" if r > 1 + noise else f" {marks[1]}" if r < 1 - noise else ""
    return f"{r:.2f}x{mark}"


def compare(old: dict[str, Any], new: dict[str, Any], noise: float = 0.2) -> str:
    """The Markdown comparison of two result files' contents."""
    lines = ["Comparing benchmark runs (new/old: below 1 is faster):", "",
             _run_line("old", old), _run_line("new", new), ""]
    if _corpus(old) != _corpus(new):
        lines += ["**Warning: the corpora differ; the figures are not comparable.**", ""]
    lines += ["| question | old | new | new/old | old peak RSS | new peak RSS | new/old |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    old_rows, new_rows = old.get("rows", {}), new.get("rows", {})
    for key in [*old_rows, *(k for k in new_rows if k not in old_rows)]:
        a, b = old_rows.get(key, {}), new_rows.get(key, {})
        unit = b.get("unit") or a.get("unit", "s")
        t_old, t_new = a.get("seconds"), b.get("seconds")
        m_old, m_new = a.get("rss_mb"), b.get("rss_mb")
        memory = _ratio(m_old, m_new, noise, ("more", "less"))
        lines.append(
            f"| {b.get('label') or a.get('label', key)} "
            f"| {_fmt_time(t_old, unit) if a else 'not run'} "
            f"| {_fmt_time(t_new, unit) if b else 'not run'} | {_ratio(t_old, t_new, noise)} "
            f"| {_fmt_mb(m_old)} | {_fmt_mb(m_new)} | {memory} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path, help="the earlier run's JSON")
    parser.add_argument("new", type=Path, help="the later run's JSON")
    parser.add_argument("--noise", type=float, default=0.2,
                        help="ratios within 1 ± this are not marked (default 0.2)")
    opts = parser.parse_args(argv)
    infos = []
    for path in (opts.old, opts.new):
        try:
            infos.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"error: cannot read {path} as a benchmark result ({exc}); give the "
                  ".json file that benchmarks/run.py wrote", file=sys.stderr)
            return 2
        if not isinstance(infos[-1], dict) or "rows" not in infos[-1]:
            print(f"error: {path} is not a benchmark result (it has no rows); give the "
                  ".json file that benchmarks/run.py wrote", file=sys.stderr)
            return 2
    print(compare(infos[0], infos[1], opts.noise))
    return 0


if __name__ == "__main__":
    sys.exit(main())
