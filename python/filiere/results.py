"""What a run computes, as Polars DataFrames, and how to save it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from filiere import _core
from filiere.exceptions import OutputError
from filiere.plot import PlotAccessor

__all__ = ["Results", "recover"]

TABLES = (
    "summary",
    "demand",
    "costs",
    "jobs",
    "jobs_by_departement",
    "allocation",
    "capacity",
    "schedule",
    "unmet",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(c).str.starts_with(s) for s in _FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def _atomic_write(path: Path, write: object) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)  # type: ignore[operator]
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: Folder inside the output folder where a run stages its files before moving them in.
STAGING = ".filiere-staging"
#: Written in the staging folder once every file is complete: the list of files to move.
COMPLETE = "COMPLETE"


def recover(directory: str | os.PathLike[str]) -> bool:
    """Finish or discard what a killed :meth:`Results.write` left in ``directory``.

    A run writes every file into ``directory/.filiere-staging`` first, then writes a
    ``COMPLETE`` list, then moves the files in (``manifest.json`` last). If it was killed
    before ``COMPLETE``, the staged files are deleted and the previous outputs were never
    touched; if it was killed while moving, the move is finished. Every run calls this
    before writing.

    Returns
    -------
    bool
        True if something was recovered or discarded.
    """
    out = Path(directory)
    staging = out / STAGING
    if not staging.is_dir():
        return False
    marker = staging / COMPLETE
    if marker.is_file():
        for name in json.loads(marker.read_text(encoding="utf-8")):
            src = staging / name
            if src.exists():
                os.replace(src, out / name)
    shutil.rmtree(staging, ignore_errors=True)
    return True


def lock_file(file: object) -> None:
    """Exclusive lock on an open file (released when it is closed or the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # type: ignore[attr-defined]


def _output_error(path: Path, err: OSError) -> OutputError:
    reason = err.strerror or str(err)
    return OutputError(f"cannot write {path}: {reason}", file=str(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Results:
    """Results of :meth:`filiere.Study.run`.

    Attributes
    ----------
    summary : polars.DataFrame
        One row per year: ``kits``, ``pieces``, ``budget_eur`` (EUR, VAT included),
        ``budget_ht_eur`` (EUR before VAT), ``cost_per_kit_eur`` and
        ``cost_per_piece_eur`` (EUR, VAT included), ``fabric_m`` (m), ``labour_hours``
        (h), ``direct_fte`` (full-time equivalents of 1,607 h), ``offered_fte`` (operators
        the survey offers, FTE), ``hiring_gap_fte`` (FTE to hire), ``utilisation``
        (labour needed / minutes offered) and ``fte_per_meur`` (direct FTE per million EUR);
        the input-output jobs ``regional_demand_eur``, ``jobs_direct``, ``jobs_indirect``,
        ``jobs_induced``, ``jobs_total`` (persons); and the schedule: ``order_date``,
        ``deadline`` (the rentrée), ``on_time`` (the surveyed workshops, with their stated
        hires and trainees, make everything in time), ``unmet_pieces`` (pieces they cannot),
        ``makespan_days`` (calendar days from the order to the last delivery if they made
        everything; null if they cannot make a product at all), ``delivered`` (that date),
        ``operators_hired`` (this year, within each workshop's ``can_hire``),
        ``trainees_working``, ``new_capacity_operators`` and ``hiring_needed_for_deadline``
        (hires + new capacity: operators to hire or train to be on time).
    demand : polars.DataFrame
        ``year, departement, level, product, pupils, kits, pieces``.
    costs : polars.DataFrame
        Per year and product (``unit = "piece"``) and per kit (``unit = "kit"``):
        ``quantity``, ``labour_minutes`` and the breakdown in EUR per unit:
        fabric, trims, packaging, materials, labour, overhead, personalisation,
        logistics, cost, margin, price before tax (``price_ht_eur``), VAT, price paid
        (``price_ttc_eur``); ``total_ttc_eur`` = quantity times price paid.
    jobs : polars.DataFrame
        Per year and workshop: ``pieces``, ``labour_hours``, ``fte``, ``offered_fte``,
        ``hiring_gap_fte``, ``capacity_minutes`` (offered a year) and ``utilisation``.
    jobs_by_departement : polars.DataFrame
        ``jobs`` summed by year and département of the workshops.
    allocation : polars.DataFrame
        The allocation LP's flows: ``year, workshop_id, workshop_departement, product,
        departement, pieces, eur_per_piece`` (cost in the LP, before margin and VAT,
        transport included). Pieces no surveyed workshop can make in time are made by
        ``(new capacity)``.
    capacity : polars.DataFrame
        Per year and workshop: ``operators`` (FTE working for the programme, hires and
        trainees included), ``hired``, ``trainees``, ``pieces``, ``minutes_available``
        (standard minutes they can make before the deadline), ``minutes_used``,
        ``utilisation`` and ``shadow_eur_per_min`` (EUR saved by one more standard minute).
    schedule : polars.DataFrame
        Per year and workshop that makes anything: ``pieces``, ``operators``,
        ``working_days``, ``production_days``, ``on_time``, ``margin_days`` and the dates
        ``order_date``, ``material_ready``, ``start``, ``finish``, ``personalised``,
        ``delivered``, ``deadline``.
    unmet : polars.DataFrame
        Per year, product and school département: ``pieces`` the surveyed workshops cannot
        make in time, and ``marginal_cost_eur`` (the LP's shadow price of that demand).
    study_name : str
        The study these results belong to.
    """

    demand: pl.DataFrame
    costs: pl.DataFrame
    jobs: pl.DataFrame
    jobs_by_departement: pl.DataFrame
    summary: pl.DataFrame
    allocation: pl.DataFrame
    capacity: pl.DataFrame
    schedule: pl.DataFrame
    unmet: pl.DataFrame
    study_name: str = "study"

    @property
    def plot(self) -> PlotAccessor:
        """Plots of these results: ``results.plot.gantt()``, ``results.plot.capacity()``."""
        return PlotAccessor(self)

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name."""
        return {name: getattr(self, name) for name in TABLES}

    def write(
        self,
        directory: str | os.PathLike[str],
        *,
        formats: Iterable[str] = ("parquet", "csv"),
        locale: str = "en",
        extra: Mapping[str, bytes] | None = None,
        manifest: Mapping[str, Any] | None = None,
    ) -> list[Path]:
        """Save every table as one transaction: all the new files or all the old ones.

        Files are written into ``directory/.filiere-staging``, flushed to disk, listed in a
        ``COMPLETE`` marker, then renamed into ``directory`` (``manifest.json``, with the
        SHA-256 of every file and row counts, last). A run killed before the marker leaves
        the previous outputs untouched; one killed while renaming is finished by the next
        write (:func:`recover`). A lock file serialises concurrent writers to one folder.
        On a write error (read-only or full disk) nothing new is left behind and
        :class:`~filiere.OutputError` names the path.

        Parameters
        ----------
        directory : path
            Output folder, created if needed.
        formats : iterable of {"parquet", "csv"}
            File formats to write.
        locale : {"en", "fr"}
            CSV style: ``en`` is ``,`` and decimal point; ``fr`` is ``;``, decimal comma
            and a UTF-8 BOM, which French Excel opens cleanly. Text cells that would
            start a spreadsheet formula are prefixed with an apostrophe.
        extra : mapping of str to bytes, optional
            More files to write in the same transaction, by file name (no folder), e.g.
            ``{"report.html": html.encode()}``: staged, listed in the manifest with their
            SHA-256 and renamed in with the tables.
        manifest : mapping, optional
            More JSON-serialisable entries for ``manifest.json`` (inputs, stages, timings:
            :mod:`filiere.pipeline` records its trace here).

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        if locale not in ("en", "fr"):
            raise ValueError(f"locale must be 'en' or 'fr', got {locale!r}")
        formats = list(formats)
        for fmt in formats:
            if fmt not in ("parquet", "csv"):
                raise ValueError(f"unknown format {fmt!r}: use 'parquet' or 'csv'")
        extras = dict(extra or {})
        reserved = {f"{n}.{f}" for n in TABLES for f in ("parquet", "csv")}
        reserved |= {"manifest.json", COMPLETE}
        for name, content in extras.items():
            if (
                not isinstance(name, str)
                or name in ("", ".", "..")
                or Path(name).name != name
                or "\\" in name
                or name.startswith(".")
            ):
                raise ValueError(f"extra file name {name!r} must be a plain file name")
            if name in reserved:
                raise ValueError(f"extra file {name!r} is a name filiere uses for its outputs")
            if not isinstance(content, bytes | bytearray):
                raise TypeError(f"extra file {name!r}: content must be bytes")
        out = Path(directory)
        try:
            out.mkdir(parents=True, exist_ok=True)
            lock = open(out / ".filiere-lock", "a")  # noqa: SIM115 - held until the end
        except OSError as err:
            raise _output_error(out, err) from err
        with lock:
            lock_file(lock)
            return self._write_locked(out, formats, locale, extras, manifest)

    def _write_locked(
        self,
        out: Path,
        formats: list[str],
        locale: str,
        extras: dict[str, bytes],
        more: Mapping[str, Any] | None = None,
    ) -> list[Path]:
        """:meth:`write` once ``out/.filiere-lock`` is held (by the caller)."""
        try:
            recover(out)
            staging = out / STAGING
            staging.mkdir()
        except OSError as err:
            raise _output_error(out, err) from err
        names: list[str] = []
        try:
            for name, frame in self.tables().items():
                for fmt in formats:
                    path = staging / f"{name}.{fmt}"
                    if fmt == "parquet":
                        frame.write_parquet(path)
                    else:
                        safe = _neutralise_formulas(frame)
                        if locale == "fr":
                            safe.write_csv(
                                path, separator=";", decimal_comma=True, include_bom=True
                            )
                        else:
                            safe.write_csv(path)
                    names.append(path.name)
            for name, content in extras.items():
                (staging / name).write_bytes(bytes(content))
                names.append(name)
            manifest = {
                "study": self.study_name,
                "filiere": _core.__version__,
                "locale": locale,
                "files": {
                    n: {"sha256": _sha256(staging / n), "bytes": (staging / n).stat().st_size}
                    for n in names
                },
                "rows": {name: frame.height for name, frame in self.tables().items()},
                **dict(more or {}),
            }
            (staging / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
            )
            names.append("manifest.json")
            for n in names:
                with open(staging / n, "rb") as f:
                    os.fsync(f.fileno())
            _atomic_write(
                staging / COMPLETE,
                lambda p: Path(p).write_text(json.dumps(names), encoding="utf-8"),
            )
        except OSError as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise _output_error(staging, err) from err
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        recover(out)
        return [out / n for n in names]

    def headline(self) -> pl.DataFrame:
        """The summary in readable units: M pieces, M EUR, EUR per kit, FTE."""
        return self.summary.select(
            "year",
            (pl.col("pieces") / 1e6).round(3).alias("pieces_m"),
            (pl.col("budget_eur") / 1e6).round(1).alias("budget_meur"),
            pl.col("cost_per_kit_eur").round(2),
            pl.col("direct_fte").round(0),
            pl.col("offered_fte").round(0),
            pl.col("hiring_gap_fte").round(0),
            pl.col("utilisation").round(2),
            pl.col("jobs_total").round(0),
            pl.col("on_time"),
            pl.col("makespan_days"),
            pl.col("hiring_needed_for_deadline"),
        )

    def __repr__(self) -> str:
        with pl.Config(tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            return f"Results({self.study_name!r})\n{self.headline()}"

    def _repr_html_(self) -> str:
        return (
            f"<b>Results</b> {escape(self.study_name)}"
            f"{self.headline()._repr_html_()}"
            f"<small>Tables: {', '.join(TABLES)}.</small>"
        )
