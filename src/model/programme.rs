//! The programme year by year: who makes what (the allocation LP), who must be hired, and
//! when everything is delivered (the schedule).
//!
//! For each year of the scenario, in order (ARCHITECTURE.md, "Allocation" and "Schedule"):
//!
//! 1. The Région orders `order_weeks_before_rentree` weeks before the rentrée of the year;
//!    the workshops order fabric the same day. The deadline is the rentrée.
//! 2. Each surveyed workshop has its programme operators: the FTE it offers (operators ×
//!    programme share × hours / 35 h), plus the operators it hired in earlier years, plus the
//!    trainees of its training centre who finished training ([`Growth`]). Its capacity is what
//!    those operators can make and still deliver before the deadline
//!    ([`minutes_by_deadline`]: fabric lead time, line setting, ramp-up, August closure,
//!    personalisation, delivery), in standard minutes.
//! 3. The allocation LP ([`allocate`]) spreads the demand (product × département) over the
//!    workshops at least cost (piece cost + transport); what they cannot make in time is
//!    unmet.
//! 4. If pieces are unmet, workshops hire, each at most its stated `can_hire` a year: the LP
//!    is solved again with their capacity at operators + `can_hire`, and each hires the
//!    whole operators its allocated work needs beyond what it had (hires are kept).
//! 5. Pieces still unmet go to *new capacity*: a new workshop on default terms (SMIC, default
//!    efficiency and overhead), with the operators needed to make them in time. Those
//!    operators, with the year's hires, are the hiring needed to meet the deadline.
//! 6. Each workshop is scheduled with its allocated volume; the makespan is the calendar days
//!    from the order to the last delivery *by the surveyed workshops (with their hires) alone*:
//!    when pieces were unmet, each workshop able to make a product takes a share of them in
//!    proportion to its capacity, which tells how late the programme would be without new
//!    capacity. The programme is on time when nothing is unmet.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};

use crate::data::tables::{Product, Workshop};
use crate::error::{Error, Result};
use crate::model::allocate::{allocate, problem_for_year, Allocation, AllocationProblem};
use crate::model::capacity::capacity;
use crate::model::cost::{piece_cost, WorkshopTerms};
use crate::model::demand::DemandRow;
use crate::model::schedule::{
    minutes_by_deadline, schedule, Calendar, Growth, RampUp, ScheduleInput, ScheduleResult,
    ScheduleSettings,
};
use crate::params::ModelParams;

/// Workshop id of the pieces no surveyed workshop can make in time.
pub const NEW_CAPACITY: &str = "(new capacity)";

/// Safety margin on capacity: the LP may fill a workshop to the last minute, and the day by
/// day schedule must still finish on time despite rounding.
const CAPACITY_MARGIN: f64 = 1e-9;

/// Pieces below this (relative to the year's demand) count as nothing unmet.
const UNMET_TOLERANCE: f64 = 1e-9;

/// Internal: the engine's price of a piece no option can deliver; never shown. It only
/// makes the allocation LP prefer every piece a workshop can make in time (not a study
/// parameter: what cannot be delivered is reported late, never priced).
const UNMET_PENALTY_EUR_PER_PIECE: f64 = 1e6;

/// Calendar and schedule settings from the parameters.
#[derive(Debug, Clone)]
pub struct Timing {
    /// The workshops' calendar (shared: it is built once per August closure).
    pub calendar: Arc<Calendar>,
    /// Line setting, ramp-up, personalisation, delivery.
    pub settings: ScheduleSettings,
    /// Weeks between the order and the rentrée.
    pub order_weeks: u32,
    /// Calendar days from fabric order to fabric at the workshop.
    pub fabric_lead_days: u32,
    /// Months before a trainee works.
    pub training_months: u32,
}

/// A parameter read as a whole number (days, weeks, months): rounded to the nearest.
fn whole(name: &str, v: f64) -> Result<u32> {
    if v.is_finite() && v >= 0.0 && v <= f64::from(u32::MAX) {
        Ok(v.round() as u32)
    } else {
        Err(Error::parameter(
            name,
            format!("{v}: must be a whole number ≥ 0"),
        ))
    }
}

impl Timing {
    /// Read the timing parameters.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a value outside its domain (e.g. an August closure of more
    /// than 8 weeks, a ramp-up whose reach fraction is below its start).
    pub fn new(m: &ModelParams) -> Result<Self> {
        let weeks = whole("august_closure_weeks", m.august_closure_weeks)?;
        Self::with_calendar(m, |_| Ok(Arc::new(Calendar::new(weeks)?)))
    }

