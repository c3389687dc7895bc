//! Running a study: demand → allocation, hiring and schedule ([`programme::plan`]) →
//! costs, budget, jobs and lateness ([`crate::headline`]), returned as Polars DataFrames.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use polars::prelude::*;

use crate::data::tables::{Establishment, Product};
use crate::economy::regional::RegionalEconomy;
use crate::error::{Error, Result};
use crate::headline::{year_figures, Balance, Headline, Lateness, YearFigures};
use crate::model::capacity::{capacity, Capacity};
use crate::model::cost::PieceCost;
use crate::model::demand::{demand, DemandRow};
use crate::model::employment::{fte, hiring_gap};
use crate::model::programme::{self, Source, WorkshopYear, YearPlan};
use crate::model::schedule::ScheduleResult;
use crate::params::Params;
use crate::study::Study;

pub use crate::model::programme::{IMPORT, LATE, NEW_CAPACITY};

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
    /// Input–output jobs by year and A38 branch: the regional demand each branch receives
    /// and the direct, indirect and induced jobs (Type II) in it; sums to the summary's
    /// `jobs_*`.
    pub jobs_by_branch: DataFrame,
    /// One row per year: the headline figures.
    pub summary: DataFrame,
    /// One row per year: jobs net of displacement, the premium over importing the same
    /// kits, the public revenue and benefits avoided, the net public cost per net job and
    /// the carbon of making against importing ([`crate::headline::Balance`]).
    pub balance: DataFrame,
    /// Pieces each workshop makes for each school département, by year and product.
    pub allocation: DataFrame,
    /// Programme operators, capacity before the deadline, use and shadow price, by year and
    /// workshop.
    pub capacity: DataFrame,
    /// Milestones of each workshop's production, by year.
    pub schedule: DataFrame,
    /// Demand no source can deliver in time, and the marginal cost of each demand row, by
    /// year, product and département.
    pub unmet: DataFrame,
    /// Where the pieces come from: by year, product, school département and source
    /// (`surveyed`, `new_regional`, `imported`), the pieces and what the Région pays for
    /// them (VAT included); sums to the summary's pieces and budget.
    pub sourcing: DataFrame,
    /// The headline figures of each year, as the Monte Carlo reports them per draw.
    pub headline: Vec<Headline>,
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
const COST_COLUMNS: [&str; 14] = [
    "fabric_eur",
    "trims_eur",
    "packaging_eur",
    "materials_eur",
    "labour_eur",
    "overhead_eur",
    "personalisation_eur",
    "logistics_eur",
    "imported_eur",
    "cost_eur",
    "margin_eur",
    "price_ht_eur",
    "vat_eur",
    "price_ttc_eur",
];

fn cost_values(c: &PieceCost) -> [f64; 14] {
    [
        c.fabric_eur,
        c.trims_eur,
        c.packaging_eur,
        c.materials_eur,
        c.labour_eur,
        c.overhead_eur,
        c.personalisation_eur,
        c.logistics_eur,
        c.imported_eur,
        c.cost_eur,
        c.margin_eur,
        c.price_ht_eur,
        c.vat_eur,
        c.price_ttc_eur,
    ]
}

/// Days since 1970-01-01, the physical value of a Polars `Date`.
fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

fn date_column(name: &str, days: Vec<Option<i32>>) -> Result<Column> {
    Ok(Column::new(name.into(), days).cast(&DataType::Date)?)
}

/// The kit's products, from the catalog, with their quantity per kit.
///
/// # Errors
/// [`Error::Internal`] for a kit product missing from the catalog (the study's validation
/// refuses it, so a bug).
pub(crate) fn kit_products(study: &Study) -> Result<Vec<(&Product, f64)>> {
    study
        .scenario
        .kit
        .iter()
        .map(|(id, q)| {
            let p =
                study.catalog.iter().find(|p| &p.id == id).ok_or_else(|| {
                    Error::Internal(format!("kit product `{id}` not in the catalog"))
                })?;
            Ok((p, *q))
        })
        .collect()
}

