"""Cold run versus rerun of ``filiere run STUDY.toml --out DIR`` on the AURA study.

Each measurement is a whole command in a fresh Python process (imports included), as a
user runs it: a cold run into an empty folder, a rerun with nothing changed (goal: under
20 % of the cold run), and a rerun after one survey row changed (one workshop's
operators), which recomputes the stages that depend on the workshops. Prints the medians
of ``--repeat`` runs and the ratios against the cold run measured in this same script.

Usage: ``python benchmarks/bench_pipeline.py [--repeat 3] [--draws 20000]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def edit_one_row(workshops: Path, step: int) -> None:
    lines = workshops.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("operators")
    cells = lines[1].split(",")
    cells[col] = str(int(float(cells[col])) + 1 + step)
    lines[1] = ",".join(cells)
    workshops.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=20_000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "aura"
        shutil.copytree(ROOT / "data" / "aura", data)
        base = [sys.executable, "-m", "filiere", "run", str(data / "study.toml")]
        base += ["--draws", str(opts.draws), "--out"]
        cold, noop, changed = [], [], []
        stages = ""
        for i in range(opts.repeat):
            out = Path(tmp) / f"out{i}"
            cold.append(timed([*base, str(out)])[0])
            noop.append(timed([*base, str(out)])[0])
            edit_one_row(data / "workshops.csv", i)
            seconds, stdout = timed([*base, str(out)])
            changed.append(seconds)
            stages = stdout.strip().splitlines()[-1]
    c, n, u = (statistics.median(x) for x in (cold, noop, changed))
    print(f"AURA study, {opts.draws:,} Monte Carlo draws, median of {opts.repeat} runs")
    print(f"  cold run                 {c:6.2f} s   1.00x")
    print(f"  rerun, nothing changed   {n:6.2f} s   {n / c:.2f}x of cold (goal < 0.20)")
    print(f"  rerun, one row changed   {u:6.2f} s   {u / c:.2f}x of cold")
    print(f"  after the change: {stages}")


if __name__ == "__main__":
    main()
