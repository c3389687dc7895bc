"""The feasibility report (report.html): sections, numbers, charts, escaping, degradation."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from markupsafe import escape

import filiere as fl
from filiere import report
from filiere.cli import main
from filiere.report import SourceCheck, _build, build_report
from filiere.report._checks import display_paths
from filiere.report._text import text

from .conftest import DATA

SECTIONS = {
    "fr": [
        "Synthèse",
        "Demande",
        "Capacités et répartition",
        "Calendrier de production",
        "La date de commande, une décision à prendre",
        "Coûts",
        "Emplois",
        "Bilan pour la Région et les finances publiques",
        "Sensibilité",
        "Incertitude",
        "Hypothèses et sources",
        "Annexe : qualité des données",
    ],
    "en": [
        "Executive summary",
        "Demand",
        "Capacity and allocation",
        "Production schedule",
        "The order date, a decision to make",
        "Costs",
        "Jobs",
        "Balance for the Région and public finances",
        "Sensitivity",
        "Uncertainty",
        "Assumptions and sources",
        "Annex: data quality",
    ],
}

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_SOURCE = 'Insee "Flash" n°139 & <b>co</b>'


@pytest.fixture(scope="module")
def pilot_run() -> tuple[fl.Study, fl.Results, fl.Distribution]:
    study = fl.Study.example("aura-pilot")
    return study, study.run(), study.monte_carlo(500, seed=1)


def _external_refs(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_sections_numbers_and_charts(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution], lang: str
) -> None:
    study, results, dist = pilot_run
    html = build_report(study, results, dist, lang=lang)
    assert html.startswith("<!DOCTYPE html>")
    assert "<meta charset='utf-8'>" in html
    assert f"<html lang='{lang}'>" in html
    for title in SECTIONS[lang]:
        assert f". {title}" in html, title
    # the pilot's 15,000 pieces, formatted in the report's language
    assert ("15\u00a0000" if lang == "fr" else "15,000") in html
    # the cost per kit of the central run, with decimals in the language
    cost = float(results.summary["cost_per_kit_eur"][0])
    central = f"{cost:,.2f}"
    assert (central.replace(",", "\u00a0").replace(".", ",") if lang == "fr" else central) in html
    # ranges from the Monte Carlo draws, charts inline
    assert "P5 " in html and "P95 " in html
    assert html.count("<svg") >= 5  # capacity, Gantt, balance waterfall, tornado, fan
    # the balance's closing note with its Monte Carlo ranges
    closing = "En résumé, pour" if lang == "fr" else "In short, for"
    assert closing in html and "P5\u2013P95" in html.split(closing, 1)[1][:600]
    assert "<?xml" not in html
    assert not _external_refs(html)
    assert "<script" not in html.lower()
    assert "non disponible" not in html and "not available" not in html


def _text(html: str) -> str:
    """The page's text: charts, style and tags removed, entities and spaces resolved."""
    from html import unescape

    html = re.sub(r"<svg.*?</svg>|<style>.*?</style>", " ", html, flags=re.DOTALL)
    # Collapse white space but keep the no-break spaces of French numbers.
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_french_report_shows_sourcing_prices_and_the_late_year(
    aura: fl.Study, aura_results: fl.Results
) -> None:
    r = aura_results
    html = build_report(aura, r, None, lang="fr")
    page = _text(html)
    allocation = page.split("3. Capacités et répartition", 1)[1].split("4. Calendrier", 1)[0]
    # The sourcing table: one row per year, pieces by source, total and local content.
    assert "Provenance des pièces" in allocation
    header = (
        "Année Pièces des ateliers enquêtés Pièces de la capacité nouvelle Pièces importées "
        "Pièces en retard Total Part fabriquée en région"
    )
    assert header in allocation
    split = r.summary.filter(pl.col("year") == 2028).row(0, named=True)
    late = f"{split['unmet_pieces']:,.0f}".replace(",", "\u00a0")
    row_2028 = " ".join(
        f"{split[c]:,.0f}".replace(",", "\u00a0")
        for c in ("pieces_surveyed", "pieces_new_regional", "pieces_imported", "unmet_pieces")
    )
    assert f"2028 {row_2028} 7\u00a0500\u00a0000 100 %" in allocation
    # 2028 is late: how many pieces, by how many days, and why no price is shown.
    assert split["late_days"] == 150
    sentence = (
        f"En 2028, {late} pièces sont en retard : aucune source ne peut les livrer avant la "
        "rentrée, et la dernière arriverait 150 jours après. Aucun prix n'est donné pour "
        "2028 : c'est la capacité, pas l'argent, qui manque"
    )
    assert sentence in allocation
    assert f"Toutes les pièces n'arrivent pas avant la rentrée. En 2028, {late} pièces" in page
    # On-time years: the dearest minute, in euros, against the next-cheapest source.
    for year in (2026, 2027, 2029):
        assert f"En {year}, une minute de capacité de plus ferait économiser" in allocation
    assert "par rapport à la source suivante la moins chère" in allocation
    # No price set by the engine's internal penalty, and no penalty at all, is shown.
    assert "pénalité" not in page.lower() and "nan" not in page.lower().split()
    assert "Capacité régionale nouvelle" in allocation  # its row in the allocation table
    assert html.count("<svg") >= 2  # the sourcing and capacity charts at least