    /// As [`Timing::new`], the calendar given by `calendar(august_closure_weeks)` (a cache).
    ///
    /// # Errors
    /// As [`Timing::new`].
    pub fn with_calendar(
        m: &ModelParams,
        calendar: impl FnOnce(u32) -> Result<Arc<Calendar>>,
    ) -> Result<Self> {
        let ramp_up = RampUp {
            start_fraction: m.ramp_up_start_fraction,
            reach_fraction: m.ramp_up_reach_fraction,
            reach_days: m.ramp_up_reach_days,
        };
        ramp_up.validate()?;
        Ok(Timing {
            calendar: calendar(whole("august_closure_weeks", m.august_closure_weeks)?)?,
            settings: ScheduleSettings {
                relaxation_hours: ScheduleSettings::default().relaxation_hours,
                line_setting_days: whole("line_setting_days", m.line_setting_days)?,
                ramp_up,
                personalisation_days: whole("personalisation_days", m.personalisation_days)?,
                delivery_days: whole("delivery_days", m.delivery_days)?,
            },
            order_weeks: whole("order_weeks_before_rentree", m.order_weeks_before_rentree)?,
            fabric_lead_days: whole("fabric_lead_days", m.fabric_lead_days)?,
            training_months: whole("training_months", m.training_months)?,
        })
    }

    /// Order date and deadline (the rentrée) of `year`.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a year outside the holiday table.
    pub fn window(&self, year: i32) -> Result<(NaiveDate, NaiveDate)> {
        let rentree = self.calendar.rentree(year)?;
        let order = rentree
            .checked_sub_days(Days::new(7 * u64::from(self.order_weeks)))
            .ok_or_else(|| Error::parameter("order_weeks_before_rentree", "date underflow"))?;
        Ok((order, rentree))
    }
}

/// One surveyed workshop (or the new capacity) in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkshopYear {
    /// Workshop id ([`NEW_CAPACITY`] for the new capacity).
    pub workshop: String,
    /// Département of the workshop (`None` for the new capacity).
    pub departement: Option<String>,
    /// Operators (FTE) working for the programme this year, hires included.
    pub operators: f64,
    /// FTE the survey's own operators offer the programme (0 for the new capacity).
    pub offered: f64,
    /// Operators hired this year.
    pub hired: u32,
    /// Operators hired this year and in earlier years.
    pub hired_total: u32,
    /// Trainees of its training centre working as operators this year.
    pub trainees: u32,
    /// Standard minutes it can make before the deadline with `operators`.
    pub minutes_available: f64,
    /// Standard minutes allocated.
    pub minutes_used: f64,
    /// Pieces allocated.
    pub pieces: f64,
    /// Shadow price of its capacity: EUR saved by one more standard minute (0 when slack).
    pub shadow_eur_per_min: f64,
    /// Its schedule, if it makes anything.
    pub schedule: Option<ScheduleResult>,
}

/// One (workshop, product, département) flow with its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRow {
    /// Index in the study's workshops, `None` for the new capacity.
    pub workshop: Option<usize>,
    /// Product id.
    pub product: String,
    /// School département.
    pub departement: String,
    /// Pieces.
    pub pieces: f64,
    /// Cost in the LP: piece cost (before margin and VAT) + transport (EUR/piece).
    pub eur_per_piece: f64,
}

/// One year of the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct YearPlan {
    /// Year (of the rentrée).
    pub year: i32,
    /// Order date.
    pub order_date: NaiveDate,
    /// Deadline (the rentrée).
    pub deadline: NaiveDate,
    /// Surveyed workshops, in survey order, then the new capacity if any pieces are unmet.
    pub workshops: Vec<WorkshopYear>,
    /// Flows, new capacity included.
    pub flows: Vec<FlowRow>,
    /// Pieces the surveyed workshops (with hires) cannot make in time, by product and
    /// département.
    pub unmet: Vec<(String, String, f64)>,
    /// Marginal cost of one more piece of each demand row (product, département), EUR.
    pub demand_shadow: Vec<(String, String, f64)>,
    /// LP objective of the final solve (EUR).
    pub objective_eur: f64,
    /// Operators the new capacity needs.
    pub new_capacity_operators: u32,
    /// Everything delivered before the deadline by the surveyed workshops with their hires.
    pub on_time: bool,
    /// Calendar days from the order to the last delivery by the surveyed workshops alone
    /// (`None` if they could not make it at all, e.g. no workshop makes a product).
    pub makespan_days: Option<i64>,
    /// Date of that last delivery.
    pub delivered: Option<NaiveDate>,
    /// Standard minutes each surveyed workshop makes in that case (its allocation plus its
    /// share of the unmet pieces; `None` as for `makespan_days`).
    pub alone_minutes: Option<Vec<f64>>,
}

