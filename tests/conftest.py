"""Shared fixtures: paths of the seed, a fresh store folder, a CLI runner; no network.

The whole session runs with the network blocked except loopback (the server tests use
127.0.0.1), in this process and in every Python subprocess the tests start: see
``tests/netguard/sitecustomize.py``. A test during which anything tried to reach
another host fails, unless it is marked ``allow_network_attempts``.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_YAML = SEEDS / "blinken-brussels.yaml"
NETGUARD = Path(__file__).resolve().parent / "netguard"


# ----------------------------------------------------------------- no network


def _load_netguard() -> ModuleType:
    spec = importlib.util.spec_from_file_location("netguard", NETGUARD / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


netguard = _load_netguard()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_network_attempts: the test may try (and fail) to reach another host"
    )
    netguard.install()
    # Subprocesses: Python imports sitecustomize from PYTHONPATH at start-up, and
    # appends what it blocked to the log (set here, before any fixture starts one).
    fd, log = tempfile.mkstemp(prefix="provenance-network-", suffix=".log")
    os.close(fd)
    os.environ["PROVENANCE_TEST_NETWORK_LOG"] = log
    os.environ["PROVENANCE_TEST_NO_NETWORK"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(NETGUARD), *filter(None, [os.environ.get("PYTHONPATH")])]
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    log = os.environ.pop("PROVENANCE_TEST_NETWORK_LOG", None)
    if log:
        Path(log).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def network_log() -> Path:
    """The file every guarded subprocess appends its blocked attempts to."""
    return Path(os.environ["PROVENANCE_TEST_NETWORK_LOG"])


@pytest.fixture
def network_attempts(network_log: Path) -> Callable[[], list[str]]:
    """A function returning what this test (and its subprocesses) tried so far."""
    # The log holds this process's attempts too ("PID function host:port" lines).
    start = network_log.stat().st_size

    def attempts() -> list[str]:
        with network_log.open("rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace").splitlines()

    return attempts


@pytest.fixture(autouse=True)
def _no_network(
    request: pytest.FixtureRequest, network_attempts: Callable[[], list[str]]
) -> Iterator[None]:
    yield
    tried = network_attempts()
    if tried and request.node.get_closest_marker("allow_network_attempts") is None:
        pytest.fail(f"the test tried to reach the network (blocked): {tried}", pytrace=False)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store folder that does not exist yet."""
    return tmp_path / "store"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the seed ingested (fresh per test that asks for it)."""
    from provenance.ingest import ingest_files
    from provenance.store import EmbeddedStore

    path = tmp_path_factory.mktemp("seeded") / "store"
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, [SEEDS])
    return path


# ----------------------------------------------------------------- SPARQL servers
# Real servers on 127.0.0.1 (tests/servers.py), started once per session by the
# tests that ask for them, stopped at the end. They skip only when the server is not
# installed (CI installs both: .ci/apt-packages.txt and the test extra).


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):
    """A Virtuoso server (Debian's virtuoso-opensource) with SPARQL updates granted."""
    from servers import virtuoso_missing, virtuoso_server

    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory):
    """An Oxigraph server (PyPI's oxigraph) with its data in a temporary folder."""
    from servers import oxigraph_missing, oxigraph_server

    reason = oxigraph_missing()
    if reason:
        pytest.skip(reason)
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server
