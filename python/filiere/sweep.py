"""Scenario sweeps: one study run under many parameter and scenario overrides, in process
(a thread pool: the Rust core releases the GIL) or on a Dask cluster.

>>> import filiere as fl
>>> pilot = fl.Study.example("aura-pilot")
>>> table = fl.sweep(pilot, [{"line_efficiency": 0.5}, {"line_efficiency": 0.7}])
>>> table.select("scenario", "line_efficiency", "year", "pieces").rows()
[(0, 0.5, 2024, 15000.0), (1, 0.7, 2024, 15000.0)]
>>> bool(table["direct_fte"][0] > table["direct_fte"][1])   # more efficient lines, fewer FTE
True
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere import _core
from filiere.exceptions import FiliereError, InputFileError, ParameterError, SweepError

if TYPE_CHECKING:
    from filiere.study import Study

__all__ = ["SweepSpec", "run_sweep_cli", "sweep"]

#: Column of the output that numbers the scenarios (0-based, the row order of the input).
SCENARIO_COLUMN = "scenario"

#: Scenario keys whose values are lists or tables: a text cell holding JSON
#: (``[2027, 2028]``, ``{"lycee": 2026}``) is parsed, so a CSV can carry them.
_STRUCTURED_KEYS = frozenset(
    {"years", "rollout", "adoption", "years_in_level", "pupil_growth", "kit"}
)

ScenarioTable = pl.DataFrame | Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class SweepSpec:
    """One scenario of a sweep, ready to apply to a study.

    Attributes
    ----------
    index : int
        0-based position of the scenario in the input (the ``scenario`` column).
    params : dict of str to float
        Parameter overrides, in each parameter's unit (:meth:`Study.with_params`).
    changes : dict of str to Any
        Scenario changes (:meth:`Study.with_scenario`).
    """

    index: int
    params: dict[str, float]
    changes: dict[str, Any]


def _row_label(index: int) -> int:
    """Spreadsheet row of a scenario: header = row 1."""
    return index + 2


def scenario_frame(scenarios: ScenarioTable) -> pl.DataFrame:
    """The scenarios as a DataFrame (a list of dicts becomes one row per dict; a key a dict
    lacks is null there, i.e. not overridden)."""
    if isinstance(scenarios, pl.DataFrame):
        return scenarios
    rows = list(scenarios)
    if not all(isinstance(r, Mapping) for r in rows):
        raise SweepError(
            "scenarios: expected a polars DataFrame or a list of dicts",
            file="scenarios",
            row=None,
            column=None,
        )
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame([dict(r) for r in rows], infer_schema_length=None)


def plan(study: Study, frame: pl.DataFrame, file: str = "scenarios") -> list[SweepSpec]:
    """Check the scenario columns and values against the study and turn each row into a
    :class:`SweepSpec`. A null cell means "keep the study's value".

    Raises
    ------
    SweepError
        Naming the file, row and column of a column that is neither a parameter nor a
        scenario key, a parameter value that is not a number, or a structured scenario
        value that is not valid JSON.
    """
    parameters = set(study.parameters["name"].to_list())
    keys = set(study.scenario)
    kinds: dict[str, str] = {}
    for column in frame.columns:
        if column in parameters:
            kinds[column] = "param"
        elif column in keys:
            kinds[column] = "scenario"
        else:
            raise SweepError(
                f"{file}, column `{column}`: not a parameter of the study nor a scenario key "
                f"(scenario keys: {', '.join(sorted(keys))}; parameters: see "
                "Study.parameters)",
                file=file,
                row=None,
                column=column,
            )
    specs: list[SweepSpec] = []
    for index, row in enumerate(frame.iter_rows(named=True)):
        params: dict[str, float] = {}
        changes: dict[str, Any] = {}
        for column, value in row.items():
            if value is None:
                continue
            where = f"{file}, row {_row_label(index)}, column `{column}`, value {value!r}"
            if kinds[column] == "param":
                if isinstance(value, bool):
                    number = math.nan
                else:
                    try:
                        number = float(value)
                    except (TypeError, ValueError, OverflowError):
                        number = math.nan
                if not math.isfinite(number):
                    raise SweepError(
                        f"{where}: expected a number in the parameter's unit",
                        file=file,
                        row=_row_label(index),
                        column=column,
                    )
                params[column] = number
            else:
                if isinstance(value, str) and column in _STRUCTURED_KEYS:
                    try:
                        value = json.loads(value)
                    except json.JSONDecodeError as err:
                        raise SweepError(
                            f"{where}: expected JSON such as [2027, 2028] or "
                            f'{{"lycee": 2026}} ({err})',
                            file=file,
                            row=_row_label(index),
                            column=column,
                        ) from None
                changes[column] = value
        specs.append(SweepSpec(index, params, changes))
    return specs


def _apply(study: Study, spec: SweepSpec, file: str) -> Study:
    """The study of one scenario; a value the study refuses is a SweepError naming it."""
    out = study
    for name, value in spec.params.items():
        try:
            out = out.with_params(**{name: value})
        except ParameterError as err:
            raise SweepError(
                f"{file}, row {_row_label(spec.index)}, column `{name}`: {err}",
                file=file,
                row=_row_label(spec.index),
                column=name,
            ) from None
    if spec.changes:
        try:
            out = out.with_scenario(**spec.changes)
        except FiliereError as err:
            columns = list(spec.changes)
            raise SweepError(
                f"{file}, row {_row_label(spec.index)}, column "
                f"{', '.join(f'`{c}`' for c in columns)}: {err}",
                file=file,
                row=_row_label(spec.index),
                column=columns[0] if len(columns) == 1 else None,
            ) from None
    return out


def run_one(study: Study, spec: SweepSpec, file: str = "scenarios") -> pl.DataFrame:
    """The summary of one scenario (one row per year), with its ``scenario`` index."""
    summary = _apply(study, spec, file).run().summary
    return summary.select(pl.lit(spec.index, dtype=pl.Int64).alias(SCENARIO_COLUMN), pl.all())


def run_partition(specs: list[SweepSpec], study: Study, file: str) -> pl.DataFrame:
    """The summaries of a list of scenarios, one after the other (a Dask task)."""
    return pl.concat([run_one(study, spec, file) for spec in specs])


def _threads(threads: int | None) -> int:
    if threads is None:
        return max(1, os.cpu_count() or 1)
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ParameterError(
            f"parameter `threads`: {threads!r} must be a whole number ≥ 1", name="threads"
        )
    return threads


def _client_threads(client: Any) -> int:
    """Total worker threads of a Dask client's cluster (at least 1)."""
    try:
        return max(1, int(sum(client.nthreads().values())))
    except Exception:  # an exotic client: partition as for one thread
        return 1


