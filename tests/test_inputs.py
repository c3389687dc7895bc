"""Input files the way French users export them, and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import filiere as fl

from .conftest import DATA

PILOT = DATA / "aura-pilot"


def _pilot_with_workshops(tmp_path: Path, workshops: Path) -> fl.Study:
    return fl.Study(
        workshops,
        PILOT / "establishments.csv",
        PILOT / "catalog.csv",
        scenario=fl.Study.example("aura-pilot").scenario,
    )


def _french(text: str) -> str:
    """`,` -> `;` and decimal points -> decimal commas, as French Excel writes CSV."""
    lines = []
    for line in text.splitlines():
        cells = [c.replace(".", ",") if _is_number(c) else c for c in line.split(",")]
        lines.append(";".join(cells))
    return "\r\n".join(lines) + "\r\n"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture()
def plain(tmp_path: Path) -> fl.Results:
    return _pilot_with_workshops(tmp_path, PILOT / "workshops.csv").run()


def test_semicolons_decimal_commas_and_bom_load_to_the_same_numbers(
    tmp_path: Path, plain: fl.Results
) -> None:
    text = (PILOT / "workshops.csv").read_text()
    french = _french(text)
    assert ";" in french and "0,5" in french
    path = tmp_path / "workshops.csv"
    path.write_bytes(b"\xef\xbb\xbf" + french.encode())
    assert_frame_equal(_pilot_with_workshops(tmp_path, path).run().jobs, plain.jobs)


def test_windows_1252_loads_to_the_same_numbers(tmp_path: Path, plain: fl.Results) -> None:
    text = (PILOT / "workshops.csv").read_text().replace("synthétique", "synthétique à Rhône")
    path = tmp_path / "ateliers.csv"
    path.write_bytes(_french(text).encode("cp1252"))
    study = _pilot_with_workshops(tmp_path, path)
    assert_frame_equal(study.run().jobs, plain.jobs)
    assert study.workshops["name"].str.contains("à Rhône").all()


def test_xlsx_and_parquet_load_to_the_same_numbers(tmp_path: Path, plain: fl.Results) -> None:
    frame = pl.read_csv(PILOT / "workshops.csv", schema_overrides={"departement": pl.String})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    book.save(tmp_path / "workshops.xlsx")
    xlsx = _pilot_with_workshops(tmp_path, tmp_path / "workshops.xlsx")
    assert_frame_equal(xlsx.run().jobs, plain.jobs)
    frame.write_parquet(tmp_path / "workshops.parquet")
    parquet = _pilot_with_workshops(tmp_path, tmp_path / "workshops.parquet")
    assert_frame_equal(parquet.run().jobs, plain.jobs)


def test_departement_written_as_a_number_keeps_its_zero(tmp_path: Path) -> None:
    # A spreadsheet or a type-inferring reader turns "07" into the number 7.
    frame = pl.read_csv(PILOT / "workshops.csv").with_columns(departement=pl.lit(7))
    assert frame["departement"].dtype == pl.Int32
    path = tmp_path / "workshops.parquet"
    frame.write_parquet(path)
    study = _pilot_with_workshops(tmp_path, path)
    assert set(study.workshops["departement"]) == {"07"}


def test_negative_operators_is_refused_naming_file_row_and_column(tmp_path: Path) -> None:
    lines = (PILOT / "workshops.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("operators")] = "-4"
    lines[3] = ",".join(cells)
    path = tmp_path / "workshops.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(fl.SchemaError) as err:
        _pilot_with_workshops(tmp_path, path)
    e = err.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 4, "operators", "-4")
    assert "out of range" in str(e) and str(path) in str(e)
    assert len(e.problems) == 1


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "workshops.csv"
    path.write_text(
        "workshop_id;departement;operators;products;efficiency;couleur\n"
        "A;99;douze;polo;55;rouge\n"
        "A;01;3;jean;0,5;bleu\n"
    )
    with pytest.raises(fl.SchemaError) as err:
        _pilot_with_workshops(tmp_path, path)
    found = {(p["row"], p["column"]) for p in err.value.problems}
    assert (1, "couleur") in found  # unknown column reported, not dropped
    assert (2, "departement") in found
    assert (2, "operators") in found
    assert (2, "efficiency") in found  # 55 looks like a percentage: the message says so
    assert any("percentage" in p["message"] for p in err.value.problems)


def test_cross_table_unknown_product_and_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "workshops.csv"
    path.write_text("workshop_id,departement,operators,products\nA,01,3,jean\nA,01,4,polo\n")
    with pytest.raises(fl.SchemaError) as err:
        _pilot_with_workshops(tmp_path, path)
    messages = " ".join(p["message"] for p in err.value.problems)
    assert "duplicate identifier" in messages
    path.write_text("workshop_id,departement,operators,products\nA,01,3,jean\nB,01,4,polo\n")
    with pytest.raises(fl.SchemaError, match="unknown product") as err:
        _pilot_with_workshops(tmp_path, path)
    assert err.value.value == "jean"


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        (b"", fl.SchemaError, "empty"),
        (b"workshop_id,departement,operators,products\n", fl.SchemaError, "no data rows"),
        (b"workshop_id,operators\nA,1\n", fl.SchemaError, "required column is missing"),
        (b"a,b,a\n1,2,3\n", fl.SchemaError, "appears twice"),
        (b"workshop_id,departement,operators,products\nA,01,NaN,polo\n", fl.SchemaError, "whole"),
        (b"workshop_id,departement,operators,products\nA,01,inf,polo\n", fl.SchemaError, "whole"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, error: type, match: str) -> None:
    path = tmp_path / "workshops.csv"
    path.write_bytes(content)
    with pytest.raises(error, match=match):
        _pilot_with_workshops(tmp_path, path)


def test_missing_corrupt_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(fl.InputFileError, match="cannot open"):
        _pilot_with_workshops(tmp_path, tmp_path / "absent.csv")
    (tmp_path / "w.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(fl.InputFileError, match="xlsx"):
        _pilot_with_workshops(tmp_path, tmp_path / "w.xlsx")
    (tmp_path / "w.json").write_text("{}")
    with pytest.raises(fl.InputFileError, match="unknown file type"):
        _pilot_with_workshops(tmp_path, tmp_path / "w.json")


def test_all_errors_are_filiere_errors(tmp_path: Path) -> None:
    shutil.copy(PILOT / "workshops.csv", tmp_path / "w.csv")
    for call in (
        lambda: fl.Study.example("x"),
        lambda: fl.Study.load(tmp_path / "w.csv"),
        lambda: fl.Study.example("aura-pilot").with_params(allowance=-1),
    ):
        with pytest.raises(fl.FiliereError):
            call()
