"""Benchmark: the allocation LP against OR-Tools and HiGHS, and the studies that solve it.

1. Transportation problems (synthetic: workshops and départements on a 300 km square, two
   products, capacity 80 % of the work so some demand is unmet) at about 2,856 / 100,000 /
   384,000 (workshop, product, département) arcs: ``fl.allocate`` against OR-Tools'
   ``SimpleMinCostFlow`` (cost-scaling push-relabel, integers only, one thread) and HiGHS
   (through ``highspy``, default options: its dual simplex for an LP), on the same problem
   in the same process. Prints the best
   of ``--repeat`` wall times, the ratios filiere / OR-Tools and filiere / HiGHS (below 1:
   filiere is faster) and the relative gaps between the three objectives, and says whether
   they agree (filiere-HiGHS within 1e-6, OR-Tools within 1e-5 of either: its rounding).

   What is timed. ``fl.allocate``: the whole call, from Polars frames with names to the
   result frames and shadow prices. OR-Tools and HiGHS: building their model from numpy
   arrays already indexed (the names are mapped to indices once, untimed) and solving;
   HiGHS's objective, OR-Tools' cost. So the other two are timed without the work of
   reading names that ``fl.allocate`` does.

   The OR-Tools model. OR-Tools' min-cost flow takes integers only, so flow is in integer
   minutes ("ticks", ``--ticks-per-minute``, default 1): a workshop node supplies its
   capacity in ticks, a demand row (product, département) node asks for its pieces x
   minutes per piece; an "unmet" node supplies the whole demand and sends what is not made
   to the rows at ``unmet_penalty`` per piece, and a slack sink absorbs unused capacity and
   unused unmet supply, which balances the network (minutes per piece depend on the product
   only, so a flow in minutes is a flow in pieces). Costs are EUR per tick x
   ``--cost-scale`` (default 1e6), rounded to integers; the objective is converted back to
   EUR. The rounding of minutes and costs makes OR-Tools' objective differ from the exact
   one by about 1e-7 to 1e-6 (relative), printed as it is; ``--ticks-per-minute 100
   --cost-scale 1e8`` brings it to about 1e-8, and OR-Tools takes longer.

2. ``Study.run``: the bundled AURA study and pilot (warm, best of ``--repeat``) and the
   synthetic national study (:func:`filiere.synthetic.national`: 96 départements, 12 M
   pupils) at ``--national`` workshops (best of ``--national-repeat``), four years each.

3. Monte Carlo draws per second with the allocation re-solved for every draw
   (``Study.monte_carlo(..., resolve_allocation=True)``): AURA, and the national study at
   ``--mc-national`` workshops.

The threads available (``os.cpu_count()``, the CPU affinity, ``RAYON_NUM_THREADS``) and
the load average, before and after, are printed: other work on the machine changes the
times.

OR-Tools and highspy are benchmark-only dependencies (``pip install "filiere[bench]"``
from a checkout, or ``pip install "ortools>=9.12" "highspy>=1.7"``); without them their
columns are left out.

Run: ``python benchmarks/bench_allocate.py [--sizes 119x12 2500x20 2000x96] [--repeat 3]
[--national 500 1000 2000] [--national-repeat 1] [--draws 16] [--mc-national 500]
[--mc-national-draws 2] [--skip-studies]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import polars as pl
from _timing import best_of

import filiere as fl

PRODUCTS = ("polo", "sweatshirt")
MINUTES = {"polo": 31.0, "sweatshirt": 40.0}
PENALTY = 1_000.0


def _optional(module: str) -> Any:
    """A benchmark-only dependency, or None when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


min_cost_flow = _optional("ortools.graph.python.min_cost_flow")
highspy = _optional("highspy")


