"""Run one command; report its wall time, peak memory and exit code (for ``run.py``).

Usage: ``python -I -S spawn.py FD TIMEOUT COMMAND...``; writes one JSON object,
``{"wall": s, "peak_kb": kb, "code": n, "timed_out": bool}``, to the open file
descriptor FD. TIMEOUT is in seconds (0: none); at it, the command is killed.

Why a process of its own: Linux counts a new process's peak memory (``ru_maxrss``)
from the memory of the process that spawned it, at the time it did. ``true`` started
by a benchmark that holds 313 MB (it generated the corpus) reports 313 MB. This script
uses the standard library alone and holds about 10 MB, so what a command started from
it reports is its own peak, to within those 10 MB.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def main(argv: list[str]) -> int:
    fd, timeout, *cmd = argv
    limit = float(timeout)
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
    killed = False

    def kill(signum: int, frame: object) -> None:
        nonlocal killed
        killed = True
        os.kill(pid, signal.SIGKILL)

    if limit > 0:
        signal.signal(signal.SIGALRM, kill)
        signal.setitimer(signal.ITIMER_REAL, limit)
    _, status, usage = os.wait4(pid, 0)  # retried after the alarm's handler ran
    wall = time.perf_counter() - start
    signal.setitimer(signal.ITIMER_REAL, 0)
    report = {"wall": wall, "peak_kb": usage.ru_maxrss,
              "code": os.waitstatus_to_exitcode(status), "timed_out": killed}
    os.write(int(fd), json.dumps(report).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
