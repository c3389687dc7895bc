//! The programme year by year: where the pieces come from (the allocation), who must be
//! recruited, and when everything is delivered (the schedule).
//!
//! For each year of the scenario, in order (ARCHITECTURE.md, "Allocation" and "Schedule"):
//!
//! 1. The Région orders `order_weeks_before_rentree` weeks before the rentrée of the year;
//!    the workshops order fabric the same day. The deadline is the rentrée.
//! 2. The sources ([`Source`]), each with the standard minutes it can make and still deliver
//!    before the deadline ([`minutes_by_deadline`]: fabric lead time, line setting, ramp-up,
//!    August closure, personalisation, delivery):
//!    - each surveyed workshop's operators: the FTE it offers, the operators it hired in
//!      earlier years, and the trainees of its training centre who finished ([`Growth`]);
//!    - the operators it may hire this year (its stated `can_hire`), at its own terms plus
//!      the recruitment and training of an operator amortised into its overhead;
//!    - new regional capacity: operators recruited in earlier years, at the default terms
//!      with the workstation investment and the recruitment amortised; and this year's
//!      recruits, at `new_capacity_efficiency_fraction` of the default efficiency, producing
//!      `new_capacity_lead_months` after the programme's launch (the first order) at the
//!      earliest, at most `new_capacity_max_operators_per_year` a year since the launch;
//!    - imports at the catalog's `import_price_eur × import_price_factor`, at most
//!      `1 − local_content_min` of each product's pieces (none by default).
//! 3. The allocation ([`allocate`], an exact network simplex) spreads the demand (product ×
//!    département) over the sources at least cost (piece cost + transport; imports compared
//!    on the price the Région pays). What no source can deliver in time is unmet: the
//!    programme is late. The engine prices an unmet piece at an internal penalty that no
//!    reported figure carries (prices it would set are NaN).
//! 4. Workshops hire the whole operators their allocated work needs beyond what they had;
//!    new capacity recruits the whole operators its work needs (both are kept in later
//!    years). The hiring needed for the deadline is the year's hires plus its recruits.
//! 5. Each workshop, and the new capacity, is scheduled with its volume. When pieces are
//!    unmet, each surveyed workshop able to make a product takes a share of them in
//!    proportion to its capacity, which tells how late the programme is.

use std::sync::Arc;

use chrono::{Days, NaiveDate};

use crate::data::tables::{Product, Workshop};
use crate::error::{Error, Result};
use crate::model::allocate::{allocate, problem_for_year, Allocation, AllocationProblem};
use crate::model::capacity::capacity;
use crate::model::cost::{
    hire_terms, import_piece_cost, new_capacity_terms, piece_cost, PieceCost, WorkshopTerms,
};
use crate::model::demand::DemandRow;
use crate::model::schedule::{
    minutes_by_deadline, schedule, Calendar, Growth, RampUp, ScheduleInput, ScheduleResult,
    ScheduleSettings,
};
use crate::params::ModelParams;

/// Workshop id of new regional capacity: operators recruited and trained for the programme.
pub const NEW_CAPACITY: &str = "(new capacity)";

/// Workshop id of imported pieces in the allocation table.
pub const IMPORT: &str = "(import)";

/// Workshop id of late pieces (no source can deliver them in time) in the allocation table.
pub const LATE: &str = "(late)";

/// Safety margin on capacity: the LP may fill a workshop to the last minute, and the day by
/// day schedule must still finish on time despite rounding.
const CAPACITY_MARGIN: f64 = 1e-9;

/// The engine's price of a piece no source can deliver in time (EUR/piece): far above any
/// source, so that every piece that can be delivered is. It is internal: no figure a user
/// sees is priced by it (the demand shadow price of a row with unmet pieces is NaN).
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
        Self::with_calendar(m, |_| Calendar::shared(weeks))
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
    /// Shadow price of its capacity: EUR saved by one more standard minute against the
    /// next-best source (0 when slack; NaN when the year is short of every source, so that
    /// one more minute would make a late piece on time rather than save euros).
    pub shadow_eur_per_min: f64,
    /// Its schedule, if it makes anything.
    pub schedule: Option<ScheduleResult>,
}

