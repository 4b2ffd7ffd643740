"""Run one command; report its wall time, peak memory and exit code (for ``run.py``).

Usage: ``python -I -S spawn.py FD TIMEOUT COMMAND...``; writes one JSON object,
``{"wall": s, "peak_kb": kb, "peak_main_kb": kb, "code": n, "timed_out": bool}``, to the
open file descriptor FD. TIMEOUT is in seconds (0: none); at it, the command is killed.

Why a process of its own: Linux counts a new process's peak memory (``ru_maxrss``)
from the memory of the process that spawned it, at the time it did. ``true`` started
by a benchmark that holds 313 MB (it generated the corpus) reports 313 MB. This script
uses the standard library alone and holds about 10 MB, so what a command started from
it reports is its own peak, to within those 10 MB.

Why it samples: ``ru_maxrss`` is the peak of one process, the largest, not of the
command's processes together, and some commands work in several. A large YAML ingest
converts files in two helper processes (about 190 MB each at a million statements);
`report` and `single-source` write their kept answers from another
(:mod:`provenance.keeper`). So every 50 ms this process adds up the resident memory of
the command and of every process below it (``/proc``); the peak it reports
(``peak_kb``) is the larger of that sum's highest sample and ``ru_maxrss``
(``peak_main_kb``, the largest process alone). Resident memory counts the pages the
processes share (their libraries) once for each: the sum can only be above what they
hold together, never below.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def tree_rss_kb(root: int) -> int:
    """The resident memory of *root* and of every process below it, in kB (0 without
    ``/proc``). Written out here because this script must not import anything that is
    not the standard library (psutil would do it)."""
    parent: dict[int, int] = {}
    pages: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # from the state on (field 3)
        pid = int(entry)
        parent[pid], pages[pid] = int(fields[1]), int(fields[21])  # fields 4 and 24
    below: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        below.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += pages.get(pid, 0)
        todo.extend(below.get(pid, ()))
    return total * _PAGE_KB


def main(argv: list[str]) -> int:
    fd, timeout, *cmd = argv
    limit = float(timeout)
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    killed = False
    tree = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        tree = max(tree, tree_rss_kb(pid))
        if limit > 0 and not killed and time.perf_counter() - start >= limit:
            killed = True
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    report = {"wall": wall, "peak_kb": max(tree, usage.ru_maxrss),
              "peak_main_kb": usage.ru_maxrss,
              "code": os.waitstatus_to_exitcode(status), "timed_out": killed}
    os.write(int(fd), json.dumps(report).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
