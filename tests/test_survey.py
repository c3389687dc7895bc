"""The survey: questionnaire workbook, form exports, column mappings, coverage and the
extrapolation of non-respondents (issue 17)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import filiere as fl
from filiere import _core
from filiere.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "aura"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def study_dir(tmp_path: Path, workshops: str, extra: str = "") -> Path:
    """A copy of the bundled AURA study whose workshops table is ``workshops``."""
    for name in ("establishments.csv", "catalog.csv", "parameters.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    text = (DATA / "study.toml").read_text(encoding="utf-8")
    text = text.replace('workshops = "workshops.csv"', f'workshops = "{workshops}"{extra}')
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    return tmp_path / "study.toml"


def sheet_rows(path: Path) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def write_french_csv(rows: list[list[Any]], path: Path) -> None:
    """A French spreadsheet's CSV export: `;`, decimal commas, Windows-1252."""

    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return repr(v).replace(".", ",")
        return str(v)

    with path.open("w", encoding="cp1252", newline="") as f:
        w = csv.writer(f, delimiter=";")
        for r in rows:
            w.writerow([cell(v) for v in r])


@pytest.fixture(scope="module")
def questionnaire(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("q") / "questionnaire.xlsx"
    assert main(["questionnaire", "--from", str(DATA / "workshops.csv"), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def central(aura: fl.Study) -> pl.DataFrame:
    return aura.run().summary


def test_columns_are_declared_once_with_labels(questionnaire: Path) -> None:
    cols = _core.table_columns("workshops")
    assert cols["name"].to_list()[:4] == ["workshop_id", "name", "departement", "operators"]
    op = cols.filter(pl.col("name") == "operators").row(0, named=True)
    assert (op["kind"], op["min"], op["max"], op["unit"], op["required"]) == (
        "int",
        0.0,
        5000.0,
        "persons",
        True,
    )
    assert op["label_fr"] == "Nombre d'opérateurs de production"
    assert op["label_en"] == "Number of production operators"
    header = sheet_rows(questionnaire)[0]
    # Every column but `products` is a question; products are one yes/no column each.
    expected = [c for c in cols["label_fr"].to_list() if c != "Produits fabriqués"]
    assert [h for h in header if not str(h).startswith("Peut fabriquer")] == expected
    assert [h for h in header if str(h).startswith("Peut fabriquer")] == [
        "Peut fabriquer : polo",
        "Peut fabriquer : sweatshirt",
    ]


def test_workbook_has_validation_input_messages_and_instructions(questionnaire: Path) -> None:
    book = openpyxl.load_workbook(questionnaire)
    answers, notes = book.worksheets[0], book.worksheets[1]
    assert (answers.title, notes.title) == ("Réponses", "Instructions")
    assert answers.max_row == 120  # header + 119 workshops
    header = [c.value for c in answers[1]]
    by_column = {}
    for dv in answers.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[header[rng.min_col - 1]] = dv
    # Every question has a validation and an input message.
    assert set(by_column) == set(header)
    op = by_column["Nombre d'opérateurs de production"]
    assert (op.type, op.operator, op.formula1, op.formula2) == ("whole", "between", "0", "5000")
    assert "Unité : personnes" in op.prompt and "Obligatoire" in op.prompt
    eff = by_column["Rendement de la ligne de couture"]
    assert (eff.type, eff.formula1, eff.formula2) == ("decimal", "0.05", "1.0")
    assert by_column["Peut fabriquer : polo"].formula1 == '"oui,non"'
    dep = by_column["Département (code)"]
    assert dep.type == "list" and dep.formula1.endswith("$A$2:$A$13")  # AURA's 12
    lists = book.worksheets[2]
    codes = [r[0] for r in lists.iter_rows(min_row=2, values_only=True)]
    assert codes == ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]
    assert by_column["Identifiant de l'atelier"].type == "custom"
    assert "Enquête" in notes["A1"].value
    # Pre-filled: AT-002 in 03 makes polos and sweatshirts, efficiency 0.65.
    row = dict(zip(header, [c.value for c in answers[3]], strict=True))
    assert row["Identifiant de l'atelier"] == "AT-002"
    assert row["Département (code)"] == "03"
    assert row["Rendement de la ligne de couture"] == 0.65
    assert (row["Peut fabriquer : polo"], row["Peut fabriquer : sweatshirt"]) == ("oui", "oui")


def test_questionnaire_round_trips_to_the_same_study_and_results(
    questionnaire: Path, tmp_path: Path, aura: fl.Study, central: pl.DataFrame
) -> None:
    shutil.copy(questionnaire, tmp_path / "q.xlsx")
    study = fl.Study.load(study_dir(tmp_path, "q.xlsx"))
    assert_frame_equal(study.workshops, aura.workshops)
    assert_frame_equal(study.run().summary, central)


def test_english_questionnaire_round_trips(tmp_path: Path, aura: fl.Study) -> None:
    out = fl.survey.questionnaire(tmp_path / "q.xlsx", workshops=aura, lang="en")
    header = sheet_rows(out)[0]
    assert header[3] == "Number of production operators" and "Can make: polo" in header
    assert_frame_equal(fl.Study.load(study_dir(tmp_path, "q.xlsx")).workshops, aura.workshops)


def test_french_csv_export_loads_the_same(
    questionnaire: Path, tmp_path: Path, aura: fl.Study, central: pl.DataFrame
) -> None:
    write_french_csv(sheet_rows(questionnaire), tmp_path / "export.csv")
    text = (tmp_path / "export.csv").read_text(encoding="cp1252")
    assert text.startswith("Identifiant de l'atelier;Nom de l'atelier;Département (code);")
    assert ";0,65;" in text
    study = fl.Study.load(study_dir(tmp_path, "export.csv"))
    assert_frame_equal(study.workshops, aura.workshops)
    assert_frame_equal(study.run().summary, central)


def test_study_toml_maps_other_question_texts(
    questionnaire: Path, tmp_path: Path, aura: fl.Study
) -> None:
    rows = sheet_rows(questionnaire)
    form = {
        "Nombre d'opérateurs de production": "Combien d'opérateurs employez-vous ?",
        "Peut fabriquer : polo": "Fabriquez-vous des polos ?",
    }
    rows[0] = [form.get(h, h) for h in rows[0]]
    write_french_csv(rows, tmp_path / "form.csv")
    mapping = (
        "\n\n[tables.workshops_columns]\n"
        '"Combien d\'opérateurs employez-vous ?" = "operators"\n'
        '"Fabriquez-vous des polos ?" = "products:polo"\n'
    )
    toml = study_dir(tmp_path, "form.csv")
    text = toml.read_text(encoding="utf-8").replace("\n[scenario]", mapping + "\n[scenario]", 1)
    toml.write_text(text, encoding="utf-8")
    assert_frame_equal(fl.Study.load(toml).workshops, aura.workshops)

    # Without the mapping the export is refused, naming the file, row 1 and the header.
    (tmp_path / "bare").mkdir()
    bare = study_dir(tmp_path / "bare", "form.csv")
    shutil.copy(tmp_path / "form.csv", tmp_path / "bare" / "form.csv")
    with pytest.raises(fl.SchemaError) as err:
        fl.Study.load(bare)
    unknown = [p for p in err.value.problems if p["row"] == 1]
    assert {p["column"] for p in unknown} == {
        "Combien d'opérateurs employez-vous ?",
        "Fabriquez-vous des polos ?",
    }

    # A mapping to a column that does not exist, and two headers read as one column.
    bad = text.replace('= "operators"', '= "operateurs"').replace(
        '"Fabriquez-vous des polos ?" = "products:polo"',
        '"Fabriquez-vous des polos ?" = "products:polo"\n"Nom de l\'atelier" = "workshop_id"',
    )
    toml.write_text(bad, encoding="utf-8")
    with pytest.raises(fl.SchemaError) as err:
        fl.Study.load(toml)
    found = {(p["file"].endswith("form.csv"), p["row"], p["column"]) for p in err.value.problems}
    assert (True, 1, "Combien d'opérateurs employez-vous ?") in found
    assert (True, 1, "Nom de l'atelier") in found
    messages = " ".join(p["message"] for p in err.value.problems)
    assert "maps this header to `operateurs`" in messages
    assert "both are read as column `workshop_id`" in messages


def _problems(err: pytest.ExceptionInfo[fl.SchemaError]) -> list[tuple[Any, ...]]:
    return [(p["row"], p["column"], p["value"], p["message"]) for p in err.value.problems]


def test_bad_answers_give_the_same_errors_in_the_workbook_and_in_a_csv(
    questionnaire: Path, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(questionnaire)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    sheet.cell(row=3, column=col["Nombre d'opérateurs de production"], value=-3)
    sheet.cell(row=4, column=col["Département (code)"], value="99")
    sheet.cell(row=5, column=col["Peut fabriquer : sweatshirt"], value="peut-être")
    sheet.cell(row=6, column=col["Rendement de la ligne de couture"], value=55)
    book.save(tmp_path / "bad.xlsx")
    write_french_csv(sheet_rows(tmp_path / "bad.xlsx"), tmp_path / "bad.csv")
    found = []
    for name in ("bad.xlsx", "bad.csv"):
        sub = tmp_path / name.replace(".", "_")
        sub.mkdir()
        shutil.copy(tmp_path / name, sub / name)
        with pytest.raises(fl.SchemaError) as err:
            fl.Study.load(study_dir(sub, name))
        assert all(p["file"].endswith(name) for p in err.value.problems)
        found.append(_problems(err))
    assert found[0] == found[1]
    # A yes/no product cell is checked before the other cells (it is folded first).
    assert [(r, c) for r, c, *_ in found[0]] == [(5, "Peut fabriquer : sweatshirt")]
    # Once fixed, the other cells are reported, with the file's own headers and rows.
    sheet.cell(row=5, column=col["Peut fabriquer : sweatshirt"], value="oui")
    book.save(tmp_path / "bad2.xlsx")
    problems = _core.validate_file(tmp_path / "bad2.xlsx", "workshops")
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (3, "Nombre d'opérateurs de production", "-3"),
        (4, "Département (code)", "99"),
        (6, "Rendement de la ligne de couture", "55"),
    ]
    assert "percentage" in problems[2]["message"]


# CI installs LibreOffice (.ci/run): there, a missing binary fails instead of skipping.
@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed here",
)
def test_libreoffice_reads_the_workbook(questionnaire: Path, tmp_path: Path) -> None:
    shutil.copy(questionnaire, tmp_path / "q.xlsx")
    # CSV filter options: `,` separator, `"` quotes, character set 76 = UTF-8 (LibreOffice's
    # default is the system's 8-bit set).
    target = "csv:Text - txt - csv (StarCalc):44,34,76,1"
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", target, "--outdir", str(tmp_path), "q.xlsx"],
        cwd=tmp_path,
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = (tmp_path / "q.csv").read_text(encoding="utf-8")
    assert text.startswith('"Identifiant de l\'atelier","Nom de l\'atelier",')
    assert len(text.strip().splitlines()) == 120
    # What a real spreadsheet wrote back is a valid survey.
    assert _core.validate_file(str(tmp_path / "q.csv"), "workshops") == []


def test_survey_coverage_of_the_bundled_survey(central: pl.DataFrame) -> None:
    assert central["survey_coverage"].to_list() == pytest.approx([1819 / 2200] * 4)
    assert central["survey_respondents"].to_list() == [119] * 4
    assert central["survey_nonrespondents"].to_list() == [0] * 4
    assert central["estimated_operators"].to_list() == [0.0] * 4


def silenced(aura: fl.Study, ids: list[str]) -> pl.DataFrame:
    """The AURA survey with these workshops marked as not answering (their answers blank)."""
    w = aura.workshops.with_columns(pl.col("products").list.join("|"))
    keep = ["workshop_id", "name", "departement", "answered"]
    blank = [
        pl.when(pl.col("workshop_id").is_in(ids)).then(None).otherwise(pl.col(c)).alias(c)
        for c in w.columns
        if c not in keep
    ]
    return w.with_columns(*blank, answered=~pl.col("workshop_id").is_in(ids))


def test_ratio_extrapolation_estimates_non_respondents(aura: fl.Study) -> None:
    loire = aura.workshops.filter(pl.col("departement") == "42")
    ids = loire["workshop_id"].head(10).to_list()
    frame = silenced(aura, ids)
    scenario = {**aura.scenario, "years": [2026]}
    kwargs: dict[str, Any] = {
        "establishments": aura.establishments,
        "catalog": aura.catalog,
        "parameters": aura.parameters,
    }
    none = fl.Study(frame, scenario=scenario, **kwargs)
    ratio = none.with_scenario(survey_extrapolation="ratio")
    s_none, s_ratio = none.run().summary, ratio.run().summary
    answered = loire.filter(~pl.col("workshop_id").is_in(ids))
    mean = answered["operators"].mean()
    assert isinstance(mean, float)
    assert s_none["survey_nonrespondents"][0] == 10
    assert s_none["survey_coverage"][0] == pytest.approx(
        (1819 - loire.head(10)["operators"].sum()) / 2200
    )
    assert s_ratio["estimated_operators"][0] == 10 * round(mean)
    assert s_ratio["offered_fte"][0] > s_none["offered_fte"][0]
    capacity = ratio.run().capacity
    estimated = capacity.filter(pl.col("workshop_id").str.ends_with(fl.survey.ESTIMATED_SUFFIX))
    assert sorted(estimated["workshop_id"].to_list()) == sorted(
        f"{i}{fl.survey.ESTIMATED_SUFFIX}" for i in ids
    )
    assert "AT-" not in " ".join(
        none.run().capacity.filter(pl.col("workshop_id").is_in(ids))["workshop_id"].to_list()
    )
    # The size ratio is drawn in the exact Monte Carlo and moves the capacity.
    half = ratio.with_params(nonrespondent_size_ratio=0.5).run().summary
    assert half["estimated_operators"][0] == 10 * round(0.5 * mean)
    assert half["offered_fte"][0] < s_ratio["offered_fte"][0]
    names = ratio.monte_carlo(2, seed=1, resolve_allocation=True).draws.columns
    assert "nonrespondent_size_ratio" in names


def test_report_annex_shows_coverage_and_non_answers(
    aura: fl.Study, aura_results: fl.Results
) -> None:
    from filiere.report import build_report

    html = build_report(aura, aura_results, None, lang="fr")
    assert "Couverture de l&#39;enquête" in html or "Couverture de l'enquête" in html
    assert re.search(r"soit 83\W%", html)  # 1,819 / 2,200
    assert "Rendement de la ligne de couture" in html  # non-answers named by question
