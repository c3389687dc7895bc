"""Build `a38_satellites.csv` and `../../aura/economy/aura_employment.csv` (A38 branches).

Deterministic, standard library only. Edit this script, not the CSV files it writes:
`python3 data/france/economy/make_a38_satellites.py`.

INSEE's A38 national-accounts files here (TES, CPEB, ERE) hold no employment and no
compensation of employees (D1) by branch. This script builds them per A38 branch for the
reference year 2019, from the INSEE figures that were found (each cited below) and labelled
assumptions where none was found. Every row of the output says which, with units.

Published figures used (all "Source : Insee"; Licence Ouverte / Etalab 2.0):
- Total domestic employment 2019: 28.5 M persons, 26.8 M full-time equivalents (EQTP),
  Insee Résultats "Emploi" (comptes nationaux annuels base 2014), 17/11/2020,
  https://www.insee.fr/fr/statistiques/4929998 (Figure 1).
- Domestic employment 2019 in EQTP by A17 branch, same page, Figure 1 (thousands):
  AZ 788.5, DE 304.3, C1 605.9, C2 8.3, C3 303.1, C4 183.4, C5 1,394.0, FZ 1,796.4,
  GZ 3,579.3. The page excerpt stops at GZ; the other A17 branches are not available here.
- Salaried employment by A17 branch, end of Q2 2020 (thousands; INSEE "estimations
  d'emploi" as quoted by https://audentia-gestion.fr/actualite-economique-et-informatique/
  Emploi-2020-Trimestre-2.html): HZ 1,396.0, IZ 1,011.9, JZ 804.7, KZ 872.6, LZ 242.4,
  MN 3,285.8, OQ 7,969.1, RU 1,247.5. Used only as *shares* to split the remaining 2019
  EQTP across those eight A17 branches (assumption: 2019 structure = mid-2020 salaried
  structure; the lockdown hit IZ and RU hardest, so they are understated).
- Textiles, apparel, leather (CB): 103,000 salaried jobs in 2015, Insee Première 1714
  (https://insee.fr/fr/statistiques/3632345).
- Salaried share of employment: 90 % overall, 38 % in agriculture (end 2017, Insee
  Références "Les entreprises en France" 2019, https://www.insee.fr/fr/statistiques/4255743).
- Branch gross value added 2019 = NVA + CFC of `InseeDataCPEB_2019.csv` (M EUR, INSEE).
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
AURA = HERE.parent.parent / "aura" / "economy"

CODES = [
    "AZ",
    "BZ",
    "CA",
    "CB",
    "CC",
    "CD",
    "CE",
    "CF",
    "CG",
    "CH",
    "CI",
    "CJ",
    "CK",
    "CL",
    "CM",
    "DZ",
    "EZ",
    "FZ",
    "GZ",
    "HZ",
    "IZ",
    "JA",
    "JB",
    "JC",
    "KZ",
    "LZ",
    "MA",
    "MB",
    "MC",
    "NZ",
    "OZ",
    "PZ",
    "QA",
    "QB",
    "RZ",
    "SZ",
    "TZ",
]

# A17 group -> A38 members.
A17 = {
    "AZ": ["AZ"],
    "DE": ["BZ", "DZ", "EZ"],
    "C1": ["CA"],
    "C2": ["CD"],
    "C3": ["CI", "CJ", "CK"],
    "C4": ["CL"],
    "C5": ["CB", "CC", "CE", "CF", "CG", "CH", "CM"],
    "FZ": ["FZ"],
    "GZ": ["GZ"],
    "HZ": ["HZ"],
    "IZ": ["IZ"],
    "JZ": ["JA", "JB", "JC"],
    "KZ": ["KZ"],
    "LZ": ["LZ"],
    "MN": ["MA", "MB", "MC", "NZ"],
    "OQ": ["OZ", "PZ", "QA", "QB"],
    "RU": ["RZ", "SZ", "TZ"],
}
EQTP_2019 = {  # thousand EQTP, Insee Résultats Emploi 2019, Figure 1
    "AZ": 788.5,
    "DE": 304.3,
    "C1": 605.9,
    "C2": 8.3,
    "C3": 303.1,
    "C4": 183.4,
    "C5": 1394.0,
    "FZ": 1796.4,
    "GZ": 3579.3,
}
SALARIED_Q2_2020 = {  # thousand salaried jobs, INSEE estimations d'emploi, 2020-Q2
    "HZ": 1396.0,
    "IZ": 1011.9,
    "JZ": 804.7,
    "KZ": 872.6,
    "LZ": 242.4,
    "MN": 3285.8,
    "OQ": 7969.1,
    "RU": 1247.5,
}
TOTAL_PERSONS_2019 = 28_500_000.0
TOTAL_EQTP_2019 = 26_800_000.0
CB_SALARIED_2015 = 103_000.0
# Average compensation of employees per salaried job, EUR (assumption; see README).
D1_PER_SALARIED_JOB = 45_000.0
SALARIED_SHARE = {"AZ": 0.38, "TZ": 1.0}  # others 0.90 (INSEE, end 2017)
D1_CAP_SHARE_OF_GVA = 0.9

# AURA: salaried jobs end 2019 (3,018,000 end 2018 x 1.01; Insee Conjoncture ARA 18 and 22).
AURA_SALARIED_2019 = 3_048_000.0
# Industry's share of salaried employment mid-2023: AURA 15.6 %, France metro. 12 %
# (Insee Flash ARA 136) -> AURA's share of a French manufacturing branch = overall share
# x 15.6 / 12.
INDUSTRY_PREMIUM = 15.6 / 12.0
MANUFACTURING = [c for c in CODES if c.startswith("C")]


def read_cpeb_2019() -> list[dict[str, str]]:
    with open(HERE / "InseeDataCPEB_2019.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))


def read_gva_2019() -> dict[str, float]:
    """Gross value added 2019 by branch, EUR (CPEB: NVA + CFC, M EUR)."""
    return {r["BRANCH"]: (float(r["NVA"]) + float(r["CFC"])) * 1e6 for r in read_cpeb_2019()}


def tz_output_2019() -> float:
    """Output of TZ (households as employers) 2019, EUR: the wages they pay."""
    return next(float(r["PRD"]) * 1e6 for r in read_cpeb_2019() if r["BRANCH"] == "TZ")


def build() -> list[dict[str, str]]:
    gva = read_gva_2019()
    per_eqtp = TOTAL_PERSONS_2019 / TOTAL_EQTP_2019
    rest = TOTAL_EQTP_2019 / 1000.0 - sum(EQTP_2019.values())
    q2 = sum(SALARIED_Q2_2020.values())
    groups: dict[str, tuple[float, str]] = {}
    for g, v in EQTP_2019.items():
        groups[g] = (
            v,
            f"Insee Résultats Emploi 2019 (insee.fr/fr/statistiques/4929998): A17 {g} "
            f"{v:,.1f} k EQTP",
        )
    for g, v in SALARIED_Q2_2020.items():
        groups[g] = (
            rest * v / q2,
            f"assumption: A17 {g} = its share of salaried jobs 2020-Q2 ({v:,.1f} k of "
            f"{q2:,.1f} k, INSEE estimations d'emploi) x the {rest:,.1f} k EQTP of 2019 "
            "not published by A17 branch here",
        )
    rows = []
    for g, members in A17.items():
        eqtp_k, why = groups[g]
        fixed = {}
        if "CB" in members:
            fixed["CB"] = CB_SALARIED_2015 / per_eqtp / 1000.0
        if "TZ" in members:
            fixed["TZ"] = tz_output_2019() / D1_PER_SALARIED_JOB / per_eqtp / 1000.0
        free = [c for c in members if c not in fixed]
        left = eqtp_k - sum(fixed.values())
        gva_free = sum(gva[c] for c in free)
        for c in members:
            if c == "CB":
                persons = CB_SALARIED_2015
                source = (
                    "Insee Première 1714 (insee.fr/fr/statistiques/3632345): 103,000 salaried "
                    "jobs in 2015; assumption: the same head count in 2019 (Insee Flash ARA "
                    "139 implies about 91,400 in France around 2021-2022)"
                )
            elif c == "TZ":
                persons = tz_output_2019() / D1_PER_SALARIED_JOB
                source = (
                    "assumption: INSEE gives TZ (households as employers) no value added "
                    "but an output of 1,473 M EUR in 2019 (CPEB), which is the pay of their "
                    f"employees; persons = that output / {D1_PER_SALARIED_JOB:,.0f} EUR per job"
                )
            else:
                share = gva[c] / gva_free if len(free) > 1 else 1.0
                persons = left * share * 1000.0 * per_eqtp
                split = (
                    f"; assumption: split within {g} by 2019 gross value added (CPEB)"
                    if len(members) > 1
                    else ""
                )
                source = (
                    f"{why}{split}; assumption: persons = EQTP x 28.5 M / 26.8 M "
                    "(France 2019 ratio, Insee Résultats Emploi 2019)"
                )
            salaried = SALARIED_SHARE.get(c, 0.90)
            d1 = persons * salaried * D1_PER_SALARIED_JOB
            capped = c != "TZ" and d1 > D1_CAP_SHARE_OF_GVA * gva[c]
            if capped:
                d1 = D1_CAP_SHARE_OF_GVA * gva[c]
            d1_source = (
                f"assumption: {persons:,.0f} persons x {salaried:.0%} salaried x "
                f"{D1_PER_SALARIED_JOB:,.0f} EUR per salaried job (no D1 by A38 branch found)"
                + (f", capped at {D1_CAP_SHARE_OF_GVA:.0%} of gross value added" if capped else "")
            )
            rows.append(
                {
                    "branch": c,
                    "employment": f"{persons:.0f}",
                    "employment_unit": "persons",
                    "employment_source": source,
                    "compensation": f"{d1:.0f}",
                    "compensation_unit": "EUR",
                    "compensation_source": d1_source,
                    "reference_year": "2019",
                }
            )
    order = {c: i for i, c in enumerate(CODES)}
    rows.sort(key=lambda r: order[r["branch"]])
    return rows


def aura_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    national_total = sum(float(r["employment"]) for r in rows)
    salaried_france = sum(
        float(r["employment"]) * SALARIED_SHARE.get(r["branch"], 0.90) for r in rows
    )
    share = AURA_SALARIED_2019 / salaried_france
    out = []
    for r in rows:
        c = r["branch"]
        national = float(r["employment"])
        if c == "CB":
            out.append(
                {
                    "branch": c,
                    "regional_employment": "20100",
                    "national_employment": "91400",
                    "source": (
                        "Insee Flash AURA n°139 (2024): 20,100 salaried jobs in textiles, "
                        "apparel and leather (C13-C15), 22 % of France's; national = "
                        "20,100 / 0.22 (persons)"
                    ),
                }
            )
            continue
        s = share * (INDUSTRY_PREMIUM if c in MANUFACTURING else 1.0)
        out.append(
            {
                "branch": c,
                "regional_employment": f"{national * s:.0f}",
                "national_employment": f"{national:.0f}",
                "source": (
                    f"assumption: {s:.1%} of the national figure (a38_satellites.csv); AURA "
                    f"= {AURA_SALARIED_2019:,.0f} salaried jobs end 2019 (Insee Conjoncture "
                    f"ARA 18 and 22) / {salaried_france:,.0f} French salaried jobs"
                    + (
                        " x 15.6/12, industry's share of salaried jobs in AURA vs France "
                        "(Insee Flash ARA 136)"
                        if c in MANUFACTURING
                        else ""
                    )
                    + " (persons)"
                ),
            }
        )
    assert abs(national_total - TOTAL_PERSONS_2019) < 1e-3 * TOTAL_PERSONS_2019 + CB_SALARIED_2015
    return out


def write(path: Path, rows: list[dict[str, str]], header: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header)
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    rows = build()
    write(
        HERE / "a38_satellites.csv",
        rows,
        "# Employment (persons) and compensation of employees D1 (EUR) by INSEE A38 branch,\n"
        "# France, reference year 2019. Written by make_a38_satellites.py (edit it, not this\n"
        "# file). Each row says its source or `assumption` and why; see README.md.\n",
    )
    write(
        AURA / "aura_employment.csv",
        aura_rows(rows),
        "# AURA and France employment by INSEE A38 branch (persons), for the FLQ.\n"
        "# Written by data/france/economy/make_a38_satellites.py; see README.md.\n",
    )


if __name__ == "__main__":
    main()
