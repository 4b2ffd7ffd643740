"""Shared fixtures: paths of the seed, a fresh store folder, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_YAML = SEEDS / "blinken-brussels.yaml"


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
