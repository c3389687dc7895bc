"""Shared fixtures: the bundled studies and the paths of their files."""

from __future__ import annotations

from pathlib import Path

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
