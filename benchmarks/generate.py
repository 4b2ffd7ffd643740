"""Write a benchmark corpus: ``python benchmarks/generate.py --statements N --seed S -o DIR``.

The same as ``provenance generate``; see :mod:`provenance.generate`.
"""

from __future__ import annotations

import sys

from provenance.cli_generate import generate_command

if __name__ == "__main__":
    sys.exit(generate_command.main(prog_name="benchmarks/generate.py"))
