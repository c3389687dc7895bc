"""The report's figures, section by section, rendered through the Jinja2 templates.

Each section method computes what its template (``templates/sections/<name>.html.j2``)
shows: numbers already formatted in the report's language, tables as :class:`Table`,
charts as :class:`Chart`. No HTML is written here: the templates escape every string.
"""

# ruff: noqa: RUF001, RUF002 - French and English typography (en dashes) is intended
from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import polars as pl
from markupsafe import Markup

from filiere import _core
from filiere._format import IMPORT, LATE, NEW_CAPACITY, SOURCES, late_by
from filiere.outputs import header, label, outputs, unit
from filiere.report._charts import (
    balance_chart,
    capacity_chart,
    fan_chart,
    gantt_chart,
    order_chart,
    sourcing_chart,
    svg,
    tornado_chart,
)
from filiere.report._checks import SourceCheck, check_source, display_paths, reason, scrub
from filiere.report._text import Text, text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from filiere.results import Results
    from filiere.study import Study
    from filiere.uncertainty import Distribution

__all__ = ["Cell", "Chart", "Table", "render"]

#: Workshops shown in each Gantt chart (the largest).
GANTT_ROWS = 20

#: The sections, in order: anchor (also the template's name) and title key.
SECTIONS = (
    "summary",
    "demand",
    "allocation",
    "schedule",
    "order",
    "costs",
    "jobs",
    "balance",
    "sensitivity",
    "uncertainty",
    "assumptions",
    "quality",
)

#: Rows of the cost breakdown: the per-unit EUR columns of ``costs`` in the outputs
#: registry, in the table's order, without the materials subtotal (its three parts are
#: shown); those in bold.
COST_ITEMS = tuple(
    column
    for table, column, per in outputs().select("table", "column", "unit").iter_rows()
    if table == "costs" and per == "EUR/unit" and column != "materials_eur"
)
COST_TOTALS = frozenset({"cost_eur", "price_ttc_eur"})

#: The economy's vectors the data-quality annex lists (keys of ``quality.economy``).
ECONOMY_VECTORS = (
    "flows",
    "households",
    "value_added",
    "employment",
    "compensation",
    "aura",
)

#: Order lead times (weeks before the rentrée) the order-date section compares, with the
#: study's own value added.
ORDER_WEEKS = (13.0, 26.0, 39.0, 52.0)

#: The parameter that sets the order date.
ORDER_PARAMETER = "order_weeks_before_rentree"

#: Rows of the jobs table (columns of ``summary``); the best estimate, ``jobs_gross``,
#: follows them in bold.
JOB_ROWS = (
    "direct_fte",
    "offered_fte",
    "hiring_gap_fte",
    "jobs_direct",
    "jobs_indirect",
    "jobs_induced",
    "jobs_total",
)


@dataclass(frozen=True)
class Cell:
    """A table cell: ``text`` (escaped by the template), an optional P5–P95 ``range``
    under it and a ``style``: ``""``, ``"b"`` (bold), ``"code"`` or ``"src"``."""

    text: str
    range: str = ""
    style: str = ""


@dataclass(frozen=True)
class Table:
    """A table: header, rows of cells (str or :class:`Cell`), right-aligned columns."""

    header: Sequence[str]
    rows: Sequence[Sequence[str | Cell]]
    numeric: frozenset[int]


@dataclass(frozen=True)
class Chart:
    """A chart as inline SVG, or why it is missing."""

    svg: Markup | None
    error: str = ""


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str | Cell]],
    numeric_from: int = 1,
    numeric: Collection[int] | None = None,
) -> Table:
    """Columns from ``numeric_from`` on (or those in ``numeric``) are right-aligned."""
    width = max([len(head), *(len(r) for r in rows)])
    cols = frozenset(numeric) if numeric is not None else frozenset(range(numeric_from, width))
    return Table(list(head), [list(r) for r in rows], cols)


@cache
def environment() -> jinja2.Environment:
    """The templates of ``templates/``, HTML-escaped, strict about missing names."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def departement_names() -> dict[str, str]:
    """Name of every département by its INSEE code, from the core's prefectures."""
    return {str(p["departement"]): str(p["departement_name"]) for p in _core.prefectures()}


def format_number(value: object, digits: int, lang: str) -> str:
    """A number in the report's language: ``1 234,5`` (fr) or ``1,234.5`` (en)."""
    if value is None or isinstance(value, bool):
        return "—"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    out = f"{value:,.{digits}f}"
    if out.startswith("-") and float(out.replace(",", "")) == 0:
        out = out[1:]
    if lang == "fr":
        out = out.replace(",", "\u00a0").replace(".", ",")
    return out


def digits(value: object) -> int:
    """Decimals enough to show a parameter value (up to 4)."""
    if not isinstance(value, int | float) or not math.isfinite(value) or value == int(value):
        return 0
    for d in range(1, 5):
        if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value)):
            return d
    return 4


def capitalise(text: str) -> str:
    """``text`` with its first letter upper-case (a clause made a sentence)."""
    return text[:1].upper() + text[1:]


