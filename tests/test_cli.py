"""The ``filiere`` command: headline table, outputs, validation and exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from filiere._format import late_by
from filiere.cli import guess_kind, main
from filiere.outputs import label

from .conftest import DATA


def test_run_example_prints_headline_and_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--example", "aura-pilot", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "15,000" in out
    assert "direct FTE" in out
    assert pl.read_parquet(tmp_path / "summary.parquet")["pieces"][0] == 15_000


def test_run_study_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(DATA / "aura" / "study.toml")]) == 0
    out = capsys.readouterr().out
    assert "2029" in out
    rows = {}
    for line in out.splitlines():
        if line[:5] in ("2026 ", "2028 "):
            rows.setdefault(line[:4], []).append(line.split())
    # The headline, then where the pieces come from: one row a year in each table.
    (head_2026, split_2026), (head_2028, split_2028) = rows["2026"], rows["2028"]
    # 2026: every piece made in time by the surveyed workshops (exactly: nothing late,
    # nothing from new capacity or imports), on time, 0 days late.
    assert head_2026[9:11] == ["yes", "0"]
    assert split_2026 == ["2026", "1,610,000", "0", "0", "0", "100%"]
    # 2028: late by 150 days; over a million pieces no source can deliver in time.
    assert head_2028[9:11] == ["no", "150"]
    late = int(split_2028[4].replace(",", ""))
    assert late > 1_000_000
    # The sources add up to the demand (each figure rounded to a whole piece).
    assert abs(sum(int(x.replace(",", "")) for x in split_2028[1:5]) - 7_500_000) <= 2


def test_headline_labels_come_from_the_outputs_registry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--example", "aura-pilot"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Labels wrap onto several header lines: read each column's header between the blank
    # line under the title and the dashes.
    dashes = next(i for i, line in enumerate(lines) if line.startswith("----"))
    top = max(i for i in range(dashes) if not lines[i].strip()) + 1
    spans = [m.span() for m in re.finditer(r"-+", lines[dashes])]
    headers = [
        " ".join(line[a:b].strip() for line in lines[top:dashes] if line[a:b].strip())
        for a, b in spans
    ]
    assert headers[0] == label("summary", "year")
    assert headers[2] == f"{label('summary', 'budget_eur')} (MEUR)"  # shown in millions
    assert headers[4] == label("summary", "direct_fte")  # the label says the unit
    assert headers[7] == f"{label('summary', 'jobs_indirect')} (persons)"
    assert headers[10] == f"{label('summary', 'late_days')} (days)"
    assert headers[12] == f"{label('balance', 'jobs_net')} (persons)"
    assert headers[13] == f"{label('balance', 'net_cost_per_job_eur')} (EUR/job)"
    assert len(headers) == 14


def test_headline_shows_where_the_pieces_come_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--example", "aura-pilot"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("where the pieces come from")
    dashes = next(i for i in range(start, len(lines)) if lines[i].startswith("----"))
    spans = [m.span() for m in re.finditer(r"-+", lines[dashes])]
    headers = [
        " ".join(line[a:b].strip() for line in lines[start + 2 : dashes] if line[a:b].strip())
        for a, b in spans
    ]
    assert headers == [
        label("summary", "year"),
        label("summary", "pieces_surveyed"),
        label("summary", "pieces_new_regional"),
        label("summary", "pieces_imported"),
        label("summary", "unmet_pieces"),
        label("summary", "local_content_share"),
    ]
    # The pilot's 15,000 pieces all come from its surveyed workshops.
    assert lines[dashes + 1].split() == ["2024", "15,000", "0", "0", "0", "100%"]


def test_late_by() -> None:
    assert late_by(True, 12) == "0"
    assert late_by(False, None) == "never"
    assert late_by(False, None, never="jamais") == "jamais"
    assert late_by(False, 0) == "< 1"
    assert late_by(False, 1234) == "1,234"


def test_validate_good_and_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA / "aura" / "workshops.csv")]) == 0
    bad = tmp_path / "workshops.csv"
    bad.write_text("workshop_id,departement,operators,products\nA,01,-1,polo\nB,100,2,polo\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column `operators`" in err
    assert "row 3, column `departement`" in err
    assert "2 problem(s)" in err


def test_validate_study_file_and_unknown_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(DATA / "aura-pilot" / "study.toml")]) == 0
    other = tmp_path / "misc.csv"
    other.write_text("a\n1\n")
    assert main(["validate", str(other)]) == 2
    assert "--kind" in capsys.readouterr().err


def test_guess_kind() -> None:
    assert guess_kind(Path("enquete_ateliers_2025.xlsx")) == "workshops"
    assert guess_kind(Path("Etablissements.csv")) == "establishments"
    assert guess_kind(Path("parameters.csv")) == "parameters"
    assert guess_kind(Path("notes.csv")) is None


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text(
        '[tables]\nworkshops = "w.csv"\nestablishments = "e.csv"\ncatalog = "c.csv"\n'
        "[scenario]\nbase_year = 2025\nyears = [2026]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "filiere", "run", str(study)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("filiere: error:")
    assert "w.csv" in proc.stderr
