"""Cached stages of ``filiere run --out`` and ``filiere diff``.

A rerun with nothing changed recomputes nothing; one changed survey row reruns exactly the
stages that depend on it; the outputs are byte-identical to a cold run of the same inputs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

import filiere as fl
from filiere.cli import main
from filiere.diff import diff_runs
from filiere.outputs import header
from filiere.pipeline import CACHE, run_pipeline

from .conftest import DATA

DRAWS = 2_000
ALL = [
    "validate:catalog",
    "validate:establishments",
    "validate:parameters",
    "validate:workshops",
    "model",
    "sensitivity",
    "monte_carlo",
    "report",
    "write",
]


@pytest.fixture
def pilot_dir(tmp_path: Path) -> Path:
    """A copy of the pilot study's files, which a test may edit."""
    shutil.copytree(DATA / "aura-pilot", tmp_path / "data" / "aura-pilot")
    (tmp_path / "data" / "aura").mkdir()
    shutil.copy(DATA / "aura" / "parameters.csv", tmp_path / "data" / "aura")
    return tmp_path / "data" / "aura-pilot"


def outputs(out: Path) -> dict[str, str]:
    """SHA-256 of every output file but the manifest (which records times)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.is_file() and p.name not in ("manifest.json", ".filiere-lock")
    }


def set_operators(pilot_dir: Path, workshop: str, operators: int) -> None:
    """Change one cell of one survey row: the workshop's operators."""
    path = pilot_dir / "workshops.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("operators")
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] == workshop:
            cells[col] = str(operators)
            lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_rerun_without_change_recomputes_nothing(pilot_dir: Path, tmp_path: Path) -> None:
    study = fl.Study.load(pilot_dir / "study.toml")
    out = tmp_path / "out"
    first = run_pipeline(study, out, draws=DRAWS)
    assert first.written and first.ran == ALL
    before = outputs(out)
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    again = run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=DRAWS)
    assert again.ran == [] and not again.written
    assert outputs(out) == before
    assert {
        p.name: p.stat().st_mtime_ns
        for p in out.iterdir()
        if p.is_file() and p.name != "manifest.json"
    } == {k: v for k, v in mtimes.items() if k != "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the manifest keeps what produced the files and records the rerun
    assert all(s["ran"] for s in manifest["stages"].values())
    assert not any(s["ran"] for s in manifest["last_run"]["stages"].values())
    assert manifest["inputs"]["workshops"]["rows"] == 5
    assert (
        manifest["inputs"]["workshops"]["sha256"]
        == hashlib.sha256((pilot_dir / "workshops.csv").read_bytes()).hexdigest()
    )
    assert manifest["options"]["draws"] == DRAWS
    params = pl.read_csv(pilot_dir.parent / "aura" / "parameters.csv")
    # The parameters used: the table's, with the study file's override (the pilot was
    # ordered 36 weeks ahead, data/aura-pilot/study.toml).
    expected = dict(zip(params["name"], params["value"], strict=True))
    expected["order_weeks_before_rentree"] = 36.0
    assert manifest["parameters"] == expected
    # the results came back from the cache unchanged
    assert again.results.summary.equals(first.results.summary)


def test_one_changed_row_reruns_the_dependent_stages(pilot_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=DRAWS)
    set_operators(pilot_dir, "PI-002", 10)
    changed = run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=DRAWS)
    assert changed.ran == [
        "validate:workshops",
        "model",
        "sensitivity",
        "monte_carlo",
        "report",
        "write",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ran = {name for name, s in manifest["stages"].items() if s["ran"]}
    assert ran == set(changed.ran)
    assert manifest["stages"]["validate:catalog"]["ran"] is False
    # ...and the outputs are those of a cold run on the changed inputs, byte for byte
    cold = tmp_path / "cold"
    fresh = run_pipeline(fl.Study.load(pilot_dir / "study.toml"), cold, draws=DRAWS)
    assert fresh.ran == ALL
    assert outputs(out) == outputs(cold)
    assert "input_workshops.parquet" in outputs(out)
    # the cache keeps only what the last run used
    names = {p.name.split("-")[0] for p in (out / CACHE).iterdir()}
    assert names == {"validate", "model", "sensitivity", "monte_carlo", "report"}
    assert len(list((out / CACHE).glob("model-*"))) == 1


def test_options_rerun_only_their_stages(pilot_dir: Path, tmp_path: Path) -> None:
    study = fl.Study.load(pilot_dir / "study.toml")
    out = tmp_path / "out"
    run_pipeline(study, out, draws=DRAWS)
    assert run_pipeline(study, out, draws=DRAWS // 2).ran == ["monte_carlo", "report", "write"]
    assert run_pipeline(study, out, draws=DRAWS // 2, locale="fr").ran == ["write"]
    assert (out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbfyear;")
    assert run_pipeline(study, out, draws=DRAWS // 2, locale="fr", lang="en").ran == [
        "report",
        "write",
    ]
    assert "<html lang='en'>" in (out / "report.html").read_text(encoding="utf-8")
    assert run_pipeline(study, out, draws=DRAWS // 2, locale="fr", lang="en", force=True).ran == (
        ALL
    )


def test_a_damaged_cache_entry_is_recomputed(pilot_dir: Path, tmp_path: Path) -> None:
    study = fl.Study.load(pilot_dir / "study.toml")
    out = tmp_path / "out"
    run_pipeline(study, out, draws=0)
    reference = outputs(out)
    (out / "summary.parquet").unlink()  # the folder no longer matches its manifest
    entry = next((out / CACHE).glob("model-*"))
    (entry / "summary.parquet").write_bytes(b"PAR1 truncated")
    record = run_pipeline(study, out, draws=0)
    assert "model" in record.ran and record.written
    assert outputs(out) == reference


def test_cli_run_twice_then_diff(
    pilot_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = str(pilot_dir / "study.toml")
    old, new = tmp_path / "old", tmp_path / "new"
    assert main(["run", toml, "--out", str(old), "--draws", "0"]) == 0
    assert main(["run", toml, "--out", str(old), "--draws", "0"]) == 0
    assert "up to date" in capsys.readouterr().out
    # one workshop fewer operators, one added, one removed
    set_operators(pilot_dir, "PI-001", 30)
    path = pilot_dir / "workshops.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    removed = next(line for line in lines if line.startswith("PI-005"))
    lines = [line for line in lines if not line.startswith("PI-005")]
    lines.append(removed.replace("PI-005", "PI-NEW"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", toml, "--out", str(new), "--draws", "0"]) == 0
    capsys.readouterr()

    assert main(["diff", str(old), str(new), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    changes = {(r["table"], r["key"], r["change"], r["column"]) for r in result["inputs"]}
    assert changes == {
        ("workshops", "PI-001", "changed", "operators"),
        ("workshops", "PI-005", "removed", None),
        ("workshops", "PI-NEW", "added", None),
    }
    cell = next(r for r in result["inputs"] if r["change"] == "changed")
    assert (cell["old"], cell["new"]) == ("46", "30")
    assert [f["table"] for f in result["input_files"]] == ["workshops"]
    # fewer operators: the offered FTE falls by what the survey lost (46 -> 30 operators)
    offered = next(r for r in result["headline"] if r["metric"] == "offered_fte")
    assert offered["change"] < 0
    old_summary = pl.read_parquet(old / "summary.parquet")
    new_summary = pl.read_parquet(new / "summary.parquet")
    assert offered["change"] == pytest.approx(
        new_summary["offered_fte"][0] - old_summary["offered_fte"][0]
    )
    # pieces are demand: unchanged, so not listed
    assert not any(r["metric"] == "pieces" for r in result["headline"])

    assert main(["diff", str(old), str(new)]) == 0
    text = capsys.readouterr().out
    # figures by label and unit from the outputs registry; JSON keeps the column names
    assert header("summary", "offered_fte") in text and "offered_fte" not in text
    assert "PI-NEW" in text and "removed" in text
    assert main(["diff", str(old), str(old)]) == 0
    assert "no change" in capsys.readouterr().out


def test_diff_of_a_folder_that_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(fl.FiliereError, match=r"no manifest\.json"):
        diff_runs(tmp_path / "empty", tmp_path / "empty")
    assert main(["diff", str(tmp_path / "empty"), str(tmp_path / "nope")]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_outputs_stay_inside_out(pilot_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "out"
    before = {p for p in tmp_path.rglob("*") if "out" not in p.parts}
    run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=0)
    after = {p for p in tmp_path.rglob("*") if "out" not in p.parts}
    assert after - before == {tmp_path / "nested"}


def test_a_full_disk_during_the_write_keeps_the_old_outputs_and_the_cache(
    pilot_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=0)
    before = outputs(out)
    set_operators(pilot_dir, "PI-003", 3)
    real = pl.DataFrame.write_csv

    def full(self: pl.DataFrame, *args: object, **kwargs: object) -> object:
        if "staging" in str(args[0] if args else kwargs.get("file")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    with pytest.raises(fl.OutputError, match="No space left on device"):
        run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=0)
    monkeypatch.undo()
    assert outputs(out) == before  # the previous run's files, untouched
    # The stages computed before the failure are in the cache: only the write reruns.
    record = run_pipeline(fl.Study.load(pilot_dir / "study.toml"), out, draws=0)
    assert record.ran == ["write"]
    assert outputs(out) != before
