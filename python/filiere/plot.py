"""Every figure of filiere, one style, each returning a :class:`matplotlib.figure.Figure`.

Use them as functions (``fl.plot.gantt(results)``, ``fl.plot.histogram(distribution)``) or
from the object they draw (``results.plot.gantt()``, ``distribution.plot.fan()``). Figures
are built with the object-oriented API (no global ``pyplot`` state), so they work in
scripts, notebooks and servers alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere._format import NEW_CAPACITY, SOURCES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from filiere.results import Results
    from filiere.uncertainty import Distribution

__all__ = [
    "PlotAccessor",
    "balance",
    "capacity",
    "fan",
    "gantt",
    "histogram",
    "order_curve",
    "sourcing",
    "tornado",
]

#: Colours: on time, late, new capacity, neutral, imports.
ON_TIME = "#2a7f62"
LATE = "#c0392b"
NEW = "#e69f00"
NEUTRAL = "#7f8c8d"
IMPORTED = "#5b8db8"

#: Colour of each source of ``Results.sourcing``.
SOURCE_COLOURS = {"surveyed": ON_TIME, "new_regional": NEW, "imported": IMPORTED, "late": LATE}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def _labels(defaults: Mapping[str, str], given: Mapping[str, str] | None) -> dict[str, str]:
    """The figure's texts: ``given`` over the English ``defaults``; a key the figure does not
    have is a ValueError (a typo would otherwise leave the English text)."""
    unknown = sorted(set(given or {}) - set(defaults))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; this figure's labels: {sorted(defaults)}")
    return {**defaults, **(given or {})}


def _year(frame: pl.DataFrame, year: int | None) -> int:
    years = frame["year"].unique().sort().to_list()
    if not years:
        raise ValueError("nothing to plot: the table is empty")
    if year is None:
        return int(years[-1])
    if year not in years:
        raise ValueError(f"year {year} not in the results; years are {years}")
    return year


def gantt(
    results: Results,
    year: int | None = None,
    *,
    top: int = 40,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Gantt chart of one year: fabric lead time, production, personalisation and delivery.

    Parameters
    ----------
    results : Results
        A run's results.
    year : int, optional
        Year to show (default: the last).
    top : int, default 40
        Show the ``top`` workshops with the most pieces (the new capacity always shows).
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``fabric``, ``sewing_on_time``, ``sewing_late``,
        ``sewing_new``, ``personalisation``, ``delivery`` (legend), ``deadline`` (the
        rentrée line), ``new_capacity`` (the new capacity's row) and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.dates import DateFormatter, date2num
    from matplotlib.patches import Patch

    sched = results.schedule
    y = _year(sched, year)
    text = _labels(
        {
            "fabric": "fabric lead time",
            "sewing_on_time": "sewing (on time)",
            "sewing_late": "sewing (late)",
            "sewing_new": "sewing (new capacity)",
            "personalisation": "personalisation",
            "delivery": "delivery",
            "deadline": "rentrée",
            "new_capacity": NEW_CAPACITY,
            "title": f"{results.study_name}: production schedule {y}",
        },
        labels,
    )
    rows = (
        sched.filter(pl.col("year") == y)
        .with_columns((pl.col("workshop_id") == NEW_CAPACITY).alias("_new"))
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
        ax.text(x + 2, rows.height - 0.5, text["deadline"], color=LATE)
    ticks = [text["new_capacity"] if r["_new"] else r["workshop_id"] for r in records]
    ax.set_yticks(range(rows.height), ticks, fontsize=7)
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    ax.set_title(text["title"])
    ax.legend(
        handles=[
            Patch(color=NEUTRAL, alpha=0.35, label=text["fabric"]),
            Patch(color=ON_TIME, label=text["sewing_on_time"]),
            Patch(color=LATE, label=text["sewing_late"]),
            Patch(color=NEW, label=text["sewing_new"]),
            Patch(color="#5b8db8", alpha=0.8, label=text["personalisation"]),
            Patch(color="#9b59b6", alpha=0.8, label=text["delivery"]),
        ],
        # Below the axes, so it never hides the bars of the last workshops.
        loc="upper center",
        bbox_to_anchor=(0.5, -0.04),
        ncols=3,
        fontsize=7,
        frameon=False,
    )
    return fig


def capacity(results: Results, *, labels: Mapping[str, str] | None = None) -> Figure:
    """Operators year by year: those of the surveyed workshops (offered, trainees, hires)
    and the operators of new regional capacity (recruited that year or earlier), stacked
    from ``capacity.offered_fte``, ``trainees``, ``hired_total`` (surveyed workshops) and
    the new capacity's ``operators``.

    Parameters
    ----------
    results : Results
        A run's results.
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``offered``, ``trainees``, ``hired``,
        ``new_needed`` (legend), ``ylabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cap = results.capacity
    if cap.height == 0:
        raise ValueError("nothing to plot: the capacity table is empty")
    new = pl.col("workshop_id") == NEW_CAPACITY
    by_year = (
        cap.group_by("year")
        .agg(
            pl.col("offered_fte").sum(),
            pl.col("trainees").sum(),
            pl.col("hired_total").filter(~new).sum(),
            pl.col("operators").filter(new).sum().alias("new"),
        )
        .sort("year")
    )
    text = _labels(
        {
            "offered": "offered by the survey",
            "trainees": "trainees",
            "hired": "hired (within can_hire)",
            "new_needed": "new regional capacity",
            "ylabel": "operators (FTE) before the rentrée",
            "title": f"{results.study_name}: operators working for the programme",
        },
        labels,
    )
    layers = [
        (text[key], colour, [float(x) for x in by_year[column].to_list()])
        for column, key, colour in [
            ("offered_fte", "offered", ON_TIME),
            ("trainees", "trainees", "#5b8db8"),
            ("hired_total", "hired", "#9b59b6"),
            ("new", "new_needed", NEW),
        ]
    ]
    return _stacked_bars(by_year["year"].to_list(), layers, text)


