# ruff: noqa: E501, RUF001 - the cells are notebook text, not code to lint here
"""Write the notebooks of notebooks/ (outputs stripped) from the cells below.

The notebooks are plain .ipynb files that anyone can edit in Jupyter; this script is how
they were first written and a quick way to regenerate them after an API change:
``python scripts/make_notebooks.py``. tests/test_notebooks.py runs each top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent

CAPACITY = [
    (
        "md",
        """# Capacity and lead time: can the region's workshops deliver by the rentrée?

The bundled AURA study (synthetic survey of 119 workshops, 1.5 M pupils at full rollout).
For every school year, `Study.run()` takes the pieces from the cheapest sources that can
still deliver them before the rentrée (an exact network simplex on making + transport cost):
the surveyed workshops, with their trainees and the hires they stated; new regional
capacity, operators recruited and trained for the programme (ready 12 months after its
launch, at most 500 recruits a year); and imports, within `1 - local_content_min` of each
product (none by default). What no source can deliver in time is late. Each source's work
is then scheduled day by day: fabric lead time, line setting, ramp-up, French public
holidays, the August closure, personalisation and delivery.""",
    ),
    (
        "code",
        """import polars as pl

import filiere as fl

study = fl.Study.example("aura")
results = study.run()
results.summary.select(
    "year", "pieces", "order_date", "deadline", "delivered", "on_time", "late_days",
    "unmet_pieces", "operators_hired", "new_capacity_hired", "hiring_needed_for_deadline",
)""",
    ),
    (
        "md",
        """`on_time` says whether every piece reaches the schools before the rentrée, all
sources together; `unmet_pieces` are the late ones and `late_days` how long after the
rentrée the last would arrive. `hiring_needed_for_deadline` is what must be recruited that
year: the surveyed workshops' hires (`operators_hired`, within each one's stated
`can_hire`) plus new regional capacity's recruits (`new_capacity_hired`).""",
    ),
    (
        "md",
        """## Where the pieces come from

`results.sourcing` gives the pieces and what the Région pays for them by year, product,
school département and source; the summary has the same split by year:""",
    ),
    (
        "code",
        """results.summary.select(
    "year", "pieces_surveyed", "pieces_new_regional", "pieces_imported", "unmet_pieces",
    "local_content_share", "new_capacity_operators",
)""",
    ),
    (
        "code",
        """# The sources add up to the demand and to the budget, every year.
by_year = results.sourcing.group_by("year").agg(pl.col("pieces", "price_ttc_eur").sum())
check = results.summary.join(by_year, on="year", suffix="_sourced")
assert ((check["pieces_sourced"] - check["pieces"]).abs() < 1e-6).all()
assert ((check["price_ttc_eur"] / check["budget_eur"] - 1).abs() < 1e-9).all()
results.plot.sourcing()""",
    ),
    (
        "md",
        """## Where the minutes run out

Utilisation and shadow price of the busiest workshops in 2029, a year on time: the euros
one more standard minute of a workshop's capacity would save against the next-cheapest
source (its hires, new regional capacity).""",
    ),
    (
        "code",
        """capacity = results.capacity.filter(pl.col("year") == 2029)
busiest = capacity.sort("shadow_eur_per_min", descending=True).head(10)
busiest.select("workshop_id", "operators", "hired", "minutes_available", "minutes_used",
               "utilisation", "shadow_eur_per_min")""",
    ),
    (
        "code",
        """# A workshop with spare minutes has no price; one at its limit a price in euros.
slack = capacity.filter(pl.col("utilisation") < 0.99)
assert (slack["shadow_eur_per_min"].abs() < 1e-6).all()
at_limit = capacity.filter(pl.col("utilisation") > 0.999)
assert (at_limit["shadow_eur_per_min"] >= 0).all()
print(f"{at_limit.height} of {capacity.height} workshops use all their minutes in 2029")""",
    ),
    (
        "code",
        """# 2028 is late: one more minute would make a late piece on time rather than save euros,
# so no price is given (NaN), and neither is the marginal cost of a piece.
late_year = results.capacity.filter(pl.col("year") == 2028)
assert late_year["shadow_eur_per_min"].is_nan().all()
assert results.unmet.filter(pl.col("year") == 2028)["marginal_cost_eur"].is_nan().all()""",
    ),
    ("code", "results.plot.capacity()"),
    (
        "md",
        "## The production schedule\n\nOne bar per workshop, from the order to the delivery, for the first year of full rollout (the late pieces have no schedule):",
    ),
    ("code", "results.plot.gantt(2028, top=25)"),
    (
        "md",
        "## Who makes what\n\nPieces by département of the workshops (rows; new capacity and late pieces by name) and of the schools (columns), 2028:",
    ),
    (
        "code",
        """flows = results.allocation.filter(pl.col("year") == 2028).with_columns(
    pl.coalesce("workshop_departement", "workshop_id").alias("made_in")
)
flows.pivot(
    on="departement", index="made_in", values="pieces", aggregate_function="sum"
).sort("made_in")""",
    ),
    (
        "md",
        "What no source can deliver in time (late), by demand row, and what one more piece costs (NaN in a late year: the price would be the engine's internal penalty, not euros):",
    ),
    (
        "code",
        """results.unmet.filter(pl.col("year") == 2028).sort("pieces", descending=True).head()""",
    ),
    (
        "md",
        """## What if the Région ordered earlier, or lines were more efficient?

`with_params` returns a new study; the original is unchanged.""",
    ),
    (
        "code",
        """rows = []
for weeks in (26, 39, 52):
    for eff in (0.55, 0.65):
        s = study.with_params(order_weeks_before_rentree=weeks, line_efficiency=eff).run().summary
        row = s.filter(pl.col("year") == 2028).row(0, named=True)
        rows.append({"order_weeks": weeks, "line_efficiency": eff,
                     "late_days": row["late_days"], "unmet_pieces": row["unmet_pieces"],
                     "hiring_needed_for_deadline": row["hiring_needed_for_deadline"]})
pl.DataFrame(rows)""",
    ),
    (
        "md",
        """## What if part of the kits could be imported?

`local_content_min` (a scenario key, 1 by default) is the smallest share of each product
made in the region. At the catalog's import prices imports are the cheapest source, so the
allocation imports as much as it may: 2028 is then on time, for a lower budget and fewer
regional jobs. Recruitment moves between years rather than simply falling: the bound on new
capacity counts from the launch, so recruits not needed in 2027 can be taken in 2028.""",
    ),
    (
        "code",
        """rows = []
for share in (1.0, 0.75, 0.5):
    s = study.with_scenario(local_content_min=share).run().summary
    row = s.filter(pl.col("year") == 2028).row(0, named=True)
    rows.append({"local_content_min": share, "pieces_imported": row["pieces_imported"],
                 "unmet_pieces": row["unmet_pieces"], "on_time": row["on_time"],
                 "hiring_needed_for_deadline": row["hiring_needed_for_deadline"],
                 "budget_meur": row["budget_eur"] / 1e6, "direct_fte": row["direct_fte"]})
pl.DataFrame(rows)""",
    ),
    (
        "md",
        """## The allocation LP on its own: `fl.allocate`

Two workshops, one product, 100 pieces of 10 minutes. Workshop A is cheaper but has only
600 minutes (60 pieces); B makes the other 40. One more minute at A saves
(12 − 10) / 10 = 0.20 EUR, its shadow price.""",
    ),
    (
        "code",
        """capacity = pl.DataFrame({"workshop": ["A", "B"], "minutes_available": [600.0, 10_000.0]})
demand = pl.DataFrame({"product": ["polo"], "departement": ["69"], "pieces": [100.0]})
unit_cost = pl.DataFrame({"workshop": ["A", "B"], "product": ["polo", "polo"],
                          "departement": ["69", "69"], "eur_per_piece": [10.0, 12.0]})
plan = fl.allocate(capacity, demand, unit_cost, {"polo": 10.0})
print(plan.allocation)
print("objective", plan.objective_eur, "EUR (60 x 10 + 40 x 12 = 1,080)")
plan.shadow_prices.capacity""",
    ),
]

