"""The ``filiere`` command.

``filiere run STUDY.toml [--out DIR]`` or ``filiere run --example aura`` prints the
headline table and writes the outputs, with the feasibility report ``report.html``;
``filiere validate FILE...`` checks input files and reports every problem at once;
``filiere diff OLD NEW`` shows what changed between two output folders; ``filiere sweep``
runs a study under every scenario of a table; ``filiere questionnaire --out FILE.xlsx
[--from SURVEY]`` writes the survey workbook. Bad input exits with code 2 and one
readable paragraph on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from filiere import __version__, _core
from filiere._format import late_by
from filiere._write import atomic_write, output_error, write_csv
from filiere.exceptions import FiliereError, InputFileError, InternalError, Problem
from filiere.outputs import header, label, unit
from filiere.study import Study
from filiere.sweep import plan, sweep

if TYPE_CHECKING:
    from filiere.results import Results

EXIT_BAD_INPUT = 2

_KIND_HINTS = {
    "workshops": ("workshop", "atelier", "survey", "enquete", "capacit"),
    "establishments": ("establishment", "etablissement", "school", "ecole", "lycee"),
    "catalog": ("catalog", "catalogue", "product", "produit"),
    "parameters": ("param",),
}


def guess_kind(path: Path) -> str | None:
    """Which table a file holds, from its name (``workshops.csv`` -> ``workshops``)."""
    stem = path.stem.lower()
    for kind, hints in _KIND_HINTS.items():
        if any(h in stem for h in hints):
            return kind
    return None


def _format_table(header: list[str], rows: list[list[str]]) -> str:
    """Right-aligned columns under a header whose labels wrap onto several lines (at
    least as wide as the column's values, at most :data:`_HEADER_WIDTH` unless a word is
    longer), aligned on their last line."""
    widths = [max(len(r[i]) for r in rows) if rows else 0 for i in range(len(header))]
    wrapped = [
        textwrap.wrap(h, max(w, _HEADER_WIDTH), break_long_words=False) or [""]
        for h, w in zip(header, widths, strict=True)
    ]
    widths = [max(w, *(len(x) for x in lines)) for w, lines in zip(widths, wrapped, strict=True)]
    height = max(len(lines) for lines in wrapped)
    lines = [[""] * (height - len(w)) + w for w in wrapped]
    head = [
        "  ".join(col[k].rjust(w) for col, w in zip(lines, widths, strict=True)).rstrip()
        for k in range(height)
    ]
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([*head, "  ".join("-" * w for w in widths), *body])


#: Widest a header line of the headline table gets before it wraps.
_HEADER_WIDTH = 13

#: The headline table: summary columns and how each value is written.
_HEADLINE: tuple[tuple[str, str], ...] = (
    ("year", "{:.0f}"),
    ("pieces", "{:,.0f}"),
    ("budget_eur", "{:,.1f}"),  # in millions
    ("cost_per_kit_eur", "{:,.2f}"),
    ("direct_fte", "{:,.0f}"),
    ("offered_fte", "{:,.0f}"),
    ("hiring_gap_fte", "{:,.0f}"),
    ("jobs_indirect", "{:,.0f}"),
    ("jobs_induced", "{:,.0f}"),
    ("on_time", ""),
    ("late_days", ""),
    ("hiring_needed_for_deadline", "{:,.0f}"),
    ("jobs_net", "{:,.0f}"),
    ("net_cost_per_job_eur", "{:,.0f}"),
)
#: The second table: where the pieces come from (summary columns), year by year.
_SOURCING: tuple[tuple[str, str], ...] = (
    ("year", "{:.0f}"),
    ("pieces_surveyed", "{:,.0f}"),
    ("pieces_new_regional", "{:,.0f}"),
    ("pieces_imported", "{:,.0f}"),
    ("unmet_pieces", "{:,.0f}"),
    ("local_content_share", "{:.0%}"),
)
#: Columns shown in millions.
_MILLIONS = frozenset({"budget_eur"})
#: Headline columns of the balance table (the others are the summary's).
_BALANCE = frozenset({"jobs_net", "net_cost_per_job_eur"})


def _table(column: str) -> str:
    return "balance" if column in _BALANCE else "summary"


def _rows(results: Results) -> list[dict[str, Any]]:
    """The summary's rows, each with its year's balance figures."""
    balance = {r["year"]: r for r in results.balance.to_dicts()}
    return [{**balance.get(r["year"], {}), **r} for r in results.summary.to_dicts()]


def _header(column: str) -> str:
    """``label (unit)`` from the outputs registry (:func:`filiere.outputs.header`); the
    unit is left out when the label already says it (``direct FTE``) and gets an ``M``
    for the figures shown in millions."""
    table = _table(column)
    name, u = label(table, column), unit(table, column)
    if column in _MILLIONS:
        return f"{name} (M{u})"
    if u.lower() in name.lower() or u == "fraction":
        return name
    return header(table, column)


def _cell(column: str, fmt: str, row: dict[str, Any]) -> str:
    value = row[column]
    if column == "on_time":
        return "yes" if value else "no"
    if column == "late_days":
        return late_by(bool(row["on_time"]), value)
    if column in _MILLIONS:
        value = value / 1e6
    return fmt.format(value)


def _columns(spec: tuple[tuple[str, str], ...], summary_rows: list[dict[str, Any]]) -> str:
    """The rows under the labels of ``spec``'s columns, as a text table."""
    headers = [_header(column) for column, _ in spec]
    rows = [[_cell(column, fmt, r) for column, fmt in spec] for r in summary_rows]
    return _format_table(headers, rows)


