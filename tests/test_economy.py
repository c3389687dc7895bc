"""The input-output engine from Python: published worked example, properties, readers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import filiere as fl

MB_FLOWS = [[150.0, 500.0], [200.0, 100.0]]
MB_OUTPUT = [1000.0, 2000.0]


@pytest.fixture()
def four() -> fl.Economy:
    """A 4-branch table with households (figures invented, internally consistent)."""
    z = np.array(
        [[20, 30, 10, 5], [15, 40, 25, 10], [10, 20, 30, 15], [5, 10, 15, 20]], dtype=float
    )
    x = np.array([200, 300, 250, 150], dtype=float)
    return fl.Economy.from_table(
        pl.DataFrame({name: z[:, j] for j, name in enumerate("abcd")}),
        x,
        employment=[4, 3, 5, 2],
        compensation=[60, 80, 70, 40],
        value_added=[110, 180, 150, 90],
        household_consumption={"a": 40, "b": 60, "c": 50, "d": 30},
    )


def test_miller_blair_chapter_2() -> None:
    # Miller & Blair, Input-Output Analysis, 2nd ed. (2009), ch. 2: to 4 decimals.
    eco = fl.Economy.from_table(MB_FLOWS, MB_OUTPUT, branches=["agriculture", "manufacturing"])
    a = eco.technical_coefficients()
    assert a.columns == ["branch", "agriculture", "manufacturing"]
    np.testing.assert_allclose(a.drop("branch").to_numpy(), [[0.15, 0.25], [0.20, 0.05]])
    leontief = eco.leontief().drop("branch").to_numpy()
    np.testing.assert_allclose(leontief, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    m = eco.multipliers("output", type="I")
    assert m.columns == ["branch", "direct", "indirect", "induced", "total", "ratio"]
    np.testing.assert_allclose(m["total"], [1.5182, 1.4521], atol=5e-5)
    np.testing.assert_allclose(m["indirect"], m["total"] - 1)


def test_type_ii_income_ratio_is_the_same_for_every_branch(four: fl.Economy) -> None:
    # VALIDATION case 10: Type II / Type I income multipliers are equal across sectors.
    type_i = four.multipliers("income", type="I")
    type_ii = four.multipliers("income", type="II")
    ratio = (type_ii["total"] / type_i["total"]).to_numpy()
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-10)
    assert ratio[0] > 1
    jobs = four.multipliers("employment", type="II")
    np.testing.assert_allclose(
        jobs["total"], jobs["direct"] + jobs["indirect"] + jobs["induced"], rtol=1e-12
    )
    assert (four.multipliers("output")["total"] >= 1).all()


def test_impact_splits_add_up(four: fl.Economy) -> None:
    impact = four.impact({"b": 100.0})
    assert impact["output_direct"].to_list() == [0.0, 100.0, 0.0, 0.0]
    for block in ("output", "value_added", "income", "jobs"):
        parts = sum(impact[f"{block}_{p}"] for p in ("direct", "indirect", "induced"))
        np.testing.assert_allclose(parts, impact[f"{block}_total"], rtol=1e-12)
    # The job total equals the Type II employment multiplier times the shock.
    m = four.multipliers("employment", type="II").filter(pl.col("branch") == "b")
    assert impact["jobs_total"].sum() == pytest.approx(100 * m["total"][0], rel=1e-12)
    assert (four.impact([0, 100, 0, 0], type="I")["jobs_induced"] == 0).all()


def test_location_quotient_and_flq_lambda_by_hand() -> None:
    # SLQ = (20,100 / 3.4 M) / (91,400 / 28 M) = 1.8110; lambda* = log2(1 + 3.4/28)^0.25
    assert fl.location_quotient(20_100, 3.4e6, 91_400, 28e6) == pytest.approx(1.81104, rel=1e-5)
    expected = math.log2(1 + 3.4 / 28) ** 0.25
    assert fl.flq_lambda(3.4e6, 28e6, 0.25) == pytest.approx(expected, rel=1e-12)
    assert fl.flq_lambda(3.4e6, 28e6, 0.0) == pytest.approx(1.0)
    with pytest.raises(fl.ParameterError, match="delta"):
        fl.flq_lambda(3.4e6, 28e6, 1.0)


def test_regionalise_shrinks_multipliers() -> None:
    france = fl.Economy.france()
    branches, regional, national, sources = fl._core.aura_employment()
    assert branches == france.branches and len(sources) == len(branches)
    aura = france.regionalise(
        dict(zip(branches, regional, strict=True)), delta=0.25, national_employment=national
    )
    # Without national_employment the table's own employment is the national reference;
    # it differs for textiles (103,000 employees, INSEE Première 1714, moved to products by
    # the make table, vs 91,400 implied by AURA's 22 % share, Insee Flash AURA 139), so
    # the regional tables differ.
    default = france.regionalise(regional, delta=0.25)
    assert not aura.leontief().equals(default.leontief())
    national_m = france.multipliers("output")["total"].to_numpy()
    regional_m = aura.multipliers("output")["total"].to_numpy()
    assert (regional_m <= national_m + 1e-12).all()
    assert (regional_m >= 1).all()
    textiles = aura.multipliers("employment", type="II").filter(branch="CB")
    assert textiles["ratio"][0] > 1
    with pytest.raises(fl.ParameterError, match="delta"):
        france.regionalise(regional, delta=1.0)


def test_bad_tables_are_clear_errors() -> None:
    with pytest.raises(fl.SchemaError, match="square"):
        fl.Economy.from_table([[1.0, 2.0], [3.0]], [10.0, 10.0])
    with pytest.raises(fl.SchemaError, match="beta"):
        fl.Economy.from_table(MB_FLOWS, [1000.0, -5.0], branches=["alpha", "beta"])
    with pytest.raises(fl.SchemaError, match="beta"):
        # beta's inputs (500 + 800) exceed its output: not productive.
        fl.Economy.from_table(
            [[1.0, 500.0], [1.0, 800.0]], [1000.0, 1000.0], branches=["alpha", "beta"]
        )
    with pytest.raises(fl.SchemaError, match="order"):
        fl.Economy.from_table(
            pl.DataFrame({"branch": ["b", "a"], "a": [1.0, 2.0], "b": [3.0, 4.0]}), [10, 10]
        )
    with pytest.raises(fl.ParameterError):
        fl.Economy.from_table(MB_FLOWS, MB_OUTPUT).multipliers("happiness")  # type: ignore[arg-type]


def test_csv_round_trip(tmp_path: Path, four: fl.Economy) -> None:
    path = tmp_path / "table.csv"
    path.write_text(four.to_csv())
    again = fl.Economy.read_csv(path)
    assert again.branches == four.branches
    np.testing.assert_allclose(
        again.leontief().drop("branch").to_numpy(), four.leontief().drop("branch").to_numpy()
    )


def test_insee_tes_layout(tmp_path: Path) -> None:
    # INSEE's symmetric table exported from the workbook sheet (`;`, decimal comma, M EUR).
    path = tmp_path / "tes.csv"
    path.write_text(
        "Tableau des entrées-sorties 2019;;;;;;;\n"
        "En millions d'euros;;;;;;;\n"
        "Code;Libellé;AZ;C1;GZ;TOTAL_CI;P3_S14;TOTAL\n"
        "AZ;Agriculture, sylviculture et pêche;5 000;20 000,5;100;25 100,5;4 000;80 000\n"
        "C1;Industries agro-alimentaires;3 000;15 000;8 000;26 000;60 000;190 000\n"
        "GZ;Commerce;2 000;6 000;-;8 000;30 000;250 000\n"
        "TOTAL_CI;Total des consommations intermédiaires;10 000;41 000,5;8 100;;;\n"
        "D1;Rémunération des salariés;9 000;22 000;60 000;;;\n"
        "B1G;Valeur ajoutée brute;33 000;38 000;130 000;;;\n"
        "P1;Production;75 000;180 000;250 000;;;\n"
        "EMP;Emploi intérieur (personnes);750 000;560 000;3 000 000;;;\n",
        encoding="cp1252",
    )
    eco = fl.Economy.read_insee_tes(path)
    assert eco.branches == ["AZ", "C1", "GZ"]
    a = eco.technical_coefficients().drop("branch").to_numpy()
    assert a[0, 1] == pytest.approx(20_000.5 / 180_000)
    assert eco.multipliers("employment", type="II")["total"].min() > 0


def test_eurostat_layout(tmp_path: Path) -> None:
    path = tmp_path / "naio_10_cp1700.tsv"
    path.write_text(
        "freq,unit,stk_flow,induse,prod_na,geo\\TIME_PERIOD\t2018 \t2019 \n"
        "A,MIO_EUR,DOM,CPA_A01,CPA_A01,FR\t10.0 \t12.0 \n"
        "A,MIO_EUR,DOM,CPA_A01,CPA_C13-15,FR\t0.5 \t0.6 p\n"
        "A,MIO_EUR,DOM,CPA_C13-15,CPA_A01,FR\t1.0 \t1.5 \n"
        "A,MIO_EUR,DOM,CPA_C13-15,CPA_C13-15,FR\t3.0 \t3.2 e\n"
        "A,MIO_EUR,TOTAL,CPA_A01,P1,FR\t70.0 \t75.0 \n"
        "A,MIO_EUR,TOTAL,CPA_C13-15,P1,FR\t16.0 \t16.4 \n"
    )
    eco = fl.Economy.read_eurostat(path, geo="FR", year=2019)
    assert eco.branches == ["CPA_A01", "CPA_C13-15"]
    a = eco.technical_coefficients().drop("branch").to_numpy()
    np.testing.assert_allclose(a, [[12 / 75, 1.5 / 16.4], [0.6 / 75, 3.2 / 16.4]])
