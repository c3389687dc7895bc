"""The outputs registry (``fl.outputs()``) covers every column of every ``Results`` table."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

import filiere as fl
import filiere.results
from filiere.outputs import COLUMNS, header, label, unit

ROOT = Path(__file__).resolve().parents[1]

#: Every unit the registry may use: a new unit is a decision, not a typo.
UNITS = {
    "id",
    "-",
    "date",
    "EUR",
    "EUR/piece",
    "EUR/kit",
    "EUR/unit",
    "EUR/min",
    "pieces",
    "kits",
    "pieces or kits",
    "pupils",
    "m",
    "h",
    "min",
    "min/unit",
    "FTE",
    "FTE/MEUR",
    "persons",
    "days",
    "working days",
    "fraction",
    "workshops",
    "EUR/job",
    "t CO2e",
    "kg CO2e/piece",
}


def result_tables(results: fl.Results) -> dict[str, pl.DataFrame]:
    """Every table ``results`` exposes: dataclass fields, properties and ``TABLES``."""
    tables: dict[str, pl.DataFrame] = {}
    if dataclasses.is_dataclass(results):
        for field in dataclasses.fields(results):
            value = getattr(results, field.name)
            if isinstance(value, pl.DataFrame):
                tables[field.name] = value
    for name, member in inspect.getmembers(type(results)):
        if isinstance(member, property) and not name.startswith("_"):
            value = getattr(results, name)
            if isinstance(value, pl.DataFrame):
                tables[name] = value
    for name in getattr(filiere.results, "TABLES", ()):
        tables[name] = getattr(results, name)
    return tables


@pytest.fixture(scope="module", params=["aura", "aura-pilot"])
def tables(request: pytest.FixtureRequest) -> dict[str, pl.DataFrame]:
    return result_tables(fl.Study.example(request.param).run())


@pytest.fixture(scope="module")
def registry() -> pl.DataFrame:
    return fl.outputs()


def test_registry_shape(registry: pl.DataFrame) -> None:
    assert registry.columns == list(COLUMNS)
    assert all(dtype == pl.String for dtype in registry.dtypes)
    duplicated = registry.filter(pl.struct("table", "column").is_duplicated())
    assert duplicated.height == 0, duplicated
    for row in registry.iter_rows(named=True):
        where = f"{row['table']}.{row['column']}"
        for key in COLUMNS:
            value = row[key]
            assert value is not None and value.strip() == value and value, (where, key)
        assert row["unit"] in UNITS, f"{where}: unknown unit {row['unit']!r}"
        assert row["description"].endswith("."), f"{where}: description is not a sentence"
        assert row["description"][0].isupper(), f"{where}: description starts lower-case"


def test_labels_unique_within_a_table(registry: pl.DataFrame) -> None:
    for lang in ("fr", "en"):
        for (table,), group in registry.group_by("table"):
            counts = Counter(group[f"label_{lang}"])
            twice = [text for text, n in counts.items() if n > 1]
            assert not twice, f"{table}: label_{lang} used twice: {twice}"


def test_every_result_column_has_exactly_one_row(
    tables: dict[str, pl.DataFrame], registry: pl.DataFrame
) -> None:
    assert set(filiere.results.TABLES) <= set(tables)
    have = {(t, c) for t, frame in tables.items() for c in frame.columns}
    described = set(zip(registry["table"], registry["column"], strict=True))
    missing = sorted(have - described)
    assert not missing, f"result columns without a row in outputs.csv: {missing}"
    stale = sorted(described - have)
    assert not stale, f"rows of outputs.csv for columns no table has: {stale}"


def test_units_agree_with_dtypes(tables: dict[str, pl.DataFrame]) -> None:
    for name, frame in tables.items():
        for column, dtype in frame.schema.items():
            u = unit(name, column)
            where = f"{name}.{column} ({dtype}, {u})"
            assert (dtype == pl.Date) == (u == "date"), where
            if dtype == pl.Boolean:
                assert u == "-", where
            if dtype == pl.String:
                assert u == "id", where
            if u in ("id", "-", "date"):
                continue
            assert dtype.is_numeric(), where


def test_real_values() -> None:
    assert "ETP" in label("summary", "direct_fte", "fr")
    assert label("summary", "direct_fte") == "direct FTE"
    assert header("summary", "direct_fte") == "direct FTE (FTE)"
    assert header("summary", "direct_fte", "fr") == "ETP directs (ETP)"
    assert header("summary", "on_time") == "on time"
    assert unit("summary", "budget_eur") == "EUR"
    assert unit("summary", "cost_per_kit_eur") == "EUR/kit"
    assert unit("summary", "jobs_total") == "persons"
    assert unit("summary", "late_days") == "days"
    assert unit("capacity", "shadow_eur_per_min") == "EUR/min"
    assert unit("schedule", "working_days") == "working days"
    assert label("summary", "budget_eur", "fr") == "budget TTC"
    assert "rentrée" in label("summary", "hiring_needed_for_deadline", "fr")
    description = fl.outputs().filter(table="summary", column="direct_fte")["description"]
    assert "absenteeism" in description.item()


def test_errors_name_what_is_missing() -> None:
    with pytest.raises(KeyError, match=r"'no_such_column'.*'summary'"):
        label("summary", "no_such_column")
    with pytest.raises(KeyError, match="no_such_table"):
        unit("no_such_table", "year")
    with pytest.raises(ValueError, match="'de'"):
        label("summary", "year", "de")


def test_outputs_is_exported_and_fresh() -> None:
    assert "outputs" in fl.__all__
    a, b = fl.outputs(), fl.outputs()
    assert a is not b and a.equals(b)
    a.drop_in_place("description")
    assert "description" in fl.outputs().columns


def test_docs_table_is_up_to_date() -> None:
    script = ROOT / "scripts" / "outputs_doc.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