def _partitions(items: int, parts: int) -> list[range]:
    """Split range(items) into `parts` contiguous, near-equal, non-empty ranges."""
    parts = max(1, min(parts, items))
    bounds = [items * k // parts for k in range(parts + 1)]
    return [range(bounds[k], bounds[k + 1]) for k in range(parts)]


def _scatter_study(client: Any, study: Study) -> Any:
    """Send the study once to every worker (``broadcast=True``) and return its future;
    tasks then name the future, so the tables do not travel with each task."""
    return client.scatter(study, broadcast=True, hash=False)


def sweep(
    study: Study,
    scenarios: ScenarioTable,
    *,
    client: Any | None = None,
    threads: int | None = None,
    partitions: int | None = None,
    file: str = "scenarios",
) -> pl.DataFrame:
    """Run a study under many scenarios and return one summary row per scenario and year.

    Each scenario is a row of ``scenarios``: its columns are parameter names (overrides in
    the parameter's unit, :meth:`Study.with_params`) or scenario keys (``years``,
    ``rollout``, ``adoption``, ``renewal``, ``replacement_rate``, ... as in
    :meth:`Study.with_scenario`). A null cell keeps the study's value. Structured scenario
    values (``years``, ``rollout``, ``adoption``, ``years_in_level``, ``pupil_growth``,
    ``kit``) may be given as JSON text (``"[2027, 2028]"``), which is how a CSV carries them.

    Without ``client`` the scenarios run in this process on a pool of ``threads`` threads
    (the Rust core releases the GIL). With a ``dask.distributed.Client`` the study is sent
    once to every worker (``client.scatter(..., broadcast=True)``: its compact pickle, see
    :meth:`Study.__getstate__`), the scenarios are split into ``partitions`` contiguous
    groups, one task each, and a task lost with its worker is rerun by Dask. Either way the
    rows are the same, bit for bit: every scenario is a deterministic run of the core.

    Parameters
    ----------
    study : Study
        The base study.
    scenarios : polars.DataFrame or list of dict
        One row (dict) per scenario.
    client : dask.distributed.Client, optional
        Run on this Dask cluster.
    threads : int, optional
        In-process only: threads (default: the number of CPUs).
    partitions : int, optional
        Dask only: tasks (default: 4 per worker thread, at most one per scenario).
    file : str, default "scenarios"
        Name of the scenarios' source, used in error messages.

    Returns
    -------
    polars.DataFrame
        ``scenario`` (0-based index of the input row), the override columns as given, then
        the columns of :attr:`Results.summary` (``year``, ``pieces``, ``budget_eur`` in EUR,
        ``direct_fte`` in FTE, ...), sorted by scenario and year.

    Raises
    ------
    SweepError
        For a column that is neither a parameter nor a scenario key, or a value the study
        refuses, naming the file, row (header = row 1) and column.
    """
    frame = scenario_frame(scenarios)
    specs = plan(study, frame, file)
    if not specs:
        raise SweepError(f"{file}: no scenario to run", file=file, row=None, column=None)
    if client is None:
        with ThreadPoolExecutor(max_workers=min(_threads(threads), len(specs))) as pool:
            parts = list(pool.map(lambda spec: run_one(study, spec, file), specs))
    else:
        n_parts = partitions if partitions is not None else 4 * _client_threads(client)
        if not isinstance(n_parts, int) or isinstance(n_parts, bool) or n_parts < 1:
            raise ParameterError(
                f"parameter `partitions`: {n_parts!r} must be a whole number ≥ 1",
                name="partitions",
            )
        remote = _scatter_study(client, study)
        groups = [[specs[i] for i in r] for r in _partitions(len(specs), n_parts)]
        futures = client.map(run_partition, groups, study=remote, file=file, pure=False)
        parts = client.gather(futures)
    summaries = pl.concat(parts)
    indexed = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(SCENARIO_COLUMN), pl.all())
    joined = indexed.join(summaries, on=SCENARIO_COLUMN, how="inner", maintain_order="right")
    return joined.sort([SCENARIO_COLUMN, "year"], maintain_order=True)


