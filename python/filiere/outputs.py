"""What every result column means: the registry of outputs (``outputs.csv``).

One row per column of every table :class:`~filiere.Results` holds (``summary``,
``demand``, ``costs``, ``jobs``, ...), with its unit, a French and an English label and a
one-sentence description. The CLI headline, the report, ``filiere diff`` and the docs take
their labels and units from here, and a test fails when a result column has no row.

>>> import filiere as fl
>>> fl.outputs().filter(table="summary", column="direct_fte")["unit"].item()
'FTE'
>>> from filiere.outputs import label, unit
>>> label("summary", "direct_fte", "fr")
'ETP directs'
>>> unit("summary", "budget_eur")
'EUR'
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import polars as pl

__all__ = ["COLUMNS", "header", "label", "outputs", "unit"]

#: Columns of the registry, in order.
COLUMNS = ("table", "column", "unit", "label_fr", "label_en", "description")

#: Units that a header does not repeat: identifiers, yes/no flags and dates.
_NO_UNIT = frozenset({"id", "-", "date"})

#: Units in French, for :func:`header`; a unit not listed is written as it is.
_UNIT_FR = {
    "EUR": "€",
    "EUR/piece": "€/pièce",
    "EUR/kit": "€/kit",
    "EUR/unit": "€/unité",
    "EUR/min": "€/min",
    "pieces": "pièces",
    "pieces or kits": "pièces ou kits",
    "pupils": "élèves",
    "persons": "personnes",
    "FTE": "ETP",
    "FTE/MEUR": "ETP/M€",
    "days": "jours",
    "working days": "jours ouvrés",
    "min/unit": "min/unité",
    "workshops": "ateliers",
}


@cache
def _rows() -> tuple[tuple[str, ...], ...]:
    """The registry's rows, read once from the package's ``outputs.csv``."""
    text = resources.files("filiere").joinpath("outputs.csv").read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    head = tuple(next(reader))
    if head != COLUMNS:
        raise RuntimeError(f"outputs.csv: header {head!r}, expected {COLUMNS!r}")
    rows = tuple(tuple(r) for r in reader if r)
    for number, row in enumerate(rows, start=2):
        if len(row) != len(COLUMNS):
            raise RuntimeError(f"outputs.csv line {number}: {len(row)} fields, expected 6")
    return rows


@cache
def _index() -> dict[tuple[str, str], tuple[str, ...]]:
    return {(r[0], r[1]): r for r in _rows()}


def outputs() -> pl.DataFrame:
    """The registry of result columns.

    Returns
    -------
    polars.DataFrame
        One row per column of every :class:`~filiere.Results` table, in table order:
        ``table``, ``column``, ``unit`` (``EUR``, ``EUR/kit``, ``FTE``, ``persons``,
        ``days``, ``fraction``, ``date``...; ``id`` for identifiers, ``-`` for yes/no
        flags), ``label_fr`` and ``label_en`` (short, for table headers, starting with a
        lower-case letter) and ``description`` (English, how the figure is computed).

    Examples
    --------
    >>> import filiere as fl
    >>> fl.outputs().columns
    ['table', 'column', 'unit', 'label_fr', 'label_en', 'description']
    """
    return pl.DataFrame(list(_rows()), schema=list(COLUMNS), orient="row")


def _row(table: str, column: str) -> tuple[str, ...]:
    try:
        return _index()[(table, column)]
    except KeyError:
        tables = sorted({t for t, _ in _index()})
        if table not in tables:
            raise KeyError(
                f"no output table {table!r} in the registry (tables: {', '.join(tables)})"
            ) from None
        raise KeyError(
            f"no column {column!r} in output table {table!r} of the registry (outputs.csv)"
        ) from None


def label(table: str, column: str, lang: str = "en") -> str:
    """Short label of a result column, for a table header.

    Parameters
    ----------
    table : str
        Name of the :class:`~filiere.Results` table (``"summary"``, ``"jobs"``...).
    column : str
        Column of that table.
    lang : {"en", "fr"}
        Language of the label.

    Returns
    -------
    str
        The label, starting with a lower-case letter (unless it starts with an acronym),
        without the unit (see :func:`unit` and :func:`header`).

    Raises
    ------
    KeyError
        If the registry has no row for ``table`` and ``column``.
    ValueError
        If ``lang`` is neither ``"en"`` nor ``"fr"``.

    Examples
    --------
    >>> label("summary", "jobs_indirect")
    'IO indirect jobs'
    """
    if lang not in ("en", "fr"):
        raise ValueError(f"lang must be 'en' or 'fr', got {lang!r}")
    row = _row(table, column)
    return row[3] if lang == "fr" else row[4]


def unit(table: str, column: str) -> str:
    """Unit of a result column.

    Parameters
    ----------
    table : str
        Name of the :class:`~filiere.Results` table.
    column : str
        Column of that table.

    Returns
    -------
    str
        The unit as written in the registry: ``EUR``, ``EUR/kit``, ``pieces``, ``FTE``,
        ``persons`` (head count), ``days``, ``fraction``, ``date``...; ``id`` for an
        identifier and ``-`` for a yes/no flag.

    Raises
    ------
    KeyError
        If the registry has no row for ``table`` and ``column``.

    Examples
    --------
    >>> unit("summary", "cost_per_kit_eur")
    'EUR/kit'
    """
    return _row(table, column)[2]


def header(table: str, column: str, lang: str = "en") -> str:
    """Label with its unit in brackets, e.g. ``direct FTE (FTE)``, for a table header.

    Identifiers, yes/no flags and dates get the label alone. In French the unit is
    translated (``ETP``, ``€``, ``pièces``...).

    Parameters
    ----------
    table, column : str
        The result column, as in :func:`label`.
    lang : {"en", "fr"}
        Language of the header.

    Returns
    -------
    str
        The header. Raises as :func:`label` does.

    Examples
    --------
    >>> header("summary", "budget_eur", "fr")
    'budget TTC (€)'
    >>> header("summary", "on_time")
    'on time'
    """
    text = label(table, column, lang)
    u = unit(table, column)
    if u in _NO_UNIT:
        return text
    return f"{text} ({_UNIT_FR.get(u, u) if lang == 'fr' else u})"