impl YearPlan {
    /// Operators hired this year by the surveyed workshops.
    pub fn hired(&self) -> u32 {
        self.workshops.iter().map(|w| w.hired).sum()
    }

    /// Operators that must be hired or trained this year to deliver on time: the surveyed
    /// workshops' hires plus the new capacity.
    pub fn hiring_needed_for_deadline(&self) -> u32 {
        self.hired() + self.new_capacity_operators
    }

    /// Pieces unmet by the surveyed workshops.
    pub fn unmet_pieces(&self) -> f64 {
        self.unmet.iter().map(|u| u.2).sum()
    }
}

/// The per-workshop facts that do not change from year to year.
struct Maker {
    /// Programme operators offered (FTE).
    offered: f64,
    growth: Growth,
    template: ScheduleInput,
}

/// A workshop's schedule input without volume, operators or dates: FTE operators of 35 h
/// over 5 days, present `1 − absenteeism` of the time.
pub(crate) fn template(
    id: &str,
    efficiency: f64,
    m: &ModelParams,
    fabric_lead_days: u32,
) -> ScheduleInput {
    ScheduleInput {
        workshop: id.to_owned(),
        pieces: 0.0,
        minutes_per_piece: 1.0,
        operators: 1.0,
        availability: 1.0 - m.absenteeism,
        // Operators are full-time equivalents of 35 h a week, 5 days.
        hours_per_day: crate::model::cost::LEGAL_WEEK_H / 5.0,
        efficiency,
        order_date: NaiveDate::MIN,
        fabric_lead_days,
        deadline: None,
    }
}

/// Plan every year of the programme.
///
/// `demand` holds the rows of every year; `years` are the scenario's years, increasing.
///
/// # Errors
/// [`Error::Parameter`] for bad timing parameters or a year outside the holiday table;
/// [`Error::Study`] from the allocation (e.g. a demanded product missing from the catalog).
pub fn plan(
    workshops: &[Workshop],
    catalog: &[Product],
    demand: &[DemandRow],
    years: &[i32],
    m: &ModelParams,
) -> Result<Vec<YearPlan>> {
    let timing = Timing::new(m)?;
    let makers: Vec<Maker> = workshops
        .iter()
        .map(|w| Maker {
            offered: capacity(w, m).offered_fte,
            growth: Growth {
                can_hire_per_year: w.can_hire,
                trainees_per_year: if w.training_centre { w.trainees } else { 0 },
                training_months: timing.training_months,
            },
            template: template(
                &w.id,
                WorkshopTerms::of(Some(w), m).efficiency,
                m,
                timing.fabric_lead_days,
            ),
        })
        .collect();
    let default_terms = WorkshopTerms::of(None, m);
    let new_template = template(
        NEW_CAPACITY,
        default_terms.efficiency,
        m,
        timing.fabric_lead_days,
    );
    let mut hired_so_far = vec![0u32; workshops.len()];
    let first_year = years.first().copied().unwrap_or_default();
    let mut plans = Vec::with_capacity(years.len());
    for &year in years {
        if !demand.iter().any(|r| r.year == year && r.pieces > 0.0) {
            continue;
        }
        let k = u32::try_from(year - first_year).unwrap_or(0);
        plans.push(plan_year(
            workshops,
            catalog,
            demand,
            year,
            k,
            m,
            &timing,
            &makers,
            &new_template,
            &default_terms,
            &mut hired_so_far,
        )?);
    }
    Ok(plans)
}

