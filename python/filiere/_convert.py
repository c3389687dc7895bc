"""Turn what users pass (Polars, pandas, Arrow tables, file paths) into Polars frames."""

from __future__ import annotations

import os
from typing import Any

import polars as pl

from filiere import _core
from filiere.exceptions import SchemaError

TableLike = Any
"""A Polars DataFrame or LazyFrame, a pandas DataFrame, any object exposing the Arrow
PyCapsule stream interface (pyarrow tables, DuckDB results...), or a path to a CSV,
Parquet or XLSX file."""


def to_polars(table: TableLike, name: str) -> pl.DataFrame:
    """Convert a table-like object to a Polars DataFrame.

    Parameters
    ----------
    table : TableLike
        The table.
    name : str
        Its role (``workshops``...), used in error messages.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    SchemaError
        If the object is not a table.
    """
    if isinstance(table, pl.DataFrame):
        return table
    if isinstance(table, pl.LazyFrame):
        return table.collect()
    if isinstance(table, str | os.PathLike):
        frame: pl.DataFrame = _core.read_table(os.fspath(table))
        return frame
    module = type(table).__module__
    if module.startswith("pandas"):
        return pl.from_pandas(table)
    if hasattr(table, "__arrow_c_stream__"):
        return pl.DataFrame(table)
    raise SchemaError(
        f"{name}: expected a table (Polars, pandas, Arrow or a file path), "
        f"got {type(table).__name__}",
        problems=[
            {
                "file": name,
                "row": None,
                "column": None,
                "value": type(table).__name__,
                "message": "not a table",
            }
        ],
    )
