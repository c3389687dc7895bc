"""The balance (issue 16): ``Results.balance`` against importing the same kits, its
identities, its Monte Carlo ranges, the tornado of the net cost per job, the waterfall."""

from __future__ import annotations

import math

import polars as pl
import pytest

import filiere as fl
from filiere.uncertainty import METRICS


@pytest.fixture(scope="module")
def aura() -> fl.Study:
    return fl.Study.example("aura")


@pytest.fixture(scope="module")
def results(aura: fl.Study) -> fl.Results:
    return aura.run()


def test_identities_every_year(results: fl.Results) -> None:
    b, s = results.balance, results.summary
    assert b["year"].to_list() == s["year"].to_list()
    assert b["jobs_gross"].to_list() == s["jobs_gross"].to_list()
    for r in b.iter_rows(named=True):
        assert math.isclose(r["jobs_net"], r["jobs_gross"] - r["jobs_displaced"], rel_tol=1e-12)
        assert math.isclose(
            r["premium_eur"], r["programme_cost_eur"] - r["import_baseline_cost_eur"], rel_tol=1e-12
        )
        revenue = (
            r["social_contributions_eur"]
            + r["csg_crds_eur"]
            + r["income_tax_eur"]
            + r["vat_on_premium_eur"]
        )
        assert math.isclose(r["public_revenue_eur"], revenue, rel_tol=1e-12)
        net = r["premium_eur"] - r["public_revenue_eur"] - r["benefits_avoided_eur"]
        assert math.isclose(r["net_public_cost_eur"], net, rel_tol=1e-12)
        assert math.isclose(
            r["net_cost_per_job_eur"], r["net_public_cost_eur"] / r["jobs_net"], rel_tol=1e-12
        )
        assert math.isclose(
            r["co2e_avoided_t"], r["co2e_import_t"] - r["co2e_local_t"], rel_tol=1e-12
        )
    budget = s["budget_eur"].to_list()
    assert b["programme_cost_eur"].to_list() == budget


def test_more_displacement_fewer_net_jobs(aura: fl.Study) -> None:
    low = aura.with_params(displacement_share=0.0).run().balance
    high = aura.with_params(displacement_share=0.3).run().balance
    assert (high["jobs_net"] < low["jobs_net"]).all()
    assert high["jobs_gross"].to_list() == low["jobs_gross"].to_list()


def test_monte_carlo_ranges(aura: fl.Study) -> None:
    for metric in ("jobs_net", "net_cost_per_job_eur", "co2e_avoided_t", "premium_eur"):
        assert metric in METRICS
    q = aura.monte_carlo(200, seed=3).quantiles(
        metrics=["jobs_net", "net_cost_per_job_eur", "co2e_avoided_t"]
    )
    y2028 = q.filter(pl.col("year") == 2028)
    assert y2028.height == 3
    for r in y2028.iter_rows(named=True):
        assert r["p5"] < r["p50"] < r["p95"], r


def test_tornado_of_net_cost_per_job(aura: fl.Study) -> None:
    t = aura.sensitivity("tornado", metric="net_cost_per_job_eur")
    params = t["parameter"].to_list()
    # The balance's own parameters move it, and the displacement share is among the first.
    assert "displacement_share" in params[:3]
    assert "import_price_factor" in params


def test_waterfall(results: fl.Results) -> None:
    fig = results.plot.balance(2028)
    assert fig.axes[0].get_title().endswith("(2028)")
    with pytest.raises(ValueError, match="unknown labels"):
        fl.plot.balance(results, labels={"nope": "x"})
