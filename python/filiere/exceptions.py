"""The exception tree of filiere.

Every error filiere raises is a :class:`FiliereError`; catch that to handle them all.
Input problems carry what a user needs to fix them: the file, row (as a spreadsheet
shows it, header = row 1), column and value.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "FiliereError",
    "InputFileError",
    "InternalError",
    "OutputError",
    "ParameterError",
    "ParameterTableError",
    "Problem",
    "SchemaError",
    "StudyError",
    "SweepError",
    "UnknownDepartementError",
]


class Problem(TypedDict):
    """One problem in one input table."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str


class FiliereError(Exception):
    """Base class of every error filiere raises."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in details.items():
            setattr(self, key, value)


class InputFileError(FiliereError):
    """A file could not be opened or decoded (missing, too large, corrupt, wrong type).

    Attributes
    ----------
    file : str
        The file.
    """

    file: str


class SchemaError(FiliereError, ValueError):
    """Cells, columns or rows of input tables break their schema.

    Attributes
    ----------
    problems : list of Problem
        Every problem found, each with ``file``, ``row``, ``column``, ``value`` and
        ``message``.
    file, row, column, value : str, int or None
        Those of the first problem, for convenience.
    """

    problems: list[Problem]

    def __init__(self, message: str, problems: list[Problem] | None = None, **details: Any):
        super().__init__(message, **details)
        self.problems = list(problems or [])
        first = self.problems[0] if self.problems else None
        self.file = first["file"] if first else None
        self.row = first["row"] if first else None
        self.column = first["column"] if first else None
        self.value = first["value"] if first else None


class ParameterError(FiliereError, ValueError):
    """A parameter is unknown, out of its allowed range or inconsistent (``low > high``).

    Attributes
    ----------
    name : str
        The parameter.
    """

    name: str


class ParameterTableError(SchemaError, ParameterError):
    """Problems of a parameters table (bad cells, unknown names, ``low > high``...): a
    :class:`SchemaError` with every problem's row and column, that ``except
    ParameterError`` also catches. ``name`` is ``"parameters"``."""


class UnknownDepartementError(ParameterError):
    """A workshop or school département has no prefecture coordinates, so no transport
    distance: it is not one of the 96 départements of metropolitan France
    (``data/reference/prefectures.csv``: 01-95, 2A and 2B).

    Attributes
    ----------
    name : str
        ``"departement"``.
    departement : str
        The code as given.
    """

    departement: str


class SweepError(FiliereError, ValueError):
    """A scenario of a sweep is invalid: a column that is neither a parameter nor a
    scenario key, or a value the study refuses.

    Attributes
    ----------
    file : str
        The scenarios file (``"scenarios"`` for a table in memory).
    row : int or None
        The scenario's row as a spreadsheet shows it (header = row 1, first scenario =
        row 2), or None for a problem with a whole column.
    column : str or None
        The column.
    """

    file: str
    row: int | None
    column: str | None


class StudyError(FiliereError, ValueError):
    """A study file or scenario is invalid, or points at files that do not exist."""

    file: str


class OutputError(FiliereError, OSError):
    """Outputs could not be written."""

    file: str


class InternalError(FiliereError, RuntimeError):
    """A bug in filiere: an invariant did not hold. Please report it."""
