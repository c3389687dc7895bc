"""What changed between two runs: ``filiere diff OLD_DIR NEW_DIR`` and :func:`diff_runs`.

Two output folders of ``filiere run --out`` are compared on their headline figures
(``summary.parquet``, year by year: budget, jobs, where the pieces come from, lateness and
hiring; a figure one run's summary lacks shows with a null ``old`` or ``new``) and on the
input rows each run copied into its folder (``input_<kind>.parquet``): workshops,
establishments, catalog products and parameters added, removed or changed, with the
changed columns' old and new values.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from filiere.exceptions import InputFileError
from filiere.outputs import header, unit

__all__ = ["HEADLINE", "HEADLINE_COLUMNS", "ROW_KEYS", "RunDiff", "diff_runs"]

#: Headline figures compared: columns of ``summary.parquet``.
HEADLINE_COLUMNS = (
    "pieces",
    "budget_eur",
    "cost_per_kit_eur",
    "direct_fte",
    "offered_fte",
    "hiring_gap_fte",
    "jobs_total",
    "jobs_gross",
    "pieces_surveyed",
    "pieces_new_regional",
    "pieces_imported",
    "unmet_pieces",
    "local_content_share",
    "makespan_days",
    "late_days",
    "on_time",
    "new_capacity_operators",
    "hiring_needed_for_deadline",
)

#: Headline figures compared, with their unit (from the outputs registry).
HEADLINE = {column: unit("summary", column) for column in HEADLINE_COLUMNS}

#: The column(s) identifying a row of each input table.
ROW_KEYS = {
    "workshops": ("workshop_id",),
    "establishments": ("uai", "name", "departement", "level"),
    "catalog": ("product",),
    "parameters": ("name",),
}


@dataclass(frozen=True)
class RunDiff:
    """Differences between two runs.

    Attributes
    ----------
    headline : polars.DataFrame
        ``year, metric, unit, old, new, change, change_pct`` for every headline figure
        that differs (``metric`` is the ``summary`` column, ``unit`` its unit in
        :func:`filiere.outputs`; ``change`` in that unit, ``change_pct`` in percent; null for
        yes/no figures or when ``old`` is 0); years present in one run only appear with a
        null ``old`` or ``new``.
    inputs : polars.DataFrame
        ``table, key, change, column, old, new``: one row per added or removed input row
        (``change`` = ``added``/``removed``, ``column`` null) and one per changed cell
        (``change`` = ``changed``); values as text.
    files : polars.DataFrame
        ``table, old_sha256, new_sha256`` for the input files whose content differs.
    old, new : pathlib.Path
        The two folders.
    """

    headline: pl.DataFrame
    inputs: pl.DataFrame
    files: pl.DataFrame
    old: Path
    new: Path

    @property
    def unchanged(self) -> bool:
        """True if neither the headline figures nor the input rows differ."""
        return self.headline.height == 0 and self.inputs.height == 0

    def summary(self) -> pl.DataFrame:
        """Input rows added, removed and changed, by table."""
        if self.inputs.height == 0:
            return pl.DataFrame(
                schema={
                    "table": pl.String,
                    "added": pl.UInt32,
                    "removed": pl.UInt32,
                    "changed": pl.UInt32,
                }
            )
        rows = self.inputs.unique(["table", "key", "change"])
        return (
            rows.group_by("table")
            .agg((pl.col("change") == c).sum().alias(c) for c in ("added", "removed", "changed"))
            .sort("table")
        )

    def to_dict(self) -> dict[str, Any]:
        """The differences as JSON-ready data."""
        return {
            "old": str(self.old),
            "new": str(self.new),
            "unchanged": self.unchanged,
            "headline": self.headline.to_dicts(),
            "inputs": self.inputs.to_dicts(),
            "input_files": self.files.to_dicts(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text (UTF-8, indented)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def __str__(self) -> str:
        lines = [f"filiere diff {self.old} {self.new}"]
        if self.unchanged:
            lines.append("no change in the headline figures or the input rows")
            return "\n".join(lines)
        if self.headline.height:
            lines.append("\nheadline figures")
            lines.append(_text_table(_readable(self.headline)))
        if self.inputs.height:
            lines.append("\ninput rows")
            lines.append(_text_table(self.summary()))
            lines.append("")
            lines.append(_text_table(self.inputs))
        return "\n".join(lines)


def _readable(headline: pl.DataFrame) -> pl.DataFrame:
    """The headline changes for a reader: each figure by its label and unit."""
    return headline.select(
        "year",
        pl.col("metric")
        .replace({c: header("summary", c) for c in HEADLINE_COLUMNS})
        .alias("figure"),
        "old",
        "new",
        "change",
        pl.col("change_pct").round(2),
    )


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _text_table(frame: pl.DataFrame) -> str:
    header = frame.columns
    rows = [[_text(v) for v in row] for row in frame.iter_rows()]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _read(folder: Path, name: str) -> pl.DataFrame | None:
    path = folder / name
    if not path.exists():
        return None
    try:
        return pl.read_parquet(path)
    except Exception as err:
        message = f"{path}: not a readable Parquet file ({err})"
        raise InputFileError(message, file=str(path)) from err


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise InputFileError(
            f"{folder}: no such folder (give two `filiere run --out` folders)", file=str(folder)
        )
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(
            f"{folder}: no manifest.json; is it the output folder of `filiere run --out`?",
            file=str(path),
        ) from None
    except (OSError, ValueError) as err:
        raise InputFileError(f"{path}: unreadable manifest ({err})", file=str(path)) from err
    if not isinstance(value, dict):
        raise InputFileError(f"{path}: the manifest is not a JSON object", file=str(path))
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _headline(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    old_by_year = {r["year"]: r for r in old.iter_rows(named=True)}
    new_by_year = {r["year"]: r for r in new.iter_rows(named=True)}
    for year in sorted(set(old_by_year) | set(new_by_year)):
        a, b = old_by_year.get(year, {}), new_by_year.get(year, {})
        for metric, metric_unit in HEADLINE.items():
            if metric not in a and metric not in b:
                continue
            va, vb = a.get(metric), b.get(metric)
            if va == vb or (
                isinstance(va, float)
                and isinstance(vb, float)
                and math.isnan(va)
                and math.isnan(vb)
            ):
                continue
            na, nb = _number(va), _number(vb)
            change = nb - na if na is not None and nb is not None else None
            pct = 100 * change / abs(na) if change is not None and na else None
            rows.append(
                {
                    "year": int(year),
                    "metric": metric,
                    "unit": metric_unit,
                    "old": _cell(va),
                    "new": _cell(vb),
                    "change": change,
                    "change_pct": pct,
                }
            )
    schema = {
        "year": pl.Int64,
        "metric": pl.String,
        "unit": pl.String,
        "old": pl.String,
        "new": pl.String,
        "change": pl.Float64,
        "change_pct": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _cell(value: Any) -> str | None:
    """A headline value as text: floats in full (``repr``), the rest as ``str``."""
    if value is None:
        return None
    return repr(value) if isinstance(value, float) else str(value)


def _key_of(row: dict[str, Any], key: tuple[str, ...]) -> str:
    if key == ROW_KEYS["establishments"] and row.get("uai"):
        return str(row["uai"])
    return " / ".join("" if row.get(k) is None else str(row.get(k)) for k in key)


def _rows(old: pl.DataFrame, new: pl.DataFrame, table: str) -> list[dict[str, Any]]:
    key = ROW_KEYS[table]
    a = {_key_of(r, key): r for r in old.iter_rows(named=True)}
    b = {_key_of(r, key): r for r in new.iter_rows(named=True)}
    out: list[dict[str, Any]] = []
    for k in sorted(set(a) | set(b)):
        if k not in b:
            out.append(
                {
                    "table": table,
                    "key": k,
                    "change": "removed",
                    "column": None,
                    "old": None,
                    "new": None,
                }
            )
        elif k not in a:
            out.append(
                {
                    "table": table,
                    "key": k,
                    "change": "added",
                    "column": None,
                    "old": None,
                    "new": None,
                }
            )
        else:
            columns = list(b[k]) + [c for c in a[k] if c not in b[k]]
            for column in columns:
                va, vb = a[k].get(column), b[k].get(column)
                if va != vb:
                    out.append(
                        {
                            "table": table,
                            "key": k,
                            "change": "changed",
                            "column": column,
                            "old": None if va is None else str(va),
                            "new": None if vb is None else str(vb),
                        }
                    )
    return out


def diff_runs(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> RunDiff:
    """Compare two output folders of ``filiere run --out``.

    Parameters
    ----------
    old, new : path
        The folders (each with ``manifest.json``, ``summary.parquet`` and the
        ``input_<kind>.parquet`` copies of its inputs).

    Returns
    -------
    RunDiff
        ``.headline`` (figures that changed, by year), ``.inputs`` (rows added, removed,
        changed), ``.files`` (input files whose SHA-256 differs), ``str()`` as text
        tables (each figure by its label and unit, e.g. ``direct FTE (FTE)``),
        ``.to_json()`` (figures by their ``summary`` column name).

    Raises
    ------
    InputFileError
        If a folder is missing, has no manifest, or holds an unreadable table.
    """
    a, b = Path(old), Path(new)
    ma, mb = _manifest(a), _manifest(b)
    sa, sb = _read(a, "summary.parquet"), _read(b, "summary.parquet")
    if sa is None or sb is None:
        missing = a if sa is None else b
        raise InputFileError(
            f"{missing}: no summary.parquet (run with the Parquet format)",
            file=str(missing / "summary.parquet"),
        )
    rows: list[dict[str, Any]] = []
    for table in ROW_KEYS:
        ta, tb = _read(a, f"input_{table}.parquet"), _read(b, f"input_{table}.parquet")
        if ta is None or tb is None:
            continue
        rows.extend(_rows(ta, tb, table))
    inputs = pl.DataFrame(
        rows,
        schema={
            "table": pl.String,
            "key": pl.String,
            "change": pl.String,
            "column": pl.String,
            "old": pl.String,
            "new": pl.String,
        },
    )
    ia, ib = ma.get("inputs") or {}, mb.get("inputs") or {}
    files = [
        {
            "table": k,
            "old_sha256": (ia.get(k) or {}).get("sha256"),
            "new_sha256": (ib.get(k) or {}).get("sha256"),
        }
        for k in sorted(set(ia) | set(ib))
        if (ia.get(k) or {}).get("sha256") != (ib.get(k) or {}).get("sha256")
    ]
    files_frame = pl.DataFrame(
        files, schema={"table": pl.String, "old_sha256": pl.String, "new_sha256": pl.String}
    )
    return RunDiff(_headline(sa, sb), inputs, files_frame, a, b)
