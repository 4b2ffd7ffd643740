"""benchmarks/compare.py: two result files side by side, with ratios computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMPARE = ROOT / "benchmarks" / "compare.py"


def _result(commit: str, rows: dict[str, Any], quads: int = 4700) -> dict[str, Any]:
    return {"statements": 100, "seed": 0, "runs": 3, "date": "20261128-170000",
            "commit": commit, "machine": "x86_64, 2 cores", "corpus": {"quads": quads},
            "rows": rows}


def _run(tmp_path: Path, old: Any, new: Any, *extra: str) -> subprocess.CompletedProcess[str]:
    paths = []
    for name, data in (("old.json", old), ("new.json", new)):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        paths.append(str(path))
    return subprocess.run([sys.executable, str(COMPARE), *paths, *extra],
                          capture_output=True, text=True, timeout=60)


def test_compare_gives_each_questions_ratio_and_marks_changes_beyond_the_noise(
        tmp_path: Path) -> None:
    old = _result("abc1234", {
        "report": {"label": "report over the whole store", "seconds": 10.0, "rss_mb": 500},
        "origin": {"label": "origin, in-process", "seconds": 0.002, "unit": "ms",
                   "rss_mb": 50},
        "gone": {"label": "a question dropped since", "seconds": 1.0, "rss_mb": 10},
    })
    new = _result("def5678-dirty", {
        "report": {"label": "report over the whole store", "seconds": 7.5, "rss_mb": 650},
        "origin": {"label": "origin, in-process", "seconds": 0.0021, "unit": "ms",
                   "rss_mb": 50},
        "added": {"label": "a new question", "seconds": 2.0, "rss_mb": 20},
    })
    out = _run(tmp_path, old, new)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any("abc1234" in line for line in lines)
    assert any("def5678-dirty" in line for line in lines)
    assert "Warning" not in out.stdout
    # 7.5 / 10 = 0.75 (faster beyond 0.2); 650 / 500 = 1.30 (more memory)
    assert ("| report over the whole store | 10.00 s | 7.50 s | 0.75x faster "
            "| 500 MB | 650 MB | 1.30x more |") in lines
    # 2.1 / 2.0 ms = 1.05: within the noise, not marked
    assert "| origin, in-process | 2.0 ms | 2.1 ms | 1.05x | 50 MB | 50 MB | 1.00x |" in lines
    assert "| a question dropped since | 1.00 s | not run |  | 10 MB |  |  |" in lines
    assert "| a new question | not run | 2.00 s |  |  | 20 MB |  |" in lines
    # a narrower noise band marks the 5%
    out = _run(tmp_path, old, new, "--noise", "0.01")
    assert "| 2.0 ms | 2.1 ms | 1.05x slower |" in out.stdout


def test_compare_warns_when_the_corpora_differ(tmp_path: Path) -> None:
    row = {"x": {"label": "x", "seconds": 1.0, "rss_mb": 1}}
    out = _run(tmp_path, _result("a", row), _result("b", row, quads=9999))
    assert out.returncode == 0
    assert "the corpora differ" in out.stdout


def test_compare_refuses_a_file_that_is_no_benchmark_result(tmp_path: Path) -> None:
    out = _run(tmp_path, "{not json", _result("b", {}))
    assert out.returncode == 2
    assert out.stderr.startswith("error: cannot read") and "Traceback" not in out.stderr
    out = _run(tmp_path, {"something": 1}, _result("b", {}))
    assert out.returncode == 2 and "has no rows" in out.stderr
