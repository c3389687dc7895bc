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

import json
import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere.exceptions import FiliereError, ParameterError, SweepError
from filiere.uncertainty import client_threads, scatter_study, split

if TYPE_CHECKING:
    from filiere.study import Study

__all__ = ["SweepSpec", "plan", "scenario_frame", "sweep"]

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
        n_parts = partitions if partitions is not None else 4 * client_threads(client)
        if not isinstance(n_parts, int) or isinstance(n_parts, bool) or n_parts < 1:
            raise ParameterError(
                f"parameter `partitions`: {n_parts!r} must be a whole number ≥ 1",
                name="partitions",
            )
        remote = scatter_study(client, study)
        groups = [[specs[i] for i in r] for r in split(len(specs), n_parts)]
        futures = client.map(run_partition, groups, study=remote, file=file, pure=False)
        parts = client.gather(futures)
    summaries = pl.concat(parts)
    indexed = frame.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(SCENARIO_COLUMN), pl.all())
    joined = indexed.join(summaries, on=SCENARIO_COLUMN, how="inner", maintain_order="right")
    return joined.sort([SCENARIO_COLUMN, "year"], maintain_order=True)
