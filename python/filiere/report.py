"""The feasibility report: one self-contained HTML page (French by default) that explains a
study's results to a reader who does not run the code.

``filiere run ... --out DIR`` writes it as ``DIR/report.html``; from Python::

    html = build_report(study, study.run(), study.monte_carlo(20_000, seed=1))

The page has no external resource: the CSS is embedded and the charts are inline SVG drawn
with matplotlib. Every string that comes from the input files is HTML-escaped. A section
whose data is missing (Monte Carlo not computed) or whose computation fails says so instead
of stopping the report.
"""

# ruff: noqa: RUF001, RUF002 - French and English typography (en dashes) is intended
from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import polars as pl

from filiere import _core
from filiere.exceptions import FiliereError, Problem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from filiere.results import Results
    from filiere.study import Study
    from filiere.uncertainty import Distribution

__all__ = ["build_report"]

NEW_CAPACITY = "(new capacity)"
#: Workshops shown in each Gantt chart (the largest).
GANTT_ROWS = 20
_MONTHS_FR = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

#: The départements of Auvergne-Rhône-Alpes.
DEPARTEMENTS = {
    "01": "Ain",
    "03": "Allier",
    "07": "Ardèche",
    "15": "Cantal",
    "26": "Drôme",
    "38": "Isère",
    "42": "Loire",
    "43": "Haute-Loire",
    "63": "Puy-de-Dôme",
    "69": "Rhône",
    "73": "Savoie",
    "74": "Haute-Savoie",
}

_TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Rapport de faisabilité",
        "generated": "Produit par filiere {version}.",
        "toc": "Sommaire",
        "summary": "Synthèse",
        "demand": "Demande",
        "allocation": "Capacités et répartition",
        "schedule": "Calendrier de production",
        "costs": "Coûts",
        "jobs": "Emplois",
        "sensitivity": "Sensibilité",
        "uncertainty": "Incertitude : emplois au fil des années",
        "assumptions": "Hypothèses et sources",
        "quality": "Annexe : qualité des données",
        "indicator": "Indicateur",
        "year": "Année",
        "pieces": "Pièces",
        "kits": "Kits",
        "pupils": "Élèves",
        "budget": "Budget (TTC)",
        "cost_per_kit": "Coût par kit (TTC)",
        "direct_fte": "Emplois directs (ETP)",
        "offered_fte": "Opérateurs offerts par l'enquête (ETP)",
        "jobs_indirect": "Emplois indirects (entrées-sorties)",
        "jobs_induced": "Emplois induits (entrées-sorties)",
        "jobs_direct_io": "Emplois directs (entrées-sorties)",
        "jobs_total": "Total emplois (entrées-sorties)",
        "on_time": "Livré avant la rentrée ?",
        "to_hire": "Opérateurs à recruter ou former pour la rentrée",
        "late_by": "Retard sans recrutement (jours)",
        "yes": "oui",
        "no": "non",
        "never": "jamais",
        "share_on_time": "{share} des tirages à l'heure",
        "range": "P5 {lo} · P50 {mid} · P95 {hi}",
        "mc_note": (
            "Les fourchettes viennent de {n} tirages Monte Carlo (graine {seed}) des "
            "paramètres incertains ; la valeur principale est le calcul central."
        ),
        "mc_missing": (
            "Fourchettes non calculées : la simulation Monte Carlo n'a pas été lancée "
            "(option --draws 0). Seules les valeurs centrales sont données."
        ),
        "verdict_ok": (
            "Les ateliers recensés, avec les recrutements et les apprentis qu'ils ont "
            "déclarés, livrent tout avant la rentrée chaque année."
        ),
        "verdict_late": (
            "Les ateliers recensés ne livrent pas tout avant la rentrée en {years} : il faut "
            "recruter ou former jusqu'à {n} opérateurs (ETP) pour tenir les délais."
        ),
        "verdict_numbers": (
            "En {span}, le programme porte sur {pieces} pièces pour un budget de "
            "{budget} TTC ; en {last}, il mobilise {fte} emplois "
            "directs (ETP), plus {ind} emplois indirects et {induced} emplois induits."
        ),
        "unavailable": "Section non disponible : {reason}",
        "chart_failed": "Graphique non disponible : {reason}",
        "demand_by_level": "Pièces par année et niveau",
        "demand_by_dep": "Pièces par département des établissements",
        "departement": "Département",
        "level": "Niveau",
        "total": "Total",
        "alloc_intro": (
            "Le programme linéaire répartit les pièces entre ateliers au moindre coût "
            "(transport compris), dans la limite des minutes que chacun peut produire avant "
            "la rentrée. « Capacité nouvelle » : ce que les ateliers recensés ne peuvent pas "
            "faire à temps."
        ),
        "alloc_by_dep": "Pièces fabriquées par département des ateliers, {year}",
        "product": "Produit",
        "share": "Part",
        "new_capacity": "Capacité nouvelle",
        "utilisation_by_dep": "Utilisation des capacités par département, {year}",
        "operators": "Opérateurs (ETP)",
        "hired": "Recrutés",
        "trainees": "Apprentis",
        "utilisation": "Utilisation",
        "shadow_intro": (
            "Prix duals : euros économisés par minute standard de plus dans un atelier "
            "saturé. Un prix positif signale un goulot d'étranglement."
        ),
        "shadow_title": "Ateliers les plus contraints, {year}",
        "workshop": "Atelier",
        "workshops": "Ateliers",
        "name": "Nom",
        "shadow": "Prix dual (€/min)",
        "no_shadow": "Aucun atelier saturé en {year}.",
        "unmet": "Pièces non faisables à temps par les ateliers recensés",
        "marginal": "Coût marginal moyen (€/pièce)",
        "capacity_chart": "Opérateurs nécessaires pour livrer à temps",
        "sched_intro": (
            "Commande, délai du tissu, couture, personnalisation et livraison, atelier par "
            "atelier (les {top} plus gros). La ligne rouge est la rentrée."
        ),
        "order_date": "Commande",
        "deadline": "Rentrée",
        "delivered": "Dernière livraison",
        "makespan": "Durée (jours)",
        "costs_intro": "Décomposition du coût d'un kit (€ par kit).",
        "cost_item": "Poste",
        "fabric_eur": "Tissu",
        "trims_eur": "Fournitures",
        "packaging_eur": "Emballage",
        "labour_eur": "Main-d'œuvre",
        "overhead_eur": "Frais généraux",
        "personalisation_eur": "Personnalisation",
        "logistics_eur": "Logistique",
        "cost_eur": "Coût de revient",
        "margin_eur": "Marge",
        "price_ht_eur": "Prix HT",
        "vat_eur": "TVA",
        "price_ttc_eur": "Prix TTC",
        "per_piece": "Prix par pièce, {year}",
        "jobs_intro": (
            "Emplois directs : heures de travail nécessaires, en équivalents temps plein. "
            "Emplois indirects et induits : modèle entrées-sorties (Leontief type II, "
            "régionalisé) chez les fournisseurs et par la consommation des ménages, en "
            "personnes. Les emplois directs de ce modèle supposent la productivité moyenne "
            "du textile-habillement français, bien plus forte que celle de la couture : le "
            "calcul ascendant (ETP) est la meilleure estimation directe, d'où la dernière "
            "ligne."
        ),
        "jobs_by_dep": "Emplois directs (ETP) par département des ateliers",
        "hiring_gap": "Écart à recruter (ETP)",
        "jobs_best": "ETP directs + emplois indirects + induits",
        "sens_intro": (
            "Chaque paramètre incertain est porté à sa borne basse puis haute, les autres "
            "restant à leur valeur centrale (emplois directs, {year})."
        ),
        "parameter": "Paramètre",
        "low": "Bas",
        "high": "Haut",
        "swing": "Écart",
        "fan_intro": "Médiane et bandes P5–P95 et P25–P75 des emplois directs (ETP).",
        "assumptions_intro": (
            "Tous les paramètres utilisés, avec leur valeur centrale, leur fourchette, la "
            "loi de tirage Monte Carlo et leur source."
        ),
        "value": "Valeur",
        "unit": "Unité",
        "distribution": "Loi",
        "source": "Source",
        "description": "Description",
        "scenario": "Scénario",
        "inputs": "Fichiers d'entrée",
        "table": "Table",
        "file": "Fichier",
        "quality_intro": (
            "Chaque fichier d'entrée est vérifié (schéma, valeurs, doublons). Les cellules "
            "vides de l'enquête sont des questions sans réponse : le paramètre par défaut "
            "les remplace."
        ),
        "no_problem": "aucun problème trouvé",
        "bundled": "exemple intégré à filiere, vérifié au chargement : aucun problème",
        "in_memory": "table en mémoire, vérifiée à la construction : aucun problème",
        "not_found": "fichier introuvable, non revérifié",
        "problems": "{n} problème(s)",
        "row": "Ligne",
        "column": "Colonne",
        "message": "Problème",
        "status": "État",
        "missing_title": "Réponses manquantes de l'enquête ({n} ateliers)",
        "missing": "Sans réponse",
        "no_missing": "L'enquête ne comporte aucune réponse manquante.",
        "glossary": (
            "ETP : équivalent temps plein (1 607 h/an). P5, P50, P95 : 5 %, 50 % et 95 % "
            "des tirages sont en dessous. TTC : toutes taxes comprises."
        ),
        "levels": "ecole=école,college=collège,lycee=lycée",
    },
    "en": {
        "title": "Feasibility report",
        "generated": "Generated by filiere {version}.",
        "toc": "Contents",
        "summary": "Executive summary",
        "demand": "Demand",
        "allocation": "Capacity and allocation",
        "schedule": "Production schedule",
        "costs": "Costs",
        "jobs": "Jobs",
        "sensitivity": "Sensitivity",
        "uncertainty": "Uncertainty: jobs over the years",
        "assumptions": "Assumptions and sources",
        "quality": "Annex: data quality",
        "indicator": "Indicator",
        "year": "Year",
        "pieces": "Pieces",
        "kits": "Kits",
        "pupils": "Pupils",
        "budget": "Budget (VAT incl.)",
        "cost_per_kit": "Cost per kit (VAT incl.)",
        "direct_fte": "Direct jobs (FTE)",
        "offered_fte": "Operators offered by the survey (FTE)",
        "jobs_indirect": "Indirect jobs (input-output)",
        "jobs_induced": "Induced jobs (input-output)",
        "jobs_direct_io": "Direct jobs (input-output)",
        "jobs_total": "Total jobs (input-output)",
        "on_time": "Delivered before the rentrée?",
        "to_hire": "Operators to hire or train for the rentrée",
        "late_by": "Delay without hiring (days)",
        "yes": "yes",
        "no": "no",
        "never": "never",
        "share_on_time": "{share} of draws on time",
        "range": "P5 {lo} · P50 {mid} · P95 {hi}",
        "mc_note": (
            "Ranges come from {n} Monte Carlo draws (seed {seed}) of the uncertain "
            "parameters; the main value is the central run."
        ),
        "mc_missing": (
            "Ranges not computed: the Monte Carlo simulation was skipped (--draws 0). Only "
            "the central values are given."
        ),
        "verdict_ok": (
            "The surveyed workshops, with the hires and trainees they stated, deliver "
            "everything before the rentrée every year."
        ),
        "verdict_late": (
            "The surveyed workshops do not deliver everything before the rentrée in {years}: "
            "up to {n} operators (FTE) must be hired or trained to meet the deadline."
        ),
        "verdict_numbers": (
            "In {span}, the programme covers {pieces} pieces for a budget of "
            "{budget} (VAT incl.); in {last} it employs {fte} direct jobs (FTE), "
            "plus {ind} indirect and {induced} induced jobs."
        ),
        "unavailable": "Section not available: {reason}",
        "chart_failed": "Chart not available: {reason}",
        "demand_by_level": "Pieces by year and level",
        "demand_by_dep": "Pieces by département of the schools",
        "departement": "Département",
        "level": "Level",
        "total": "Total",
        "alloc_intro": (
            "The linear programme allocates pieces to workshops at least cost (transport "
            "included), within the minutes each can make before the rentrée. “New capacity”: "
            "what the surveyed workshops cannot make in time."
        ),
        "alloc_by_dep": "Pieces made by département of the workshops, {year}",
        "product": "Product",
        "share": "Share",
        "new_capacity": "New capacity",
        "utilisation_by_dep": "Capacity utilisation by département, {year}",
        "operators": "Operators (FTE)",
        "hired": "Hired",
        "trainees": "Trainees",
        "utilisation": "Utilisation",
        "shadow_intro": (
            "Shadow prices: euros saved by one more standard minute in a saturated "
            "workshop. A positive price marks a bottleneck."
        ),
        "shadow_title": "Most constrained workshops, {year}",
        "workshop": "Workshop",
        "workshops": "Workshops",
        "name": "Name",
        "shadow": "Shadow price (€/min)",
        "no_shadow": "No saturated workshop in {year}.",
        "unmet": "Pieces the surveyed workshops cannot make in time",
        "marginal": "Mean marginal cost (€/piece)",
        "capacity_chart": "Operators needed to deliver on time",
        "sched_intro": (
            "Order, fabric lead time, sewing, personalisation and delivery, workshop by "
            "workshop (the {top} largest). The red line is the rentrée."
        ),
        "order_date": "Order",
        "deadline": "Rentrée",
        "delivered": "Last delivery",
        "makespan": "Duration (days)",
        "costs_intro": "Breakdown of the cost of a kit (€ per kit).",
        "cost_item": "Item",
        "fabric_eur": "Fabric",
        "trims_eur": "Trims",
        "packaging_eur": "Packaging",
        "labour_eur": "Labour",
        "overhead_eur": "Overhead",
        "personalisation_eur": "Personalisation",
        "logistics_eur": "Logistics",
        "cost_eur": "Cost",
        "margin_eur": "Margin",
        "price_ht_eur": "Price before VAT",
        "vat_eur": "VAT",
        "price_ttc_eur": "Price paid",
        "per_piece": "Price per piece, {year}",
        "jobs_intro": (
            "Direct jobs: the labour hours needed, in full-time equivalents. Indirect and "
            "induced jobs: input-output model (Leontief type II, regionalised) in supplier "
            "branches and from household spending, in persons. That model's direct jobs "
            "assume the average productivity of French textiles and apparel, far above "
            "sewing's: the bottom-up FTE is the better direct estimate, hence the last row."
        ),
        "jobs_by_dep": "Direct jobs (FTE) by département of the workshops",
        "hiring_gap": "Gap to hire (FTE)",
        "jobs_best": "Direct FTE + indirect + induced jobs",
        "sens_intro": (
            "Each uncertain parameter at its low and then its high end, the others at their "
            "central value (direct jobs, {year})."
        ),
        "parameter": "Parameter",
        "low": "Low",
        "high": "High",
        "swing": "Swing",
        "fan_intro": "Median and P5–P95, P25–P75 bands of direct jobs (FTE).",
        "assumptions_intro": (
            "Every parameter used, with its central value, range, Monte Carlo distribution "
            "and source."
        ),
        "value": "Value",
        "unit": "Unit",
        "distribution": "Distribution",
        "source": "Source",
        "description": "Description",
        "scenario": "Scenario",
        "inputs": "Input files",
        "table": "Table",
        "file": "File",
        "quality_intro": (
            "Every input file is checked (schema, values, duplicates). Empty cells of the "
            "survey are unanswered questions: the parameter default fills them."
        ),
        "no_problem": "no problem found",
        "bundled": "example bundled with filiere, checked when loaded: no problem",
        "in_memory": "table in memory, checked when built: no problem",
        "not_found": "file not found, not checked again",
        "problems": "{n} problem(s)",
        "row": "Row",
        "column": "Column",
        "message": "Problem",
        "status": "Status",
        "missing_title": "Missing survey answers ({n} workshops)",
        "missing": "Unanswered",
        "no_missing": "The survey has no missing answer.",
        "glossary": (
            "FTE: full-time equivalent (1,607 h a year). P5, P50, P95: 5 %, 50 % and 95 % of "
            "the draws lie below. VAT incl.: price paid, value-added tax included."
        ),
        "levels": "ecole=école (primary),college=collège (lower secondary),lycee=lycée (upper)",
    },
}

