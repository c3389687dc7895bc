//! Running a study: demand → pro-rata split over workshops → cost and direct jobs, returned
//! as Polars DataFrames.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::economy::{self, IoModel, ModelType};
use crate::error::{Error, Result};
use crate::model::capacity::{capacity, pro_rata, Capacity};
use crate::model::cost::{piece_cost, PieceCost, WorkshopTerms};
use crate::model::demand::{demand, DemandRow};
use crate::model::employment::{fte, hiring_gap};
use crate::params::ModelParams;
use crate::study::Study;

/// Workshop id given to pieces no surveyed workshop can make: new capacity on default terms.
pub const NEW_CAPACITY: &str = "(new capacity)";

/// Branches of the bundled table that receive the programme's spending.
const TEXTILES: &str = "textiles_apparel";
const OTHER_MANUFACTURING: &str = "other_manufacturing";
const TRADE_TRANSPORT: &str = "trade_transport_hospitality";

/// The AURA economy: the bundled French table regionalised by FLQ with AURA employment.
struct RegionalEconomy {
    model: IoModel,
    textiles: usize,
    other_manufacturing: usize,
    trade_transport: usize,
}

impl RegionalEconomy {
    fn new(m: &ModelParams) -> Result<Self> {
        let national = economy::france_table()?;
        let regional = economy::aura_employment()?.regionalise(&national, m.flq_delta)?;
        let find = |name: &str| {
            regional
                .branch_index(name)
                .ok_or_else(|| Error::Internal(format!("bundled economy has no `{name}` branch")))
        };
        Ok(RegionalEconomy {
            textiles: find(TEXTILES)?,
            other_manufacturing: find(OTHER_MANUFACTURING)?,
            trade_transport: find(TRADE_TRANSPORT)?,
            model: regional.model()?,
        })
    }

    /// Regional final demand (EUR, before VAT) of buying `pieces` at cost `c`: making
    /// (labour, overhead, personalisation, margin) and the regional share of fabric go to
    /// textiles and apparel, the regional share of trims and packaging to other
    /// manufacturing, logistics to trade and transport; less displaced demand.
    fn shock(&self, pieces: f64, c: &PieceCost, m: &ModelParams, shock: &mut [f64]) {
        let keep = pieces * (1.0 - m.displacement_share);
        let making = c.labour_eur + c.overhead_eur + c.personalisation_eur + c.margin_eur;
        shock[self.textiles] += keep * (making + c.fabric_eur * m.materials_regional_share);
        shock[self.other_manufacturing] +=
            keep * (c.trims_eur + c.packaging_eur) * m.materials_regional_share;
        shock[self.trade_transport] += keep * c.logistics_eur;
    }

    /// Jobs (persons) of a shock, Type II: (direct, indirect, induced, total).
    fn jobs(&self, shock: &[f64]) -> Result<(f64, f64, f64, f64)> {
        let impact = self.model.impact(shock, ModelType::TypeII)?;
        let jobs = impact
            .jobs
            .ok_or_else(|| Error::Internal("bundled economy has no employment".into()))?;
        let t = jobs.totals();
        Ok((t.direct, t.indirect, t.induced, t.total))
    }
}

/// Everything a run computes, as tables.
#[derive(Debug, Clone)]
pub struct Results {
    /// Pieces by year, département, level and product.
    pub demand: DataFrame,
    /// Cost per piece by year and product, and per kit, with the breakdown.
    pub costs: DataFrame,
    /// Direct jobs and capacity by year and workshop.
    pub jobs: DataFrame,
    /// Direct jobs by year and département (of the workshops).
    pub jobs_by_departement: DataFrame,
    /// One row per year: the headline figures.
    pub summary: DataFrame,
}

/// One product's cost at each workshop that makes it, and the share it makes.
struct ProductPlan {
    id: String,
    kit_qty: f64,
    /// (workshop index or None for new capacity, share of pieces, cost per piece there)
    makers: Vec<(Option<usize>, f64, PieceCost)>,
    /// Pieces-weighted average cost.
    average: PieceCost,
}