def synthetic(n_w: int, n_d: int, seed: int = 3) -> dict[str, pl.DataFrame]:
    """Workshops and départements on a 300 km square; cost = making + 0.0005 EUR/piece-km;
    capacity 80 % of the work, so some demand is unmet."""
    rng = np.random.default_rng(seed)
    wxy = rng.uniform(0, 300, (n_w, 2))
    dxy = rng.uniform(0, 300, (n_d, 2))
    km = np.linalg.norm(wxy[:, None, :] - dxy[None, :, :], axis=2)
    demand = pl.DataFrame(
        {
            "product": np.repeat(PRODUCTS, n_d),
            "departement": np.tile([f"D{d:03d}" for d in range(n_d)], len(PRODUCTS)),
            "pieces": rng.uniform(5_000, 50_000, len(PRODUCTS) * n_d),
        }
    )
    work = float((demand["pieces"] * demand["product"].replace_strict(MINUTES)).sum())
    capacity = pl.DataFrame(
        {
            "workshop": [f"W{w:04d}" for w in range(n_w)],
            "minutes_available": rng.dirichlet(np.ones(n_w)) * 0.8 * work,
        }
    )
    making = rng.uniform(25, 40, (n_w, len(PRODUCTS)))
    w_idx, p_idx, d_idx = (
        g.ravel()
        for g in np.meshgrid(
            np.arange(n_w), np.arange(len(PRODUCTS)), np.arange(n_d), indexing="ij"
        )
    )
    unit_cost = pl.DataFrame(
        {
            "workshop": capacity["workshop"].gather(w_idx),
            "product": np.array(PRODUCTS)[p_idx],
            "departement": demand["departement"].gather(d_idx),
            "eur_per_piece": making[w_idx, p_idx] + 0.0005 * km[w_idx, d_idx],
        }
    )
    return {"capacity": capacity, "demand": demand, "unit_cost": unit_cost}


@dataclass(frozen=True)
class Arrays:
    """The problem indexed for the other solvers: arc j goes from workshop ``w[j]`` to
    demand row ``r[j]`` at ``cost[j]`` EUR per piece, ``minutes[j]`` minutes a piece."""

    w: np.ndarray[Any, np.dtype[np.int64]]
    r: np.ndarray[Any, np.dtype[np.int64]]
    cost: np.ndarray[Any, np.dtype[np.float64]]
    minutes: np.ndarray[Any, np.dtype[np.float64]]
    capacity: np.ndarray[Any, np.dtype[np.float64]]
    demand: np.ndarray[Any, np.dtype[np.float64]]
    row_minutes: np.ndarray[Any, np.dtype[np.float64]]


def arrays(t: dict[str, pl.DataFrame]) -> Arrays:
    cap, dem, cost = t["capacity"], t["demand"], t["unit_cost"]
    w_of = {w: i for i, w in enumerate(cap["workshop"])}
    row_of = {
        (p, d): i for i, (p, d) in enumerate(zip(dem["product"], dem["departement"], strict=True))
    }
    return Arrays(
        w=np.array([w_of[x] for x in cost["workshop"]], dtype=np.int64),
        r=np.array(
            [row_of[k] for k in zip(cost["product"], cost["departement"], strict=True)],
            dtype=np.int64,
        ),
        cost=cost["eur_per_piece"].to_numpy().astype(np.float64),
        minutes=cost["product"].replace_strict(MINUTES).to_numpy().astype(np.float64),
        capacity=cap["minutes_available"].to_numpy().astype(np.float64),
        demand=dem["pieces"].to_numpy().astype(np.float64),
        row_minutes=dem["product"].replace_strict(MINUTES).to_numpy().astype(np.float64),
    )


def ortools_solve(a: Arrays, ticks_per_minute: float, cost_scale: float) -> float:
    """Min-cost flow in integer minute ticks (see the module docstring); objective in EUR."""
    assert min_cost_flow is not None
    n_w, n_r, n_x = len(a.capacity), len(a.demand), len(a.w)
    unmet, sink = n_w + n_r, n_w + n_r + 1
    cap = np.rint(a.capacity * ticks_per_minute).astype(np.int64)
    dem = np.rint(a.demand * a.row_minutes * ticks_per_minute).astype(np.int64)
    total = int(dem.sum())
    rows = np.arange(n_r, dtype=np.int64)
    workshops = np.arange(n_w, dtype=np.int64)
    tails = np.concatenate([a.w, np.full(n_r, unmet), workshops, [unmet]])
    heads = np.concatenate([n_w + a.r, n_w + rows, np.full(n_w, sink), [sink]])
    capacities = np.concatenate([cap[a.w], dem, cap, [total]])
    per_tick = np.concatenate(
        [a.cost / a.minutes, PENALTY / a.row_minutes, np.zeros(n_w), [0.0]]
    ) * (cost_scale / ticks_per_minute)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, capacities, np.rint(per_tick).astype(np.int64)
    )
    supplies = np.concatenate([cap, -dem, [total], [-int(cap.sum())]])
    flow.set_nodes_supplies(np.arange(n_w + n_r + 2, dtype=np.int64), supplies)
    status = flow.solve()
    assert status == flow.OPTIMAL, f"OR-Tools: status {status} ({n_x} arcs)"
    return float(flow.optimal_cost()) / cost_scale


