"""Capacity and lead time in ``Study.run``: allocation, schedule, hiring and their plots.

Validation case 7 (onlineclothingstudy 2011) is checked in ``src/model/schedule.rs``; the
pilot case (Techtera: 3,000 kits for the rentrée 2024, four lycées) is checked here.
"""

from __future__ import annotations

import itertools
from datetime import date

import polars as pl
import pytest
from matplotlib.figure import Figure

import filiere as fl


def test_pilot_is_on_time_for_rentree_2024(pilot: fl.Study) -> None:
    r = pilot.run()
    s = r.summary.row(0, named=True)
    assert s["year"] == 2024
    assert s["deadline"] == date(2024, 9, 2)  # Monday 2 September 2024
    assert s["on_time"] is True
    assert s["unmet_pieces"] == 0.0
    assert s["hiring_needed_for_deadline"] == 0
    assert s["delivered"] < s["deadline"]
    assert s["makespan_days"] == (s["delivered"] - s["order_date"]).days
    # Every piece is allocated to a surveyed workshop, and each of them is on time.
    assert r.allocation["pieces"].sum() == pytest.approx(15_000.0, rel=1e-9)
    assert "(new capacity)" not in r.allocation["workshop_id"].to_list()
    assert r.schedule["on_time"].all()


def test_every_rollout_year_answers_on_time_makespan_and_hiring(
    aura_results: fl.Results,
) -> None:
    s = aura_results.summary
    assert s["year"].to_list() == [2026, 2027, 2028, 2029]
    for column in ("on_time", "makespan_days", "hiring_needed_for_deadline"):
        assert s[column].null_count() == 0, column
    # The survey offers about 556 FTE: 7.5 M pieces a year cannot be made in time without
    # new capacity, so full-rollout years are late and need hundreds of operators.
    full = s.filter(pl.col("year") == 2028).row(0, named=True)
    assert full["on_time"] is False
    assert full["unmet_pieces"] > 1e6
    assert full["delivered"] > full["deadline"]
    assert full["hiring_needed_for_deadline"] == (
        full["operators_hired"] + full["new_capacity_operators"]
    )
    assert full["hiring_needed_for_deadline"] > 1_000
    # Hiring needed grows with the rollout.
    needed = s["hiring_needed_for_deadline"].to_list()
    assert needed[0] < needed[1] < needed[2]


def test_allocation_plus_unmet_is_demand(aura_results: fl.Results) -> None:
    r = aura_results
    demand = r.demand.group_by("year", "product", "departement").agg(pl.col("pieces").sum())
    surveyed = (
        r.allocation.filter(pl.col("workshop_id") != "(new capacity)")
        .group_by("year", "product", "departement")
        .agg(pl.col("pieces").sum().alias("made"))
    )
    check = demand.join(surveyed, on=["year", "product", "departement"], how="left").join(
        r.unmet.rename({"pieces": "unmet"}), on=["year", "product", "departement"]
    )
    gap = (check["made"].fill_null(0.0) + check["unmet"] - check["pieces"]).abs()
    assert gap.max() < 1e-3  # type: ignore[operator]
    # The new capacity makes exactly the unmet pieces.
    new = r.allocation.filter(pl.col("workshop_id") == "(new capacity)")
    assert new["pieces"].sum() == pytest.approx(r.unmet["pieces"].sum(), rel=1e-9)


def test_capacity_is_respected_and_schedules_are_on_time(aura_results: fl.Results) -> None:
    cap = aura_results.capacity
    assert (cap["minutes_used"] <= cap["minutes_available"] * (1 + 1e-9)).all()
    # A workshop with spare minutes has a zero shadow price (complementary slackness).
    slack = cap.filter(pl.col("minutes_used") < 0.99 * pl.col("minutes_available"))
    assert (slack["shadow_eur_per_min"].abs() < 1e-6).all()
    sched = aura_results.schedule
    # Allocated volumes fit the time before the rentrée by construction.
    assert sched["on_time"].all()
    for a, b in [
        ("order_date", "material_ready"),
        ("material_ready", "start"),
        ("start", "finish"),
        ("finish", "personalised"),
        ("personalised", "delivered"),
        ("delivered", "deadline"),
    ]:
        assert (sched[a] <= sched[b]).all(), (a, b)


def test_hires_are_kept_and_bounded(aura: fl.Study, aura_results: fl.Results) -> None:
    can_hire = aura.workshops.select(pl.col("workshop_id"), pl.col("can_hire"))
    hires = (
        aura_results.capacity.filter(pl.col("workshop_id") != "(new capacity)")
        .join(can_hire, on="workshop_id")
        .sort("year")
    )
    assert (hires["hired"] <= hires["can_hire"]).all()
    # Operators never fall from one year to the next (hires and trainees stay).
    ops = hires.pivot(on="year", index="workshop_id", values="operators")
    years = [c for c in ops.columns if c != "workshop_id"]
    for a, b in itertools.pairwise(years):
        assert (ops[b] >= ops[a] - 1e-9).all()


def test_more_capacity_never_delays_the_programme(pilot: fl.Study) -> None:
    base = pilot.run().summary.row(0, named=True)
    more = pilot.with_params(programme_share=0.6).run().summary.row(0, named=True)
    assert more["makespan_days"] <= base["makespan_days"]
    slower = pilot.with_params(fabric_lead_days=70).run().summary.row(0, named=True)
    assert slower["makespan_days"] >= base["makespan_days"]


def test_a_late_order_makes_the_pilot_late() -> None:
    # Ordered 6 weeks before the rentrée: 45 days of fabric lead time leave no time to sew.
    study = fl.Study.example("aura-pilot").with_params(order_weeks_before_rentree=6)
    with pytest.raises(fl.ParameterError, match="no production day"):
        study.run()


def test_plots_return_figures(aura_results: fl.Results) -> None:
    gantt = aura_results.plot.gantt(2028)
    assert isinstance(gantt, Figure)
    ax = gantt.axes[0]
    assert "2028" in ax.get_title()
    # One bar per phase and workshop shown (top 40 + the new capacity fit in 40).
    assert len(ax.get_yticklabels()) == 40
    assert isinstance(aura_results.plot.capacity(), Figure)
    assert isinstance(fl.plot.gantt(aura_results), Figure)
    with pytest.raises(ValueError, match="year 2031"):
        aura_results.plot.gantt(2031)
