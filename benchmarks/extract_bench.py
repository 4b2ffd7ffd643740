"""Throughput of the pattern extractor, in sentences per second on one core.

The gold articles of ``tests/data/extraction`` are repeated until about 20,000
sentences, then each copy is extracted as its own document, as ``provenance extract``
would. Sentences are counted with the extractor's own splitter. The extractor's
phrase caches are emptied before every document, so repeating the same texts does not
flatter the figure (``--warm`` keeps them). Prints one line per run and the median;
nothing is asserted (timings belong to this script, not to tests).

Usage::

    python benchmarks/extract_bench.py [--sentences 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.extract import extract  # noqa: E402
from provenance.extract._sources import clear_caches  # noqa: E402
from provenance.extract._text import split_sentences  # noqa: E402

GOLD = ROOT / "tests" / "data" / "extraction"


def corpus(target: int) -> tuple[list[str], int]:
    """The gold texts repeated to at least *target* sentences, and the sentence count."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(GOLD.glob("*.txt"))]
    counts = [len(split_sentences(t)) for t in texts]
    out: list[str] = []
    total = 0
    while total < target:
        for text, n in zip(texts, counts, strict=True):
            out.append(text)
            total += n
    return out, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm", action="store_true", help="keep caches between documents")
    args = parser.parse_args()
    texts, sentences = corpus(args.sentences)
    rates = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        for n, text in enumerate(texts):
            if not args.warm:
                clear_caches()
            extract(text, document_id=f"bench-{n}", publisher="bench-wire")
        seconds = time.perf_counter() - start
        rates.append(sentences / seconds)
        print(f"run {run}: {len(texts)} documents, {sentences} sentences in {seconds:.2f} s "
              f"= {sentences / seconds:,.0f} sentences/s")
    caches = "warm" if args.warm else "cold"
    print(f"median: {statistics.median(rates):,.0f} sentences/s "
          f"(pattern backend, one core, {caches} caches)")


if __name__ == "__main__":
    main()