def plain(value: object) -> str:
    """A scenario value as text (lists and tables flattened)."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value) or "—"
    return str(value)


def _workshop_names(study: Study) -> dict[str, str]:
    frame = study.workshops
    if "name" not in frame.columns:
        return {}
    return {
        str(i): str(n or "")
        for i, n in zip(frame["workshop_id"].to_list(), frame["name"].to_list(), strict=True)
    }


def _is(column: str, value: object) -> pl.Expr:
    return pl.col(column).is_null() if value is None else pl.col(column).eq(value)


def _nulls_last(values: list[Any]) -> list[Any]:
    return sorted(values, key=lambda v: (v is None, v))


class _Report:
    """Builds the page, section by section."""

    def __init__(
        self,
        study: Study,
        results: Results,
        distribution: Distribution | None,
        lang: str,
        sensitivity: pl.DataFrame | None = None,
        validation: Mapping[str, SourceCheck] | None = None,
    ) -> None:
        self.study, self.results, self.dist, self.lang = study, results, distribution, lang
        self.tornado_frame, self.validation = sensitivity, validation
        self.t: Text = text(lang)
        self.years = [int(y) for y in results.summary["year"].to_list()]
        self.quantiles: pl.DataFrame | None = None

    # -- formatting -----------------------------------------------------------------------

    def col(self, table: str, column: str) -> str:
        """Header of a result column, from the outputs registry: label and unit (a share,
        shown in %, has none), capitalised."""
        out = label(table, column, self.lang)
        full = header(table, column, self.lang)  # "label (unit)", or the label alone
        shown_unit = full[len(out) :].strip()[1:-1]
        # No "(fraction)" on a share, no "pièces (pièces)" or "ETP directs (ETP)".
        if unit(table, column) != "fraction" and shown_unit.lower() not in out.lower():
            out = full
        return out[:1].upper() + out[1:]

    def num(self, value: object, digits: int = 0) -> str:
        return format_number(value, digits, self.lang)

    def count(self, value: object) -> str:
        """A number of jobs: one decimal below 10 (a pilot's 0.5 job is not 0)."""
        small = isinstance(value, int | float) and abs(value) < 10
        return self.num(value, 1 if small else 0)

    def eur(self, value: object) -> str:
        """An amount in euros, in millions when large."""
        if not isinstance(value, int | float) or not math.isfinite(value):
            return "—"
        if abs(value) >= 1e6:
            return f"{self.num(value / 1e6, 1)} M€"
        return f"{self.num(value)} €"

    def pct(self, value: object) -> str:
        if not isinstance(value, int | float) or not math.isfinite(value):
            return "—"
        return f"{self.num(100 * value)} %"

    def day(self, value: object) -> str:
        if not isinstance(value, date):
            return "—"
        return value.strftime("%d/%m/%Y") if self.lang == "fr" else value.isoformat()

    def dep(self, code: object) -> str:
        """A département: code and name; the new capacity's null département by name."""
        if code is None:
            return self.t("words.new_capacity")
        name = departement_names().get(str(code))
        return f"{code} {name}" if name else str(code)

    def level(self, code: str) -> str:
        return self.t.levels.get(code, code)

    def unit(self, code: object) -> str:
        """A parameter's unit in the language (as written when the strings lack it)."""
        text = "" if code is None else str(code)
        return self.t.units.get(text, text)

    def distribution(self, code: object) -> str:
        text = "" if code is None else str(code)
        return self.t.distributions.get(text, text)

    def late(self, row: Mapping[str, Any]) -> str:
        out = late_by(bool(row["on_time"]), row["late_days"], never=self.t("words.never"))
        return out.replace(",", "\u00a0") if self.lang == "fr" else out

    def late_clause(self, row: Mapping[str, Any]) -> str:
        """A late year in one clause: how many pieces are late and by how many days."""
        days = row["late_days"]
        fields = {"year": row["year"], "pieces": self.num(row["unmet_pieces"])}
        if days is None:
            return self.t("late.never", **fields)
        if days <= 0:
            return self.t("late.same_day", **fields)
        return self.t("late.days", days=self.num(days), **fields)

    def source_name(self, workshop_id: object) -> str:
        """The allocation's rows that are not a surveyed workshop, by name."""
        names = {
            NEW_CAPACITY: "words.new_capacity",
            IMPORT: "words.imported",
            LATE: "words.late",
        }
        key = names.get(str(workshop_id))
        return self.t(key) if key else str(workshop_id)

    def chart(self, make: Callable[[], Figure]) -> Chart:
        """A figure as inline SVG, or why it is missing (a chart never stops the report)."""
        try:
            return Chart(svg(make()))
        except Exception as err:
            return Chart(None, self.t("chart_failed", reason=reason(err)))

    def quantile(self, metric: str, year: int) -> tuple[float, float, float] | None:
        q = self.quantiles
        if q is None:
            return None
        row = q.filter((pl.col("year") == year) & (pl.col("metric") == metric))
        if row.height == 0:
            return None
        return float(row["p5"][0]), float(row["p50"][0]), float(row["p95"][0])

    # -- the page -------------------------------------------------------------------------

    def build(self) -> str:
        if self.dist is not None:
            try:
                self.quantiles = self.dist.quantiles()
            except Exception:  # ranges are optional
                self.quantiles = None
        env = environment()
        sections = []
        for name in SECTIONS:
            try:
                context = getattr(self, name)()
                body = Markup(
                    env.get_template(f"sections/{name}.html.j2").render(t=self.t, **context)
                )
                error = ""
            except Exception as err:  # a section must not stop the report
                body, error = Markup(), self.t("unavailable", reason=reason(err))
            sections.append(
                {"anchor": name, "title": self.t(f"sections.{name}"), "body": body, "error": error}
            )
        return env.get_template("report.html.j2").render(
            t=self.t,
            lang=self.lang,
            name=self.study.name,
            description=self.study.description,
            version=_core.__version__,
            sections=sections,
        )

    # -- sections: each returns its template's context ------------------------------------

    def summary(self) -> dict[str, Any]:
        t, s = self.t, self.results.summary
        rows = list(s.iter_rows(named=True))
        first, last = rows[0], rows[-1]
        span = (
            str(first["year"])
            if first["year"] == last["year"]
            else f"{first['year']}–{last['year']}"
        )
        verdict_numbers = t(
            "summary.verdict_numbers",
            span=span,
            last=last["year"],
            pieces=self.num(float(s["pieces"].sum())),
            budget=self.eur(float(s["budget_eur"].sum())),
            fte=self.count(last["direct_fte"]),
            ind=self.count(last["jobs_indirect"]),
            induced=self.count(last["jobs_induced"]),
        )
        late = [r for r in rows if not r["on_time"]]
        verdict_late = ""
        if late:
            details = ". ".join(capitalise(self.late_clause(r)) for r in late)
            verdict_late = t("summary.verdict_late", details=details)
        busiest = max(rows, key=lambda r: int(r["hiring_needed_for_deadline"]))
        hiring = ""
        if busiest["hiring_needed_for_deadline"] > 0:
            hiring = t(
                "summary.hiring",
                n=self.num(busiest["hiring_needed_for_deadline"]),
                year=busiest["year"],
                hired=self.num(busiest["operators_hired"]),
                recruits=self.num(busiest["new_capacity_hired"]),
            )
            q = self.quantile("hiring_needed_for_deadline", int(busiest["year"]))
            if q is not None:
                lo, mid, hi = (self.num(v) for v in q)
                hiring += " " + t("summary.hiring_range", lo=lo, mid=mid, hi=hi)
        probability, edge = self.probability_sentences(rows)

        def cell(central: str, metric: str, year: int, fmt: Callable[[float], str]) -> Cell:
            """The central value with its P5–P50–P95 across the draws (or that every draw
            gives the same value)."""
            q = self.quantile(metric, year)
            if q is None:
                return Cell(central)
            if q[0] == q[2]:
                return Cell(central, t("summary.no_spread"))
            lo, mid, hi = (fmt(v) for v in q)
            return Cell(central, t("summary.range", lo=lo, mid=mid, hi=hi))

        p_on_time = self.p_on_time()

        def on_time(r: dict[str, Any]) -> Cell:
            answer = t("words.yes") if r["on_time"] else t("words.no")
            p = p_on_time.get(int(r["year"]))
            if p is None:
                return Cell(answer)
            return Cell(answer, t("summary.share_on_time", share=self.pct(p)))

        def euros(v: float) -> str:
            return f"{self.num(v, 2)} €"

        def days(v: float) -> str:
            return self.num(v)

        def late_days(r: dict[str, Any]) -> Cell:
            return cell(self.late(r), "late_days", r["year"], days)

        net = {
            int(row["year"]): row["jobs_net"] for row in self.results.balance.iter_rows(named=True)
        }

        def jobs(metric: str) -> Callable[[dict[str, Any]], str | Cell]:
            return lambda r: cell(self.count(r[metric]), metric, r["year"], self.count)

        def count(metric: str) -> Callable[[dict[str, Any]], str | Cell]:
            return lambda r: cell(self.num(r[metric]), metric, r["year"], self.num)

        indicators: list[tuple[str, Callable[[dict[str, Any]], str | Cell]]] = [
            ("pieces", count("pieces")),
            (
                "budget_eur",
                lambda r: cell(self.eur(r["budget_eur"]), "budget_eur", r["year"], self.eur),
            ),
            (
                "cost_per_kit_eur",
                lambda r: cell(euros(r["cost_per_kit_eur"]), "cost_per_kit_eur", r["year"], euros),
            ),
        ]
        indicators += [
            (m, jobs(m)) for m in ("direct_fte", "jobs_indirect", "jobs_induced", "jobs_gross")
        ]
        body = [[self.col("summary", c), *(fmt(r) for r in rows)] for c, fmt in indicators]
        body.append(
            [
                self.col("balance", "jobs_net"),
                *(
                    cell(self.count(net.get(int(r["year"]))), "jobs_net", r["year"], self.count)
                    for r in rows
                ),
            ]
        )
        decisions: list[tuple[str, Callable[[dict[str, Any]], str | Cell]]] = [
            ("offered_fte", lambda r: self.num(r["offered_fte"])),
            ("hiring_needed_for_deadline", count("hiring_needed_for_deadline")),
            ("on_time", on_time),
            ("late_days", late_days),
            ("unmet_pieces", count("unmet_pieces")),
        ]
        body += [[self.col("summary", c), *(fmt(r) for r in rows)] for c, fmt in decisions]
        mc_note = ""
        if self.dist is not None and self.quantiles is not None:
            n = self.dist.draws["draw"].n_unique()
            exact = self.dist.resolve_allocation
            mode = "" if exact is None else "summary.mc_exact" if exact else "summary.mc_fast"
            mc_note = t(
                "summary.mc_note",
                n=self.num(n),
                seed=self.dist.seed,
                k=self.num(len(self.dist.parameters)),
            )
            if mode:
                mc_note += " " + t(mode)
        return {
            "verdict_numbers": verdict_numbers,
            "verdict_late": verdict_late,
            "hiring": hiring,
            "probability": probability,
            "edge": edge,
            "indicators": table([t("words.indicator"), *(str(r["year"]) for r in rows)], body),
            "mc_note": mc_note,
        }

    def p_on_time(self) -> dict[int, float]:
        """The share of the draws on time, by year (:meth:`Distribution.probability_on_time`);
        empty without draws."""
        if self.dist is None:
            return {}
        try:
            frame = self.dist.probability_on_time()
        except Exception:  # ranges are optional
            return {}
        return {
            int(row["year"]): float(row["p_on_time"])
            for row in frame.iter_rows(named=True)
            if row["p_on_time"] is not None
        }

    def probability_sentences(self, rows: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
        """The probability of being on time, year by year, in one sentence; and, when the
        central run is on time in a year most draws are late, the sentence that says so."""
        t, p = self.t, self.p_on_time()
        if not p or self.dist is None:
            return "", ""
        years = [int(r["year"]) for r in rows if int(r["year"]) in p]
        listed = ", ".join(
            t("summary.probability_year", year=y, share=self.pct(p[y])) for y in years
        )
        n = self.dist.draws["draw"].n_unique()
        probability = t("summary.probability", n=self.num(n), years=listed)
        edge_years = [
            str(r["year"]) for r in rows if r["on_time"] and p.get(int(r["year"]), 1.0) < 0.5
        ]
        edge = t("summary.edge", years=", ".join(edge_years)) if edge_years else ""
        return probability, edge

    def demand(self) -> dict[str, Any]:
        d = self.results.demand
        by_level = d.group_by("year", "level").agg(pl.col("pieces").sum())
        levels = sorted(by_level["level"].unique().to_list())
        rows = []
        for y in self.years:
            sub = by_level.filter(pl.col("year") == y)
            values = {r["level"]: r["pieces"] for r in sub.iter_rows(named=True)}
            rows.append(
                [
                    str(y),
                    *(self.num(values.get(lv, 0.0)) for lv in levels),
                    self.num(sum(values.values())),
                ]
            )
        head = [
            self.col("demand", "year"),
            *(self.level(lv) for lv in levels),
            self.t("words.total"),
        ]
        by_level_table = table(head, rows)
        by_dep = d.group_by("departement", "year").agg(pl.col("pieces").sum())
        rows = []
        for dep in sorted(by_dep["departement"].unique().to_list()):
            sub = by_dep.filter(pl.col("departement") == dep)
            values = {r["year"]: r["pieces"] for r in sub.iter_rows(named=True)}
            rows.append([self.dep(dep), *(self.num(values.get(y, 0.0)) for y in self.years)])
        head = [self.col("demand", "departement"), *map(str, self.years)]
        return {"by_level": by_level_table, "by_departement": table(head, rows)}

    def allocation(self) -> dict[str, Any]:
        t, r = self.t, self.results
        y = self.years[-1]
        alloc = r.allocation.filter(pl.col("year") == y)
        products = sorted(alloc["product"].unique().to_list())
        # Surveyed workshops by département; new capacity, imports and late pieces by name.
        by_dep = alloc.group_by(
            pl.coalesce("workshop_departement", "workshop_id").alias("who"), "product"
        ).agg(pl.col("pieces").sum())
        total = float(alloc["pieces"].sum()) or 1.0
        others = [NEW_CAPACITY, IMPORT, LATE]
        who = by_dep["who"].unique().to_list()
        rows = []
        for dep in [*sorted(w for w in who if w not in others), *(o for o in others if o in who)]:
            sub = by_dep.filter(pl.col("who") == dep)
            values = {row["product"]: row["pieces"] for row in sub.iter_rows(named=True)}
            made = sum(values.values())
            rows.append(
                [
                    self.source_name(dep) if dep in others else self.dep(dep),
                    *(self.num(values.get(p, 0.0)) for p in products),
                    self.num(made),
                    self.pct(made / total),
                ]
            )
        head = [
            self.col("allocation", "workshop_departement"),
            *map(str, products),
            t("words.total"),
            t("words.share"),
        ]
        by_departement = table(head, rows)

        cap = r.capacity.filter(pl.col("year") == y)
        util = (
            cap.filter(pl.col("workshop_id") != NEW_CAPACITY)
            .group_by("departement")
            .agg(
                pl.len().alias("n"),
                pl.col("operators").sum(),
                pl.col("hired").sum(),
                pl.col("trainees").sum(),
                pl.col("minutes_used").sum(),
                pl.col("minutes_available").sum(),
            )
            .sort("departement")
        )
        rows = [
            [
                self.dep(row["departement"]),
                self.num(row["n"]),
                self.num(row["operators"], 1),
                self.num(row["hired"]),
                self.num(row["trainees"]),
                self.pct(row["minutes_used"] / row["minutes_available"])
                if row["minutes_available"]
                else "—",
            ]
            for row in util.iter_rows(named=True)
        ]
        head = [
            self.col("capacity", "departement"),
            t("words.workshops"),
            self.col("capacity", "operators"),
            self.col("capacity", "hired"),
            self.col("capacity", "trainees"),
            self.col("capacity", "utilisation"),
        ]
        utilisation = table(head, rows)

        names = _workshop_names(self.study)
        priced = self.priced_workshops()
        shadow_year = int(priced["year"].max()) if priced.height else y  # type: ignore[arg-type]
        top = (
            priced.filter(pl.col("year") == shadow_year)
            .sort("shadow_eur_per_min", descending=True)
            .head(10)
        )
        rows = [
            [
                str(row["workshop_id"]),
                names.get(str(row["workshop_id"]), ""),
                self.dep(row["departement"]),
                self.num(row["pieces"]),
                self.pct(row["utilisation"]),
                self.num(row["shadow_eur_per_min"], 2),
            ]
            for row in top.iter_rows(named=True)
        ]
        head = [
            self.col("capacity", "workshop_id"),
            t("words.name"),
            self.col("capacity", "departement"),
            self.col("capacity", "pieces"),
            self.col("capacity", "utilisation"),
            self.col("capacity", "shadow_eur_per_min"),
        ]
        shadow = table(head, rows, numeric_from=3) if rows else None

        summary = {int(row["year"]): row for row in r.summary.iter_rows(named=True)}
        unmet = r.unmet.group_by("year").agg(
            pl.col("pieces").sum(), pl.col("marginal_cost_eur").mean()
        )
        rows = [
            [
                str(row["year"]),
                self.num(row["pieces"]),
                self.late(summary[int(row["year"])]) if int(row["year"]) in summary else "—",
                self.num(row["marginal_cost_eur"], 2),
            ]
            for row in unmet.sort("year").iter_rows(named=True)
        ]
        head = [
            self.col("unmet", "year"),
            self.col("unmet", "pieces"),
            self.col("summary", "late_days"),
            t("words.marginal"),
        ]
        return {
            "year": y,
            "sourcing": self.sourcing_table(),
            "sourcing_chart": self.chart(partial(sourcing_chart, r, t)),
            "prices": self.prices(priced, names),
            "by_departement": by_departement,
            "utilisation": utilisation,
            "shadow": shadow,
            "shadow_year": shadow_year,
            "unmet": table(head, rows),
            "capacity_chart": self.chart(partial(capacity_chart, r, t)),
        }

    def priced_workshops(self) -> pl.DataFrame:
        """The surveyed workshops whose capacity has a price in euros (finite, positive):
        NaN prices, set by the engine's internal penalty in a late year, are left out."""
        shadow = pl.col("shadow_eur_per_min")
        return self.results.capacity.filter(
            shadow.is_not_null()
            & shadow.is_finite()
            & (shadow > 1e-9)
            & (pl.col("workshop_id") != NEW_CAPACITY)
        )

    def sourcing_table(self) -> Table:
        """Pieces by source and year, with the local-content share."""
        t, src = self.t, self.results.sourcing
        by = src.group_by("year", "source").agg(pl.col("pieces").sum())
        pieces = {(int(row["year"]), str(row["source"])): row["pieces"] for row in by.to_dicts()}
        columns = {
            "surveyed": "pieces_surveyed",
            "new_regional": "pieces_new_regional",
            "imported": "pieces_imported",
            "late": "unmet_pieces",
        }
        rows = []
        for y in self.years:
            values = [float(pieces.get((y, source), 0.0)) for source in SOURCES]
            total = sum(values)
            imported = values[SOURCES.index("imported")]
            share = 1.0 - imported / total if total > 0 else 1.0
            rows.append([str(y), *(self.num(v) for v in values), self.num(total), self.pct(share)])
        head = [
            self.col("sourcing", "year"),
            *(self.col("summary", columns[source]) for source in SOURCES),
            t("words.total"),
            self.col("summary", "local_content_share"),
        ]
        return table(head, rows)

    def prices(self, priced: pl.DataFrame, names: Mapping[str, str]) -> list[str]:
        """One sentence a year on what one more minute of capacity is worth: the dearest
        finite price in euros, or, in a late year, why no price is shown."""
        t, out = self.t, []
        for row in self.results.summary.iter_rows(named=True):
            year = int(row["year"])
            if row["unmet_pieces"] > 0:
                clause = self.late_clause(row)
                out.append(t("prices.late", year=year, late=capitalise(clause)))
                continue
            sub = priced.filter(pl.col("year") == year).sort("shadow_eur_per_min", descending=True)
            if sub.height == 0:
                out.append(t("prices.none", year=year))
                continue
            top = sub.row(0, named=True)
            workshop = str(top["workshop_id"])
            name = names.get(workshop, "")
            out.append(
                t(
                    "prices.year",
                    year=year,
                    n=self.num(sub.height),
                    workshop=f"{workshop} ({name})" if name else workshop,
                    eur=f"{self.num(top['shadow_eur_per_min'], 2)} €",
                )
            )
        return out

    def schedule(self) -> dict[str, Any]:
        t, s = self.t, self.results.summary
        rows = [
            [
                str(row["year"]),
                self.day(row["order_date"]),
                self.day(row["deadline"]),
                self.day(row["delivered"]),
                self.num(row["makespan_days"]),
                t("words.yes") if row["on_time"] else t("words.no"),
                self.late(row),
                self.num(row["hiring_needed_for_deadline"]),
            ]
            for row in s.iter_rows(named=True)
        ]
        columns = (
            "year",
            "order_date",
            "deadline",
            "delivered",
            "makespan_days",
            "on_time",
            "late_days",
            "hiring_needed_for_deadline",
        )
        late = [
            t("schedule.late", late=capitalise(self.late_clause(row)))
            for row in s.iter_rows(named=True)
            if row["unmet_pieces"] > 0
        ]
        # A year whose pieces are all late (or imported) has no schedule to draw.
        scheduled = set(self.results.schedule["year"].to_list())
        gantts = [
            (y, self.chart(partial(gantt_chart, self.results, y, t, GANTT_ROWS)))
            for y in self.years
            if y in scheduled
        ]
        return {
            "top": GANTT_ROWS,
            "dates": table([self.col("summary", c) for c in columns], rows),
            "late": late,
            "gantts": gantts,
        }

    def order(self) -> dict[str, Any]:
        """The order date as a decision: the whole study run at each order lead time."""
        t = self.t
        params = self.study.parameters.filter(pl.col("name") == ORDER_PARAMETER)
        p = params.row(0, named=True)
        central = float(p["value"])
        weeks = sorted({*ORDER_WEEKS, central})
        curve = self.study.order_curve(weeks)
        source = str(p["source"] or "")
        if source.startswith("override"):
            kind, shown = t("order.kind_override"), ""
        elif "assumption" in source.lower():
            kind, shown = t("order.kind_assumption"), source
        else:
            kind, shown = t("order.kind_source"), source
        low, high = float(p["low"]), float(p["high"])
        drawn = p["distribution"] != "fixed" and low < high
        weeks_text = self.num(central, digits(central))
        if drawn:
            range_text = t(
                "order.drawn",
                low=self.num(low, digits(low)),
                high=self.num(high, digits(high)),
                distribution=self.distribution(p["distribution"]),
            )
        else:
            range_text = t("order.fixed")
        intro_central = t("order.central", weeks=weeks_text, kind=kind)
        years = []
        for y in sorted(int(v) for v in curve["year"].unique().to_list()):
            sentences = []
            for row in curve.filter(pl.col("year") == y).iter_rows(named=True):
                w = float(row["order_weeks_before_rentree"])
                sentences.append((self.order_sentence(row), w == central))
            years.append((y, sentences))
        chart = self.chart(partial(order_chart, curve, central, t))
        return {
            "intro_central": intro_central,
            "source": shown,
            "range": range_text,
            "chart": chart,
            "years": years,
        }

    def order_sentence(self, row: Mapping[str, Any]) -> str:
        """One lead time of one year, in words: what must be recruited, and how late."""
        t = self.t
        weeks = float(row["order_weeks_before_rentree"])
        fields = {
            "weeks": self.num(weeks, digits(weeks)),
            "year": row["year"],
            "total": self.num(row["operators_recruited_total"]),
            "year_hires": self.num(row["hiring_needed_for_deadline"]),
            "pieces": self.num(row["unmet_pieces"]),
        }
        if row["on_time"]:
            return t("order.on_time", **fields)
        days = row["late_days"]
        if days is None:
            return t("order.late_never", **fields)
        if days <= 0:
            return t("order.late_same_day", **fields)
        return t("order.late", days=self.num(days), **fields)

    def costs(self) -> dict[str, Any]:
        c = self.results.costs
        kits = c.filter(pl.col("unit") == "kit").sort("year")
        by_year = {int(r["year"]): r for r in kits.iter_rows(named=True)}
        rows: list[list[str | Cell]] = [
            [
                Cell(self.col_label("costs", item), style="b" if item in COST_TOTALS else ""),
                *(self.num(by_year[y][item], 2) if y in by_year else "—" for y in self.years),
            ]
            for item in COST_ITEMS
        ]
        per_kit = table([self.t("words.cost_item"), *map(str, self.years)], rows)
        y = self.years[-1]
        pieces = c.filter((pl.col("unit") == "piece") & (pl.col("year") == y)).sort("product")
        rows = [
            [
                str(r["product"]),
                self.num(r["quantity"]),
                self.num(r["price_ht_eur"], 2),
                self.num(r["price_ttc_eur"], 2),
                self.eur(r["total_ttc_eur"]),
            ]
            for r in pieces.iter_rows(named=True)
        ]
        head = [
            self.col("costs", "product"),
            self.col_label("costs", "quantity"),
            self.col("costs", "price_ht_eur"),
            self.col("costs", "price_ttc_eur"),
            self.col("costs", "total_ttc_eur"),
        ]
        return {"per_kit": per_kit, "year": y, "per_piece": table(head, rows)}

    def col_label(self, table: str, column: str) -> str:
        """Label of a result column without its unit, capitalised."""
        out = label(table, column, self.lang)
        return out[:1].upper() + out[1:]

    def jobs(self) -> dict[str, Any]:
        r = self.results
        summary = {int(row["year"]): row for row in r.summary.iter_rows(named=True)}
        rows: list[list[str | Cell]] = [
            [self.col("summary", c), *(self.count(summary[y][c]) for y in self.years)]
            for c in JOB_ROWS
        ]
        rows.append(
            [
                Cell(self.col("summary", "jobs_gross"), style="b"),
                *(Cell(self.count(summary[y]["jobs_gross"]), style="b") for y in self.years),
            ]
        )
        jobs = table([self.t("words.indicator"), *map(str, self.years)], rows)
        jd = r.jobs_by_departement
        rows = []
        for dep in _nulls_last(jd["departement"].unique().to_list()):
            sub = jd.filter(_is("departement", dep))
            values = {row["year"]: row["fte"] for row in sub.iter_rows(named=True)}
            rows.append([self.dep(dep), *(self.num(values.get(y, 0.0), 1) for y in self.years)])
        head = [self.col("jobs_by_departement", "departement"), *map(str, self.years)]
        by_departement = table(head, rows)
        last = max(self.years)
        jb = (
            r.jobs_by_branch.filter(pl.col("year") == last)
            .sort("jobs_total", descending=True)
            .head(10)
        )
        columns = ("jobs_direct", "jobs_indirect", "jobs_induced", "jobs_total")
        branch_rows: list[list[str | Cell]] = [
            [
                Cell(str(row["branch"]), style="code"),
                str(row["branch_name"]),
                self.eur(row["regional_demand_eur"]),
                *(self.count(row[c]) for c in columns),
            ]
            for row in jb.iter_rows(named=True)
        ]
        branch_head = [
            self.col("jobs_by_branch", "branch"),
            self.col("jobs_by_branch", "branch_name"),
            self.col("jobs_by_branch", "regional_demand_eur"),
            *(self.col("jobs_by_branch", c) for c in columns),
        ]
        return {
            "jobs": jobs,
            "by_departement": by_departement,
            "by_branch_year": last,
            "by_branch": table(branch_head, branch_rows, numeric_from=2),
        }

    def balance(self) -> dict[str, Any]:
        t, b = self.t, self.results.balance
        rows_by_year = {int(r["year"]): r for r in b.iter_rows(named=True)}
        jobs = {"jobs_gross", "jobs_displaced", "jobs_net"}
        carbon = {"co2e_local_t", "co2e_import_t", "co2e_avoided_t"}
        bold = {"jobs_net", "premium_eur", "net_public_cost_eur", "net_cost_per_job_eur"}

        def fmt(column: str, v: object) -> str:
            if column in jobs:
                return self.count(v)
            if column in carbon:
                return self.num(v)
            if column == "co2e_per_piece_avoided_kg":
                return self.num(v, 2)
            if column.endswith("per_job_eur"):
                return f"{self.num(v)} €"
            return self.eur(v)

        body: list[list[str | Cell]] = [
            [
                Cell(self.col("balance", c), style="b" if c in bold else ""),
                *(
                    Cell(fmt(c, rows_by_year[y][c]), style="b" if c in bold else "")
                    for y in self.years
                ),
            ]
            for c in b.columns
            if c != "year"
        ]
        y = 2028 if 2028 in rows_by_year else self.years[-1]
        r = rows_by_year[y]
        per_job = f"{self.num(r['net_cost_per_job_eur'])} €"
        net_job = t(
            "balance.net_job",
            year=y,
            region=f"{self.num(r['region_cost_per_job_eur'])} €",
            net=per_job,
        )

        def rng(metric: str, f: Callable[[float], str]) -> tuple[str, str, str] | None:
            q = self.quantile(metric, y)
            return None if q is None else (f(q[0]), f(q[1]), f(q[2]))

        def euros(v: float) -> str:
            return f"{self.num(v)} €"

        q_job = rng("net_cost_per_job_eur", euros)
        net_job_range = (
            t("balance.net_job_range", lo=q_job[0], mid=q_job[1], hi=q_job[2]) if q_job else ""
        )
        carbon_text = t(
            "balance.carbon",
            year=y,
            local=self.num(r["co2e_local_t"]),
            imported=self.num(r["co2e_import_t"]),
            avoided=self.num(r["co2e_avoided_t"]),
            per_piece=self.num(r["co2e_per_piece_avoided_kg"], 1),
        )
        q_co2 = rng("co2e_avoided_t", self.num)
        carbon_range = (
            t("balance.carbon_range", lo=q_co2[0], mid=q_co2[1], hi=q_co2[2]) if q_co2 else ""
        )
        central = {
            "year": y,
            "jobs": self.count(r["jobs_net"]),
            "premium": self.eur(r["premium_eur"]),
            "net": self.eur(r["net_public_cost_eur"]),
            "per_job": per_job,
            "avoided": self.num(r["co2e_avoided_t"]),
        }
        ranges = {
            "jobs_range": rng("jobs_net", self.count),
            "premium_range": rng("premium_eur", self.eur),
            "net_range": rng("net_public_cost_eur", self.eur),
            "per_job_range": q_job,
            "avoided_range": q_co2,
        }
        if all(v is not None for v in ranges.values()):
            closing = t(
                "balance.closing",
                **central,
                **{k: f"{v[0]}–{v[2]}" for k, v in ranges.items() if v is not None},
            )
        else:
            closing = t("balance.closing_central", **central)
        return {
            "table": table([t("words.indicator"), *map(str, self.years)], body),
            "chart": self.chart(partial(balance_chart, self.results, y, t)),
            "net_job": net_job,
            "net_job_range": net_job_range,
            "carbon": carbon_text,
            "carbon_range": carbon_range,
            "closing": closing,
        }

    def sensitivity(self) -> dict[str, Any]:
        t = self.t
        full = self.tornado_frame
        if full is None:
            full = self.study.sensitivity("tornado", metric="direct_fte", resolve_allocation=True)
        y = int(full["year"][0])
        # The inputs that move the figure, largest swing first; the order date always shows
        # (a decision, not only an uncertainty), in the chart's 15 bars and the table's 10.
        order = pl.col("parameter") == ORDER_PARAMETER
        moving = full.filter((pl.col("swing") > 0) & ~order)
        pinned = full.filter(order)
        frame = pl.concat([moving.head(14), pinned]).sort("swing", descending=True)
        if frame.height == 0:
            frame = full
        shown = pl.concat([moving.head(9), pinned]).sort("swing", descending=True)
        order_note = ""
        if pinned.height:
            r = pinned.row(0, named=True)
            order_note = t(
                "sensitivity.order",
                low=self.num(r["low"], digits(r["low"])),
                high=self.num(r["high"], digits(r["high"])),
                year=y,
                at_low=self.num(r["direct_fte_at_low"]),
                at_high=self.num(r["direct_fte_at_high"]),
            )
        catalog = moving.filter(pl.col("parameter").str.starts_with("catalog."))
        catalog_note = t("sensitivity.catalog") if catalog.height else ""
        fte = self.col("summary", "direct_fte")
        title = f"{t('sections.sensitivity')} — {fte} ({y})"
        chart = self.chart(partial(tornado_chart, frame, t, fte, title))
        rows = [
            [
                str(row["parameter"]),
                self.num(row["low"], digits(row["low"])),
                self.num(row["high"], digits(row["high"])),
                self.num(row["direct_fte_at_low"], 1),
                self.num(row["direct_fte_at_high"], 1),
                self.num(row["swing"], 1),
            ]
            for row in shown.iter_rows(named=True)
        ]
        low, high = t("words.low"), t("words.high")
        head = [
            t("words.parameter"),
            low,
            high,
            f"{fte} ({low})",
            f"{fte} ({high})",
            t("words.swing"),
        ]
        return {
            "year": y,
            "chart": chart,
            "swings": table(head, rows) if rows else None,
            "order_note": order_note,
            "catalog_note": catalog_note,
        }

    def uncertainty(self) -> dict[str, Any]:
        dist = self.dist
        if dist is None:
            return {"chart": None, "quantiles": None}
        fte = self.col("summary", "direct_fte")
        chart = self.chart(partial(fan_chart, dist, self.t, "direct_fte", fte))
        quantiles = None
        if self.quantiles is not None:
            q = self.quantiles.filter(pl.col("metric") == "direct_fte").sort("year")
            rows = [
                [
                    str(row["year"]),
                    self.count(row["p5"]),
                    self.count(row["p50"]),
                    self.count(row["p95"]),
                ]
                for row in q.iter_rows(named=True)
            ]
            quantiles = table([self.col("summary", "year"), "P5", "P50", "P95"], rows)
        return {"chart": chart, "quantiles": quantiles}

    def assumptions(self) -> dict[str, Any]:
        t = self.t
        params = self.study.parameters.sort("name")
        # The lead's description in the report's language; English only if the study's
        # parameter table has no French column at all.
        described = f"description_{self.lang}"
        if described not in params.columns:
            described = "description"
        rows: list[list[str | Cell]] = [
            [
                Cell(str(r["name"]), style="code"),
                self.num(r["value"], digits(r["value"])),
                self.unit(r["unit"]),
                self.num(r["low"], digits(r["low"])),
                self.num(r["high"], digits(r["high"])),
                self.distribution(r["distribution"]),
                str(r[described] or ""),
                Cell(str(r["source"] or ""), style="src"),
            ]
            for r in params.iter_rows(named=True)
        ]
        head = [
            t("words.parameter"),
            t("words.value"),
            t("words.unit"),
            t("words.low"),
            t("words.high"),
            t("words.distribution"),
            t("words.description"),
            t("words.source"),
        ]
        scenario = [[str(k), plain(v)] for k, v in self.study.scenario.items()]
        return {
            "parameters": table(head, rows, numeric={1, 3, 4}),
            "scenario": table([t("words.parameter"), t("words.value")], scenario, numeric=()),
        }

    def quality(self) -> dict[str, Any]:
        t = self.t
        sources = self.study.sources
        shown = display_paths(sources, self.study.file)
        inputs = []
        details = []
        for kind, source in sorted(sources.items()):
            check = (self.validation or {}).get(kind) or check_source(kind, source)
            status = scrub(self._status(check, source == kind), sources, shown)
            inputs.append([kind, shown[kind], status])
            problems = [
                [
                    "" if p["row"] is None else str(p["row"]),
                    p["column"] or "",
                    p["value"] or "",
                    scrub(p["message"], sources, shown),
                ]
                for p in check["problems"]
            ]
            if problems:
                head = [t("words.row"), t("words.column"), t("words.value"), t("words.message")]
                details.append((shown[kind], table(head, problems, numeric=())))
        # Non-answers per question, among the workshops that answered the survey.
        workshops = self.study.workshops.filter(pl.col("answered"))
        n = workshops.height
        questions = {
            c["name"]: c[f"label_{self.lang}"] or c["name"]
            for c in _core.table_columns("workshops").to_dicts()
        }
        missing: list[list[str | Cell]] = [
            [questions.get(c, c), Cell(c, style="code"), self.num(k), self.pct(k / n)]
            for c in workshops.columns
            if (k := workshops[c].null_count())
        ]
        head = [t("words.table"), t("words.file"), t("words.status")]
        summary = self.results.summary.row(0, named=True)
        params = self.study.parameters.filter(pl.col("name") == "reference_garment_workforce")
        coverage = t(
            "quality.coverage",
            respondents=self.num(summary["survey_respondents"]),
            operators=self.num(n and workshops["operators"].sum()),
            share=self.pct(summary["survey_coverage"]),
            reference=self.num(params["value"][0]),
            nonrespondents=self.num(summary["survey_nonrespondents"]),
        )
        if summary["estimated_operators"] > 0:
            coverage += " " + t(
                "quality.estimated", operators=self.num(summary["estimated_operators"])
            )
        economy = [
            [t(f"quality.economy.{k}.vector"), t(f"quality.economy.{k}.status")]
            for k in ECONOMY_VECTORS
        ]
        return {
            "economy": table(
                [t("quality.economy_vector"), t("quality.economy_status")], economy, numeric=()
            ),
            "inputs": table(head, inputs, numeric=()),
            "details": details,
            "coverage": coverage,
            "n_workshops": self.num(n),
            "missing": table(
                [t("words.question"), t("words.column"), t("words.missing"), t("words.share")],
                missing,
                numeric={2, 3},
            )
            if missing
            else None,
        }

    def _status(self, check: SourceCheck, in_memory: bool) -> str:
        t = self.t
        if check["state"] == "bundled":
            return t("quality.bundled")
        if check["state"] == "missing":
            return t("quality.in_memory") if in_memory else t("quality.not_found")
        if check["state"] == "error":
            return check["reason"]
        n = len(check["problems"])
        return t("quality.problems", n=n) if n else t("quality.no_problem")


def render(
    study: Study,
    results: Results,
    distribution: Distribution | None,
    lang: str,
    sensitivity: pl.DataFrame | None,
    validation: Mapping[str, SourceCheck] | None,
) -> str:
    """The report page; see :func:`filiere.report.build_report`."""
    return _Report(study, results, distribution, lang, sensitivity, validation).build()
