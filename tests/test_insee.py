"""INSEE's A38 domestic TES (base 2014) bundled as ``fl.Economy.france(year)``.

Source: INSEE, *tableau des entrées-sorties de production domestique au prix de base,
niveau 38*, comptes nationaux base 2014 ("Source : Insee", Licence Ouverte / Etalab 2.0),
the files of ``data/france/economy/`` (copies of ``../shared/data/insee-a38/``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import filiere as fl

DATA = Path(__file__).resolve().parents[1] / "data" / "france" / "economy"


def _matrix(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    frame = pl.read_csv(path).fill_null(0.0)
    codes = [c for c in frame.columns[1:] if not c.startswith("TOTAL")]
    rows = frame.filter(pl.col("product").is_in(codes))
    assert rows["product"].to_list() == codes
    total = frame.columns[-1]
    return codes, rows.select(codes).to_numpy(), rows[total].to_numpy()


def _model_b(year: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A = U diag(1/g) R' diag(1/q) (Eurostat manual 2008, model B) and q, by numpy."""
    codes, u, _ = _matrix(DATA / f"tes_dom_{year}_intermediate_domestic_symmetric.csv")
    codes_r, r, q = _matrix(DATA / f"tes_dom_{year}_resources_domestic_symmetric.csv")
    assert codes == codes_r
    g = r.sum(axis=0)
    assert np.allclose(r.sum(axis=1), q, atol=1.0)  # INSEE's totals, ±1 M EUR rounding
    a = u @ np.diag(1 / g) @ r.T @ np.diag(1 / q)
    return codes, a, q


def test_insee_2019_totals() -> None:
    e = fl.Economy.france()
    assert e.source.startswith("TES INSEE 2019, base 2014, 37 branches")
    assert len(e.branches) == 37
    cb = e.branches.index("CB")
    assert e.branch_names[cb] == "Textiles, habillement, cuir"
    output = e._inner.output()
    # INSEE 2019: domestic output 4,314,969 M EUR; CB domestic resources 17,332 M EUR.
    assert sum(output) == pytest.approx(4_314_969e6, abs=1.0)
    assert output[cb] == pytest.approx(17_332e6, abs=1e-3)
    households = e._inner.satellites()["household_consumption"]
    assert households is not None and sum(households) == pytest.approx(978_677e6, abs=1.0)


def test_cb_type_i_output_multiplier_equals_numpy() -> None:
    codes, a, _ = _model_b(2019)
    expected = np.linalg.inv(np.eye(len(codes)) - a).sum(axis=0)
    m = fl.Economy.france(year=2019).multipliers("output", type="I")
    got = dict(zip(m["branch"], m["total"], strict=True))
    for code, value in zip(codes, expected, strict=True):
        assert got[code] == pytest.approx(value, abs=1e-9), code
    # The orientation figure: "about 1.64" for CB in 2019.
    assert got["CB"] == pytest.approx(1.64, abs=0.01)


def test_every_year_and_unknown_year() -> None:
    for year in range(2015, 2020):
        e = fl.Economy.france(year=year)
        assert str(year) in e.source and len(e.branches) == 37
    m2015 = fl.Economy.france(year=2015).multipliers("employment", type="II")
    assert m2015.filter(branch="CB")["ratio"][0] > 1
    with pytest.raises(fl.ParameterError, match="2015"):
        fl.Economy.france(year=2014)


def test_read_insee_tes_layouts(tmp_path: Path) -> None:
    bundled = fl.Economy.france(2019)
    raw = fl.Economy.read_insee_tes(DATA / "tes_dom_2019_raw_sheet.csv")
    assert raw.branches == bundled.branches
    assert np.allclose(raw._inner.flows(), bundled._inner.flows(), rtol=0, atol=1e-3)
    for kind in (
        "intermediate_domestic_symmetric",
        "resources_domestic_symmetric",
        "final_demand_domestic",
    ):
        shutil.copy(DATA / f"tes_dom_2017_{kind}.csv", tmp_path)
    split = fl.Economy.read_insee_tes(tmp_path / "tes_dom_2017_final_demand_domestic.csv")
    assert np.allclose(
        split._inner.flows(), fl.Economy.france(2017)._inner.flows(), rtol=0, atol=1e-3
    )
    broken = (DATA / "tes_dom_2019_raw_sheet.csv").read_text(encoding="utf-8")
    bad = tmp_path / "raw.csv"
    bad.write_text(broken.replace("17 263", "17 2x3", 1), encoding="utf-8")
    with pytest.raises(fl.SchemaError, match="17 2x3") as info:
        fl.Economy.read_insee_tes(bad)
    assert "raw.csv" in str(info.value)


def test_jobs_by_branch_sums_to_the_summary() -> None:
    r = fl.Study.example("aura").run()
    by_branch = r.jobs_by_branch.group_by("year").agg(
        pl.col("regional_demand_eur", "jobs_direct", "jobs_indirect", "jobs_induced").sum()
    )
    joined = r.summary.join(by_branch, on="year", suffix="_b")
    for column in ("regional_demand_eur", "jobs_direct", "jobs_indirect", "jobs_induced"):
        assert np.allclose(joined[column], joined[f"{column}_b"], rtol=1e-9), column
    cb = r.jobs_by_branch.filter(year=2028, branch="CB")
    assert cb["branch_name"][0] == "Textiles, habillement, cuir"
    assert cb["regional_demand_eur"][0] > 0
