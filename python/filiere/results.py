"""What a run computes, as Polars DataFrames, and how to save it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from filiere._write import STAGING, check_write_options, locked, recover, write_tables
from filiere.plot import PlotAccessor

__all__ = ["STAGING", "TABLES", "Results", "recover"]

#: The tables of a run, in the order they are written.
TABLES = (
    "summary",
    "demand",
    "costs",
    "jobs",
    "jobs_by_departement",
    "jobs_by_branch",
    "allocation",
    "capacity",
    "schedule",
    "unmet",
    "sourcing",
    "balance",
)


@dataclass(frozen=True)
class Results:
    """Results of :meth:`filiere.Study.run`.

    Attributes
    ----------
    summary : polars.DataFrame
        One row per year: ``kits``, ``pieces``, ``budget_eur`` (EUR, VAT included),
        ``budget_ht_eur`` (EUR before VAT), ``cost_per_kit_eur`` and
        ``cost_per_piece_eur`` (EUR, VAT included), ``fabric_m`` (m), ``labour_hours``
        (h), ``direct_fte`` (full-time equivalents of 1,607 h), ``offered_fte`` (operators
        the survey offers, FTE), ``hiring_gap_fte`` (FTE to hire), ``utilisation``
        (labour needed / minutes offered) and ``fte_per_meur`` (direct FTE per million EUR);
        the input-output jobs ``regional_demand_eur``, ``jobs_direct``, ``jobs_indirect``,
        ``jobs_induced``, ``jobs_total`` (persons); where the pieces come from:
        ``pieces_surveyed`` (the surveyed workshops, their hires and trainees included),
        ``pieces_new_regional`` (new regional capacity), ``pieces_imported`` (at most
        ``1 - local_content_min`` of each product) and ``unmet_pieces`` (late: no source
        can deliver them by the rentrée), which sum to ``pieces``, and
        ``local_content_share`` (``1 - pieces_imported / pieces``); and the schedule:
        ``order_date``, ``deadline`` (the rentrée), ``on_time`` (every piece delivered
        before the rentrée, all sources together), ``makespan_days`` (calendar days from the
        order to the last delivery; in a year with late pieces, as if the surveyed workshops
        made them after their own; null if that cannot be estimated), ``delivered`` (that
        date), ``late_days`` (0 when on time, else calendar days from the rentrée to that
        last delivery, 0 if it falls on the rentrée; null if it cannot be estimated),
        ``operators_hired`` (by the surveyed workshops this year, within each one's
        ``can_hire``), ``trainees_working``, ``new_capacity_operators`` (operators of new
        regional capacity, recruited this year or earlier and kept),
        ``new_capacity_hired`` (recruited this year, within
        ``new_capacity_max_operators_per_year`` a year since the launch) and
        ``hiring_needed_for_deadline`` (``operators_hired + new_capacity_hired``: operators
        to recruit this year for the rentrée); ``jobs_gross`` (persons: ``direct_fte`` +
        ``jobs_indirect`` + ``jobs_induced``, the best jobs estimate).
    demand : polars.DataFrame
        ``year, departement, level, product, pupils, kits, pieces``.
    costs : polars.DataFrame
        Per year and product (``unit = "piece"``) and per kit (``unit = "kit"``):
        ``quantity``, ``labour_minutes`` and the breakdown in EUR per unit:
        fabric, trims, packaging, materials, labour, overhead, personalisation,
        logistics, imported pieces (``imported_eur``), cost, margin, price before tax
        (``price_ht_eur``), VAT, price paid (``price_ttc_eur``), each averaged over the
        sources' flows; ``total_ttc_eur`` = quantity times price paid.
    jobs : polars.DataFrame
        Per year and workshop: ``pieces``, ``labour_hours``, ``fte``, ``offered_fte``,
        ``hiring_gap_fte``, ``capacity_minutes`` (offered a year) and ``utilisation``.
    jobs_by_departement : polars.DataFrame
        ``jobs`` summed by year and département of the workshops.
    jobs_by_branch : polars.DataFrame
        Input-output jobs by year and INSEE A38 branch: ``branch``, ``branch_name``,
        ``regional_demand_eur`` (the programme's regional spending on the branch) and
        ``jobs_direct``, ``jobs_indirect``, ``jobs_induced``, ``jobs_total`` (persons,
        Type II, TES INSEE 2019 regionalised to AURA); they sum to the summary's.
    allocation : polars.DataFrame
        The allocation's flows: ``year, workshop_id, workshop_departement, product,
        departement, pieces, eur_per_piece`` (cost in the allocation, before margin and
        VAT, transport included). ``workshop_id`` is a surveyed workshop (its operators and
        this year's hires on separate rows), ``(new capacity)`` (new regional capacity),
        ``(import)`` or ``(late)`` (pieces no source can deliver by the rentrée);
        :data:`filiere._format.NEW_CAPACITY`, ``IMPORT`` and ``LATE`` hold these ids.
    capacity : polars.DataFrame
        Per year and workshop: ``operators`` (FTE working for the programme, hires and
        trainees included), ``offered_fte`` (what the survey's own operators offer, 0 for
        the new capacity), ``hired`` (this year), ``hired_total`` (this year and earlier
        years), ``trainees``, ``pieces``, ``minutes_available``
        (standard minutes they can make before the deadline), ``minutes_used``,
        ``utilisation`` and ``shadow_eur_per_min`` (EUR saved by one more standard minute
        against the next-cheapest source; NaN in a year with late pieces, where only the
        engine's internal penalty would price it).
    schedule : polars.DataFrame
        Per year and workshop that makes anything: ``pieces``, ``operators``,
        ``working_days``, ``production_days``, ``on_time``, ``margin_days`` and the dates
        ``order_date``, ``material_ready``, ``start``, ``finish``, ``personalised``,
        ``delivered``, ``deadline``.
    unmet : polars.DataFrame
        Per year, product and school département: ``pieces`` no source (surveyed
        workshops with their hires, new regional capacity, imports) can deliver in time,
        and ``marginal_cost_eur`` (EUR the allocation's cost rises by with one more piece;
        NaN when pieces are late, as no euro price then exists).
    sourcing : polars.DataFrame
        Per year, product, school département and ``source`` (``surveyed``,
        ``new_regional``, ``imported``, ``late``): ``pieces`` and ``price_ttc_eur`` (what
        the Région pays for them, EUR, VAT included; late pieces at the price of this
        year's new recruits); each year sums to the summary's ``pieces`` (by source:
        ``pieces_surveyed``, ``pieces_new_regional``, ``pieces_imported``,
        ``unmet_pieces``) and ``budget_eur``.
    balance : polars.DataFrame
        One row per year, the programme against importing the same kits:
        ``jobs_gross`` (= the summary's), ``jobs_displaced`` (``displacement_share`` of
        them), ``jobs_net``; ``programme_cost_eur`` (what the Région pays, VAT included),
        ``import_baseline_cost_eur`` (the same kits imported at the catalog's
        ``import_price_eur``, VAT included), ``premium_eur`` (the difference); on the
        direct wages net of displacement (``gross_wages_eur``):
        ``social_contributions_eur`` (employer and employee), ``csg_crds_eur``,
        ``income_tax_eur``, and ``vat_on_premium_eur``, summing to
        ``public_revenue_eur``; ``benefits_avoided_eur`` (unemployment benefits no longer
        paid); ``net_public_cost_eur`` (= premium - revenue - benefits, all public
        administrations), ``net_cost_per_job_eur`` (per net job-year),
        ``region_cost_per_job_eur`` (the Région's premium per net job-year);
        ``co2e_local_t``, ``co2e_import_t``, ``co2e_avoided_t`` (tonnes CO2e) and
        ``co2e_per_piece_avoided_kg``.
    study_name : str
        The study these results belong to.
    """

    demand: pl.DataFrame
    costs: pl.DataFrame
    jobs: pl.DataFrame
    jobs_by_departement: pl.DataFrame
    jobs_by_branch: pl.DataFrame
    summary: pl.DataFrame
    allocation: pl.DataFrame
    capacity: pl.DataFrame
    schedule: pl.DataFrame
    unmet: pl.DataFrame
    sourcing: pl.DataFrame
    balance: pl.DataFrame
    study_name: str = "study"

    @property
    def plot(self) -> PlotAccessor:
        """Plots of these results: ``results.plot.gantt()``, ``results.plot.capacity()``."""
        return PlotAccessor(self)

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name."""
        return {name: getattr(self, name) for name in TABLES}

    def write(
        self,
        directory: str | os.PathLike[str],
        *,
        formats: Iterable[str] = ("parquet", "csv"),
        locale: str = "en",
        extra: Mapping[str, bytes] | None = None,
        manifest: Mapping[str, Any] | None = None,
    ) -> list[Path]:
        """Save every table as one transaction: all the new files or all the old ones.

        Files are written into ``directory/.filiere-staging``, flushed to disk, listed in a
        ``COMPLETE`` marker, then renamed into ``directory`` (``manifest.json``, with the
        SHA-256 of every file and row counts, last). A run killed before the marker leaves
        the previous outputs untouched; one killed while renaming is finished by the next
        write (:func:`recover`). A lock file serialises concurrent writers to one folder.
        On a write error (read-only or full disk) nothing new is left behind and
        :class:`~filiere.OutputError` names the path.

        Parameters
        ----------
        directory : path
            Output folder, created if needed.
        formats : iterable of {"parquet", "csv"}
            File formats to write.
        locale : {"en", "fr"}
            CSV style: ``en`` is ``,`` and decimal point; ``fr`` is ``;``, decimal comma
            and a UTF-8 BOM, which French Excel opens cleanly. Text cells that would
            start a spreadsheet formula are prefixed with an apostrophe.
        extra : mapping of str to bytes, optional
            More files to write in the same transaction, by file name (no folder), e.g.
            ``{"report.html": html.encode()}``: staged, listed in the manifest with their
            SHA-256 and renamed in with the tables.
        manifest : mapping, optional
            More JSON-serialisable entries for ``manifest.json`` (inputs, stages, timings:
            :mod:`filiere.pipeline` records its trace here).

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        formats, extras = check_write_options(TABLES, formats, locale, extra)
        with locked(directory) as out:
            return write_tables(
                out, self, formats=formats, locale=locale, extras=extras, more=manifest
            )

    def headline(self) -> pl.DataFrame:
        """The summary in readable units: M pieces, M EUR, EUR per kit, FTE."""
        return self.summary.select(
            "year",
            (pl.col("pieces") / 1e6).round(3).alias("pieces_m"),
            (pl.col("budget_eur") / 1e6).round(1).alias("budget_meur"),
            pl.col("cost_per_kit_eur").round(2),
            pl.col("direct_fte").round(0),
            pl.col("offered_fte").round(0),
            pl.col("hiring_gap_fte").round(0),
            pl.col("utilisation").round(2),
            pl.col("jobs_total").round(0),
            pl.col("on_time"),
            pl.col("makespan_days"),
            pl.col("hiring_needed_for_deadline"),
        )

    def __repr__(self) -> str:
        with pl.Config(tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            return f"Results({self.study_name!r})\n{self.headline()}"

    def _repr_html_(self) -> str:
        return (
            f"<b>Results</b> {escape(self.study_name)}"
            f"{self.headline()._repr_html_()}"
            f"<small>Tables: {', '.join(TABLES)}.</small>"
        )