/// Run the models on a study.
///
/// # Errors
/// [`Error::Parameter`] for timing parameters or years the calendar cannot handle;
/// [`Error::Study`] if the allocation fails; [`Error::Internal`] only if building a table
/// fails (a bug).
pub fn run(study: &Study) -> Result<Results> {
    compute(study, true)?
        .1
        .ok_or_else(|| Error::Internal("a run without its tables".into()))
}

/// The headline figures of a run, without building its tables: what an exact Monte Carlo
/// draw needs. The same computation as [`run`], which returns them as `Results::headline`.
///
/// # Errors
/// As [`run`].
pub fn headline(study: &Study) -> Result<Vec<Headline>> {
    Ok(compute(study, false)?.0)
}

/// [`headline`] of `study` with other parameters and catalog, without copying its
/// establishments (what an exact Monte Carlo draw runs).
///
/// # Errors
/// As [`run`].
pub fn headline_with(
    study: &Study,
    params: Params,
    catalog: Vec<Product>,
) -> Result<Vec<Headline>> {
    let view = Study {
        params,
        catalog,
        ..light(study)
    };
    Ok(compute_on(&view, &study.establishments, false)?.0)
}

/// `study` without its establishments (the big table), for the models to see.
fn light(study: &Study) -> Study {
    Study {
        name: study.name.clone(),
        description: String::new(),
        sources: BTreeMap::new(),
        workshops: study.workshops.clone(),
        establishments: Vec::new(),
        catalog: study.catalog.clone(),
        params: study.params.clone(),
        scenario: study.scenario.clone(),
        file: None,
    }
}

/// The headline figures, and with `frames` every table.
fn compute(study: &Study, frames: bool) -> Result<(Vec<Headline>, Option<Results>)> {
    compute_on(&light(study), &study.establishments, frames)
}

