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
        If the object is not a table, or a pandas/Arrow table has columns mixing types
        that cannot be converted.
    """
    if isinstance(table, pl.DataFrame):
        return table
    if isinstance(table, pl.LazyFrame):
        return table.collect()
    if isinstance(table, str | os.PathLike):
        frame: pl.DataFrame = _core.read_table(os.fspath(table))
        return frame
    module = type(table).__module__
    if module.startswith("pandas") or hasattr(table, "__arrow_c_stream__"):
        try:
            return pl.from_pandas(table) if module.startswith("pandas") else pl.DataFrame(table)
        except Exception as err:  # pyarrow and polars raise many kinds for odd columns
            raise SchemaError(
                f"{name}: the table cannot be converted ({type(err).__name__}: {err}); "
                "give each column one type (text or numbers)",
                problems=[
                    {
                        "file": name,
                        "row": None,
                        "column": None,
                        "value": None,
                        "message": f"cannot convert the table: {err}",
                    }
                ],
            ) from None
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
