"""The hostile-input corpus ``tests/data/bad/`` (manifest ``cases.toml``, written by
``scripts/make_bad_corpus.py``): every bad file raises its exception class with its message,
file, row and column; every good file loads; ``filiere validate`` exits 2 and lists every
problem of a file with its row, column and a hint, without a traceback; huge files (sparse
CSV, sparse XLSX, zip bomb) are refused before they are read whole."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import filiere as fl
from filiere import exceptions
from filiere.cli import main

from .conftest import DATA, ROOT, pilot_with

BAD = ROOT / "tests" / "data" / "bad"
PILOT = DATA / "aura-pilot"
MANIFEST = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
BAD_CASES: list[dict[str, Any]] = MANIFEST["bad"]
GOOD_CASES: list[dict[str, Any]] = MANIFEST["good"]
TABLES = ("workshops", "establishments", "catalog", "parameters")


def _corpus_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_bad_corpus", ROOT / "scripts" / "make_bad_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_bad_corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return _corpus_script()


def _path(case: dict[str, Any], tmp_path: Path, corpus: ModuleType) -> Path:
    if case.get("generated"):
        assert case["file"] == "w_zip_bomb.xlsx"
        path = tmp_path / case["file"]
        path.write_bytes(corpus.zip_bomb_xlsx(300 * 1024 * 1024))
        return path
    return BAD / case["file"]


def _load(path: Path, table: str) -> fl.Study:
    if table == "study":
        return fl.Study.load(path)
    return pilot_with(table, path)


def test_manifest_is_complete_and_in_step_with_the_script(corpus: ModuleType) -> None:
    assert len(BAD_CASES) >= 45 and len(GOOD_CASES) >= 5
    classes = {c["error"] for c in BAD_CASES}
    assert classes == {
        "InputFileError",
        "SchemaError",
        "ParameterError",
        "ParameterTableError",
        "StudyError",
    }
    assert {c["table"] for c in BAD_CASES} == {*TABLES, "study"}
    for case in BAD_CASES + GOOD_CASES:
        assert case.get("generated") or (BAD / case["file"]).is_file(), case["file"]
    assert (BAD / "cases.toml").read_text(encoding="utf-8") == corpus.manifest(corpus.cases())


@pytest.mark.parametrize("case", BAD_CASES, ids=[c["file"] for c in BAD_CASES])
def test_bad_file(case: dict[str, Any], tmp_path: Path, corpus: ModuleType) -> None:
    path = _path(case, tmp_path, corpus)
    error = getattr(exceptions, case["error"])
    with pytest.raises(error) as info:
        _load(path, case["table"])
    err = info.value
    assert type(err) is error, f"{type(err).__name__}: {err}"
    assert re.search(case["message"], str(err)), str(err)
    if isinstance(err, fl.SchemaError):
        assert err.file == str(path)
        assert (err.row, err.column) == (case.get("row"), case.get("column")), str(err)
        assert all(p["file"] == str(path) for p in err.problems)
    elif isinstance(err, fl.InputFileError | fl.StudyError):
        assert Path(err.file).name in {path.name, "data"}, err.file
        assert "row" not in case and "column" not in case
    else:
        assert isinstance(err, fl.ParameterError)
        assert err.name in str(err)


@pytest.mark.parametrize("case", GOOD_CASES, ids=[c["file"] for c in GOOD_CASES])
def test_good_file(case: dict[str, Any]) -> None:
    study = _load(BAD / case["file"], case["table"])
    table = "workshops" if case["table"] == "study" else case["table"]
    if table == "parameters":
        assert study.sources["parameters"] == str(BAD / case["file"])
        row = study.parameters.filter(name="line_efficiency")
        assert (row["value"][0], row["low"][0], row["distribution"][0]) == (0.6, 0.5, "triangular")
        return
    frame = getattr(study, table)
    assert len(frame) == case["rows"]
    assert set(frame["workshop_id"]) <= {"A", "B", "PI-001", "PI-002", "PI-003", "PI-004", "PI-005"}


def test_good_files_keep_their_values() -> None:
    french = _load(BAD / "g_bom_semicolon_decimal_comma.csv", "workshops").workshops
    assert french["efficiency"].to_list() == [0.55, 0.55]
    assert french["operators"].to_list() == [12, 1500]
    assert french["departement"].to_list() == ["69", "07"]
    cp1252 = _load(BAD / "g_cp1252_semicolon.csv", "workshops").workshops
    assert cp1252["name"][0] == "Atelier de l'Ardèche"
    quoted = _load(BAD / "g_quoted_line_break.csv", "workshops").workshops
    assert quoted["name"][0] == "Atelier\nde Lyon, 2e"


@pytest.mark.parametrize(
    "case",
    # Every case of one table on its own (an unknown product needs the catalog too).
    [
        c
        for c in BAD_CASES
        if c["table"] in TABLES and not c.get("generated") and "unknown product" not in c["message"]
    ],
    ids=lambda c: c["file"],
)
def test_validate_command_reports_the_same_first_problem(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = BAD / case["file"]
    assert main(["validate", "--kind", case["table"], str(path)]) == 2
    err = capsys.readouterr().err
    assert f"✗ {path}" in err
    assert "Traceback" not in err
    if case["error"] == "SchemaError":
        where = [str(path)]
        if "row" in case:
            where.append(f"row {case['row']}")
        if "column" in case:
            where.append(f"column `{case['column']}`")
        assert ", ".join(where) in err, err


def test_validate_reports_every_bad_cell_with_row_column_and_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = BAD / "w_three_bad_cells.csv"
    assert main(["validate", str(path), "--kind", "workshops"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  - ")]
    assert lines == [
        f"  - {path}, row 2, column `operators`, value '-1': out of range: expected a whole "
        "number from 0 to 5000",
        f"  - {path}, row 3, column `departement`, value '99': expected a French département "
        "code such as 01, 38, 69, 2A or 974",
        f"  - {path}, row 4, column `efficiency`, value '5': out of range: expected a fraction "
        "from 0.05 to 1 (e.g. 0.55 or 55 %) (a percentage? write it as a fraction, 0.55, or "
        "with a % sign)",
    ]


def test_validate_subprocess_exits_2_without_traceback(tmp_path: Path) -> None:
    # Named so that `filiere validate` tells the table from the name.
    files = []
    for source, name in [
        ("w_three_bad_cells.csv", "workshops.csv"),
        ("w_binary.csv", "ateliers.csv"),
        ("e_accented_uai.csv", "etablissements.csv"),
    ]:
        files.append(tmp_path / name)
        files[-1].write_bytes((BAD / source).read_bytes())
    proc = subprocess.run(
        [sys.executable, "-m", "filiere", "validate", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT / "python"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    assert "3 problem(s)" in proc.stderr
    assert "binary content" in proc.stderr
    assert "etablissements.csv, row 2, column `uai`, value '012345é'" in proc.stderr


# --- size limits ----------------------------------------------------------------------


def test_sparse_huge_csv_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "workshops.csv"
    with path.open("wb") as f:
        f.write(b"workshop_id,departement,operators,products\n")
        f.truncate(300 * 1024 * 1024)  # sparse: no disk used, and never read
    with pytest.raises(fl.InputFileError, match=r"file is 300 MB, more than the 256 MB limit"):
        _load(path, "workshops")
    assert main(["validate", str(path)]) == 2


def test_sparse_huge_xlsx_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "workshops.xlsx"
    with path.open("wb") as f:
        f.truncate(257 * 1024 * 1024)
    with pytest.raises(fl.InputFileError, match=r"file is 257 MB, more than the 256 MB limit"):
        _load(path, "workshops")


def test_limit_is_configurable(
    tmp_path: Path, corpus: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FILIERE_MAX_INPUT_BYTES", "100")
    big = tmp_path / "workshops.csv"
    big.write_bytes((PILOT / "workshops.csv").read_bytes())
    with pytest.raises(fl.InputFileError, match=r"more than the 100 bytes limit.*FILIERE_MAX"):
        _load(big, "workshops")
    # A small workbook whose sheet inflates past the limit: checked before it is parsed.
    monkeypatch.setenv("FILIERE_MAX_INPUT_BYTES", str(1024 * 1024))
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(corpus.zip_bomb_xlsx(2 * 1024 * 1024))
    assert bomb.stat().st_size < 20_000
    with pytest.raises(fl.InputFileError, match=r"inflates to more than"):
        _load(bomb, "workshops")
    monkeypatch.setenv("FILIERE_MAX_INPUT_BYTES", str(8 * 1024 * 1024))
    with pytest.raises(fl.SchemaError, match="required column is missing"):
        _load(bomb, "workshops")  # under the limit: read, and found to lack columns
