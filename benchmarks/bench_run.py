"""Benchmark: ``Study.example("aura").run()`` against the same demand, cost and direct-FTE
computation written with pandas and numpy, timed in one process; prints the ratio.

The baseline starts from the same validated inputs (the study's tables as pandas frames)
and must reproduce filiere's summary (checked before timing), so both do the same work:
pupils by département and level, kit demand by year, pro-rata split over workshops,
cost per piece and per kit, labour hours and FTE by workshop, hiring gap.

Run: ``python benchmarks/bench_run.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import filiere as fl

LEGAL_WEEK_H = 35.0


def baseline(
    workshops: pd.DataFrame,
    establishments: pd.DataFrame,
    catalog: pd.DataFrame,
    p: dict[str, float],
    scenario: dict[str, Any],
) -> pd.DataFrame:
    """Demand, cost and FTE per year with pandas/numpy (full renewal, as the AURA study)."""
    pupils = establishments.groupby(["departement", "level"], as_index=False)["pupils"].sum()
    kit = scenario["kit"]
    rollout = scenario["rollout"]
    adoption = scenario["adoption"]
    hourly_default = (
        p["smic_hourly_eur"]
        * (1 + p["wage_premium"])
        * (1 + p["employer_rate"])
        * p["paid_hours"]
        / p["annual_hours"]
    )
    w = workshops.copy()
    hpw = w["hours_per_week"].fillna(p["hours_per_week"]).to_numpy()
    share = w["programme_share"].fillna(p["programme_share"]).to_numpy()
    eff = w["efficiency"].fillna(p["line_efficiency"]).to_numpy()
    hourly = w["hourly_cost_eur"].fillna(hourly_default).to_numpy()
    overhead = w["overhead_rate"].fillna(p["overhead_rate"]).to_numpy()
    offered = w["operators"].to_numpy() * share * hpw / LEGAL_WEEK_H
    cap = offered * p["annual_hours"] * (1 - p["absenteeism"]) * 60
    eff_hours = p["annual_hours"] * (1 - p["absenteeism"])
    prices: dict[str, float] = {}
    minutes_by_product: dict[str, np.ndarray] = {}
    shares: dict[str, np.ndarray] = {}
    for _, prod in catalog.iterrows():
        pid = prod["product"]
        able = w["products"].map(lambda ps, pid=pid: pid in ps).to_numpy() & (cap > 0)
        s = np.where(able, cap, 0.0)
        s = s / s.sum()
        making = (
            (prod["sam_cut_min"] + prod["sam_sew_min"] + prod["sam_finish_min"])
            * (1 + p["allowance"])
            / eff
        )
        pers = prod["sam_personalise_min"] * (1 + p["allowance"]) / eff
        labour = making / 60 * hourly
        personalisation = pers / 60 * hourly * (1 + overhead) + p[
            "personalisation_supplies_eur"
        ] * (prod["sam_personalise_min"] > 0)
        materials = (
            prod["fabric_m"] * (1 + p["overcut"]) * prod["fabric_eur_per_m"]
            + prod["trims_eur"]
            + prod["packaging_eur"]
        )
        cost = materials + labour * (1 + overhead) + personalisation + p["logistics_eur_per_piece"]
        ttc = cost * (1 + p["margin_rate"]) * (1 + p["vat_rate"])
        prices[pid] = float((s * ttc).sum())
        minutes_by_product[pid] = making + pers
        shares[pid] = s
    rows = []
    for year in scenario["years"]:
        active = pupils["level"].map(lambda lv, y=year: rollout.get(lv, 10**9) <= y)
        kits = float((pupils["pupils"] * active * adoption).sum())
        minutes = np.zeros(len(w))
        budget = 0.0
        for pid, qty in kit.items():
            pieces = kits * qty
            budget += pieces * prices[pid]
            minutes += pieces * shares[pid] * minutes_by_product[pid]
        fte = minutes / 60 / eff_hours
        rows.append(
            {
                "year": year,
                "pieces": kits * sum(kit.values()),
                "budget_eur": budget,
                "direct_fte": fte.sum(),
                "hiring_gap_fte": np.clip(fte - offered, 0, None).sum(),
            }
        )
    return pd.DataFrame(rows)


def timeit(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    study = fl.Study.example("aura")
    workshops = study.workshops.to_pandas()
    establishments = study.establishments.to_pandas()
    catalog = study.catalog.to_pandas()
    params = dict(study.parameters.select("name", "value").iter_rows())
    scenario = study.scenario

    ours = study.run().summary.to_pandas()
    theirs = baseline(workshops, establishments, catalog, params, scenario)
    for column in ("pieces", "budget_eur", "direct_fte", "hiring_gap_fte"):
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-9)

    t_filiere = timeit(study.run, args.repeat)
    t_baseline = timeit(
        lambda: baseline(workshops, establishments, catalog, params, scenario), args.repeat
    )
    t_load = timeit(lambda: fl.Study.example("aura"), max(3, args.repeat // 3))
    print(
        f"filiere Study.example('aura').run()   {t_filiere * 1e3:8.2f} ms (median of {args.repeat})"
    )
    print(f"pandas/numpy baseline, same work       {t_baseline * 1e3:8.2f} ms")
    print(f"ratio baseline / filiere               {t_baseline / t_filiere:8.1f}x")
    print(f"(loading and validating the study: {t_load * 1e3:.2f} ms, not in either figure)")


if __name__ == "__main__":
    main()
