"""Benchmark: Leontief inverse and all multipliers for tables of 64, 500 and 2,000 branches,
filiere against numpy and against pymrio's ``calc_all``, same table, same process; prints
the ratios.

Each contender computes A, L and the output and employment multipliers (pymrio computes
its full set of accounts from the same Z, x and one employment extension). Tables are
random but productive (column sums of A below 0.6), seeded.

Run: ``python benchmarks/bench_io.py [--sizes 64 500 2000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import filiere as fl


def table(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(1e3, 1e5, n)
    a = rng.uniform(0, 1, (n, n))
    a *= rng.uniform(0.2, 0.6, n) / a.sum(axis=0)
    z = a * x
    employment = x * rng.uniform(1e-3, 1e-2, n)
    return z, x, employment


def numpy_all(z: np.ndarray, x: np.ndarray, e: np.ndarray) -> np.ndarray:
    a = z / x
    leontief = np.linalg.inv(np.eye(len(x)) - a)
    output = leontief.sum(axis=0)
    employment = (e / x) @ leontief
    return output + employment


def filiere_all(z: np.ndarray, x: np.ndarray, e: np.ndarray) -> object:
    eco = fl.Economy.from_table(z, x, employment=e)
    eco.multipliers("output")
    return eco.multipliers("employment")


def pymrio_all(z: np.ndarray, x: np.ndarray, e: np.ndarray) -> object:
    import pandas as pd
    import pymrio

    idx = pd.MultiIndex.from_product(
        [["reg"], [f"s{i}" for i in range(len(x))]], names=["region", "sector"]
    )
    io = pymrio.IOSystem(
        Z=pd.DataFrame(z, index=idx, columns=idx),
        Y=pd.DataFrame(
            x - z.sum(axis=1),
            index=idx,
            columns=pd.MultiIndex.from_tuples([("reg", "fd")], names=["region", "category"]),
        ),
    )
    io.jobs = pymrio.Extension(
        name="jobs",
        F=pd.DataFrame([e], index=["jobs"], columns=idx),
        unit=pd.DataFrame({"unit": ["persons"]}, index=["jobs"]),
    )
    io.calc_all()
    return io.jobs.M


def timeit(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 500, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        import pymrio  # noqa: F401

        have_pymrio = True
    except ImportError:
        have_pymrio = False
        print("pymrio not installed (pip install pymrio): its column is skipped")
    print(
        f"{'branches':>8} {'filiere ms':>11} {'numpy ms':>9} {'pymrio ms':>10} "
        f"{'numpy/filiere':>14} {'pymrio/filiere':>15}"
    )
    for n in args.sizes:
        z, x, e = table(n)
        # Same numbers first: filiere's output multipliers equal numpy's.
        eco = fl.Economy.from_table(z, x, employment=e)
        expected = np.linalg.inv(np.eye(n) - z / x).sum(axis=0)
        np.testing.assert_allclose(eco.multipliers("output")["total"], expected, rtol=1e-8)
        t_f = timeit(lambda z=z, x=x, e=e: filiere_all(z, x, e), args.repeat)
        t_n = timeit(lambda z=z, x=x, e=e: numpy_all(z, x, e), args.repeat)
        t_p = (
            timeit(lambda z=z, x=x, e=e: pymrio_all(z, x, e), args.repeat)
            if have_pymrio
            else float("nan")
        )
        print(
            f"{n:>8} {t_f * 1e3:>11.1f} {t_n * 1e3:>9.1f} {t_p * 1e3:>10.1f} "
            f"{t_n / t_f:>14.2f} {t_p / t_f:>15.2f}"
        )


if __name__ == "__main__":
    main()