def _stacked_bars(
    years: Sequence[int],
    layers: Sequence[tuple[str, str, Sequence[float]]],
    text: Mapping[str, str],
) -> Figure:
    """Bars by year, one stacked layer per ``(label, colour, values)``, with
    ``text["ylabel"]`` and ``text["title"]`` and room above for the legend."""
    ticks = [str(y) for y in years]
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    bottom = [0.0] * len(ticks)
    for label, colour, values in layers:
        ax.bar(ticks, values, bottom=bottom, label=label, color=colour)
        bottom = [b + x for b, x in zip(bottom, values, strict=True)]
    ax.set_ylim(0, 1.25 * max(bottom, default=0.0) or 1.0)  # room for the legend
    ax.set_ylabel(text["ylabel"])
    ax.set_title(text["title"])
    ax.legend(fontsize=8, loc="upper left")
    return fig


class PlotAccessor:
    """``results.plot``: the plots of :mod:`filiere.plot` bound to one result."""

    def __init__(self, results: Results) -> None:
        self._results = results

    def gantt(self, year: int | None = None, **kwargs: Any) -> Figure:
        """See :func:`filiere.plot.gantt`."""
        return gantt(self._results, year, **kwargs)

    def balance(self, year: int | None = None, **kwargs: Any) -> Figure:
        """:func:`filiere.plot.balance` of these results."""
        return balance(self._results, year, **kwargs)

    def capacity(self, **kwargs: Any) -> Figure:
        """See :func:`filiere.plot.capacity`."""
        return capacity(self._results, **kwargs)

    def sourcing(self, **kwargs: Any) -> Figure:
        """See :func:`filiere.plot.sourcing`."""
        return sourcing(self._results, **kwargs)


