"""Monte Carlo and tornado sensitivity of a study.

The closed-form check: with every parameter fixed but the allowance, uniform on [a, b],
labour minutes are SAM x (1 + allowance) / efficiency, so direct FTE = K x (1 + allowance)
and its q-quantile is K x (1 + a + q (b - a)).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import polars as pl
import pytest
from matplotlib.figure import Figure

import filiere as fl

from .conftest import DATA


def only_allowance_uncertain(low: float, high: float) -> fl.Study:
    pilot = fl.Study.example("aura-pilot")
    params = pilot.parameters.with_columns(
        pl.when(pl.col("name") == "allowance")
        .then(pl.lit("uniform"))
        .otherwise(pl.lit("fixed"))
        .alias("distribution"),
        pl.when(pl.col("name") == "allowance")
        .then(pl.lit(low))
        .otherwise(pl.col("low"))
        .alias("low"),
        pl.when(pl.col("name") == "allowance")
        .then(pl.lit(high))
        .otherwise(pl.col("high"))
        .alias("high"),
    )
    pilot_dir = DATA / "aura-pilot"
    return fl.Study(
        pilot_dir / "workshops.csv",
        pilot_dir / "establishments.csv",
        pilot_dir / "catalog.csv",
        params,
        scenario=pilot.scenario,
    )


def test_quantiles_match_the_closed_form() -> None:
    study = only_allowance_uncertain(0.10, 0.15)
    central = study.run().summary["direct_fte"][0]
    k = central / 1.12  # the central allowance is 0.12
    d = study.monte_carlo(20_000, seed=3)
    assert d.parameters == ["allowance"]
    q = d.quantiles((0.05, 0.5, 0.95), ["direct_fte"]).row(0, named=True)
    for p, label in ((0.05, "p5"), (0.5, "p50"), (0.95, "p95")):
        expected = k * (1 + 0.10 + p * 0.05)
        # Sampling error of a quantile at n = 20,000: well under 0.2 % here.
        assert q[label] == pytest.approx(expected, rel=2e-3), label
    # Each draw is exactly K (1 + its allowance).
    draws = d.draws
    assert (draws["direct_fte"] - k * (1 + draws["allowance"])).abs().max() < 1e-6 * central  # type: ignore[operator]


def test_draws_are_identical_for_one_and_two_threads() -> None:
    here = fl.Study.example("aura").monte_carlo(300, seed=7, chunk=100).draws
    code = (
        "import filiere as fl, sys;"
        "d = fl.Study.example('aura').monte_carlo(300, seed=7, chunk=77).draws;"
        "d.write_ipc(sys.argv[1])"
    )
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"mc-{os.getpid()}.arrow")
    env = {**os.environ, "RAYON_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", code, out], check=True, env=env)
    try:
        one = pl.read_ipc(out)
        assert one.equals(here)
    finally:
        os.unlink(out)
    # Another seed draws other values.
    other = fl.Study.example("aura").monte_carlo(300, seed=8).draws
    assert not other.equals(here)


def test_aura_ranges_and_central_values(aura: fl.Study, aura_results: fl.Results) -> None:
    d = aura.monte_carlo(5_000, seed=1)
    assert d.draws.height == 5_000 * 4
    q = d.quantiles().filter(pl.col("year") == 2028)
    fte = q.filter(pl.col("metric") == "direct_fte").row(0, named=True)
    central = aura_results.summary.filter(pl.col("year") == 2028)["direct_fte"][0]
    assert fte["p5"] < central < fte["p95"]
    # The published range 2,500-3,500 overlaps the 90 % interval of direct FTE.
    assert fte["p5"] < 3_500 and fte["p95"] > 2_500
    # Pieces do not depend on any parameter.
    pieces = q.filter(pl.col("metric") == "pieces").row(0, named=True)
    assert pieces["p5"] == pieces["p95"] == pytest.approx(7.5e6, rel=0.01)
    # Full rollout is never on time with the surveyed workshops alone.
    assert not d.draws.filter(pl.col("year") == 2028)["on_time"].any()


def test_tornado_puts_line_efficiency_first_for_direct_jobs(aura: fl.Study) -> None:
    t = aura.sensitivity("tornado", metric="direct_fte", year=2029)
    top = t.row(0, named=True)
    assert top["parameter"] == "line_efficiency"
    # Higher efficiency, fewer operators.
    assert top["direct_fte_at_high"] < top["direct_fte_central"] < top["direct_fte_at_low"]
    # Wages move the cost, not the jobs.
    wages = t.filter(pl.col("parameter") == "wage_premium").row(0, named=True)
    assert wages["swing"] == 0.0
    cost = aura.sensitivity(metric="cost_per_kit_eur")
    assert cost.filter(pl.col("parameter") == "wage_premium")["swing"][0] > 0
    assert isinstance(fl.plot.tornado(t), Figure)


def test_plots_and_progress(capsys: pytest.CaptureFixture[str]) -> None:
    d = fl.Study.example("aura-pilot").monte_carlo(2_000, seed=2, chunk=500, progress=True)
    err = capsys.readouterr().err
    assert "Monte Carlo" in err and "2000/2000" in err  # tqdm's bar, on stderr
    fl.Study.example("aura-pilot").monte_carlo(2_000, seed=2, chunk=500, progress=False)
    assert capsys.readouterr().err == ""
    assert isinstance(d.plot.histogram("direct_fte"), Figure)
    assert isinstance(d.plot.fan("jobs_total"), Figure)
    fig = fl.plot.fan(d, "direct_fte", labels={"median": "médiane", "title": "ETP directs"})
    assert fig.axes[0].get_title() == "ETP directs"
    legend = fig.axes[0].get_legend()
    assert legend is not None and "médiane" in [t.get_text() for t in legend.get_texts()]
    with pytest.raises(ValueError, match="unknown labels"):
        fl.plot.histogram(d, "direct_fte", labels={"titel": "typo"})


def test_ctrl_c_between_chunks_closes_the_bar(
    pilot: fl.Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A KeyboardInterrupt while a chunk runs propagates, and the bar is closed."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]

    from filiere import _core

    real = _core.MonteCarlo
    chunks: list[int] = []

    class Interrupted:
        def __init__(self, *args: object) -> None:
            self._mc = real(*args)  # type: ignore[arg-type]

        def draws(self, seed: int, start: int, end: int) -> pl.DataFrame:
            chunks.append(start)
            if len(chunks) == 3:
                raise KeyboardInterrupt
            return self._mc.draws(seed, start, end)

        def names(self) -> list[str]:
            return self._mc.names()

    monkeypatch.setattr(_core, "MonteCarlo", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        pilot.monte_carlo(100, seed=1, chunk=10, progress=True)
    assert chunks == [0, 10, 20]  # stopped at the third chunk, not after the last
    assert not list(getattr(tqdm, "_instances", []))


def test_bad_arguments_are_parameter_errors(pilot: fl.Study) -> None:
    with pytest.raises(fl.ParameterError, match="`n`"):
        pilot.monte_carlo(0, seed=1)
    with pytest.raises(fl.ParameterError, match="`seed`"):
        pilot.monte_carlo(10, seed=-1)
    with pytest.raises(fl.ParameterError, match="method"):
        pilot.sensitivity("morris")
    with pytest.raises(fl.ParameterError, match="metric"):
        pilot.sensitivity(metric="happiness")
    d = pilot.monte_carlo(10, seed=1)
    with pytest.raises(fl.ParameterError, match="metrics"):
        d.quantiles(metrics=["happiness"])


def test_low_above_high_is_a_parameter_error() -> None:
    # Also a SchemaError naming the row and column.
    with pytest.raises(fl.ParameterError) as e:
        only_allowance_uncertain(0.15, 0.10)
    assert isinstance(e.value, fl.SchemaError)
    names = fl.Study.example("aura-pilot").parameters["name"].to_list()
    assert (e.value.row, e.value.column) == (names.index("allowance") + 2, "low")


def test_sobol_indices_of_direct_jobs(aura: fl.Study) -> None:
    s = aura.sensitivity("sobol", metric="direct_fte", n=512, seed=1)
    assert set(s.columns) >= {"name", "S1", "S1_conf", "ST", "ST_conf", "metric", "year"}
    top = s.sort("ST", descending=True).row(0, named=True)
    # Direct FTE = hours / (annual hours x (1 - absence)), hours ~ (1 + allowance) / efficiency:
    # line efficiency explains most of the variance.
    assert top["name"] == "line_efficiency" and top["ST"] > 0.8
    # Wages do not enter direct FTE at all.
    wage = s.filter(pl.col("name") == "wage_premium").row(0, named=True)
    assert wage["S1"] == 0.0 and wage["ST"] == 0.0


def test_ctrl_c_stops_a_long_run_between_chunks() -> None:
    code = (
        "import filiere as fl, sys;"
        "s = fl.Study.example('aura-pilot');"
        "print('ready', flush=True);"
        "s.monte_carlo(50_000_000, seed=1, chunk=20_000, progress=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    # Wait until the first chunks have run (tqdm's bar on stderr), then interrupt.
    assert proc.stderr is not None
    seen = ""
    while not re.search(r"[1-9]\d*/50000000", seen):
        part = proc.stderr.read(200)
        assert part, f"the run ended before it could be interrupted: {seen}"
        seen += part
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