#: English labels of the plots and their French translation.
_PLOT_FR = {
    "fabric lead time": "délai du tissu",
    "sewing (on time)": "couture (à l'heure)",
    "sewing (late)": "couture (en retard)",
    "sewing (new capacity)": "couture (capacité nouvelle)",
    "personalisation": "personnalisation",
    "delivery": "livraison",
    "offered by the survey": "offerts par l'enquête",
    "trainees": "apprentis",
    "hired (within can_hire)": "recrutés (dans la limite déclarée)",
    "new capacity needed": "capacité nouvelle nécessaire",
    "operators (FTE) before the rentrée": "opérateurs (ETP) avant la rentrée",
    "median": "médiane",
    "direct_fte": "emplois directs (ETP)",
    "direct_fte (blue: parameter at low end, orange: at high end)": (
        "emplois directs (ETP) (bleu : borne basse, orange : borne haute)"
    ),
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
max-width:1100px;margin:2em auto;padding:0 1.5em;line-height:1.45}
h1{color:#2a7f62;border-bottom:3px solid #2a7f62;padding-bottom:.2em}
h2{color:#2a7f62;border-bottom:1px solid #ccc;margin-top:2em}
h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .6em;vertical-align:top}
th{background:#eef5f1;text-align:left}
td.n{text-align:right;white-space:nowrap}
tr:nth-child(even) td{background:#fafafa}
.range{display:block;color:#666;font-size:.8em;white-space:normal}
.note{color:#555;font-size:.9em}
.warn{background:#fff4e5;border-left:4px solid #e69f00;padding:.5em 1em}
.ok{background:#eaf6ef;border-left:4px solid #2a7f62;padding:.5em 1em}
.bad{background:#fdecea;border-left:4px solid #c0392b;padding:.5em 1em}
.chart svg{max-width:100%;height:auto}
nav ol{columns:2}
td.src{font-size:.85em;max-width:28em}
.scroll{overflow-x:auto}
"""


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
        self.t = _TEXT[lang]
        self.years = [int(y) for y in results.summary["year"].to_list()]

    # -- formatting -----------------------------------------------------------------------

    def num(self, value: object, digits: int = 0) -> str:
        """A number in the report's language: ``1 234,5`` (fr) or ``1,234.5`` (en)."""
        return _format_number(value, digits, self.lang)

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
        if code is None:
            return escape(self.t["new_capacity"])
        name = DEPARTEMENTS.get(str(code))
        return escape(f"{code} {name}" if name else str(code))

    def level(self, code: str) -> str:
        pairs = dict(p.split("=", 1) for p in self.t["levels"].split(","))
        return escape(pairs.get(code, code))

    # -- building blocks ------------------------------------------------------------------

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        numeric_from: int = 1,
        numeric: Collection[int] | None = None,
    ) -> str:
        """An HTML table; ``header`` is plain text (escaped here), cells are HTML. Columns
        from ``numeric_from`` on (or those in ``numeric``) are right-aligned numbers."""
        head = "".join(f"<th>{escape(h)}</th>" for h in header)

        def is_number(i: int) -> bool:
            return i in numeric if numeric is not None else i >= numeric_from

        body = "".join(
            "<tr>"
            + "".join(
                f"<td class='n'>{c}</td>" if is_number(i) else f"<td>{c}</td>"
                for i, c in enumerate(r)
            )
            + "</tr>"
            for r in rows
        )
        return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"

    def chart(self, make: Callable[[], Figure]) -> str:
        """A figure as inline SVG, or a note saying why it is missing."""
        try:
            fig = make()
            if self.lang == "fr":
                _translate(fig)
            return f"<div class='chart'>{_svg(fig)}</div>"
        except Exception as err:  # a chart must not stop the report
            return self.note(self.t["chart_failed"].format(reason=_reason(err)), "warn")

    def note(self, text: str, kind: str = "note") -> str:
        return f"<p class='{kind}'>{escape(text)}</p>"

    def quantile(self, metric: str, year: int) -> tuple[float, float, float] | None:
        q = self.quantiles
        if q is None:
            return None
        row = q.filter((pl.col("year") == year) & (pl.col("metric") == metric))
        if row.height == 0:
            return None
        return float(row["p5"][0]), float(row["p50"][0]), float(row["p95"][0])

    # -- sections -------------------------------------------------------------------------

    def build(self) -> str:
        self.quantiles: pl.DataFrame | None = None
        if self.dist is not None:
            try:
                self.quantiles = self.dist.quantiles()
            except Exception:  # ranges are optional
                self.quantiles = None
        sections: list[tuple[str, str, Callable[[], str]]] = [
            ("summary", self.t["summary"], self.summary),
            ("demand", self.t["demand"], self.demand),
            ("allocation", self.t["allocation"], self.allocation),
            ("schedule", self.t["schedule"], self.schedule),
            ("costs", self.t["costs"], self.costs),
            ("jobs", self.t["jobs"], self.jobs),
            ("sensitivity", self.t["sensitivity"], self.sensitivity),
            ("uncertainty", self.t["uncertainty"], self.uncertainty),
            ("assumptions", self.t["assumptions"], self.assumptions),
            ("quality", self.t["quality"], self.quality),
        ]
        parts = []
        toc = []
        for i, (anchor, title, make) in enumerate(sections, start=1):
            try:
                body = make()
            except Exception as err:  # a section must not stop the report
                body = self.note(self.t["unavailable"].format(reason=_reason(err)), "warn")
            toc.append(f"<li><a href='#{anchor}'>{escape(title)}</a></li>")
            parts.append(f"<section id='{anchor}'><h2>{i}. {escape(title)}</h2>{body}</section>")
        study = self.study
        header = (
            f"<h1>{escape(self.t['title'])} — {escape(study.name)}</h1>"
            + (f"<p><em>{escape(study.description)}</em></p>" if study.description else "")
            + self.note(self.t["generated"].format(version=_core.__version__))
            + f"<nav><h2>{escape(self.t['toc'])}</h2><ol>{''.join(toc)}</ol></nav>"
        )
        title = escape(f"{self.t['title']} — {study.name}")
        return (
            f"<!DOCTYPE html>\n<html lang='{self.lang}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body>"
            f"{header}{''.join(parts)}"
            f"<footer><p class='note'>{escape(self.t['glossary'])}</p></footer>"
            "</body></html>\n"
        )

    def summary(self) -> str:
        t, s = self.t, self.results.summary
        rows = list(s.iter_rows(named=True))
        out = []
        late = [r for r in rows if not r["on_time"]]
        first, last = rows[0], rows[-1]
        out.append(
            self.note(
                t["verdict_numbers"].format(
                    span=(
                        str(first["year"])
                        if first["year"] == last["year"]
                        else f"{first['year']}–{last['year']}"
                    ),
                    last=last["year"],
                    pieces=self.num(float(s["pieces"].sum())),
                    budget=self.eur(float(s["budget_eur"].sum())),
                    fte=self.count(last["direct_fte"]),
                    ind=self.count(last["jobs_indirect"]),
                    induced=self.count(last["jobs_induced"]),
                ),
                "",
            )
        )
        if late:
            years = ", ".join(str(r["year"]) for r in late)
            n = max(int(r["hiring_needed_for_deadline"]) for r in rows)
            out.append(self.note(t["verdict_late"].format(years=years, n=self.num(n)), "bad"))
        else:
            out.append(self.note(t["verdict_ok"], "ok"))

        def cell(central: str, metric: str | None, year: int, fmt: Callable[[float], str]) -> str:
            q = self.quantile(metric, year) if metric else None
            if q is None or q[0] == q[2]:
                return central
            lo, mid, hi = (fmt(v) for v in q)
            span = escape(t["range"].format(lo=lo, hi=hi, mid=mid))
            return f"{central}<span class='range'>{span}</span>"

        def on_time(r: dict[str, Any]) -> str:
            text = escape(t["yes"] if r["on_time"] else t["no"])
            if self.dist is not None:
                draws = self.dist.draws.filter(pl.col("year") == r["year"])["on_time"]
                if draws.len():
                    mean = draws.cast(pl.Float64).mean()
                    share = self.pct(float(mean) if isinstance(mean, int | float) else 0.0)
                    span = escape(t["share_on_time"].format(share=share))
                    text += f"<span class='range'>{span}</span>"
            return text

        def late_by(r: dict[str, Any]) -> str:
            if r["on_time"]:
                return "0"
            if r["delivered"] is None or r["deadline"] is None:
                return escape(t["never"])
            days = (r["delivered"] - r["deadline"]).days
            # Not on time, yet the last delivery falls on the deadline's day: the work left
            # over is less than a day's (the day-by-day schedule rounds it into the last day).
            return self.num(days) if days > 0 else "&lt; 1"

        indicators: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
            ("pieces", lambda r: cell(self.num(r["pieces"]), "pieces", r["year"], self.num)),
            (
                "budget",
                lambda r: cell(self.eur(r["budget_eur"]), "budget_eur", r["year"], self.eur),
            ),
            (
                "cost_per_kit",
                lambda r: cell(
                    f"{self.num(r['cost_per_kit_eur'], 2)} €",
                    "cost_per_kit_eur",
                    r["year"],
                    lambda v: f"{self.num(v, 2)} €",
                ),
            ),
            (
                "direct_fte",
                lambda r: cell(self.count(r["direct_fte"]), "direct_fte", r["year"], self.count),
            ),
            (
                "jobs_indirect",
                lambda r: cell(
                    self.count(r["jobs_indirect"]), "jobs_indirect", r["year"], self.count
                ),
            ),
            (
                "jobs_induced",
                lambda r: cell(
                    self.count(r["jobs_induced"]), "jobs_induced", r["year"], self.count
                ),
            ),
            ("offered_fte", lambda r: self.num(r["offered_fte"])),
            ("on_time", on_time),
            ("late_by", late_by),
            ("to_hire", lambda r: self.num(r["hiring_needed_for_deadline"])),
        ]
        header = [t["indicator"], *(str(r["year"]) for r in rows)]
        body = [[escape(t[key]), *(fmt(r) for r in rows)] for key, fmt in indicators]
        out.append(self.table(header, body))
        if self.dist is not None and self.quantiles is not None:
            n = self.dist.draws["draw"].n_unique()
            out.append(self.note(t["mc_note"].format(n=self.num(n), seed=self.dist.seed)))
        else:
            out.append(self.note(t["mc_missing"], "warn"))
        return "".join(out)

    def demand(self) -> str:
        t, d = self.t, self.results.demand
        out = [f"<h3>{escape(t['demand_by_level'])}</h3>"]
        by_level = d.group_by("year", "level").agg(pl.col("pieces").sum(), pl.col("kits").sum())
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
        pairs = dict(p.split("=", 1) for p in t["levels"].split(","))
        header = [t["year"], *(pairs.get(lv, lv) for lv in levels), t["total"]]
        out.append(self.table(header, rows))
        out.append(f"<h3>{escape(t['demand_by_dep'])}</h3>")
        by_dep = d.group_by("departement", "year").agg(pl.col("pieces").sum())
        rows = []
        for dep in sorted(by_dep["departement"].unique().to_list()):
            sub = by_dep.filter(pl.col("departement") == dep)
            values = {r["year"]: r["pieces"] for r in sub.iter_rows(named=True)}
            rows.append([self.dep(dep), *(self.num(values.get(y, 0.0)) for y in self.years)])
        out.append(self.table([t["departement"], *map(str, self.years)], rows))
        return "".join(out)

    def allocation(self) -> str:
        t, r = self.t, self.results
        y = self.years[-1]
        out = [self.note(t["alloc_intro"], "")]
        alloc = r.allocation.filter(pl.col("year") == y)
        products = sorted(alloc["product"].unique().to_list())
        by_dep = alloc.group_by("workshop_departement", "product").agg(pl.col("pieces").sum())
        total = float(alloc["pieces"].sum()) or 1.0
        deps = sorted(
            by_dep["workshop_departement"].unique().to_list(), key=lambda v: (v is None, v)
        )
        rows = []
        for dep in deps:
            sub = by_dep.filter(
                pl.col("workshop_departement").is_null()
                if dep is None
                else pl.col("workshop_departement") == dep
            )
            values = {row["product"]: row["pieces"] for row in sub.iter_rows(named=True)}
            s = sum(values.values())
            rows.append(
                [
                    self.dep(dep),
                    *(self.num(values.get(p, 0.0)) for p in products),
                    self.num(s),
                    self.pct(s / total),
                ]
            )
        out.append(f"<h3>{escape(t['alloc_by_dep'].format(year=y))}</h3>")
        out.append(self.table([t["departement"], *products, t["total"], t["share"]], rows))
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
        out.append(f"<h3>{escape(t['utilisation_by_dep'].format(year=y))}</h3>")
        out.append(
            self.table(
                [
                    t["departement"],
                    t["workshops"],
                    t["operators"],
                    t["hired"],
                    t["trainees"],
                    t["utilisation"],
                ],
                rows,
            )
        )
        out.append(f"<h3>{escape(t['shadow_title'].format(year=y))}</h3>")
        out.append(self.note(t["shadow_intro"], ""))
        names = _workshop_names(self.study)
        top = (
            cap.filter(
                (pl.col("shadow_eur_per_min") > 1e-9) & (pl.col("workshop_id") != NEW_CAPACITY)
            )
            .sort("shadow_eur_per_min", descending=True)
            .head(10)
        )
        if top.height:
            rows = [
                [
                    escape(str(row["workshop_id"])),
                    escape(names.get(str(row["workshop_id"]), "")),
                    self.dep(row["departement"]),
                    self.num(row["pieces"]),
                    self.pct(row["utilisation"]),
                    self.num(row["shadow_eur_per_min"], 2),
                ]
                for row in top.iter_rows(named=True)
            ]
            out.append(
                self.table(
                    [
                        t["workshop"],
                        t["name"],
                        t["departement"],
                        t["pieces"],
                        t["utilisation"],
                        t["shadow"],
                    ],
                    rows,
                    numeric_from=3,
                )
            )
        else:
            out.append(self.note(t["no_shadow"].format(year=y)))
        unmet = r.unmet.group_by("year").agg(
            pl.col("pieces").sum(), pl.col("marginal_cost_eur").mean()
        )
        rows = [
            [str(row["year"]), self.num(row["pieces"]), self.num(row["marginal_cost_eur"], 2)]
            for row in unmet.sort("year").iter_rows(named=True)
        ]
        out.append(f"<h3>{escape(t['unmet'])}</h3>")
        out.append(self.table([t["year"], t["pieces"], t["marginal"]], rows))
        out.append(f"<h3>{escape(t['capacity_chart'])}</h3>")
        out.append(self.chart(r.plot.capacity))
        return "".join(out)

    def schedule(self) -> str:
        t, s = self.t, self.results.summary
        out = [self.note(t["sched_intro"].format(top=GANTT_ROWS), "")]
        rows = [
            [
                str(row["year"]),
                self.day(row["order_date"]),
                self.day(row["deadline"]),
                self.day(row["delivered"]),
                self.num(row["makespan_days"]),
                escape(t["yes"] if row["on_time"] else t["no"]),
                self.num(row["hiring_needed_for_deadline"]),
            ]
            for row in s.iter_rows(named=True)
        ]
        out.append(
            self.table(
                [
                    t["year"],
                    t["order_date"],
                    t["deadline"],
                    t["delivered"],
                    t["makespan"],
                    t["on_time"],
                    t["to_hire"],
                ],
                rows,
            )
        )
        for y in self.years:
            out.append(f"<h3>{y}</h3>")
            out.append(self.chart(partial(self.gantt, y)))
        return "".join(out)

    def gantt(self, year: int) -> Figure:
        """The Gantt chart of one year, legend outside the bars, months in the language."""
        from matplotlib.ticker import FuncFormatter

        fig = _retitle(
            self.results.plot.gantt(year, top=GANTT_ROWS), f"{self.t['schedule']} {year}"
        )
        ax = fig.axes[0]
        legend = ax.get_legend()
        if legend is not None:
            handles = [h for h in legend.legend_handles if h is not None]
            labels = [text.get_text() for text in legend.get_texts()]
            legend.remove()
            ax.legend(
                handles,
                labels,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.06),
                ncol=3,
                fontsize=7,
                frameon=False,
            )
        ticks = [text.get_text() for text in ax.get_yticklabels()]
        if NEW_CAPACITY in ticks:
            new = f"({self.t['new_capacity'].lower()})"
            ax.set_yticks(
                ax.get_yticks(), [new if x == NEW_CAPACITY else x for x in ticks], fontsize=7
            )
        if self.lang == "fr":
            from matplotlib.dates import num2date

            def month(x: float, _pos: int) -> str:
                d = num2date(x)  # type: ignore[no-untyped-call]
                return f"{d.day} {_MONTHS_FR[d.month - 1]}"

            ax.xaxis.set_major_formatter(FuncFormatter(month))
        return fig

    def costs(self) -> str:
        t, c = self.t, self.results.costs
        items = [
            "fabric_eur",
            "trims_eur",
            "packaging_eur",
            "labour_eur",
            "overhead_eur",
            "personalisation_eur",
            "logistics_eur",
            "cost_eur",
            "margin_eur",
            "price_ht_eur",
            "vat_eur",
            "price_ttc_eur",
        ]
        kits = c.filter(pl.col("unit") == "kit").sort("year")
        by_year = {int(r["year"]): r for r in kits.iter_rows(named=True)}
        rows = [
            [
                f"<b>{escape(t[item])}</b>"
                if item in ("cost_eur", "price_ttc_eur")
                else escape(t[item]),
                *(self.num(by_year[y][item], 2) if y in by_year else "—" for y in self.years),
            ]
            for item in items
        ]
        out = [
            self.note(t["costs_intro"], ""),
            self.table([t["cost_item"], *map(str, self.years)], rows),
        ]
        y = self.years[-1]
        pieces = c.filter((pl.col("unit") == "piece") & (pl.col("year") == y)).sort("product")
        rows = [
            [
                escape(str(r["product"])),
                self.num(r["quantity"]),
                self.num(r["price_ht_eur"], 2),
                self.num(r["price_ttc_eur"], 2),
                self.eur(r["total_ttc_eur"]),
            ]
            for r in pieces.iter_rows(named=True)
        ]
        out.append(f"<h3>{escape(t['per_piece'].format(year=y))}</h3>")
        out.append(
            self.table(
                [t["product"], t["pieces"], t["price_ht_eur"], t["price_ttc_eur"], t["total"]], rows
            )
        )
        return "".join(out)

    def jobs(self) -> str:
        t, r = self.t, self.results
        out = [self.note(t["jobs_intro"], "")]
        keys = [
            ("direct_fte", "direct_fte", 0),
            ("offered_fte", "offered_fte", 0),
            ("hiring_gap", "hiring_gap_fte", 0),
            ("jobs_direct_io", "jobs_direct", 0),
            ("jobs_indirect", "jobs_indirect", 0),
            ("jobs_induced", "jobs_induced", 0),
            ("jobs_total", "jobs_total", 0),
        ]
        summary = {int(row["year"]): row for row in r.summary.iter_rows(named=True)}
        rows = [
            [escape(t[label]), *(self.count(summary[y][col]) for y in self.years)]
            for label, col, _ in keys
        ]
        best = [
            summary[y]["direct_fte"] + summary[y]["jobs_indirect"] + summary[y]["jobs_induced"]
            for y in self.years
        ]
        rows.append(
            [f"<b>{escape(t['jobs_best'])}</b>", *(f"<b>{self.count(v)}</b>" for v in best)]
        )
        out.append(self.table([t["indicator"], *map(str, self.years)], rows))
        out.append(f"<h3>{escape(t['jobs_by_dep'])}</h3>")
        jd = r.jobs_by_departement
        rows = []
        for dep in sorted(jd["departement"].unique().to_list(), key=lambda v: (v is None, v)):
            sub = jd.filter(
                pl.col("departement").is_null() if dep is None else pl.col("departement") == dep
            )
            values = {row["year"]: row["fte"] for row in sub.iter_rows(named=True)}
            rows.append([self.dep(dep), *(self.num(values.get(y, 0.0), 1) for y in self.years)])
        out.append(self.table([t["departement"], *map(str, self.years)], rows))
        return "".join(out)

    def sensitivity(self) -> str:
        from filiere.plot import tornado

        t = self.t
        full = self.tornado_frame
        if full is None:
            full = self.study.sensitivity("tornado", metric="direct_fte")
        y = int(full["year"][0])
        frame = full.filter(pl.col("swing") > 0)
        if frame.height == 0:
            frame = full
        out = [self.note(t["sens_intro"].format(year=y), "")]
        out.append(
            self.chart(
                lambda: _retitle(tornado(frame), f"{t['sensitivity']} — {t['direct_fte']} ({y})")
            )
        )
        rows = [
            [
                escape(str(row["parameter"])),
                self.num(row["low"], _digits(row["low"])),
                self.num(row["high"], _digits(row["high"])),
                self.num(row["direct_fte_at_low"], 1),
                self.num(row["direct_fte_at_high"], 1),
                self.num(row["swing"], 1),
            ]
            for row in frame.head(10).iter_rows(named=True)
        ]
        if rows:
            out.append(
                self.table(
                    [
                        t["parameter"],
                        t["low"],
                        t["high"],
                        f"{t['direct_fte']} ({t['low']})",
                        f"{t['direct_fte']} ({t['high']})",
                        t["swing"],
                    ],
                    rows,
                )
            )
        return "".join(out)

    def uncertainty(self) -> str:
        t = self.t
        if self.dist is None:
            return self.note(t["mc_missing"], "warn")
        dist = self.dist
        out = [self.note(t["fan_intro"], "")]
        out.append(self.chart(lambda: _retitle(dist.plot.fan("direct_fte"), t["direct_fte"])))
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
            out.append(self.table([t["year"], "P5", "P50", "P95"], rows))
        return "".join(out)

    def assumptions(self) -> str:
        t = self.t
        params = self.study.parameters.sort("name")
        rows = [
            [
                f"<code>{escape(str(r['name']))}</code>",
                self.num(r["value"], _digits(r["value"])),
                escape(str(r["unit"] or "")),
                self.num(r["low"], _digits(r["low"])),
                self.num(r["high"], _digits(r["high"])),
                escape(str(r["distribution"] or "")),
                escape(str(r["description"] or "")),
                f"<span class='src'>{escape(str(r['source'] or ''))}</span>",
            ]
            for r in params.iter_rows(named=True)
        ]
        head = [
            t["parameter"],
            t["value"],
            t["unit"],
            t["low"],
            t["high"],
            t["distribution"],
            t["description"],
            t["source"],
        ]
        out = [self.note(t["assumptions_intro"], ""), self.table(head, rows, numeric={1, 3, 4})]
        scenario = self.study.scenario
        rows = [[escape(str(k)), escape(_plain(v))] for k, v in scenario.items()]
        out.append(f"<h3>{escape(t['scenario'])}</h3>")
        out.append(self.table([t["parameter"], t["value"]], rows, numeric_from=99))
        return "".join(out)

    def quality(self) -> str:
        t = self.t
        out = [self.note(t["quality_intro"], "")]
        rows: list[list[str]] = []
        details: list[str] = []
        for kind, source in sorted(self.study.sources.items()):
            check = (self.validation or {}).get(kind) or check_source(kind, source)
            status, problems = _status(check, source == kind, t), check["problems"]
            rows.append([escape(kind), escape(source), escape(status)])
            if problems:
                details.append(f"<h3>{escape(source)}</h3>")
                details.append(
                    self.table(
                        [t["row"], t["column"], t["value"], t["message"]],
                        [
                            [
                                escape("" if p["row"] is None else str(p["row"])),
                                escape(p["column"] or ""),
                                escape(p["value"] or ""),
                                escape(p["message"]),
                            ]
                            for p in problems
                        ],
                        numeric_from=99,
                    )
                )
        out.append(f"<h3>{escape(t['inputs'])}</h3>")
        out.append(self.table([t["table"], t["file"], t["status"]], rows, numeric_from=99))
        out.extend(details)
        workshops = self.study.workshops
        n = workshops.height
        missing = [
            (c, workshops[c].null_count()) for c in workshops.columns if workshops[c].null_count()
        ]
        out.append(f"<h3>{escape(t['missing_title'].format(n=self.num(n)))}</h3>")
        if missing:
            out.append(
                self.table(
                    [t["column"], t["missing"], t["share"]],
                    [
                        [f"<code>{escape(c)}</code>", self.num(k), self.pct(k / n)]
                        for c, k in missing
                    ],
                )
            )
        else:
            out.append(self.note(t["no_missing"]))
        return "".join(out)


def _format_number(value: object, digits: int, lang: str) -> str:
    if value is None or isinstance(value, bool):
        return "—"
    if not isinstance(value, int | float):
        return escape(str(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if lang == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def _digits(value: object) -> int:
    """Decimals enough to show a parameter value (up to 4)."""
    if not isinstance(value, int | float) or not math.isfinite(value) or value == int(value):
        return 0
    for d in range(1, 5):
        if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value)):
            return d
    return 4


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "—"
    return str(value)


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _workshop_names(study: Study) -> dict[str, str]:
    frame = study.workshops
    if "name" not in frame.columns:
        return {}
    return {
        str(i): str(n or "")
        for i, n in zip(frame["workshop_id"].to_list(), frame["name"].to_list(), strict=True)
    }


class SourceCheck(TypedDict):
    """One input file validated again for the data-quality annex (JSON-serialisable)."""

    #: ``bundled``, ``missing`` (no such file), ``error`` (unreadable), ``checked``.
    state: str
    #: The reason when ``state`` is ``error``.
    reason: str
    #: The problems :func:`filiere._core.validate_file` found.
    problems: list[Problem]


def check_source(kind: str, source: str) -> SourceCheck:
    """Validate one input file again for the data-quality annex."""
    if source.startswith("example:"):
        return {"state": "bundled", "reason": "", "problems": []}
    path = Path(source)
    if not path.is_file():
        return {"state": "missing", "reason": "", "problems": []}
    try:
        problems = list(_core.validate_file(str(path), kind))
    except FiliereError as err:
        return {"state": "error", "reason": _reason(err), "problems": []}
    return {"state": "checked", "reason": "", "problems": problems}


def _status(check: SourceCheck, in_memory: bool, t: dict[str, str]) -> str:
    if check["state"] == "bundled":
        return t["bundled"]
    if check["state"] == "missing":
        return t["in_memory"] if in_memory else t["not_found"]
    if check["state"] == "error":
        return check["reason"]
    n = len(check["problems"])
    return t["problems"].format(n=n) if n else t["no_problem"]


def _retitle(fig: Figure, title: str) -> Figure:
    if fig.axes:
        fig.axes[0].set_title(title)
    return fig


def _translate(fig: Figure) -> None:
    """Put the plots' English labels into French."""
    for ax in fig.axes:
        for text in (ax.xaxis.label, ax.yaxis.label):
            text.set_text(_PLOT_FR.get(text.get_text(), text.get_text()))
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_text(_PLOT_FR.get(text.get_text(), text.get_text()))
        for text in ax.texts:
            text.set_text(_PLOT_FR.get(text.get_text(), text.get_text()))


_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _svg(fig: Figure) -> str:
    """A figure as an ``<svg>`` element: text drawn as paths, no prolog, metadata or
    comments, so it embeds in HTML without any external reference."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "filiere"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = _PROLOG.sub("", buf.getvalue(), count=1)
    text = _METADATA.sub("", text)
    return _COMMENT.sub("", text)


def build_report(
    study: Study,
    results: Results,
    distribution: Distribution | None = None,
    lang: str = "fr",
    *,
    sensitivity: pl.DataFrame | None = None,
    validation: Mapping[str, SourceCheck] | None = None,
) -> str:
    """The feasibility report of a study, as one self-contained HTML page.

    Sections: executive summary (with P5–P50–P95 ranges when ``distribution`` is given),
    demand, capacity and allocation (utilisation, shadow prices), production schedule
    (Gantt charts), costs, jobs (direct, input-output indirect and induced, by
    département), sensitivity (tornado chart of direct jobs), uncertainty (fan chart),
    every assumption with its source, and a data-quality annex (the input files checked
    again, the survey's missing answers). A section whose data is missing or whose
    computation fails says so; it does not stop the report. Every string read from the
    input files is HTML-escaped.

    Parameters
    ----------
    study : Study
        The study.
    results : Results
        ``study.run()``.
    distribution : Distribution, optional
        ``study.monte_carlo(n, seed=...)``, for the ranges and the fan chart; without it
        the report says the ranges were not computed.
    lang : {"fr", "en"}, default "fr"
        Language of the text and of the number format (``1 234,5`` or ``1,234.5``).
    sensitivity : polars.DataFrame, optional
        ``study.sensitivity("tornado", metric="direct_fte")`` if already computed
        (:mod:`filiere.pipeline` caches it); computed here otherwise.
    validation : mapping of str to SourceCheck, optional
        :func:`check_source` of each input table, by kind, if already computed.

    Returns
    -------
    str
        The HTML page (UTF-8 text, charts inline as SVG, CSS embedded).

    Raises
    ------
    ValueError
        For an unknown ``lang``.

    Examples
    --------
    >>> import filiere as fl
    >>> from filiere.report import build_report
    >>> pilot = fl.Study.example("aura-pilot")
    >>> html = build_report(pilot, pilot.run(), lang="en")
    >>> "Executive summary" in html and "15,000" in html
    True
    """
    if lang not in _TEXT:
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    return _Report(study, results, distribution, lang, sensitivity, validation).build()