def _headline(study: Study, elapsed_ms: float, summary_rows: list[dict[str, Any]]) -> str:
    title = f"{study.name} — {study.description}" if study.description else study.name
    note = (
        f"{label('summary', 'direct_fte')}: bottom-up, full-time equivalents; "
        f"{label('summary', 'offered_fte')}: operators the survey offers; "
        "IO: input-output jobs (head count) in supplier branches and from household "
        "spending;\n"
        f"{label('summary', 'on_time')}: every piece delivered before the rentrée, all "
        "sources together; "
        f"{label('summary', 'late_days')}: days after the rentrée the last late piece would "
        "arrive; "
        f"{label('summary', 'hiring_needed_for_deadline')}: operators the surveyed workshops "
        "hire and new regional capacity recruits this year;\n"
        f"{label('balance', 'jobs_net')}: gross jobs less those the spending displaces; "
        f"{label('balance', 'net_cost_per_job_eur')}: premium over importing the same kits, "
        "less the taxes, contributions and unemployment benefits that come back, per net job"
    )
    sourcing_note = (
        "surveyed workshops: with their hires and trainees; new regional capacity: operators "
        "recruited and trained for the programme; imported: at most 1 - local_content_min of "
        "each product; late: no source can deliver them by the rentrée"
    )
    table = _columns(_HEADLINE, summary_rows)
    split = _columns(_SOURCING, summary_rows)
    return (
        f"{title}\n\n{table}\n\n{note}\n\nwhere the pieces come from\n\n{split}\n\n"
        f"{sourcing_note}\n(computed in {elapsed_ms:.0f} ms)"
    )


def _run(args: argparse.Namespace) -> int:
    if args.example:
        study = Study.example(args.example)
    elif args.study:
        study = Study.load(args.study)
    else:
        print("filiere run: give a STUDY.toml or --example NAME", file=sys.stderr)
        return EXIT_BAD_INPUT
    start = time.perf_counter()
    if not args.out:
        results = study.run()
        elapsed = (time.perf_counter() - start) * 1000
        print(_headline(study, elapsed, _rows(results)))
        return 0
    from filiere.pipeline import run_pipeline

    print(f"stages ({args.out}):", file=sys.stderr)
    record = run_pipeline(
        study,
        args.out,
        draws=args.draws,
        seed=1,
        lang=args.lang,
        locale=args.locale,
        force=args.force,
        progress=True,
    )
    elapsed = (time.perf_counter() - start) * 1000
    print(_headline(study, elapsed, _rows(record.results)))
    ran = record.ran
    if record.written:
        print(f"\nwrote {len(record.files)} files to {args.out} (stages run: {', '.join(ran)})")
    else:
        print(f"\n{args.out} is up to date: nothing changed, no stage recomputed")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from filiere.diff import diff_runs

    result = diff_runs(args.old, args.new)
    print(result.to_json() if args.json else str(result))
    return 0