#[allow(clippy::too_many_arguments)]
fn plan_year(
    workshops: &[Workshop],
    catalog: &[Product],
    demand: &[DemandRow],
    year: i32,
    k: u32,
    m: &ModelParams,
    timing: &Timing,
    makers: &[Maker],
    new_template: &ScheduleInput,
    default_terms: &WorkshopTerms,
    hired_so_far: &mut [u32],
) -> Result<YearPlan> {
    let (order_date, deadline) = timing.window(year)?;
    let dated = |t: &ScheduleInput| ScheduleInput {
        order_date,
        deadline: Some(deadline),
        ..t.clone()
    };
    let cal = &timing.calendar;
    let settings = &timing.settings;
    // Standard minutes one operator of each workshop makes in time.
    let per_operator: Vec<f64> = makers
        .iter()
        .map(|mk| minutes_by_deadline(&dated(&mk.template), settings, cal))
        .collect::<Result<_>>()?;
    let trainees: Vec<u32> = makers
        .iter()
        .map(|mk| mk.growth.trainees_working(k))
        .collect();
    let operators: Vec<f64> = (0..makers.len())
        .map(|i| makers[i].offered + f64::from(hired_so_far[i]) + f64::from(trainees[i]))
        .collect();

    let mut problem = problem_for_year(
        workshops,
        catalog,
        demand,
        year,
        m,
        m.transport_eur_per_piece_km,
        UNMET_PENALTY_EUR_PER_PIECE,
    )?;
    let with_capacity = |problem: &mut AllocationProblem, ops: &[f64]| {
        problem.minutes_available = ops
            .iter()
            .zip(&per_operator)
            .map(|(o, c)| o * c * (1.0 - CAPACITY_MARGIN))
            .collect();
    };
    let total: f64 = problem.demand.iter().map(|d| d.2).sum();
    let demand_minutes: f64 = problem
        .demand
        .iter()
        .map(|d| d.2 * problem.minutes_per_piece[d.0])
        .sum();
    let available: f64 = operators
        .iter()
        .zip(&per_operator)
        .map(|(o, c)| o * c)
        .sum();
    let can_hire = makers.iter().any(|mk| mk.growth.can_hire_per_year > 0);
    let mut hired = vec![0u32; makers.len()];
    let mut operators = operators;
    // Without hires the workshops cannot make everything (less capacity than work, so
    // pieces are unmet whatever the allocation): go straight to the solve with hires.
    let mut allocation = if can_hire && available < demand_minutes {
        None
    } else {
        with_capacity(&mut problem, &operators);
        Some(allocate(&problem)?)
    };
    let short = allocation
        .as_ref()
        .is_none_or(|a| a.unmet_pieces() > UNMET_TOLERANCE * total);
    if short && can_hire {
        let most: Vec<f64> = (0..makers.len())
            .map(|i| operators[i] + f64::from(makers[i].growth.can_hire_per_year))
            .collect();
        with_capacity(&mut problem, &most);
        let a = allocate(&problem)?;
        for i in 0..makers.len() {
            if per_operator[i] <= 0.0 {
                continue;
            }
            let needed =
                a.minutes_used[i] / (per_operator[i] * (1.0 - CAPACITY_MARGIN)) - operators[i];
            let h = (needed - 1e-9).ceil().max(0.0) as u32;
            hired[i] = h.min(makers[i].growth.can_hire_per_year);
            operators[i] += f64::from(hired[i]);
            hired_so_far[i] += hired[i];
        }
        // Capacity as hired (whole operators). The solution with every possible hire stays
        // optimal, primal and dual: it fits the smaller capacities (each workshop hired
        // what its work needs, rounded up), and a workshop that did not hire all it could
        // had slack capacity, hence a zero shadow price, in both problems.
        with_capacity(&mut problem, &operators);
        allocation = Some(a);
    }
    let allocation = match allocation {
        Some(a) => a,
        None => {
            with_capacity(&mut problem, &operators);
            allocate(&problem)?
        }
    };
    assemble(
        workshops,
        catalog,
        m,
        timing,
        &problem,
        &allocation,
        YearContext {
            year,
            order_date,
            deadline,
            operators: &operators,
            hired: &hired,
            hired_total: hired_so_far,
            trainees: &trainees,
            makers,
            new_template,
            default_terms,
        },
    )
}

struct YearContext<'a> {
    year: i32,
    order_date: NaiveDate,
    deadline: NaiveDate,
    operators: &'a [f64],
    hired: &'a [u32],
    hired_total: &'a [u32],
    trainees: &'a [u32],
    makers: &'a [Maker],
    new_template: &'a ScheduleInput,
    default_terms: &'a WorkshopTerms,
}