fn compute_on(
    study: &Study,
    establishments: &[Establishment],
    frames: bool,
) -> Result<(Vec<Headline>, Option<Results>)> {
    // The workshops that answered, and with extrapolation the estimated non-respondents.
    let (workshops, coverage) = crate::survey::modelled_workshops(study);
    let study = &Study {
        workshops,
        ..light(study)
    };
    let m = study.params.model();
    let demand_rows = demand(establishments, &study.scenario);
    let capacities: Vec<Capacity> = study.workshops.iter().map(|w| capacity(w, &m)).collect();
    let years = &study.scenario.years;
    let plans = programme::plan(
        &study.workshops,
        &study.catalog,
        &demand_rows,
        years,
        &m,
        study.scenario.local_content_min,
    )?;
    let plan_of = |year: i32| plans.iter().find(|p| p.year == year);
    let economy = RegionalEconomy::new(&m)?;
    let new_capacity = plans
        .iter()
        .any(|p| p.new_capacity_operators > 0 || p.unmet_pieces() > 0.0);
    let n_makers = study.workshops.len() + usize::from(new_capacity);
    // The row of the jobs table a source's labour goes to (`None`: imports, no labour here).
    let maker = |s: Source| match s {
        Source::Workshop(i) | Source::Hires(i) => Some(i),
        Source::NewCapacity | Source::NewRecruits | Source::Late => Some(n_makers - 1),
        Source::Import => None,
    };
    let kit = kit_products(study)?;
    // Cost of a piece of each kit product from each source.
    let mut unit: BTreeMap<(Source, usize), PieceCost> = BTreeMap::new();
    let mut unit_cost = |s: Source, k: usize| {
        *unit.entry((s, k)).or_insert_with(|| {
            s.piece_cost(kit[k].0, &study.workshops, &m)
                .unwrap_or_default()
        })
    };

    let mut pieces_by_year: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    let mut kits_by_year: BTreeMap<i32, f64> = BTreeMap::new();
    for r in &demand_rows {
        if let Some(k) = kit.iter().position(|(p, _)| p.id == r.product) {
            pieces_by_year
                .entry(r.year)
                .or_insert_with(|| vec![0.0; kit.len()])[k] += r.pieces;
            if k == 0 {
                *kits_by_year.entry(r.year).or_default() += r.kits;
            }
        }
    }

    // The headline figures of each year, and the labour of each maker.
    let mut figures: Vec<YearFigures> = Vec::with_capacity(years.len());
    let mut minutes_by_year: Vec<Vec<f64>> = Vec::with_capacity(years.len());
    // (year, product, département, source kind) → (pieces, EUR paid VAT included).
    let mut sourcing: BTreeMap<(i32, String, String, &str), (f64, f64)> = BTreeMap::new();
    for &year in years {
        let mut made = Vec::new();
        let mut minutes = vec![0.0; n_makers];
        for f in plan_of(year).map_or(&[][..], |p| &p.flows[..]) {
            let Some(k) = kit.iter().position(|(p, _)| p.id == f.product) else {
                continue;
            };
            let c = unit_cost(f.source, k);
            if frames {
                let entry = sourcing
                    .entry((
                        year,
                        f.product.clone(),
                        f.departement.clone(),
                        f.source.kind(),
                    ))
                    .or_default();
                entry.0 += f.pieces;
                entry.1 += f.pieces * c.price_ttc_eur;
            }
            if let Some(i) = maker(f.source) {
                minutes[i] += f.pieces * c.labour_minutes();
            }
            made.push((k, c, f.pieces));
        }
        let pieces = pieces_by_year
            .get(&year)
            .cloned()
            .unwrap_or_else(|| vec![0.0; kit.len()]);
        figures.push(year_figures(&kit, &pieces, &made, &m, &economy)?);
        minutes_by_year.push(minutes);
    }
    let headline: Vec<Headline> = years
        .iter()
        .zip(&figures)
        .map(|(&year, f)| {
            let (lateness, hiring) = match plan_of(year) {
                Some(p) => (
                    Lateness::new(p.on_time, p.order_date, p.deadline, p.delivered),
                    f64::from(p.hiring_needed_for_deadline()),
                ),
                None => (
                    Lateness {
                        on_time: true,
                        makespan_days: None,
                        late_days: Some(0),
                    },
                    0.0,
                ),
            };
            let sourcing = plan_of(year).map(YearPlan::sourcing).unwrap_or_default();
            Headline::new(year, f, lateness, hiring, sourcing)
        })
        .collect();
    if !frames {
        return Ok((headline, None));
    }

    // Costs: per piece for each product, and per kit, each year.
    let mut c_year = Vec::new();
    let mut c_product = Vec::new();
    let mut c_unit = Vec::new();
    let mut c_quantity = Vec::new();
    let mut c_minutes = Vec::new();
    let mut c_values: Vec<Vec<f64>> = vec![Vec::new(); COST_COLUMNS.len()];
    let mut c_total = Vec::new();
    for (&year, f) in years.iter().zip(&figures) {
        let pieces = pieces_by_year.get(&year);
        let mut lines: Vec<(&PieceCost, &str, &str, f64)> = kit
            .iter()
            .enumerate()
            .map(|(k, (p, _))| {
                let q = pieces.map_or(0.0, |v| v[k]);
                (&f.average[k], p.id.as_str(), "piece", q)
            })
            .collect();
        let kits = kits_by_year.get(&year).copied().unwrap_or(0.0);
        lines.push((&f.kit_cost, "kit", "kit", kits));
        for (cost, product, unit_name, quantity) in lines {
            c_year.push(year);
            c_product.push(product.to_owned());
            c_unit.push(unit_name);
            c_quantity.push(quantity);
            c_minutes.push(cost.labour_minutes());
            for (k, v) in cost_values(cost).into_iter().enumerate() {
                c_values[k].push(v);
            }
            c_total.push(quantity * cost.price_ttc_eur);
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
    // (offered FTE, hiring gap FTE, capacity minutes) of each year.
    let mut totals: Vec<(f64, f64, f64)> = Vec::with_capacity(years.len());
    for (&year, minutes) in years.iter().zip(&minutes_by_year) {
        let mut pieces = vec![0.0; n_makers];
        for f in plan_of(year).map_or(&[][..], |p| &p.flows[..]) {
            if let Some(i) = maker(f.source) {
                pieces[i] += f.pieces;
            }
        }
        let (mut t_offered, mut t_gap, mut t_cap) = (0.0, 0.0, 0.0);
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
            t_offered += offered;
            t_gap += gap;
            t_cap += cap_minutes;
        }
        totals.push((t_offered, t_gap, t_cap));
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
    let summary = summary_frame(years, &figures, &headline, &totals, &kits_by_year, &plans)?;
    let summary = crate::survey::with_coverage(summary, &coverage)?;
    let jobs_by_branch = jobs_by_branch_frame(years, &figures, &economy)?;
    Ok((
        headline.clone(),
        Some(Results {
            balance: balance_frame(years, &figures)?,
            jobs_by_branch,
            demand: demand_frame(&demand_rows)?,
            costs,
            jobs,
            jobs_by_departement,
            summary,
            allocation: allocation_frame(study, &plans)?,
            capacity: capacity_frame(&plans)?,
            schedule: schedule_frame(&plans)?,
            unmet: unmet_frame(&plans)?,
            sourcing: df!(
                "year" => sourcing.keys().map(|k| k.0).collect::<Vec<_>>(),
                "product" => sourcing.keys().map(|k| k.1.as_str()).collect::<Vec<_>>(),
                "departement" => sourcing.keys().map(|k| k.2.as_str()).collect::<Vec<_>>(),
                "source" => sourcing.keys().map(|k| k.3).collect::<Vec<_>>(),
                "pieces" => sourcing.values().map(|v| v.0).collect::<Vec<_>>(),
                "price_ttc_eur" => sourcing.values().map(|v| v.1).collect::<Vec<_>>(),
            )?,
            headline,
        }),
    ))
}

/// Input–output jobs by year and A38 branch, from the same figures as the summary.
fn jobs_by_branch_frame(
    years: &[i32],
    figures: &[YearFigures],
    economy: &RegionalEconomy,
) -> Result<DataFrame> {
    let branches = economy.branches();
    let n = branches.len();
    let rows = years.len() * n;
    let (mut year, mut branch, mut name) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let (mut demand, mut direct, mut indirect, mut induced, mut total) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for (&y, f) in years.iter().zip(figures) {
        for (i, code) in branches.iter().enumerate() {
            year.push(y);
            branch.push(code.clone());
            name.push(crate::economy::france::branch_name(code).unwrap_or_default());
            demand.push(f.shock[i]);
            direct.push(f.io_by_branch.direct[i]);
            indirect.push(f.io_by_branch.indirect[i]);
            induced.push(f.io_by_branch.induced[i]);
            total.push(f.io_by_branch.total[i]);
        }
    }
    Ok(df!(
        "year" => year,
        "branch" => branch,
        "branch_name" => name,
        "regional_demand_eur" => demand,
        "jobs_direct" => direct,
        "jobs_indirect" => indirect,
        "jobs_induced" => induced,
        "jobs_total" => total,
    )?)
}

/// One row per year: the headline figures.
/// Columns of the balance table, after `year`, each a field of [`Balance`].
pub const BALANCE_COLUMNS: [&str; 20] = [
    "jobs_gross",
    "jobs_displaced",
    "jobs_net",
    "programme_cost_eur",
    "import_baseline_cost_eur",
    "premium_eur",
    "gross_wages_eur",
    "social_contributions_eur",
    "csg_crds_eur",
    "income_tax_eur",
    "vat_on_premium_eur",
    "public_revenue_eur",
    "benefits_avoided_eur",
    "net_public_cost_eur",
    "net_cost_per_job_eur",
    "region_cost_per_job_eur",
    "co2e_local_t",
    "co2e_import_t",
    "co2e_avoided_t",
    "co2e_per_piece_avoided_kg",
];

/// The [`BALANCE_COLUMNS`] of a year's balance, in order (`pieces` for the last one).
fn balance_values(b: &Balance, pieces: f64) -> [f64; BALANCE_COLUMNS.len()] {
    [
        b.jobs_gross,
        b.jobs_displaced,
        b.jobs_net,
        b.programme_cost_eur,
        b.import_baseline_cost_eur,
        b.premium_eur,
        b.gross_wages_eur,
        b.social_contributions_eur,
        b.csg_crds_eur,
        b.income_tax_eur,
        b.vat_on_premium_eur,
        b.public_revenue_eur,
        b.benefits_avoided_eur,
        b.net_public_cost_eur,
        b.net_cost_per_job_eur,
        b.region_cost_per_job_eur,
        b.co2e_local_t,
        b.co2e_import_t,
        b.co2e_avoided_t,
        if pieces > 0.0 {
            b.co2e_avoided_t * 1000.0 / pieces
        } else {
            f64::NAN
        },
    ]
}

fn balance_frame(years: &[i32], figures: &[YearFigures]) -> Result<DataFrame> {
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(years.len()); BALANCE_COLUMNS.len()];
    for f in figures {
        for (k, v) in balance_values(&f.balance, f.pieces).into_iter().enumerate() {
            values[k].push(v);
        }
    }
    let mut columns = vec![Column::new("year".into(), years.to_vec())];
    for (name, v) in BALANCE_COLUMNS.iter().zip(values) {
        columns.push(Column::new((*name).into(), v));
    }
    Ok(DataFrame::new_infer_height(columns)?)
}

fn summary_frame(
    years: &[i32],
    figures: &[YearFigures],
    headline: &[Headline],
    totals: &[(f64, f64, f64)],
    kits_by_year: &BTreeMap<i32, f64>,
    plans: &[YearPlan],
) -> Result<DataFrame> {
    let plan_of = |year: i32| plans.iter().find(|p| p.year == year);
    let f = figures;
    let h = headline;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let plan_count = |pick: fn(&YearPlan) -> u32| -> Vec<i64> {
        years
            .iter()
            .map(|&y| plan_of(y).map_or(0, |p| i64::from(pick(p))))
            .collect()
    };
    let mut summary = df!(
        "year" => years,
        "kits" => years.iter().map(|y| kits_by_year.get(y).copied().unwrap_or(0.0)).collect::<Vec<_>>(),
        "pieces" => f.iter().map(|f| f.pieces).collect::<Vec<_>>(),
        "budget_eur" => f.iter().map(|f| f.budget_ttc_eur).collect::<Vec<_>>(),
        "budget_ht_eur" => f.iter().map(|f| f.budget_ht_eur).collect::<Vec<_>>(),
        "cost_per_kit_eur" => f.iter().map(|f| f.kit_cost.price_ttc_eur).collect::<Vec<_>>(),
        "cost_per_piece_eur" => f.iter().map(|f| ratio(f.budget_ttc_eur, f.pieces)).collect::<Vec<_>>(),
        "fabric_m" => f.iter().map(|f| f.fabric_m).collect::<Vec<_>>(),
        "labour_hours" => f.iter().map(|f| f.labour_minutes / 60.0).collect::<Vec<_>>(),
        "direct_fte" => f.iter().map(|f| f.direct_fte).collect::<Vec<_>>(),
        "offered_fte" => totals.iter().map(|t| t.0).collect::<Vec<_>>(),
        "hiring_gap_fte" => totals.iter().map(|t| t.1).collect::<Vec<_>>(),
        "utilisation" => f.iter().zip(totals).map(|(f, t)| ratio(f.labour_minutes, t.2)).collect::<Vec<_>>(),
        "fte_per_meur" => f.iter().map(|f| ratio(f.direct_fte, f.budget_ttc_eur / 1e6)).collect::<Vec<_>>(),
        "regional_demand_eur" => f.iter().map(|f| f.regional_demand_eur).collect::<Vec<_>>(),
        "jobs_direct" => f.iter().map(|f| f.io.direct).collect::<Vec<_>>(),
        "jobs_indirect" => f.iter().map(|f| f.io.indirect).collect::<Vec<_>>(),
        "jobs_induced" => f.iter().map(|f| f.io.induced).collect::<Vec<_>>(),
        "jobs_total" => f.iter().map(|f| f.io.total).collect::<Vec<_>>(),
        "jobs_gross" => h.iter().map(|h| h.jobs_gross).collect::<Vec<_>>(),
        "unmet_pieces" => h.iter().map(|h| h.sourcing.late).collect::<Vec<_>>(),
        "on_time" => h.iter().map(|h| h.lateness.on_time).collect::<Vec<_>>(),
        "makespan_days" => h.iter().map(|h| h.lateness.makespan_days).collect::<Vec<_>>(),
        "late_days" => h.iter().map(|h| h.lateness.late_days).collect::<Vec<_>>(),
        "operators_hired" => plan_count(YearPlan::hired),
        "trainees_working" => plan_count(|p| p.workshops.iter().map(|w| w.trainees).sum()),
        "new_capacity_operators" => plan_count(|p| p.new_capacity_operators),
        "new_capacity_hired" => plan_count(|p| p.new_capacity_hired),
        "pieces_surveyed" => h.iter().map(|h| h.sourcing.surveyed).collect::<Vec<_>>(),
        "pieces_new_regional" => h.iter().map(|h| h.sourcing.new_regional).collect::<Vec<_>>(),
        "pieces_imported" => h.iter().map(|h| h.sourcing.imported).collect::<Vec<_>>(),
        "local_content_share" => h.iter().map(|h| h.sourcing.local_content_share()).collect::<Vec<_>>(),
        "hiring_needed_for_deadline" => plan_count(YearPlan::hiring_needed_for_deadline),
    )?;
    for (name, pick) in [
        (
            "order_date",
            (|p: &YearPlan| Some(p.order_date)) as fn(&YearPlan) -> Option<NaiveDate>,
        ),
        ("deadline", |p: &YearPlan| Some(p.deadline)),
        ("delivered", |p: &YearPlan| p.delivered),
    ] {
        let days = years
            .iter()
            .map(|&y| plan_of(y).and_then(pick).map(epoch_days))
            .collect();
        summary.with_column(date_column(name, days)?)?;
    }
    Ok(summary)
}

fn allocation_frame(study: &Study, plans: &[YearPlan]) -> Result<DataFrame> {
    let rows = plans
        .iter()
        .flat_map(|p| p.flows.iter().map(move |f| (p.year, f)));
    let (mut year, mut id, mut wdep, mut product, mut dep, mut pieces, mut eur) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for (y, f) in rows {
        year.push(y);
        let w = f.source.workshop().map(|i| &study.workshops[i]);
        id.push(w.map_or(
            match f.source {
                Source::Import => IMPORT,
                Source::Late => LATE,
                _ => NEW_CAPACITY,
            },
            |w| w.id.as_str(),
        ));
        wdep.push(w.map(|w| w.departement.as_str()));
        product.push(f.product.as_str());
        dep.push(f.departement.as_str());
        pieces.push(f.pieces);
        eur.push(f.eur_per_piece);
    }
    Ok(df!(
        "year" => year,
        "workshop_id" => id,
        "workshop_departement" => wdep,
        "product" => product,
        "departement" => dep,
        "pieces" => pieces,
        "eur_per_piece" => eur,
    )?)
}

fn capacity_frame(plans: &[YearPlan]) -> Result<DataFrame> {
    let rows: Vec<(i32, &WorkshopYear)> = plans
        .iter()
        .flat_map(|p| p.workshops.iter().map(move |w| (p.year, w)))
        .collect();
    Ok(df!(
        "year" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "workshop_id" => rows.iter().map(|r| r.1.workshop.as_str()).collect::<Vec<_>>(),
        "departement" => rows.iter().map(|r| r.1.departement.as_deref()).collect::<Vec<_>>(),
        "operators" => rows.iter().map(|r| r.1.operators).collect::<Vec<_>>(),
        "offered_fte" => rows.iter().map(|r| r.1.offered).collect::<Vec<_>>(),
        "hired" => rows.iter().map(|r| i64::from(r.1.hired)).collect::<Vec<_>>(),
        "hired_total" => rows.iter().map(|r| i64::from(r.1.hired_total)).collect::<Vec<_>>(),
        "trainees" => rows.iter().map(|r| i64::from(r.1.trainees)).collect::<Vec<_>>(),
        "pieces" => rows.iter().map(|r| r.1.pieces).collect::<Vec<_>>(),
        "minutes_available" => rows.iter().map(|r| r.1.minutes_available).collect::<Vec<_>>(),
        "minutes_used" => rows.iter().map(|r| r.1.minutes_used).collect::<Vec<_>>(),
        "utilisation" => rows.iter().map(|r| (r.1.minutes_available > 0.0).then(|| r.1.minutes_used / r.1.minutes_available)).collect::<Vec<_>>(),
        "shadow_eur_per_min" => rows.iter().map(|r| r.1.shadow_eur_per_min).collect::<Vec<_>>(),
    )?)
}

fn schedule_frame(plans: &[YearPlan]) -> Result<DataFrame> {
    let rows: Vec<(i32, &ScheduleResult)> = plans
        .iter()
        .flat_map(|p| {
            p.workshops
                .iter()
                .filter_map(move |w| w.schedule.as_ref().map(|s| (p.year, s)))
        })
        .collect();
    let mut df = df!(
        "year" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "workshop_id" => rows.iter().map(|r| r.1.workshop.as_str()).collect::<Vec<_>>(),
        "pieces" => rows.iter().map(|r| r.1.pieces).collect::<Vec<_>>(),
        "operators" => rows.iter().map(|r| r.1.operators).collect::<Vec<_>>(),
        "working_days" => rows.iter().map(|r| i64::from(r.1.working_days)).collect::<Vec<_>>(),
        "production_days" => rows.iter().map(|r| r.1.production_days_exact).collect::<Vec<_>>(),
        "on_time" => rows.iter().map(|r| r.1.on_time).collect::<Vec<_>>(),
        "margin_days" => rows.iter().map(|r| r.1.margin_days).collect::<Vec<_>>(),
    )?;
    type Pick = fn(&ScheduleResult) -> NaiveDate;
    let dates: [(&str, Pick); 7] = [
        ("order_date", |s| s.order_date),
        ("material_ready", |s| s.material_ready),
        ("start", |s| s.start),
        ("finish", |s| s.finish),
        ("personalised", |s| s.personalised),
        ("delivered", |s| s.delivered),
        ("deadline", |s| s.deadline),
    ];
    for (name, pick) in dates {
        let days = rows.iter().map(|r| Some(epoch_days(pick(r.1)))).collect();
        df.with_column(date_column(name, days)?)?;
    }
    Ok(df)
}

fn unmet_frame(plans: &[YearPlan]) -> Result<DataFrame> {
    let rows: Vec<(i32, &(String, String, f64), f64)> = plans
        .iter()
        .flat_map(|p| {
            p.unmet
                .iter()
                .zip(&p.demand_shadow)
                .map(move |(u, d)| (p.year, u, d.2))
        })
        .collect();
    Ok(df!(
        "year" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "product" => rows.iter().map(|r| r.1.0.as_str()).collect::<Vec<_>>(),
        "departement" => rows.iter().map(|r| r.1.1.as_str()).collect::<Vec<_>>(),
        "pieces" => rows.iter().map(|r| r.1.2).collect::<Vec<_>>(),
        "marginal_cost_eur" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )?)
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
    fn sourcing_adds_up_to_the_summary() {
        // Issue 13: the sourcing table's pieces add up to the summary's split, and in a year
        // with nothing late its euros add up to the budget (VAT included).
        for lcm in [1.0, 0.5] {
            let mut study = Study::example("aura").unwrap();
            study.scenario.local_content_min = lcm;
            let r = run(&study).unwrap();
            let years: Vec<i32> = r
                .summary
                .column("year")
                .unwrap()
                .i32()
                .unwrap()
                .into_no_null_iter()
                .collect();
            let unmet = col_f64(&r.summary, "unmet_pieces");
            let budget = col_f64(&r.summary, "budget_eur");
            let local = col_f64(&r.summary, "local_content_share");
            for (i, &year) in years.iter().enumerate() {
                let rows = r
                    .sourcing
                    .clone()
                    .lazy()
                    .filter(col("year").eq(lit(year)))
                    .collect()
                    .unwrap();
                let of = |kind: &str| -> f64 {
                    let src: Vec<&str> = rows
                        .column("source")
                        .unwrap()
                        .str()
                        .unwrap()
                        .iter()
                        .map(Option::unwrap_or_default)
                        .collect();
                    col_f64(&rows, "pieces")
                        .iter()
                        .zip(&src)
                        .filter(|(_, s)| **s == kind)
                        .map(|(q, _)| q)
                        .sum()
                };
                for (kind, column) in [
                    ("surveyed", "pieces_surveyed"),
                    ("new_regional", "pieces_new_regional"),
                    ("imported", "pieces_imported"),
                ] {
                    let want = col_f64(&r.summary, column)[i];
                    assert!(
                        (of(kind) - want).abs() <= 1e-6 * want.max(1.0),
                        "{year} {kind}"
                    );
                }
                assert!(local[i] >= lcm - 1e-12, "{year}: {}", local[i]);
                assert!((of("late") - unmet[i]).abs() <= 1e-6 * unmet[i].max(1.0));
                let paid: f64 = col_f64(&rows, "price_ttc_eur").iter().sum();
                assert!((paid - budget[i]).abs() <= 1e-9 * budget[i], "{year}");
            }
            if lcm < 1.0 {
                assert!(col_f64(&r.summary, "pieces_imported")
                    .iter()
                    .all(|&q| q > 0.0));
            }
        }
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

    /// Every identity of the balance, for every year of the full roll-out (to float
    /// precision), and `jobs_gross` equal to the summary's.
    #[test]
    fn balance_identities_hold_every_year() {
        let r = run(&Study::example("aura").unwrap()).unwrap();
        let b = |c: &str| col_f64(&r.balance, c);
        let years = r.balance.height();
        assert_eq!(years, r.summary.height());
        assert_eq!(b("jobs_gross"), col_f64(&r.summary, "jobs_gross"));
        let close = |a: f64, want: f64| {
            assert!(
                (a - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{a} != {want}"
            )
        };
        for y in 0..years {
            let v = |c: &str| b(c)[y];
            close(v("jobs_net"), v("jobs_gross") - v("jobs_displaced"));
            close(
                v("programme_cost_eur"),
                col_f64(&r.summary, "budget_eur")[y],
            );
            close(
                v("premium_eur"),
                v("programme_cost_eur") - v("import_baseline_cost_eur"),
            );
            close(
                v("public_revenue_eur"),
                v("social_contributions_eur")
                    + v("csg_crds_eur")
                    + v("income_tax_eur")
                    + v("vat_on_premium_eur"),
            );
            close(
                v("net_public_cost_eur"),
                v("premium_eur") - v("public_revenue_eur") - v("benefits_avoided_eur"),
            );
            close(
                v("net_cost_per_job_eur"),
                v("net_public_cost_eur") / v("jobs_net"),
            );
            close(
                v("region_cost_per_job_eur"),
                v("premium_eur") / v("jobs_net"),
            );
            close(v("co2e_avoided_t"), v("co2e_import_t") - v("co2e_local_t"));
            assert!(v("premium_eur") > 0.0 && v("co2e_avoided_t") > 0.0);
        }
    }

    #[test]
    fn more_displacement_means_fewer_net_jobs() {
        let s = Study::example("aura-pilot").unwrap();
        let net = |d: f64| {
            let r = run(&s.with_params([("displacement_share", d)]).unwrap()).unwrap();
            (
                col_f64(&r.balance, "jobs_net")[0],
                col_f64(&r.balance, "jobs_gross")[0],
            )
        };
        let (low, gross_low) = net(0.0);
        let (high, gross_high) = net(0.3);
        assert!(high < low, "{high} !< {low}");
        // Gross jobs do not move; net = 0.7 × gross at 30 %.
        assert!((gross_low - gross_high).abs() < 1e-9);
        assert!((high - 0.7 * gross_high).abs() < 1e-9);
        assert!((low - gross_low).abs() < 1e-12);
    }
}
