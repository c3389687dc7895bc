"""The ``filiere`` command.

``filiere run STUDY.toml [--out DIR]`` or ``filiere run --example aura`` prints the
headline table and writes the outputs, with the feasibility report ``report.html``;
``filiere validate FILE...`` checks input files and reports every problem at once;
``filiere diff OLD NEW`` shows what changed between two output folders. Bad
input exits with code 2 and one readable paragraph on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from filiere import __version__, _core
from filiere.exceptions import FiliereError, InternalError, Problem
from filiere.study import Study

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
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


def _late_by(row: dict[str, Any]) -> str:
    if row["on_time"]:
        return "0"
    if row["delivered"] is None:
        return "never"
    days = (row["delivered"] - row["deadline"]).days
    # not on time, but what is left is less than a day's work (see the report)
    return f"{days:,}" if days > 0 else "< 1"


def _headline(study: Study, elapsed_ms: float, summary_rows: list[dict[str, Any]]) -> str:
    header = [
        "year",
        "pieces",
        "budget M€",
        "€/kit",
        "direct FTE",
        "offered",
        "to hire",
        "IO indirect",
        "IO induced",
        "on time",
        "late by (d)",
        "hire for rentrée",
    ]
    rows = [
        [
            str(int(r["year"])),
            f"{r['pieces']:,.0f}",
            f"{r['budget_eur'] / 1e6:,.1f}",
            f"{r['cost_per_kit_eur']:,.2f}",
            f"{r['direct_fte']:,.0f}",
            f"{r['offered_fte']:,.0f}",
            f"{r['hiring_gap_fte']:,.0f}",
            f"{r['jobs_indirect']:,.0f}",
            f"{r['jobs_induced']:,.0f}",
            "yes" if r["on_time"] else "no",
            _late_by(r),
            f"{r['hiring_needed_for_deadline']:,.0f}",
        ]
        for r in summary_rows
    ]
    title = f"{study.name} — {study.description}" if study.description else study.name
    note = (
        "direct FTE: bottom-up, full-time equivalents; offered: operators the survey offers; "
        "IO: input-output jobs (head count) in supplier branches and from household spending;\n"
        "on time: the surveyed workshops, with the hires and trainees they stated, deliver "
        "everything before the rentrée; late by: days after the rentrée they would deliver "
        "alone; hire for rentrée: operators to hire or train to be on time"
    )
    table = _format_table(header, rows)
    return f"{title}\n\n{table}\n\n{note}\n(computed in {elapsed_ms:.0f} ms)"


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
        print(_headline(study, elapsed, results.summary.to_dicts()))
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
    print(_headline(study, elapsed, record.results.summary.to_dicts()))
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

    from filiere.sweep import add_sweep_parser

    add_sweep_parser(sub)
    return parser


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
