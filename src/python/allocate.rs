//! `filiere._core.allocate`: tables in, the allocation LP's solution out as tables.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_polars::PyDataFrame;

use polars::prelude::*;

use super::core;
use crate::error::{Error, Result};
use crate::model::allocate::{allocate as solve, NamedProblem};

/// A text column (the Python layer has cast it and checked it has no null).
fn texts(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_owned())
        .collect())
}

/// A Float64 column (cast and checked for nulls by the Python layer).
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    Ok(df
        .column(name)?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

fn named(
    capacity: &DataFrame,
    demand: &DataFrame,
    unit_cost: &DataFrame,
    minutes_per_piece: Vec<(String, f64)>,
) -> Result<NamedProblem> {
    let zip2 = |a: Vec<String>, b: Vec<f64>| a.into_iter().zip(b).collect::<Vec<_>>();
    let capacity = zip2(
        texts(capacity, "workshop")?,
        numbers(capacity, "minutes_available")?,
    );
    let demand = texts(demand, "product")?
        .into_iter()
        .zip(texts(demand, "departement")?)
        .zip(numbers(demand, "pieces")?)
        .map(|((p, d), q)| (p, d, q))
        .collect();
    let unit_cost = texts(unit_cost, "workshop")?
        .into_iter()
        .zip(texts(unit_cost, "product")?)
        .zip(texts(unit_cost, "departement")?)
        .zip(numbers(unit_cost, "eur_per_piece")?)
        .map(|(((w, p), d), c)| (w, p, d, c))
        .collect();
    Ok(NamedProblem {
        capacity,
        demand,
        unit_cost,
        minutes_per_piece,
        ..NamedProblem::default()
    })
}

/// Solve the allocation LP; returns the tables and totals as a dict.
#[pyfunction]
#[pyo3(signature = (capacity, demand, unit_cost, minutes_per_piece, max_share=None, min_lot=None, unmet_penalty=1e6))]
#[allow(clippy::too_many_arguments)]
pub fn allocate<'py>(
    py: Python<'py>,
    capacity: PyDataFrame,
    demand: PyDataFrame,
    unit_cost: PyDataFrame,
    minutes_per_piece: Vec<(String, f64)>,
    max_share: Option<f64>,
    min_lot: Option<f64>,
    unmet_penalty: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (tables, totals) = core(py, || {
        let mut named = named(&capacity.0, &demand.0, &unit_cost.0, minutes_per_piece)?;
        named.max_share = max_share;
        named.min_lot = min_lot;
        named.unmet_penalty = unmet_penalty;
        let problem = named.index()?;
        let a = solve(&problem)?;
        let w = |i: usize| problem.workshops[i].as_str();
        let p = |i: usize| problem.products[i].as_str();
        let d = |i: usize| problem.departements[i].as_str();
        let allocation = df!(
            "workshop" => a.flows.iter().map(|f| w(f.workshop)).collect::<Vec<_>>(),
            "product" => a.flows.iter().map(|f| p(f.product)).collect::<Vec<_>>(),
            "departement" => a.flows.iter().map(|f| d(f.departement)).collect::<Vec<_>>(),
            "pieces" => a.flows.iter().map(|f| f.pieces).collect::<Vec<_>>(),
        )?;
        let unmet = df!(
            "product" => a.unmet.iter().map(|u| p(u.product)).collect::<Vec<_>>(),
            "departement" => a.unmet.iter().map(|u| d(u.departement)).collect::<Vec<_>>(),
            "pieces" => a.unmet.iter().map(|u| u.value).collect::<Vec<_>>(),
        )?;
        let n = problem.workshops.len();
        let cap = df!(
            "workshop" => problem.workshops.clone(),
            "minutes_available" => problem.minutes_available.clone(),
            "minutes_used" => a.minutes_used.clone(),
            "utilisation" => (0..n).map(|i| (problem.minutes_available[i] > 0.0).then(|| a.minutes_used[i] / problem.minutes_available[i])).collect::<Vec<_>>(),
            "pieces" => a.pieces_made.clone(),
            "shadow_eur_per_min" => a.capacity_shadow_eur_per_min.clone(),
            "share_shadow_eur_per_piece" => a.share_shadow_eur_per_piece.clone(),
        )?;
        let s = &a.demand_shadow_eur_per_piece;
        let demand_shadow = df!(
            "product" => s.iter().map(|u| p(u.product)).collect::<Vec<_>>(),
            "departement" => s.iter().map(|u| d(u.departement)).collect::<Vec<_>>(),
            "eur_per_piece" => s.iter().map(|u| u.value).collect::<Vec<_>>(),
        )?;
        Ok::<_, Error>((
            [
                ("allocation", allocation),
                ("unmet", unmet),
                ("capacity", cap),
                ("demand_shadow", demand_shadow),
            ],
            [
                ("objective_eur", a.objective_eur),
                ("production_cost_eur", a.production_cost_eur),
                ("unmet_penalty_eur", a.unmet_penalty_eur),
            ],
        ))
    })?;
    let out = PyDict::new(py);
    for (name, frame) in tables {
        out.set_item(name, PyDataFrame(frame))?;
    }
    for (name, value) in totals {
        out.set_item(name, value)?;
    }
    Ok(out)
}
