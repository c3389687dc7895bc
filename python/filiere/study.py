"""The central object: a :class:`Study` holds the inputs, parameters and scenario."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from filiere import _core
from filiere._convert import TableLike, for_core, to_polars
from filiere.exceptions import ParameterError
from filiere.results import Results
from filiere.uncertainty import Distribution, monte_carlo, sobol_indices, tornado

__all__ = ["Study"]


def _numbers(overrides: Mapping[str, Any]) -> dict[str, float]:
    """Parameter overrides as floats; a value that is not a number is a ParameterError."""
    out: dict[str, float] = {}
    for name, value in overrides.items():
        try:
            out[str(name)] = float(value)
        except (TypeError, ValueError, OverflowError) as err:
            raise ParameterError(
                f"parameter `{name}`: {value!r} is not a number ({err})", name=str(name)
            ) from None
    return out


class Study:
    """A school-uniform programme study: workshops, establishments, catalog, parameters
    and scenario, validated together.

    Build one from the bundled data with :meth:`Study.example`, from a ``study.toml``
    with :meth:`Study.load`, or from tables in memory with the constructor.

    Parameters
    ----------
    workshops : TableLike
        The capacity survey, one row per workshop (schema in ``data/README.md``).
    establishments : TableLike
        Schools with their level and pupils.
    catalog : TableLike
        Products with standard minutes and materials.
    parameters : TableLike, optional
        Parameter rows replacing the bundled defaults (``name, value, unit, low, high,
        distribution, source, description``).
    scenario : dict, optional
        Scenario as in the ``[scenario]`` section of a study file: ``base_year``,
        ``years``, ``rollout`` (level -> first year), ``adoption`` (fraction, or level ->
        fraction), ``renewal`` (``"full"`` or ``"partial"``), ``replacement_rate``,
        ``years_in_level``, ``pupil_growth``, ``kit`` (product -> pieces per pupil),
        ``survey_extrapolation`` (``"none"`` or ``"ratio"``) and ``local_content_min``
        (fraction 0-1: the smallest share of each product's pieces made in the region;
        imports may supply the rest). Defaults: ``{"base_year": 2025, "years": [2026],
        "kit": {"polo": 3, "sweatshirt": 2}, "local_content_min": 1.0}`` with every level
        rolled out in the first year.
    name, description : str
        Labels for reports.
    overrides : dict, optional
        Parameter values replacing those of the table.

    Raises
    ------
    SchemaError
        Listing every bad cell of every table (file, row, column, value, what is allowed).
    StudyError
        If the scenario is invalid or names products the catalog lacks.
    ParameterError
        If an override is unknown, not a number or out of range.

    Examples
    --------
    >>> import filiere as fl
    >>> pilot = fl.Study.example("aura-pilot")
    >>> int(pilot.run().summary["pieces"][0])
    15000
    """

    _inner: _core.Study

    def __init__(
        self,
        workshops: TableLike,
        establishments: TableLike,
        catalog: TableLike,
        parameters: TableLike | None = None,
        scenario: Mapping[str, Any] | None = None,
        *,
        name: str = "study",
        description: str = "",
        overrides: Mapping[str, float] | None = None,
    ) -> None:
        default: dict[str, Any] = {"base_year": 2025, "years": [2026]}
        scenario_json = json.dumps({**default, **dict(scenario or {})})
        tables = {
            "workshops": workshops,
            "establishments": establishments,
            "catalog": catalog,
            "parameters": parameters,
        }
        labels = [
            os.fspath(t) if isinstance(t, str | os.PathLike) else kind for kind, t in tables.items()
        ]
        # Files are read by the core itself (None here), so messages keep their row numbers.
        frames = [
            None
            if t is None or isinstance(t, str | os.PathLike)
            else for_core(to_polars(t, kind), kind)
            for kind, t in tables.items()
        ]
        self._inner = _core.Study.from_frames(
            workshops=frames[0],
            establishments=frames[1],
            catalog=frames[2],
            parameters=frames[3],
            scenario_json=scenario_json,
            overrides=_numbers(overrides or {}),
            name=name,
            description=description,
            labels=labels,
            has_parameters=isinstance(parameters, str | os.PathLike),
        )

    @classmethod
    def _wrap(cls, core: _core.Study) -> Study:
        study = cls.__new__(cls)
        study._inner = core
        return study

    @classmethod
    def example(cls, name: str = "aura") -> Study:
        """Load a bundled example study.

        Parameters
        ----------
        name : {"aura", "aura-pilot"}
            ``aura``: the full programme (1.5 M pupils, 7.5 M pieces a year at full
            rollout, synthetic survey of 119 workshops). ``aura-pilot``: the 2024 pilot,
            3,000 kits in 4 lycées.

        Returns
        -------
        Study

        Raises
        ------
        StudyError
            For an unknown name.
        """
        return cls._wrap(_core.Study.example(name))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Study:
        """Load a study from its ``study.toml`` (table paths are relative to it).

        Raises
        ------
        StudyError
            If the file is missing or invalid, or a table file does not exist.
        SchemaError
            Listing every problem of every table.
        InputFileError
            If a table file cannot be decoded.
        """
        return cls._wrap(_core.Study.load(os.fspath(path)))

    def with_params(self, **overrides: float) -> Study:
        """A new study with some parameter values replaced.

        Parameters
        ----------
        **overrides : float
            ``name=value`` in the parameter's unit, e.g. ``line_efficiency=0.6``.

        Raises
        ------
        ParameterError
            For an unknown name, a value that is not a number, or a value outside the
            parameter's domain.

        Examples
        --------
        >>> import filiere as fl
        >>> s = fl.Study.example("aura-pilot").with_params(margin_rate=0.15)
        >>> float(s.parameters.filter(name="margin_rate")["value"][0])
        0.15
        """
        return Study._wrap(self._inner.with_params(_numbers(overrides)))

    def with_scenario(self, **changes: Any) -> Study:
        """A new study with some scenario fields replaced (``years=[2027]``, ...).

        Raises
        ------
        StudyError
            If the resulting scenario is invalid; the message names the key
            (``scenario.local_content_min must be within 0-1 ...``).

        Examples
        --------
        >>> import filiere as fl
        >>> s = fl.Study.example("aura-pilot").with_scenario(local_content_min=0.5)
        >>> s.scenario["local_content_min"]
        0.5
        """
        scenario = {**self.scenario, **changes}
        return Study._wrap(self._inner.with_scenario(json.dumps(scenario)))

    @property
    def name(self) -> str:
        """Study name."""
        return self._inner.name

    @property
    def description(self) -> str:
        """One-line description."""
        return self._inner.description

    @property
    def sources(self) -> dict[str, str]:
        """Where each table came from."""
        return self._inner.sources

    @property
    def file(self) -> str | None:
        """The ``study.toml`` it was loaded from (``None`` for the bundled examples and
        studies built in memory, and after pickling); the report shows input paths
        relative to it."""
        return self._inner.file

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario, as a dict (a copy)."""
        scenario: dict[str, Any] = json.loads(self._inner.scenario_json())
        return scenario

    @property
    def parameters(self) -> pl.DataFrame:
        """Parameters in force: ``name, value, unit, low, high, distribution, source,
        description, description_fr`` (descriptions in English and French)."""
        return self._inner.parameters()

    def _table(self, kind: str) -> pl.DataFrame:
        return self._inner.table(kind)

    @property
    def workshops(self) -> pl.DataFrame:
        """The validated capacity survey (empty cells stay null: parameters fill them)."""
        return self._table("workshops")

    @property
    def establishments(self) -> pl.DataFrame:
        """The validated establishments."""
        return self._table("establishments")

    @property
    def catalog(self) -> pl.DataFrame:
        """The validated catalog."""
        return self._table("catalog")

    def run(self) -> Results:
        """Compute demand, where the pieces come from (surveyed workshops and their hires,
        new regional capacity, imports, late), schedule, cost and jobs for every scenario
        year.

        Returns
        -------
        Results
            ``summary``, ``demand``, ``costs``, ``jobs``, ``jobs_by_departement``,
            ``jobs_by_branch``, ``allocation``, ``capacity``, ``schedule``, ``unmet``,
            ``sourcing`` and ``balance`` as Polars DataFrames.
        """
        return Results(study_name=self.name, **self._inner.run())

    def monte_carlo(
        self,
        n: int,
        *,
        seed: int,
        resolve_allocation: bool = True,
        schedule: bool = True,
        progress: bool | None = None,
        chunk: int | None = None,
        client: Any | None = None,
    ) -> Distribution:
        """Draw the uncertain inputs ``n`` times and compute the headline figures.

        Every parameter whose ``distribution`` is not ``fixed`` (and ``low < high``) is
        drawn: uniform, triangular, PERT, normal or log-normal, as the parameters table
        says. So is every catalog figure with a range (``<column>_low < <column>_high`` in
        the catalog: standard minutes, fabric, fabric price), triangular on its range with
        the catalog's value as mode, as the column ``catalog.<product>.<column>``; the
        catalog's inputs come after the parameters in each draw's stream, so they leave the
        parameters' values unchanged. Draw i uses its own random stream derived from
        ``(seed, i)``: the same seed gives the same draws whatever the number of threads or
        the chunking.

        Parameters
        ----------
        n : int
            Number of draws.
        seed : int
            Seed, in [0, 2^64).
        resolve_allocation : bool, default True
            True runs the study for each draw with its parameters and catalog: allocation
            (the exact network simplex), hiring, new capacity and schedule included, so
            ``hiring_needed_for_deadline``, the sourcing split, ``late_days`` and
            ``on_time`` vary as they would (a few hundred draws a second for AURA on two
            cores). False keeps the central run's allocation (who makes what, operators,
            new capacity) and recomputes costs, jobs, input-output and the schedule for
            each draw (tens of thousands a second); its limits: hiring and the sourcing
            split stay at their central values, and lateness only moves with timing and
            the work's minutes, never with who could make the pieces.
        schedule : bool, default True
            With the fast mode, recompute each draw's schedule (``makespan_days``,
            ``on_time``); False skips it (``makespan_days`` NaN, ``on_time`` that of the
            central run) for cost and jobs figures only.
        progress : bool, optional
            Show a progress bar (``tqdm.auto``: a widget in Jupyter, a bar on stderr in a
            terminal; default: when the run takes several chunks).
        chunk : int, optional
            Draws per chunk; Ctrl-C stops the run between chunks. With ``client``: draws
            per Dask task (default: 4 tasks per worker thread).
        client : dask.distributed.Client, optional
            Compute on this Dask cluster: the study is sent once to every worker, each task
            computes a range of draw indices, and the ranges are concatenated in order. The
            draws are bit-identical to a local run with the same seed. ``progress`` is
            ignored (Dask's dashboard shows the tasks).

        Returns
        -------
        Distribution
            ``.draws`` (one row per draw and year), ``.quantiles()``, ``.plot``.

        Examples
        --------
        >>> import filiere as fl
        >>> d = fl.Study.example("aura-pilot").monte_carlo(1_000, seed=1)
        >>> q = d.quantiles(metrics=["direct_fte"])
        >>> bool(q["p5"][0] < q["p50"][0] < q["p95"][0])
        True
        """
        return monte_carlo(
            self,
            n,
            seed=seed,
            resolve_allocation=resolve_allocation,
            schedule=schedule,
            progress=progress,
            chunk=chunk,
            client=client,
        )

    def order_curve(self, weeks: Sequence[float] = (13, 26, 39, 52)) -> pl.DataFrame:
        """When to order: the programme run with each order lead time.

        The Région has not chosen how long before the rentrée it orders
        (``order_weeks_before_rentree``); the earlier it orders, the longer the workshops
        have to make the pieces, and the fewer operators they must recruit. Each lead time
        is a full run (:meth:`run`) with only that parameter changed.

        Parameters
        ----------
        weeks : sequence of float, default (13, 26, 39, 52)
            Order lead times to compare, in weeks before the rentrée (whole weeks; within
            the parameter's domain).

        Returns
        -------
        polars.DataFrame
            One row per year and lead time: ``year``, ``order_weeks_before_rentree``
            (weeks), ``order_date``, ``on_time``, ``late_days`` (days), ``unmet_pieces``
            (pieces late), ``hiring_needed_for_deadline`` (operators recruited that year),
            ``operators_recruited_total`` (operators recruited that year and before: the
            surveyed workshops' hires and new capacity's recruits), and the sourcing split
            ``pieces_surveyed``, ``pieces_new_regional``, ``pieces_imported``.

        Raises
        ------
        ParameterError
            For a lead time outside the parameter's domain.

        Examples
        --------
        >>> import filiere as fl
        >>> c = fl.Study.example("aura-pilot").order_curve([26, 52])
        >>> c.select("order_weeks_before_rentree", "on_time").rows()
        [(26.0, True), (52.0, True)]
        """
        frames = []
        for w in weeks:
            summary = self.with_params(order_weeks_before_rentree=float(w)).run().summary
            frames.append(
                summary.select(
                    "year",
                    pl.lit(float(w)).alias("order_weeks_before_rentree"),
                    "order_date",
                    "on_time",
                    "late_days",
                    "unmet_pieces",
                    "hiring_needed_for_deadline",
                    pl.col("hiring_needed_for_deadline")
                    .cum_sum()
                    .alias("operators_recruited_total"),
                    "pieces_surveyed",
                    "pieces_new_regional",
                    "pieces_imported",
                )
            )
        return pl.concat(frames).sort("year", "order_weeks_before_rentree")

    def sensitivity(
        self,
        method: str = "tornado",
        *,
        metric: str = "jobs_total",
        year: int | None = None,
        n: int = 1024,
        seed: int = 0,
        resolve_allocation: bool = False,
    ) -> pl.DataFrame:
        """Which uncertain inputs drive a headline figure.

        The inputs are those :meth:`monte_carlo` draws: the uncertain parameters and the
        catalog's ranged figures (``catalog.<product>.<column>``).

        Parameters
        ----------
        method : {"tornado", "sobol"}
            ``tornado``: each uncertain input at the low and at the high end of its range
            (``low``, ``high`` of the parameters table or of the catalog), the others at
            their central value (one at a time). ``sobol``: Sobol' first-order and total
            indices (:func:`filiere.sobol`) with every uncertain input drawn from its own
            distribution (the design on the unit cube mapped through each input's inverse
            distribution function: a triangular input is sampled triangular). Both keep the
            central run's allocation unless ``resolve_allocation`` is True.
        metric : str, default "jobs_total"
            A headline figure (see :data:`filiere.uncertainty.METRICS`).
        year : int, optional
            Year (default: the last).
        n : int, default 1024
            ``sobol`` only: base sample size, a power of two (n x (k + 2) evaluations for
            k uncertain inputs, at most 64).
        seed : int, default 0
            ``sobol`` only: seed of the sequence's shift and of the bootstrap.
        resolve_allocation : bool, default False
            True runs the whole study for each set of inputs, allocation, hiring, new
            capacity and schedule included, as :meth:`monte_carlo` does by default: the
            inputs that act through who makes the pieces and when (the order date
            ``order_weeks_before_rentree``, ``fabric_lead_days``, the new capacity's
            bound and lead time) then move ``direct_fte``,
            ``hiring_needed_for_deadline`` and ``late_days`` as they would. False keeps
            the central run's allocation (fast, but those inputs then show no swing on
            jobs or hiring). A tornado of the AURA study takes about 0.6 s re-solved (two
            runs per input); Sobol' needs n x (k + 2) runs, minutes for AURA.

        Returns
        -------
        polars.DataFrame
            ``tornado``: ``parameter, low, high, <metric>_at_low, <metric>_at_high, swing``
            (largest swing first), ``<metric>_central`` and ``year``; plot it with
            :func:`filiere.plot.tornado`. ``sobol``: ``name, S1, S1_conf, ST, ST_conf``,
            ``metric`` and ``year``.
        """
        if method == "tornado":
            return tornado(self._inner, metric, year, resolve_allocation)
        if method == "sobol":
            return sobol_indices(self._inner, metric, year, n, seed, resolve_allocation)
        raise ParameterError(
            f"parameter `method`: {method!r}; supported: 'tornado', 'sobol'", name="method"
        )

    def __getstate__(self) -> dict[str, bytes]:
        """Pickle as the core's serde JSON, zlib-compressed (a few hundred kB for the
        bundled AURA study, where pickling the tables as Python objects would take
        megabytes): what Dask sends to each worker once."""
        return {"zjson": zlib.compress(self._inner.to_json().encode("utf-8"), 6)}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        if "zjson" in state:
            text = zlib.decompress(state["zjson"]).decode("utf-8")
        else:  # pickles written before v0.2: plain JSON text
            text = state["json"]
        self._inner = _core.Study.from_json(text)

    def __repr__(self) -> str:
        s = self.scenario
        return (
            f"Study({self.name!r}: {len(self.workshops)} workshops, "
            f"{len(self.establishments)} establishments, years {s['years']})"
        )

    def _repr_html_(self) -> str:
        from html import escape

        s = self.scenario
        rows = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
            for k, v in [
                ("workshops", len(self.workshops)),
                ("establishments", len(self.establishments)),
                ("years", s["years"]),
                ("rollout", s.get("rollout") or "all levels, first year"),
                ("kit", s["kit"]),
                ("renewal", s["renewal"]),
            ]
        )
        return f"<b>Study</b> {escape(self.name)}<table>{rows}</table>"
