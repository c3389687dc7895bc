"""Where the pieces come from (issue 13): the surveyed workshops, new regional capacity,
imports and the pieces no source can deliver by the rentrée (late)."""

from __future__ import annotations

import polars as pl
import pytest

import filiere as fl
from filiere._format import IMPORT, LATE, NEW_CAPACITY, SOURCES

#: The summary's column for each source of ``Results.sourcing``.
COLUMN = {
    "surveyed": "pieces_surveyed",
    "new_regional": "pieces_new_regional",
    "imported": "pieces_imported",
    "late": "unmet_pieces",
}


@pytest.fixture(scope="module")
def half(aura: fl.Study) -> fl.Results:
    """AURA with at most half of each product imported."""
    return aura.with_scenario(local_content_min=0.5).run()


@pytest.fixture(scope="module")
def open_imports(aura: fl.Study) -> fl.Results:
    """AURA with imports allowed for every piece."""
    return aura.with_scenario(local_content_min=0.0).run()


def assert_sourcing_adds_up(r: fl.Results) -> None:
    s = r.summary.sort("year")
    assert set(r.sourcing["source"].unique()) <= set(SOURCES)
    by_year = r.sourcing.group_by("year").agg(pl.col("pieces").sum(), pl.col("price_ttc_eur").sum())
    check = s.join(by_year, on="year", how="left", suffix="_sourced")
    for row in check.iter_rows(named=True):
        assert row["pieces_sourced"] == pytest.approx(row["pieces"], rel=1e-9), row["year"]
        assert row["price_ttc_eur"] == pytest.approx(row["budget_eur"], rel=1e-9), row["year"]
    by_source = r.sourcing.group_by("year", "source").agg(pl.col("pieces").sum())
    sourced = {(y, src): q for y, src, q in by_source.iter_rows()}
    for row in s.iter_rows(named=True):
        for source, column in COLUMN.items():
            got = sourced.get((row["year"], source), 0.0)
            assert got == pytest.approx(row[column], rel=1e-9, abs=1e-6), (row["year"], source)
        total = sum(row[c] for c in COLUMN.values())
        assert total == pytest.approx(row["pieces"], rel=1e-9)
        share = 1 - row["pieces_imported"] / row["pieces"]
        assert row["local_content_share"] == pytest.approx(share, abs=1e-12)
    # The sourcing table is the allocation by kind of source, and the demand by row.
    kind = (
        pl.when(pl.col("workshop_id") == NEW_CAPACITY)
        .then(pl.lit("new_regional"))
        .when(pl.col("workshop_id") == IMPORT)
        .then(pl.lit("imported"))
        .when(pl.col("workshop_id") == LATE)
        .then(pl.lit("late"))
        .otherwise(pl.lit("surveyed"))
    )
    keys = ["year", "product", "departement", "source"]
    flows = (
        r.allocation.with_columns(kind.alias("source"))
        .group_by(keys)
        .agg(pl.col("pieces").sum().alias("flow"))
    )
    joined = r.sourcing.join(flows, on=keys, how="full", coalesce=True)
    assert joined.height == r.sourcing.height
    assert (joined["pieces"] - joined["flow"]).abs().max() < 1e-6  # type: ignore[operator]
    demand = r.demand.group_by("year", "product", "departement").agg(pl.col("pieces").sum())
    sourced_rows = r.sourcing.group_by("year", "product", "departement").agg(
        pl.col("pieces").sum().alias("sourced")
    )
    rows = demand.join(sourced_rows, on=["year", "product", "departement"], how="left")
    assert (rows["pieces"] - rows["sourced"].fill_null(0.0)).abs().max() < 1e-6  # type: ignore[operator]


def test_sourcing_sums_to_summary_pieces_and_budget(
    aura_results: fl.Results, pilot: fl.Study, half: fl.Results
) -> None:
    for r in (aura_results, pilot.run(), half):
        assert_sourcing_adds_up(r)


def test_the_ids_of_the_other_sources(aura: fl.Study, aura_results: fl.Results) -> None:
    assert (NEW_CAPACITY, IMPORT, LATE) == ("(new capacity)", "(import)", "(late)")
    assert (fl._core.NEW_CAPACITY, fl._core.IMPORT, fl._core.LATE) == (NEW_CAPACITY, IMPORT, LATE)
    a = aura_results.allocation
    surveyed = set(aura.workshops["workshop_id"])
    # No import by default (local_content_min = 1): the other rows are new capacity and late.
    assert set(a["workshop_id"]) <= surveyed | {NEW_CAPACITY, LATE}
    others = a.filter(pl.col("workshop_id").is_in([NEW_CAPACITY, IMPORT, LATE]))
    assert others["workshop_departement"].null_count() == others.height
    # The (late) rows are the unmet pieces, year by year.
    late = a.filter(pl.col("workshop_id") == LATE).group_by("year").agg(pl.col("pieces").sum())
    unmet = aura_results.unmet.group_by("year").agg(pl.col("pieces").sum().alias("unmet"))
    check = unmet.join(late, on="year", how="left").fill_null(0.0)
    assert (check["unmet"] - check["pieces"]).abs().max() < 1e-6  # type: ignore[operator]
    assert set(late["year"]) == {2028}


