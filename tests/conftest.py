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
