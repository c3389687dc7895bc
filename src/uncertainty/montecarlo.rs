//! Monte Carlo over the uncertain inputs' distributions (the parameters, and the catalog's
//! figures that have a range: [`Sampler`]): the headline figures of every year, draw by
//! draw.
//!
//! Two ways to evaluate a draw:
//!
//! * **exact** (`resolve_allocation`, what `Study.monte_carlo` does by default): the
//!   study's headline is computed again with the draw's parameters and catalog
//!   ([`crate::results::headline_with`]: allocation, hiring, new capacity and schedule
//!   included, no tables; about 4 ms a draw for AURA on one thread, 506 draws/s on two).
//! * **fast**: the allocation of the central run is kept (who makes how many
//!   pieces of what, the operators each workshop has, the pieces left to new capacity) and
//!   every figure that depends on the parameters is recomputed: piece costs at each
//!   workshop, budget, cost per kit, labour hours and direct FTE, the input–output jobs on
//!   the table regionalised with the draw's δ, and the schedule (order date, fabric lead
//!   time, line setting, ramp-up, August closure, personalisation, delivery). Only the
//!   workshop that finishes last is scheduled: all start on the same day with the same
//!   ramp-up, so the one with the most work per unit of output rate (standard minutes /
//!   (operators × efficiency)) finishes last. Work scales with the draw's allowance and,
//!   workshop by workshop, with the drawn standard minutes of the products it makes
//!   (cut + sew + finish + personalise, weighted by its central work on each). The drawn
//!   catalog figures enter piece costs, labour minutes and direct FTE, fabric and the
//!   balance as they do in a run. Hiring and the sourcing split stay at their central
//!   values.
//!
//! Draw i depends only on (seed, i) ([`Sampler::draw`]) and draws are evaluated
//! independently, so results are identical whatever the number of threads.

use std::collections::BTreeMap;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::tables::{Product, Workshop};
use crate::economy::regional::RegionalEconomy;
use crate::error::{Error, Result};
pub use crate::headline::METRICS;
use crate::headline::{year_figures, Headline, Lateness};
use crate::model::cost::{PieceCost, WorkshopTerms};
use crate::model::demand::demand;
use crate::model::programme::{self, template, Source, Timing};
use crate::model::schedule::{schedule, Calendar, ScheduleInput};
use crate::params::ModelParams;
use crate::study::Study;
use crate::uncertainty::distributions::Sampler;

/// One year of the central plan, what a fast draw keeps fixed.
#[derive(Debug, Clone)]
struct FixedYear {
    year: i32,
    /// Pieces of each kit product.
    pieces: Vec<f64>,
    /// (index into `pairs`, pieces).
    flows: Vec<(usize, f64)>,
    /// Everything made before the rentrée in the central run.
    on_time: bool,
    /// Operators hired or trained for the rentrée in the central run.
    hiring: f64,
    /// Pieces by source in the central run.
    sourcing: crate::headline::Sourcing,
    /// Operators of each surveyed workshop.
    operators: Vec<f64>,
    /// Standard minutes at the central allowance: allocated, and surveyed-alone.
    allocated: Vec<f64>,
    alone: Option<Vec<f64>>,
    /// The same work split by kit product, at the catalog's central minutes (allowance
    /// left out): what a draw of the catalog's minutes rescales, workshop by workshop.
    allocated_mix: Vec<Vec<f64>>,
    alone_mix: Option<Vec<Vec<f64>>>,
}

/// The study reduced to what a draw recomputes.
#[derive(Debug)]
pub struct FastModel {
    workshops: Vec<Workshop>,
    /// Kit products (central catalog figures) and quantity per kit.
    kit: Vec<(Product, f64)>,
    /// Distinct (source, product index) of the flows.
    pairs: Vec<(Source, usize)>,
    years: Vec<FixedYear>,
    central_allowance: f64,
    /// Recompute the schedule of each draw (`false`: makespan NaN, on time as centrally).
    schedule: bool,
}