def _draws(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 (skip) or more")
    return value


def _describe(problem: Problem) -> str:
    where = [problem["file"]]
    if problem["row"] is not None:
        where.append(f"row {problem['row']}")
    if problem["column"] is not None:
        where.append(f"column `{problem['column']}`")
    if problem["value"] is not None:
        where.append(f"value {problem['value']!r}")
    return f"{', '.join(where)}: {problem['message']}"


def _validate(args: argparse.Namespace) -> int:
    bad = 0
    for name in args.files:
        path = Path(name)
        if path.suffix.lower() == ".toml":
            try:
                Study.load(path)
            except FiliereError as err:
                bad += 1
                print(f"✗ {path}\n  {err}", file=sys.stderr)
            else:
                print(f"✓ {path}: valid study")
            continue
        kind = args.kind or guess_kind(path)
        if kind is None:
            bad += 1
            print(
                f"✗ {path}: cannot tell which table this is from its name; "
                "pass --kind workshops|establishments|catalog|parameters",
                file=sys.stderr,
            )
            continue
        try:
            problems: list[Problem] = _core.validate_file(str(path), kind)
        except FiliereError as err:
            bad += 1
            print(f"✗ {path}\n  {err}", file=sys.stderr)
            continue
        if problems:
            bad += 1
            print(f"✗ {path} ({kind}): {len(problems)} problem(s)", file=sys.stderr)
            for p in problems:
                print(f"  - {_describe(p)}", file=sys.stderr)
        else:
            print(f"✓ {path}: valid {kind} table")
    return EXIT_BAD_INPUT if bad else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``filiere`` command."""
    parser = argparse.ArgumentParser(
        prog="filiere",
        description="Regional school-uniform manufacturing: demand, cost, capacity and jobs.",
    )
    parser.add_argument("--version", action="version", version=f"filiere {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a study and print its headline figures")
    run.add_argument("study", nargs="?", help="path to a study.toml")
    run.add_argument("--example", choices=_core.EXAMPLES, help="run a bundled example")
    run.add_argument(
        "--out",
        help="write the result tables (Parquet and CSV) and report.html to this folder",
    )
    run.add_argument(
        "--locale", choices=("en", "fr"), default="en", help="CSV style (fr: ';' and 3,14)"
    )
    run.add_argument(
        "--lang",
        choices=("fr", "en"),
        default="fr",
        help="language of the feasibility report report.html (default: fr)",
    )
    run.add_argument(
        "--draws",
        type=_draws,
        default=20_000,
        metavar="N",
        help="Monte Carlo draws for the report's ranges (seed 1; 0 skips them)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="recompute every stage, ignoring the cache in OUT/.filiere-cache",
    )
    run.set_defaults(handler=_run)

    diff = sub.add_parser("diff", help="what changed between two output folders")
    diff.add_argument("old", help="output folder of the earlier run")
    diff.add_argument("new", help="output folder of the later run")
    diff.add_argument("--json", action="store_true", help="print JSON instead of tables")
    diff.set_defaults(handler=_diff)

    validate = sub.add_parser("validate", help="check input files, report every problem")
    validate.add_argument("files", nargs="+", help="table files (CSV, Parquet, XLSX) or study.toml")
    validate.add_argument(
        "--kind",
        choices=tuple(_KIND_HINTS),
        help="table kind, when the file name does not tell",
    )
    validate.set_defaults(handler=_validate)

    quest = sub.add_parser("questionnaire", help="write the survey questionnaire workbook (.xlsx)")
    quest.add_argument("--out", required=True, help="workbook to write (FILE.xlsx)")
    quest.add_argument(
        "--from",
        dest="source",
        metavar="SURVEY",
        help="pre-fill with last year's survey: a workshops file or a study.toml",
    )
    quest.add_argument("--lang", choices=("fr", "en"), default="fr", help="language (fr)")
    quest.add_argument(
        "--departements",
        choices=("aura", "france"),
        default="aura",
        help="départements offered in the list: AURA's 12 or the 96 of metropolitan France",
    )
    quest.set_defaults(handler=_questionnaire)

    add_sweep_parser(sub)
    return parser


def _questionnaire(args: argparse.Namespace) -> int:
    """``filiere questionnaire``: write the workbook and say what it holds."""
    from filiere.survey import questionnaire

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"error: {out}: the questionnaire is an .xlsx workbook", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        questionnaire(out, workshops=args.source, lang=args.lang, departements=args.departements)
    except OSError as err:
        print(f"error: {out}: cannot write the workbook: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {out}")
    return 0


# filiere sweep ---------------------------------------------------------------------------


def _read_scenarios(path: Path) -> pl.DataFrame:
    """The scenarios file: CSV (`,` or `;`) or Parquet."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file", file=str(path))
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline()
        separator = _core.sniff_separator(header)
        # A French export (`;`) writes decimals with a comma.
        return pl.read_csv(
            path, separator=separator, decimal_comma=separator == ";", infer_schema_length=None
        )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as err:
        raise InputFileError(
            f"{path}: not a readable scenarios table ({err})", file=str(path)
        ) from None


