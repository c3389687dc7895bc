"""Benchmark: the allocation LP and the schedule.

1. The bundled AURA study end to end (``Study.run``: demand, allocation LP, hiring and
   schedule for four years, costs, input-output jobs), and the pilot.
2. Synthetic allocation problems up to 5,000 workshops x 100 départements x 2 products,
   ``fl.allocate`` against ``scipy.optimize.linprog(method="highs")`` on the same LP in the
   same process, printing the time ratio and checking both objectives agree.

Run: ``python benchmarks/bench_allocate.py [--sizes 119x12 1000x50 5000x100] [--repeat 3]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl
from _timing import best_of
from scipy import sparse
from scipy.optimize import linprog

import filiere as fl

PRODUCTS = ("polo", "sweatshirt")
MINUTES = {"polo": 31.0, "sweatshirt": 40.0}
PENALTY = 1_000.0


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
    w_idx, p_idx, d_idx = np.meshgrid(
        np.arange(n_w), np.arange(len(PRODUCTS)), np.arange(n_d), indexing="ij"
    )
    w_idx, p_idx, d_idx = w_idx.ravel(), p_idx.ravel(), d_idx.ravel()
    unit_cost = pl.DataFrame(
        {
            "workshop": capacity["workshop"].gather(w_idx),
            "product": np.array(PRODUCTS)[p_idx],
            "departement": demand["departement"].gather(d_idx),
            "eur_per_piece": making[w_idx, p_idx] + 0.0005 * km[w_idx, d_idx],
        }
    )
    return {"capacity": capacity, "demand": demand, "unit_cost": unit_cost}


def scipy_solve(t: dict[str, pl.DataFrame]) -> float:
    """The same LP for HiGHS, with sparse matrices (columns: flows, then unmet)."""
    cap, dem, cost = t["capacity"], t["demand"], t["unit_cost"]
    w_of = {w: i for i, w in enumerate(cap["workshop"])}
    row_of = {
        (p, d): i for i, (p, d) in enumerate(zip(dem["product"], dem["departement"], strict=True))
    }
    w = np.array([w_of[x] for x in cost["workshop"]])
    r = np.array([row_of[k] for k in zip(cost["product"], cost["departement"], strict=True)])
    mins = cost["product"].replace_strict(MINUTES).to_numpy()
    n_x, n_u, n_w = cost.height, dem.height, cap.height
    c = np.concatenate([cost["eur_per_piece"].to_numpy(), np.full(n_u, PENALTY)])
    a_eq = sparse.csr_array(
        (
            np.ones(n_x + n_u),
            (np.concatenate([r, np.arange(n_u)]), np.arange(n_x + n_u)),
        ),
        shape=(n_u, n_x + n_u),
    )
    a_ub = sparse.csr_array((mins, (w, np.arange(n_x))), shape=(n_w, n_x + n_u))
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=cap["minutes_available"].to_numpy(),
        A_eq=a_eq,
        b_eq=dem["pieces"].to_numpy(),
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.fun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="*", default=["119x12", "1000x50", "5000x100"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print("Study.run (allocation + hiring + schedule + costs + input-output), best of", args.repeat)
    for name in ("aura-pilot", "aura"):
        study = fl.Study.example(name)
        t, r = best_of(study.run, args.repeat)
        years = r.summary.height  # type: ignore[attr-defined]
        print(f"  {name:<11} {t * 1e3:8.1f} ms  ({years} years)")

    print("\nfl.allocate vs scipy.optimize.linprog(method='highs'), same LP, same process")
    header = f"{'size (w x d x 2)':<18}{'arcs':>10}{'filiere':>12}{'scipy':>12}{'ratio':>9}"
    print(f"  {header}  objective")
    for size in args.sizes:
        n_w, n_d = (int(x) for x in size.split("x"))
        t = synthetic(n_w, n_d)
        tf, res = best_of(
            lambda t=t: fl.allocate(
                t["capacity"], t["demand"], t["unit_cost"], MINUTES, unmet_penalty=PENALTY
            ),
            args.repeat,
        )
        ts, obj = best_of(lambda t=t: scipy_solve(t), args.repeat)
        ours = res.objective_eur  # type: ignore[attr-defined]
        agree = abs(ours - obj) / abs(obj)  # type: ignore[operator]
        print(
            f"  {size + 'x2':<18}{t['unit_cost'].height:>10,}{tf * 1e3:>10.1f}ms"
            f"{ts * 1e3:>10.1f}ms{ts / tf:>8.2f}x  rel. diff {agree:.1e}"
        )
    print("\nratio = scipy time / filiere time (above 1: filiere is faster)")


if __name__ == "__main__":
    main()
