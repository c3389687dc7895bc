"""fl.sobol: Sobol' indices of user models against analytic values, determinism, errors."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import filiere as fl
from filiere.exceptions import ParameterError

ISHIGAMI: dict[str, Any] = {"names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1."""
    s1 = np.sin(x[:, 0])
    return s1 + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * s1


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float], float]:
    """Analytic indices, Saltelli et al. (2008), *Global Sensitivity Analysis: The Primer*,
    Wiley, and Ishigami & Homma (1990): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
    V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = 8b²π⁸/225; S1 = [V1, V2, 0]/V,
    ST = [V1 + V13, V2, V13]/V, S2_13 = V13/V."""
    pi = math.pi
    v = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v], v13 / v


def test_analytic_reference_values() -> None:
    s1, st, s13 = ishigami_analytic()
    assert s1 == pytest.approx([0.3139, 0.4424, 0.0], abs=5e-5)
    assert st == pytest.approx([0.5576, 0.4424, 0.2437], abs=5e-5)
    assert s13 == pytest.approx(0.2437, abs=5e-5)


def test_ishigami_matches_analytic_at_2_pow_14() -> None:
    s1, st, _ = ishigami_analytic()
    si = fl.sobol(ishigami, ISHIGAMI, 2**14, seed=11)
    assert si.columns == ["name", "S1", "S1_conf", "ST", "ST_conf"]
    assert si.schema["S1"] == pl.Float64
    assert si["name"].to_list() == ["x1", "x2", "x3"]
    assert si["S1"].to_list() == pytest.approx(s1, abs=0.02)
    assert si["ST"].to_list() == pytest.approx(st, abs=0.02)
    for col in ("S1_conf", "ST_conf"):
        assert all(0 < c < 0.05 for c in si[col]), si


def test_second_order_returns_pairs() -> None:
    s1, _, s13 = ishigami_analytic()
    si, s2 = fl.sobol(ishigami, ISHIGAMI, 2**12, seed=3, second_order=True, num_resamples=200)
    assert si["S1"].to_list() == pytest.approx(s1, abs=0.03)
    assert s2.columns == ["name_1", "name_2", "S2", "S2_conf"]
    assert list(zip(s2["name_1"], s2["name_2"], strict=True)) == [
        ("x1", "x2"),
        ("x1", "x3"),
        ("x2", "x3"),
    ]
    assert s2["S2"].to_list() == pytest.approx([0.0, s13, 0.0], abs=0.05)
    assert all(c > 0 for c in s2["S2_conf"])


def test_linear_model_closed_form() -> None:
    # y = x1 + 2 x2 + 3 x3, uniform inputs: S1_i = ST_i = a_i² var_i / Σ a_j² var_j with
    # var = (hi - lo)²/12: [1, 16, 36] / 53. SALib's 2-D array input form works too.
    problem = {"names": ["u", "v", "w"], "bounds": np.array([[0, 1], [0, 2], [-1, 1]])}
    si = fl.sobol(lambda x: x @ np.array([1.0, 2.0, 3.0]), problem, 2**12, seed=5)
    expect = [1 / 53, 16 / 53, 36 / 53]
    assert si["S1"].to_list() == pytest.approx(expect, abs=0.01)
    assert si["ST"].to_list() == pytest.approx(expect, abs=0.01)


def test_conf_intervals_shrink_with_n() -> None:
    small = fl.sobol(ishigami, ISHIGAMI, 2**8, seed=2, num_resamples=300)
    large = fl.sobol(ishigami, ISHIGAMI, 2**12, seed=2, num_resamples=300)
    for col in ("S1_conf", "ST_conf"):
        assert all(s > 2 * b > 0 for s, b in zip(small[col], large[col], strict=True)), col
    # A narrower level gives narrower intervals (z 1.645 instead of 1.960).
    ninety = fl.sobol(ishigami, ISHIGAMI, 2**8, seed=2, num_resamples=300, conf_level=0.9)
    ratio = ninety["S1_conf"] / small["S1_conf"]
    assert ratio.to_list() == pytest.approx([1.6449 / 1.9600] * 3, rel=1e-3)


def test_same_seed_same_frame_other_seed_differs() -> None:
    one = fl.sobol(ishigami, ISHIGAMI, 2**10, seed=7, num_resamples=100)
    assert_frame_equal(one, fl.sobol(ishigami, ISHIGAMI, 2**10, seed=7, num_resamples=100))
    other = fl.sobol(ishigami, ISHIGAMI, 2**10, seed=8, num_resamples=100)
    assert one["S1"].to_list() != other["S1"].to_list()


