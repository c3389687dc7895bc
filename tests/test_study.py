"""The Python API of Study and Results."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

import filiere as fl

from .conftest import DATA


def test_results_tables_and_columns(aura_results: fl.Results) -> None:
    s = aura_results.summary
    assert s["year"].to_list() == [2026, 2027, 2028, 2029]
    for column in ("pieces", "budget_eur", "cost_per_kit_eur", "direct_fte", "hiring_gap_fte"):
        assert s[column].dtype == pl.Float64
        assert (s[column] >= 0).all()
    # Rollout: lycées 2026, + collèges 2027, + écoles 2028; full renewal keeps 2029 = 2028.
    pieces = s["pieces"].to_list()
    assert pieces[0] < pieces[1] < pieces[2]
    assert pieces[3] == pytest.approx(pieces[2])
    assert set(aura_results.demand["level"].unique()) == {"ecole", "college", "lycee"}
    assert aura_results.demand["departement"].n_unique() == 12


@pytest.mark.parametrize("local_content_min", [1.0, 0.5])
def test_cost_breakdown_adds_up(aura: fl.Study, local_content_min: float) -> None:
    c = aura.with_scenario(local_content_min=local_content_min).run().costs
    parts = [
        "materials_eur",
        "labour_eur",
        "overhead_eur",
        "personalisation_eur",
        "logistics_eur",
        "imported_eur",
    ]
    total = c.select(pl.sum_horizontal(parts)).to_series()
    assert (total - c["cost_eur"]).abs().max() < 1e-9
    assert ((c["cost_eur"] + c["margin_eur"] - c["price_ht_eur"]).abs().max()) < 1e-9
    assert ((c["price_ht_eur"] * 1.2 - c["price_ttc_eur"]).abs().max()) < 1e-9
    # Imported pieces carry no regional margin (10 %).
    margin = (c["cost_eur"] - c["imported_eur"]) * 0.1
    assert (margin - c["margin_eur"]).abs().max() < 1e-9
    imported = c["imported_eur"]
    assert (imported == 0).all() if local_content_min == 1.0 else (imported > 0).all()
    kit = c.filter(pl.col("unit") == "kit", pl.col("year") == 2029)
    pieces = c.filter(pl.col("unit") == "piece", pl.col("year") == 2029)
    price = dict(pieces.select("product", "price_ttc_eur").iter_rows())
    assert kit["price_ttc_eur"][0] == pytest.approx(3 * price["polo"] + 2 * price["sweatshirt"])


def test_jobs_add_up_by_workshop_and_departement(aura_results: fl.Results) -> None:
    year = pl.col("year") == 2029
    total = aura_results.summary.filter(year)["direct_fte"][0]
    assert aura_results.jobs.filter(year)["fte"].sum() == pytest.approx(total)
    assert aura_results.jobs_by_departement.filter(year)["fte"].sum() == pytest.approx(total)
    gap = aura_results.summary.filter(year)["hiring_gap_fte"][0]
    assert aura_results.jobs.filter(year)["hiring_gap_fte"].sum() == pytest.approx(gap)
    # Per workshop: gap = max(0, fte - offered).
    j = aura_results.jobs.filter(year)
    expected = (j["fte"] - j["offered_fte"]).clip(lower_bound=0)
    assert (j["hiring_gap_fte"] - expected).abs().max() < 1e-9


def test_with_params_returns_a_new_study(pilot: fl.Study) -> None:
    base = pilot.run().summary["cost_per_kit_eur"][0]
    dearer = pilot.with_params(margin_rate=0.15)
    assert dearer.run().summary["cost_per_kit_eur"][0] == pytest.approx(base / 1.10 * 1.15)
    assert pilot.run().summary["cost_per_kit_eur"][0] == base


def test_parameter_errors(pilot: fl.Study) -> None:
    with pytest.raises(fl.ParameterError, match="unknown parameter") as err:
        pilot.with_params(line_efficency=0.6)
    assert err.value.name == "line_efficency"
    with pytest.raises(fl.ParameterError, match="outside the allowed range"):
        pilot.with_params(line_efficiency=1.5)


def test_parameter_table_low_above_high_is_refused(tmp_path: Path) -> None:
    params = tmp_path / "parameters.csv"
    params.write_text(
        "name,value,unit,low,high,distribution,source\n"
        "allowance,0.12,fraction,0.15,0.10,uniform,test\n"
    )
    with pytest.raises(fl.SchemaError, match="low must not exceed high") as err:
        fl.Study(
            DATA / "aura-pilot" / "workshops.csv",
            DATA / "aura-pilot" / "establishments.csv",
            DATA / "aura-pilot" / "catalog.csv",
            parameters=params,
        )
    assert err.value.row == 2


def test_constructor_accepts_polars_pandas_and_arrow(pilot: fl.Study) -> None:
    tables = {
        kind: pl.read_csv(DATA / "aura-pilot" / f"{kind}.csv", infer_schema=False)
        for kind in ("workshops", "establishments", "catalog")
    }
    scenario = pilot.scenario
    expected = pilot.run().summary
    for convert in (lambda f: f, lambda f: f.to_pandas(), lambda f: f.to_arrow()):
        study = fl.Study(
            **{k: convert(v) for k, v in tables.items()}, scenario=scenario, name=pilot.name
        )
        # The study file's parameter override (order 36 weeks ahead) is not in the tables.
        study = study.with_params(order_weeks_before_rentree=36)
        assert_frame_equal(study.run().summary, expected)
    assert isinstance(tables["catalog"].to_pandas(), pd.DataFrame)
    assert isinstance(tables["catalog"].to_arrow(), pa.Table)


def test_constructor_refuses_non_tables() -> None:
    with pytest.raises(fl.SchemaError, match="expected a table"):
        fl.Study(42, [], {})


def test_load_matches_example(pilot: fl.Study) -> None:
    loaded = fl.Study.load(DATA / "aura-pilot" / "study.toml")
    assert_frame_equal(loaded.run().summary, pilot.run().summary)
    assert loaded.sources["workshops"].endswith("workshops.csv")


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(fl.StudyError, match="cannot read"):
        fl.Study.load(tmp_path / "missing.toml")
    study = tmp_path / "study.toml"
    study.write_text(
        '[tables]\nworkshops = "nope.csv"\nestablishments = "e.csv"\ncatalog = "c.csv"\n'
        "[scenario]\nbase_year = 2025\nyears = [2026]\n"
    )
    with pytest.raises(fl.StudyError, match=r"nope\.csv"):
        fl.Study.load(study)
    study.write_text(
        '[tables]\nworkshops = "study.toml"\nestablishments = "e.csv"\ncatalog = "c.csv"\n'
        "[scenario]\nbase_year = 2025\nyears = [2026]\n"
    )
    with pytest.raises(fl.StudyError, match="itself"):
        fl.Study.load(study)
    study.write_text("[scenario]\nyears = []\n")
    with pytest.raises(fl.StudyError):
        fl.Study.load(study)


def test_example_errors() -> None:
    with pytest.raises(fl.StudyError, match="aura-pilot"):
        fl.Study.example("mars")


def test_with_scenario_partial_renewal(aura: fl.Study) -> None:
    partial = aura.with_scenario(renewal="partial", replacement_rate=0.2).run().summary
    full = aura.run().summary
    # First rollout year identical; later years fewer kits than full renewal.
    assert partial["pieces"][0] == pytest.approx(full["pieces"][0])
    assert partial["pieces"][3] < full["pieces"][3]
    with pytest.raises(fl.StudyError, match="jean"):
        aura.with_scenario(kit={"polo": 3, "jean": 1})


def test_local_content_min_scenario_key(aura: fl.Study) -> None:
    # Default 1.0: the programme's premise, every piece made in the region.
    assert aura.scenario["local_content_min"] == 1.0
    half = aura.with_scenario(local_content_min=0.5)
    assert half.scenario["local_content_min"] == 0.5
    assert aura.scenario["local_content_min"] == 1.0  # a new study; the old one unchanged
    clone = pickle.loads(pickle.dumps(half))
    assert clone.scenario == half.scenario
    assert fl.Study.example("aura-pilot").with_scenario(**half.scenario).scenario == half.scenario
    for bad in (1.5, -0.1):
        with pytest.raises(fl.StudyError, match=r"scenario\.local_content_min must be within 0-1"):
            aura.with_scenario(local_content_min=bad)
    with pytest.raises(fl.StudyError, match="local_content_min"):
        aura.with_scenario(local_content_min="all")


def test_local_content_min_is_a_sweep_column(pilot: fl.Study) -> None:
    rows = fl.sweep(pilot, [{"local_content_min": 0.5}], threads=1)
    assert rows["local_content_min"].to_list() == [0.5]
    with pytest.raises(fl.SweepError, match="local_content_min"):
        fl.sweep(pilot, [{"local_content_min": 1.5}], threads=1)


def test_local_content_min_in_a_study_file(tmp_path: Path) -> None:
    pilot = DATA / "aura-pilot"
    study = tmp_path / "study.toml"
    text = (
        f'[tables]\nworkshops = "{pilot / "workshops.csv"}"\n'
        f'establishments = "{pilot / "establishments.csv"}"\n'
        f'catalog = "{pilot / "catalog.csv"}"\n'
        "[scenario]\nbase_year = 2024\nyears = [2024]\nlocal_content_min = {value}\n"
    )
    study.write_text(text.replace("{value}", "0.8"), encoding="utf-8")
    assert fl.Study.load(study).scenario["local_content_min"] == 0.8
    study.write_text(text.replace("{value}", "1.5"), encoding="utf-8")
    with pytest.raises(fl.StudyError, match=r"scenario\.local_content_min") as err:
        fl.Study.load(study)
    assert err.value.file == str(study)


def test_unmet_penalty_is_not_a_parameter(aura: fl.Study) -> None:
    names = set(aura.parameters["name"])
    assert "unmet_penalty_eur" not in names
    assert {
        "new_capacity_lead_months",
        "new_capacity_investment_eur_per_operator",
        "new_capacity_amortisation_years",
        "recruitment_training_eur_per_operator",
        "new_capacity_efficiency_fraction",
        "new_capacity_max_operators_per_year",
    } <= names
    with pytest.raises(fl.ParameterError, match="unmet_penalty_eur"):
        aura.with_params(unmet_penalty_eur=1000.0)


def test_pickle_round_trip(pilot: fl.Study) -> None:
    clone = pickle.loads(pickle.dumps(pilot))
    assert_frame_equal(clone.run().summary, pilot.run().summary)
    assert clone.scenario == pilot.scenario


def test_study_tables_are_exposed(aura: fl.Study) -> None:
    assert aura.workshops.height == 119
    assert aura.establishments["pupils"].sum() == 1_500_000
    assert set(aura.catalog["product"]) == {"polo", "sweatshirt"}
    assert "119 workshops" in repr(aura)
    assert "<table>" in aura._repr_html_()


def test_write_outputs_en_and_fr(pilot: fl.Study, tmp_path: Path) -> None:
    r = pilot.run()
    files = r.write(tmp_path / "en")
    assert {f.name for f in files} >= {"summary.parquet", "summary.csv", "costs.csv"}
    assert_frame_equal(pl.read_parquet(tmp_path / "en" / "summary.parquet"), r.summary)
    r.write(tmp_path / "fr", formats=["csv"], locale="fr")
    raw = (tmp_path / "fr" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("year;kits;pieces")
    assert ";15000,0;" in text
    assert not list((tmp_path / "fr").glob("*.tmp"))


def test_csv_output_neutralises_formulas(tmp_path: Path) -> None:
    frame = pl.DataFrame({"workshop_id": ["=HYPERLINK(1)", "AT-1", "@x", "-2+3"]})
    r = fl.Results(*([frame] * len(fl.results.TABLES)))
    r.write(tmp_path, formats=["csv"])
    lines = (tmp_path / "jobs.csv").read_text().splitlines()
    assert lines[1:] == ["'=HYPERLINK(1)", "AT-1", "'@x", "'-2+3"]


def test_results_repr(aura_results: fl.Results) -> None:
    assert "budget_meur" in repr(aura_results)
    assert "<table" in aura_results._repr_html_()
