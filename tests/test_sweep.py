"""Scenario sweeps and Monte Carlo, in process and on a real Dask LocalCluster (two worker
processes): identical results, compact pickles, a worker killed mid-sweep, the CLI, the
synthetic national study and the national prefecture table."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import filiere as fl
from filiere.cli import main

from .conftest import DATA, pilot_with

distributed = pytest.importorskip("distributed")

#: Six scenarios of the AURA study: parameters and scenario keys, with nulls (= keep).
SCENARIOS = pl.DataFrame(
    {
        "line_efficiency": [0.50, 0.55, 0.60, 0.65, None, 0.70],
        "margin_rate": [None, 0.05, 0.10, None, 0.15, 0.20],
        "renewal": [None, None, "partial", None, "partial", None],
        "replacement_rate": [None, None, 0.2, None, 0.5, None],
    }
)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=50,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def local_sweep(aura: fl.Study) -> pl.DataFrame:
    return fl.sweep(aura, SCENARIOS)


def test_sweep_rows_are_the_runs_of_each_scenario(
    aura: fl.Study, local_sweep: pl.DataFrame
) -> None:
    years = aura.scenario["years"]
    assert local_sweep.height == SCENARIOS.height * len(years)
    assert local_sweep.columns[:6] == ["scenario", *SCENARIOS.columns, "year"]
    assert local_sweep["scenario"].to_list() == [i for i in range(6) for _ in years]
    # Row 2 is line efficiency 0.60, margin 10 %, partial renewal with 20 % replaced.
    expected = (
        aura.with_params(line_efficiency=0.60, margin_rate=0.10)
        .with_scenario(renewal="partial", replacement_rate=0.2)
        .run()
        .summary
    )
    got = local_sweep.filter(pl.col("scenario") == 2).drop("scenario", *SCENARIOS.columns)
    assert_frame_equal(got, expected)
    # Row 4 only changes margin and renewal: line efficiency stays the study's 0.55.
    row4 = (
        aura.with_params(margin_rate=0.15)
        .with_scenario(renewal="partial", replacement_rate=0.5)
        .run()
        .summary
    )
    assert_frame_equal(
        local_sweep.filter(pl.col("scenario") == 4).drop("scenario", *SCENARIOS.columns), row4
    )
    # More efficient lines need fewer direct FTE at full rollout (full renewal rows).
    full = local_sweep.filter(pl.col("year") == 2029, pl.col("renewal").is_null())
    fte = full.sort("line_efficiency")["direct_fte"].to_list()
    assert fte == sorted(fte, reverse=True) and fte[0] > 1.2 * fte[-1]
    assert full["pieces"].unique().to_list() == [7_500_000.0]


def test_sweep_on_dask_equals_in_process(
    client: Any, aura: fl.Study, local_sweep: pl.DataFrame
) -> None:
    remote = fl.sweep(aura, SCENARIOS, client=client)
    assert_frame_equal(remote, local_sweep)

    # Any partitioning gives the same rows; so does a list of dicts (on the pilot: fast).
    pilot = fl.Study.example("aura-pilot")
    as_dicts = [{k: v for k, v in r.items() if v is not None} for r in SCENARIOS.to_dicts()]
    here = fl.sweep(pilot, as_dicts, threads=1)
    there = fl.sweep(pilot, as_dicts, client=client, partitions=6)
    assert_frame_equal(there, here)
    assert here.height == 6 and here["direct_fte"][0] > here["direct_fte"][5]
    # A value the study refuses, found on a worker, comes back as the same typed error.
    with pytest.raises(fl.SweepError) as err:
        fl.sweep(pilot, [{"line_efficiency": 0.6}, {"line_efficiency": 7.0}], client=client)
    assert (err.value.row, err.value.column) == (3, "line_efficiency")


def test_monte_carlo_on_dask_is_bit_identical(client: Any, aura: fl.Study) -> None:
    local = aura.monte_carlo(3_000, seed=11, resolve_allocation=False)
    remote = aura.monte_carlo(3_000, seed=11, client=client, resolve_allocation=False)
    assert_frame_equal(remote.draws, local.draws)
    assert remote.parameters == local.parameters and len(local.parameters) > 10
    odd = aura.monte_carlo(3_000, seed=11, client=client, chunk=701, resolve_allocation=False)
    assert_frame_equal(odd.draws, local.draws)
    # A different seed gives different draws (the comparison above can fail).
    other = aura.monte_carlo(300, seed=12, client=client, resolve_allocation=False)
    assert other.draws["direct_fte"].to_list() != local.draws["direct_fte"][:1200].to_list()
    exact_local = aura.monte_carlo(2, seed=5, resolve_allocation=True)
    exact_remote = aura.monte_carlo(2, seed=5, resolve_allocation=True, client=client)
    assert_frame_equal(exact_remote.draws, exact_local.draws)


def test_pickle_is_compact_and_round_trips(aura: fl.Study) -> None:
    data = pickle.dumps(aura)
    naive = pickle.dumps(
        {
            "workshops": aura.workshops.to_dicts(),
            "establishments": aura.establishments.to_dicts(),
            "catalog": aura.catalog.to_dicts(),
            "parameters": aura.parameters.to_dicts(),
            "scenario": aura.scenario,
        }
    )
    json_text = aura._inner.to_json()
    assert len(data) < len(naive) / 4, (len(data), len(naive))
    assert len(data) < len(json_text) / 5, (len(data), len(json_text))
    back = pickle.loads(data)
    assert back._inner.to_json() == json_text
    assert_frame_equal(back.run().summary, aura.run().summary)
    # Pickles of earlier versions held the plain JSON text.
    old = fl.Study.__new__(fl.Study)
    old.__setstate__({"json": json_text})
    assert old._inner.to_json() == json_text


def test_bad_scenario_columns_and_values(aura: fl.Study) -> None:
    with pytest.raises(fl.SweepError) as err:
        fl.sweep(aura, [{"line_efficiency": 0.6}, {"line_eficiency": 0.6}])
    assert err.value.column == "line_eficiency" and err.value.row is None
    assert "not a parameter" in str(err.value)
    with pytest.raises(fl.SweepError) as err:
        fl.sweep(aura, [{"line_efficiency": 0.6}, {"line_efficiency": "fast"}])
    assert (err.value.row, err.value.column) == (3, "line_efficiency")
    with pytest.raises(fl.SweepError) as err:  # out of the parameter's domain
        fl.sweep(aura, pl.DataFrame({"line_efficiency": [0.6, 0.6, 7.0]}))
    assert (err.value.row, err.value.column) == (4, "line_efficiency")
    with pytest.raises(fl.SweepError) as err:
        fl.sweep(aura, [{"renewal": "sometimes"}])
    assert (err.value.row, err.value.column) == (2, "renewal")
    assert isinstance(err.value, fl.FiliereError)


def test_cli_sweep(tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    scenarios = tmp_path / "scenarios.csv"
    scenarios.write_text('line_efficiency,years\n0.5,"[2024]"\n0.7,\n')
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    assert main(["sweep", "--example", "aura-pilot", str(scenarios), "--out", str(local_out)]) == 0
    assert "2 scenarios" in capsys.readouterr().out
    argv = ["sweep", "--example", "aura-pilot", str(scenarios), "--out", str(dask_out)]
    assert main([*argv, "--scheduler", client.scheduler.address]) == 0
    local = pl.read_parquet(local_out / "sweep.parquet")
    assert_frame_equal(pl.read_parquet(dask_out / "sweep.parquet"), local)
    assert (dask_out / "sweep.csv").read_bytes() == (local_out / "sweep.csv").read_bytes()
    assert local["pieces"].to_list() == [15_000.0, 15_000.0]
    assert local["direct_fte"][0] > local["direct_fte"][1]
    assert pl.read_csv(local_out / "sweep.csv")["scenario"].to_list() == [0, 1]
    assert not list(local_out.glob(".*.tmp"))
    # A study file and a bad column: exit code 2, the file, row and column named.
    bad = tmp_path / "bad.csv"
    bad.write_text("line_efficiency,operators\n0.6,3\n")
    study = str(DATA / "aura-pilot" / "study.toml")
    assert main(["sweep", study, str(bad), "--out", str(tmp_path / "x")]) == 2
    message = capsys.readouterr().err
    assert str(bad) in message and "column `operators`" in message
    bad.write_text("line_efficiency\n0.6\n-3\n")
    assert main(["sweep", study, str(bad), "--out", str(tmp_path / "x")]) == 2
    assert "row 3, column `line_efficiency`" in capsys.readouterr().err
    assert not (tmp_path / "x" / "sweep.parquet").exists()


def test_cli_sweep_reads_a_french_export(tmp_path: Path) -> None:
    # `;` separators and decimal commas, as a French spreadsheet exports them: the separator
    # is the core's (one sniffer for every reader), 0,5 is 0.5.
    french = tmp_path / "scenarios.csv"
    french.write_text("line_efficiency;replacement_rate\n0,5;0,2\n0,7;\n", encoding="utf-8-sig")
    plain = tmp_path / "plain.csv"
    plain.write_text("line_efficiency,replacement_rate\n0.5,0.2\n0.7,\n")
    outs = []
    for name, path in [("fr", french), ("plain", plain)]:
        out = tmp_path / name
        assert main(["sweep", "--example", "aura-pilot", str(path), "--out", str(out)]) == 0
        outs.append(pl.read_parquet(out / "sweep.parquet"))
    assert_frame_equal(outs[0], outs[1])
    assert outs[0]["line_efficiency"].to_list() == [0.5, 0.7]


def test_synthetic_national_study() -> None:
    a = fl.synthetic.national(seed=3, workshops=40, years=[2028])
    b = fl.synthetic.national(seed=3, workshops=40, years=[2028])
    c = fl.synthetic.national(seed=4, workshops=40, years=[2028])
    assert_frame_equal(a.workshops, b.workshops)
    assert_frame_equal(a.establishments, b.establishments)
    assert not a.workshops.equals(c.workshops)
    est = a.establishments
    assert est["pupils"].sum() == 12_000_000
    by_level = est.group_by("level").agg(pl.col("pupils").sum()).sort("level")
    assert by_level.rows() == [("college", 3_400_000), ("ecole", 6_400_000), ("lycee", 2_200_000)]
    regions = {p["region_code"] for p in fl._core.prefectures()}
    assert len(regions) == 13 and est["departement"].n_unique() == 96
    assert 3_000 < est.filter(pl.col("level") == "lycee").height < 5_000
    assert "SYNTHETIC" in a.description
    summary = a.run().summary
    # 12 M pupils x 5 pieces, all levels rolled out by 2028.
    assert summary["pieces"].to_list() == [60_000_000.0]
    assert 15_000 < summary["direct_fte"][0] < 30_000
    assert len(fl.synthetic.national(seed=0).workshops) == 2_000


def test_unknown_departement_is_a_typed_error() -> None:
    frame = pl.read_csv(DATA / "aura-pilot" / "workshops.csv", infer_schema_length=0)
    study = pilot_with("workshops", frame.with_columns(departement=pl.lit("971")))
    with pytest.raises(fl.UnknownDepartementError) as err:
        study.run()
    assert err.value.departement == "971" and err.value.name == "departement"
    assert isinstance(err.value, fl.ParameterError)
    assert "metropolitan France" in str(err.value)
    # Paris was unknown to the AURA-only table; it now has a prefecture.
    paris = pilot_with("workshops", frame.with_columns(departement=pl.lit("75")))
    assert paris.run().summary["pieces"][0] == 15_000


def test_worker_killed_mid_sweep_is_retried(
    client: Any, aura: fl.Study, local_sweep: pl.DataFrame
) -> None:
    """A worker process is SIGKILLed while it runs a sweep task: Dask reruns the lost
    tasks on the restarted worker, and the result is complete and identical."""
    scenarios = pl.concat([SCENARIOS, SCENARIOS])
    expected = pl.concat(
        [local_sweep, local_sweep.with_columns(pl.col("scenario") + SCENARIOS.height)]
    )
    before = client.run(os.getpid)
    victim = sorted(before)[0]

    def kill_when_busy(dask_worker: Any) -> None:
        import signal
        import threading

        def watch() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if dask_worker.state.executing:
                    time.sleep(0.05)  # well inside a task of about 0.5 s
                    os.kill(os.getpid(), signal.SIGKILL)
                time.sleep(0.005)

        threading.Thread(target=watch, daemon=True).start()

    client.run(kill_when_busy, workers=[victim])
    got = fl.sweep(aura, scenarios, client=client, partitions=12)
    assert_frame_equal(got, expected)
    client.wait_for_workers(2, timeout=60)
    after = client.run(os.getpid)
    assert before[victim] not in after.values(), "the victim was not killed"
    assert len(after) == 2
