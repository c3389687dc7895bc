"""Generate the SYNTHETIC workshop capacity survey for the AURA school-uniform programme.

No real capacity survey of the Auvergne-Rhône-Alpes (AURA) sewing workshops is public, so this
script produces a realistic, seeded, fully reproducible *synthetic* one. Every row is invented:
ids are anonymous (``AT-001`` ...), names are ``Atelier synthétique 001`` ..., and no real firm
is described. Python standard library only; all randomness comes from ``random.Random`` streams
derived from ``--seed`` (default 2024), so the same seed gives byte-identical files.

Two files are written under ``--out-dir`` (default: the repository's ``data`` directory):

* ``aura/workshops.csv``: the regional survey (about 110-150 workshops);
* ``aura-pilot/workshops.csv``: five pilot workshops (``PI-001`` ... ``PI-005``).

Published facts the survey is calibrated to
-------------------------------------------
* AURA apparel (NAF C14) employs about 2,200 salaried people (Insee Flash AURA n°139, 2024);
  textiles 10,200; textile + apparel + leather 20,100 jobs in 900 establishments.
* 90 % of the sector's firms have under 50 staff; typical examples have 12, 26-30 and 45-47
  staff (Observatoire régional du textile; regional press).
* The sector is concentrated in Loire (42), Rhône (69), Isère (38), Haute-Loire (43),
  Drôme (26) and Ain (01), with a smaller presence in the six other AURA départements.
* Steady sewing-line efficiency is about 55 % (range 45-65 %) (onlineclothingstudy; Technopak).
* Legal working week 35 h; SMIC 2025 is 11.88 EUR/h gross, giving a loaded cost of about
  14-18 EUR per worked hour (assumption range).
* The 2024 pilot's five suppliers were in départements 69, 42, 42, 26, 69 (lacommere43.fr).

Distribution choices (regional survey)
--------------------------------------
* Firm staff: lognormal with median parameter 12 and log-sd 1.0, rounded to an integer and
  truncated to [3, 120] by redrawing. Right-skewed like real firm-size distributions; the
  truncated distribution has median about 13, mean about 19.5, 92.7 % of draws under 50
  staff and a hard maximum of 120. Staff is a latent variable: the CSV only has operators.
  (A median of exactly 14 together with 90 % under 50 would imply a mean near 22 staff, hence
  only about 100 workshops for 2,200 staff; median 12-13 reconciles it with 110-150 workshops.)
* Number of workshops: staff values are drawn one by one until the running total reaches
  2,200; the stopping point closest to 2,200 fixes the number of workshops.
* Acceptance: a drawn survey is kept only if it has 110-150 workshops, total staff within
  +/-2 % of 2,200, 88-93 % of workshops under 50 staff, a largest workshop of at least
  90 staff, at least 72 % of staff in the six core départements (42, 69, 38, 43, 26, 01)
  and Loire (42) and Rhône (69) as the two largest départements by staff. Otherwise the
  same stream keeps drawing a new candidate (deterministic for a given seed; about one
  candidate in five is accepted).
* Operators: staff x U(0.75, 0.90), rounded, at least 1 (the rest is management, design,
  sales and logistics).
* Département: the number of workshops per département is apportioned from the assumed
  weights ``DEPT_WEIGHTS`` by largest remainder (at least one each: 42 and 69 heaviest,
  then 38, 43, 26, 01; 63, 07, 74, 03, 73, 15 small) and the codes are then shuffled across
  workshops, independently of size. The weights are an ASSUMPTION; no published table gives
  apparel establishments by département.
* Shares of the form "~x %" (empty cells, product mix, two shifts, training centres,
  personalisation) use quota sampling: exactly ``int(x * n + 0.5)`` rows are picked at random,
  so the realised shares match the targets for every seed. Empty cells are picked
  independently per column.
* ``hours_per_week``: empty for 20 % (the parameter default, 35 h, then applies); otherwise
  35 h with probability 0.75, 37.5 h with 0.15, 39 h with 0.10. Written with one decimal.
* ``shifts``: 2 for 10 % of workshops, sampled without replacement with weight staff^3 so
  that it is mostly the larger ones; 1 otherwise.
* ``efficiency``: empty for 35 %; otherwise normal(0.55, 0.05) clipped to [0.45, 0.65], two
  decimals (fraction, not percent).
* ``programme_share``: empty for 10 %; otherwise triangular(0.10, 0.60, mode 0.25), two
  decimals: most workshops keep the bulk of their capacity for existing customers.
* ``products``: 15 % ``polo`` only, 15 % ``sweatshirt`` only, the rest ``polo|sweatshirt``.
* ``hourly_cost_eur``: empty for 40 %; otherwise triangular(14.0, 18.5, mode 16.0), two
  decimals, i.e. the assumed 14-18 EUR loaded cost around SMIC 11.88 EUR/h gross.
* ``overhead_rate``: empty for 50 %; otherwise triangular(0.6, 1.4, mode 1.0), two decimals,
  as a fraction of direct labour cost (an assumption).
* ``can_hire``: 20 % of workshops answer 0 (no hiring plan); the others answer
  operators x triangular(0.02, 0.30, mode 0.10), rounded and clipped to [0, 15], so roughly
  proportional to size.
* ``training_centre``: true for 5 %, sampled without replacement with weight staff^2
  (mostly the bigger workshops); ``trainees`` is U{6..20} for them and 0 otherwise.
* ``can_personalise`` (in-house embroidery/printing): true for 30 %.
* Ids are assigned after a random shuffle, so the id order carries no size or place
  information; rows are written sorted by ``workshop_id``.

Pilot survey
------------
A separate stream (seeded from the string ``"<seed>:pilot"``) draws five workshops in 69, 42,
42, 26, 69. Their operator counts come from the bands 12-15, 18-22, 26-30, 26-30 and 45-47
(shuffled), echoing the published firm-size examples. All make ``polo|sweatshirt``, exactly one
can personalise, all run one shift, none is a training centre, and all state a programme share
(triangular(0.30, 0.60, mode 0.40): pilot suppliers are committed to the programme). Other
columns follow the regional rules, with the same quota rates for empty cells.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEED = 2024
TARGET_STAFF = 2200
STAFF_TOLERANCE = 0.02
MIN_WORKSHOPS = 110
MAX_WORKSHOPS = 150
SMALL_FIRM = 50  # "90 % of firms have under 50 staff"
UNDER_50_RANGE = (0.88, 0.93)
MIN_LARGEST = 90
STAFF_MEDIAN_PARAM = 12.0
STAFF_LOG_SD = 1.0
STAFF_MIN = 3
STAFF_MAX = 120
MAX_ATTEMPTS = 10_000

# Assumed share of apparel workshops by département (sums to 1). ASSUMPTION, see docstring.
DEPT_WEIGHTS: dict[str, float] = {
    "42": 0.24,  # Loire (Roanne, Saint-Étienne)
    "69": 0.22,  # Rhône (Lyon)
    "38": 0.10,  # Isère
    "43": 0.09,  # Haute-Loire
    "26": 0.07,  # Drôme
    "01": 0.07,  # Ain
    "63": 0.05,  # Puy-de-Dôme
    "07": 0.04,  # Ardèche
    "74": 0.04,  # Haute-Savoie
    "03": 0.03,  # Allier
    "73": 0.03,  # Savoie
    "15": 0.02,  # Cantal
}

# Départements where the sector is concentrated (published), and the minimum share of staff
# they must hold in an accepted survey (their weights sum to 0.79).
CORE_DEPTS = ("42", "69", "38", "43", "26", "01")
MIN_CORE_STAFF_SHARE = 0.72

PILOT_DEPTS = ("69", "42", "42", "26", "69")
PILOT_OPERATOR_BANDS = ((12, 15), (18, 22), (26, 30), (26, 30), (45, 47))

EMPTY_HOURS = 0.20
EMPTY_EFFICIENCY = 0.35
EMPTY_PROGRAMME_SHARE = 0.10
EMPTY_HOURLY_COST = 0.40
EMPTY_OVERHEAD = 0.50
SHARE_TWO_SHIFTS = 0.10
SHARE_POLO_ONLY = 0.15
SHARE_SWEAT_ONLY = 0.15
SHARE_TRAINING_CENTRE = 0.05
SHARE_PERSONALISE = 0.30
SHARE_NO_HIRING = 0.20

HEADER = (
    "workshop_id",
    "name",
    "departement",
    "operators",
    "hours_per_week",
    "shifts",
    "efficiency",
    "programme_share",
    "products",
    "hourly_cost_eur",
    "overhead_rate",
    "can_hire",
    "training_centre",
    "trainees",
    "can_personalise",
)


@dataclass
class Workshop:
    """One survey row; ``None`` fields are written as empty cells."""

    workshop_id: str
    name: str
    departement: str
    staff: int
    operators: int
    hours_per_week: float | None
    shifts: int
    efficiency: float | None
    programme_share: float | None
    products: str
    hourly_cost_eur: float | None
    overhead_rate: float | None
    can_hire: int
    training_centre: bool
    trainees: int
    can_personalise: bool

    def row(self) -> list[str]:
        """Return the CSV cells in ``HEADER`` order."""
        return [
            self.workshop_id,
            self.name,
            self.departement,
            str(self.operators),
            _fmt(self.hours_per_week, 1),
            str(self.shifts),
            _fmt(self.efficiency, 2),
            _fmt(self.programme_share, 2),
            self.products,
            _fmt(self.hourly_cost_eur, 2),
            _fmt(self.overhead_rate, 2),
            str(self.can_hire),
            _fmt_bool(self.training_centre),
            str(self.trainees),
            _fmt_bool(self.can_personalise),
        ]


def _fmt(value: float | None, decimals: int) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def _fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def quota(share: float, n: int) -> int:
    """Return the row count for a target share, rounding half up (not banker's rounding)."""
    return int(share * n + 0.5)


def pick(rng: random.Random, n: int, share: float) -> set[int]:
    """Pick exactly ``quota(share, n)`` row indices uniformly at random."""
    return set(rng.sample(range(n), quota(share, n)))


def weighted_pick(rng: random.Random, weights: Sequence[float], k: int) -> set[int]:
    """Pick ``k`` distinct indices, each step with probability proportional to its weight."""
    chosen: set[int] = set()
    pool = list(range(len(weights)))
    for _ in range(min(k, len(pool))):
        idx = rng.choices(pool, weights=[weights[i] for i in pool], k=1)[0]
        chosen.add(idx)
        pool.remove(idx)
    return chosen


def draw_staff(rng: random.Random) -> int:
    """One firm's staff: rounded lognormal, truncated to [STAFF_MIN, STAFF_MAX] by redrawing."""
    while True:
        staff = round(rng.lognormvariate(math.log(STAFF_MEDIAN_PARAM), STAFF_LOG_SD))
        if STAFF_MIN <= staff <= STAFF_MAX:
            return staff


def draw_staff_list(rng: random.Random) -> list[int]:
    """Draw firms until the running staff total is as close as possible to TARGET_STAFF."""
    staff: list[int] = []
    total = 0
    while total < TARGET_STAFF:
        s = draw_staff(rng)
        staff.append(s)
        total += s
    if abs(total - staff[-1] - TARGET_STAFF) < abs(total - TARGET_STAFF):
        staff.pop()
    return staff


def dept_counts(n: int) -> dict[str, int]:
    """Apportion ``n`` workshops to départements by ``DEPT_WEIGHTS`` (largest remainder, >= 1)."""
    counts = {d: max(1, int(n * w)) for d, w in DEPT_WEIGHTS.items()}
    by_remainder = sorted(DEPT_WEIGHTS, key=lambda d: (-(n * DEPT_WEIGHTS[d] % 1), d))
    k = 0
    while sum(counts.values()) < n:
        counts[by_remainder[k % len(by_remainder)]] += 1
        k += 1
    return counts


def dept_staff(staff: Sequence[int], depts: Sequence[str]) -> dict[str, int]:
    """Total staff by département."""
    totals = dict.fromkeys(DEPT_WEIGHTS, 0)
    for s, d in zip(staff, depts, strict=True):
        totals[d] += s
    return totals


def acceptable(staff: Sequence[int], depts: Sequence[str]) -> bool:
    """Check a candidate survey against the calibration targets."""
    n = len(staff)
    total = sum(staff)
    under_50 = sum(s < SMALL_FIRM for s in staff) / n
    by_dept = dept_staff(staff, depts)
    core = sum(by_dept[d] for d in CORE_DEPTS) / total
    top_two = set(sorted(by_dept, key=lambda d: -by_dept[d])[:2])
    return (
        MIN_WORKSHOPS <= n <= MAX_WORKSHOPS
        and abs(total - TARGET_STAFF) <= STAFF_TOLERANCE * TARGET_STAFF
        and UNDER_50_RANGE[0] <= under_50 <= UNDER_50_RANGE[1]
        and max(staff) >= MIN_LARGEST
        and core >= MIN_CORE_STAFF_SHARE
        and top_two == {"42", "69"}
    )


def draw_hours(rng: random.Random) -> float:
    return rng.choices((35.0, 37.5, 39.0), weights=(0.75, 0.15, 0.10), k=1)[0]


def draw_efficiency(rng: random.Random) -> float:
    return round(min(0.65, max(0.45, rng.gauss(0.55, 0.05))), 2)


def draw_hourly_cost(rng: random.Random) -> float:
    return round(rng.triangular(14.0, 18.5, 16.0), 2)


def draw_overhead(rng: random.Random) -> float:
    return round(rng.triangular(0.6, 1.4, 1.0), 2)


def draw_can_hire(rng: random.Random, operators: int) -> int:
    return min(15, max(0, round(operators * rng.triangular(0.02, 0.30, 0.10))))


def make_regional(rng: random.Random) -> list[Workshop]:
    """Draw the regional survey (see module docstring for every distribution)."""
    for _ in range(MAX_ATTEMPTS):
        staff = draw_staff_list(rng)
        depts = [d for d, c in dept_counts(len(staff)).items() for _ in range(c)]
        rng.shuffle(depts)
        if acceptable(staff, depts):
            break
    else:
        raise RuntimeError(f"no acceptable survey after {MAX_ATTEMPTS} attempts")

    n = len(staff)
    operators = [max(1, round(s * rng.uniform(0.75, 0.90))) for s in staff]
    no_hours = pick(rng, n, EMPTY_HOURS)
    no_eff = pick(rng, n, EMPTY_EFFICIENCY)
    no_share = pick(rng, n, EMPTY_PROGRAMME_SHARE)
    no_cost = pick(rng, n, EMPTY_HOURLY_COST)
    no_overhead = pick(rng, n, EMPTY_OVERHEAD)
    no_hiring = pick(rng, n, SHARE_NO_HIRING)
    personalise = pick(rng, n, SHARE_PERSONALISE)
    order = list(range(n))
    rng.shuffle(order)
    polo_only = set(order[: quota(SHARE_POLO_ONLY, n)])
    sweat_only = set(order[quota(SHARE_POLO_ONLY, n) :][: quota(SHARE_SWEAT_ONLY, n)])
    two_shifts = weighted_pick(rng, [s**3 for s in staff], quota(SHARE_TWO_SHIFTS, n))
    centres = weighted_pick(rng, [s**2 for s in staff], quota(SHARE_TRAINING_CENTRE, n))

    rows: list[Workshop] = []
    for i in range(n):
        if i in polo_only:
            products = "polo"
        elif i in sweat_only:
            products = "sweatshirt"
        else:
            products = "polo|sweatshirt"
        # Draw every value even when the cell ends up empty, so that the stream layout
        # does not depend on which cells are blank.
        hours = draw_hours(rng)
        eff = draw_efficiency(rng)
        share = round(rng.triangular(0.10, 0.60, 0.25), 2)
        cost = draw_hourly_cost(rng)
        overhead = draw_overhead(rng)
        hire = draw_can_hire(rng, operators[i])
        trainees = rng.randint(6, 20)
        rows.append(
            Workshop(
                workshop_id="",
                name="",
                departement=depts[i],
                staff=staff[i],
                operators=operators[i],
                hours_per_week=None if i in no_hours else hours,
                shifts=2 if i in two_shifts else 1,
                efficiency=None if i in no_eff else eff,
                programme_share=None if i in no_share else share,
                products=products,
                hourly_cost_eur=None if i in no_cost else cost,
                overhead_rate=None if i in no_overhead else overhead,
                can_hire=0 if i in no_hiring else hire,
                training_centre=i in centres,
                trainees=trainees if i in centres else 0,
                can_personalise=i in personalise,
            )
        )
    rng.shuffle(rows)
    for k, w in enumerate(rows, start=1):
        w.workshop_id = f"AT-{k:03d}"
        w.name = f"Atelier synthétique {k:03d}"
    return rows


def make_pilot(rng: random.Random) -> list[Workshop]:
    """Draw the five pilot workshops (départements 69, 42, 42, 26, 69)."""
    n = len(PILOT_DEPTS)
    bands = list(PILOT_OPERATOR_BANDS)
    rng.shuffle(bands)
    operators = [rng.randint(lo, hi) for lo, hi in bands]
    no_hours = pick(rng, n, EMPTY_HOURS)
    no_eff = pick(rng, n, EMPTY_EFFICIENCY)
    no_cost = pick(rng, n, EMPTY_HOURLY_COST)
    no_overhead = pick(rng, n, EMPTY_OVERHEAD)
    personaliser = rng.randrange(n)
    rows: list[Workshop] = []
    for i, dept in enumerate(PILOT_DEPTS):
        hours = draw_hours(rng)
        eff = draw_efficiency(rng)
        share = round(rng.triangular(0.30, 0.60, 0.40), 2)
        cost = draw_hourly_cost(rng)
        overhead = draw_overhead(rng)
        hire = draw_can_hire(rng, operators[i])
        rows.append(
            Workshop(
                workshop_id=f"PI-{i + 1:03d}",
                name=f"Atelier pilote synthétique {i + 1}",
                departement=dept,
                staff=0,  # not modelled for the pilot
                operators=operators[i],
                hours_per_week=None if i in no_hours else hours,
                shifts=1,
                efficiency=None if i in no_eff else eff,
                programme_share=share,
                products="polo|sweatshirt",
                hourly_cost_eur=None if i in no_cost else cost,
                overhead_rate=None if i in no_overhead else overhead,
                can_hire=hire,
                training_centre=False,
                trainees=0,
                can_personalise=i == personaliser,
            )
        )
    return rows


def write_csv(path: Path, rows: Sequence[Workshop]) -> None:
    """Write rows sorted by id: UTF-8 without BOM, ``,`` separator, LF line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=",", lineterminator="\n")
        writer.writerow(HEADER)
        for w in sorted(rows, key=lambda r: r.workshop_id):
            writer.writerow(w.row())


def summary(rows: Sequence[Workshop], with_staff: bool = True) -> str:
    """Markdown summary of the statistics actually obtained.

    Firm staff is a latent variable of the generator (the CSV only has ``operators``); it is
    reported for the regional survey, where it is calibrated, not for the pilot.
    """
    n = len(rows)
    staff = [w.staff for w in rows]
    ops = [w.operators for w in rows]
    lines = [f"- workshops: {n}"]
    if with_staff:
        lines += [
            (
                f"- total staff (latent): {sum(staff)} (target {TARGET_STAFF}, "
                f"{100 * (sum(staff) / TARGET_STAFF - 1):+.1f} %)"
            ),
            (
                f"- staff median {statistics.median(staff):g}, "
                f"mean {statistics.mean(staff):.1f}, min {min(staff)}, max {max(staff)}"
            ),
            (
                f"- workshops under {SMALL_FIRM} staff: "
                f"{100 * sum(s < SMALL_FIRM for s in staff) / n:.1f} %"
            ),
            f"- total operators: {sum(ops)} ({100 * sum(ops) / sum(staff):.1f} % of staff)",
        ]
    else:
        lines.append(f"- total operators: {sum(ops)}")
    lines.append(
        f"- operators median {statistics.median(ops):g}, mean {statistics.mean(ops):.1f}, "
        f"min {min(ops)}, max {max(ops)}"
    )

    def pct(count: int) -> str:
        return f"{count} ({100 * count / n:.1f} %)"

    for label, count in (
        ("products polo|sweatshirt", sum(w.products == "polo|sweatshirt" for w in rows)),
        ("products polo only", sum(w.products == "polo" for w in rows)),
        ("products sweatshirt only", sum(w.products == "sweatshirt" for w in rows)),
        ("two shifts", sum(w.shifts > 1 for w in rows)),
        ("training centres", sum(w.training_centre for w in rows)),
        ("can personalise", sum(w.can_personalise for w in rows)),
        ("empty hours_per_week", sum(w.hours_per_week is None for w in rows)),
        ("empty efficiency", sum(w.efficiency is None for w in rows)),
        ("empty programme_share", sum(w.programme_share is None for w in rows)),
        ("empty hourly_cost_eur", sum(w.hourly_cost_eur is None for w in rows)),
        ("empty overhead_rate", sum(w.overhead_rate is None for w in rows)),
    ):
        lines.append(f"- {label}: {pct(count)}")
    lines.append(f"- can_hire total: {sum(w.can_hire for w in rows)} operators")
    lines.append(f"- trainees total: {sum(w.trainees for w in rows)}")
    lines += [
        "",
        "| département | workshops | staff | operators | share of operators |",
        "|---|---:|---:|---:|---:|",
    ]
    for dept in sorted({w.departement for w in rows}):
        sel = [w for w in rows if w.departement == dept]
        dept_ops = sum(w.operators for w in sel)
        dept_staff_total = str(sum(w.staff for w in sel)) if with_staff else "-"
        lines.append(
            f"| {dept} | {len(sel)} | {dept_staff_total} | {dept_ops} "
            f"| {100 * dept_ops / sum(ops):.1f} % |"
        )
    total_staff = str(sum(staff)) if with_staff else "-"
    lines.append(f"| total | {n} | {total_staff} | {sum(ops)} | 100.0 % |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate the SYNTHETIC AURA workshop capacity survey (and pilot survey)."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data",
        help="directory receiving aura/workshops.csv and aura-pilot/workshops.csv",
    )
    args = parser.parse_args(argv)

    regional = make_regional(random.Random(args.seed))
    pilot = make_pilot(random.Random(f"{args.seed}:pilot"))
    regional_path = args.out_dir / "aura" / "workshops.csv"
    pilot_path = args.out_dir / "aura-pilot" / "workshops.csv"
    write_csv(regional_path, regional)
    write_csv(pilot_path, pilot)

    print(f"wrote {regional_path} (seed {args.seed})")
    print(summary(regional))
    print()
    print(f"wrote {pilot_path}")
    print(summary(pilot, with_staff=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