fn assemble(
    workshops: &[Workshop],
    catalog: &[Product],
    m: &ModelParams,
    timing: &Timing,
    problem: &AllocationProblem,
    allocation: &Allocation,
    cx: YearContext<'_>,
) -> Result<YearPlan> {
    let cal = &timing.calendar;
    let settings = &timing.settings;
    let dated = |t: &ScheduleInput, pieces: f64, minutes: f64, operators: f64| ScheduleInput {
        order_date: cx.order_date,
        deadline: Some(cx.deadline),
        pieces,
        minutes_per_piece: if pieces > 0.0 { minutes / pieces } else { 1.0 },
        operators,
        ..t.clone()
    };
    let cost_of: HashMap<(usize, usize, usize), f64> = problem
        .costs
        .iter()
        .map(|&(w, p, d, c)| ((w, p, d), c))
        .collect();
    let mut flows: Vec<FlowRow> = allocation
        .flows
        .iter()
        .map(|f| {
            let cost = cost_of
                .get(&(f.workshop, f.product, f.departement))
                .copied()
                .ok_or_else(|| Error::Internal("allocated flow without a cost entry".into()))?;
            Ok(FlowRow {
                workshop: Some(f.workshop),
                product: problem.products[f.product].clone(),
                departement: problem.departements[f.departement].clone(),
                pieces: f.pieces,
                eur_per_piece: cost,
            })
        })
        .collect::<Result<_>>()?;
    let mut rows = Vec::with_capacity(workshops.len() + 1);
    for (i, w) in workshops.iter().enumerate() {
        let pieces = allocation.pieces_made[i];
        let used = allocation.minutes_used[i];
        let schedule = if pieces > 0.0 {
            Some(schedule(
                &dated(&cx.makers[i].template, pieces, used, cx.operators[i]),
                settings,
                cal,
            )?)
        } else {
            None
        };
        rows.push(WorkshopYear {
            workshop: w.id.clone(),
            departement: Some(w.departement.clone()),
            operators: cx.operators[i],
            offered: cx.makers[i].offered,
            hired: cx.hired[i],
            hired_total: cx.hired_total[i],
            trainees: cx.trainees[i],
            minutes_available: problem.minutes_available[i],
            minutes_used: used,
            pieces,
            shadow_eur_per_min: allocation.capacity_shadow_eur_per_min[i],
            schedule,
        });
    }
    let total: f64 = problem.demand.iter().map(|d| d.2).sum();
    let unmet: Vec<(String, String, f64)> = allocation
        .unmet
        .iter()
        .map(|u| {
            (
                problem.products[u.product].clone(),
                problem.departements[u.departement].clone(),
                u.value,
            )
        })
        .collect();
    let unmet_total: f64 = unmet.iter().map(|u| u.2).sum();
    let mut new_capacity_operators = 0;
    if unmet_total > UNMET_TOLERANCE * total {
        // New capacity on default terms, enough operators to make the unmet pieces in time.
        let unmet_minutes: f64 = allocation
            .unmet
            .iter()
            .map(|u| u.value * problem.minutes_per_piece[u.product])
            .sum();
        let per_op = minutes_by_deadline(&dated(cx.new_template, 0.0, 0.0, 1.0), settings, cal)?;
        if per_op <= 0.0 {
            return Err(Error::parameter(
                "order_weeks_before_rentree",
                format!(
                    "{}: the order leaves no production day before the rentrée {} once fabric \
                     lead time, personalisation and delivery are counted",
                    cx.year, cx.deadline
                ),
            ));
        }
        new_capacity_operators = ((unmet_minutes / per_op) - 1e-9).ceil().max(1.0) as u32;
        let ops = f64::from(new_capacity_operators);
        let schedule = schedule(
            &dated(cx.new_template, unmet_total, unmet_minutes, ops),
            settings,
            cal,
        )?;
        for u in allocation.unmet.iter().filter(|u| u.value > 0.0) {
            let product = &catalog
                .iter()
                .find(|p| p.id == problem.products[u.product])
                .ok_or_else(|| Error::Internal("unmet product not in the catalog".into()))?;
            flows.push(FlowRow {
                workshop: None,
                product: product.id.clone(),
                departement: problem.departements[u.departement].clone(),
                pieces: u.value,
                eur_per_piece: piece_cost(product, cx.default_terms, m).cost_eur,
            });
        }
        rows.push(WorkshopYear {
            workshop: NEW_CAPACITY.into(),
            departement: None,
            operators: ops,
            offered: 0.0,
            hired: 0,
            hired_total: 0,
            trainees: 0,
            minutes_available: ops * per_op,
            minutes_used: unmet_minutes,
            pieces: unmet_total,
            shadow_eur_per_min: 0.0,
            schedule: Some(schedule),
        });
    }
    let on_time = unmet_total <= UNMET_TOLERANCE * total
        && rows
            .iter()
            .filter_map(|r| r.schedule.as_ref())
            .all(|s| s.on_time);
    let alone = alone_minutes(workshops, problem, allocation);
    let delivered = if on_time {
        rows.iter()
            .filter_map(|r| r.schedule.as_ref())
            .map(|s| s.delivered)
            .max()
    } else {
        last_delivery(alone.as_deref(), &cx, settings, cal)?
    };
    Ok(YearPlan {
        year: cx.year,
        order_date: cx.order_date,
        deadline: cx.deadline,
        workshops: rows,
        flows,
        unmet,
        demand_shadow: allocation
            .demand_shadow_eur_per_piece
            .iter()
            .map(|d| {
                (
                    problem.products[d.product].clone(),
                    problem.departements[d.departement].clone(),
                    d.value,
                )
            })
            .collect(),
        objective_eur: allocation.objective_eur,
        new_capacity_operators,
        on_time,
        makespan_days: delivered.map(|d| (d - cx.order_date).num_days()),
        delivered,
        alone_minutes: alone,
    })
}

