"""Input-output economics: Leontief model, Type I/II multipliers, impacts, FLQ.

Notation of Miller & Blair, *Input-Output Analysis*, 2nd ed. (2009): flows Z, output x,
A = Z diag(x)^-1, L = (I - A)^-1. Type II closes the model for households with
compensation (labour income) and household consumption. Money in EUR, employment in
persons (head count).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl

from filiere import _core
from filiere.exceptions import SchemaError

__all__ = ["Economy", "flq_lambda", "location_quotient"]

Vector = Sequence[float] | Mapping[str, float] | Any
"""A sequence, numpy array, Polars/pandas Series, or a mapping branch -> value."""

MultiplierKind = Literal["output", "employment", "income", "value_added"]


def _floats(values: Any, name: str) -> list[float]:
    """A sequence of numbers as floats; a value that is not a number is a SchemaError (a
    non-iterable raises TypeError)."""
    out = []
    for i, v in enumerate(values):
        try:
            out.append(float(v))
        except (TypeError, ValueError, OverflowError):
            raise SchemaError(
                f"{name}: value {i} ({v!r}) is not a number",
                problems=[
                    {
                        "file": name,
                        "row": None,
                        "column": None,
                        "value": repr(v),
                        "message": f"value {i} is not a number",
                    }
                ],
            ) from None
    return out


def _float_array(values: Any) -> Any | None:
    """``values`` as a 2-D float64 numpy array (no copy when it already is one), or None
    when it is not array-like or numpy is absent: the native module then reads the
    array's buffer in one copy instead of one Python float per value."""
    if not hasattr(values, "__array__"):
        return None
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with anything that has __array__
        return None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None  # not numbers: the row by row path names the bad value
    return array if array.ndim == 2 else None


def _matrix(flows: Any) -> tuple[Any, list[str] | None]:
    """A square matrix (a float64 array when possible, else rows of floats) and, for a
    DataFrame, its branch labels."""
    if isinstance(flows, pl.DataFrame) or type(flows).__module__.startswith("pandas"):
        frame = flows if isinstance(flows, pl.DataFrame) else pl.from_pandas(flows)
        labels = None
        if "branch" in frame.columns:
            labels = [str(b) for b in frame["branch"].to_list()]
            frame = frame.drop("branch")
        columns = [str(c) for c in frame.columns]
        if labels is not None and labels != columns:
            raise SchemaError(
                "flows: the `branch` column must list the branches in the order of the "
                f"columns; got {labels} for columns {columns}",
                problems=[],
            )
        if frame.null_count().sum_horizontal().item() == 0:
            array = _float_array(frame)
            if array is not None:
                return array, columns
        rows = [_floats(row, "flows") for row in frame.iter_rows()]
        return rows, columns
    array = _float_array(flows)
    if array is not None:
        return array, None
    return [_floats(row, "flows") for row in flows], None


def _vector(values: Vector | None, branches: list[str], name: str) -> list[float] | None:
    if values is None:
        return None
    if isinstance(values, Mapping):
        unknown = sorted(set(values) - set(branches))
        if unknown:
            raise SchemaError(
                f"{name}: unknown branches {unknown}; branches are {branches}", problems=[]
            )
        return _floats([values.get(b, 0.0) for b in branches], name)
    return _floats(values, name)


