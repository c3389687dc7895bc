"""Who makes what: the allocation linear programme as a plain function."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from filiere import _core
from filiere._convert import TableLike, to_polars
from filiere.exceptions import Problem, SchemaError

__all__ = ["Allocation", "ShadowPrices", "allocate"]

_COLUMNS = {
    "capacity": {"workshop": pl.String, "minutes_available": pl.Float64},
    "demand": {"product": pl.String, "departement": pl.String, "pieces": pl.Float64},
    "unit_cost": {
        "workshop": pl.String,
        "product": pl.String,
        "departement": pl.String,
        "eur_per_piece": pl.Float64,
    },
}


def _prepare(table: TableLike, name: str) -> pl.DataFrame:
    """Select, cast and null-check the columns ``allocate`` reads from one table."""
    frame = to_polars(table, name)
    wanted = _COLUMNS[name]
    problems: list[Problem] = [
        {
            "file": name,
            "row": None,
            "column": column,
            "value": None,
            "message": f"missing column; {name} needs {', '.join(wanted)}",
        }
        for column in wanted
        if column not in frame.columns
    ]
    if problems:
        raise SchemaError(f"{name}: {problems[0]['message']}", problems=problems)
    out = frame.select(
        pl.col(c).cast(t, strict=False).alias(c) if t == pl.Float64 else pl.col(c).cast(t)
        for c, t in wanted.items()
    )
    for column in wanted:
        # A null after the cast is an empty cell or text where a number belongs.
        bad = out.with_row_index("_row").filter(pl.col(column).is_null())
        for row in bad["_row"].to_list():
            original = frame[column][row]
            problems.append(
                {
                    "file": name,
                    "row": row + 2,
                    "column": column,
                    "value": None if original is None else str(original),
                    "message": "empty cell" if original is None else "not a number",
                }
            )
    if problems:
        first = problems[0]
        raise SchemaError(
            f"{name}, row {first['row']}, column {first['column']}: {first['message']}"
            + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""),
            problems=problems,
        )
    return out


@dataclass(frozen=True)
class ShadowPrices:
    """Dual values of the allocation LP.

    Attributes
    ----------
    capacity : polars.DataFrame
        ``workshop, eur_per_minute``: EUR the objective falls by with one more minute at
        that workshop (0 where its capacity is not used up).
    demand : polars.DataFrame
        ``product, departement, eur_per_piece``: EUR the objective rises by with one more
        piece demanded (the marginal cost of a piece; the penalty where demand is unmet).
    """

    capacity: pl.DataFrame
    demand: pl.DataFrame


@dataclass(frozen=True)
class Allocation:
    """The optimal allocation returned by :func:`allocate`.

    Attributes
    ----------
    allocation : polars.DataFrame
        ``workshop, product, departement, pieces``, non-zero flows only.
    unmet : polars.DataFrame
        ``product, departement, pieces``: one row per demand row, 0 when fully served.
    objective_eur : float
        Minimised cost: making and transport plus the penalty on unmet pieces (EUR).
    production_cost_eur : float
        Cost of the pieces made (EUR).
    unmet_penalty_eur : float
        Penalty paid on unmet pieces (EUR).
    capacity : polars.DataFrame
        Per workshop: ``minutes_available``, ``minutes_used``, ``utilisation``,
        ``pieces``, ``shadow_eur_per_min`` and ``share_shadow_eur_per_piece`` (dual of the
        ``max_share`` limit).
    shadow_prices : ShadowPrices
        Dual values of capacity and demand.
    """

    allocation: pl.DataFrame
    unmet: pl.DataFrame
    objective_eur: float
    production_cost_eur: float
    unmet_penalty_eur: float
    capacity: pl.DataFrame
    shadow_prices: ShadowPrices

    @property
    def unmet_pieces(self) -> float:
        """Total pieces left unmet."""
        return float(self.unmet["pieces"].sum())

    def __repr__(self) -> str:
        return (
            f"Allocation(objective_eur={self.objective_eur:,.2f}, "
            f"flows={self.allocation.height}, unmet_pieces={self.unmet_pieces:,.0f})"
        )


def allocate(
    capacity: TableLike,
    demand: TableLike,
    unit_cost: TableLike,
    minutes_per_piece: Mapping[str, float],
    *,
    max_share: float | None = None,
    min_lot: float | None = None,
    unmet_penalty: float = 1e6,
) -> Allocation:
    """Allocate demand to workshops at least cost: a linear programme.

    Minimise Σ cost·pieces + penalty·unmet subject to each workshop's minutes, with demand
    by product and département met or reported unmet. Without ``max_share`` or ``min_lot``
    it is a transportation problem in minutes, solved exactly by a network simplex (the
    engine ``Study.run`` uses); with them, a linear programme with side constraints
    (Clarabel through ``good_lp``, column generation for large problems).

    Parameters
    ----------
    capacity : TableLike
        ``workshop, minutes_available`` (minutes a workshop gives the programme; all its
        products share them).
    demand : TableLike
        ``product, departement, pieces`` (rows for the same pair are summed).
    unit_cost : TableLike
        ``workshop, product, departement, eur_per_piece`` (EUR per piece, making and
        transport). A combination with no row cannot be made there.
    minutes_per_piece : mapping of str to float
        Minutes per piece of each product, in the unit of ``minutes_available``.
    max_share : float, optional
        Largest share of all pieces one workshop may make, in (0, 1] (spreads the work).
    min_lot : float, optional
        A workshop makes nothing or at least this many pieces (mixed-integer; for tens of
        workshops, not thousands).
    unmet_penalty : float, default 1e6
        EUR per unmet piece; the price above which demand is left unserved.

    Returns
    -------
    Allocation

    Raises
    ------
    SchemaError
        A missing column, an empty cell, a duplicated workshop or cost row, a cost row for
        a workshop not in ``capacity``, a demanded product without minutes; the error's
        ``problems`` lists every one with table, row (header = row 1) and column.
    StudyError
        An empty problem (no demand, no cost entry) or a solver failure.
    ParameterError
        ``max_share`` or ``min_lot`` out of range.

    Examples
    --------
    >>> import polars as pl
    >>> import filiere as fl
    >>> result = fl.allocate(
    ...     capacity=pl.DataFrame({"workshop": ["A", "B"], "minutes_available": [600.0, 1e4]}),
    ...     demand=pl.DataFrame({"product": ["polo"], "departement": ["69"], "pieces": [100.0]}),
    ...     unit_cost=pl.DataFrame(
    ...         {
    ...             "workshop": ["A", "B"],
    ...             "product": ["polo", "polo"],
    ...             "departement": ["69", "69"],
    ...             "eur_per_piece": [10.0, 12.0],
    ...         }
    ...     ),
    ...     minutes_per_piece={"polo": 20.0},
    ... )
    >>> round(result.objective_eur, 4)  # 30 pieces at A (600 min), 70 at B
    1140.0
    """
    minutes = [(str(k), float(v)) for k, v in minutes_per_piece.items()]
    out = _core.allocate(
        _prepare(capacity, "capacity"),
        _prepare(demand, "demand"),
        _prepare(unit_cost, "unit_cost"),
        minutes,
        max_share=max_share,
        min_lot=min_lot,
        unmet_penalty=float(unmet_penalty),
    )
    cap: pl.DataFrame = out["capacity"]
    return Allocation(
        allocation=out["allocation"],
        unmet=out["unmet"],
        objective_eur=out["objective_eur"],
        production_cost_eur=out["production_cost_eur"],
        unmet_penalty_eur=out["unmet_penalty_eur"],
        capacity=cap,
        shadow_prices=ShadowPrices(
            capacity=cap.select("workshop", pl.col("shadow_eur_per_min").alias("eur_per_minute")),
            demand=out["demand_shadow"],
        ),
    )