EMPLOYMENT = [
    (
        "md",
        """# Employment: direct, indirect and induced jobs

Direct jobs are counted bottom-up from the standard minutes of each piece and the
workshops' efficiency (full-time equivalents of 1,607 hours). Indirect (suppliers) and
induced (household spending) jobs come from INSEE's input–output table of France (37 A38
branches), regionalised to Auvergne-Rhône-Alpes with Flegg's location quotient (FLQ). New
regional capacity is in the département-less row, with the labour of any late pieces.""",
    ),
    (
        "code",
        """import polars as pl

import filiere as fl

results = fl.Study.example("aura").run()
results.summary.select(
    "year", "pieces", "direct_fte", "offered_fte", "hiring_gap_fte",
    "jobs_direct", "jobs_indirect", "jobs_induced", "jobs_total",
)""",
    ),
    ("md", "## Direct jobs by département of the workshops"),
    (
        "code",
        """import matplotlib.pyplot as plt

by_dep = results.jobs_by_departement.filter(pl.col("year") == 2028).sort("fte")
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.barh(by_dep["departement"].fill_null("new capacity").to_list(), by_dep["fte"].to_list())
ax.set_xlabel("direct jobs in 2028 (FTE)")
ax.set_ylabel("département")
fig""",
    ),
    (
        "md",
        """## The input–output engine

The bundled national table: INSEE's TES 2019 (domestic production at basic prices, A38,
base 2014, 37 branches), product × product by Eurostat's model B; sources and the
stand-ins for employment and compensation in `data/france/economy/README.md`:""",
    ),
    (
        "code",
        """france = fl.Economy.france(year=2019)
print(france.source)
france.multipliers("output", "I").join(
    france.multipliers("output", "II").select("branch", pl.col("total").alias("total_II")),
    on="branch",
)""",
    ),
    (
        "md",
        """Output multipliers are at least 1 (one euro of final demand is at least one euro of
output). Employment multipliers are persons per euro of final demand; the Type II ratio
counts the jobs of household spending too.""",
    ),
    (
        "code",
        """out = france.multipliers("output", "I")
assert (out["total"] >= 1).all()
france.multipliers("employment", "II").filter(pl.col("branch") == "CB")""",
    ),
    (
        "md",
        """## Regionalisation: Flegg's location quotient

A region buys much of its inputs from elsewhere, so its multipliers are smaller than the
nation's. FLQ shrinks each regional coefficient by λ* = [log2(1 + TRE/TNE)]^δ and the
cross-industry location quotient. δ = 0.25 is the usual value for a region of this size;
the result is sensitive to it:""",
    ),
    (
        "code",
        """from filiere import _core

branches, regional, national, _sources = _core.aura_employment()
assert branches == france.branches
rows = []
for delta in (0.15, 0.25, 0.35):
    aura = france.regionalise(regional, delta=delta, national_employment=national)
    m = aura.multipliers("employment", "II").filter(pl.col("branch") == "CB")
    rows.append({"delta": delta, "lambda": fl.flq_lambda(sum(regional), sum(national), delta),
                 "jobs_per_meur_typeII": m["total"][0] * 1e6, "ratio_II": m["ratio"][0]})
pl.DataFrame(rows)""",
    ),
    (
        "md",
        """## The impact of one year of the programme

Final demand for regional apparel (CB) in 2028 (EUR before VAT), split into direct,
indirect and induced effects in the regionalised economy; `results.jobs_by_branch` gives the
study's own split over the four products it buys (CB, CM, CC, HZ):""",
    ),
    (
        "code",
        """aura = france.regionalise(regional, delta=0.25, national_employment=national)
demand_eur = results.summary.filter(pl.col("year") == 2028)["regional_demand_eur"][0]
impact = aura.impact({"CB": demand_eur})
impact.select(pl.col("^jobs_.*$").sum())""",
    ),
    (
        "code",
        """results.jobs_by_branch.filter(pl.col("year") == 2028).sort("jobs_total", descending=True).head(8)""",
    ),
]