impl FastModel {
    /// Plan the study at its central parameters and keep the allocation.
    ///
    /// # Errors
    /// As [`programme::plan`].
    pub fn new(study: &Study) -> Result<Self> {
        let (modelled, _) = crate::survey::modelled(study);
        let study = &modelled;
        let m = study.params.model();
        let rows = demand(&study.establishments, &study.scenario);
        let plans = programme::plan(
            &study.workshops,
            &study.catalog,
            &rows,
            &study.scenario.years,
            &m,
            study.scenario.local_content_min,
        )?;
        let kit: Vec<(Product, f64)> = study
            .scenario
            .kit
            .iter()
            .filter_map(|(id, q)| {
                let p = study.catalog.iter().find(|p| &p.id == id)?;
                Some((p.clone(), *q))
            })
            .collect();
        let mut pairs: Vec<(Source, usize)> = Vec::new();
        let mut years = Vec::new();
        let minutes: Vec<f64> = kit.iter().map(|(p, _)| sam_total(p)).collect();
        for &year in &study.scenario.years {
            let mut pieces = vec![0.0; kit.len()];
            for r in rows.iter().filter(|r| r.year == year) {
                if let Some(k) = kit.iter().position(|(p, _)| p.id == r.product) {
                    pieces[k] += r.pieces;
                }
            }
            let plan = plans.iter().find(|p| p.year == year);
            let mut flows: BTreeMap<usize, f64> = BTreeMap::new();
            for f in plan.map_or(&[][..], |p| &p.flows[..]) {
                let Some(k) = kit.iter().position(|(p, _)| p.id == f.product) else {
                    continue;
                };
                let key = (f.source, k);
                let at = pairs.iter().position(|p| *p == key).unwrap_or_else(|| {
                    pairs.push(key);
                    pairs.len() - 1
                });
                *flows.entry(at).or_default() += f.pieces;
            }
            let n = study.workshops.len();
            let (allocated_mix, alone_mix) = plan.map_or_else(
                || (vec![vec![0.0; kit.len()]; n], None),
                |p| work_by_product(p, &study.workshops, &kit, &minutes),
            );
            years.push(FixedYear {
                year,
                pieces,
                flows: flows.into_iter().collect(),
                on_time: plan.is_none_or(|p| p.on_time),
                hiring: plan.map_or(0.0, |p| f64::from(p.hiring_needed_for_deadline())),
                sourcing: plan.map(programme::YearPlan::sourcing).unwrap_or_default(),
                operators: plan.map_or(vec![0.0; n], |p| {
                    p.workshops.iter().take(n).map(|w| w.operators).collect()
                }),
                allocated: plan.map_or(vec![0.0; n], |p| {
                    p.workshops.iter().take(n).map(|w| w.minutes_used).collect()
                }),
                alone: plan.and_then(|p| p.alone_minutes.clone()),
                allocated_mix,
                alone_mix,
            });
        }
        Ok(FastModel {
            workshops: study.workshops.clone(),
            kit,
            pairs,
            years,
            central_allowance: m.allowance,
            schedule: true,
        })
    }

    /// Skip the schedule of each draw (`makespan_days` NaN, `on_time` that of the central
    /// run): the cost and jobs figures only, several times faster.
    #[must_use]
    pub fn without_schedule(mut self) -> Self {
        self.schedule = false;
        self
    }

    fn calendar(&self, weeks: u32) -> Result<Arc<Calendar>> {
        Calendar::shared(weeks)
    }

    /// Headline figures of every year with parameters `m` and the study's catalog.
    ///
    /// # Errors
    /// [`Error::Parameter`] for parameters the models refuse (e.g. a ramp-up whose reach
    /// fraction is below its start).
    pub fn evaluate(&self, m: &ModelParams) -> Result<Vec<Headline>> {
        let products: Vec<&Product> = self.kit.iter().map(|(p, _)| p).collect();
        self.evaluate_products(m, &products, None)
    }

