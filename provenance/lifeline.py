"""Helper processes end with the process that started them.

The YAML converters of an ingest and the SPARQL worker of ``sparql --timeout`` are
started with multiprocessing's "spawn". When the process that started them is killed
(SIGKILL; SIGTERM too before the command took it as an interrupt, see
:func:`provenance.cli.main`), nothing tells them: a spawned helper holds its own
copies of both ends of the pipes it shares with its siblings, so it never reads an
end of file. Measured here, the two converters of a killed ingest stayed for good,
idle, with the files they had converted; a SPARQL worker ran on with its query,
holding the store's lock (and an update would have been written after its command
had been killed).

No library of the standard set does this portably (``prctl(PR_SET_PDEATHSIG)`` is
Linux's, and follows the starting thread rather than the process), hence a thread
that watches the parent's id: a process whose parent dies is given a new one.
Oxigraph releases the interpreter's lock while it evaluates a query, so the watcher
runs during one.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["follow", "starting", "STOPS"]

#: What stops a command cleanly: Ctrl-C, and the SIGTERM of a job's time limit, of
#: `timeout` or of `kill` (see :func:`provenance.cli.main`). Left to the command's own
#: process: its helpers end when it has gone.
STOPS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


@contextmanager
def starting() -> Iterator[None]:
    """Start helper processes inside this block: they start with interrupts blocked (a
    signal mask is inherited), so that a Ctrl-C while their interpreter starts, before
    :func:`follow` runs, reaches only this process. Here it is held back, not lost:
    delivered when the block ends, if no other thread took it first."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def follow(parent: int, every: float = 0.25) -> None:
    """In a helper process: end it at once (exit code 1, nothing more run, nothing
    committed) when *parent*, the process that started it, has gone.

    An interrupt (Ctrl-C reaches every process of the terminal's group) is left to the
    parent, which stops what it started: a helper that took it printed a traceback
    beside the command's one-line message. So is a SIGTERM sent to the whole group."""
    for stop in STOPS:
        signal.signal(stop, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