class Economy:
    """An input-output table, solved (A, L and, with household data, the closed L̄).

    Build with :meth:`Economy.from_table`, read one with :meth:`read_csv`,
    :meth:`read_insee_tes` or :meth:`read_eurostat`, or take the bundled French table with
    :meth:`france`.

    Examples
    --------
    Miller & Blair (2009), section 2.3:

    >>> import filiere as fl
    >>> eco = fl.Economy.from_table([[150, 500], [200, 100]], [1000, 2000])
    >>> eco.multipliers("output")["total"].round(4).to_list()
    [1.5182, 1.4521]
    """

    def __init__(self, inner: _core.Economy) -> None:
        """Wrap a solved native table; build one with the class methods above instead."""
        self._inner = inner

    @classmethod
    def from_table(
        cls,
        flows: Any,
        output: Vector,
        *,
        branches: Sequence[str] | None = None,
        employment: Vector | None = None,
        compensation: Vector | None = None,
        value_added: Vector | None = None,
        household_consumption: Vector | None = None,
    ) -> Economy:
        """Build an economy from a flow matrix and vectors.

        Parameters
        ----------
        flows : array-like or DataFrame, shape (n, n)
            Intermediate flows Z (EUR), row = selling branch, column = buying branch. A
            DataFrame's columns are the branches (an optional ``branch`` column repeats
            them as row labels).
        output : vector
            Total output x (EUR).
        branches : sequence of str, optional
            Branch names (default: the DataFrame's columns, else ``b0, b1, ...``).
        employment : vector, optional
            Employment (persons).
        compensation : vector, optional
            Compensation of employees (EUR): household income, for Type II.
        value_added : vector, optional
            Value added (EUR).
        household_consumption : vector, optional
            Household final consumption by branch (EUR), for Type II.

        Raises
        ------
        SchemaError
            Non-square or mislabelled flows, values that are not numbers, negative or zero
            output, a branch whose inputs reach its output (not productive) — naming the
            branch.
        TypeError
            If ``flows`` or a vector is not a sequence at all (a number, ``None`` rows).
        ParameterError
            If the Leontief inverse cannot be computed.
        """
        matrix, labels = _matrix(flows)
        names = list(branches) if branches is not None else labels
        if names is None:
            names = [f"b{i}" for i in range(len(matrix))]
        return cls(
            _core.Economy.from_arrays(
                names,
                matrix,
                _vector(output, names, "output") or [],
                _vector(employment, names, "employment"),
                _vector(compensation, names, "compensation"),
                _vector(value_added, names, "value_added"),
                _vector(household_consumption, names, "household_consumption"),
            )
        )

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str]) -> Economy:
        """Read the project's CSV layout: ``branch``, one column per branch (flows),
        ``output`` and optional ``employment, compensation, value_added,
        household_consumption`` (see ``data/aura/economy/README.md``)."""
        return cls(_core.Economy.read_csv(os.fspath(path)))

    @classmethod
    def read_insee_tes(cls, path: str | os.PathLike[str], *, sheet: str | None = None) -> Economy:
        """Read an INSEE input-output table (TES).

        Accepted: INSEE's *TES de production domestique au prix de base, niveau 38* as the
        whole published sheet saved as CSV (``tes_dom_2019_raw_sheet.csv``), or as its
        three extracted files ``tes_dom_YYYY_intermediate_domestic_symmetric.csv``,
        ``..._resources_domestic_symmetric.csv`` and ``..._final_demand_domestic.csv``
        (give any one; the other two are read beside it) -- both are made product x
        product by Eurostat's model B (industry technology), as :meth:`france`; or a
        ``code``-headed TES sheet (workbook or CSV; layout in the Rust
        ``economy::readers`` docs).

        Raises
        ------
        SchemaError
            A cell that is not a number, a missing column or product, naming the file,
            row and column.
        InputFileError
            The file (or a sibling file) cannot be read.
        """
        return cls(_core.Economy.read_insee_tes(os.fspath(path), sheet))

    @classmethod
    def read_eurostat(
        cls,
        path: str | os.PathLike[str],
        *,
        geo: str,
        year: str | int,
        stk_flow: str = "DOM",
        unit: str = "MIO_EUR",
        products: Sequence[str] | None = None,
    ) -> Economy:
        """Read a slice of Eurostat's ``naio_10_cp1700`` TSV (country, year, flows)."""
        return cls(
            _core.Economy.read_eurostat(
                os.fspath(path),
                geo,
                str(year),
                stk_flow,
                unit,
                None if products is None else list(products),
            )
        )

    @classmethod
    def france(cls, year: int = 2019) -> Economy:
        """INSEE's domestic input-output table of France for ``year`` (2015-2019).

        The *tableau des entrees-sorties de production domestique au prix de base, niveau
        38* (base 2014, 37 A38 branches, "Source : Insee"), bundled in the package
        (``data/france/economy/``), made product x product under the industry-technology
        assumption (Eurostat manual 2008, model B). Money in EUR, employment in persons.
        Household consumption (P3 menages of French-made products) and value added are
        INSEE's; employment and compensation by branch are INSEE figures where found and
        labelled assumptions elsewhere (``data/france/economy/a38_satellites.csv``).

        Raises
        ------
        ParameterError
            ``year`` outside 2015-2019.

        Examples
        --------
        >>> e = Economy.france(2019)
        >>> len(e.branches), e.branch_names[e.branches.index("CB")]
        (37, 'Textiles, habillement, cuir')
        """
        return cls(_core.Economy.france(year))

    @property
    def branches(self) -> list[str]:
        """Branch names."""
        return self._inner.branches

    @property
    def branch_names(self) -> list[str]:
        """INSEE's short French name of each A38 branch ('' for other labels)."""
        return self._inner.branch_names

    @property
    def source(self) -> str:
        """Where the table came from."""
        return self._inner.source

    def technical_coefficients(self) -> pl.DataFrame:
        """A = Z diag(x)^-1: a ``branch`` column, then one column per branch."""
        return self._inner.technical_coefficients()

    def leontief(self) -> pl.DataFrame:
        """L = (I - A)^-1: a ``branch`` column, then one column per branch."""
        return self._inner.leontief()

    def multipliers(
        self, kind: MultiplierKind = "output", type: Literal["I", "II"] = "I"
    ) -> pl.DataFrame:
        """Multipliers by branch: ``branch, direct, indirect, induced, total, ratio``.

        For ``kind="output"``, ``total`` is the column sum of L (Type I) or of the
        household-closed L̄ block (Type II). For employment (persons per EUR of final
        demand), income and value added, ``direct`` is the coefficient c_j, ``total`` the
        simple multiplier (c'L)_j of the type, ``ratio`` = total / c_j (Type I or II
        ratio).

        Raises
        ------
        ParameterError
            For an unknown kind or type.
        SchemaError
            If the table lacks the data the kind needs (employment, compensation...).
        """
        return self._inner.multipliers(kind, type)

    def impact(
        self, final_demand: Vector, *, type: Literal["I", "II"] | None = None
    ) -> pl.DataFrame:
        """Effects of a final-demand shock (EUR by branch).

        Returns one row per branch with ``output_*``, ``value_added_*``, ``income_*`` and
        ``jobs_*`` columns, each ``direct``, ``indirect``, ``induced`` and ``total``
        (EUR, persons). ``type`` defaults to ``"II"`` when household data are present
        (induced effects), else ``"I"`` (induced = 0).
        """
        shock = _vector(final_demand, self.branches, "final_demand") or []
        model_type = type or ("II" if self._inner.has_households else "I")
        result = self._inner.impact(shock, model_type)
        data: dict[str, Any] = {"branch": result["branch"]}
        for block in ("output", "value_added", "income", "jobs"):
            effects = result[block]
            if effects is None:
                continue
            for part in ("direct", "indirect", "induced", "total"):
                data[f"{block}_{part}"] = effects[part]
        return pl.DataFrame(data)

    def regionalise(
        self,
        regional_employment: Vector,
        *,
        delta: float = 0.25,
        national_employment: Vector | None = None,
    ) -> Economy:
        """A regional economy by Flegg's location quotient (FLQ).

        r_ij = a_ij min(FLQ_ij, 1), FLQ_ij = λ* CILQ_ij (i ≠ j), FLQ_ii = λ* SLQ_i,
        λ* = [log2(1 + TRE/TNE)]^δ (Flegg, Webber & Elliott 1995).

        Parameters
        ----------
        regional_employment : vector
            Regional employment by branch (persons).
        delta : float
            Flegg's δ in [0, 1); 0.25 is the usual value for a region of this size.
        national_employment : vector, optional
            National employment for the same source and year (default: the table's).

        Raises
        ------
        ParameterError
            δ outside [0, 1), or regional employment not in (0, national].
        """
        names = self.branches
        return Economy(
            self._inner.regionalise(
                _vector(regional_employment, names, "regional_employment") or [],
                _vector(national_employment, names, "national_employment"),
                float(delta),
            )
        )

    def to_csv(self) -> str:
        """The table in the project's CSV layout."""
        return self._inner.to_csv()

    def __repr__(self) -> str:
        return f"Economy({len(self.branches)} branches, source={self.source!r})"


def location_quotient(
    regional_branch: float, regional_total: float, national_branch: float, national_total: float
) -> float:
    """Simple location quotient SLQ = (RE_i / TRE) / (NE_i / TNE).

    >>> location_quotient(20_100, 3_400_000, 91_400, 28_000_000)  # doctest: +ELLIPSIS
    1.81...

    Raises
    ------
    ParameterError
        If a figure is not a finite number, a total is not positive, the national branch
        employs nobody, or the regional branch is negative (the quotient would be NaN,
        infinite or negative).
    """
    return _core.location_quotient(regional_branch, regional_total, national_branch, national_total)


def flq_lambda(regional_total: float, national_total: float, delta: float) -> float:
    """Flegg's λ* = [log2(1 + TRE/TNE)]^δ (regional size adjustment).

    >>> round(flq_lambda(3_400_000, 28_000_000, 0.25), 4)
    0.6377

    Raises
    ------
    ParameterError
        If δ is outside [0, 1).
    """
    return _core.flq_lambda(regional_total, national_total, delta)
