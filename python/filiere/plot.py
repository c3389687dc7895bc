"""Plots of a run, one style, each returning a :class:`matplotlib.figure.Figure`.

Use them as functions (``fl.plot.gantt(results)``) or from the results
(``results.plot.gantt()``). Figures are built with the object-oriented API (no global
``pyplot`` state), so they work in scripts, notebooks and servers alike.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from filiere.results import Results

__all__ = ["PlotAccessor", "capacity", "gantt", "tornado"]

#: Colours: on time, late, new capacity, neutral.
ON_TIME = "#2a7f62"
LATE = "#c0392b"
NEW = "#e69f00"
NEUTRAL = "#7f8c8d"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def _year(frame: pl.DataFrame, year: int | None) -> int:
    years = frame["year"].unique().sort().to_list()
    if not years:
        raise ValueError("nothing to plot: the table is empty")
    if year is None:
        return int(years[-1])
    if year not in years:
        raise ValueError(f"year {year} not in the results; years are {years}")
    return year


def gantt(results: Results, year: int | None = None, *, top: int = 40) -> Figure:
    """Gantt chart of one year: fabric lead time, production, personalisation and delivery.

    Parameters
    ----------
    results : Results
        A run's results.
    year : int, optional
        Year to show (default: the last).
    top : int, default 40
        Show the ``top`` workshops with the most pieces (the new capacity always shows).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.patches import Patch

    sched = results.schedule
    y = _year(sched, year)
    rows = (
        sched.filter(pl.col("year") == y)
        .with_columns((pl.col("workshop_id") == "(new capacity)").alias("_new"))
        .sort(["_new", "pieces"], descending=[True, True])
        .head(top)
        .reverse()
    )
    fig = _figure(10, 1.2 + 0.22 * max(rows.height, 4))
    ax = fig.add_subplot()
    phases = [
        ("order_date", "material_ready", NEUTRAL, 0.35),
        ("start", "finish", None, 1.0),
        ("finish", "personalised", "#5b8db8", 0.8),
        ("personalised", "delivered", "#9b59b6", 0.8),
    ]
    records = rows.to_dicts()
    sewing = [NEW if r["_new"] else ON_TIME if r["on_time"] else LATE for r in records]
    for start, end, colour, alpha in phases:
        # One collection of rectangles per phase, not one artist per bar: the same chart,
        # drawn several times faster (the report draws one per year).
        boxes = []
        for i, r in enumerate(records):
            x0 = float(date2num(r[start]))  # type: ignore[no-untyped-call]
            x1 = x0 + (r[end] - r[start]).days + 1
            boxes.append([(x0, i - 0.3), (x0, i + 0.3), (x1, i + 0.3), (x1, i - 0.3)])
        ax.add_collection(
            PolyCollection(boxes, facecolors=colour or sewing, alpha=alpha, edgecolors="none")
        )
    ax.xaxis_date()
    ax.autoscale_view()
    ax.set_ylim(-0.7, max(len(records), 1) - 0.3)
    deadline: date = rows["deadline"].max()  # type: ignore[assignment]
    if deadline is not None:
        x = date2num(deadline)  # type: ignore[no-untyped-call]
        ax.axvline(x, color=LATE, linestyle="--", linewidth=1)
        ax.text(x + 2, rows.height - 0.5, "rentrée", color=LATE)
    ax.set_yticks(range(rows.height), rows["workshop_id"].to_list(), fontsize=7)
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.set_title(f"{results.study_name}: production schedule {y}")
    ax.legend(
        handles=[
            Patch(color=NEUTRAL, alpha=0.35, label="fabric lead time"),
            Patch(color=ON_TIME, label="sewing (on time)"),
            Patch(color=LATE, label="sewing (late)"),
            Patch(color=NEW, label="sewing (new capacity)"),
            Patch(color="#5b8db8", alpha=0.8, label="personalisation"),
            Patch(color="#9b59b6", alpha=0.8, label="delivery"),
        ],
        # Below the axes, so it never hides the bars of the last workshops.
        loc="upper center",
        bbox_to_anchor=(0.5, -0.04),
        ncols=3,
        fontsize=7,
        frameon=False,
    )
    return fig


def capacity(results: Results) -> Figure:
    """Capacity against need, year by year: operators of the surveyed workshops (offered,
    trainees, hires) and the new capacity needed to deliver by the rentrée.

    Parameters
    ----------
    results : Results
        A run's results.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cap = results.capacity
    if cap.height == 0:
        raise ValueError("nothing to plot: the capacity table is empty")
    by_year = (
        cap.with_columns((pl.col("workshop_id") == "(new capacity)").alias("_new"))
        .group_by("year")
        .agg(
            pl.col("operators").filter(~pl.col("_new")).sum().alias("surveyed"),
            pl.col("hired").sum().alias("hired_year"),
            pl.col("trainees").sum(),
            pl.col("operators").filter(pl.col("_new")).sum().alias("new"),
            pl.col("utilisation").filter(~pl.col("_new")).mean().alias("utilisation"),
        )
        .sort("year")
    )
    summary = results.summary.select("year", "direct_fte", "operators_hired")
    by_year = by_year.join(summary, on="year", how="left")
    cumulative_hires = by_year["operators_hired"].cum_sum()
    surveyed = by_year["surveyed"] - by_year["trainees"] - cumulative_hires
    years = [str(y) for y in by_year["year"].to_list()]
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    bottom = [0.0] * len(years)
    for values, label, colour in [
        (surveyed, "offered by the survey", ON_TIME),
        (by_year["trainees"], "trainees", "#5b8db8"),
        (cumulative_hires, "hired (within can_hire)", "#9b59b6"),
        (by_year["new"], "new capacity needed", NEW),
    ]:
        v = [float(x) for x in values.to_list()]
        ax.bar(years, v, bottom=bottom, label=label, color=colour)
        bottom = [b + x for b, x in zip(bottom, v, strict=True)]
    ax.set_ylabel("operators (FTE) before the rentrée")
    ax.set_title(f"{results.study_name}: operators needed to deliver on time")
    ax.legend(fontsize=8)
    return fig


class PlotAccessor:
    """``results.plot``: the plots of :mod:`filiere.plot` bound to one result."""

    def __init__(self, results: Results) -> None:
        self._results = results

    def gantt(self, year: int | None = None, **kwargs: Any) -> Figure:
        """See :func:`filiere.plot.gantt`."""
        return gantt(self._results, year, **kwargs)

    def capacity(self) -> Figure:
        """See :func:`filiere.plot.capacity`."""
        return capacity(self._results)


def tornado(frame: pl.DataFrame) -> Figure:
    """Tornado chart of :meth:`filiere.Study.sensitivity`: each parameter's swing of the
    metric between its low and high end, largest first.

    Parameters
    ----------
    frame : polars.DataFrame
        What ``study.sensitivity(method="tornado")`` returns.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from filiere.uncertainty import plot_tornado

    return plot_tornado(frame)
