"""Helper processes end with the process that started them.

The YAML converters of an ingest and the SPARQL worker of ``sparql --timeout`` are
started with multiprocessing's "spawn". When the process that started them is killed
(SIGKILL, or SIGTERM from a job's time limit, which Python does not turn into an
exception), nothing tells them: a spawned helper holds its own copies of both ends of
the pipes it shares with its siblings, so it never reads an end of file. Measured
here, the two converters of a killed ingest stayed for good, idle, with the files they
had converted; a SPARQL worker ran on with its query, holding the store's lock (and an
update would have been written after its command had been killed).

No library of the standard set does this portably (``prctl(PR_SET_PDEATHSIG)`` is
Linux's, and follows the starting thread rather than the process), hence a thread
that watches the parent's id: a process whose parent dies is given a new one.
Oxigraph releases the interpreter's lock while it evaluates a query, so the watcher
runs during one.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["follow"]


def follow(parent: int, every: float = 0.25) -> None:
    """In a helper process: end it at once (exit code 1, nothing more run, nothing
    committed) when *parent*, the process that started it, has gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
