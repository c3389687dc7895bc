//! Monte Carlo over the parameters' distributions: the headline figures of every year,
//! draw by draw.
//!
//! Two ways to evaluate a draw:
//!
//! * **fast** (default): the allocation of the central run is kept (who makes how many
//!   pieces of what, the operators each workshop has, the pieces left to new capacity) and
//!   every figure that depends on the parameters is recomputed: piece costs at each
//!   workshop, budget, cost per kit, labour hours and direct FTE, the input–output jobs on
//!   the table regionalised with the draw's δ, and the schedule (order date, fabric lead
//!   time, line setting, ramp-up, August closure, personalisation, delivery). Only the
//!   workshop that finishes last is scheduled: all start on the same day with the same
//!   ramp-up, so the one with the most work per unit of output rate (standard minutes /
//!   (operators × efficiency)) finishes last. Work scales with the draw's allowance.
//! * **exact** (`resolve_allocation`): the whole study is run again with the draw's
//!   parameters, allocation LP and hiring included (about 0.25 s a draw for AURA).
//!
//! Draw i depends only on (seed, i) ([`Sampler::draw`]) and draws are evaluated
//! independently, so results are identical whatever the number of threads.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

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
use crate::model::schedule::{schedule, Calendar, ScheduleInput, MAX_AUGUST_CLOSURE_WEEKS};
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
    /// Operators of each surveyed workshop.
    operators: Vec<f64>,
    /// Standard minutes at the central allowance: allocated, and surveyed-alone.
    allocated: Vec<f64>,
    alone: Option<Vec<f64>>,
}

/// The study reduced to what a draw recomputes.
#[derive(Debug)]
pub struct FastModel {
    workshops: Vec<Workshop>,
    /// Kit products and quantity per kit.
    kit: Vec<(Product, f64)>,
    /// Distinct (source, product index) of the flows.
    pairs: Vec<(Source, usize)>,
    years: Vec<FixedYear>,
    central_allowance: f64,
    /// Recompute the schedule of each draw (`false`: makespan NaN, on time as centrally).
    schedule: bool,
    calendars: Vec<OnceLock<Arc<Calendar>>>,
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
            years.push(FixedYear {
                year,
                pieces,
                flows: flows.into_iter().collect(),
                on_time: plan.is_none_or(|p| p.on_time),
                hiring: plan.map_or(0.0, |p| f64::from(p.hiring_needed_for_deadline())),
                operators: plan.map_or(vec![0.0; n], |p| {
                    p.workshops.iter().take(n).map(|w| w.operators).collect()
                }),
                allocated: plan.map_or(vec![0.0; n], |p| {
                    p.workshops.iter().take(n).map(|w| w.minutes_used).collect()
                }),
                alone: plan.and_then(|p| p.alone_minutes.clone()),
            });
        }
        Ok(FastModel {
            workshops: study.workshops.clone(),
            kit,
            pairs,
            years,
            central_allowance: m.allowance,
            schedule: true,
            calendars: (0..=MAX_AUGUST_CLOSURE_WEEKS)
                .map(|_| OnceLock::new())
                .collect(),
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
        let slot = self.calendars.get(weeks as usize).ok_or_else(|| {
            Error::parameter(
                "august_closure_weeks",
                format!("{weeks} weeks; allowed 0 to {MAX_AUGUST_CLOSURE_WEEKS}"),
            )
        })?;
        if let Some(c) = slot.get() {
            return Ok(c.clone());
        }
        let c = Arc::new(Calendar::new(weeks)?);
        Ok(slot.get_or_init(|| c).clone())
    }

    /// Headline figures of every year with parameters `m`.
    ///
    /// # Errors
    /// [`Error::Parameter`] for parameters the models refuse (e.g. a ramp-up whose reach
    /// fraction is below its start).
    pub fn evaluate(&self, m: &ModelParams) -> Result<Vec<Headline>> {
        let economy = RegionalEconomy::new(m)?;
        let timing = Timing::with_calendar(m, |w| self.calendar(w))?;
        let costs: Vec<PieceCost> = self
            .pairs
            .iter()
            .map(|&(source, k)| {
                source
                    .piece_cost(&self.kit[k].0, &self.workshops, m)
                    .unwrap_or_default()
            })
            .collect();
        let efficiency: Vec<f64> = self
            .workshops
            .iter()
            .map(|w| WorkshopTerms::of(Some(w), m).efficiency)
            .collect();
        let work_scale = (1.0 + m.allowance) / (1.0 + self.central_allowance);
        let kit: Vec<(&Product, f64)> = self.kit.iter().map(|(p, q)| (p, *q)).collect();
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
                    self.lateness(y, &timing, &efficiency, work_scale, m)?
                } else {
                    Lateness {
                        on_time: y.on_time,
                        makespan_days: None,
                        late_days: None,
                    }
                };
                Ok(Headline::new(y.year, &figures, lateness, y.hiring))
            })
            .collect()
    }

    /// Lateness of the allocated work, from the
    /// workshop that finishes last.
    fn lateness(
        &self,
        y: &FixedYear,
        timing: &Timing,
        efficiency: &[f64],
        work_scale: f64,
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
        let allocated = last(&y.allocated)?;
        let on_time = allocated.is_none_or(|d| d < deadline);
        let delivered = if y.on_time {
            allocated
        } else {
            match &y.alone {
                Some(alone) => last(alone)?,
                // A product no surveyed workshop makes: never.
                None => Some(chrono::NaiveDate::MAX),
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

/// Headline figures of a whole run, for the exact mode.
fn exact(study: &Study, sampler: &Sampler, values: &[f64]) -> Result<Vec<Headline>> {
    let names = sampler.names();
    let params = study
        .params
        .with_values(names.iter().copied().zip(values.iter().copied()))?;
    let study = Study {
        params,
        ..study.clone()
    };
    Ok(crate::results::run(&study)?.headline)
}

/// Evaluate parameter sets: `(id, values of the uncertain parameters in
/// [`Sampler::names`] order)`; one row per set and year, with the values (one column each)
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
            format!(
                "set {i} has {} values for {k} uncertain parameters",
                v.len()
            ),
        ));
    }
    let rows: Vec<(u64, Vec<f64>, Vec<Headline>)> = sets
        .into_par_iter()
        .map(|(i, values)| {
            let headline = match fast {
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
fn frame(names: &[&str], rows: &[(u64, Vec<f64>, Vec<Headline>)]) -> Result<DataFrame> {
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
            (*name).into(),
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

    #[test]
    fn draws_are_identical_for_one_and_two_threads() {
        let study = Study::example("aura").unwrap();
        let fast = FastModel::new(&study).unwrap();
        let sampler = Sampler::new(&study.params).unwrap();
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
        let sampler = Sampler::new(&study.params).unwrap();
        let df = draws(&study, None, &sampler, 3, 5, 6).unwrap();
        let values = sampler.draw(3, 5);
        let names = sampler.names();
        let params = study
            .params
            .with_values(names.iter().copied().zip(values.iter().copied()))
            .unwrap();
        let run = crate::results::run(&Study {
            params,
            ..study.clone()
        })
        .unwrap();
        assert_eq!(col(&df, "direct_fte"), col(&run.summary, "direct_fte"));
        assert_eq!(
            col(&df, "line_efficiency"),
            vec![values[names.iter().position(|n| *n == "line_efficiency").unwrap()]]
        );
    }
}
