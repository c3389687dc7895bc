"""The order date as a decision: its chart, and the sensitivity that re-solves the
allocation so that the order date (and every input acting through who makes the pieces and
when) moves jobs and hiring."""

from __future__ import annotations

import polars as pl
import pytest

import filiere as fl


def test_order_curve_chart_one_line_per_year_and_the_central_lead_time(aura: fl.Study) -> None:
    curve = aura.order_curve([13, 26, 39, 52])
    fig = fl.plot.order_curve(curve, central=52, labels={"title": "t", "xlabel": "x"})
    left, right = fig.axes
    years = sorted(curve["year"].unique().to_list())
    assert [line.get_label() for line in left.get_lines()[: len(years)]] == [str(y) for y in years]
    # x: the lead times; y: cumulative recruits (left) and days late (right), per year.
    first = left.get_lines()[0]
    assert list(first.get_xdata()) == [13.0, 26.0, 39.0, 52.0]
    by_year = curve.filter(pl.col("year") == years[0]).sort("order_weeks_before_rentree")
    assert list(first.get_ydata()) == by_year["operators_recruited_total"].cast(float).to_list()
    assert list(right.get_lines()[0].get_ydata()) == by_year["late_days"].cast(float).to_list()
    assert left.get_xlabel() == "x" and fig.get_suptitle() == "t"
    # the dashed line at the study's lead time
    assert any(list(line.get_xdata()) == [52, 52] for line in left.get_lines())


def test_order_curve_chart_rejects_unknown_labels_and_empty_curves(pilot: fl.Study) -> None:
    curve = pilot.order_curve([26, 36])
    with pytest.raises(ValueError, match="unknown labels"):
        fl.plot.order_curve(curve, labels={"ylabel": "no such label"})
    with pytest.raises(ValueError, match="empty"):
        fl.plot.order_curve(curve.clear())


def test_tornado_resolving_the_allocation_moves_jobs_and_hiring_with_the_order_date(
    aura: fl.Study,
) -> None:
    fast = aura.sensitivity("tornado", metric="direct_fte", year=2028)
    exact = aura.sensitivity("tornado", metric="direct_fte", year=2028, resolve_allocation=True)
    order = pl.col("parameter") == "order_weeks_before_rentree"
    # With the central allocation kept, the order date cannot move direct jobs...
    assert fast.filter(order)["swing"][0] == 0
    # ...re-solved, a later order leaves more pieces late, made by first-year recruits.
    row = exact.filter(order).row(0, named=True)
    assert row["swing"] > 100 and row["direct_fte_at_low"] > row["direct_fte_at_high"]
    # At the central values both reproduce the central run.
    central = aura.run().summary.filter(pl.col("year") == 2028)["direct_fte"][0]
    assert exact["direct_fte_central"][0] == pytest.approx(central, rel=1e-9)
    # The catalog minutes are among the inputs, and move jobs either way.
    polo = pl.col("parameter") == "catalog.polo.sam_sew_min"
    assert fast.filter(polo)["swing"][0] > 0 and exact.filter(polo)["swing"][0] > 0
    # Hiring for the rentrée: a decision figure only the re-solved tornado can move.
    hiring = aura.sensitivity(
        "tornado", metric="hiring_needed_for_deadline", year=2028, resolve_allocation=True
    )
    assert hiring.filter(order)["swing"][0] > 0
    assert set(hiring["parameter"]) == set(exact["parameter"])


def test_distribution_records_whether_the_draws_were_exact(pilot: fl.Study) -> None:
    assert pilot.monte_carlo(20, seed=1, progress=False).resolve_allocation is True
    fast = pilot.monte_carlo(20, seed=1, resolve_allocation=False, progress=False)
    assert fast.resolve_allocation is False