    /// Headline figures of every year with parameters `m` and the figures of `catalog` (the
    /// study's catalog with drawn minutes, fabric and fabric price, [`Sampler::catalog`]):
    /// piece costs, labour minutes and direct FTE, fabric, the balance and the schedule
    /// (each workshop's work rescaled by the drawn minutes of the products it makes) use
    /// them; the allocation stays the central one.
    ///
    /// # Errors
    /// As [`FastModel::evaluate`]; [`Error::Study`] for a kit product `catalog` lacks.
    pub fn evaluate_with_catalog(
        &self,
        m: &ModelParams,
        catalog: &[Product],
    ) -> Result<Vec<Headline>> {
        let products: Vec<&Product> = self
            .kit
            .iter()
            .map(|(k, _)| {
                catalog
                    .iter()
                    .find(|p| p.id == k.id)
                    .ok_or_else(|| Error::Study {
                        file: "catalog".into(),
                        reason: format!("the kit's product `{}` is not in the catalog", k.id),
                    })
            })
            .collect::<Result<_>>()?;
        // Work per piece of each kit product relative to the central catalog's (1 where the
        // minutes are not drawn: the schedule is then the central catalog's exactly).
        let ratios: Vec<f64> = self
            .kit
            .iter()
            .zip(&products)
            .map(|((central, _), drawn)| {
                let (c, d) = (sam_total(central), sam_total(drawn));
                if c > 0.0 {
                    d / c
                } else {
                    1.0
                }
            })
            .collect();
        let ratios = ratios.iter().any(|&r| r != 1.0).then_some(&ratios[..]);
        self.evaluate_products(m, &products, ratios)
    }

    fn evaluate_products(
        &self,
        m: &ModelParams,
        products: &[&Product],
        ratios: Option<&[f64]>,
    ) -> Result<Vec<Headline>> {
        let economy = RegionalEconomy::new(m)?;
        let timing = Timing::with_calendar(m, |w| self.calendar(w))?;
        let costs: Vec<PieceCost> = self
            .pairs
            .iter()
            .map(|&(source, k)| {
                source
                    .piece_cost(products[k], &self.workshops, m)
                    .unwrap_or_default()
            })
            .collect();
        let efficiency: Vec<f64> = self
            .workshops
            .iter()
            .map(|w| WorkshopTerms::of(Some(w), m).efficiency)
            .collect();
        let work_scale = (1.0 + m.allowance) / (1.0 + self.central_allowance);
        let kit: Vec<(&Product, f64)> = products
            .iter()
            .zip(&self.kit)
            .map(|(p, (_, q))| (*p, *q))
            .collect();
        self.years
            .iter()
            .map(|y| {
                let made: Vec<(usize, PieceCost, f64)> = y
                    .flows
                    .iter()
                    .map(|&(at, q)| (self.pairs[at].1, costs[at], q))
                    .collect();
                let figures = year_figures(&kit, &y.pieces, &made, m, &economy)?;
                let lateness = if self.schedule {
                    self.lateness(y, &timing, &efficiency, work_scale, ratios, m)?
                } else {
                    Lateness {
                        on_time: y.on_time,
                        makespan_days: None,
                        late_days: None,
                    }
                };
                Ok(Headline::new(
                    y.year, &figures, lateness, y.hiring, y.sourcing,
                ))
            })
            .collect()
    }