def highs_solve(a: Arrays) -> float:
    """The LP for HiGHS (``highspy``), column-wise: a flow column has its minutes in its
    workshop's capacity row and 1 in its demand row; an unmet column, 1 in its row."""
    assert highspy is not None
    n_w, n_r, n_x = len(a.capacity), len(a.demand), len(a.w)
    lp = highspy.HighsLp()
    lp.num_col_ = n_x + n_r
    lp.num_row_ = n_w + n_r
    lp.col_cost_ = np.concatenate([a.cost, np.full(n_r, PENALTY)])
    lp.col_lower_ = np.zeros(n_x + n_r)
    lp.col_upper_ = np.full(n_x + n_r, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([np.full(n_w, -highspy.kHighsInf), a.demand])
    lp.row_upper_ = np.concatenate([a.capacity, a.demand])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate(
        [np.arange(0, 2 * n_x + 1, 2), 2 * n_x + np.arange(1, n_r + 1)]
    )
    index = np.empty(2 * n_x + n_r, dtype=np.int32)
    index[0 : 2 * n_x : 2] = a.w
    index[1 : 2 * n_x : 2] = n_w + a.r
    index[2 * n_x :] = n_w + np.arange(n_r)
    value = np.ones(2 * n_x + n_r)
    value[0 : 2 * n_x : 2] = a.minutes
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
    return float(h.getInfo().objective_function_value)


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def threads() -> str:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    rayon = os.environ.get("RAYON_NUM_THREADS", "not set")
    return f"os.cpu_count() = {os.cpu_count()}, CPU affinity {affinity}, RAYON_NUM_THREADS {rayon}"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def transportation(args: argparse.Namespace) -> None:
    names = [n for n, m in (("OR-Tools", min_cost_flow), ("HiGHS", highspy)) if m is not None]
    missing = [n for n, m in (("ortools", min_cost_flow), ("highspy", highspy)) if m is None]
    print(
        "fl.allocate vs "
        + (" and ".join(names) or "nothing")
        + f" on the same transportation problem, one process, best of {args.repeat}"
    )
    if missing:
        print(f"  ({', '.join(missing)} not installed: pip install 'filiere[bench]')")
    if min_cost_flow is not None:
        print(
            f"  OR-Tools {_version('ortools')}: SimpleMinCostFlow, flow in 1/"
            f"{args.ticks_per_minute:g} minute, cost per tick x {args.cost_scale:g} as int64"
        )
    if highspy is not None:
        h = highspy.Highs()  # its banner, once, here rather than in the table
        print(
            f"  HiGHS {_version('highspy')}: highspy, default options (solver "
            f"{_option(h, 'solver')!r}, threads {_option(h, 'threads')}: 0 = auto)"
        )
    header = (
        f"  {'size (w x d x p)':<17}{'arcs':>9}{'filiere':>11}{'OR-Tools':>11}{'HiGHS':>11}"
        f"{'f/OR-T':>8}{'f/HiGHS':>9}   objective gaps (relative)"
    )
    print(header)
    agree = True
    for size in args.sizes:
        n_w, n_d = (int(x) for x in size.split("x"))
        t = synthetic(n_w, n_d)
        a = arrays(t)
        tf, res = best_of(
            partial(
                fl.allocate,
                t["capacity"],
                t["demand"],
                t["unit_cost"],
                MINUTES,
                unmet_penalty=PENALTY,
            ),
            args.repeat,
        )
        ours = res.objective_eur
        to = th = float("nan")
        gaps: list[str] = []
        if highspy is not None:
            th, obj_h = best_of(partial(highs_solve, a), args.repeat)
            gaps.append(f"f-HiGHS {rel(ours, obj_h):.1e}")
            agree &= rel(ours, obj_h) <= 1e-6
        if min_cost_flow is not None:
            to, obj_o = best_of(
                partial(ortools_solve, a, args.ticks_per_minute, args.cost_scale), args.repeat
            )
            gaps.append(f"f-OR-T {rel(ours, obj_o):.1e}")
            agree &= rel(ours, obj_o) <= 1e-5
            if highspy is not None:
                gaps.append(f"HiGHS-OR-T {rel(obj_h, obj_o):.1e}")
                agree &= rel(obj_h, obj_o) <= 1e-5
        print(
            f"  {f'{n_w}x{n_d}x{len(PRODUCTS)}':<17}{t['unit_cost'].height:>9,}"
            f"{_ms(tf)}{_ms(to)}{_ms(th)}{tf / to:>8.2f}{tf / th:>9.2f}   " + ", ".join(gaps)
        )
    print(
        "  f/OR-T, f/HiGHS: filiere time / their time (below 1: filiere is faster); "
        "OR-Tools' gap includes its integer rounding"
    )
    if names:
        print(f"  objectives agree (1e-6; 1e-5 with OR-Tools): {'yes' if agree else 'NO'}")


def _option(h: Any, name: str) -> Any:
    """A HiGHS option's value (some highspy versions return ``(status, value)``)."""
    value = h.getOptionValue(name)
    return value[-1] if isinstance(value, tuple) else value


def _ms(seconds: float) -> str:
    return f"{'-':>11}" if np.isnan(seconds) else f"{seconds * 1e3:>9.1f}ms"


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def national_arcs(study: fl.Study) -> int:
    """(workshop, product, département) cost entries of one year's LP: every product a
    workshop makes, to each of the 96 départements (all demand some pieces)."""
    products = study.workshops["products"].list.len()
    return int(products.sum()) * 96


def studies(args: argparse.Namespace) -> None:
    print("\nStudy.run (4 years: allocation LP, hiring, schedules, costs, IO jobs), warm")
    for name in ("aura-pilot", "aura"):
        study = fl.Study.example(name)
        study.run()
        t, _ = best_of(study.run, args.repeat)
        print(f"  {name:<38}{t * 1e3:>10.1f} ms   best of {args.repeat}")
    for n in args.national:
        study = fl.synthetic.national(seed=0, workshops=n)
        t, _ = best_of(study.run, args.national_repeat)
        label = f"national (SYNTHETIC), {n:,} workshops"
        print(
            f"  {label:<38}{t * 1e3:>10.1f} ms   best of {args.national_repeat}; "
            f"LP about {national_arcs(study):,} arcs a year"
        )

    print("\nMonte Carlo with the allocation re-solved for every draw (resolve_allocation=True)")
    runs: list[tuple[str, fl.Study, int]] = [("aura", fl.Study.example("aura"), args.draws)]
    if args.mc_national:
        runs.append(
            (
                f"national (SYNTHETIC), {args.mc_national:,} workshops",
                fl.synthetic.national(seed=0, workshops=args.mc_national),
                args.mc_national_draws,
            )
        )
    for label, study, n in runs:
        draw = partial(study.monte_carlo, n, seed=1, resolve_allocation=True, progress=False)
        t, _ = best_of(draw, 1)
        print(f"  {label:<38}{n / t:>10.2f} draws/s   ({n} draws, {t:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="*", default=["119x12", "2500x20", "2000x96"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ticks-per-minute", type=float, default=1.0)
    parser.add_argument("--cost-scale", type=float, default=1e6)
    parser.add_argument("--national", type=int, nargs="*", default=[500, 1_000, 2_000])
    parser.add_argument("--national-repeat", type=int, default=1)
    parser.add_argument("--draws", type=int, default=16)
    parser.add_argument("--mc-national", type=int, default=500)
    parser.add_argument("--mc-national-draws", type=int, default=2)
    parser.add_argument("--skip-studies", action="store_true")
    args = parser.parse_args()

    print(f"threads: {threads()}; {load()}")
    transportation(args)
    if not args.skip_studies:
        studies(args)
    print(f"\n{load()}")


if __name__ == "__main__":
    main()