def test_bit_identical_for_any_thread_count() -> None:
    """The bootstrap streams are per replicate, so rayon's thread count cannot matter."""
    code = (
        "import math, numpy as np, filiere as fl;"
        "p = {'names': ['a', 'b', 'c'], 'bounds': [[-math.pi, math.pi]] * 3};"
        "f = lambda x: np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + x[:, 2] ** 4 * x[:, 0];"
        "si, s2 = fl.sobol(f, p, 2**10, seed=4, second_order=True, num_resamples=200);"
        "print([v.hex() for col in si.columns[1:] for v in si[col]] + "
        "[v.hex() for v in s2['S2_conf']])"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "RAYON_NUM_THREADS": str(threads)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for threads in (1, 2, 3)
    }
    assert len(outs) == 1, outs


def test_model_sees_the_saltelli_design() -> None:
    seen: list[np.ndarray] = []

    def model(x: np.ndarray) -> np.ndarray:
        seen.append(x.copy())
        return x.sum(axis=1, keepdims=True)  # (N, 1) is accepted

    problem = {"names": ["a", "b"], "bounds": [[0, 1], [10, 20]], "num_vars": 2}
    fl.sobol(model, problem, 8, seed=1, num_resamples=10)
    (x,) = seen
    assert x.shape == (8 * 4, 2)  # n (k + 2) rows: A, A_B^(1), A_B^(2), B per base point
    a, ab1, ab2, b = x[0::4], x[1::4], x[2::4], x[3::4]
    np.testing.assert_array_equal(ab1, np.c_[b[:, 0], a[:, 1]])
    np.testing.assert_array_equal(ab2, np.c_[a[:, 0], b[:, 1]])
    assert ((x[:, 0] > 0) & (x[:, 0] < 1) & (x[:, 1] > 10) & (x[:, 1] < 20)).all()


@pytest.mark.parametrize(
    ("problem", "name", "match"),
    [
        ([("a", 0, 1)], "problem", "must be a dict"),
        ({"names": ["a"]}, "problem", "no 'bounds'"),
        ({"names": ["a"], "bounds": [[0, 1]], "dists": ["unif"]}, "problem", "not supported"),
        ({"names": "a", "bounds": [[0, 1]]}, "names", "list of strings"),
        ({"names": ["a", "b"], "bounds": [[0, 1]]}, "bounds", "2 names but 1 bounds"),
        ({"names": ["a"], "bounds": [[0, 1, 2]]}, "a", r"\[lo, hi\] pair"),
        ({"names": ["a"], "bounds": [["0", 1]]}, "a", "must be a number"),
        ({"names": ["a"], "bounds": [[1, 1]]}, "a", "lower bound must be below"),
        ({"names": ["a"], "bounds": [[0, math.inf]]}, "a", "finite"),
        ({"names": ["a", "a"], "bounds": [[0, 1]] * 2}, "names", "named twice"),
        ({"names": ["a"], "bounds": [[0, 1]], "num_vars": 2}, "num_vars", "num_vars"),
    ],
)
def test_bad_problem(problem: Any, name: str, match: str) -> None:
    with pytest.raises(ParameterError, match=match) as err:
        fl.sobol(lambda x: x[:, 0], problem, 8, seed=0)
    assert err.value.name == name


def test_bad_arguments_and_outputs() -> None:
    ok = {"names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    with pytest.raises(ParameterError, match="power of two") as err:
        fl.sobol(lambda x: x[:, 0], ok, 1000, seed=0)
    assert err.value.name == "n"
    with pytest.raises(ParameterError, match="between 0 and") as err:
        fl.sobol(lambda x: x[:, 0], ok, 8, seed=-1)
    assert err.value.name == "seed"
    with pytest.raises(ParameterError, match="at least 2") as err:
        fl.sobol(lambda x: x[:, 0], ok, 8, seed=0, num_resamples=1)
    with pytest.raises(ParameterError, match="between 0 and 1") as err:
        fl.sobol(lambda x: x[:, 0], ok, 8, seed=0, conf_level=95)
    assert err.value.name == "conf_level"
    with pytest.raises(ParameterError, match=r"shape \(32, 2\); expected \(32,\)") as err:
        fl.sobol(lambda x: x, ok, 8, seed=0)
    assert err.value.name == "func"
    with pytest.raises(ParameterError, match=r"shape \(31,\)"):
        fl.sobol(lambda x: x[1:, 0], ok, 8, seed=0)

    def nan_at_row_5(x: np.ndarray) -> np.ndarray:
        y = x[:, 0].copy()
        y[5] = np.nan
        return y

    with pytest.raises(ParameterError, match="NaN for row 5 of the design") as err:
        fl.sobol(nan_at_row_5, ok, 8, seed=0)
    assert err.value.name == "outputs"
    with pytest.raises(ParameterError, match="zero variance"):
        fl.sobol(lambda x: np.full(len(x), 3.0), ok, 8, seed=0)