/// Standard minutes each surveyed workshop would make if the surveyed workshops alone made
/// everything: its allocation, plus a share of each product's unmet pieces in proportion to
/// its capacity among the workshops able to make the product. `None` when a product has
/// unmet pieces and no able workshop.
fn alone_minutes(
    workshops: &[Workshop],
    problem: &AllocationProblem,
    allocation: &Allocation,
) -> Option<Vec<f64>> {
    let n = workshops.len();
    let mut minutes = allocation.minutes_used.clone();
    let mut unmet_by_product = vec![0.0; problem.products.len()];
    for u in &allocation.unmet {
        unmet_by_product[u.product] += u.value;
    }
    for (p, &q) in unmet_by_product.iter().enumerate() {
        if q <= 0.0 {
            continue;
        }
        let able: Vec<usize> = (0..n)
            .filter(|&i| {
                problem.minutes_available[i] > 0.0
                    && workshops[i].products.contains(&problem.products[p])
            })
            .collect();
        let cap: f64 = able.iter().map(|&i| problem.minutes_available[i]).sum();
        if able.is_empty() || cap <= 0.0 {
            return None;
        }
        for &i in &able {
            minutes[i] += q * problem.minutes_available[i] / cap * problem.minutes_per_piece[p];
        }
    }
    Some(minutes)
}

