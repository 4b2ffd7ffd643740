"""Real SPARQL 1.1 servers on 127.0.0.1, started and stopped by the tests (and the benchmark).

* Virtuoso from Debian's ``virtuoso-opensource``: a copy of the packaged
  ``virtuoso.ini`` whose database files live in a temporary folder and whose two
  ports (SQL and HTTP) are bound to 127.0.0.1 on free ports; SPARQL updates are
  granted with ``isql-vt``, and ``isql-vt ... shutdown`` stops it.
* Oxigraph server from PyPI's ``oxigraph`` (``oxigraph serve``).

Each is used through :class:`Server`, whose :meth:`Server.reset` drops the document
graphs the package wrote (never a server's own graphs).
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Server",
    "free_port",
    "virtuoso_missing",
    "oxigraph_missing",
    "virtuoso_server",
    "oxigraph_server",
]

VIRTUOSO_INI = [
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
]


@dataclass
class Server:
    """A running SPARQL server."""

    name: str
    endpoint: str
    update_endpoint: str | None = None

    def cli_args(self) -> list[str]:
        """The global options that point ``provenance`` at this server."""
        args = ["--endpoint", self.endpoint]
        if self.update_endpoint:
            args += ["--update-endpoint", self.update_endpoint]
        return args

    def store(self):  # -> RemoteStore
        from provenance.remote import RemoteStore

        return RemoteStore(self.endpoint, self.update_endpoint)

    def reset(self) -> None:
        """Drop every document graph written by the package."""
        store = self.store()
        graphs = store.graph_hashes()
        if graphs:
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(graphs)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph_binary() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot be started here, or None."""
    for tool in ("virtuoso-t", "isql-vt"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install virtuoso-opensource)"
    if not any(p.is_file() for p in VIRTUOSO_INI):
        return "no packaged virtuoso.ini (apt-get install virtuoso-opensource)"
    return None


def oxigraph_missing() -> str | None:
    """Why Oxigraph server cannot be started here, or None."""
    if _oxigraph_binary() is None:
        return "the oxigraph server is not installed (pip install oxigraph)"
    return None


def _wait_http(url: str, deadline: float, proc: subprocess.Popen | None = None) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: good enough
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {url}") from None
            time.sleep(0.1)


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int, buffers: int) -> Path:
    source = next(p for p in VIRTUOSO_INI if p.is_file())
    ini = configparser.ConfigParser(
        inline_comment_prefixes=(";",), interpolation=None, strict=False
    )
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read(source)
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    files = {
        "DatabaseFile": "virtuoso.db", "ErrorLogFile": "virtuoso.log",
        "LockFile": "virtuoso.lck", "TransactionFile": "virtuoso.trx",
        "xa_persistent_file": "virtuoso.pxa",
    }
    for key, name in files.items():
        ini["Database"][key] = str(db / name)
    ini["TempDatabase"]["DatabaseFile"] = str(db / "virtuoso-temp.db")
    ini["TempDatabase"]["TransactionFile"] = str(db / "virtuoso-temp.trx")
    params = ini["Parameters"]
    params["ServerPort"] = f"127.0.0.1:{sql_port}"
    params["DirsAllowed"] = f".,{folder}"
    params["NumberOfBuffers"] = str(buffers)
    params["MaxDirtyBuffers"] = str(buffers * 3 // 4)
    params["CheckpointInterval"] = "0"
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    # No row cap, no "anytime" partial answers: a result is complete or an error.
    ini["SPARQL"]["ResultSetMaxRows"] = "100000000"
    ini["SPARQL"]["MaxQueryExecutionTime"] = "0"
    ini["SPARQL"]["MaxQueryCostEstimationTime"] = "0"
    # One thread per query. CI once saw a library query miss one row on Virtuoso
    # (rests-on-source, a statement's sole circular origin) that 200 runs here, loaded
    # or not, never missed; Virtuoso's parallel evaluation of a query is the one
    # nondeterministic input the tests control, so they turn it off. (It happened once
    # more since: see sole_origin_rows in test_sparql_library.py.)
    params["ThreadsPerQuery"] = "1"
    if ini.has_section("Plugins"):
        ini.remove_section("Plugins")  # wiki plugins: not needed, slower start
    path = folder / "virtuoso.ini"
    with path.open("w") as fh:
        ini.write(fh)
    return path


def _isql(sql_port: int, statement: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"],
        capture_output=True, text=True, timeout=timeout,
    )


@contextmanager
def virtuoso_server(folder: Path, buffers: int = 20000) -> Iterator[Server]:
    """Start Virtuoso in *folder* on free 127.0.0.1 ports; stop it on exit."""
    sql_port, http_port = free_port(), free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port, buffers)
    started = subprocess.run(
        ["virtuoso-t", "-c", str(ini), "+wait"], cwd=folder, capture_output=True, text=True,
        timeout=120,
    )
    if started.returncode != 0:
        log = (folder / "db" / "virtuoso.log")
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
        raise RuntimeError(f"virtuoso-t did not start: {tail}")
    try:
        granted = _isql(sql_port, 'GRANT SPARQL_UPDATE TO "SPARQL";')
        if granted.returncode != 0:
            raise RuntimeError(f"isql-vt GRANT failed: {granted.stdout}{granted.stderr}")
        endpoint = f"http://127.0.0.1:{http_port}/sparql"
        _wait_http(endpoint, time.monotonic() + 30)
        yield Server("virtuoso", endpoint)
    finally:
        stopped = _isql(sql_port, "shutdown;")
        if stopped.returncode != 0:
            _kill_virtuoso(folder / "db" / "virtuoso.lck")
        deadline = time.monotonic() + 30
        while (folder / "db" / "virtuoso.lck").exists() and time.monotonic() < deadline:
            time.sleep(0.1)


def _kill_virtuoso(lock: Path) -> None:
    try:
        for line in lock.read_text().splitlines():
            if line.startswith("VIRT_PID="):
                os.kill(int(line.split("=", 1)[1]), signal.SIGKILL)
    except (OSError, ValueError):
        pass


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Server]:
    """Start ``oxigraph serve`` with its data in *folder* on a free port; stop it on exit."""
    binary = _oxigraph_binary()
    assert binary is not None
    port = free_port()
    log = (folder / "oxigraph.log").open("w")
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/query?query=ASK%7B%7D", time.monotonic() + 30, proc)
        yield Server("oxigraph", f"{base}/query", f"{base}/update")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
