//! Running a study: demand → pro-rata split over workshops → cost and direct jobs, returned
//! as Polars DataFrames.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use polars::prelude::*;

use crate::economy::{self, IoModel, ModelType};
use crate::error::{Error, Result};
use crate::model::capacity::{capacity, Capacity};
use crate::model::cost::{piece_cost, PieceCost, WorkshopTerms};
use crate::model::demand::{demand, DemandRow};
use crate::model::employment::{fte, hiring_gap};
use crate::model::programme::{self, WorkshopYear, YearPlan};
use crate::model::schedule::ScheduleResult;
use crate::params::ModelParams;
use crate::study::Study;

pub use crate::model::programme::NEW_CAPACITY;

/// Branches of the bundled table that receive the programme's spending.
const TEXTILES: &str = "textiles_apparel";
const OTHER_MANUFACTURING: &str = "other_manufacturing";
const TRADE_TRANSPORT: &str = "trade_transport_hospitality";

/// The AURA economy: the bundled French table regionalised by FLQ with AURA employment.
pub(crate) struct RegionalEconomy {
    pub(crate) model: IoModel,
    textiles: usize,
    other_manufacturing: usize,
    trade_transport: usize,
}

impl RegionalEconomy {
    pub(crate) fn new(m: &ModelParams) -> Result<Self> {
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
    pub(crate) fn shock(&self, pieces: f64, c: &PieceCost, m: &ModelParams, shock: &mut [f64]) {
        let keep = pieces * (1.0 - m.displacement_share);
        let making = c.labour_eur + c.overhead_eur + c.personalisation_eur + c.margin_eur;
        shock[self.textiles] += keep * (making + c.fabric_eur * m.materials_regional_share);
        shock[self.other_manufacturing] +=
            keep * (c.trims_eur + c.packaging_eur) * m.materials_regional_share;
        shock[self.trade_transport] += keep * c.logistics_eur;
    }

    /// Jobs (persons) of a shock, Type II: (direct, indirect, induced, total).
    pub(crate) fn jobs(&self, shock: &[f64]) -> Result<(f64, f64, f64, f64)> {
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
    /// Pieces each workshop makes for each school département, by year and product.
    pub allocation: DataFrame,
    /// Programme operators, capacity before the deadline, use and shadow price, by year and
    /// workshop.
    pub capacity: DataFrame,
    /// Milestones of each workshop's production, by year.
    pub schedule: DataFrame,
    /// Demand the surveyed workshops cannot make in time, and the marginal cost of each
    /// demand row, by year, product and département.
    pub unmet: DataFrame,
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

/// Days since 1970-01-01, the physical value of a Polars `Date`.
fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

fn date_column(name: &str, days: Vec<Option<i32>>) -> Result<Column> {
    Ok(Column::new(name.into(), days).cast(&DataType::Date)?)
}

/// Costs of each (maker, product), computed once.
struct UnitCosts<'a> {
    study: &'a Study,
    m: ModelParams,
    cache: BTreeMap<(Option<usize>, &'a str), PieceCost>,
}

impl<'a> UnitCosts<'a> {
    fn get(&mut self, w: Option<usize>, product: &'a str) -> Result<PieceCost> {
        if let Some(c) = self.cache.get(&(w, product)) {
            return Ok(*c);
        }
        let p = self
            .study
            .catalog
            .iter()
            .find(|p| p.id == product)
            .ok_or_else(|| Error::Internal(format!("product `{product}` not in the catalog")))?;
        let terms = WorkshopTerms::of(w.map(|i| &self.study.workshops[i]), &self.m);
        let c = piece_cost(p, &terms, &self.m);
        self.cache.insert((w, product), c);
        Ok(c)
    }
}

/// Run the models on a study.
///
/// # Errors
/// [`Error::Parameter`] for timing parameters or years the calendar cannot handle;
/// [`Error::Study`] if the allocation fails; [`Error::Internal`] only if building a table
/// fails (a bug).
pub fn run(study: &Study) -> Result<Results> {
    let m = study.params.model();
    let demand_rows = demand(&study.establishments, &study.scenario);
    let capacities: Vec<Capacity> = study.workshops.iter().map(|w| capacity(w, &m)).collect();
    let years = &study.scenario.years;
    let plans = programme::plan(&study.workshops, &study.catalog, &demand_rows, years, &m)?;
    let plan_of = |year: i32| plans.iter().find(|p| p.year == year);
    let economy = RegionalEconomy::new(&m)?;
    let new_capacity = plans.iter().any(|p| p.new_capacity_operators > 0);
    let n_makers = study.workshops.len() + usize::from(new_capacity);
    let maker = |w: Option<usize>| w.unwrap_or(n_makers - 1);
    let mut unit = UnitCosts {
        study,
        m,
        cache: BTreeMap::new(),
    };
    let kit: Vec<(&str, f64)> = study
        .scenario
        .kit
        .iter()
        .map(|(p, q)| (p.as_str(), *q))
        .collect();

    let mut pieces_by_year_product: BTreeMap<(i32, &str), f64> = BTreeMap::new();
    let mut kits_by_year: BTreeMap<i32, f64> = BTreeMap::new();
    for r in &demand_rows {
        *pieces_by_year_product
            .entry((r.year, r.product.as_str()))
            .or_default() += r.pieces;
        if Some(&r.product) == study.scenario.kit.keys().next() {
            *kits_by_year.entry(r.year).or_default() += r.kits;
        }
    }

    // Average cost of each product each year over who makes it (the allocation's flows).
    let mut average: BTreeMap<(i32, &str), PieceCost> = BTreeMap::new();
    for &year in years {
        for &(product, _) in &kit {
            let mut avg = PieceCost::default();
            let flows: Vec<_> = plan_of(year)
                .map(|p| p.flows.iter().filter(|f| f.product == product).collect())
                .unwrap_or_default();
            let total: f64 = flows.iter().map(|f| f.pieces).sum();
            if total > 0.0 {
                for f in &flows {
                    avg.add_scaled(&unit.get(f.workshop, product)?, f.pieces / total);
                }
            } else {
                // Nothing made this year: the cost a new workshop would have.
                avg = unit.get(None, product)?;
            }
            average.insert((year, product), avg);
        }
    }

    // Costs: per piece for each product, and per kit, each year.
    let mut c_year = Vec::new();
    let mut c_product = Vec::new();
    let mut c_unit = Vec::new();
    let mut c_quantity = Vec::new();
    let mut c_minutes = Vec::new();
    let mut c_values: Vec<Vec<f64>> = vec![Vec::new(); COST_COLUMNS.len()];
    let mut c_total = Vec::new();
    let mut kit_cost_by_year: BTreeMap<i32, PieceCost> = BTreeMap::new();
    for &year in years {
        let mut kit_cost = PieceCost::default();
        let mut lines: Vec<(PieceCost, &str, &str, f64)> = Vec::new();
        for &(product, qty) in &kit {
            let avg = average[&(year, product)];
            kit_cost.add_scaled(&avg, qty);
            let q = pieces_by_year_product
                .get(&(year, product))
                .copied()
                .unwrap_or(0.0);
            lines.push((avg, product, "piece", q));
        }
        let kits = kits_by_year.get(&year).copied().unwrap_or(0.0);
        lines.push((kit_cost, "kit", "kit", kits));
        kit_cost_by_year.insert(year, kit_cost);
        for (cost, product, unit_name, quantity) in lines {
            c_year.push(year);
            c_product.push(product.to_owned());
            c_unit.push(unit_name);
            c_quantity.push(quantity);
            c_minutes.push(cost.labour_minutes());
            for (k, v) in cost_values(&cost).into_iter().enumerate() {
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
        for &(product, _) in &kit {
            let q = pieces_by_year_product
                .get(&(year, product))
                .copied()
                .unwrap_or(0.0);
            let avg = average[&(year, product)];
            total_pieces += q;
            economy.shock(q, &avg, &m, &mut shock);
            budget_ttc += q * avg.price_ttc_eur;
            budget_ht += q * avg.price_ht_eur;
            fabric_m += q * avg.fabric_m;
        }
        if let Some(plan) = plan_of(year) {
            for f in &plan.flows {
                let i = maker(f.workshop);
                pieces[i] += f.pieces;
                minutes[i] += f.pieces * unit.get(f.workshop, &f.product)?.labour_minutes();
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
    let mut summary = df!(
        "year" => s.iter().map(|r| r.0).collect::<Vec<_>>(),
        "kits" => s.iter().map(|r| r.1).collect::<Vec<_>>(),
        "pieces" => s.iter().map(|r| r.2).collect::<Vec<_>>(),
        "budget_eur" => s.iter().map(|r| r.3).collect::<Vec<_>>(),
        "budget_ht_eur" => s.iter().map(|r| r.4).collect::<Vec<_>>(),
        "cost_per_kit_eur" => s.iter().map(|r| kit_cost_by_year[&r.0].price_ttc_eur).collect::<Vec<_>>(),
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
        "unmet_pieces" => s.iter().map(|r| plan_of(r.0).map_or(0.0, |p| p.unmet_pieces())).collect::<Vec<_>>(),
        "on_time" => s.iter().map(|r| plan_of(r.0).is_none_or(|p| p.on_time)).collect::<Vec<_>>(),
        "makespan_days" => s.iter().map(|r| plan_of(r.0).and_then(|p| p.makespan_days)).collect::<Vec<_>>(),
        "operators_hired" => s.iter().map(|r| plan_of(r.0).map_or(0, |p| i64::from(p.hired()))).collect::<Vec<_>>(),
        "trainees_working" => s.iter().map(|r| plan_of(r.0).map_or(0, |p| p.workshops.iter().map(|w| i64::from(w.trainees)).sum::<i64>())).collect::<Vec<_>>(),
        "new_capacity_operators" => s.iter().map(|r| plan_of(r.0).map_or(0, |p| i64::from(p.new_capacity_operators))).collect::<Vec<_>>(),
        "hiring_needed_for_deadline" => s.iter().map(|r| plan_of(r.0).map_or(0, |p| i64::from(p.hiring_needed_for_deadline()))).collect::<Vec<_>>(),
    )?;
    for (name, f) in [
        (
            "order_date",
            (|p: &YearPlan| Some(p.order_date)) as fn(&YearPlan) -> Option<NaiveDate>,
        ),
        ("deadline", |p: &YearPlan| Some(p.deadline)),
        ("delivered", |p: &YearPlan| p.delivered),
    ] {
        let days = s
            .iter()
            .map(|r| plan_of(r.0).and_then(f).map(epoch_days))
            .collect();
        summary.with_column(date_column(name, days)?)?;
    }
    Ok(Results {
        demand: demand_frame(&demand_rows)?,
        costs,
        jobs,
        jobs_by_departement,
        summary,
        allocation: allocation_frame(study, &plans)?,
        capacity: capacity_frame(&plans)?,
        schedule: schedule_frame(&plans)?,
        unmet: unmet_frame(&plans)?,
    })
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
        let w = f.workshop.map(|i| &study.workshops[i]);
        id.push(w.map_or(NEW_CAPACITY, |w| w.id.as_str()));
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
        "hired" => rows.iter().map(|r| i64::from(r.1.hired)).collect::<Vec<_>>(),
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
