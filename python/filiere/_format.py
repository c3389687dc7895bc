"""How figures the core computes are shown: one rule each, for the CLI, the report and
the plots alike."""

from __future__ import annotations

from filiere import _core

__all__ = ["IMPORT", "LATE", "NEW_CAPACITY", "SOURCES", "late_by"]

#: ``workshop_id`` of new regional capacity (operators recruited and trained for the
#: programme) in the allocation, capacity, jobs and schedule tables.
NEW_CAPACITY: str = _core.NEW_CAPACITY

#: ``workshop_id`` of imported pieces in the allocation table.
IMPORT: str = _core.IMPORT

#: ``workshop_id`` of late pieces (no source can deliver them by the rentrée) in the
#: allocation table.
LATE: str = _core.LATE

#: The values of ``sourcing.source``, in the order they are shown: the surveyed workshops
#: (their hires included), new regional capacity, imports, and the pieces no source can
#: deliver in time.
SOURCES: tuple[str, ...] = ("surveyed", "new_regional", "imported", "late")


def late_by(on_time: bool, late_days: int | None, never: str = "never") -> str:
    """How late the programme delivers (``summary.late_days``), for display.

    Parameters
    ----------
    on_time : bool
        ``summary.on_time``.
    late_days : int or None
        ``summary.late_days``: calendar days from the rentrée to the last delivery of a
        year with late pieces, null when they are never delivered.
    never : str, default "never"
        What to show when the late pieces are never delivered (the report passes its own
        language's word).

    Returns
    -------
    str
        ``"0"`` on time; ``never`` if the late pieces are never delivered; ``"< 1"`` when
        the year is late but its last delivery falls on the rentrée; else the days, with
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