def sourcing(results: Results, *, labels: Mapping[str, str] | None = None) -> Figure:
    """Where the pieces come from, year by year: the pieces of the surveyed workshops (their
    hires and trainees included), of new regional capacity, imported, and late (no source
    delivers them by the rentrée), stacked from ``Results.sourcing``, in millions. A source
    that supplies nothing in any year is left out.

    Parameters
    ----------
    results : Results
        A run's results.
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``surveyed``, ``new_regional``, ``imported``,
        ``late`` (legend), ``ylabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    src = results.sourcing
    if src.height == 0:
        raise ValueError("nothing to plot: the sourcing table is empty")
    text = _labels(
        {
            "surveyed": "surveyed workshops",
            "new_regional": "new regional capacity",
            "imported": "imported",
            "late": "late (after the rentrée)",
            "ylabel": "million pieces",
            "title": f"{results.study_name}: where the pieces come from",
        },
        labels,
    )
    by = src.group_by("year", "source").agg(pl.col("pieces").sum())
    years = sorted(int(y) for y in by["year"].unique().to_list())
    pieces = {(int(r["year"]), str(r["source"])): float(r["pieces"]) for r in by.to_dicts()}
    layers = [
        (text[source], SOURCE_COLOURS[source], [pieces.get((y, source), 0.0) / 1e6 for y in years])
        for source in SOURCES
    ]
    # A source that supplies nothing in any year is left out of the legend.
    return _stacked_bars(years, [layer for layer in layers if any(x > 0 for x in layer[2])], text)


#: Steps of the balance waterfall: column of ``Results.balance`` and its English label.
BALANCE_STEPS = (
    ("premium_eur", "premium over importing"),
    ("vat_on_premium_eur", "VAT back to the State"),
    ("social_contributions_eur", "social contributions"),
    ("csg_crds_eur", "CSG and CRDS"),
    ("income_tax_eur", "income tax"),
    ("benefits_avoided_eur", "unemployment benefits avoided"),
    ("net_public_cost_eur", "net public cost"),
)


def balance(
    results: Results, year: int | None = None, *, labels: Mapping[str, str] | None = None
) -> Figure:
    """Waterfall from the premium the Région pays over importing the same kits to the net
    cost for all public administrations: the premium, less the VAT, contributions and
    taxes that come back and the unemployment benefits no longer paid.

    Parameters
    ----------
    results : Results
        What :meth:`filiere.Study.run` returns.
    year : int, optional
        The year (default: the last).
    labels : mapping of str to str, optional
        Texts replacing the English ones: one per step (the ``Results.balance`` column
        names of :data:`BALANCE_STEPS`), ``ylabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    b = results.balance
    y = _year(b, year)
    text = _labels(
        {
            **dict(BALANCE_STEPS),
            "ylabel": "million EUR",
            "title": f"From the premium to the net public cost ({y})",
        },
        labels,
    )
    row = b.filter(pl.col("year") == y).row(0, named=True)
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    level = 0.0
    names = []
    for i, (column, _) in enumerate(BALANCE_STEPS):
        value = float(row[column]) / 1e6
        names.append(text[column])
        if column == "premium_eur":
            ax.bar(i, value, color=LATE)
            ax.annotate(f"{value:,.1f}", (i, value), ha="center", va="bottom", fontsize=8)
            level = value
        elif column == "net_public_cost_eur":
            ax.bar(i, value, color=NEUTRAL)
            ax.annotate(f"{value:,.1f}", (i, value), ha="center", va="bottom", fontsize=8)
        else:
            ax.bar(i, -value, bottom=level, color=ON_TIME)
            level -= value
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(names)), names, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel(text["ylabel"])
    ax.set_title(text["title"])
    return fig