# Monte Carlo on Dask ---------------------------------------------------------------------

#: Per worker process: the MonteCarlo engine of each scattered study (built once: it runs
#: the study's central plan), by (resolve_allocation, schedule).
_ENGINES: weakref.WeakKeyDictionary[Study, dict[tuple[bool, bool], _core.MonteCarlo]] = (
    weakref.WeakKeyDictionary()
)


def draw_range(
    study: Study, seed: int, start: int, end: int, resolve_allocation: bool, schedule: bool
) -> tuple[pl.DataFrame, list[str]]:
    """Draws ``start..end`` of a study (a Dask task): identical to the same range drawn
    locally, since draw i depends only on (seed, i)."""
    engines = _ENGINES.setdefault(study, {})
    mc = engines.get((resolve_allocation, schedule))
    if mc is None:
        mc = _core.MonteCarlo(study._inner, resolve_allocation, schedule)
        engines[(resolve_allocation, schedule)] = mc
    return mc.draws(seed, start, end), mc.names()


def distributed_draws(
    study: Study,
    n: int,
    *,
    seed: int,
    resolve_allocation: bool,
    schedule: bool,
    chunk: int | None,
    client: Any,
) -> tuple[pl.DataFrame, list[str]]:
    """Draws 0..n of a study computed on a Dask cluster, in index ranges of ``chunk``
    draws (default: 4 ranges per worker thread), concatenated in order."""
    if chunk is not None:
        ranges = [range(s, min(n, s + chunk)) for s in range(0, n, chunk)]
    else:
        ranges = _partitions(n, 4 * _client_threads(client))
    remote = _scatter_study(client, study)
    futures = [
        client.submit(
            draw_range,
            remote,
            seed,
            r.start,
            r.stop,
            resolve_allocation,
            schedule,
            pure=False,
        )
        for r in ranges
    ]
    parts = client.gather(futures)
    return pl.concat([draws for draws, _ in parts]), parts[0][1]