UNCERTAINTY = [
    (
        "md",
        """# Uncertainty: ranges and what drives them

Every uncertain parameter of `data/aura/parameters.csv` (minutes per piece, efficiency,
wages, prices, δ...) has a distribution. `Study.monte_carlo` draws them; draw i depends
only on (seed, i), so the numbers are the same on any number of threads.""",
    ),
    (
        "code",
        """import polars as pl

import filiere as fl

study = fl.Study.example("aura")
dist = study.monte_carlo(20_000, seed=1)
dist""",
    ),
    (
        "code",
        """dist.quantiles(metrics=["cost_per_kit_eur", "direct_fte", "jobs_total", "makespan_days"])
""",
    ),
    ("code", 'dist.plot.histogram("jobs_total", year=2028)'),
    ("code", 'dist.plot.fan("direct_fte")'),
    (
        "md",
        """## Same seed, same numbers

The draws are a pure function of the seed and the draw index:""",
    ),
    (
        "code",
        """again = study.monte_carlo(2_000, seed=1)
assert again.draws.equals(dist.draws.filter(pl.col("draw") < 2_000))
"identical" """,
    ),
    (
        "md",
        """## Which parameters matter: tornado

Each uncertain parameter at the low and at the high end of its range, the others at their
central value:""",
    ),
    (
        "code",
        """tornado = study.sensitivity("tornado", metric="direct_fte")
fl.plot.tornado(tornado.head(10))""",
    ),
    (
        "md",
        """## Sobol' indices

First-order (S1) and total (ST) indices, with bootstrap confidence intervals: how much of
the variance of direct jobs each parameter explains, alone and with its interactions.""",
    ),
    (
        "code",
        """study.sensitivity("sobol", metric="direct_fte", n=1024, seed=0).sort("ST", descending=True).head(8)""",
    ),
    (
        "md",
        """## `fl.sobol` for your own model

SALib-style, on the Ishigami function (a = 7, b = 0.1), whose indices are known in closed
form (Ishigami & Homma 1990; Saltelli et al. 2010): S1 = 0.3139, 0.4424, 0;
ST = 0.5576, 0.4424, 0.2437.""",
    ),
    (
        "code",
        """import numpy as np


def ishigami(x):
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


problem = {"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
indices = fl.sobol(ishigami, problem, 2**14, seed=1)
assert np.allclose(indices["S1"], [0.3139, 0.4424, 0.0], atol=0.02)
assert np.allclose(indices["ST"], [0.5576, 0.4424, 0.2437], atol=0.02)
indices""",
    ),
]


def write(name: str, cells: list[tuple[str, str]]) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.split('.')[0][:20]}-{i}"
    nbformat.write(nb, ROOT / "notebooks" / name)


def main() -> None:
    write("capacity_and_lead_time.ipynb", CAPACITY)
    write("employment.ipynb", EMPLOYMENT)
    write("uncertainty.ipynb", UNCERTAINTY)


if __name__ == "__main__":
    main()
