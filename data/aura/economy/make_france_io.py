"""Build `france_io.csv`, the compact French input-output table bundled with filiere.

Deterministic, standard library only: ``python3 data/aura/economy/make_france_io.py``.
Every number below is explained in ``README.md`` next to this file (unit and source, or
``assumption`` with the reason). Monetary amounts are written in euros (EUR), rounded to
the million; employment in persons.

Construction, column by column (buying branch j):
    domestic intermediate inputs_j = output_j × (1 − value-added rate_j)
                                     × (1 − imported share_j − product-tax share)
    z_ij = domestic intermediate inputs_j × supplier share_ij   (Σ_i supplier share_ij = 1)
The remainder of the column, output − Σ_i z_ij − value added, is imported inputs plus
taxes less subsidies on products, which a domestic-flows table leaves out of Z.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEUR_PER_BN = 1_000.0
EUR_PER_MEUR = 1_000_000

BRANCHES = [
    "agriculture",  # A (AZ)
    "food_industry",  # C10-C12 (C1)
    "textiles_apparel",  # C13-C15 (part of C5)
    "other_manufacturing",  # rest of C (C2-C5 without C13-C15)
    "energy_water_waste",  # D-E (DE)
    "construction",  # F (FZ)
    "trade_transport_hospitality",  # G-I (GZ, HZ, IZ)
    "information_finance_real_estate",  # J-L (JZ, KZ, LZ)
    "business_services",  # M-N (MN)
    "public_education_health",  # O-Q (OQ)
    "other_services",  # R-U (RU)
]

# Per branch: output (bn EUR), value added (bn EUR), employment (thousand persons),
# compensation of employees D1 (bn EUR), household consumption of domestic output at
# basic prices (bn EUR), share of intermediate consumption that is imported.
ACCOUNTS = {
    "agriculture": (75.0, 33.0, 750.0, 9.0, 20.0, 0.15),
    "food_industry": (180.0, 38.0, 560.0, 22.0, 75.0, 0.25),
    "textiles_apparel": (16.4, 5.6, 103.0, 4.3, 3.0, 0.55),
    "other_manufacturing": (820.0, 230.0, 2550.0, 145.0, 70.0, 0.40),
    "energy_water_waste": (160.0, 50.0, 380.0, 22.0, 55.0, 0.30),
    "construction": (300.0, 115.0, 1800.0, 70.0, 20.0, 0.15),
    "trade_transport_hospitality": (700.0, 380.0, 6500.0, 250.0, 200.0, 0.10),
    "information_finance_real_estate": (750.0, 450.0, 2300.0, 150.0, 280.0, 0.08),
    "business_services": (450.0, 270.0, 3600.0, 190.0, 25.0, 0.12),
    "public_education_health": (520.0, 370.0, 7800.0, 300.0, 50.0, 0.08),
    "other_services": (100.0, 60.0, 1600.0, 35.0, 60.0, 0.10),
}

# Taxes less subsidies on products paid on intermediate consumption, share of it.
PRODUCT_TAX_SHARE = 0.03

# Supplier shares of each buying branch's domestic intermediate inputs, in the order of
# BRANCHES (rows = supplying branch). Each list sums to 1.
SUPPLIER_SHARES = {
    "agriculture": [0.25, 0.10, 0.00, 0.20, 0.05, 0.03, 0.17, 0.08, 0.10, 0.01, 0.01],
    "food_industry": [0.40, 0.20, 0.00, 0.10, 0.04, 0.01, 0.13, 0.04, 0.07, 0.00, 0.01],
    "textiles_apparel": [0.01, 0.00, 0.30, 0.20, 0.06, 0.01, 0.17, 0.08, 0.15, 0.00, 0.02],
    "other_manufacturing": [0.01, 0.01, 0.01, 0.50, 0.06, 0.01, 0.12, 0.08, 0.18, 0.01, 0.01],
    "energy_water_waste": [0.00, 0.00, 0.00, 0.15, 0.40, 0.08, 0.07, 0.12, 0.17, 0.00, 0.01],
    "construction": [0.00, 0.00, 0.00, 0.35, 0.02, 0.25, 0.13, 0.07, 0.17, 0.00, 0.01],
    "trade_transport_hospitality": [0.00, 0.03, 0.00, 0.07, 0.05, 0.03, 0.35, 0.22, 0.23, 0.00, 0.02],
    "information_finance_real_estate": [0.00, 0.00, 0.00, 0.03, 0.02, 0.10, 0.06, 0.50, 0.26, 0.01, 0.02],
    "business_services": [0.00, 0.00, 0.00, 0.05, 0.02, 0.02, 0.12, 0.25, 0.50, 0.01, 0.03],
    "public_education_health": [0.00, 0.02, 0.01, 0.20, 0.06, 0.06, 0.12, 0.20, 0.28, 0.03, 0.02],
    "other_services": [0.01, 0.02, 0.01, 0.10, 0.05, 0.03, 0.15, 0.25, 0.25, 0.01, 0.12],
}

# AURA share of national employment by branch (see README.md), and the published
# textile-apparel-leather figures.
AURA_SHARE = {
    "agriculture": 0.11,
    "food_industry": 0.12,
    "other_manufacturing": 0.15,
    "energy_water_waste": 0.12,
    "construction": 0.125,
    "trade_transport_hospitality": 0.12,
    "information_finance_real_estate": 0.11,
    "business_services": 0.115,
    "public_education_health": 0.115,
    "other_services": 0.12,
}
AURA_TEXTILES_JOBS = 20_100  # Insee Flash AURA n°139 (2024)
AURA_TEXTILES_SHARE_OF_FRANCE = 0.22  # same source


def eur(bn: float) -> int:
    """Billions of euros to euros, rounded to the million."""
    return round(bn * MEUR_PER_BN) * EUR_PER_MEUR


def build_flows() -> list[list[int]]:
    n = len(BRANCHES)
    flows = [[0] * n for _ in range(n)]
    for j, buyer in enumerate(BRANCHES):
        output, value_added, _, _, _, imported = ACCOUNTS[buyer]
        shares = SUPPLIER_SHARES[buyer]
        assert abs(sum(shares) - 1.0) < 1e-9, buyer
        domestic_inputs = (output - value_added) * (1.0 - imported - PRODUCT_TAX_SHARE)
        for i in range(n):
            flows[i][j] = eur(domestic_inputs * shares[i])
    return flows


def write_table(flows: list[list[int]]) -> None:
    header = ["branch", *BRANCHES, "output", "employment", "compensation", "value_added",
              "household_consumption"]
    with open(HERE / "france_io.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        for i, branch in enumerate(BRANCHES):
            output, value_added, jobs, compensation, consumption, _ = ACCOUNTS[branch]
            out.writerow([branch, *flows[i], eur(output), round(jobs * 1000), eur(compensation),
                          eur(value_added), eur(consumption)])


def write_regional_employment() -> None:
    with open(HERE / "aura_employment.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["branch", "regional_employment", "national_employment", "source"])
        for branch in BRANCHES:
            national = round(ACCOUNTS[branch][2] * 1000)
            if branch == "textiles_apparel":
                national = round(AURA_TEXTILES_JOBS / AURA_TEXTILES_SHARE_OF_FRANCE / 100) * 100
                out.writerow([branch, AURA_TEXTILES_JOBS, national,
                              "Insee Flash AURA n°139 (2024): 20,100 salaried jobs, 22 % of France; "
                              "national = 20,100 / 0.22"])
                continue
            regional = round(national * AURA_SHARE[branch] / 100) * 100
            out.writerow([branch, regional, national,
                          f"assumption: {AURA_SHARE[branch]:.1%} of national employment "
                          "(AURA ≈ 12 % of French jobs; see README.md)"])


def main() -> None:
    flows = build_flows()
    for j, branch in enumerate(BRANCHES):
        inputs = sum(flows[i][j] for i in range(len(BRANCHES)))
        assert inputs + eur(ACCOUNTS[branch][1]) < eur(ACCOUNTS[branch][0]), branch
    for i, branch in enumerate(BRANCHES):
        sales = sum(flows[i])
        final_demand = eur(ACCOUNTS[branch][0]) - sales
        assert final_demand >= eur(ACCOUNTS[branch][4]), branch
    write_table(flows)
    write_regional_employment()


if __name__ == "__main__":
    main()
