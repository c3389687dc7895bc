"""The feasibility report: one self-contained HTML page (French by default) that explains a
study's results to a reader who does not run the code.

``filiere run ... --out DIR`` writes it as ``DIR/report.html``; from Python::

    html = build_report(study, study.run(), study.monte_carlo(20_000, seed=1))

The package holds:

- ``templates/``: the page as Jinja2 templates (``report.html.j2``, one template per
  section in ``sections/``, the tables and notes in ``macros.html.j2``, the stylesheet
  ``report.css``), rendered with automatic escaping: every string read from the inputs
  is HTML-escaped; only the charts, matplotlib's own SVG, go in as they are.
- ``strings/fr.toml`` and ``strings/en.toml``: every sentence and word of the page, keyed,
  one file per language. Names and units of result columns come from the outputs
  registry (:mod:`filiere.outputs`), parameter descriptions from the parameter table
  (``description_fr`` in French).
- ``_build.py``: the figures of each section, formatted in the report's language.

The page has no external resource: the CSS is embedded and the charts are inline SVG drawn
with matplotlib (:mod:`filiere.plot`, with the report's labels). Input files are named
relative to the study's folder, never by an absolute path. A section whose data is
missing (Monte Carlo not computed) or whose computation fails says so instead of stopping
the report.
"""

# ruff: noqa: RUF002 - French and English typography (en dashes) is intended
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from filiere.report._build import render
from filiere.report._checks import SourceCheck, check_source
from filiere.report._text import LANGUAGES

if TYPE_CHECKING:
    import polars as pl

    from filiere.results import Results
    from filiere.study import Study
    from filiere.uncertainty import Distribution

__all__ = ["LANGUAGES", "SourceCheck", "build_report", "check_source"]


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

    Sections: executive summary (when ``distribution`` is given, every figure with its
    P5–P50–P95 across the draws: pieces, budget, cost per kit, direct FTE, indirect,
    induced, gross and net jobs, operators to recruit for the rentrée, late pieces and
    days; and the probability of being on time each year, from
    :meth:`~filiere.uncertainty.Distribution.probability_on_time`; the late years, their
    late pieces and days), demand, capacity and allocation (where the pieces come from,
    year by year and as a chart; what one more minute of capacity is worth, in euros, or
    why no price is shown in a late year; utilisation, the most constrained workshops),
    production schedule (Gantt charts), the order date as a decision (the study run at
    13, 26, 39 and 52 weeks and at its own lead time, :meth:`~filiere.Study.order_curve`:
    a chart of the operators to recruit and the days late, and one sentence per year and
    lead time; the lead time used and whether it is an assumption), costs, jobs (direct,
    input-output indirect and induced, by département), sensitivity (tornado chart of
    direct jobs with the allocation re-solved, catalog minutes and order date included),
    uncertainty (fan chart),
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
        ``study.monte_carlo(n, seed=...)`` (exact draws by default), for the ranges, the
        probability of being on time and the fan chart; without it the report says the
        ranges were not computed.
    lang : {"fr", "en"}, default "fr"
        Language of the text and of the number format (``1 234,5`` or ``1,234.5``).
    sensitivity : polars.DataFrame, optional
        ``study.sensitivity("tornado", metric="direct_fte", resolve_allocation=True)`` if
        already computed (:mod:`filiere.pipeline` caches it); computed here otherwise.
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
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    return render(study, results, distribution, lang, sensitivity, validation)
