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


_CORE_DTYPES = (
    pl.String,
    pl.Boolean,
    pl.Null,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
    pl.Float32,
    pl.Float64,
)


def for_core(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """The frame with every column of a type the core does not take (Int128, Decimal,
    dates, categoricals...) cast to text here; a column that cannot be text (lists,
    structs, Python objects) is a SchemaError naming it.

    Raises
    ------
    SchemaError
        Naming the column that cannot be read as values.
    """
    casts = {}
    for column, dtype in frame.schema.items():
        if not isinstance(dtype, _CORE_DTYPES):
            try:
                casts[column] = frame[column].cast(pl.String)
            except Exception as err:  # polars raises several kinds for impossible casts
                raise SchemaError(
                    f"{name}, column `{column}`: a column of type {dtype} cannot be read as "
                    "values; give it text or numbers",
                    problems=[
                        {
                            "file": name,
                            "row": None,
                            "column": str(column),
                            "value": None,
                            "message": f"column of type {dtype} cannot be read as values: {err}",
                        }
                    ],
                ) from None
    return frame.with_columns(**casts) if casts else frame