def test_on_time_means_every_piece_from_every_source(
    aura: fl.Study, aura_results: fl.Results
) -> None:
    s = aura_results.summary.sort("year")
    rows = {r["year"]: r for r in s.iter_rows(named=True)}
    # 2026: the surveyed workshops make everything in time, exactly (no fraction of a piece
    # left over), with 174 hires; new capacity is not ready yet (12 months after launch).
    first = rows[2026]
    assert first["on_time"] is True and first["late_days"] == 0
    assert first["unmet_pieces"] == 0.0
    assert first["pieces_surveyed"] == pytest.approx(first["pieces"], rel=1e-12)
    assert first["pieces_new_regional"] == first["pieces_imported"] == 0.0
    assert first["new_capacity_operators"] == 0
    # 2027: on time with new regional capacity; 2028 late; 2029 on time again.
    assert rows[2027]["on_time"] is True and rows[2027]["pieces_new_regional"] > 1e6
    assert rows[2028]["on_time"] is False and rows[2028]["unmet_pieces"] > 1e6
    assert rows[2029]["on_time"] is True and rows[2029]["unmet_pieces"] == 0.0
    for r in rows.values():
        assert r["on_time"] == (r["unmet_pieces"] == 0.0)
        assert r["hiring_needed_for_deadline"] == r["operators_hired"] + r["new_capacity_hired"]
    # New capacity is kept: its operators are the recruits so far, within the yearly bound.
    params = aura.parameters.filter(pl.col("name") == "new_capacity_max_operators_per_year")
    per_year = float(params["value"][0])
    assert s["new_capacity_operators"].to_list() == s["new_capacity_hired"].cum_sum().to_list()
    for k, level in enumerate(s["new_capacity_operators"].to_list()):
        assert level <= per_year * (k + 1)
    # 2028 is late because the bound binds: three cohorts recruited in full.
    assert rows[2028]["new_capacity_operators"] == 3 * per_year


def test_opening_imports_makes_2028_on_time_with_fewer_hires(
    aura_results: fl.Results, open_imports: fl.Results, half: fl.Results
) -> None:
    def year(r: fl.Results) -> dict[str, object]:
        return r.summary.filter(pl.col("year") == 2028).row(0, named=True)

    base, opened, halfway = year(aura_results), year(open_imports), year(half)
    assert base["pieces_imported"] == 0.0 and base["local_content_share"] == 1.0
    for r in (opened, halfway):
        assert r["pieces_imported"] > 0  # type: ignore[operator]
        assert r["hiring_needed_for_deadline"] < base["hiring_needed_for_deadline"]  # type: ignore[operator]
        assert r["on_time"] is True and r["unmet_pieces"] == 0.0
        # Imports at the catalog's prices are the cheapest source: the budget falls.
        assert r["budget_eur"] < base["budget_eur"]  # type: ignore[operator]
    # local_content_min is a floor on the share made in the region.
    assert halfway["local_content_share"] >= 0.5 - 1e-9  # type: ignore[operator]
    assert IMPORT in set(half.allocation["workshop_id"])
    assert_sourcing_adds_up(open_imports)


def test_capacity_prices_are_euros_not_the_penalty(aura_results: fl.Results) -> None:
    cap = aura_results.capacity
    price = pl.col("shadow_eur_per_min")
    finite = cap.filter(price.is_finite())
    # One more minute of a workshop saves cents against the next-cheapest source (its
    # hires' recruitment premium, new capacity), never the tens of euros a penalty sets.
    assert finite.height > 0
    assert finite[price.meta.output_name()].max() <= 5.0  # type: ignore[operator]
    assert finite[price.meta.output_name()].min() >= 0.0  # type: ignore[operator]
    # In the late year every capacity price would be the internal penalty's: NaN. In the
    # years on time, every price is in euros.
    for (year,), rows in cap.group_by("year"):
        nan = rows[price.meta.output_name()].is_nan()
        assert nan.all() if year == 2028 else not nan.any(), year
    unmet = aura_results.unmet
    marginal = unmet["marginal_cost_eur"]
    late = unmet["year"] == 2028
    assert marginal.filter(late).is_nan().all()
    on_time = marginal.filter(~late)
    assert not on_time.is_nan().any()
    assert on_time.min() > 25 and on_time.max() < 45  # type: ignore[operator]