/// Last delivery of the surveyed workshops making `minutes` (standard minutes each) with
/// the year's operators. `None` when `minutes` is, or the work runs past the holiday table.
fn last_delivery(
    minutes: Option<&[f64]>,
    cx: &YearContext<'_>,
    settings: &ScheduleSettings,
    cal: &Calendar,
) -> Result<Option<NaiveDate>> {
    let Some(minutes) = minutes else {
        return Ok(None);
    };
    let mut last: Option<NaiveDate> = None;
    for (i, &work) in minutes.iter().enumerate().filter(|(_, &w)| w > 0.0) {
        let input = ScheduleInput {
            order_date: cx.order_date,
            deadline: Some(cx.deadline),
            pieces: work,
            minutes_per_piece: 1.0,
            operators: cx.operators[i],
            ..cx.makers[i].template.clone()
        };
        match schedule(&input, settings, cal) {
            Ok(s) => last = last.max(Some(s.delivered)),
            // Beyond the holiday table: the surveyed workshops cannot make it in any
            // reasonable time.
            Err(Error::Parameter { .. }) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demand::demand;
    use crate::study::Study;

    fn plans(name: &str) -> Vec<YearPlan> {
        let s = Study::example(name).unwrap();
        let m = s.params.model();
        let rows = demand(&s.establishments, &s.scenario);
        plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m).unwrap()
    }

    #[test]
    fn pilot_is_on_time_for_rentree_2024() {
        let p = plans("aura-pilot");
        assert_eq!(p.len(), 1);
        let y = &p[0];
        assert_eq!(y.year, 2024);
        // Rentrée 2024: Monday 2 September.
        assert_eq!(y.deadline, NaiveDate::from_ymd_opt(2024, 9, 2).unwrap());
        assert!(y.on_time, "{y:?}");
        assert_eq!(y.unmet_pieces(), 0.0);
        assert_eq!(y.hiring_needed_for_deadline(), 0);
        let made: f64 = y.flows.iter().map(|f| f.pieces).sum();
        assert!((made - 15_000.0).abs() < 1e-6, "{made}");
        assert!(y.delivered.unwrap() < y.deadline);
    }

    #[test]
    fn full_rollout_needs_new_capacity_and_every_piece_is_made_in_time() {
        let p = plans("aura");
        assert_eq!(p.len(), 4);
        let last = p.last().unwrap();
        // 556 FTE offered cannot make 7.5 M pieces: new capacity is needed.
        assert!(!last.on_time);
        assert!(
            last.new_capacity_operators > 1_000,
            "{}",
            last.new_capacity_operators
        );
        // Allocation + unmet = demand, and the new capacity delivers on time.
        let made: f64 = last.flows.iter().map(|f| f.pieces).sum();
        assert!((made - 7.5e6).abs() / 7.5e6 < 0.01, "{made}");
        for w in &last.workshops {
            assert!(
                w.minutes_used <= w.minutes_available * (1.0 + 1e-9),
                "{w:?}"
            );
            if let Some(s) = &w.schedule {
                assert!(s.on_time, "{w:?}");
            }
        }
        // Without new capacity the surveyed workshops deliver after the rentrée.
        assert!(last.delivered.is_none_or(|d| d > last.deadline));
        // Hires are kept from one year to the next and never exceed can_hire a year.
        let s = Study::example("aura").unwrap();
        for (i, w) in s.workshops.iter().enumerate() {
            let total: u32 = p.iter().map(|y| y.workshops[i].hired).sum();
            assert!(total <= w.can_hire * 4);
        }
    }

    #[test]
    fn minutes_by_deadline_by_hand() {
        // One operator, no ramp-up, 7 h/day, 100 % availability and efficiency: the minutes
        // are 420 × the working days from production start to the last day whose
        // personalisation and delivery end before the deadline.
        let cal = Calendar::new(0).unwrap();
        let settings = ScheduleSettings {
            relaxation_hours: 0,
            line_setting_days: 0,
            ramp_up: RampUp::NONE,
            personalisation_days: 0,
            delivery_days: 0,
        };
        let input = ScheduleInput {
            workshop: "w".into(),
            pieces: 0.0,
            minutes_per_piece: 1.0,
            operators: 1.0,
            availability: 1.0,
            hours_per_day: 7.0,
            efficiency: 1.0,
            // Monday 2 June 2025; deadline Monday 16 June 2025: working days 2-13 June
            // = 10 weekdays, minus lundi de Pentecôte (9 June) = 9.
            order_date: NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
            fabric_lead_days: 0,
            deadline: Some(NaiveDate::from_ymd_opt(2025, 6, 16).unwrap()),
        };
        let minutes = minutes_by_deadline(&input, &settings, &cal).unwrap();
        assert_eq!(minutes, 9.0 * 420.0);
        // And that volume, scheduled, finishes on the last of those days, on time.
        let s = schedule(
            &ScheduleInput {
                pieces: minutes,
                ..input.clone()
            },
            &settings,
            &cal,
        )
        .unwrap();
        assert!(s.on_time);
        assert_eq!(s.finish, NaiveDate::from_ymd_opt(2025, 6, 13).unwrap());
        // One more minute is late.
        let late = schedule(
            &ScheduleInput {
                pieces: minutes + 1.0,
                ..input
            },
            &settings,
            &cal,
        )
        .unwrap();
        assert!(!late.on_time);
    }

    #[test]
    fn halving_operators_never_shortens_the_makespan() {
        let s = Study::example("aura-pilot").unwrap();
        let m = s.params.model();
        let rows = demand(&s.establishments, &s.scenario);
        let full = plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m).unwrap();
        let mut half = s.workshops.clone();
        for w in &mut half {
            w.operators /= 2;
        }
        let halved = plan(&half, &s.catalog, &rows, &s.scenario.years, &m).unwrap();
        let days = |p: &[YearPlan]| p[0].makespan_days.unwrap_or(i64::MAX);
        assert!(days(&halved) >= days(&full));
    }
}