/// Where a piece comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A surveyed workshop's operators (offered, hired in earlier years, trainees); the
    /// index is in the study's workshops.
    Workshop(usize),
    /// The operators a surveyed workshop hires this year, within its stated `can_hire`.
    Hires(usize),
    /// New regional capacity: operators recruited and trained in new workshops or lines in
    /// earlier years, at the default efficiency.
    NewCapacity,
    /// New regional capacity recruited this year: still learning
    /// (`new_capacity_efficiency_fraction`), and producing only after
    /// `new_capacity_lead_months`.
    NewRecruits,
    /// Imported, personalised and delivered.
    Import,
    /// Pieces no source can deliver before the rentrée: late. Their cost and labour are
    /// counted as if this year's recruits of new capacity made them after the deadline.
    Late,
}

impl Source {
    /// The surveyed workshop, if any.
    pub fn workshop(self) -> Option<usize> {
        match self {
            Source::Workshop(i) | Source::Hires(i) => Some(i),
            Source::NewCapacity | Source::NewRecruits | Source::Import | Source::Late => None,
        }
    }

    /// The source's kind as the results name it: `surveyed`, `new_regional`, `imported` or
    /// `late` (a surveyed workshop's hires are `surveyed`).
    pub fn kind(self) -> &'static str {
        match self {
            Source::Workshop(_) | Source::Hires(_) => "surveyed",
            Source::NewCapacity | Source::NewRecruits => "new_regional",
            Source::Import => "imported",
            Source::Late => "late",
        }
    }

    /// Cost of a piece of `product` from this source (`None`: an import the catalog gives
    /// no price for). One function for the allocation, the results and the Monte Carlo.
    pub fn piece_cost(
        self,
        product: &Product,
        workshops: &[Workshop],
        m: &ModelParams,
    ) -> Option<PieceCost> {
        Some(match self {
            Source::Workshop(i) => {
                piece_cost(product, &WorkshopTerms::of(Some(&workshops[i]), m), m)
            }
            Source::Hires(i) => piece_cost(product, &hire_terms(&workshops[i], m), m),
            Source::NewCapacity => piece_cost(product, &new_capacity_terms(m, false), m),
            Source::NewRecruits | Source::Late => {
                piece_cost(product, &new_capacity_terms(m, true), m)
            }
            Source::Import => import_piece_cost(product, m)?,
        })
    }
}

/// One (source, product, département) flow with its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRow {
    /// Who makes the pieces.
    pub source: Source,
    /// Product id.
    pub product: String,
    /// School département.
    pub departement: String,
    /// Pieces.
    pub pieces: f64,
    /// Cost in the allocation (EUR/piece): the source's piece cost before margin and VAT
    /// plus transport; for imports, the import price before VAT ÷ (1 + margin), so that
    /// every source compares on the price the Région pays.
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
    /// Surveyed workshops, in survey order, then the new capacity if it has operators.
    pub workshops: Vec<WorkshopYear>,
    /// Flows of every source, late pieces included ([`Source::Late`]).
    pub flows: Vec<FlowRow>,
    /// Pieces no source can deliver before the deadline, by product and département.
    pub unmet: Vec<(String, String, f64)>,
    /// Marginal cost of one more piece of each demand row (product, département), EUR;
    /// NaN where pieces are unmet (the price would be the engine's internal penalty).
    pub demand_shadow: Vec<(String, String, f64)>,
    /// Operators of new regional capacity working this year (recruited this year or before).
    pub new_capacity_operators: u32,
    /// Operators of new regional capacity recruited and trained this year.
    pub new_capacity_hired: u32,
    /// Everything delivered before the deadline, all sources together.
    pub on_time: bool,
    /// Calendar days from the order to the last delivery (`None` if some pieces cannot be
    /// made at all, e.g. no workshop makes a product).
    pub makespan_days: Option<i64>,
    /// Date of that last delivery.
    pub delivered: Option<NaiveDate>,
    /// When pieces are unmet, the standard minutes each surveyed workshop would make if it
    /// took a share of them (its allocation plus a share of the unmet pieces of the products
    /// it makes, in proportion to its capacity): how late the programme would be. `None`
    /// when nothing is unmet or a product has no able workshop.
    pub alone_minutes: Option<Vec<f64>>,
}

impl YearPlan {
    /// Operators hired this year by the surveyed workshops.
    pub fn hired(&self) -> u32 {
        self.workshops
            .iter()
            .filter(|w| w.workshop != NEW_CAPACITY)
            .map(|w| w.hired)
            .sum()
    }