fn plan_products(study: &Study, capacities: &[Capacity]) -> Vec<ProductPlan> {
    let m = study.params.model();
    study
        .scenario
        .kit
        .iter()
        .filter_map(|(id, &kit_qty)| {
            let product = study.catalog.iter().find(|p| &p.id == id)?;
            let shares = pro_rata(&study.workshops, capacities, id);
            let makers: Vec<(Option<usize>, f64, PieceCost)> = if shares.is_empty() {
                vec![(
                    None,
                    1.0,
                    piece_cost(product, &WorkshopTerms::of(None, &m), &m),
                )]
            } else {
                shares
                    .into_iter()
                    .map(|(i, share)| {
                        let terms = WorkshopTerms::of(Some(&study.workshops[i]), &m);
                        (Some(i), share, piece_cost(product, &terms, &m))
                    })
                    .collect()
            };
            let mut average = PieceCost::default();
            for (_, share, cost) in &makers {
                average.add_scaled(cost, *share);
            }
            Some(ProductPlan {
                id: id.clone(),
                kit_qty,
                makers,
                average,
            })
        })
        .collect()
}

fn demand_frame(rows: &[DemandRow]) -> Result<DataFrame> {
    Ok(df!(
        "year" => rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        "departement" => rows.iter().map(|r| r.departement.as_str()).collect::<Vec<_>>(),
        "level" => rows.iter().map(|r| r.level.as_str()).collect::<Vec<_>>(),
        "product" => rows.iter().map(|r| r.product.as_str()).collect::<Vec<_>>(),
        "pupils" => rows.iter().map(|r| r.pupils).collect::<Vec<_>>(),
        "kits" => rows.iter().map(|r| r.kits).collect::<Vec<_>>(),
        "pieces" => rows.iter().map(|r| r.pieces).collect::<Vec<_>>(),
    )?)
}

/// Columns of the cost breakdown, in EUR per unit (piece or kit).
const COST_COLUMNS: [&str; 13] = [
    "fabric_eur",
    "trims_eur",
    "packaging_eur",
    "materials_eur",
    "labour_eur",
    "overhead_eur",
    "personalisation_eur",
    "logistics_eur",
    "cost_eur",
    "margin_eur",
    "price_ht_eur",
    "vat_eur",
    "price_ttc_eur",
];

fn cost_values(c: &PieceCost) -> [f64; 13] {
    [
        c.fabric_eur,
        c.trims_eur,
        c.packaging_eur,
        c.materials_eur,
        c.labour_eur,
        c.overhead_eur,
        c.personalisation_eur,
        c.logistics_eur,
        c.cost_eur,
        c.margin_eur,
        c.price_ht_eur,
        c.vat_eur,
        c.price_ttc_eur,
    ]
}

