"""Benchmark: ``fl.sobol`` against SALib on the Ishigami function.

Same function (vectorised numpy Ishigami, a = 7, b = 0.1), same ``n``, same number of
bootstrap resamples, first and total order only, in one process: SALib's
``sobol.sample`` (``saltelli.sample`` is its deprecated alias) + ``sobol.analyze``, timed
end to end like ``fl.sobol`` (sampling, model evaluation, analysis). Prints the best of
``--repeat`` times, the ratio and both sets of indices next to the analytic values
(Ishigami & Homma 1990; Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*).

SALib is not a dependency of filiere; without it the script says so and exits 0.

Run: ``python benchmarks/bench_sobol.py [--log2n 14 16] [--resamples 1000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import math
import warnings
from typing import Any

import numpy as np
from _timing import best_of

import filiere as fl

A, B = 7.0, 0.1
PROBLEM: dict[str, Any] = {
    "num_vars": 3,
    "names": ["x1", "x2", "x3"],
    "bounds": [[-math.pi, math.pi]] * 3,
}


def ishigami(x: np.ndarray) -> np.ndarray:
    s1 = np.sin(x[:, 0])
    return s1 + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * s1


def analytic() -> tuple[list[float], list[float]]:
    v = A**2 / 8 + B * math.pi**4 / 5 + B**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * math.pi**8 / 225
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log2n", type=int, nargs="+", default=[14, 16])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        from SALib.analyze import sobol as salib_analyze
        from SALib.sample import sobol as salib_sample
    except ImportError:
        print("SALib is not installed (pip install SALib): nothing to compare against.")
        return

    # SALib 1.5.1 calls pandas.unique on the names, which pandas >= 3 refuses for a list.
    salib_problem = {**PROBLEM, "names": np.array(PROBLEM["names"])}

    def salib(n: int) -> dict[str, Any]:
        x = salib_sample.sample(salib_problem, n, calc_second_order=False, seed=1)
        return dict(
            salib_analyze.analyze(
                salib_problem,
                ishigami(x),
                calc_second_order=False,
                num_resamples=args.resamples,
                seed=1,
            )
        )

    s1_true, st_true = analytic()
    print(f"Ishigami (a={A}, b={B}), {args.resamples} bootstrap resamples, best of {args.repeat}")
    print(f"analytic S1 {np.round(s1_true, 4).tolist()}  ST {np.round(st_true, 4).tolist()}")
    print(f"{'n':>8} {'rows':>8} {'filiere s':>10} {'SALib s':>10} {'ratio':>7}")
    results = []
    for log2n in args.log2n:
        n = 2**log2n
        t_fl, ours = best_of(
            lambda n=n: fl.sobol(ishigami, PROBLEM, n, seed=1, num_resamples=args.resamples),
            args.repeat,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns about skip_values / n
            t_sa, theirs = best_of(lambda n=n: salib(n), args.repeat)
        print(f"{n:>8} {n * 5:>8} {t_fl:>10.3f} {t_sa:>10.3f} {t_sa / t_fl:>6.1f}x")
        results.append((n, ours, theirs))
    for n, ours, theirs in results:
        print(f"\nn = {n}")
        print(f"{'':>4} {'filiere S1 ± conf':>20} {'SALib S1 ± conf':>20}", end="")
        print(f" {'filiere ST ± conf':>20} {'SALib ST ± conf':>20}")
        for i, name in enumerate(PROBLEM["names"]):
            row = ours.row(i, named=True)
            print(
                f"{name:>4} {row['S1']:>11.4f} ± {row['S1_conf']:.4f}"
                f" {theirs['S1'][i]:>11.4f} ± {theirs['S1_conf'][i]:.4f}"
                f" {row['ST']:>11.4f} ± {row['ST_conf']:.4f}"
                f" {theirs['ST'][i]:>11.4f} ± {theirs['ST_conf'][i]:.4f}"
            )


if __name__ == "__main__":
    main()
