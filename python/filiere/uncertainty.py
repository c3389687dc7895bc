"""Honest ranges: Monte Carlo over the uncertain inputs' distributions (the parameters and
the catalog's ranged figures; in this process or on a Dask cluster), one-at-a-time
sensitivity (tornado) and Sobol' indices."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere import _core, plot
from filiere.exceptions import ParameterError
from filiere.sensitivity import sobol

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from filiere.study import Study

__all__ = ["METRICS", "Distribution", "draw_range", "monte_carlo"]

#: Headline figures of every draw and year (units: pieces, EUR, EUR, FTE, persons x 4,
#: calendar days, bool), as the native module defines them.
METRICS: tuple[str, ...] = tuple(_core.MONTE_CARLO_METRICS)


def check_draws(n: int, seed: int, chunk: int | None) -> None:
    """Check the number of draws, the seed and the chunk size of a Monte Carlo run.

    Raises
    ------
    ParameterError
        Naming ``n``, ``seed`` or ``chunk``.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ParameterError(f"parameter `n`: {n!r} must be a whole number ≥ 1", name="n")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        raise ParameterError(
            f"parameter `seed`: {seed!r} must be a whole number in [0, 2^64)", name="seed"
        )
    if chunk is not None and (not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1):
        raise ParameterError(
            f"parameter `chunk`: {chunk!r} must be a whole number ≥ 1", name="chunk"
        )


# Dask ------------------------------------------------------------------------------------


def client_threads(client: Any) -> int:
    """Total worker threads of a Dask client's cluster (at least 1)."""
    try:
        return max(1, int(sum(client.nthreads().values())))
    except Exception:  # an exotic client: partition as for one thread
        return 1