def test_report_without_draws_says_ranges_not_computed(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution],
) -> None:
    study, results, _ = pilot_run
    fr = build_report(study, results, None)
    assert "Fourchettes non calculées" in fr
    assert "P50 " not in fr
    en = build_report(study, results, None, lang="en")
    assert "Ranges not computed" in en
    for title in SECTIONS["en"]:
        assert f". {title}" in en


def test_report_degrades_when_a_section_fails(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution], monkeypatch: pytest.MonkeyPatch
) -> None:
    study, results, dist = pilot_run

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(fl.Study, "sensitivity", broken)
    monkeypatch.setattr(type(results.plot), "gantt", broken)
    html = build_report(study, results, dist, lang="en")
    assert "Section not available: RuntimeError: boom" in html
    assert "Chart not available: RuntimeError: boom" in html
    assert "Executive summary" in html and "Annex: data quality" in html


def test_report_rejects_unknown_language(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution],
) -> None:
    study, results, _ = pilot_run
    with pytest.raises(ValueError, match="lang"):
        build_report(study, results, lang="de")


def test_report_escapes_input_strings() -> None:
    pilot = fl.Study.example("aura-pilot")
    workshops = pl.read_csv(
        DATA / "aura-pilot" / "workshops.csv", schema_overrides={"departement": pl.String}
    ).with_columns(
        pl.when(pl.col("workshop_id") == "PI-001")
        .then(pl.lit(HOSTILE_NAME))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    parameters = pilot.parameters.with_columns(
        pl.when(pl.col("name") == "line_efficiency")
        .then(pl.lit(HOSTILE_SOURCE))
        .otherwise(pl.col("source"))
        .alias("source")
    )
    study = fl.Study(
        workshops,
        DATA / "aura-pilot" / "establishments.csv",
        DATA / "aura-pilot" / "catalog.csv",
        parameters,
        scenario=pilot.scenario,
        name="<i>pilot</i> & co",
        description='"quoted" <description>',
    )
    results = study.run()
    # make the hostile workshop show in the constrained-workshops table
    capacity = results.capacity.with_columns(
        pl.when(pl.col("workshop_id") == "PI-001")
        .then(1.0)
        .otherwise(pl.col("shadow_eur_per_min"))
        .alias("shadow_eur_per_min")
    )
    results = fl.Results(**{**results.tables(), "capacity": capacity}, study_name=study.name)
    html = build_report(study, results, None)
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_SOURCE not in html
    # Jinja2's autoescape (markupsafe) writes quotes as &#34;
    assert "Insee &#34;Flash&#34; n°139 &amp; &lt;b&gt;co&lt;/b&gt;" in html
    assert "&lt;i&gt;pilot&lt;/i&gt; &amp; co" in html
    assert "<i>pilot</i>" not in html
    assert "&#34;quoted&#34; &lt;description&gt;" in html
    assert "<script" not in html.lower()


def test_data_quality_annex_lists_missing_answers_and_file_problems(tmp_path: Path) -> None:
    study = fl.Study.load(DATA / "aura-pilot" / "study.toml")
    html = build_report(study, study.run(), None, lang="en")
    annex = html.split("Annex: data quality", 1)[1]
    assert "Missing survey answers (5 workshops)" in annex
    assert "hourly_cost_eur" in annex
    assert "no problem found" in annex  # the files on disk are checked again


def test_cli_writes_report_listed_in_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", "--example", "aura-pilot", "--out", str(out), "--draws", "500"]) == 0
    # 12 tables (sourcing included) x (Parquet, CSV) + 4 input copies + report.html +
    # manifest.json
    assert "wrote 30 files" in capsys.readouterr().out
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<html lang='fr'>" in html and "Synthèse" in html
    assert "500 tirages Monte Carlo" in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in manifest["files"]
    assert manifest["files"]["report.html"]["bytes"] == (out / "report.html").stat().st_size
    assert not (out / ".filiere-staging").exists()


def test_cli_report_in_english_without_draws(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", "--example", "aura-pilot", "--out", str(out), "--draws", "0"]) == 0
    fr = (out / "report.html").read_text(encoding="utf-8")
    assert "Fourchettes non calculées" in fr
    assert main(["run", "--example", "aura-pilot", "--out", str(out), "--lang", "en"]) == 0
    en = (out / "report.html").read_text(encoding="utf-8")
    assert "Executive summary" in en and "20,000 Monte Carlo draws" in en


def test_cli_rejects_negative_draws(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--example", "aura-pilot", "--draws", "-1"])
    assert exc.value.code == 2
    assert "--draws" in capsys.readouterr().err


def test_write_extra_files_are_validated(tmp_path: Path) -> None:
    results = fl.Study.example("aura-pilot").run()
    for bad in ("../x.html", "a/b.html", ".hidden", "summary.csv", "manifest.json", "COMPLETE", ""):
        with pytest.raises(ValueError):
            results.write(tmp_path, formats=["csv"], extra={bad: b"x"})
    with pytest.raises(ValueError):
        results.write(tmp_path, formats=["csv"], extra={"summary.parquet": b"x"})
    with pytest.raises(TypeError):
        results.write(tmp_path, extra={"note.txt": "text"})  # type: ignore[dict-item]
    written = results.write(tmp_path, formats=["csv"], extra={"note.txt": b"hello"})
    assert tmp_path / "note.txt" in written
    assert (tmp_path / "note.txt").read_bytes() == b"hello"
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert "note.txt" in manifest["files"]


# -- strings, templates, languages -----------------------------------------------------------


def test_both_languages_have_the_same_keys() -> None:
    fr, en = text("fr"), text("en")
    assert fr.keys() == en.keys()
    assert fr.levels.keys() == en.levels.keys()
    assert len(fr.months) == len(en.months) == 12


def test_every_string_the_report_uses_is_in_both_files() -> None:
    package = Path(report.__file__).parent
    sources = [p.read_text(encoding="utf-8") for p in package.rglob("*.j2")]
    sources += [p.read_text(encoding="utf-8") for p in package.glob("*.py")]
    used = {k for src in sources for k in re.findall(r"""\bt\(\s*["']([\w.]+)["']""", src)}
    used |= {f"sections.{name}" for name in _build.SECTIONS}
    charts = (package / "_charts.py").read_text(encoding="utf-8")  # p = t.section("plot")
    plot_keys = {f"plot.{k}" for k in re.findall(r"""\bp\[["'](\w+)["']\]""", charts)}
    assert used and plot_keys
    for lang in ("fr", "en"):
        keys = text(lang).keys()
        assert used | plot_keys <= keys, (used | plot_keys) - keys


def test_report_is_deterministic(pilot_run: tuple[fl.Study, fl.Results, fl.Distribution]) -> None:
    study, results, dist = pilot_run
    assert build_report(study, results, dist) == build_report(study, results, dist)


def test_french_report_has_no_english_parameter_description(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution],
) -> None:
    study, results, dist = pilot_run
    params = study.parameters
    assert "description_fr" in params.columns
    fr = build_report(study, results, dist, lang="fr")
    en = build_report(study, results, dist, lang="en")
    english = [d for d in params["description"].to_list() if d]
    french = [d for d in params["description_fr"].to_list() if d]
    assert english and french
    for description in english:
        assert str(escape(description)) not in fr, description
        assert str(escape(description)) in en, description
    for description in french:
        assert str(escape(description)) in fr, description


def test_departements_are_named_from_the_core(
    pilot_run: tuple[fl.Study, fl.Results, fl.Distribution],
) -> None:
    study, results, _ = pilot_run
    names = {p["departement"]: p["departement_name"] for p in fl._core.prefectures()}
    html = build_report(study, results, None, lang="en")
    codes = set(results.demand["departement"].unique().to_list())
    assert codes
    for code in codes:
        assert str(escape(f"{code} {names[code]}")) in html


def _copy_pilot(folder: Path) -> Path:
    """The pilot's study file and tables copied under ``folder`` (its parameters are
    ``../aura/parameters.csv``)."""
    shutil.copytree(DATA / "aura-pilot", folder / "aura-pilot")
    (folder / "aura").mkdir()
    shutil.copy(DATA / "aura" / "parameters.csv", folder / "aura" / "parameters.csv")
    return folder / "aura-pilot" / "study.toml"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_shows_no_absolute_path(tmp_path: Path, lang: str) -> None:
    study_file = _copy_pilot(tmp_path / "my study")
    out = tmp_path / "out"
    assert main(["run", str(study_file), "--out", str(out), "--draws", "0", "--lang", lang]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    for absolute in (str(tmp_path), str(tmp_path.resolve()), "/work/", str(Path.home())):
        assert absolute not in html
    # the input files by their path relative to the study file, checked again
    for name in ("workshops", "establishments", "catalog"):
        assert f"<td>{name}.csv</td>" in html
    assert "<td>../aura/parameters.csv</td>" in html
    assert ("aucun problème trouvé" if lang == "fr" else "no problem found") in html


def test_paths_in_problems_are_relative(tmp_path: Path) -> None:
    study_file = _copy_pilot(tmp_path / "pilot")
    study = fl.Study.load(study_file)
    workshops = study.sources["workshops"]
    broken: SourceCheck = {
        "state": "error",
        "reason": f"InputFileError: cannot read {Path(workshops).resolve()}",
        "problems": [],
    }
    checked: SourceCheck = {
        "state": "checked",
        "reason": "",
        "problems": [
            {
                "file": workshops,
                "row": 3,
                "column": "name",
                "value": "x",
                "message": f"{workshops}: duplicated",
            }
        ],
    }
    html = build_report(
        study, study.run(), None, lang="en", validation={"workshops": broken, "catalog": checked}
    )
    assert str(tmp_path) not in html and str(tmp_path.resolve()) not in html
    assert study.file == str(study_file)
    assert "InputFileError: cannot read workshops.csv" in html
    assert "workshops.csv: duplicated" in html


def test_display_paths() -> None:
    here = str(DATA / "aura-pilot" / "workshops.csv")
    shown = display_paths(
        {
            "workshops": here,
            "catalog": str(DATA / "aura-pilot" / "catalog.csv"),
            "establishments": "example:aura-pilot/establishments.csv",
            "parameters": "bundled defaults",
        }
    )
    assert shown == {
        "workshops": "workshops.csv",
        "catalog": "catalog.csv",
        "establishments": "example:aura-pilot/establishments.csv",
        "parameters": "bundled defaults",
    }
    # a file no longer on disk: its name, never the absolute path
    assert display_paths({"workshops": "/nowhere/at/all/w.csv"}) == {"workshops": "w.csv"}
    # with the study file: relative to it, `..` included
    study_file = str(DATA / "aura-pilot" / "study.toml")
    parameters = str(DATA / "aura" / "parameters.csv")
    assert display_paths({"workshops": here, "parameters": parameters}, study_file) == {
        "workshops": "workshops.csv",
        "parameters": "../aura/parameters.csv",
    }


# -- the decision figures: ranges, P(on time), the order date ---------------------------------


@pytest.fixture(scope="module")
def aura_draws(aura: fl.Study) -> fl.Distribution:
    # Few exact draws (the allocation re-solved in each): enough for ranges to show.
    return aura.monte_carlo(200, seed=1, progress=False)


@pytest.fixture(scope="module")
def aura_reports(
    aura: fl.Study, aura_results: fl.Results, aura_draws: fl.Distribution
) -> dict[str, str]:
    return {lang: build_report(aura, aura_results, aura_draws, lang=lang) for lang in ("fr", "en")}


def _section(html: str, anchor: str) -> str:
    return html.split(f"<section id='{anchor}'>", 1)[1].split("</section>", 1)[0]


def _number(value: float, lang: str) -> str:
    out = f"{value:,.0f}"
    return out.replace(",", "\u00a0") if lang == "fr" else out


def _pct(value: float, lang: str) -> str:
    return f"{_number(100 * value, lang)} %"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_aura_summary_ranges_hiring_and_probability_on_time(
    aura_results: fl.Results, aura_draws: fl.Distribution, aura_reports: dict[str, str], lang: str
) -> None:
    summary = _text(_section(aura_reports[lang], "summary"))
    q = aura_draws.quantiles(metrics=["hiring_needed_for_deadline", "direct_fte", "jobs_gross"])

    def p5_p50_p95(metric: str, year: int) -> list[str]:
        row = q.filter((pl.col("metric") == metric) & (pl.col("year") == year)).row(0, named=True)
        return [_number(row[c], lang) for c in ("p5", "p50", "p95")]

    # Hiring for the busiest rentrée (2028: 1,097 central) with its P5 and P95.
    lo, _, hi = p5_p50_p95("hiring_needed_for_deadline", 2028)
    assert lo != hi  # the exact draws re-solve the allocation: hiring varies
    if lang == "fr":
        assert f"les recrutements de cette rentrée vont de {lo} (P5) à {hi} (P95)" in summary
    else:
        assert f"recruitment for that rentrée ranges from {lo} (P5) to {hi} (P95)" in summary
    # ... and in the table, every figure with its range: hiring, direct FTE, gross jobs.
    central = aura_results.summary.filter(pl.col("year") == 2028).row(0, named=True)
    for metric in ("hiring_needed_for_deadline", "direct_fte", "jobs_gross"):
        lo, mid, hi = p5_p50_p95(metric, 2028)
        cell = f"{_number(central[metric], lang)} P5 {lo} · P50 {mid} · P95 {hi}"
        assert cell in summary, (metric, cell)
    # P(on time) per year, from Distribution.probability_on_time.
    p = {int(r["year"]): r["p_on_time"] for r in aura_draws.probability_on_time().to_dicts()}
    word = "en" if lang == "fr" else "in"
    listed = ", ".join(f"{_pct(p[y], lang)} {word} {y}" for y in sorted(p))
    if lang == "fr":
        assert (
            "Probabilité que toutes les pièces arrivent avant la rentrée (part des 200 tirages "
            f"à l'heure) : {listed}." in summary
        )
        assert f"non à l'heure dans {_pct(p[2028], lang)} des tirages" in summary
        assert "Chaque tirage refait tout le calcul" in summary
        labels = ("Emplois nets", "Retard après la rentrée")
    else:
        assert (
            "Probability that every piece arrives before the rentrée (share of the 200 draws "
            f"on time): {listed}." in summary
        )
        assert f"no on time in {_pct(p[2028], lang)} of draws" in summary
        assert "Each draw redoes the whole computation" in summary
        labels = ("Net jobs", "Delay after the rentrée")
    # Net jobs and late days carry their ranges too.
    for label in labels:
        assert re.search(re.escape(label) + r"[^P]*P5 [\d\u00a0,]+ · P50", summary), label


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_aura_order_date_section_chart_and_sentences(
    aura: fl.Study, aura_reports: dict[str, str], lang: str
) -> None:
    section_html = _section(aura_reports[lang], "order")
    assert section_html.count("<svg") == 1  # the order curve
    section = _text(section_html)
    curve = aura.order_curve([13, 26, 39, 52])
    row = curve.filter((pl.col("year") == 2028) & (pl.col("order_weeks_before_rentree") == 52))
    r = row.row(0, named=True)
    assert (r["operators_recruited_total"], r["hiring_needed_for_deadline"]) == (2_098, 1_097)
    assert r["late_days"] == 150
    total, year_hires = _number(2_098, lang), _number(1_097, lang)
    if lang == "fr":
        assert "Ce rapport retient 52 semaines : une hypothèse" in section
        assert "La Région n'a pas encore fait ce choix" in section
        assert "entre 26 et 52 semaines" in section
        sentence = (
            f"Commandé 52 semaines avant la rentrée, le programme doit recruter {total} "
            f"opérateurs d'ici la rentrée 2028 (dont {year_hires} pour cette rentrée) ; il est "
            "en retard de 150 jours"
        )
    else:
        assert "This report uses 52 weeks: an assumption" in section
        assert "The Région has not made this choice yet" in section
        assert "between 26 and 52 weeks" in section
        sentence = (
            f"Ordered 52 weeks before the rentrée, the programme must recruit {total} operators "
            f"by the 2028 rentrée ({year_hires} of them for that rentrée); it is 150 days late"
        )
    assert sentence in section
    # One sentence per year and lead time: 4 years x 4 lead times.
    assert section.count("Commandé " if lang == "fr" else "Ordered ") == 16
    # The parameter's reason, from the parameters table.
    assert "assumption: to spread 7.5 M pieces over the year" in section


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tornado_shows_the_catalog_minutes_and_the_order_date(
    aura_reports: dict[str, str], lang: str
) -> None:
    section = _text(_section(aura_reports[lang], "sensitivity"))
    for name in ("order_weeks_before_rentree", "catalog.polo.sam_sew_min", "line_efficiency"):
        assert name in section, name
    # The order date moves direct jobs once the allocation is re-solved.
    assert ("commandé 26 semaines avant" if lang == "fr" else "ordered 26 weeks before") in section
    assert _section(aura_reports[lang], "sensitivity").count("<svg") == 1
