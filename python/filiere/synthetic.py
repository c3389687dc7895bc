"""Synthetic studies for scaling tests and benchmarks.

Everything here is **synthetic**: made-up tables with a plausible shape, deterministic from
a seed. They are for measuring speed and for exercising sweeps and Dask at national scale,
never for conclusions about a real programme.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import polars as pl

from filiere import _core
from filiere.exceptions import ParameterError
from filiere.study import Study

__all__ = ["NATIONAL_PUPILS", "national"]

#: Pupils of metropolitan France by level in the synthetic national study (pupils): round
#: figures of the order of the national totals (about 6.4 M in écoles, 3.4 M in collèges
#: and 2.2 M in lycées, public and private, in the DEPP's *Repères et références
#: statistiques*), 12.0 M in all. Not taken from a table: the study is synthetic.
NATIONAL_PUPILS: dict[str, int] = {"ecole": 6_400_000, "college": 3_400_000, "lycee": 2_200_000}

#: Pupils of one synthetic lycée, on average (pupils; the bundled AURA lycées average 464).
_PUPILS_PER_LYCEE = 550


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number in proportion to weights, exactly (largest remainders)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _establishments(rng: random.Random, departements: list[str]) -> pl.DataFrame:
    weights = [rng.lognormvariate(0.0, 0.6) for _ in departements]
    rows: list[dict[str, Any]] = []
    by_level = {level: _split(total, weights) for level, total in NATIONAL_PUPILS.items()}
    for k, dep in enumerate(departements):
        for level, label in (("ecole", "Écoles"), ("college", "Collèges")):
            rows.append(
                {
                    "name": f"{label} synthétiques — {dep} (agrégat)",
                    "departement": dep,
                    "level": level,
                    "pupils": by_level[level][k],
                }
            )
        lycee_pupils = by_level["lycee"][k]
        count = max(2, round(lycee_pupils / _PUPILS_PER_LYCEE))
        sizes = _split(lycee_pupils, [rng.uniform(0.4, 1.6) for _ in range(count)])
        for j, pupils in enumerate(sizes, start=1):
            rows.append(
                {
                    "name": f"Lycée synthétique {dep}-{j:03d}",
                    "departement": dep,
                    "level": "lycee",
                    "pupils": pupils,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "name": pl.String,
            "departement": pl.String,
            "level": pl.String,
            "pupils": pl.Int64,
        },
    )


def _maybe(rng: random.Random, p_missing: float, value: Any) -> Any:
    """A survey answer, left empty with probability ``p_missing``."""
    return None if rng.random() < p_missing else value


def _workshops(rng: random.Random, departements: list[str], n: int) -> pl.DataFrame:
    weights = [rng.lognormvariate(0.0, 0.8) for _ in departements]
    counts = _split(n, weights)
    rows: list[dict[str, Any]] = []
    number = 0
    for dep, count in zip(departements, counts, strict=True):
        for _ in range(count):
            number += 1
            operators = min(400, max(2, round(rng.lognormvariate(math.log(12.0), 0.8))))
            centre = rng.random() < 0.1
            u = rng.random()
            products = "polo|sweatshirt" if u < 0.6 else ("polo" if u < 0.8 else "sweatshirt")
            rows.append(
                {
                    "workshop_id": f"SYN-{number:05d}",
                    "name": f"Atelier synthétique {number:05d}",
                    "departement": dep,
                    "operators": operators,
                    "hours_per_week": _maybe(rng, 0.5, rng.choice([35.0, 37.5, 39.0])),
                    "shifts": 1,
                    "efficiency": _maybe(rng, 0.15, round(rng.uniform(0.40, 0.70), 2)),
                    "programme_share": round(rng.uniform(0.10, 0.60), 2),
                    "products": products,
                    "hourly_cost_eur": _maybe(rng, 0.3, round(rng.uniform(14.5, 17.5), 2)),
                    "overhead_rate": _maybe(rng, 0.4, round(rng.uniform(0.7, 1.3), 2)),
                    "can_hire": rng.randint(0, max(0, operators // 4)),
                    "training_centre": centre,
                    "trainees": rng.randint(2, 12) if centre else 0,
                    "can_personalise": rng.random() < 0.3,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def national(
    seed: int = 0,
    *,
    workshops: int = 2_000,
    years: Sequence[int] = (2026, 2027, 2028, 2029),
) -> Study:
    """A **synthetic** national study: every metropolitan region, about 12 M pupils and
    thousands of workshops, deterministic from ``seed``.

    Nothing in it is observed data. The 96 départements of metropolitan France (13
    regions, ``data/reference/prefectures.csv``) get synthetic shares (log-normal weights)
    of :data:`NATIONAL_PUPILS` (12.0 M pupils: 6.4 M in écoles and 3.4 M in collèges, one
    aggregate row per département each, and 2.2 M in about 4,000 synthetic lycées of ≈ 550
    pupils). ``workshops`` synthetic workshops are spread over the départements
    (log-normal weights), with log-normal staff (median 12 operators, 2-400), efficiency
    0.40-0.70, programme share 0.10-0.60, hourly cost 14.5-17.5 EUR, some answers left
    empty as in a real survey (the parameters fill them). The catalog and the parameters
    are the bundled AURA ones; so is the input-output table, regionalised to AURA (the
    national IO jobs are indicative only). Scenario: kit of 3 polos and 2 sweatshirts,
    lycées from 2026, collèges 2027, écoles 2028, full renewal.

    Built with the public constructor (the same table schemas and checks as any study).

    Parameters
    ----------
    seed : int, default 0
        Seed of the generator (Python's Mersenne Twister: the same tables on every
        platform and version).
    workshops : int, default 2000
        Number of synthetic workshops (≥ 1).
    years : sequence of int, default (2026, 2027, 2028, 2029)
        Rentrée years to model.

    Returns
    -------
    Study
        Named ``"France (synthetic)"``.

    Examples
    --------
    >>> import filiere as fl
    >>> s = fl.synthetic.national(seed=0, workshops=50, years=[2028])
    >>> int(s.establishments["pupils"].sum())
    12000000
    >>> s.establishments["departement"].n_unique(), len(s.workshops)
    (96, 50)
    """
    if not isinstance(workshops, int) or isinstance(workshops, bool) or workshops < 1:
        raise ParameterError(
            f"parameter `workshops`: {workshops!r} must be a whole number ≥ 1", name="workshops"
        )
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ParameterError(f"parameter `seed`: {seed!r} must be a whole number", name="seed")
    rng = random.Random(seed)
    departements = [p["departement"] for p in _core.prefectures()]
    establishments = _establishments(rng, departements)
    survey = _workshops(rng, departements, workshops)
    catalog = Study.example("aura").catalog
    years = [int(y) for y in years]
    return Study(
        survey,
        establishments,
        catalog,
        scenario={
            "base_year": 2025,
            "years": years,
            "rollout": {"lycee": 2026, "college": 2027, "ecole": 2028},
            "adoption": 1.0,
            "renewal": "full",
            "kit": {"polo": 3, "sweatshirt": 2},
        },
        name="France (synthetic)",
        description=(
            f"SYNTHETIC national study (seed {seed}): 96 départements, 12.0 M pupils, "
            f"{workshops:,} made-up workshops"
        ),
    )
