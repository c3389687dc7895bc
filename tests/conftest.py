"""Shared fixtures: the bundled studies and the paths of their files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import filiere as fl

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def aura() -> fl.Study:
    return fl.Study.example("aura")


@pytest.fixture(scope="session")
def aura_results(aura: fl.Study) -> fl.Results:
    return aura.run()


@pytest.fixture(scope="session")
def pilot() -> fl.Study:
    return fl.Study.example("aura-pilot")


def pilot_with(kind: str, table: Any) -> fl.Study:
    """The pilot study built from its files, with the table `kind` (workshops,
    establishments, catalog or parameters) replaced by `table` (a path or a frame)."""
    pilot = DATA / "aura-pilot"
    tables: dict[str, Any] = {
        "workshops": pilot / "workshops.csv",
        "establishments": pilot / "establishments.csv",
        "catalog": pilot / "catalog.csv",
        "parameters": None,
    }
    tables[kind] = table
    return fl.Study(
        tables["workshops"],
        tables["establishments"],
        tables["catalog"],
        tables["parameters"],
        scenario=fl.Study.example("aura-pilot").scenario,
    )