def split(items: int, parts: int) -> list[range]:
    """Split range(items) into `parts` contiguous, near-equal, non-empty ranges."""
    parts = max(1, min(parts, items))
    bounds = [items * k // parts for k in range(parts + 1)]
    return [range(bounds[k], bounds[k + 1]) for k in range(parts)]


def scatter_study(client: Any, study: Study) -> Any:
    """Send the study once to every worker (``broadcast=True``) and return its future;
    tasks then name the future, so the tables do not travel with each task."""
    return client.scatter(study, broadcast=True, hash=False)


#: Per worker process: the MonteCarlo engine of each scattered study (built once: it runs
#: the study's central plan), by (resolve_allocation, schedule).
_ENGINES: weakref.WeakKeyDictionary[Study, dict[tuple[bool, bool], _core.MonteCarlo]] = (
    weakref.WeakKeyDictionary()
)


def draw_range(
    study: Study, seed: int, start: int, end: int, resolve_allocation: bool, schedule: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Draws ``start..end`` of a study (a Dask task): identical to the same range drawn
    locally, since draw i depends only on (seed, i)."""
    engines = _ENGINES.setdefault(study, {})
    mc = engines.get((resolve_allocation, schedule))
    if mc is None:
        mc = _core.MonteCarlo(study._inner, resolve_allocation, schedule)
        engines[(resolve_allocation, schedule)] = mc
    return mc.draws(seed, start, end), mc.names()


def distributed_draws(
    study: Study,
    n: int,
    *,
    seed: int,
    resolve_allocation: bool,
    schedule: bool,
    chunk: int | None,
    client: Any,
) -> tuple[pl.DataFrame, list[str]]:
    """Draws 0..n of a study computed on a Dask cluster, in index ranges of ``chunk``
    draws (default: 4 ranges per worker thread), concatenated in order."""
    if chunk is not None:
        ranges = [range(s, min(n, s + chunk)) for s in range(0, n, chunk)]
    else:
        ranges = split(n, 4 * client_threads(client))
    remote = scatter_study(client, study)
    futures = [
        client.submit(
            draw_range,
            remote,
            seed,
            r.start,
            r.stop,
            resolve_allocation,
            schedule,
            pure=False,
        )
        for r in ranges
    ]
    parts = client.gather(futures)
    return pl.concat([draws for draws, _ in parts]), parts[0][1]


def monte_carlo(
    study: Study,
    n: int,
    *,
    seed: int,
    resolve_allocation: bool,
    schedule: bool,
    progress: bool | None,
    chunk: int | None,
    client: Any | None,
) -> Distribution:
    """:meth:`filiere.Study.monte_carlo`: draws 0..n on a Dask cluster
    (:func:`distributed_draws`) or in this process, the same draws either way.

    In this process the draws are evaluated in chunks (each without the GIL, in
    parallel), so that a long run shows progress and Ctrl-C stops it between chunks.
    """
    check_draws(n, seed, chunk)
    if client is not None:
        draws, names = distributed_draws(
            study,
            n,
            seed=seed,
            resolve_allocation=resolve_allocation,
            schedule=schedule,
            chunk=chunk,
            client=client,
        )
        return Distribution(
            draws=draws, parameters=names, seed=seed, resolve_allocation=resolve_allocation
        )
    # Imported here: in a Jupyter without ipywidgets, tqdm.auto warns that it falls back to
    # a text bar, which ``import filiere`` should not do.
    from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]

    mc = _core.MonteCarlo(study._inner, resolve_allocation, schedule)
    size = chunk or (256 if resolve_allocation else 20_000)
    parts = []
    with tqdm(
        total=n,
        desc="Monte Carlo",
        unit=" draws",
        file=sys.stderr,
        disable=not (progress if progress is not None else n > size),
    ) as bar:  # closed on the way out, Ctrl-C (KeyboardInterrupt) included
        for start in range(0, n, size):
            end = min(n, start + size)
            parts.append(mc.draws(seed, start, end))
            bar.update(end - start)
    return Distribution(
        draws=pl.concat(parts),
        parameters=mc.names(),
        seed=seed,
        resolve_allocation=resolve_allocation,
    )


@dataclass(frozen=True)
class Distribution:
    """Monte Carlo draws of a study (:meth:`filiere.Study.monte_carlo`).

    Attributes
    ----------
    draws : polars.DataFrame
        One row per draw and year: ``draw``, ``year``, the sampled value of every uncertain
        input (one column each, in its unit: the parameters by name, then the catalog's
        ranged figures as ``catalog.<product>.<column>``, e.g.
        ``catalog.polo.sam_sew_min``), and the headline figures ``pieces``,
        ``budget_eur`` (EUR, VAT included), ``cost_per_kit_eur`` (EUR), ``direct_fte``
        (FTE), ``jobs_direct``, ``jobs_indirect``, ``jobs_induced``, ``jobs_total``
        (persons, input-output Type II), ``jobs_gross``, the balance's ``jobs_net``,
        ``premium_eur``, ``public_revenue_eur``, ``net_public_cost_eur``,
        ``net_cost_per_job_eur``, ``region_cost_per_job_eur``, ``co2e_avoided_t``;
        ``makespan_days`` (calendar days from the order to the last delivery),
        ``late_days`` (0 when on time), ``hiring_needed_for_deadline`` (operators to
        recruit that year: the surveyed workshops' hires and new capacity's recruits),
        the sourcing split ``pieces_surveyed``, ``pieces_new_regional``,
        ``pieces_imported``, ``unmet_pieces`` (late) and ``local_content_share``, and
        ``on_time`` (every piece delivered by the rentrée, all sources together). The
        names are ``filiere._core.MONTE_CARLO_METRICS``.
    parameters : list of str
        The uncertain inputs sampled, in column order: parameters, then catalog figures.
    seed : int
        The seed: draw i depends only on (seed, i).
    resolve_allocation : bool or None
        True when every draw re-solved the allocation (the exact mode, the default of
        :meth:`filiere.Study.monte_carlo`), False when the draws kept the central run's
        allocation (the fast mode: hiring and the sourcing split do not vary), None when
        not recorded.
    """

    draws: pl.DataFrame
    parameters: list[str]
    seed: int
    resolve_allocation: bool | None = None

    def quantiles(
        self, q: Sequence[float] = (0.05, 0.5, 0.95), metrics: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """Quantiles of each metric, by year.

        Parameters
        ----------
        q : sequence of float, default (0.05, 0.5, 0.95)
            Probabilities in [0, 1].
        metrics : sequence of str, optional
            Metrics (default: every numeric one).

        Returns
        -------
        polars.DataFrame
            ``year, metric, mean`` and one column per quantile (``p5``, ``p50``, ``p95``),
            in the metric's unit; ``on_time`` reports its share of draws as ``mean``.
        """
        if not all(0.0 <= p <= 1.0 for p in q):
            raise ParameterError(f"parameter `q`: {list(q)} must lie in [0, 1]", name="q")
        wanted = list(metrics or [m for m in METRICS if m != "on_time"])
        unknown = sorted(set(wanted) - set(METRICS))
        if unknown:
            raise ParameterError(f"unknown metrics {unknown}; known: {METRICS}", name="metrics")
        frames = []
        for metric in wanted:
            values = pl.col(metric).cast(pl.Float64)
            frames.append(
                self.draws.group_by("year")
                .agg(
                    pl.lit(metric).alias("metric"),
                    values.mean().alias("mean"),
                    *(values.quantile(p, interpolation="linear").alias(_label(p)) for p in q),
                )
                .sort("year")
            )
        return pl.concat(frames)

    def probability_on_time(self) -> pl.DataFrame:
        """Probability of delivering every piece by the rentrée, by year.

        Returns
        -------
        polars.DataFrame
            ``year``, ``p_on_time`` (share of the draws on time, in [0, 1]), ``draws``
            (draws of the year) and ``late_days_p95`` (days late in the worst 5 % of draws;
            0 when at least 95 % are on time).

        Examples
        --------
        >>> import filiere as fl
        >>> d = fl.Study.example("aura-pilot").monte_carlo(200, seed=1)
        >>> d.probability_on_time()["p_on_time"].to_list()
        [1.0]
        """
        return (
            self.draws.group_by("year")
            .agg(
                pl.col("on_time").cast(pl.Float64).mean().alias("p_on_time"),
                pl.len().alias("draws"),
                pl.col("late_days").quantile(0.95, interpolation="linear").alias("late_days_p95"),
            )
            .sort("year")
        )

    @property
    def plot(self) -> _DistributionPlots:
        """``.plot.histogram(metric)`` and ``.plot.fan(metric)``."""
        return _DistributionPlots(self)

    def __repr__(self) -> str:
        n = self.draws["draw"].n_unique()
        return f"Distribution({n:,} draws, {len(self.parameters)} uncertain inputs)"


def _label(p: float) -> str:
    return f"p{100 * p:g}".replace(".", "_")


class _DistributionPlots:
    """``distribution.plot``: the plots of :mod:`filiere.plot` bound to one distribution."""

    def __init__(self, dist: Distribution) -> None:
        self._dist = dist

    def histogram(
        self, metric: str = "jobs_total", year: int | None = None, **kwargs: Any
    ) -> Figure:
        """See :func:`filiere.plot.histogram`."""
        return plot.histogram(self._dist, metric, year, **kwargs)

    def fan(self, metric: str = "jobs_total", **kwargs: Any) -> Figure:
        """See :func:`filiere.plot.fan`."""
        return plot.fan(self._dist, metric, **kwargs)


def _check_metric(metric: str) -> None:
    if metric not in METRICS or metric == "on_time":
        raise ParameterError(f"unknown metric {metric!r}; known: {METRICS[:-1]}", name="metric")


def _metric_of(out: pl.DataFrame, metric: str, year: int | None) -> tuple[int, pl.Series]:
    """One metric of evaluated sets in one year (default: the last), in set order."""
    y = year if year is not None else int(out["year"].max())  # type: ignore[arg-type]
    if y not in out["year"].unique().to_list():
        raise ParameterError(f"parameter `year`: {y} is not a year of the study", name="year")
    return y, out.filter(pl.col("year") == y).sort("draw")[metric]


def sobol_indices(
    study_core: _core.Study,
    metric: str,
    year: int | None,
    n: int,
    seed: int,
    resolve_allocation: bool = False,
) -> pl.DataFrame:
    """Sobol' indices of a headline figure over the uncertain inputs (parameters and catalog
    figures), each with its own distribution.

    The Saltelli design is drawn on the unit cube and each coordinate mapped through its
    input's inverse distribution function (in the core, as the Monte Carlo draws it), so a
    triangular input is sampled triangular, not uniform over its range. The indices are
    those of the inputs: a per-coordinate one-to-one map leaves the variance decomposition
    of the output unchanged. ``resolve_allocation`` re-solves the study for every set.
    """
    _check_metric(metric)
    mc = _core.MonteCarlo(study_core, resolve_allocation)
    names = mc.names()
    if not names:
        raise ParameterError("no uncertain input: every distribution is fixed", name="method")
    chosen: list[int] = []

    def model(x: Any) -> Any:
        out = mc.evaluate(x.tolist(), unit=True)
        y, values = _metric_of(out, metric, year)
        chosen.append(y)
        return values.to_numpy()

    unit_cube = [[0.0, 1.0]] * len(names)
    frame = sobol(model, {"names": names, "bounds": unit_cube}, n, seed=seed)
    return frame.with_columns(pl.lit(metric).alias("metric"), pl.lit(chosen[0]).alias("year"))


def tornado(
    study_core: _core.Study, metric: str, year: int | None, resolve_allocation: bool = False
) -> pl.DataFrame:
    """One-at-a-time sensitivity: each uncertain input (parameter or catalog figure) at its
    low and high end, the others central, evaluated with the central allocation kept or,
    with ``resolve_allocation``, with the whole study re-solved for each set."""
    _check_metric(metric)
    mc = _core.MonteCarlo(study_core, resolve_allocation)
    names, ranges = mc.names(), mc.ranges()
    base_values = mc.centrals()
    sets = [base_values]
    for k, (lo, hi) in enumerate(ranges):
        for end in (lo, hi):
            values = list(base_values)
            values[k] = end
            sets.append(values)
    y, series = _metric_of(mc.evaluate(sets), metric, year)
    at = series.to_list()
    base = at[0]
    rows: list[dict[str, Any]] = []
    for k, name in enumerate(names):
        low, high = at[1 + 2 * k], at[2 + 2 * k]
        rows.append(
            {
                "parameter": name,
                "low": ranges[k][0],
                "high": ranges[k][1],
                f"{metric}_at_low": low,
                f"{metric}_at_high": high,
                "swing": abs(high - low),
            }
        )
    frame = pl.DataFrame(rows).sort("swing", descending=True)
    return frame.with_columns(pl.lit(base).alias(f"{metric}_central"), pl.lit(y).alias("year"))
