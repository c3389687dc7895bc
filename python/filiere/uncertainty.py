"""Honest ranges: Monte Carlo over the parameters' distributions, and one-at-a-time
sensitivity (tornado)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere import _core
from filiere.exceptions import ParameterError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["METRICS", "Distribution"]

#: Headline figures of every draw and year (units: pieces, EUR, EUR, FTE, persons x 4,
#: calendar days, bool), as the native module defines them.
METRICS: tuple[str, ...] = tuple(_core.MONTE_CARLO_METRICS)


class _Progress:
    """A one-line progress bar on stderr (terminals and Jupyter both show stderr)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.start = total, enabled, time.perf_counter()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / self.total)
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(
            f"\rMonte Carlo [{'#' * filled}{'.' * (width - filled)}] "
            f"{done:,}/{self.total:,} draws ({rate:,.0f}/s)"
        )
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


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


def run_draws(
    study_core: _core.Study,
    n: int,
    *,
    seed: int,
    resolve_allocation: bool,
    schedule: bool,
    progress: bool | None,
    chunk: int | None,
) -> tuple[pl.DataFrame, list[str]]:
    """Evaluate draws 0..n in chunks (each without the GIL, in parallel), so that a long
    run shows progress and Ctrl-C stops it between chunks."""
    check_draws(n, seed, chunk)
    mc = _core.MonteCarlo(study_core, resolve_allocation, schedule)
    size = chunk or (8 if resolve_allocation else 20_000)
    bar = _Progress(n, progress if progress is not None else n > size)
    parts = []
    for start in range(0, n, size):
        end = min(n, start + size)
        parts.append(mc.draws(seed, start, end))
        bar.update(end)
    return pl.concat(parts), mc.names()


@dataclass(frozen=True)
class Distribution:
    """Monte Carlo draws of a study (:meth:`filiere.Study.monte_carlo`).

    Attributes
    ----------
    draws : polars.DataFrame
        One row per draw and year: ``draw``, ``year``, the sampled value of every uncertain
        parameter (one column each, in its unit), and the headline figures ``pieces``,
        ``budget_eur`` (EUR, VAT included), ``cost_per_kit_eur`` (EUR), ``direct_fte``
        (FTE), ``jobs_direct``, ``jobs_indirect``, ``jobs_induced``, ``jobs_total``
        (persons, input-output Type II), ``makespan_days`` (calendar days from the order to
        the last delivery by the surveyed workshops) and ``on_time``.
    parameters : list of str
        The uncertain parameters sampled.
    seed : int
        The seed: draw i depends only on (seed, i).
    """

    draws: pl.DataFrame
    parameters: list[str]
    seed: int

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

    @property
    def plot(self) -> _DistributionPlots:
        """``.plot.histogram(metric)`` and ``.plot.fan(metric)``."""
        return _DistributionPlots(self)

    def __repr__(self) -> str:
        n = self.draws["draw"].n_unique()
        return f"Distribution({n:,} draws, {len(self.parameters)} uncertain parameters)"


def _label(p: float) -> str:
    return f"p{100 * p:g}".replace(".", "_")


class _DistributionPlots:
    def __init__(self, dist: Distribution) -> None:
        self._dist = dist

    def histogram(self, metric: str = "jobs_total", year: int | None = None) -> Figure:
        """Histogram of one metric in one year (default: the last), with P5, P50, P95."""
        from filiere.plot import _figure

        draws = self._dist.draws
        y = year if year is not None else int(draws["year"].max())  # type: ignore[arg-type]
        values = draws.filter(pl.col("year") == y)[metric].cast(pl.Float64).drop_nans()
        if values.len() == 0:
            raise ValueError(f"no values of {metric} in {y}")
        fig = _figure(7, 4)
        ax = fig.add_subplot()
        ax.hist(values.to_numpy(), bins=60, color="#2a7f62", alpha=0.8)
        for p, style in ((0.05, ":"), (0.5, "-"), (0.95, ":")):
            v = float(values.quantile(p) or 0.0)
            ax.axvline(v, color="#c0392b", linestyle=style, linewidth=1)
            ax.text(v, ax.get_ylim()[1] * 0.95, f" P{100 * p:g} {v:,.0f}", fontsize=7)
        ax.set_xlabel(metric)
        ax.set_ylabel("draws")
        ax.set_title(f"{metric}, {y}: {values.len():,} draws")
        return fig

    def fan(self, metric: str = "jobs_total") -> Figure:
        """Median and P5-P95, P25-P75 bands of a metric over the years."""
        from filiere.plot import _figure

        q = self._dist.quantiles((0.05, 0.25, 0.5, 0.75, 0.95), [metric])
        years = q["year"].to_list()
        fig = _figure(7, 4)
        ax = fig.add_subplot()
        ax.fill_between(years, q["p5"], q["p95"], color="#2a7f62", alpha=0.2, label="P5-P95")
        ax.fill_between(years, q["p25"], q["p75"], color="#2a7f62", alpha=0.4, label="P25-P75")
        ax.plot(years, q["p50"], color="#2a7f62", marker="o", label="median")
        ax.set_xticks(years)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} by year")
        ax.legend(fontsize=8)
        return fig


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
    study_core: _core.Study, metric: str, year: int | None, n: int, seed: int
) -> pl.DataFrame:
    """Sobol' indices of a headline figure over the uncertain parameters' ranges."""
    from filiere.sensitivity import sobol

    _check_metric(metric)
    mc = _core.MonteCarlo(study_core, False)
    names = mc.names()
    if not names:
        raise ParameterError("no uncertain parameter: every distribution is fixed", name="method")
    chosen: list[int] = []

    def model(x: Any) -> Any:
        out = mc.evaluate(x.tolist())
        y, values = _metric_of(out, metric, year)
        chosen.append(y)
        return values.to_numpy()

    frame = sobol(model, {"names": names, "bounds": mc.ranges()}, n, seed=seed)
    return frame.with_columns(pl.lit(metric).alias("metric"), pl.lit(chosen[0]).alias("year"))


def tornado(study_core: _core.Study, metric: str, year: int | None) -> pl.DataFrame:
    """One-at-a-time sensitivity: each uncertain parameter at its low and high end, the
    others central, evaluated with the central allocation kept."""
    _check_metric(metric)
    mc = _core.MonteCarlo(study_core, False)
    names, ranges = mc.names(), mc.ranges()
    table = study_core.parameters()
    central = dict(zip(table["name"].to_list(), table["value"].to_list(), strict=True))
    base_values = [float(central[n]) for n in names]
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


def plot_tornado(frame: pl.DataFrame) -> Figure:
    """Tornado chart of :meth:`filiere.Study.sensitivity` (``method="tornado"``)."""
    from filiere.plot import _figure

    metric = next(c for c in frame.columns if c.endswith("_central"))[: -len("_central")]
    base = frame[f"{metric}_central"][0]
    rows = frame.head(15).reverse()
    fig = _figure(8, 1 + 0.35 * rows.height)
    ax = fig.add_subplot()
    for i, r in enumerate(rows.iter_rows(named=True)):
        for value, colour in (
            (r[f"{metric}_at_low"], "#5b8db8"),
            (r[f"{metric}_at_high"], "#e69f00"),
        ):
            ax.barh(i, value - base, left=base, color=colour, height=0.6)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(rows.height), rows["parameter"].to_list(), fontsize=8)
    ax.set_xlabel(f"{metric} (blue: parameter at low end, orange: at high end)")
    ax.set_title(f"What drives {metric} ({frame['year'][0]})")
    return fig
