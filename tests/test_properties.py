"""Property tests (hypothesis) of the models: relations that must hold whatever the inputs.

- allocation + unmet = demand, and no workshop above its minutes (``fl.allocate``);
- more operators never lengthen the pilot's schedule;
- direct jobs scale linearly with pieces (adoption);
- the cost of a kit never falls when wages rise;
- Leontief output multipliers are at least 1.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filiere as fl

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n_w=st.integers(1, 8),
    n_d=st.integers(1, 4),
    tightness=st.floats(0.1, 2.0),
)
def test_allocation_plus_unmet_is_demand(seed: int, n_w: int, n_d: int, tightness: float) -> None:
    rng = np.random.default_rng(seed)
    minutes = {"polo": 30.0, "sweat": 45.0}
    demand = pl.DataFrame(
        [
            {"product": p, "departement": f"{d:02d}", "pieces": float(rng.integers(1, 500))}
            for p in minutes
            for d in range(n_d)
        ]
    )
    need = float((demand["pieces"] * demand["product"].replace_strict(minutes)).sum())
    capacity = pl.DataFrame(
        {
            "workshop": [f"W{i}" for i in range(n_w)],
            "minutes_available": rng.dirichlet(np.ones(n_w)) * need * tightness,
        }
    )
    cost = pl.DataFrame(
        [
            {"workshop": f"W{w}", "product": p, "departement": f"{d:02d}", "eur_per_piece": c}
            for w in range(n_w)
            for p in minutes
            for d in range(n_d)
            if (c := float(rng.uniform(5, 40))) < 35  # some combinations cannot be made
        ],
        schema={
            "workshop": pl.String,
            "product": pl.String,
            "departement": pl.String,
            "eur_per_piece": pl.Float64,
        },
    )
    if cost.height == 0:
        with pytest.raises(fl.StudyError):
            fl.allocate(capacity, demand, cost, minutes)
        return
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    made = r.allocation["pieces"].sum()
    assert made + r.unmet_pieces == pytest.approx(demand["pieces"].sum(), rel=1e-7)
    used = (
        r.allocation.with_columns(pl.col("product").replace_strict(minutes).alias("m"))
        .group_by("workshop")
        .agg((pl.col("pieces") * pl.col("m")).sum().alias("used"))
        .join(capacity, on="workshop")
    )
    assert (used["used"] <= used["minutes_available"] * (1 + 1e-7) + 1e-6).all()
    assert (r.allocation["pieces"] >= 0).all() and (r.unmet["pieces"] >= 0).all()


@SETTINGS
@given(share=st.floats(0.05, 0.5), more=st.floats(1.0, 2.0))
def test_more_operators_never_lengthen_the_schedule(
    pilot: fl.Study, share: float, more: float
) -> None:
    base = pilot.with_params(programme_share=share).run().summary.row(0, named=True)
    bigger = pilot.with_params(programme_share=min(1.0, share * more)).run()
    assert bigger.summary["makespan_days"][0] <= base["makespan_days"]


@SETTINGS
@given(adoption=st.floats(0.05, 1.0))
def test_direct_jobs_scale_linearly_with_pieces(pilot: fl.Study, adoption: float) -> None:
    full = pilot.run().summary.row(0, named=True)
    part = pilot.with_scenario(adoption=adoption).run().summary.row(0, named=True)
    assert part["pieces"] == pytest.approx(full["pieces"] * adoption, rel=1e-9)
    # The pilot's workshops have room for every piece, so the mix of workshops is the
    # cheapest whatever the volume, and labour hours are proportional to pieces.
    assert part["direct_fte"] == pytest.approx(full["direct_fte"] * adoption, rel=1e-6)


@SETTINGS
@given(premium=st.floats(0.0, 0.5), rise=st.floats(0.0, 0.5))
def test_cost_never_falls_when_wages_rise(pilot: fl.Study, premium: float, rise: float) -> None:
    low = pilot.with_params(wage_premium=premium).run().summary["cost_per_kit_eur"][0]
    high = pilot.with_params(wage_premium=premium + rise).run().summary["cost_per_kit_eur"][0]
    assert high >= low - 1e-9


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), spend=st.floats(0.01, 0.95))
def test_output_multipliers_are_at_least_one(seed: int, n: int, spend: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1e2, 1e5, n)
    a = rng.uniform(0, 1, (n, n))
    a *= spend * rng.uniform(0.1, 1.0, n) / a.sum(axis=0)
    eco = fl.Economy.from_table(a * x, x)
    total = eco.multipliers("output")["total"].to_numpy()
    assert (total >= 1 - 1e-12).all()