    /// Lateness of the allocated work, from the workshop that finishes last. `ratios`: the
    /// drawn work per piece of each kit product over the central one (`None`: all 1).
    fn lateness(
        &self,
        y: &FixedYear,
        timing: &Timing,
        efficiency: &[f64],
        work_scale: f64,
        ratios: Option<&[f64]>,
        m: &ModelParams,
    ) -> Result<Lateness> {
        let (order_date, deadline) = timing.window(y.year)?;
        // Last delivery: Ok(None) when there is nothing to make; a schedule running past the
        // holiday table is "never" (NaiveDate::MAX), i.e. late.
        let last = |work: &[f64]| -> Result<Option<chrono::NaiveDate>> {
            let slowest = (0..work.len())
                .filter(|&i| work[i] > 0.0 && y.operators[i] > 0.0)
                .max_by(|&a, &b| {
                    let days = |i: usize| work[i] / (y.operators[i] * efficiency[i]);
                    days(a).total_cmp(&days(b))
                });
            let Some(i) = slowest else {
                return Ok(None);
            };
            let input = ScheduleInput {
                pieces: work[i] * work_scale,
                minutes_per_piece: 1.0,
                operators: y.operators[i],
                order_date,
                deadline: Some(deadline),
                ..template(
                    &self.workshops[i].id,
                    efficiency[i],
                    m,
                    timing.fabric_lead_days,
                )
            };
            match schedule(&input, &timing.settings, &timing.calendar) {
                Ok(s) => Ok(Some(s.delivered)),
                // Past the end of the holiday table: no date.
                Err(Error::Parameter { name, .. }) if name == "operators" || name == "date" => {
                    Ok(Some(chrono::NaiveDate::MAX))
                }
                Err(e) => Err(e),
            }
        };
        // Each workshop's work scaled by the drawn minutes of its own product mix.
        let rescale = |work: &[f64], mix: &[Vec<f64>]| -> Vec<f64> {
            let Some(r) = ratios else {
                return work.to_vec();
            };
            work.iter()
                .zip(mix)
                .map(|(&w, by_product)| {
                    let central: f64 = by_product.iter().sum();
                    if central > 0.0 {
                        let drawn: f64 = by_product.iter().zip(r).map(|(a, b)| a * b).sum();
                        w * drawn / central
                    } else {
                        w
                    }
                })
                .collect()
        };
        let allocated = last(&rescale(&y.allocated, &y.allocated_mix))?;
        let on_time = allocated.is_none_or(|d| d < deadline);
        let delivered = if y.on_time {
            allocated
        } else {
            match (&y.alone, &y.alone_mix) {
                (Some(alone), Some(mix)) => last(&rescale(alone, mix))?,
                (Some(alone), None) => last(alone)?,
                // A product no surveyed workshop makes: never.
                (None, _) => Some(chrono::NaiveDate::MAX),
            }
        };
        Ok(Lateness::new(
            y.on_time && on_time,
            order_date,
            deadline,
            delivered,
        ))
    }
}

/// Standard minutes of a piece (making and personalisation, before the allowance): what
/// the allocation's minutes per piece scale with.
fn sam_total(p: &Product) -> f64 {
    p.sam_making_min() + p.sam_personalise_min
}

/// The work of each surveyed workshop split by kit product, in central standard minutes
/// (allowance left out): allocated, and when the surveyed workshops make everything alone
/// (their allocation plus a share of each product's unmet pieces in proportion to their
/// capacity among the workshops able to make it, as the plan's `alone_minutes`).
fn work_by_product(
    plan: &programme::YearPlan,
    workshops: &[Workshop],
    kit: &[(Product, f64)],
    minutes: &[f64],
) -> (Vec<Vec<f64>>, Option<Vec<Vec<f64>>>) {
    let n = workshops.len();
    let index = |id: &str| kit.iter().position(|(p, _)| p.id == id);
    let mut allocated = vec![vec![0.0; kit.len()]; n];
    for f in &plan.flows {
        if let (Some(i), Some(k)) = (f.source.workshop(), index(&f.product)) {
            if i < n {
                allocated[i][k] += f.pieces * minutes[k];
            }
        }
    }
    let alone = plan.alone_minutes.as_ref().map(|_| {
        let mut alone = allocated.clone();
        let available = |i: usize| plan.workshops.get(i).map_or(0.0, |w| w.minutes_available);
        for (product, _, q) in plan.unmet.iter().filter(|u| u.2 > 0.0) {
            let Some(k) = index(product) else {
                continue;
            };
            let able: Vec<usize> = (0..n)
                .filter(|&i| available(i) > 0.0 && workshops[i].products.contains(product))
                .collect();
            let capacity: f64 = able.iter().map(|&i| available(i)).sum();
            for &i in able.iter().filter(|_| capacity > 0.0) {
                alone[i][k] += q * available(i) / capacity * minutes[k];
            }
        }
        alone
    });
    (allocated, alone)
}

/// Headline figures of a whole run, for the exact mode: the study with the drawn
/// parameters and the drawn catalog figures.
fn exact(study: &Study, sampler: &Sampler, values: &[f64]) -> Result<Vec<Headline>> {
    let params = study.params.with_values(sampler.parameter_values(values))?;
    let catalog = if sampler.draws_catalog() {
        sampler.catalog(values, &study.catalog)
    } else {
        study.catalog.clone()
    };
    crate::results::headline_with(study, params, catalog)
}