/// Run the models on a study.
///
/// # Errors
/// [`crate::error::Error::Internal`] only if building a table fails (a bug).
pub fn run(study: &Study) -> Result<Results> {
    let m = study.params.model();
    let demand_rows = demand(&study.establishments, &study.scenario);
    let capacities: Vec<Capacity> = study.workshops.iter().map(|w| capacity(w, &m)).collect();
    let plans = plan_products(study, &capacities);
    let economy = RegionalEconomy::new(&m)?;
    let new_capacity = plans
        .iter()
        .any(|p| p.makers.iter().any(|(w, ..)| w.is_none()));
    let n_makers = study.workshops.len() + usize::from(new_capacity);

    let years = &study.scenario.years;
    let mut pieces_by_year_product: BTreeMap<(i32, &str), (f64, f64)> = BTreeMap::new();
    for r in &demand_rows {
        let e = pieces_by_year_product
            .entry((r.year, r.product.as_str()))
            .or_default();
        e.0 += r.pieces;
    }
    let mut kits_by_year: BTreeMap<i32, f64> = BTreeMap::new();
    for r in demand_rows
        .iter()
        .filter(|r| Some(&r.product) == study.scenario.kit.keys().next())
    {
        *kits_by_year.entry(r.year).or_default() += r.kits;
    }

    // Costs: per piece for each product, and per kit.
    let mut kit_cost = PieceCost::default();
    for p in &plans {
        kit_cost.add_scaled(&p.average, p.kit_qty);
    }
    let mut c_year = Vec::new();
    let mut c_product = Vec::new();
    let mut c_unit = Vec::new();
    let mut c_quantity = Vec::new();
    let mut c_minutes = Vec::new();
    let mut c_values: Vec<Vec<f64>> = vec![Vec::new(); COST_COLUMNS.len()];
    let mut c_total = Vec::new();
    for &year in years {
        for (plan, unit, quantity) in plans
            .iter()
            .map(|p| {
                let q = pieces_by_year_product
                    .get(&(year, p.id.as_str()))
                    .map_or(0.0, |v| v.0);
                (&p.average, (p.id.as_str(), "piece"), q)
            })
            .chain(std::iter::once((
                &kit_cost,
                ("kit", "kit"),
                kits_by_year.get(&year).copied().unwrap_or(0.0),
            )))
        {
            c_year.push(year);
            c_product.push(unit.0.to_owned());
            c_unit.push(unit.1);
            c_quantity.push(quantity);
            c_minutes.push(plan.labour_minutes());
            for (k, v) in cost_values(plan).into_iter().enumerate() {
                c_values[k].push(v);
            }
            c_total.push(quantity * plan.price_ttc_eur);
        }
    }
    let mut cost_columns = vec![
        Column::new("year".into(), c_year),
        Column::new("product".into(), c_product),
        Column::new("unit".into(), c_unit),
        Column::new("quantity".into(), c_quantity),
        Column::new("labour_minutes".into(), c_minutes),
    ];
    for (name, values) in COST_COLUMNS.iter().zip(c_values) {
        cost_columns.push(Column::new((*name).into(), values));
    }
    cost_columns.push(Column::new("total_ttc_eur".into(), c_total));
    let costs = DataFrame::new_infer_height(cost_columns)?;

    // Jobs: pieces and labour hours of each workshop, each year.
    let mut j_year = Vec::new();
    let mut j_id: Vec<&str> = Vec::new();
    let mut j_dep: Vec<Option<&str>> = Vec::new();
    let mut j_pieces = Vec::new();
    let mut j_hours = Vec::new();
    let mut j_fte = Vec::new();
    let mut j_offered = Vec::new();
    let mut j_gap = Vec::new();
    let mut j_capacity = Vec::new();
    let mut j_util: Vec<Option<f64>> = Vec::new();
    let mut summary_rows = Vec::new();
    let mut io_rows: Vec<(f64, (f64, f64, f64, f64))> = Vec::new();
    for &year in years {
        let mut pieces = vec![0.0; n_makers];
        let mut minutes = vec![0.0; n_makers];
        let mut budget_ttc = 0.0;
        let mut budget_ht = 0.0;
        let mut fabric_m = 0.0;
        let mut total_pieces = 0.0;
        let mut shock = vec![0.0; economy.model.n()];
        for p in &plans {
            let q = pieces_by_year_product
                .get(&(year, p.id.as_str()))
                .map_or(0.0, |v| v.0);
            total_pieces += q;
            economy.shock(q, &p.average, &m, &mut shock);
            budget_ttc += q * p.average.price_ttc_eur;
            budget_ht += q * p.average.price_ht_eur;
            fabric_m += q * p.average.fabric_m;
            for (w, share, cost) in &p.makers {
                let i = w.unwrap_or(n_makers - 1);
                pieces[i] += q * share;
                minutes[i] += q * share * cost.labour_minutes();
            }
        }
        let (mut t_hours, mut t_fte, mut t_offered, mut t_gap, mut t_cap) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n_makers {
            let (id, dep, cap) = match study.workshops.get(i) {
                Some(w) => (
                    w.id.as_str(),
                    Some(w.departement.as_str()),
                    Some(capacities[i]),
                ),
                None => (NEW_CAPACITY, None, None),
            };
            let hours = minutes[i] / 60.0;
            let needed = fte(hours, &m);
            let offered = cap.map_or(0.0, |c| c.offered_fte);
            let cap_minutes = cap.map_or(0.0, |c| c.minutes_per_year);
            let gap = hiring_gap(needed, offered);
            j_year.push(year);
            j_id.push(id);
            j_dep.push(dep);
            j_pieces.push(pieces[i]);
            j_hours.push(hours);
            j_fte.push(needed);
            j_offered.push(offered);
            j_gap.push(gap);
            j_capacity.push(cap_minutes);
            j_util.push((cap_minutes > 0.0).then(|| minutes[i] / cap_minutes));
            t_hours += hours;
            t_fte += needed;
            t_offered += offered;
            t_gap += gap;
            t_cap += cap_minutes;
        }
        let kits = kits_by_year.get(&year).copied().unwrap_or(0.0);
        let regional_demand: f64 = shock.iter().sum();
        io_rows.push((regional_demand, economy.jobs(&shock)?));
        summary_rows.push((
            year,
            kits,
            total_pieces,
            budget_ttc,
            budget_ht,
            fabric_m,
            t_hours,
            t_fte,
            t_offered,
            t_gap,
            t_cap,
        ));
    }
    let jobs = df!(
        "year" => j_year,
        "workshop_id" => j_id,
        "departement" => j_dep,
        "pieces" => j_pieces,
        "labour_hours" => j_hours,
        "fte" => j_fte,
        "offered_fte" => j_offered,
        "hiring_gap_fte" => j_gap,
        "capacity_minutes" => j_capacity,
        "utilisation" => j_util,
    )?;
    let jobs_by_departement = jobs
        .clone()
        .lazy()
        .group_by([col("year"), col("departement")])
        .agg([
            col("workshop_id").count().alias("workshops"),
            col("pieces").sum(),
            col("labour_hours").sum(),
            col("fte").sum(),
            col("offered_fte").sum(),
            col("hiring_gap_fte").sum(),
        ])
        .sort(
            ["year", "departement"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;

    let s = &summary_rows;
    let per_kit = kit_cost.price_ttc_eur;
    let summary = df!(
        "year" => s.iter().map(|r| r.0).collect::<Vec<_>>(),
        "kits" => s.iter().map(|r| r.1).collect::<Vec<_>>(),
        "pieces" => s.iter().map(|r| r.2).collect::<Vec<_>>(),
        "budget_eur" => s.iter().map(|r| r.3).collect::<Vec<_>>(),
        "budget_ht_eur" => s.iter().map(|r| r.4).collect::<Vec<_>>(),
        "cost_per_kit_eur" => s.iter().map(|_| per_kit).collect::<Vec<_>>(),
        "cost_per_piece_eur" => s.iter().map(|r| if r.2 > 0.0 { r.3 / r.2 } else { 0.0 }).collect::<Vec<_>>(),
        "fabric_m" => s.iter().map(|r| r.5).collect::<Vec<_>>(),
        "labour_hours" => s.iter().map(|r| r.6).collect::<Vec<_>>(),
        "direct_fte" => s.iter().map(|r| r.7).collect::<Vec<_>>(),
        "offered_fte" => s.iter().map(|r| r.8).collect::<Vec<_>>(),
        "hiring_gap_fte" => s.iter().map(|r| r.9).collect::<Vec<_>>(),
        "utilisation" => s.iter().map(|r| if r.10 > 0.0 { r.6 * 60.0 / r.10 } else { 0.0 }).collect::<Vec<_>>(),
        "fte_per_meur" => s.iter().map(|r| if r.3 > 0.0 { r.7 / (r.3 / 1e6) } else { 0.0 }).collect::<Vec<_>>(),
        "regional_demand_eur" => io_rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "jobs_direct" => io_rows.iter().map(|r| r.1.0).collect::<Vec<_>>(),
        "jobs_indirect" => io_rows.iter().map(|r| r.1.1).collect::<Vec<_>>(),
        "jobs_induced" => io_rows.iter().map(|r| r.1.2).collect::<Vec<_>>(),
        "jobs_total" => io_rows.iter().map(|r| r.1.3).collect::<Vec<_>>(),
    )?;
    Ok(Results {
        demand: demand_frame(&demand_rows)?,
        costs,
        jobs,
        jobs_by_departement,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col_f64(df: &DataFrame, name: &str) -> Vec<f64> {
        df.column(name)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    #[test]
    fn pilot_makes_exactly_15000_pieces() {
        let r = run(&Study::example("aura-pilot").unwrap()).unwrap();
        assert_eq!(col_f64(&r.summary, "pieces"), vec![15_000.0]);
        assert_eq!(col_f64(&r.summary, "kits"), vec![3_000.0]);
        // Validation case 6 (France 3, Henitex order): 15,000 pieces need about 16,000 m of
        // fabric, about 160 kEUR at 10 EUR/m.
        let fabric = col_f64(&r.summary, "fabric_m")[0];
        assert!((fabric - 16_000.0).abs() / 16_000.0 < 0.01, "{fabric}");
    }

    #[test]
    fn full_rollout_gives_7_5_million_pieces_and_published_job_range() {
        let r = run(&Study::example("aura").unwrap()).unwrap();
        let pieces = col_f64(&r.summary, "pieces");
        let full = *pieces.last().unwrap();
        // Validation case 2 (Techtera): 1.5 M pupils × 5 pieces = 7.5 M pieces a year.
        assert!((full - 7.5e6).abs() / 7.5e6 < 0.01, "{full}");
        // Validation case 4: direct FTE within the published 2,500-3,500.
        let fte = *col_f64(&r.summary, "direct_fte").last().unwrap();
        assert!((2_500.0..=3_500.0).contains(&fte), "{fte}");
        // Jobs by workshop add up to the summary.
        let by_workshop: f64 = r
            .jobs
            .clone()
            .lazy()
            .filter(col("year").eq(lit(2029)))
            .collect()
            .unwrap()
            .column("fte")
            .unwrap()
            .f64()
            .unwrap()
            .sum()
            .unwrap();
        assert!((by_workshop - fte).abs() < 1e-6);
    }

    #[test]
    fn kit_cost_is_three_polos_and_two_sweatshirts() {
        let r = run(&Study::example("aura-pilot").unwrap()).unwrap();
        let price = col_f64(&r.costs, "price_ttc_eur");
        let product: Vec<String> = r
            .costs
            .column("product")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect();
        let of = |p: &str| price[product.iter().position(|x| x == p).unwrap()];
        assert!((of("kit") - (3.0 * of("polo") + 2.0 * of("sweatshirt"))).abs() < 1e-9);
        // The components add up to the full cost.
        let sum: f64 = [
            "materials_eur",
            "labour_eur",
            "overhead_eur",
            "personalisation_eur",
            "logistics_eur",
        ]
        .iter()
        .map(|c| col_f64(&r.costs, c)[0])
        .sum();
        assert!((sum - col_f64(&r.costs, "cost_eur")[0]).abs() < 1e-9);
    }

    #[test]
    fn more_efficiency_means_fewer_jobs() {
        let s = Study::example("aura-pilot").unwrap();
        let base = col_f64(&run(&s).unwrap().summary, "direct_fte")[0];
        let s2 = s.with_params([("line_efficiency", 0.65)]).unwrap();
        // Only workshops without their own efficiency use the parameter.
        let faster = col_f64(&run(&s2).unwrap().summary, "direct_fte")[0];
        assert!(faster <= base);
    }
}