    /// Operators that must be recruited this year to deliver on time: the surveyed
    /// workshops' hires plus the operators of new regional capacity recruited this year.
    pub fn hiring_needed_for_deadline(&self) -> u32 {
        self.hired() + self.new_capacity_hired
    }

    /// Pieces no source can deliver in time.
    pub fn unmet_pieces(&self) -> f64 {
        self.unmet.iter().map(|u| u.2).sum()
    }

    /// Pieces from sources of one kind (`surveyed`, `new_regional`, `imported`).
    pub fn pieces_of(&self, kind: &str) -> f64 {
        self.flows
            .iter()
            .filter(|f| f.source.kind() == kind)
            .fold(0.0, |sum, f| sum + f.pieces)
    }

    /// Pieces by source.
    pub fn sourcing(&self) -> crate::headline::Sourcing {
        crate::headline::Sourcing {
            surveyed: self.pieces_of("surveyed"),
            new_regional: self.pieces_of("new_regional"),
            imported: self.pieces_of("imported"),
            late: self.pieces_of("late"),
        }
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

/// What carries over from one year to the next.
struct Carry {
    /// Operators each surveyed workshop hired so far.
    hired: Vec<u32>,
    /// Operators of new regional capacity recruited so far.
    new_capacity: u32,
}

/// The programme's fixed context.
struct Context<'a> {
    workshops: &'a [Workshop],
    catalog: &'a [Product],
    demand: &'a [DemandRow],
    m: &'a ModelParams,
    local_content_min: f64,
    timing: Timing,
    makers: Vec<Maker>,
    new_template: ScheduleInput,
    /// The same for operators in their first year (learning).
    learning_template: ScheduleInput,
    /// The programme's launch: the first year's order.
    launch: NaiveDate,
}

/// Plan every year of the programme.
///
/// `demand` holds the rows of every year; `years` are the scenario's years, increasing;
/// `local_content_min` is the smallest share of each product's pieces made in the region
/// (1: no imports).
///
/// # Errors
/// [`Error::Parameter`] for bad timing parameters or a year outside the holiday table, or a
/// `local_content_min` outside [0, 1]; [`Error::Study`] from the allocation (e.g. a
/// demanded product missing from the catalog).
pub fn plan(
    workshops: &[Workshop],
    catalog: &[Product],
    demand: &[DemandRow],
    years: &[i32],
    m: &ModelParams,
    local_content_min: f64,
) -> Result<Vec<YearPlan>> {
    if !(0.0..=1.0).contains(&local_content_min) {
        return Err(Error::parameter(
            "local_content_min",
            format!("{local_content_min}: must be a share in [0, 1]"),
        ));
    }
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
    let new_template = template(
        NEW_CAPACITY,
        new_capacity_terms(m, false).efficiency,
        m,
        timing.fabric_lead_days,
    );
    let learning_template = template(
        NEW_CAPACITY,
        new_capacity_terms(m, true).efficiency,
        m,
        timing.fabric_lead_days,
    );
    let first_year = years.first().copied().unwrap_or_default();
    let launch = match years.first() {
        Some(&y) => timing.window(y)?.0,
        None => NaiveDate::MIN,
    };
    let cx = Context {
        launch,
        workshops,
        catalog,
        demand,
        m,
        local_content_min,
        timing,
        makers,
        new_template,
        learning_template,
    };
    let mut carry = Carry {
        hired: vec![0; workshops.len()],
        new_capacity: 0,
    };
    let mut plans = Vec::with_capacity(years.len());
    for &year in years {
        if !demand.iter().any(|r| r.year == year && r.pieces > 0.0) {
            continue;
        }
        let k = u32::try_from(year - first_year).unwrap_or(0);
        plans.push(plan_year(&cx, year, k, &mut carry)?);
    }
    Ok(plans)
}

/// Whole operators that make `minutes` at `per_operator` minutes each (0 for none).
fn operators_for(minutes: f64, per_operator: f64) -> u32 {
    if minutes <= 0.0 || per_operator <= 0.0 {
        return 0;
    }
    (minutes / per_operator - 1e-9).ceil().max(0.0) as u32
}

fn plan_year(cx: &Context<'_>, year: i32, k: u32, carry: &mut Carry) -> Result<YearPlan> {
    let (workshops, m, timing) = (cx.workshops, cx.m, &cx.timing);
    let n = workshops.len();
    let (order_date, deadline) = timing.window(year)?;
    let dated = |t: &ScheduleInput| ScheduleInput {
        order_date,
        deadline: Some(deadline),
        ..t.clone()
    };
    let cal = &timing.calendar;
    let settings = &timing.settings;
    // Standard minutes one operator of each workshop makes in time.
    // Workshops differ only by efficiency here: compute each distinct one once.
    let mut by_efficiency: Vec<(u64, f64)> = Vec::new();
    let per_operator: Vec<f64> = cx
        .makers
        .iter()
        .map(|mk| {
            let key = mk.template.efficiency.to_bits();
            if let Some(&(_, v)) = by_efficiency.iter().find(|(k, _)| *k == key) {
                return Ok(v);
            }
            let v = minutes_by_deadline(&dated(&mk.template), settings, cal)?;
            by_efficiency.push((key, v));
            Ok(v)
        })
        .collect::<Result<_>>()?;
    let trainees: Vec<u32> = cx
        .makers
        .iter()
        .map(|mk| mk.growth.trainees_working(k))
        .collect();
    let mut operators: Vec<f64> = (0..n)
        .map(|i| cx.makers[i].offered + f64::from(carry.hired[i]) + f64::from(trainees[i]))
        .collect();
    // New capacity: its operators of earlier years work from the order; those recruited now
    // only after the set-up and training lead time.
    // The Région recruits ahead: from the programme's launch (the first order), a cohort of
    // at most `new_capacity_max_operators_per_year` a year, each operator producing
    // `new_capacity_lead_months` after the launch at the earliest.
    let nc_per_operator = minutes_by_deadline(&dated(&cx.new_template), settings, cal)?;
    let lead_days = (m.new_capacity_lead_months * 365.25 / 12.0)
        .round()
        .max(0.0) as i64;
    let ready = cx.launch + chrono::Duration::days(lead_days);
    let wait = u32::try_from((ready - order_date).num_days()).unwrap_or(0);
    let nc_new_per_operator = minutes_by_deadline(
        &ScheduleInput {
            fabric_lead_days: timing.fabric_lead_days.max(wait),
            ..dated(&cx.learning_template)
        },
        settings,
        cal,
    )?;
    let nc_max_new = (m.new_capacity_max_operators_per_year.max(0.0) * f64::from(k + 1)).floor()
        - f64::from(carry.new_capacity);
    let nc_max_new = nc_max_new.max(0.0);

    let mut problem = problem_for_year(
        workshops,
        cx.catalog,
        cx.demand,
        year,
        m,
        m.transport_eur_per_piece_km,
        UNMET_PENALTY_EUR_PER_PIECE,
    )?;
    let keep = 1.0 - CAPACITY_MARGIN;
    problem.minutes_available = (0..n)
        .map(|i| operators[i] * per_operator[i] * keep)
        .collect();
    let products: Vec<&Product> = problem
        .products
        .iter()
        .map(|id| {
            cx.catalog
                .iter()
                .find(|p| &p.id == id)
                .ok_or_else(|| Error::Internal(format!("product `{id}` not in the catalog")))
        })
        .collect::<Result<_>>()?;
    let mut sources: Vec<Source> = (0..n).map(Source::Workshop).collect();
    // Hires: the same arcs as the workshop's, dearer by the amortised recruitment.
    // The cost entries of each workshop (problem_for_year lists them workshop by workshop).
    let mut entries: Vec<std::ops::Range<usize>> = vec![0..0; n];
    let mut start = 0;
    while start < problem.costs.len() {
        let w = problem.costs[start].0;
        let end = start
            + problem.costs[start..]
                .iter()
                .take_while(|c| c.0 == w)
                .count();
        entries[w] = start..end;
        start = end;
    }
    for i in 0..n {
        let can_hire = cx.makers[i].growth.can_hire_per_year;
        if can_hire == 0 || per_operator[i] <= 0.0 {
            continue;
        }
        let node = sources.len();
        sources.push(Source::Hires(i));
        problem
            .workshops
            .push(format!("{} (hires)", workshops[i].id));
        problem
            .minutes_available
            .push(f64::from(can_hire) * per_operator[i] * keep);
        let extra: Vec<f64> = products
            .iter()
            .map(|p| {
                let base = Source::Workshop(i)
                    .piece_cost(p, workshops, m)
                    .map_or(0.0, |c| c.cost_eur);
                let hire = Source::Hires(i)
                    .piece_cost(p, workshops, m)
                    .map_or(0.0, |c| c.cost_eur);
                hire - base
            })
            .collect();
        for e in entries[i].clone() {
            let (w, p, d, c) = problem.costs[e];
            debug_assert_eq!(w, i);
            problem.costs.push((node, p, d, c + extra[p]));
        }
    }
    // New regional capacity, sited where the pupils are (no transport): the operators of
    // earlier years, and this year's recruits.
    let mut nc_nodes: Vec<(Source, usize)> = Vec::new();
    for (source, minutes) in [
        (
            Source::NewCapacity,
            f64::from(carry.new_capacity) * nc_per_operator * keep,
        ),
        (Source::NewRecruits, nc_max_new * nc_new_per_operator * keep),
    ] {
        if minutes <= 0.0 {
            continue;
        }
        let node = sources.len();
        sources.push(source);
        nc_nodes.push((source, node));
        problem.workshops.push(NEW_CAPACITY.into());
        problem.minutes_available.push(minutes);
        for (p, product) in products.iter().enumerate() {
            if let Some(c) = source.piece_cost(product, workshops, m) {
                for d in 0..problem.departements.len() {
                    problem.costs.push((node, p, d, c.cost_eur));
                }
            }
        }
    }
    // Imports, at most 1 − local_content_min of each product's pieces.
    let mut demand_of = vec![0.0; products.len()];
    for &(p, _, q) in &problem.demand {
        demand_of[p] += q;
    }
    for (p, product) in products.iter().enumerate() {
        let Some(c) = Source::Import.piece_cost(product, workshops, m) else {
            continue;
        };
        let most = (1.0 - cx.local_content_min) * demand_of[p];
        if most <= 0.0 {
            continue;
        }
        let node = sources.len();
        sources.push(Source::Import);
        problem.workshops.push(format!("(import {})", product.id));
        problem
            .minutes_available
            .push(most * problem.minutes_per_piece[p]);
        for d in 0..problem.departements.len() {
            problem
                .costs
                .push((node, p, d, c.price_ht_eur / (1.0 + m.margin_rate)));
        }
    }
    let allocation = allocate(&problem)?;

    // Hires: whole operators for the work beyond what each workshop had.
    let mut used = allocation.minutes_used[..n].to_vec();
    let mut made = allocation.pieces_made[..n].to_vec();
    let mut available = problem.minutes_available[..n].to_vec();
    let mut hired = vec![0u32; n];
    for (node, source) in sources.iter().enumerate().skip(n) {
        if let Source::Hires(i) = *source {
            used[i] += allocation.minutes_used[node];
            made[i] += allocation.pieces_made[node];
            if allocation.minutes_used[node] > 0.0 {
                let beyond = used[i] / (per_operator[i] * keep) - operators[i];
                hired[i] = ((beyond - 1e-9).ceil().max(0.0) as u32)
                    .min(cx.makers[i].growth.can_hire_per_year);
            }
            operators[i] += f64::from(hired[i]);
            carry.hired[i] += hired[i];
            available[i] = operators[i] * per_operator[i] * keep;
        }
    }
    // New capacity: the operators of earlier years, and new ones for the rest.
    let (mut nc_used, mut nc_pieces, mut nc_recruits_used) = (0.0, 0.0, 0.0);
    let mut nc_shadow: f64 = 0.0;
    for &(source, node) in &nc_nodes {
        nc_used += allocation.minutes_used[node];
        nc_pieces += allocation.pieces_made[node];
        nc_shadow = nc_shadow.max(allocation.capacity_shadow_eur_per_min[node]);
        if source == Source::NewRecruits {
            nc_recruits_used = allocation.minutes_used[node];
        }
    }
    let nc_existing = f64::from(carry.new_capacity) * nc_per_operator * keep;
    let nc_hired = operators_for(nc_recruits_used, nc_new_per_operator * keep);
    carry.new_capacity += nc_hired;
    let nc_operators = carry.new_capacity;

    let mut flows: Vec<FlowRow> = Vec::with_capacity(allocation.flows.len());
    for f in &allocation.flows {
        flows.push(FlowRow {
            source: sources[f.workshop],
            product: problem.products[f.product].clone(),
            departement: problem.departements[f.departement].clone(),
            pieces: f.pieces,
            eur_per_piece: f.eur_per_piece,
        });
    }
    for u in allocation.unmet.iter().filter(|u| u.value > 0.0) {
        let product = products[u.product];
        flows.push(FlowRow {
            source: Source::Late,
            product: product.id.clone(),
            departement: problem.departements[u.departement].clone(),
            pieces: u.value,
            eur_per_piece: Source::Late
                .piece_cost(product, workshops, m)
                .map_or(f64::NAN, |c| c.cost_eur),
        });
    }

    let sched = |t: &ScheduleInput, pieces: f64, minutes: f64, operators: f64| ScheduleInput {
        order_date,
        deadline: Some(deadline),
        pieces,
        minutes_per_piece: if pieces > 0.0 { minutes / pieces } else { 1.0 },
        operators,
        ..t.clone()
    };
    // A price the internal penalty sets (some piece would be late) is not a price in euros:
    // it is reported as NaN.
    let max_minutes = problem
        .minutes_per_piece
        .iter()
        .copied()
        .fold(0.0, f64::max);
    let euros = |per_minute: f64| {
        if per_minute * max_minutes >= UNMET_PENALTY_EUR_PER_PIECE / 2.0 {
            f64::NAN
        } else {
            per_minute
        }
    };
    let nc_shadow = euros(nc_shadow);
    // The schedule of a maker's work, if it has any.
    let scheduled = |t: &ScheduleInput, pieces: f64, minutes: f64, operators: f64| {
        (pieces > 0.0 && operators > 0.0)
            .then(|| schedule(&sched(t, pieces, minutes, operators), settings, cal))
            .transpose()
    };
    let mut rows = Vec::with_capacity(n + 1);
    for (i, w) in workshops.iter().enumerate() {
        let schedule = scheduled(&cx.makers[i].template, made[i], used[i], operators[i])?;
        rows.push(WorkshopYear {
            workshop: w.id.clone(),
            departement: Some(w.departement.clone()),
            operators: operators[i],
            offered: cx.makers[i].offered,
            hired: hired[i],
            hired_total: carry.hired[i],
            trainees: trainees[i],
            minutes_available: available[i],
            minutes_used: used[i],
            pieces: made[i],
            shadow_eur_per_min: euros(allocation.capacity_shadow_eur_per_min[i]),
            schedule,
        });
    }
    if nc_operators > 0 {
        // The operators recruited this year start late: as many operators from the order
        // as make the same minutes in time.
        let effective = f64::from(nc_operators - nc_hired)
            + if nc_per_operator > 0.0 {
                f64::from(nc_hired) * nc_new_per_operator / nc_per_operator
            } else {
                0.0
            };
        let schedule = scheduled(&cx.new_template, nc_pieces, nc_used, effective)?;
        rows.push(WorkshopYear {
            workshop: NEW_CAPACITY.into(),
            departement: None,
            operators: f64::from(nc_operators),
            offered: 0.0,
            hired: nc_hired,
            hired_total: nc_operators,
            trainees: 0,
            minutes_available: nc_existing + f64::from(nc_hired) * nc_new_per_operator * keep,
            minutes_used: nc_used,
            pieces: nc_pieces,
            shadow_eur_per_min: nc_shadow,
            schedule,
        });
    }
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
    let any_unmet = allocation.unmet.iter().any(|u| u.value > 0.0);
    let on_time = !any_unmet
        && rows
            .iter()
            .filter_map(|r| r.schedule.as_ref())
            .all(|s| s.on_time);
    let alone = if any_unmet {
        alone_minutes(workshops, &problem, &allocation, &used, &available)
    } else {
        None
    };
    let delivered = if any_unmet {
        last_delivery(
            alone.as_deref(),
            order_date,
            deadline,
            &operators,
            &cx.makers,
            settings,
            cal,
        )?
    } else {
        rows.iter()
            .filter_map(|r| r.schedule.as_ref())
            .map(|s| s.delivered)
            .max()
    };
    Ok(YearPlan {
        year,
        order_date,
        deadline,
        workshops: rows,
        flows,
        unmet,
        demand_shadow: allocation
            .demand_shadow_eur_per_piece
            .iter()
            .zip(&allocation.unmet)
            .map(|(d, u)| {
                (
                    problem.products[d.product].clone(),
                    problem.departements[d.departement].clone(),
                    if u.value > 0.0 || d.value >= UNMET_PENALTY_EUR_PER_PIECE / 2.0 {
                        f64::NAN
                    } else {
                        d.value
                    },
                )
            })
            .collect(),
        new_capacity_operators: nc_operators,
        new_capacity_hired: nc_hired,
        on_time,
        makespan_days: delivered.map(|d| (d - order_date).num_days()),
        delivered,
        alone_minutes: alone,
    })
}

/// Standard minutes each surveyed workshop would make if the surveyed workshops made the
/// unmet pieces too: `used`, plus a share of each product's unmet pieces in proportion to
/// `available` among the workshops able to make the product. `None` when a product has
/// unmet pieces and no able workshop.
fn alone_minutes(
    workshops: &[Workshop],
    problem: &AllocationProblem,
    allocation: &Allocation,
    used: &[f64],
    available: &[f64],
) -> Option<Vec<f64>> {
    let mut minutes = used.to_vec();
    let mut unmet_by_product = vec![0.0; problem.products.len()];
    for u in &allocation.unmet {
        unmet_by_product[u.product] += u.value;
    }
    for (p, &q) in unmet_by_product.iter().enumerate() {
        if q <= 0.0 {
            continue;
        }
        let able: Vec<usize> = (0..workshops.len())
            .filter(|&i| available[i] > 0.0 && workshops[i].products.contains(&problem.products[p]))
            .collect();
        let cap: f64 = able.iter().map(|&i| available[i]).sum();
        if able.is_empty() || cap <= 0.0 {
            return None;
        }
        for &i in &able {
            minutes[i] += q * available[i] / cap * problem.minutes_per_piece[p];
        }
    }
    Some(minutes)
}

/// Last delivery of the surveyed workshops making `minutes` (standard minutes each) with
/// `operators`. `None` when `minutes` is, or the work runs past the holiday table.
fn last_delivery(
    minutes: Option<&[f64]>,
    order_date: NaiveDate,
    deadline: NaiveDate,
    operators: &[f64],
    makers: &[Maker],
    settings: &ScheduleSettings,
    cal: &Calendar,
) -> Result<Option<NaiveDate>> {
    let Some(minutes) = minutes else {
        return Ok(None);
    };
    let mut last: Option<NaiveDate> = None;
    for (i, &work) in minutes.iter().enumerate().filter(|(_, &w)| w > 0.0) {
        let input = ScheduleInput {
            order_date,
            deadline: Some(deadline),
            pieces: work,
            minutes_per_piece: 1.0,
            operators: operators[i],
            ..makers[i].template.clone()
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
        plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m, 1.0).unwrap()
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
    fn aura_2026_is_on_time_from_the_surveyed_workshops_alone() {
        // Issue 13: capacity suffices in 2026 (1.61 M pieces), so nothing is unmet (exactly:
        // the network simplex works in whole ticks), nothing comes from new capacity or
        // imports, and every price is in euros, not set by the engine's penalty.
        let p = plans("aura");
        let y = &p[0];
        assert_eq!(y.year, 2026);
        assert!(y.on_time, "{:?}", y.makespan_days);
        assert_eq!(y.unmet_pieces(), 0.0);
        assert_eq!(y.pieces_of("new_regional"), 0.0);
        assert_eq!(y.pieces_of("imported"), 0.0);
        assert!((y.pieces_of("surveyed") - 1.61e6).abs() < 1e-6);
        assert_eq!(y.sourcing().local_content_share(), 1.0);
        assert_eq!(y.new_capacity_operators, 0);
        for w in &y.workshops {
            // One more standard minute of a surveyed workshop saves at most its hires'
            // recruitment premium: cents, not the 52-60 EUR/min a 1,000 EUR penalty gave.
            assert!(
                (0.0..1.0).contains(&w.shadow_eur_per_min),
                "{}: {}",
                w.workshop,
                w.shadow_eur_per_min
            );
        }
        for d in &y.demand_shadow {
            assert!((25.0..45.0).contains(&d.2), "{d:?}");
        }
    }

    #[test]
    fn full_rollout_recruits_new_capacity_within_its_bound() {
        let s = Study::example("aura").unwrap();
        let m = s.params.model();
        let p = plans("aura");
        assert_eq!(p.len(), 4);
        // New capacity is recruited from 2027 (12 months after the launch), a cohort of at
        // most new_capacity_max_operators_per_year a year, and kept.
        let bound = m.new_capacity_max_operators_per_year;
        let mut total = 0;
        for (k, y) in p.iter().enumerate() {
            total += y.new_capacity_hired;
            assert_eq!(y.new_capacity_operators, total);
            assert!(f64::from(total) <= bound * (k + 1) as f64);
            // Demand = surveyed + new + imported + late, to 1e-9.
            let made: f64 = y.flows.iter().map(|f| f.pieces).sum();
            let demand = if k == 0 {
                1.61e6
            } else if k == 1 {
                3.5e6
            } else {
                7.5e6
            };
            assert!((made - demand).abs() < 1e-6 * demand);
            assert!((y.pieces_of("late") - y.unmet_pieces()).abs() <= 1e-9 * demand);
            for w in &y.workshops {
                assert!(
                    w.minutes_used <= w.minutes_available * (1.0 + 1e-9),
                    "{w:?}"
                );
                if let Some(sched) = &w.schedule {
                    if y.unmet_pieces() == 0.0 {
                        assert!(sched.on_time, "{w:?}");
                    }
                }
            }
            // Hiring needed = this year's hires + this year's recruits of new capacity.
            assert_eq!(
                y.hiring_needed_for_deadline(),
                y.hired() + y.new_capacity_hired
            );
        }
        assert_eq!(p[0].new_capacity_operators, 0);
        assert!(p[1].pieces_of("new_regional") > 0.0);
        // 2028: 7.5 M pieces need more operators than three cohorts of 500: some pieces are
        // late, and the report says so (no piece is priced by a penalty).
        let y = &p[2];
        assert!(!y.on_time);
        assert!(y.unmet_pieces() > 1e5, "{}", y.unmet_pieces());
        assert_eq!(f64::from(y.new_capacity_operators), 3.0 * bound);
        assert!(y.demand_shadow.iter().all(|d| d.2.is_nan()));
        assert!(y.delivered.is_some_and(|d| d > y.deadline));
        // Hires are kept from one year to the next and never exceed can_hire a year.
        for (i, w) in s.workshops.iter().enumerate() {
            let hired: u32 = p.iter().map(|y| y.workshops[i].hired).sum();
            assert!(hired <= w.can_hire * 4);
        }
    }

    #[test]
    fn imports_replace_hires_when_local_content_may_fall() {
        // local_content_min = 0: imports (8 EUR a polo, 12 a sweatshirt before VAT) are
        // cheaper than any regional piece (about 31-37 EUR), so 2028 imports and needs
        // fewer hires; at 0.6 at most 40 % of each product is imported.
        let s = Study::example("aura").unwrap();
        let m = s.params.model();
        let rows = demand(&s.establishments, &s.scenario);
        let run = |lcm| plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m, lcm).unwrap();
        let (local, open, part) = (run(1.0), run(0.0), run(0.6));
        assert!(open[2].pieces_of("imported") > 0.0);
        assert!(open[2].hiring_needed_for_deadline() < local[2].hiring_needed_for_deadline());
        assert!(open[2].on_time);
        for y in &part {
            let share = y.sourcing().local_content_share();
            assert!(share >= 0.6 - 1e-12, "{share}");
            for product in ["polo", "sweatshirt"] {
                let of = |kind: &str| -> f64 {
                    y.flows
                        .iter()
                        .filter(|f| f.product == product && f.source.kind() == kind)
                        .map(|f| f.pieces)
                        .sum()
                };
                let all = of("surveyed") + of("new_regional") + of("imported");
                assert!(of("imported") <= 0.4 * all * (1.0 + 1e-9) + 1e-6);
            }
        }
        assert!(plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m, 1.5).is_err());
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
        let full = plan(&s.workshops, &s.catalog, &rows, &s.scenario.years, &m, 1.0).unwrap();
        let mut half = s.workshops.clone();
        for w in &mut half {
            w.operators /= 2;
        }
        let halved = plan(&half, &s.catalog, &rows, &s.scenario.years, &m, 1.0).unwrap();
        let days = |p: &[YearPlan]| p[0].makespan_days.unwrap_or(i64::MAX);
        assert!(days(&halved) >= days(&full));
    }
}
