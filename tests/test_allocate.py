"""``fl.allocate``: optimality against scipy's HiGHS, invariants, shadow prices by hand, and
clear errors on bad tables; on random held-out style instances and degenerate cases, the
objective to 1e-9 of HiGHS and optimality certified by LP duality (complementary slackness),
the bar of an exact engine."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import sparse
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


@pytest.mark.parametrize("seed", range(12))
def test_matches_scipy_highs_objective(seed: int) -> None:
    capacity, demand, cost, minutes = instance(seed)
    result = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    expected = highs_reference(capacity, demand, cost, minutes, 1_000.0)
    assert result.objective_eur == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_matches_scipy_with_max_share(seed: int) -> None:
    capacity, demand, cost, minutes = instance(100 + seed)
    result = fl.allocate(capacity, demand, cost, minutes, max_share=0.15, unmet_penalty=500.0)
    expected = highs_reference(capacity, demand, cost, minutes, 500.0, max_share=0.15)
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


# ---------------------------------------------------------------------------------------
# Validation against HiGHS on held-out style random instances, and optimality certified by
# LP duality. These tests hold any exact engine to 1e-9 (objective, complementary
# slackness) and to exact zeros (unmet pieces when capacity is ample); an interior-point
# engine, whose answers carry its tolerance, is not expected to pass all of them.
# ---------------------------------------------------------------------------------------

PRODUCTS = ("polo", "sweatshirt", "trousers")

#: Relative tolerance of the objective against HiGHS, and of the duality checks.
EXACT = 1e-9

#: HiGHS run tighter than its defaults (1e-7), so that the reference is not the loosest
#: party at a 1e-9 bar (scipy's linprog options, passed to HiGHS as they are).
HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def highs_reference(
    capacity: pl.DataFrame,
    demand: pl.DataFrame,
    cost: pl.DataFrame,
    minutes: dict[str, float],
    penalty: float,
    max_share: float | None = None,
) -> float:
    """The allocation LP of ``fl.allocate``'s docstring (src/model/allocate.rs, module docs)
    written out for ``scipy.optimize.linprog(method="highs")`` with sparse matrices; its
    optimal objective (EUR).

    Columns: one flow per cost row whose (product, département) is demanded, then one unmet
    variable per demand row. Rows: Σ_w x + unmet = demand (per demand row); Σ minutes·x ≤
    minutes_available (per workshop); with ``max_share``, Σ x ≤ max_share · Σ demand.
    """
    dem = demand.group_by("product", "departement", maintain_order=True).agg(pl.col("pieces").sum())
    row_of = {key: i for i, key in enumerate(zip(dem["product"], dem["departement"], strict=True))}
    w_of = {w: i for i, w in enumerate(capacity["workshop"])}
    arcs = [
        (w_of[w], row_of[(p, d)], minutes[p], c)
        for w, p, d, c in cost.select(
            "workshop", "product", "departement", "eur_per_piece"
        ).iter_rows()
        if (p, d) in row_of
    ]
    n_x, n_u, n_w = len(arcs), dem.height, capacity.height
    w_idx = np.array([a[0] for a in arcs], dtype=np.int64)
    r_idx = np.array([a[1] for a in arcs], dtype=np.int64)
    mins = np.array([a[2] for a in arcs], dtype=float)
    c = np.concatenate([np.array([a[3] for a in arcs], dtype=float), np.full(n_u, penalty)])
    a_eq = sparse.csr_array(
        (np.ones(n_x + n_u), (np.concatenate([r_idx, np.arange(n_u)]), np.arange(n_x + n_u))),
        shape=(n_u, n_x + n_u),
    )
    a_ub = sparse.csr_array((mins, (w_idx, np.arange(n_x))), shape=(n_w, n_x + n_u))
    b_ub = capacity["minutes_available"].to_numpy()
    if max_share is not None:
        share = sparse.csr_array((np.ones(n_x), (w_idx, np.arange(n_x))), shape=(n_w, n_x + n_u))
        a_ub = sparse.vstack([a_ub, share]).tocsr()
        b_ub = np.concatenate([b_ub, np.full(n_w, max_share * float(dem["pieces"].sum()))])
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=dem["pieces"].to_numpy(),
        method="highs",
        options=HIGHS_OPTIONS,
    )
    assert res.status == 0, res.message
    return float(res.fun)


Instance = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, float]]


def random_instance(seed: int, capacity_ratio: float | None = None) -> Instance:
    """A held-out style random allocation problem of varied size.

    3-60 workshops (some with zero capacity), 1-12 départements, 1-3 products with 10-45
    minutes a piece; cost = making (per workshop and product) + transport (per workshop and
    département), with about 15 % of the (workshop, product, département) entries missing
    and some workshops not making some products at all. Demand is fractional or whole
    pieces, some rows 0.

    ``capacity_ratio=None`` (ample): every demand row has a *home* workshop that can make
    it, each workshop gets 2x the work of the rows it is home to plus an uneven share of
    0-1x the total work, so total capacity is >= 2x the work, the cheap workshops can still
    be full, and all demand can be served. ``capacity_ratio=r`` (short): capacity is r x the
    work, spread unevenly, so demand is left unmet.
    """
    rng = np.random.default_rng(seed)
    n_w, n_d, n_p = int(rng.integers(3, 61)), int(rng.integers(1, 13)), int(rng.integers(1, 4))
    products = PRODUCTS[:n_p]
    minutes = {p: float(rng.uniform(10, 45)) for p in products}
    workshops = [f"W{w:02d}" for w in range(n_w)]
    deps = [f"{d:02d}" for d in rng.choice(np.arange(1, 96), n_d, replace=False)]
    pieces = rng.uniform(0, 3_000, (n_p, n_d))
    if seed % 2:
        pieces = np.round(pieces)
    pieces[rng.uniform(size=(n_p, n_d)) < 0.1] = 0.0
    rows = [(p, d) for p in range(n_p) for d in range(n_d)]
    work = {(p, d): pieces[p, d] * minutes[products[p]] for p, d in rows}
    total_work = sum(work.values())
    making = rng.uniform(8, 30, (n_w, n_p))
    transport = rng.uniform(0, 3, (n_w, n_d))
    makes = rng.uniform(size=(n_w, n_p)) > 0.15
    present = (rng.uniform(size=(n_w, n_p, n_d)) > 0.15) & makes[:, :, None]
    zero = rng.uniform(size=n_w) < 0.1
    if capacity_ratio is None:
        home = {row: int(rng.integers(0, n_w)) for row in rows}
        for (p, d), w in home.items():
            present[w, p, d] = True
            zero[w] = False
        share = rng.dirichlet(np.full(n_w, 0.5)) * rng.uniform(0, 1) * total_work
        minutes_available = share + np.array(
            [2 * sum(work[row] for row, h in home.items() if h == w) for w in range(n_w)]
        )
    else:
        minutes_available = rng.dirichlet(np.full(n_w, 0.5)) * capacity_ratio * total_work
    minutes_available[zero] = 0.0
    capacity = pl.DataFrame({"workshop": workshops, "minutes_available": minutes_available})
    demand = pl.DataFrame(
        {
            "product": [products[p] for p, _ in rows],
            "departement": [deps[d] for _, d in rows],
            "pieces": [float(pieces[row]) for row in rows],
        }
    )
    entries = np.argwhere(present)
    cost = pl.DataFrame(
        {
            "workshop": [workshops[w] for w, _, _ in entries],
            "product": [products[p] for _, p, _ in entries],
            "departement": [deps[d] for _, _, d in entries],
            "eur_per_piece": [float(making[w, p] + transport[w, d]) for w, p, d in entries],
        },
        schema={
            "workshop": pl.String,
            "product": pl.String,
            "departement": pl.String,
            "eur_per_piece": pl.Float64,
        },
    )
    return capacity, demand, cost, minutes


def penalty_for(seed: int) -> float:
    """Penalties of different scales (EUR per unmet piece), all above every cost."""
    return (200.0, 1_000.0, 25_000.0)[seed % 3]


def assert_optimal(
    result: fl.Allocation,
    capacity: pl.DataFrame,
    demand: pl.DataFrame,
    cost: pl.DataFrame,
    minutes: dict[str, float],
    penalty: float,
) -> None:
    """Certify optimality by LP duality, to ``EXACT``: primal feasibility, dual
    feasibility and complementary slackness (then strong duality must hold too).

    Dual of the allocation LP, with the signs of ``fl.allocate``'s shadow prices: π[p,d] =
    ``demand_shadow`` (EUR the objective rises by per piece demanded), μ[w] =
    ``capacity_shadow`` ≥ 0 (EUR it falls by per minute). The reduced cost of a flow arc is
    c[w,p,d] - π[p,d] + minutes[p]·μ[w], that of an unmet variable penalty - π[p,d].
    """
    # Scale of the prices: every dual is at most the penalty, every reduced cost is a
    # difference of costs, penalties and minutes·μ (EUR per piece).
    scale = max(float(cost["eur_per_piece"].max() or 0.0), penalty)  # type: ignore[arg-type]
    tol = EXACT * scale
    max_minutes = max(minutes.values())
    pi = result.shadow_prices.demand.rename({"eur_per_piece": "pi"})
    mu = result.shadow_prices.capacity.rename({"eur_per_minute": "mu"})
    minutes_of = pl.col("product").replace_strict(minutes, return_dtype=pl.Float64)

    # Primal feasibility: x ≥ 0, capacity, served + unmet = demand, unmet ≥ 0.
    assert (result.allocation["pieces"] >= 0).all()
    assert (result.unmet["pieces"] >= 0).all()
    used = (
        result.allocation.group_by("workshop")
        .agg((pl.col("pieces") * minutes_of).sum().alias("used"))
        .join(capacity, on="workshop", how="right")
        .fill_null(0.0)
    )
    assert (used["used"] <= used["minutes_available"] * (1 + EXACT)).all()
    rows = (
        demand.group_by("product", "departement")
        .agg(pl.col("pieces").sum())
        .join(
            result.allocation.group_by("product", "departement").agg(
                pl.col("pieces").sum().alias("served")
            ),
            on=["product", "departement"],
            how="left",
        )
        .join(
            result.unmet.rename({"pieces": "unmet"}),
            on=["product", "departement"],
            how="left",
        )
        .join(pi, on=["product", "departement"], how="left")
        .with_columns(pl.col("served").fill_null(0.0))
    )
    assert rows["unmet"].null_count() == 0, "one unmet row per demand row"
    assert rows["pi"].null_count() == 0, "one demand shadow per demand row"
    gap = (rows["served"] + rows["unmet"] - rows["pieces"]).abs()
    assert (gap <= EXACT * rows["pieces"].max()).all()  # type: ignore[operator]

    # Dual feasibility: μ ≥ 0; every arc's reduced cost ≥ 0; every unmet variable's
    # reduced cost penalty - π ≥ 0 (LP duality: the dual of a min problem with x ≥ 0).
    assert (mu["mu"] * max_minutes >= -tol).all()
    arcs = (
        cost.join(pi, on=["product", "departement"], how="inner")
        .join(mu, on="workshop")
        .join(
            result.allocation.rename({"pieces": "x"}),
            on=["workshop", "product", "departement"],
            how="left",
        )
        .with_columns(
            (pl.col("eur_per_piece") - pl.col("pi") + minutes_of * pl.col("mu")).alias("rc"),
            pl.col("x").fill_null(0.0),
        )
    )
    assert arcs["rc"].min() >= -tol, arcs.sort("rc").head(3)  # type: ignore[operator]
    assert (rows["pi"] <= penalty + tol).all()

    # Complementary slackness (LP duality): a positive flow has reduced cost 0; unmet
    # pieces are priced at the penalty; a workshop with spare minutes has μ = 0, and one
    # with μ > 0 is full.
    flowing = arcs.filter(pl.col("x") > 0)
    assert flowing.height == result.allocation.height, "a flow without a cost entry"
    assert (flowing["rc"].abs() <= tol).all(), flowing.sort("rc", descending=True).head(3)
    short = rows.filter(pl.col("unmet") > 0)
    assert ((short["pi"] - penalty).abs() <= tol).all(), short
    cap = result.capacity.join(mu, on="workshop")
    slack = cap.filter(pl.col("minutes_used") < pl.col("minutes_available") * (1 - EXACT))
    assert (slack["mu"].abs() * max_minutes <= tol).all(), slack
    priced = cap.filter(pl.col("mu") * max_minutes > tol)
    assert (priced["minutes_used"] >= priced["minutes_available"] * (1 - EXACT)).all(), priced

    # Strong duality (LP duality): Σ π·demand - Σ μ·minutes_available = objective.
    dual_objective = float((rows["pi"] * rows["pieces"]).sum()) - float(
        (cap["mu"] * cap["minutes_available"]).sum()
    )
    assert dual_objective == pytest.approx(result.objective_eur, rel=EXACT, abs=tol)


AMPLE_SEEDS = range(1_000, 1_024)
SHORT_SEEDS = range(2_000, 2_016)


@pytest.mark.parametrize("seed", AMPLE_SEEDS)
def test_ample_capacity_matches_highs_and_serves_everything(seed: int) -> None:
    capacity, demand, cost, minutes = random_instance(seed)
    penalty = penalty_for(seed)
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=penalty)
    # Same LP, HiGHS's simplex: the optimum is unique in value (LP theory), so an exact
    # engine agrees to rounding.
    expected = highs_reference(capacity, demand, cost, minutes, penalty)
    assert r.objective_eur == pytest.approx(expected, rel=EXACT)
    # Capacity >= 2x the work and every row has a workshop that can take it all: the
    # optimum serves everything, and an exact (vertex) solution leaves exactly 0 unmet, not
    # a residue of the solver's tolerance.
    assert r.unmet.height == demand.height
    assert (r.unmet["pieces"] == 0.0).all(), r.unmet.filter(pl.col("pieces") != 0)
    assert r.unmet_pieces == 0.0
    assert r.unmet_penalty_eur == 0.0


@pytest.mark.parametrize("seed", SHORT_SEEDS)
def test_short_capacity_matches_highs(seed: int) -> None:
    ratio = float(np.random.default_rng(seed).uniform(0.5, 0.9))
    capacity, demand, cost, minutes = random_instance(seed, capacity_ratio=ratio)
    penalty = penalty_for(seed)
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=penalty)
    expected = highs_reference(capacity, demand, cost, minutes, penalty)
    assert r.objective_eur == pytest.approx(expected, rel=EXACT)
    # Capacity below the work: something is unmet (pigeonhole on minutes).
    assert r.unmet_pieces > 0


@pytest.mark.parametrize(
    ("seed", "ratio"),
    [(s, None) for s in AMPLE_SEEDS] + [(s, 0.7) for s in SHORT_SEEDS],
)
def test_duals_certify_optimality(seed: int, ratio: float | None) -> None:
    capacity, demand, cost, minutes = random_instance(seed, capacity_ratio=ratio)
    penalty = penalty_for(seed)
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=penalty)
    assert_optimal(r, capacity, demand, cost, minutes, penalty)


@pytest.mark.parametrize(("seed", "ratio"), [(3_000 + s, (None, 0.7)[s % 2]) for s in range(8)])
def test_random_max_share_matches_highs(seed: int, ratio: float | None) -> None:
    capacity, demand, cost, minutes = random_instance(seed, capacity_ratio=ratio)
    n_w = capacity.height
    # At least 1.5 / n_w, so that the shares can cover the demand; at most 1.
    share = min(1.0, float(np.random.default_rng(seed).uniform(1.5, 4.0)) / n_w)
    r = fl.allocate(capacity, demand, cost, minutes, max_share=share, unmet_penalty=1_000.0)
    expected = highs_reference(capacity, demand, cost, minutes, 1_000.0, max_share=share)
    # The existing bar for max_share (test_matches_scipy_with_max_share).
    assert r.objective_eur == pytest.approx(expected, rel=1e-6)
    made = r.allocation.group_by("workshop").agg(pl.col("pieces").sum())
    assert (made["pieces"] <= share * float(demand["pieces"].sum()) * (1 + 1e-9)).all()


def frames(
    capacity: dict[str, float],
    demand: list[tuple[str, str, float]],
    cost: list[tuple[str, str, str, float]],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        pl.DataFrame(
            {"workshop": list(capacity), "minutes_available": list(capacity.values())},
            schema={"workshop": pl.String, "minutes_available": pl.Float64},
        ),
        pl.DataFrame(
            demand,
            schema={"product": pl.String, "departement": pl.String, "pieces": pl.Float64},
            orient="row",
        ),
        pl.DataFrame(
            cost,
            schema={
                "workshop": pl.String,
                "product": pl.String,
                "departement": pl.String,
                "eur_per_piece": pl.Float64,
            },
            orient="row",
        ),
    )


def test_capacity_exactly_equal_to_the_work() -> None:
    # 2 workshops, 2 products; minutes offered = minutes needed exactly (dyadic numbers,
    # exact in binary): 150 polos x 20 + 40 sweats x 25 = 4,000 = 2,500 + 1,500 minutes.
    # A degenerate optimum (the capacity rows and the demand rows are linearly dependent).
    capacity, demand, cost = frames(
        {"A": 2_500.0, "B": 1_500.0},
        [("polo", "69", 100.0), ("polo", "38", 50.0), ("sweat", "69", 40.0)],
        [
            ("A", "polo", "69", 10.0),
            ("A", "polo", "38", 11.0),
            ("A", "sweat", "69", 14.0),
            ("B", "polo", "69", 12.0),
            ("B", "polo", "38", 10.5),
            ("B", "sweat", "69", 13.0),
        ],
    )
    minutes = {"polo": 20.0, "sweat": 25.0}
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    expected = highs_reference(capacity, demand, cost, minutes, 1_000.0)
    assert r.objective_eur == pytest.approx(expected, rel=EXACT)
    # Everything can be made (the total minutes match and every row can go anywhere).
    assert r.unmet_pieces <= EXACT * 150
    assert_optimal(r, capacity, demand, cost, minutes, 1_000.0)


def test_tied_workshops_share_the_optimum() -> None:
    # Two identical workshops (same cost, same minutes): the optimum is not unique in x
    # but it is in value (LP theory); each side within its capacity.
    capacity, demand, cost = frames(
        {"A": 1_000.0, "B": 1_000.0, "C": 10_000.0},
        [("polo", "69", 120.0)],
        [
            ("A", "polo", "69", 10.0),
            ("B", "polo", "69", 10.0),
            ("C", "polo", "69", 15.0),
        ],
    )
    minutes = {"polo": 10.0}
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    # A and B make 100 + 100 pieces' worth of minutes (200 > 120): all at 10 EUR.
    assert r.objective_eur == pytest.approx(1_200.0, rel=EXACT)
    assert r.objective_eur == pytest.approx(
        highs_reference(capacity, demand, cost, minutes, 1_000.0), rel=EXACT
    )
    made = dict(zip(r.allocation["workshop"], r.allocation["pieces"], strict=True))
    assert made.get("C", 0.0) == 0.0
    assert made.get("A", 0.0) + made.get("B", 0.0) == pytest.approx(120.0, rel=EXACT)
    assert r.unmet_pieces == 0.0
    assert_optimal(r, capacity, demand, cost, minutes, 1_000.0)


def test_demand_row_of_zero_pieces() -> None:
    # A demand row of 0 pieces is a row of the problem: reported unmet 0 (exactly), nothing
    # flows to it, its shadow price is dual feasible (checked in assert_optimal).
    capacity, demand, cost = frames(
        {"A": 600.0, "B": 10_000.0},
        [("polo", "69", 100.0), ("polo", "38", 0.0)],
        [
            ("A", "polo", "69", 10.0),
            ("A", "polo", "38", 9.0),
            ("B", "polo", "69", 12.0),
            ("B", "polo", "38", 12.0),
        ],
    )
    minutes = {"polo": 20.0}
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    assert r.objective_eur == pytest.approx(1_140.0, rel=EXACT)  # as test_shadow_prices_by_hand
    assert r.unmet.filter(departement="38")["pieces"].to_list() == [0.0]
    assert r.allocation.filter(departement="38").height == 0
    assert r.unmet_pieces == 0.0
    assert_optimal(r, capacity, demand, cost, minutes, 1_000.0)


def test_zero_capacity_workshops_make_nothing() -> None:
    # Workshops with 0 minutes, the cheapest ones, in the middle of the network: they make
    # nothing (capacity row Σ m·x ≤ 0 with x ≥ 0), and the rest is optimal.
    capacity, demand, cost = frames(
        {"Z1": 0.0, "A": 900.0, "Z2": 0.0, "B": 5_000.0, "Z3": 0.0},
        [("polo", "69", 80.0), ("sweat", "69", 30.0), ("sweat", "01", 25.0)],
        [
            (w, p, d, c + {"Z1": -5.0, "Z2": -6.0, "Z3": -7.0, "A": 0.0, "B": 2.0}[w])
            for w in ("Z1", "A", "Z2", "B", "Z3")
            for p, d, c in (("polo", "69", 10.0), ("sweat", "69", 14.0), ("sweat", "01", 15.0))
        ],
    )
    minutes = {"polo": 15.0, "sweat": 30.0}
    r = fl.allocate(capacity, demand, cost, minutes, unmet_penalty=1_000.0)
    assert r.objective_eur == pytest.approx(
        highs_reference(capacity, demand, cost, minutes, 1_000.0), rel=EXACT
    )
    zero = r.capacity.filter(pl.col("workshop").str.starts_with("Z"))
    assert zero["minutes_used"].to_list() == [0.0, 0.0, 0.0]
    assert zero["pieces"].to_list() == [0.0, 0.0, 0.0]
    assert zero["utilisation"].null_count() == 3  # 0 / 0 minutes: undefined, reported null
    assert r.allocation.filter(pl.col("workshop").str.starts_with("Z")).height == 0
    assert r.unmet_pieces == 0.0
    assert_optimal(r, capacity, demand, cost, minutes, 1_000.0)


def test_product_nobody_can_make_is_all_unmet_at_the_penalty() -> None:
    # No cost entry at all for `trousers`: its demand rows have only their unmet variable,
    # so every piece is unmet and, by complementary slackness (unmet > 0 ⇒ reduced cost
    # penalty - π = 0), each row's shadow price is the penalty. Default penalty (1e6).
    capacity, demand, cost = frames(
        {"A": 600.0, "B": 10_000.0},
        [("polo", "69", 100.0), ("trousers", "69", 40.0), ("trousers", "38", 12.5)],
        [("A", "polo", "69", 10.0), ("B", "polo", "69", 12.0)],
    )
    minutes = {"polo": 20.0, "trousers": 35.0}
    r = fl.allocate(capacity, demand, cost, minutes)
    trousers = r.unmet.filter(product="trousers").sort("departement")
    assert trousers["pieces"].to_list() == [12.5, 40.0]  # exactly the demand
    assert r.unmet.filter(product="polo")["pieces"].to_list() == [0.0]
    shadow = r.shadow_prices.demand.filter(product="trousers")
    assert shadow["eur_per_piece"].to_list() == pytest.approx([1e6, 1e6], rel=EXACT)
    assert r.objective_eur == pytest.approx(1_140.0 + 52.5 * 1e6, rel=EXACT)
    assert r.objective_eur == pytest.approx(
        highs_reference(capacity, demand, cost, minutes, 1e6), rel=EXACT
    )
    assert_optimal(r, capacity, demand, cost, minutes, 1e6)