/// Evaluate input sets: `(id, values of the uncertain inputs in [`Sampler::names`]
/// order)`; one row per set and year, with the values (one column each)
/// and the [`METRICS`], the id in column `draw`. With `fast` the central allocation is kept
/// ([`FastModel`]), without it the whole study is run for each set.
///
/// # Errors
/// As [`FastModel::evaluate`] or [`crate::results::run`], for the first set that fails;
/// [`Error::Parameter`] for a set of the wrong length.
pub fn evaluate_sets(
    study: &Study,
    fast: Option<&FastModel>,
    sampler: &Sampler,
    sets: Vec<(u64, Vec<f64>)>,
) -> Result<DataFrame> {
    let k = sampler.names().len();
    if let Some((i, v)) = sets.iter().find(|(_, v)| v.len() != k) {
        return Err(Error::parameter(
            "values",
            format!("set {i} has {} values for {k} uncertain inputs", v.len()),
        ));
    }
    let rows: Vec<(u64, Vec<f64>, Vec<Headline>)> = sets
        .into_par_iter()
        .map(|(i, values)| {
            let headline = match fast {
                Some(model) if sampler.draws_catalog() => model.evaluate_with_catalog(
                    &sampler.model(&values),
                    &sampler.catalog(&values, &study.catalog),
                )?,
                Some(model) => model.evaluate(&sampler.model(&values))?,
                None => exact(study, sampler, &values)?,
            };
            Ok((i, values, headline))
        })
        .collect::<Result<_>>()?;
    frame(&sampler.names(), &rows)
}

/// Draws `start..end` of `seed` ([`Sampler::draw`]), evaluated as [`evaluate_sets`].
///
/// # Errors
/// As [`evaluate_sets`].
pub fn draws(
    study: &Study,
    fast: Option<&FastModel>,
    sampler: &Sampler,
    seed: u64,
    start: u64,
    end: u64,
) -> Result<DataFrame> {
    let sets = (start..end)
        .into_par_iter()
        .map(|i| (i, sampler.draw(seed, i)))
        .collect();
    evaluate_sets(study, fast, sampler, sets)
}

