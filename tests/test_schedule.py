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
from filiere._format import LATE, NEW_CAPACITY


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
    assert NEW_CAPACITY not in r.allocation["workshop_id"].to_list()
    assert r.schedule["on_time"].all()


def test_every_rollout_year_answers_on_time_makespan_and_hiring(
    aura_results: fl.Results,
) -> None:
    s = aura_results.summary
    assert s["year"].to_list() == [2026, 2027, 2028, 2029]
    for column in ("on_time", "makespan_days", "hiring_needed_for_deadline"):
        assert s[column].null_count() == 0, column
    # The survey offers about 556 FTE: at full rollout 7.5 M pieces a year need new regional
    # capacity, whose recruitment is capped (500 a year since the launch): in 2028 over a
    # million pieces are still late, though the surveyed workshops hire and new capacity
    # recruits over a thousand operators that year.
    full = s.filter(pl.col("year") == 2028).row(0, named=True)
    assert full["on_time"] is False
    assert full["unmet_pieces"] > 1e6
    assert full["delivered"] > full["deadline"]
    assert full["late_days"] == (full["delivered"] - full["deadline"]).days
    assert full["hiring_needed_for_deadline"] == (
        full["operators_hired"] + full["new_capacity_hired"]
    )
    assert full["hiring_needed_for_deadline"] > 1_000
    # Hiring needed grows with the rollout (2029 needs few: the recruits are kept).
    needed = s["hiring_needed_for_deadline"].to_list()
    assert needed[0] < needed[1] < needed[2]
    assert needed[3] < needed[2]


def test_allocation_plus_unmet_is_demand(aura_results: fl.Results) -> None:
    r = aura_results
    keys = ["year", "product", "departement"]
    demand = r.demand.group_by(keys).agg(pl.col("pieces").sum())
    # Every source's flows, late pieces included, make the demand of each row.
    made = r.allocation.group_by(keys).agg(pl.col("pieces").sum().alias("made"))
    check = demand.join(made, on=keys, how="left")
    gap = (check["made"].fill_null(0.0) - check["pieces"]).abs()
    assert gap.max() < 1e-3  # type: ignore[operator]
    # What no source can deliver in time is the unmet table, and the (late) rows.
    delivered = (
        r.allocation.filter(pl.col("workshop_id") != LATE)
        .group_by(keys)
        .agg(pl.col("pieces").sum().alias("made"))
    )
    check = demand.join(delivered, on=keys, how="left").join(
        r.unmet.rename({"pieces": "unmet"}), on=keys
    )
    gap = (check["made"].fill_null(0.0) + check["unmet"] - check["pieces"]).abs()
    assert gap.max() < 1e-3  # type: ignore[operator]
    late = r.allocation.filter(pl.col("workshop_id") == LATE)
    assert late["pieces"].sum() == pytest.approx(r.unmet["pieces"].sum(), rel=1e-9)


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
        aura_results.capacity.filter(pl.col("workshop_id") != NEW_CAPACITY)
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
    # Ordered 6 weeks before the rentrée: 45 days of fabric lead time leave no time to sew,
    # and new capacity is not ready: every piece is late. No surveyed workshop has a
    # production day before the rentrée, so no delivery date is estimated (late_days null,
    # shown as "never"); nobody is hired, as hiring would not help.
    study = fl.Study.example("aura-pilot").with_params(order_weeks_before_rentree=6)
    r = study.run()
    s = r.summary.row(0, named=True)
    assert s["on_time"] is False
    assert s["unmet_pieces"] == pytest.approx(15_000.0, rel=1e-12)
    assert s["pieces_surveyed"] == s["pieces_new_regional"] == s["pieces_imported"] == 0.0
    assert (s["late_days"], s["makespan_days"], s["delivered"]) == (None, None, None)
    assert s["hiring_needed_for_deadline"] == 0
    assert (r.capacity["minutes_available"] == 0.0).all()
    assert r.capacity["shadow_eur_per_min"].is_nan().all()
    assert set(r.sourcing["source"]) == {"late"}
    # Late pieces are still costed (as this year's new recruits making them after the
    # rentrée): the budget is what the sourcing table says they cost.
    assert r.sourcing["price_ttc_eur"].sum() == pytest.approx(s["budget_eur"], rel=1e-9)
    assert r.schedule.height == 0


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


def test_capacity_chart_stacks_each_operator_once(aura_results: fl.Results) -> None:
    ax = aura_results.plot.capacity().axes[0]
    tops: dict[float, float] = {}
    for bar in ax.patches:
        x = round(bar.get_x(), 6)  # type: ignore[attr-defined]
        tops[x] = max(tops.get(x, 0.0), bar.get_y() + bar.get_height())  # type: ignore[attr-defined]
    # Offered + trainees + hires of the surveyed workshops + new capacity's operators: every
    # programme operator of the year, the new capacity's counted once.
    operators = aura_results.capacity.group_by("year").agg(pl.col("operators").sum()).sort("year")
    assert sorted(tops.values()) == pytest.approx(sorted(operators["operators"].to_list()))


def test_sourcing_chart(aura_results: fl.Results) -> None:
    fig = aura_results.plot.sourcing(labels={"late": "en retard", "title": "Provenance"})
    ax = fig.axes[0]
    assert ax.get_title() == "Provenance"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]  # type: ignore[union-attr]
    # No import by default: the legend lists only the sources that supply something.
    assert legend == ["surveyed workshops", "new regional capacity", "en retard"]
    # Stacked to the year's pieces (millions).
    tops: dict[float, float] = {}
    for bar in ax.patches:
        x = round(bar.get_x(), 6)  # type: ignore[attr-defined]
        tops[x] = max(tops.get(x, 0.0), bar.get_y() + bar.get_height())  # type: ignore[attr-defined]
    pieces = (aura_results.summary.sort("year")["pieces"] / 1e6).to_list()
    assert sorted(tops.values()) == pytest.approx(sorted(pieces))
    assert isinstance(fl.plot.sourcing(aura_results), Figure)
    with pytest.raises(ValueError, match="unknown labels"):
        aura_results.plot.sourcing(labels={"surveyd": "x"})
