"""Benchmark: Monte Carlo draws per second on the bundled AURA study, in one process.

Three ways of evaluating a draw, each against the exact one (the whole study run again per
draw, allocation LP included) as the baseline, printing draws per second and the ratio:

* fast, with the schedule (``resolve_allocation=False``);
* fast, without the schedule (``resolve_allocation=False, schedule=False``: cost and jobs
  only);
* exact (``resolve_allocation=True``, the default of ``Study.monte_carlo``).

Goals of issue 5: >= 1,000,000 draws/s without re-solving the allocation, >= 10,000 with the
schedule, on 2 cores.

Run: ``python benchmarks/bench_montecarlo.py [--draws 200000] [--exact-draws 8]``.
"""

from __future__ import annotations

import argparse
import time

import filiere as fl


def rate(study: fl.Study, n: int, **options: bool) -> float:
    start = time.perf_counter()
    study.monte_carlo(n, seed=1, progress=False, **options)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--exact-draws", type=int, default=8)
    args = parser.parse_args()
    study = fl.Study.example("aura")
    exact = rate(study, args.exact_draws, resolve_allocation=True)
    rows = [
        ("fast, with schedule", rate(study, args.draws, resolve_allocation=False)),
        ("fast, no schedule", rate(study, args.draws, resolve_allocation=False, schedule=False)),
        ("exact (LP re-solved)", exact),
    ]
    print(f"AURA study, {args.draws:,} fast draws, {args.exact_draws} exact draws (4 years each)")
    print(f"  {'mode':<22}{'draws/s':>12}{'vs exact':>12}")
    for name, r in rows:
        print(f"  {name:<22}{r:>12,.0f}{r / exact:>11,.0f}x")


if __name__ == "__main__":
    main()
