"""How figures the core computes are shown: one rule each, for the CLI, the report and
the plots alike."""

from __future__ import annotations

from filiere import _core

__all__ = ["NEW_CAPACITY", "late_by"]

#: ``workshop_id`` of the new capacity: the pieces no surveyed workshop can make in time.
NEW_CAPACITY: str = _core.NEW_CAPACITY


def late_by(on_time: bool, late_days: int | None, never: str = "never") -> str:
    """How late the surveyed workshops alone deliver (``summary.late_days``), for display.

    Parameters
    ----------
    on_time : bool
        ``summary.on_time``.
    late_days : int or None
        ``summary.late_days``: calendar days from the rentrée to their last delivery, null
        when they never deliver.
    never : str, default "never"
        What to show when they never deliver (the report passes its own language's word).

    Returns
    -------
    str
        ``"0"`` on time; ``never`` if they never deliver; ``"< 1"`` when the last delivery
        falls on the rentrée although a fraction of a piece is unmet; else the days, with
        thousands separators.

    Examples
    --------
    >>> late_by(True, 0), late_by(False, None), late_by(False, 0), late_by(False, 1234)
    ('0', 'never', '< 1', '1,234')
    """
    if on_time:
        return "0"
    if late_days is None:
        return never
    if late_days <= 0:
        return "< 1"
    return f"{late_days:,}"
