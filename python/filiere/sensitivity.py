"""Sobol' sensitivity analysis of a user's own model (SALib-like, computed in Rust)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

import polars as pl

from filiere import _core
from filiere.exceptions import ParameterError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    Model = Callable[[NDArray[np.float64]], ArrayLike]

__all__ = ["sobol"]

_KEYS = {"names", "bounds", "num_vars"}


def _integer(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"`{name}` must be an integer, got {value!r}", name=name)
    if not low <= int(value) <= high:
        raise ParameterError(f"`{name}` = {value} must be between {low} and {high}", name=name)
    return int(value)


def _real(value: object, what: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{what} must be a number, got {value!r}", name=name)
    return float(value)


def _problem(problem: object) -> tuple[list[str], list[tuple[float, float]]]:
    """Check the structure of a SALib-style problem; Rust checks the values."""
    if not isinstance(problem, Mapping):
        raise ParameterError(
            'problem must be a dict {"names": [...], "bounds": [[lo, hi], ...]}, '
            f"got {type(problem).__name__}",
            name="problem",
        )
    missing = sorted({"names", "bounds"} - set(problem))
    if missing:
        raise ParameterError(f"problem has no {', '.join(map(repr, missing))}", name="problem")
    unknown = sorted(map(str, set(problem) - _KEYS))
    if unknown:
        raise ParameterError(
            f"problem keys {unknown} are not supported (only names, bounds and num_vars; "
            "parameters are sampled uniformly between their bounds, without groups)",
            name="problem",
        )
    names = problem["names"]
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise ParameterError("problem['names'] must be a list of strings", name="names")
    names = list(names)
    bounds_in = problem["bounds"]
    try:
        pairs = [tuple(b) for b in bounds_in]
    except TypeError:
        raise ParameterError(
            "problem['bounds'] must be a list of [lo, hi] pairs", name="bounds"
        ) from None
    if len(pairs) != len(names):
        raise ParameterError(
            f"{len(names)} names but {len(pairs)} bounds: give one [lo, hi] per parameter",
            name="bounds",
        )
    bounds: list[tuple[float, float]] = []
    for name, pair in zip(names, pairs, strict=True):
        if len(pair) != 2:
            raise ParameterError(
                f"bounds of `{name}` must be a [lo, hi] pair, got {list(pair)!r}", name=name
            )
        lo, hi = (_real(v, f"bounds of `{name}`", name) for v in pair)
        bounds.append((lo, hi))
    if "num_vars" in problem and problem["num_vars"] != len(names):
        raise ParameterError(
            f"problem['num_vars'] = {problem['num_vars']!r} but there are {len(names)} names",
            name="num_vars",
        )
    return names, bounds


@overload
def sobol(
    func: Model,
    problem: Mapping[str, Any],
    n: int,
    *,
    seed: int,
    second_order: Literal[False] = False,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> pl.DataFrame: ...
@overload
def sobol(
    func: Model,
    problem: Mapping[str, Any],
    n: int,
    *,
    seed: int,
    second_order: Literal[True],
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> tuple[pl.DataFrame, pl.DataFrame]: ...
@overload
def sobol(
    func: Model,
    problem: Mapping[str, Any],
    n: int,
    *,
    seed: int,
    second_order: bool,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]: ...
def sobol(
    func: Model,
    problem: Mapping[str, Any],
    n: int,
    *,
    seed: int,
    second_order: bool = False,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> pl.DataFrame | tuple[pl.DataFrame, pl.DataFrame]:
    """Sobol' sensitivity indices of ``func`` over uniform parameters (Saltelli sampling).

    Which share of the variance of the model's output each parameter explains, alone
    (first order ``S1``) and with all its interactions (total ``ST``). Computes what SALib's
    ``sobol.sample`` + ``sobol.analyze`` compute, in Rust: a Saltelli design on a Sobol'
    sequence (Joe-Kuo direction numbers, randomised by a digital shift drawn from ``seed``),
    the Saltelli (2010) first-order and Jansen (1999) total estimators, and bootstrap
    confidence intervals (see ``docs/ARCHITECTURE.md``, "Sensitivity").

    Parameters
    ----------
    func : callable
        The model: takes an ``(N, k)`` float64 array, one row per parameter set and one
        column per parameter in the order of ``problem["names"]`` (each in its own unit),
        and returns ``N`` finite outputs (shape ``(N,)`` or ``(N, 1)``). It is called once,
        with ``N = n (k + 2)`` rows, or ``n (2k + 2)`` with ``second_order``.
    problem : dict
        ``{"names": [...], "bounds": [[lo, hi], ...]}`` (SALib's format; ``num_vars`` is
        allowed and checked): each parameter is uniform on ``[lo, hi]``, ``lo < hi``, at most
        64 parameters.
    n : int
        Base sample size, a power of two (the Sobol' sequence is balanced for powers of two
        only), e.g. 1024; the accuracy improves roughly as ``1/n``.
    seed : int
        Seed (0 to 2^64 - 1) of the sequence's shift and of the bootstrap. The same seed
        gives bit-identical results whatever the number of threads.
    second_order : bool, default False
        Also estimate the pairwise interaction indices ``S2`` (costs ``n k`` more runs).
    num_resamples : int, default 1000
        Bootstrap replicates for the confidence intervals (at least 2).
    conf_level : float, default 0.95
        Confidence level of the intervals, in (0, 1).

    Returns
    -------
    polars.DataFrame or tuple of two polars.DataFrame
        ``name, S1, S1_conf, ST, ST_conf``: indices as fractions of the output variance
        (dimensionless, 0 to 1 up to estimation noise) and the half-widths of their
        confidence intervals (``z * bootstrap std``, as SALib). With ``second_order=True``,
        a tuple of that frame and ``name_1, name_2, S2, S2_conf`` (one row per pair).

    Raises
    ------
    ParameterError
        A malformed ``problem``, bounds with ``lo >= hi`` or non-finite, ``n`` not a power
        of two, an output of the wrong shape, a non-finite output (the row of the design is
        named), or outputs with zero variance.

    Examples
    --------
    A linear model ``y = a + b`` with ``a ~ U(0, 1)`` and ``b ~ U(0, 2)``: variances 1/12 and
    4/12, so ``S1 = ST = [0.2, 0.8]``.

    >>> import filiere as fl
    >>> problem = {"names": ["a", "b"], "bounds": [[0.0, 1.0], [0.0, 2.0]]}
    >>> si = fl.sobol(lambda x: x[:, 0] + x[:, 1], problem, 1024, seed=1)
    >>> si.columns
    ['name', 'S1', 'S1_conf', 'ST', 'ST_conf']
    >>> [round(v, 2) for v in si["S1"]], [round(v, 2) for v in si["ST"]]
    ([0.2, 0.8], [0.2, 0.8])
    """
    import numpy as np

    names, bounds = _problem(problem)
    n = _integer(n, "n", 0, 2**63 - 1)
    seed = _integer(seed, "seed", 0, 2**64 - 1)
    num_resamples = _integer(num_resamples, "num_resamples", 0, 2**63 - 1)
    conf_level = _real(conf_level, "`conf_level`", "conf_level")
    if not isinstance(second_order, bool):
        raise ParameterError("`second_order` must be True or False", name="second_order")
    raw = _core.sobol_sample(names, bounds, n, seed, second_order)
    x = np.frombuffer(raw, dtype=np.float64).reshape(-1, len(names))
    rows = x.shape[0]
    try:
        y = np.asarray(func(x), dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ParameterError(
            f"func's result could not be read as {rows} numbers: {e}", name="func"
        ) from e
    if y.shape not in ((rows,), (rows, 1)):
        raise ParameterError(
            f"func returned an array of shape {y.shape}; expected ({rows},): one output per "
            f"row of the ({rows}, {len(names)}) sample",
            name="func",
        )
    out = _core.sobol_analyze(
        names,
        bounds,
        n,
        np.ascontiguousarray(y.ravel()).tobytes(),
        seed,
        second_order,
        num_resamples,
        conf_level,
    )
    indices: pl.DataFrame = out["indices"]
    if second_order:
        pairs: pl.DataFrame = out["second_order"]
        return indices, pairs
    return indices
