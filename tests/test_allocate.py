"""``fl.allocate``: optimality against scipy's HiGHS, invariants, shadow prices by hand, and
clear errors on bad tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

import filiere as fl


def instance(
    seed: int, n_w: int = 12, n_d: int = 5, products: tuple[str, ...] = ("polo", "sweat")
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, float]]:
    """A random allocation problem: some workshops cannot make some products, capacity is
    sometimes short so that demand is unmet."""
    rng = np.random.default_rng(seed)
    minutes = {p: float(rng.uniform(10, 40)) for p in products}
    workshops = [f"W{i:02d}" for i in range(n_w)]
    deps = [f"{d:02d}" for d in range(1, n_d + 1)]
    demand = pl.DataFrame(
        [
            {"product": p, "departement": d, "pieces": float(rng.integers(0, 2_000))}
            for p in products
            for d in deps
        ]
    )
    need = sum(row["pieces"] * minutes[row["product"]] for row in demand.iter_rows(named=True))
    share = rng.dirichlet(np.ones(n_w)) * need * rng.uniform(0.6, 1.4)
    capacity = pl.DataFrame({"workshop": workshops, "minutes_available": share})
    cost = pl.DataFrame(
        [
            {"workshop": w, "product": p, "departement": d, "eur_per_piece": rng.uniform(8, 30)}
            for w in workshops
            for p in products
            if rng.uniform() < 0.8
            for d in deps
        ]
    )
    return capacity, demand, cost, minutes


def scipy_objective(
    capacity: pl.DataFrame,
    demand: pl.DataFrame,
    cost: pl.DataFrame,
    minutes: dict[str, float],
    penalty: float,
    max_share: float | None = None,
) -> float:
    """The same LP written out for scipy.optimize.linprog (HiGHS)."""
    rows = [(r["product"], r["departement"]) for r in demand.iter_rows(named=True)]
    q = demand["pieces"].to_numpy()
    arcs = [
        (r["workshop"], rows.index((r["product"], r["departement"])), r["eur_per_piece"])
        for r in cost.iter_rows(named=True)
    ]
    workshops = capacity["workshop"].to_list()
    n_x, n_u = len(arcs), len(rows)
    c = np.concatenate([[a[2] for a in arcs], np.full(n_u, penalty)])
    a_eq = np.zeros((n_u, n_x + n_u))
    for j, (_, r, _) in enumerate(arcs):
        a_eq[r, j] = 1
    a_eq[np.arange(n_u), n_x + np.arange(n_u)] = 1
    a_ub = np.zeros((len(workshops), n_x + n_u))
    for j, (w, r, _) in enumerate(arcs):
        a_ub[workshops.index(w), j] = minutes[rows[r][0]]
    b_ub = capacity["minutes_available"].to_numpy()
    if max_share is not None:
        share = np.zeros((len(workshops), n_x + n_u))
        for j, (w, _, _) in enumerate(arcs):
            share[workshops.index(w), j] = 1
        a_ub = np.vstack([a_ub, share])
        b_ub = np.concatenate([b_ub, np.full(len(workshops), max_share * q.sum())])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=q, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@pytest.mark.parametrize("seed", range(12))
def test_matches_scipy_highs_objective(seed: int) -> None:
    capacity, demand, cost, minutes = instance(seed)
    result = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    expected = scipy_objective(capacity, demand, cost, minutes, 1_000.0)
    assert result.objective_eur == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_matches_scipy_with_max_share(seed: int) -> None:
    capacity, demand, cost, minutes = instance(100 + seed)
    result = fl.allocate(capacity, demand, cost, minutes, max_share=0.15, unmet_penalty=500.0)
    expected = scipy_objective(capacity, demand, cost, minutes, 500.0, max_share=0.15)
    assert result.objective_eur == pytest.approx(expected, rel=1e-6)
    total = demand["pieces"].sum()
    made = result.allocation.group_by("workshop").agg(pl.col("pieces").sum())
    assert made["pieces"].max() <= 0.15 * total * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_invariants(seed: int) -> None:
    capacity, demand, cost, minutes = instance(200 + seed)
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    # No workshop above its minutes.
    used = (
        r.allocation.with_columns(
            (pl.col("pieces") * pl.col("product").replace_strict(minutes)).alias("m")
        )
        .group_by("workshop")
        .agg(pl.col("m").sum())
        .join(capacity, on="workshop")
    )
    assert (used["m"] <= used["minutes_available"] * (1 + 1e-9) + 1e-6).all()
    # Allocation + unmet = demand, row by row.
    made = r.allocation.group_by("product", "departement").agg(pl.col("pieces").sum())
    check = (
        demand.join(made, on=["product", "departement"], how="left", suffix="_made")
        .join(r.unmet, on=["product", "departement"], suffix="_unmet")
        .fill_null(0.0)
    )
    gap = (check["pieces_made"] + check["pieces_unmet"] - check["pieces"]).abs()
    assert gap.max() <= 1e-6 * max(1.0, demand["pieces"].max())  # type: ignore[operator]
    # The objective is the cost of what was made plus the penalty.
    assert r.objective_eur == pytest.approx(r.production_cost_eur + r.unmet_penalty_eur)
    # Halving every capacity never lowers the cost.
    half = capacity.with_columns(pl.col("minutes_available") / 2)
    assert fl.allocate(half, demand, cost, minutes, unmet_penalty=1_000.0).objective_eur >= (
        r.objective_eur * (1 - 1e-9)
    )


def two_workshops() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, float]]:
    capacity = pl.DataFrame({"workshop": ["A", "B"], "minutes_available": [600.0, 10_000.0]})
    demand = pl.DataFrame({"product": ["polo"], "departement": ["69"], "pieces": [100.0]})
    cost = pl.DataFrame(
        {
            "workshop": ["A", "B"],
            "product": ["polo", "polo"],
            "departement": ["69", "69"],
            "eur_per_piece": [10.0, 12.0],
        }
    )
    return capacity, demand, cost, {"polo": 20.0}


def test_shadow_prices_by_hand() -> None:
    # A makes 600 / 20 = 30 pieces at 10 EUR, B the other 70 at 12 EUR: 1,140 EUR.
    # One more minute at A moves 1/20 piece from B to A: saves 2 / 20 = 0.10 EUR.
    # One more piece demanded is made at B: 12 EUR.
    r = fl.allocate(*two_workshops())
    assert r.objective_eur == pytest.approx(1_140.0, rel=1e-7)
    pieces = dict(zip(r.allocation["workshop"], r.allocation["pieces"], strict=True))
    assert pieces["A"] == pytest.approx(30.0, abs=1e-4)
    assert pieces["B"] == pytest.approx(70.0, abs=1e-4)
    shadow = dict(
        zip(
            r.shadow_prices.capacity["workshop"],
            r.shadow_prices.capacity["eur_per_minute"],
            strict=True,
        )
    )
    assert shadow["A"] == pytest.approx(0.10, abs=1e-5)
    assert shadow["B"] == pytest.approx(0.0, abs=1e-5)
    assert r.shadow_prices.demand["eur_per_piece"][0] == pytest.approx(12.0, rel=1e-6)
    assert r.unmet_pieces == 0.0


def test_unmet_is_priced_at_the_penalty() -> None:
    capacity, demand, cost, minutes = two_workshops()
    small = capacity.with_columns(pl.lit(200.0).alias("minutes_available"))
    r = fl.allocate(small, demand, cost, minutes, unmet_penalty=1_000.0)
    # 10 + 10 pieces made, 80 unmet at 1,000 EUR each.
    assert r.unmet_pieces == pytest.approx(80.0, rel=1e-7)
    assert r.objective_eur == pytest.approx(100 + 120 + 80_000, rel=1e-7)
    assert r.shadow_prices.demand["eur_per_piece"][0] == pytest.approx(1_000.0, rel=1e-6)


def test_pandas_and_departement_numbers_are_accepted() -> None:
    capacity, demand, cost, minutes = two_workshops()
    r = fl.allocate(
        capacity.to_pandas(),
        demand.with_columns(pl.col("departement").cast(pl.Int64)),
        cost.with_columns(pl.col("departement").cast(pl.Int64)),
        minutes,
    )
    assert r.objective_eur == pytest.approx(1_140.0, rel=1e-7)


def test_missing_column_names_table_and_column() -> None:
    capacity, demand, cost, minutes = two_workshops()
    with pytest.raises(fl.SchemaError, match="capacity") as e:
        fl.allocate(capacity.drop("minutes_available"), demand, cost, minutes)
    assert e.value.problems[0]["column"] == "minutes_available"


def test_bad_cells_are_all_reported_with_rows() -> None:
    capacity, demand, cost, minutes = two_workshops()
    bad = pl.DataFrame(
        {
            "workshop": ["A", "Z", "A"],
            "product": ["polo", "polo", "polo"],
            "departement": ["69", "69", "69"],
            "eur_per_piece": [10.0, 11.0, 12.0],
        }
    )
    with pytest.raises(fl.SchemaError) as e:
        fl.allocate(capacity, demand, bad, minutes)
    problems = e.value.problems
    # Row 3: unknown workshop Z; row 4: A/polo/69 a second time (header is row 1).
    assert [(p["row"], p["column"]) for p in problems] == [(3, "workshop"), (4, "workshop")]
    assert "not in the capacity table" in problems[0]["message"]
    text = pl.DataFrame(
        {"workshop": ["A", "B"], "minutes_available": ["600", "beaucoup"]},
    )
    with pytest.raises(fl.SchemaError) as e:
        fl.allocate(text, demand, cost, minutes)
    assert e.value.problems[0]["row"] == 3
    assert e.value.problems[0]["value"] == "beaucoup"


def test_product_without_minutes_and_bad_options() -> None:
    capacity, demand, cost, _ = two_workshops()
    with pytest.raises(fl.SchemaError, match="minutes_per_piece"):
        fl.allocate(capacity, demand, cost, {"sweat": 30.0})
    with pytest.raises(fl.ParameterError, match="max_share"):
        fl.allocate(capacity, demand, cost, {"polo": 20.0}, max_share=1.5)
    empty = demand.clear()
    with pytest.raises(fl.StudyError, match=r"no (demand|product)"):
        fl.allocate(capacity, empty, cost, {"polo": 20.0})