def tornado(frame: pl.DataFrame, *, labels: Mapping[str, str] | None = None) -> Figure:
    """Tornado chart of :meth:`filiere.Study.sensitivity`: each parameter's swing of the
    metric between its low and high end, largest first.

    Parameters
    ----------
    frame : polars.DataFrame
        What ``study.sensitivity(method="tornado")`` returns.
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``xlabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    metric = next(c for c in frame.columns if c.endswith("_central"))[: -len("_central")]
    text = _labels(
        {
            "xlabel": f"{metric} (blue: parameter at low end, orange: at high end)",
            "title": f"What drives {metric} ({frame['year'][0]})",
        },
        labels,
    )
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
    ax.set_xlabel(text["xlabel"])
    ax.set_title(text["title"])
    return fig


#: Colours of the years of :func:`order_curve`, in order (a colour-blind-safe palette).
YEAR_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")


def order_curve(
    curve: pl.DataFrame,
    *,
    central: float | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """The order date as a decision: for each order lead time (weeks before the rentrée),
    the operators the programme must have recruited by each year's rentrée (cumulative
    since the launch: the surveyed workshops' hires and new capacity's recruits) and the
    days the year's last piece arrives after the rentrée, one line per year.

    Parameters
    ----------
    curve : polars.DataFrame
        What :meth:`filiere.Study.order_curve` returns (``year``,
        ``order_weeks_before_rentree``, ``operators_recruited_total``, ``late_days``).
    central : float, optional
        The lead time the study uses (``order_weeks_before_rentree``), marked by a dashed
        line.
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``xlabel``, ``recruited`` and ``late_days``
        (the two panels' axes), ``central`` (legend of the dashed line), ``never`` (a
        year whose late pieces have no delivery date, drawn at the top of the axis) and
        ``title``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import filiere as fl
    >>> study = fl.Study.example("aura-pilot")
    >>> fig = fl.plot.order_curve(study.order_curve([13, 26, 36, 52]), central=36)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['weeks between the order and the rentrée', 'weeks between the order and the rentrée']
    """
    if curve.height == 0:
        raise ValueError("nothing to plot: the order curve is empty")
    text = _labels(
        {
            "xlabel": "weeks between the order and the rentrée",
            "recruited": "operators recruited by the rentrée (since the launch)",
            "late_days": "days late (last piece after the rentrée)",
            "central": "the study's lead time",
            "never": "late, no delivery date",
            "title": "The order date: operators to recruit and lateness",
        },
        labels,
    )
    years = sorted(int(y) for y in curve["year"].unique().to_list())
    fig = _figure(9, 4.2)
    left, right = fig.subplots(1, 2)
    top = max(
        [float(v) for v in curve["late_days"].drop_nulls().to_list()] + [1.0],
    )
    never = False
    for i, y in enumerate(years):
        sub = curve.filter(pl.col("year") == y).sort("order_weeks_before_rentree")
        weeks = [float(w) for w in sub["order_weeks_before_rentree"].to_list()]
        colour = YEAR_COLOURS[i % len(YEAR_COLOURS)]
        recruited = [float(v) for v in sub["operators_recruited_total"].to_list()]
        left.plot(weeks, recruited, marker="o", color=colour, label=str(y))
        # A late year without a delivery date (null late_days) sits at the top of the axis.
        late = sub["late_days"].to_list()
        never = never or any(v is None for v in late)
        days = [1.1 * top if v is None else float(v) for v in late]
        right.plot(weeks, days, marker="o", color=colour, label=str(y))
    for ax in (left, right):
        ax.set_xlabel(text["xlabel"])
        ax.set_ylim(bottom=0)
        if central is not None:
            ax.axvline(central, color=NEUTRAL, linestyle="--", linewidth=1)
    left.set_ylabel(text["recruited"], fontsize=8)
    right.set_ylabel(text["late_days"], fontsize=8)
    if never:
        right.axhline(1.1 * top, color=LATE, linestyle=":", linewidth=1)
        right.annotate(
            text["never"],
            (0.02, 1.1 * top),
            xycoords=("axes fraction", "data"),
            fontsize=7,
            color=LATE,
            va="bottom",
        )
    handles, names = left.get_legend_handles_labels()
    if central is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color=NEUTRAL, linestyle="--", linewidth=1))
        names.append(f"{text['central']} ({central:g})")
    fig.legend(
        handles, names, loc="outside lower center", ncols=len(names), fontsize=8, frameon=False
    )
    fig.suptitle(text["title"])
    return fig


def histogram(
    dist: Distribution,
    metric: str = "jobs_total",
    year: int | None = None,
    *,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Histogram of one Monte Carlo metric in one year, with its P5, P50 and P95.

    Parameters
    ----------
    dist : Distribution
        What :meth:`filiere.Study.monte_carlo` returns.
    metric : str, default "jobs_total"
        A column of ``dist.draws``.
    year : int, optional
        Year to show (default: the last).
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``xlabel``, ``ylabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    draws = dist.draws
    y = year if year is not None else int(draws["year"].max())  # type: ignore[arg-type]
    values = draws.filter(pl.col("year") == y)[metric].cast(pl.Float64).drop_nans()
    if values.len() == 0:
        raise ValueError(f"no values of {metric} in {y}")
    text = _labels(
        {"xlabel": metric, "ylabel": "draws", "title": f"{metric}, {y}: {values.len():,} draws"},
        labels,
    )
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ax.hist(values.to_numpy(), bins=60, color=ON_TIME, alpha=0.8)
    for p, style in ((0.05, ":"), (0.5, "-"), (0.95, ":")):
        v = float(values.quantile(p) or 0.0)
        ax.axvline(v, color=LATE, linestyle=style, linewidth=1)
        ax.text(v, ax.get_ylim()[1] * 0.95, f" P{100 * p:g} {v:,.0f}", fontsize=7)
    ax.set_xlabel(text["xlabel"])
    ax.set_ylabel(text["ylabel"])
    ax.set_title(text["title"])
    return fig


def fan(
    dist: Distribution, metric: str = "jobs_total", *, labels: Mapping[str, str] | None = None
) -> Figure:
    """Median and P5-P95, P25-P75 bands of a Monte Carlo metric over the years.

    Parameters
    ----------
    dist, metric
        As for :func:`histogram`.
    labels : mapping of str to str, optional
        Texts replacing the English ones: ``median`` (legend), ``ylabel`` and ``title``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = _labels({"median": "median", "ylabel": metric, "title": f"{metric} by year"}, labels)
    q = dist.quantiles((0.05, 0.25, 0.5, 0.75, 0.95), [metric])
    years = q["year"].to_list()
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ax.fill_between(years, q["p5"], q["p95"], color=ON_TIME, alpha=0.2, label="P5-P95")
    ax.fill_between(years, q["p25"], q["p75"], color=ON_TIME, alpha=0.4, label="P25-P75")
    ax.plot(years, q["p50"], color=ON_TIME, marker="o", label=text["median"])
    ax.set_xticks(years)
    ax.set_ylabel(text["ylabel"])
    ax.set_title(text["title"])
    ax.legend(fontsize=8)
    return fig
