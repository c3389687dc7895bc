"""Faults: a run killed at random moments never corrupts the output folder, and a folder
that cannot be written (read-only, full, a file in the way) gives a clear error and no
partial file."""

from __future__ import annotations

import errno
import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import filiere as fl
from filiere.pipeline import CACHE
from filiere.results import STAGING, recover

RUN = [sys.executable, "-m", "filiere", "run", "--example", "aura-pilot", "--draws", "0", "--out"]
# Every killed run recomputes and rewrites (a rerun with nothing changed writes nothing).
FORCED = [*RUN[:-1], "--force", "--out"]


def consistent(out: Path) -> dict[str, str]:
    """Every file the manifest lists is there, readable, and has the listed SHA-256."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    hashes = {}
    for name, info in manifest["files"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name
        if name.endswith(".parquet"):
            pl.read_parquet(out / name)
        elif name.endswith(".csv"):
            pl.read_csv(out / name, infer_schema=False)
        else:
            assert data.decode("utf-8").rstrip().endswith("</html>"), name
        hashes[name] = info["sha256"]
    assert not (out / STAGING).exists()
    return hashes


def test_killed_runs_never_corrupt_the_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    start = time.perf_counter()
    subprocess.run([*RUN, str(out)], check=True, capture_output=True)
    duration = time.perf_counter() - start
    reference = consistent(out)
    rng = random.Random(20241)
    killed_while_writing = 0
    for attempt in range(50):
        proc = subprocess.Popen(
            [*FORCED, str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if attempt % 2:
            # Every other kill lands at a random moment of the whole run...
            time.sleep(rng.uniform(0.3, 1.1) * duration)
        else:
            # ...the others just after the writer created its staging folder, so that some
            # kills land mid-write whatever the speed of this machine (the write phase is a
            # small part of a run, and random kills alone may all miss it).
            while proc.poll() is None and not (out / STAGING).exists():
                time.sleep(0.0005)
            time.sleep(rng.uniform(0.0, 0.02))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_while_writing += (out / STAGING).exists()
        # Whatever the moment, every output file is whole and readable...
        for path in out.glob("*.parquet"):
            pl.read_parquet(path)
        # ...and once the interrupted write is finished or discarded, the folder is one
        # consistent run, identical to the reference (same inputs, same bytes).
        recover(out)
        assert consistent(out) == reference
    # The random kills did land while files were being written (not only before).
    assert killed_while_writing > 0
    # The stage cache survived the kills too: every entry loads, and a normal run (which
    # trusts the cache) completes with the reference outputs.
    for entry in (out / CACHE).iterdir():
        if entry.is_dir():
            for table in entry.glob("*.parquet"):
                pl.read_parquet(table)
        elif entry.suffix == ".parquet":
            pl.read_parquet(entry)
        elif entry.suffix in (".json", ".html"):
            entry.read_bytes().decode("utf-8")
            if entry.suffix == ".json":
                json.loads(entry.read_text(encoding="utf-8"))
    subprocess.run([*RUN, str(out)], check=True, capture_output=True)
    assert consistent(out) == reference
    (out / "summary.parquet").unlink()
    subprocess.run([*RUN, str(out)], check=True, capture_output=True)
    assert consistent(out) == reference


def test_a_full_disk_leaves_the_previous_outputs(
    tmp_path: Path, pilot: fl.Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = pilot.run()
    out = tmp_path / "out"
    results.write(out)
    before = consistent(out)
    calls = 0
    real = pl.DataFrame.write_csv

    def full(self: pl.DataFrame, *args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    with pytest.raises(fl.OutputError, match="No space left on device") as e:
        results.write(out)
    assert STAGING in str(e.value.file)
    monkeypatch.undo()
    # Nothing new is left behind and the previous outputs are untouched.
    assert consistent(out) == before
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        [*before, "manifest.json"]
    )


def test_unwritable_output_folders_are_output_errors(
    tmp_path: Path, pilot: fl.Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = pilot.run()
    in_the_way = tmp_path / "file.txt"
    in_the_way.write_text("not a folder")
    with pytest.raises(fl.OutputError, match=r"file\.txt"):
        results.write(in_the_way)
    assert in_the_way.read_text() == "not a folder"

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(fl.OutputError, match="Permission denied"):
        results.write(tmp_path / "ro")
    assert not (tmp_path / "ro").exists()


def test_cli_reports_an_unwritable_folder_and_exits_2(tmp_path: Path) -> None:
    in_the_way = tmp_path / "file.txt"
    in_the_way.write_text("x")
    proc = subprocess.run([*RUN, str(in_the_way)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "cannot write" in proc.stderr and "Traceback" not in proc.stderr