/// The draws as a DataFrame.
fn frame(names: &[String], rows: &[(u64, Vec<f64>, Vec<Headline>)]) -> Result<DataFrame> {
    let flat: Vec<(u64, &Vec<f64>, &Headline)> = rows
        .iter()
        .flat_map(|(i, v, hs)| hs.iter().map(move |h| (*i, v, h)))
        .collect();
    let mut columns = vec![
        Column::new("draw".into(), flat.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new(
            "year".into(),
            flat.iter().map(|r| r.2.year).collect::<Vec<_>>(),
        ),
    ];
    for (k, name) in names.iter().enumerate() {
        columns.push(Column::new(
            name.as_str().into(),
            flat.iter().map(|r| r.1[k]).collect::<Vec<_>>(),
        ));
    }
    let values: Vec<_> = flat.iter().map(|r| r.2.values()).collect();
    for (k, name) in METRICS[..METRICS.len() - 1].iter().enumerate() {
        columns.push(Column::new(
            (*name).into(),
            values.iter().map(|v| v[k]).collect::<Vec<_>>(),
        ));
    }
    columns.push(Column::new(
        "on_time".into(),
        flat.iter()
            .map(|r| r.2.lateness.on_time)
            .collect::<Vec<_>>(),
    ));
    Ok(DataFrame::new_infer_height(columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(df: &DataFrame, name: &str) -> Vec<f64> {
        df.column(name)
            .unwrap()
            .cast(&DataType::Float64)
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect()
    }

    #[test]
    fn fast_model_at_central_values_reproduces_the_run() {
        for name in ["aura-pilot", "aura"] {
            let study = Study::example(name).unwrap();
            let fast = FastModel::new(&study).unwrap();
            let got = fast.evaluate(&study.params.model()).unwrap();
            let run = crate::results::run(&study).unwrap();
            assert_eq!(got.len(), run.headline.len());
            for (h, r) in got.iter().zip(&run.headline) {
                assert_eq!(h.lateness.on_time, r.lateness.on_time, "{name} {}", h.year);
                for ((metric, v), w) in METRICS.iter().zip(h.values()).zip(r.values()) {
                    let same =
                        (v.is_nan() && w.is_nan()) || (v - w).abs() <= 1e-9 * w.abs().max(1.0);
                    assert!(same, "{name} {} {metric}: {v} vs {w}", h.year);
                }
            }
            // The run's summary and balance hold the same figures as its headline.
            for metric in &METRICS[..METRICS.len() - 1] {
                let k = METRICS.iter().position(|m| m == metric).unwrap();
                let want: Vec<f64> = run.headline.iter().map(|h| h.values()[k]).collect();
                let table = if run.summary.column(metric).is_ok() {
                    &run.summary
                } else {
                    &run.balance
                };
                let have = col(table, metric);
                for (a, b) in have.iter().zip(&want) {
                    assert!(
                        (a.is_nan() && b.is_nan()) || a == b,
                        "{name} {metric}: {a} vs {b}"
                    );
                }
            }
        }
    }

    fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    }

    /// Column `name` of the rows of `year`.
    fn in_year(df: &DataFrame, name: &str, year: i32) -> Vec<f64> {
        let years = col(df, "year");
        col(df, name)
            .into_iter()
            .zip(years)
            .filter(|(_, y)| *y == f64::from(year))
            .map(|(v, _)| v)
            .collect()
    }

    #[test]
    fn central_inputs_with_the_catalog_reproduce_the_run() {
        for name in ["aura-pilot", "aura"] {
            let study = Study::example(name).unwrap();
            let fast = FastModel::new(&study).unwrap();
            let sampler = Sampler::for_study(&study).unwrap();
            assert!(sampler.draws_catalog());
            let df = evaluate_sets(&study, Some(&fast), &sampler, vec![(0, sampler.centrals())])
                .unwrap();
            let run = crate::results::run(&study).unwrap();
            for metric in &METRICS[..METRICS.len() - 1] {
                let k = METRICS.iter().position(|m| m == metric).unwrap();
                let want: Vec<f64> = run.headline.iter().map(|h| h.values()[k]).collect();
                for (a, b) in col(&df, metric).iter().zip(&want) {
                    let same =
                        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * b.abs().max(1.0);
                    assert!(same, "{name} {metric}: {a} vs {b}");
                }
            }
            // The draw columns name what they draw.
            assert_eq!(col(&df, "catalog.polo.sam_sew_min")[0], 12.0);
        }
    }

    #[test]
    fn catalog_minutes_move_direct_fte_linearly_and_the_schedule() {
        let study = Study::example("aura-pilot").unwrap();
        let fast = FastModel::new(&study).unwrap();
        let m = study.params.model();
        let base = fast.evaluate(&m).unwrap();
        let with = |f: &dyn Fn(&mut Product)| {
            let mut catalog = study.catalog.clone();
            f(&mut catalog[0]);
            fast.evaluate_with_catalog(&m, &catalog).unwrap()
        };
        let fte = |h: &[Headline]| h[0].direct_fte;
        // Direct FTE is linear in each product's minutes, with the same slope for cutting,
        // sewing, finishing and personalising (one labour rate per minute of a product).
        let sew1 = fte(&with(&|p| p.sam_sew_min += 1.0)) - fte(&base);
        let sew2 = fte(&with(&|p| p.sam_sew_min += 2.0)) - fte(&base);
        let cut1 = fte(&with(&|p| p.sam_cut_min += 1.0)) - fte(&base);
        let pers1 = fte(&with(&|p| p.sam_personalise_min += 1.0)) - fte(&base);
        assert!(sew1 > 0.0);
        assert!((sew2 - 2.0 * sew1).abs() < 1e-9 * sew1, "{sew2} vs {sew1}");
        assert!((cut1 - sew1).abs() < 1e-9 * sew1 && (pers1 - sew1).abs() < 1e-9 * sew1);
        // Every minute at its high end: more work, a later last delivery.
        let high = with(&|p| {
            for c in [
                "sam_cut_min",
                "sam_sew_min",
                "sam_finish_min",
                "sam_personalise_min",
            ] {
                *p.figure_mut(c).unwrap() = p.ranges[c].high;
            }
        });
        let days = |h: &[Headline]| h[0].lateness.makespan_days.unwrap();
        assert!(
            days(&high) > days(&base),
            "{} vs {}",
            days(&high),
            days(&base)
        );
        // Fabric moves the budget, not the labour.
        let fabric = with(&|p| p.fabric_m += 0.1);
        assert_eq!(fte(&fabric), fte(&base));
        assert!(fabric[0].values()[1] > base[0].values()[1]);
        // The exact mode (the study rerun with that catalog) agrees where the allocation
        // does not move: the pilot's workshops are far from full.
        let mut catalog = study.catalog.clone();
        catalog[0].sam_sew_min = 16.0;
        let exact_run = crate::results::run(&Study {
            catalog: catalog.clone(),
            ..study.clone()
        })
        .unwrap();
        let fast_run = fast.evaluate_with_catalog(&m, &catalog).unwrap();
        let (a, b) = (fte(&fast_run), fte(&exact_run.headline));
        assert!((a - b).abs() <= 1e-9 * b, "{a} vs {b}");
    }

    #[test]
    fn drawing_the_catalog_widens_the_2028_direct_fte_range() {
        let study = Study::example("aura").unwrap();
        let fast = FastModel::new(&study).unwrap().without_schedule();
        let n = 4_000;
        let range = |sampler: &Sampler| {
            let df = draws(&study, Some(&fast), sampler, 1, 0, n).unwrap();
            let v = in_year(&df, "direct_fte", 2028);
            assert_eq!(v.len(), n as usize);
            (
                quantile(v.clone(), 0.05),
                quantile(v.clone(), 0.5),
                quantile(v, 0.95),
            )
        };
        let (p5, p50, p95) = range(&Sampler::new(&study.params).unwrap());
        let (c5, c50, c95) = range(&Sampler::for_study(&study).unwrap());
        eprintln!("2028 direct FTE without catalog draws: {p5:.0} {p50:.0} {p95:.0}");
        eprintln!("2028 direct FTE with catalog draws: {c5:.0} {c50:.0} {c95:.0}");
        // Same parameter draws, more doubt: the 90 % interval is wider, by much more than
        // the sampling noise of a 4,000-draw quantile (about 1 % here).
        assert!(c95 / c5 > 1.05 * (p95 / p5), "{c5}-{c95} vs {p5}-{p95}");
        // The triangular minutes are skewed up (polo 10-12-16): the median rises.
        assert!(c50 > p50);
    }

    #[test]
    fn draws_are_identical_for_one_and_two_threads() {
        let study = Study::example("aura").unwrap();
        let fast = FastModel::new(&study).unwrap();
        let sampler = Sampler::for_study(&study).unwrap();
        assert!(sampler.draws_catalog());
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| draws(&study, Some(&fast), &sampler, 11, 0, 64).unwrap())
        };
        let (one, two) = (run(1), run(2));
        assert!(one.equals_missing(&two));
        // Chunks give the same rows as one call.
        let a = draws(&study, Some(&fast), &sampler, 11, 0, 20).unwrap();
        let b = draws(&study, Some(&fast), &sampler, 11, 20, 64).unwrap();
        assert!(a.vstack(&b).unwrap().equals_missing(&one));
    }

    #[test]
    fn exact_mode_at_a_draw_matches_the_run_with_those_parameters() {
        let study = Study::example("aura-pilot").unwrap();
        let sampler = Sampler::for_study(&study).unwrap();
        let df = draws(&study, None, &sampler, 3, 5, 6).unwrap();
        let values = sampler.draw(3, 5);
        let names = sampler.names();
        let params = study
            .params
            .with_values(sampler.parameter_values(&values))
            .unwrap();
        let catalog = sampler.catalog(&values, &study.catalog);
        assert_ne!(catalog, study.catalog);
        let run = crate::results::run(&Study {
            params,
            catalog,
            ..study.clone()
        })
        .unwrap();
        assert_eq!(col(&df, "direct_fte"), col(&run.summary, "direct_fte"));
        let at = names
            .iter()
            .position(|n| n == "catalog.polo.sam_sew_min")
            .unwrap();
        assert_eq!(col(&df, "catalog.polo.sam_sew_min"), vec![values[at]]);
        assert_eq!(
            col(&df, "line_efficiency"),
            vec![values[names.iter().position(|n| *n == "line_efficiency").unwrap()]]
        );
    }
}