def _write_outputs(table: pl.DataFrame, out: Path) -> list[Path]:
    """``sweep.parquet`` and ``sweep.csv`` in ``out``, each written to a temporary file and
    renamed in (a reader sees the old file or the new one, never half of one)."""
    paths = [out / "sweep.parquet", out / "sweep.csv"]
    flat = table.with_columns(
        pl.col(c).map_elements(json.dumps, return_dtype=pl.String)
        for c, t in table.schema.items()
        if isinstance(t, pl.List | pl.Struct | pl.Array)
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(paths[0], lambda p: table.write_parquet(p))
        atomic_write(paths[1], lambda p: write_csv(flat, p))
    except OSError as err:
        raise output_error(Path(err.filename) if err.filename else out, err) from err
    return paths


def run_sweep_cli(args: argparse.Namespace) -> int:
    """Handler of ``filiere sweep [STUDY.toml | --example NAME] SCENARIOS --out DIR
    [--scheduler ADDRESS]``."""
    if args.example and args.scenarios is None:
        # argparse gave the only positional to `study`: it is the scenarios file.
        args.study, args.scenarios = None, args.study
    if args.example and args.study:
        print("filiere sweep: give a STUDY.toml or --example NAME, not both", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.scenarios is None or not (args.example or args.study):
        print("filiere sweep: give a STUDY.toml (or --example NAME) and SCENARIOS", file=sys.stderr)
        return EXIT_BAD_INPUT
    study = Study.example(args.example) if args.example else Study.load(args.study)
    path = Path(args.scenarios)
    frame = _read_scenarios(path)
    plan(study, frame, str(path))  # bad columns fail before any cluster is contacted
    start = time.perf_counter()
    if args.scheduler:
        from distributed import Client

        with Client(args.scheduler) as client:  # type: ignore[no-untyped-call]
            table = sweep(study, frame, client=client, file=str(path))
    else:
        table = sweep(study, frame, file=str(path))
    elapsed = time.perf_counter() - start
    written = _write_outputs(table, Path(args.out))
    print(
        f"{frame.height:,} scenarios x {table['year'].n_unique()} years in {elapsed:.1f} s "
        f"({frame.height / max(elapsed, 1e-9):,.1f} scenarios/s); wrote "
        + ", ".join(str(p) for p in written)
    )
    return 0


def add_sweep_parser(sub: Any) -> None:
    """Register ``filiere sweep`` on the CLI's subparsers."""
    p = sub.add_parser(
        "sweep",
        help="run a study under every scenario of a table (in process or on Dask)",
        description=(
            "Run STUDY.toml once per row of SCENARIOS (CSV or Parquet; columns are "
            "parameter names or scenario keys, JSON text for lists such as years) and "
            "write sweep.parquet and sweep.csv: one summary row per scenario and year."
        ),
    )
    p.add_argument("study", nargs="?", help="path to a study.toml (or use --example)")
    p.add_argument("scenarios", nargs="?", help="scenarios table (CSV or Parquet)")
    p.add_argument("--example", choices=_core.EXAMPLES, help="sweep a bundled example")
    p.add_argument("--out", required=True, help="folder for sweep.parquet and sweep.csv")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); default: in process",
    )
    p.set_defaults(handler=run_sweep_cli)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except InternalError as err:
        print(f"filiere: {err}", file=sys.stderr)
        return 1
    except FiliereError as err:
        print(f"filiere: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":
    sys.exit(main())