# Command line ----------------------------------------------------------------------------


def _read_scenarios(path: Path) -> pl.DataFrame:
    """The scenarios file: CSV (`,` or `;`) or Parquet."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file", file=str(path))
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline()
        separator = ";" if header.count(";") > header.count(",") else ","
        return pl.read_csv(path, separator=separator, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as err:
        raise InputFileError(
            f"{path}: not a readable scenarios table ({err})", file=str(path)
        ) from None


def _write_outputs(table: pl.DataFrame, out: Path) -> list[Path]:
    """``sweep.parquet`` and ``sweep.csv`` in ``out``, each written to a temporary file and
    renamed in (a reader sees the old file or the new one, never half of one)."""
    from filiere.exceptions import OutputError
    from filiere.results import _atomic_write, _neutralise_formulas

    paths = [out / "sweep.parquet", out / "sweep.csv"]
    flat = table.with_columns(
        pl.col(c).map_elements(json.dumps, return_dtype=pl.String)
        for c, t in table.schema.items()
        if isinstance(t, pl.List | pl.Struct | pl.Array)
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(paths[0], lambda p: table.write_parquet(p))
        _atomic_write(paths[1], lambda p: _neutralise_formulas(flat).write_csv(p))
    except OSError as err:
        raise OutputError(
            f"cannot write {out}: {err.strerror or err}", file=str(err.filename or out)
        ) from err
    return paths


def run_sweep_cli(args: argparse.Namespace) -> int:
    """Handler of ``filiere sweep [STUDY.toml | --example NAME] SCENARIOS --out DIR
    [--scheduler ADDRESS]``."""
    from filiere.study import Study

    if args.example and args.scenarios is None:
        # argparse gave the only positional to `study`: it is the scenarios file.
        args.study, args.scenarios = None, args.study
    if args.example and args.study:
        print("filiere sweep: give a STUDY.toml or --example NAME, not both", file=sys.stderr)
        return 2
    if args.scenarios is None or not (args.example or args.study):
        print("filiere sweep: give a STUDY.toml (or --example NAME) and SCENARIOS", file=sys.stderr)
        return 2
    study = Study.example(args.example) if args.example else Study.load(args.study)
    path = Path(args.scenarios)
    frame = _read_scenarios(path)
    plan(study, frame, str(path))  # bad columns fail before any cluster is contacted
    start = time.perf_counter()
    if args.scheduler:
        from distributed import Client

        with Client(args.scheduler) as client:  # type: ignore[no-untyped-call]
            table = sweep(study, frame, client=client, file=str(path))
    else:
        table = sweep(study, frame, file=str(path))
    elapsed = time.perf_counter() - start
    written = _write_outputs(table, Path(args.out))
    print(
        f"{frame.height:,} scenarios x {table['year'].n_unique()} years in {elapsed:.1f} s "
        f"({frame.height / max(elapsed, 1e-9):,.1f} scenarios/s); wrote "
        + ", ".join(str(p) for p in written)
    )
    return 0


def add_sweep_parser(sub: Any) -> None:
    """Register ``filiere sweep`` on the CLI's subparsers."""
    p = sub.add_parser(
        "sweep",
        help="run a study under every scenario of a table (in process or on Dask)",
        description=(
            "Run STUDY.toml once per row of SCENARIOS (CSV or Parquet; columns are "
            "parameter names or scenario keys, JSON text for lists such as years) and "
            "write sweep.parquet and sweep.csv: one summary row per scenario and year."
        ),
    )
    p.add_argument("study", nargs="?", help="path to a study.toml (or use --example)")
    p.add_argument("scenarios", nargs="?", help="scenarios table (CSV or Parquet)")
    p.add_argument("--example", choices=_core.EXAMPLES, help="sweep a bundled example")
    p.add_argument("--out", required=True, help="folder for sweep.parquet and sweep.csv")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); default: in process",
    )
    p.set_defaults(handler=run_sweep_cli)
