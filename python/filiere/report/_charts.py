"""The report's charts: the figures of :mod:`filiere.plot`, drawn with the report's own
labels and saved as inline SVG."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from filiere import plot

if TYPE_CHECKING:
    import polars as pl
    from matplotlib.figure import Figure

    from filiere.report._text import Text
    from filiere.results import Results
    from filiere.uncertainty import Distribution

__all__ = [
    "balance_chart",
    "capacity_chart",
    "fan_chart",
    "gantt_chart",
    "order_chart",
    "sourcing_chart",
    "svg",
    "tornado_chart",
]

_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def svg(fig: Figure) -> Markup:
    """A figure as an ``<svg>`` element: text drawn as paths, no prolog, metadata or
    comments, so it embeds in HTML without any external reference. Matplotlib escapes
    the text it writes; the element goes into the page as it is."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "filiere"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = _PROLOG.sub("", buf.getvalue(), count=1)
    text = _METADATA.sub("", text)
    return Markup(_COMMENT.sub("", text))


def gantt_chart(results: Results, year: int, t: Text, top: int) -> Figure:
    """The Gantt chart of one year, months and labels in the report's language."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    p = t.section("plot")
    phases = ("fabric", "sewing_on_time", "sewing_late", "sewing_new", "personalisation")
    labels = {key: p[key] for key in (*phases, "delivery", "deadline")}
    labels["new_capacity"] = f"({t('words.new_capacity').lower()})"
    labels["title"] = f"{t('sections.schedule')} {year}"
    fig = results.plot.gantt(year, top=top, labels=labels)

    def month(x: float, _pos: int) -> str:
        d = num2date(x)  # type: ignore[no-untyped-call]
        return f"{d.day} {t.months[d.month - 1]}"

    fig.axes[0].xaxis.set_major_formatter(FuncFormatter(month))
    return fig


def balance_chart(results: Results, year: int, t: Text) -> Figure:
    """The waterfall from the premium to the net public cost, labels from the outputs
    registry in the report's language."""
    from filiere.outputs import label

    labels = {c: label("balance", c, t.lang) for c, _ in plot.BALANCE_STEPS}
    labels["ylabel"] = t("balance.chart_axis")
    labels["title"] = t("balance.chart_title", year=year)
    return results.plot.balance(year, labels=labels)


def sourcing_chart(results: Results, t: Text) -> Figure:
    """Where the pieces come from, year by year."""
    p = t.section("plot")
    labels = {key: p[key] for key in ("surveyed", "new_regional", "imported", "late")}
    labels["ylabel"] = p["pieces_axis"]
    labels["title"] = t("allocation.sourcing_title")
    return results.plot.sourcing(labels=labels)


def capacity_chart(results: Results, t: Text) -> Figure:
    """Operators working for the programme, year by year."""
    p = t.section("plot")
    labels = {key: p[key] for key in ("offered", "trainees", "hired", "new_needed")}
    labels["ylabel"] = p["operators_axis"]
    labels["title"] = t("allocation.capacity_chart")
    return results.plot.capacity(labels=labels)


def tornado_chart(frame: pl.DataFrame, t: Text, metric: str, title: str) -> Figure:
    """Tornado chart of the one-at-a-time sensitivity; ``metric`` is the metric's label."""
    labels = {"xlabel": t("plot.tornado_axis", metric=metric), "title": title}
    return plot.tornado(frame, labels=labels)


def fan_chart(dist: Distribution, t: Text, metric: str, label: str) -> Figure:
    """Fan chart of ``metric`` over the years; ``label`` is its name in the language."""
    labels = {"median": t("plot.median"), "ylabel": label, "title": label}
    return plot.fan(dist, metric, labels=labels)


def order_chart(curve: pl.DataFrame, central: float, t: Text) -> Figure:
    """The order date as a decision (:func:`filiere.plot.order_curve`): operators to recruit
    and days late by order lead time, one line per year."""
    p = t.section("plot")
    labels = {
        "xlabel": p["order_axis"],
        "recruited": p["order_recruited"],
        "late_days": p["order_late"],
        "central": p["order_central"],
        "never": p["order_never"],
        "title": t("sections.order"),
    }
    return plot.order_curve(curve, central=central, labels=labels)
