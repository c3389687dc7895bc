//! Production schedule: when each workshop finishes its share of the programme, whether it is
//! delivered before the rentrée, and how many operators it would need to be.
//!
//! Per workshop (ARCHITECTURE.md, "Schedule"):
//!
//! 1. fabric ready = order date + fabric lead time + relaxation before cutting, in calendar
//!    days (knit + dye + finish 25–35 days, Weaverine; relaxation 24 h, industry guides);
//! 2. line setting on the first working day the fabric is ready, for
//!    `line_setting_days` working days with no output (+1 day, onlineclothingstudy 2011);
//! 3. production on the following working days. Output of production day n (n = 0, 1, ...)
//!    in pieces = operators × availability × hours/day × 60 × ē(n) / minutes per piece,
//!    where minutes per piece are standard minutes with allowance (SAM × (1 + allowance)) and
//!    ē(n) is the mean efficiency over that day (ramp-up, see [`RampUp`]);
//!    finish = the first day on which cumulative output ≥ the volume;
//! 4. personalisation: `personalisation_days` more working days of the workshop
//!    (1–2 weeks, assumption);
//! 5. delivery: `delivery_days` business days (weekdays that are not public holidays; the
//!    carrier does not close in August) (1 week, assumption);
//! 6. on time = delivered strictly before the deadline, by default the rentrée: the first
//!    weekday of September that is not a public holiday (Mon 2 Sept 2024, Mon 1 Sept 2025).
//!
//! Working days = Monday to Friday, minus French public holidays (a bundled table, see
//! [`public_holidays`]), minus the August closure: `august_closure_weeks` weeks from the
//! first Monday of August (workshops often close 2–3 weeks in August, Usine Nouvelle;
//! default 3).
//!
//! Validation case 7 (onlineclothingstudy 2011): 5,000 polos at 16 SAM on 20 machines,
//! 8 h/day, 50 % efficiency → 20 × 8 × 60 × 0.5 / 16 = 300 pieces a day → 16.7 working days
//! of sewing; with one day of line setting, 18 working days (tested).

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::error::{Error, Result};

/// The bundled table of French public holidays (`data/reference/french_public_holidays.csv`;
/// sources in `data/reference/README.md`).
pub const PUBLIC_HOLIDAYS_CSV: &str =
    include_str!("../../data/reference/french_public_holidays.csv");

/// First year covered by the holiday table.
pub const FIRST_YEAR: i32 = 2023;
/// Last year covered by the holiday table.
pub const LAST_YEAR: i32 = 2040;

/// Default weeks of August closure.
pub const DEFAULT_AUGUST_CLOSURE_WEEKS: u32 = 3;
/// Longest August closure accepted (weeks).
pub const MAX_AUGUST_CLOSURE_WEEKS: u32 = 8;

/// One French public holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// Date.
    pub date: NaiveDate,
    /// Identifier (`lundi_de_paques`, `ascension`...).
    pub id: String,
    /// French name.
    pub name: String,
}

/// The eleven French public holidays of each year from [`FIRST_YEAR`] to [`LAST_YEAR`]
/// (Code du travail art. L3133-1), from the bundled table.
///
/// # Errors
/// [`Error::Internal`] if the bundled table is malformed (a bug; tested).
pub fn public_holidays() -> Result<&'static [Holiday]> {
    static TABLE: std::sync::OnceLock<std::result::Result<Vec<Holiday>, String>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            PUBLIC_HOLIDAYS_CSV
                .lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(
                    |line| match line.splitn(3, ',').collect::<Vec<_>>().as_slice() {
                        [date, id, name] => Ok(Holiday {
                            date: NaiveDate::parse_from_str(date, "%Y-%m-%d")
                                .map_err(|e| format!("{line}: {e}"))?,
                            id: (*id).to_owned(),
                            name: (*name).to_owned(),
                        }),
                        _ => Err(format!("{line}: expected date,holiday,name")),
                    },
                )
                .collect()
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| Error::Internal(format!("data/reference/french_public_holidays.csv: {e}")))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with valid literal dates within the table's range.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The production calendar: weekdays, public holidays and the August closure.
///
/// Dates outside [`FIRST_YEAR`]–[`LAST_YEAR`] are refused (the holiday table stops there).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    august_closure_weeks: u32,
    first: NaiveDate,
    /// Per day from `first`: a business day (weekday, not a public holiday).
    business: Vec<bool>,
    /// Per day from `first`: a working day of the workshops (business day, not closed).
    working: Vec<bool>,
    /// `working_before[i]`: working days before day i (len = days + 1), so that counting
    /// and finding the n-th working day take no loop over the days.
    working_before: Vec<u32>,
}

impl Calendar {
    /// The French calendar with an August closure of `august_closure_weeks` weeks (0 for none)
    /// from the first Monday of August, built once per process and shared (it never
    /// changes).
    ///
    /// # Errors
    /// [`Error::Parameter`] if the closure is longer than [`MAX_AUGUST_CLOSURE_WEEKS`].
    pub fn shared(august_closure_weeks: u32) -> Result<std::sync::Arc<Self>> {
        use std::sync::{Arc, OnceLock};
        static CALENDARS: [OnceLock<Arc<Calendar>>; MAX_AUGUST_CLOSURE_WEEKS as usize + 1] =
            [const { OnceLock::new() }; MAX_AUGUST_CLOSURE_WEEKS as usize + 1];
        let Some(slot) = CALENDARS.get(august_closure_weeks as usize) else {
            return Self::new(august_closure_weeks).map(Arc::new);
        };
        if let Some(c) = slot.get() {
            return Ok(c.clone());
        }
        let c = Arc::new(Self::new(august_closure_weeks)?);
        Ok(slot.get_or_init(|| c).clone())
    }

    /// A new calendar with an August closure of `august_closure_weeks` weeks.
    ///
    /// # Errors
    /// [`Error::Parameter`] if the closure is longer than [`MAX_AUGUST_CLOSURE_WEEKS`].
    pub fn new(august_closure_weeks: u32) -> Result<Self> {
        if august_closure_weeks > MAX_AUGUST_CLOSURE_WEEKS {
            return Err(Error::parameter(
                "august_closure_weeks",
                format!("{august_closure_weeks} weeks; allowed 0 to {MAX_AUGUST_CLOSURE_WEEKS}"),
            ));
        }
        let holidays: BTreeSet<NaiveDate> = public_holidays()?.iter().map(|h| h.date).collect();
        let first = date(FIRST_YEAR, 1, 1);
        let last = date(LAST_YEAR, 12, 31);
        let mut business = Vec::new();
        let mut working = Vec::new();
        let mut closures = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            if let Some(c) = Self::closure_of(year, august_closure_weeks) {
                closures.push(c);
            }
        }
        for d in first.iter_days().take_while(|d| *d <= last) {
            let b = !is_weekend(d) && !holidays.contains(&d);
            let closed = closures.iter().any(|&(s, e)| s <= d && d <= e);
            business.push(b);
            working.push(b && !closed);
        }
        let working_before = std::iter::once(0)
            .chain(working.iter().scan(0u32, |count, &w| {
                *count += u32::from(w);
                Some(*count)
            }))
            .collect();
        Ok(Calendar {
            august_closure_weeks,
            first,
            business,
            working,
            working_before,
        })
    }

    fn closure_of(year: i32, weeks: u32) -> Option<(NaiveDate, NaiveDate)> {
        if weeks == 0 {
            return None;
        }
        let aug1 = date(year, 8, 1);
        let to_monday = (7 - aug1.weekday().num_days_from_monday()) % 7;
        let start = aug1 + Days::new(u64::from(to_monday));
        Some((start, start + Days::new(u64::from(7 * weeks - 1))))
    }

    /// Weeks of August closure.
    pub fn august_closure_weeks(&self) -> u32 {
        self.august_closure_weeks
    }

    /// First and last day (inclusive) of the August closure of `year`, `None` without one.
    pub fn august_closure(&self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        Self::closure_of(year, self.august_closure_weeks)
    }

    fn index(&self, d: NaiveDate) -> Result<usize> {
        usize::try_from((d - self.first).num_days())
            .ok()
            .filter(|&i| i < self.working.len())
            .ok_or_else(|| {
                Error::parameter(
                    "date",
                    format!(
                        "{d} is outside the French public-holiday table ({FIRST_YEAR}–{LAST_YEAR}, \
                         data/reference/french_public_holidays.csv); extend the table"
                    ),
                )
            })
    }

    /// Whether `d` is a French public holiday.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a date outside the table.
    pub fn is_public_holiday(&self, d: NaiveDate) -> Result<bool> {
        self.index(d)?;
        Ok(public_holidays()?.iter().any(|h| h.date == d))
    }

    /// Whether `d` is a business day: Monday to Friday and not a public holiday.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a date outside the table.
    pub fn is_business_day(&self, d: NaiveDate) -> Result<bool> {
        Ok(self.business[self.index(d)?])
    }

    /// Whether `d` is a working day of the workshops: a business day outside the August
    /// closure.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a date outside the table.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool> {
        Ok(self.working[self.index(d)?])
    }

    fn on_or_after(&self, d: NaiveDate, days: &[bool]) -> Result<NaiveDate> {
        let i = self.index(d)?;
        days[i..]
            .iter()
            .position(|&w| w)
            .map(|k| d + Days::new(k as u64))
            .ok_or_else(|| {
                Error::parameter(
                    "date",
                    format!(
                        "no working day from {d} to the end of the holiday table ({LAST_YEAR})"
                    ),
                )
            })
    }

    fn add(&self, d: NaiveDate, n: u32, days: &[bool]) -> Result<NaiveDate> {
        let mut current = d;
        for _ in 0..n {
            current = self.on_or_after(current + Days::new(1), days)?;
        }
        Ok(current)
    }

    /// The first working day on or after `d`.
    ///
    /// # Errors
    /// [`Error::Parameter`] if it falls outside the table.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> Result<NaiveDate> {
        self.on_or_after(d, &self.working)
    }

    /// The `n`-th working day after `d` (`d` itself for `n = 0`).
    ///
    /// # Errors
    /// [`Error::Parameter`] if it falls outside the table.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate> {
        self.add(d, n, &self.working)
    }

    /// The `n`-th business day after `d` (`d` itself for `n = 0`).
    ///
    /// # Errors
    /// [`Error::Parameter`] if it falls outside the table.
    pub fn add_business_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate> {
        self.add(d, n, &self.business)
    }

    /// Working days in `[from, to]`, both included (0 if `to < from`).
    ///
    /// # Errors
    /// [`Error::Parameter`] if a date is outside the table.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32> {
        if to < from {
            return Ok(0);
        }
        let (a, b) = (self.index(from)?, self.index(to)?);
        Ok(self.working_before[b + 1] - self.working_before[a])
    }

    /// The rentrée of `year`: the first weekday of September that is not a public holiday
    /// (Mon 2 Sept 2024, Mon 1 Sept 2025). School calendars fix it by decree; this default
    /// matches them for the years published.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a year outside the table.
    pub fn rentree(&self, year: i32) -> Result<NaiveDate> {
        let sept1 = NaiveDate::from_ymd_opt(year, 9, 1)
            .ok_or_else(|| Error::parameter("year", format!("{year} is not a valid year")))?;
        self.on_or_after(sept1, &self.business)
    }

    /// The first rentrée strictly after `d`.
    ///
    /// # Errors
    /// [`Error::Parameter`] if it falls outside the table.
    pub fn next_rentree(&self, d: NaiveDate) -> Result<NaiveDate> {
        let this = self.rentree(d.year())?;
        if this > d {
            Ok(this)
        } else {
            self.rentree(d.year() + 1)
        }
    }
}

/// Ramp-up of line efficiency on a new style, hyperbolic.
///
/// Ranasinghe, Senanayake & Perera (IEOM 2016, "Empirical analysis and modeling of learning
/// curve in the apparel manufacturing industry") fitted daily line efficiency after style
/// changes and found the hyperbolic learning curve (Mazur & Hastie 1978) fits best:
///
/// ```text
/// e(t) = e_ss · (t + p) / (t + p + r)
/// ```
///
/// with t the production days elapsed since the first day of production (continuous), p the
/// prior experience and r the learning rate constant (days). Here p and r are calibrated from
/// two points a user can reason about: e(0) = `start_fraction` × e_ss and
/// e(`reach_days`) = `reach_fraction` × e_ss. Writing a(f) = (1 − f)/f,
///
/// ```text
/// p = reach_days · a(reach) / (a(start) − a(reach)),   r = p · a(start).
/// ```
///
/// Defaults: 0.58 at the start and 0.95 after 6 days (PARAMETERS.md: "~5–7 days from ~0.58 to
/// 1.0 of steady state"; the values are an assumption, the shape is Ranasinghe's). The curve
/// keeps rising slowly towards e_ss after `reach_days` (0.98 after 16 days). The output of
/// production day n uses the mean over [n, n + 1]:
/// ē(n)/e_ss = 1 − r · ln((n + 1 + p + r) / (n + p + r)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RampUp {
    /// Efficiency on the first production day as a fraction of steady state, in (0, 1];
    /// 1 means no ramp-up.
    pub start_fraction: f64,
    /// Fraction of steady state reached after `reach_days`, in (start_fraction, 1).
    pub reach_fraction: f64,
    /// Production days to reach `reach_fraction`, > 0.
    pub reach_days: f64,
}

impl Default for RampUp {
    fn default() -> Self {
        RampUp {
            start_fraction: 0.58,
            reach_fraction: 0.95,
            reach_days: 6.0,
        }
    }
}

impl RampUp {
    /// No ramp-up: steady efficiency from the first day (a repeat style).
    pub const NONE: RampUp = RampUp {
        start_fraction: 1.0,
        reach_fraction: 1.0,
        reach_days: 1.0,
    };

    /// Check the parameters.
    ///
    /// # Errors
    /// [`Error::Parameter`] for values outside their domain.
    pub fn validate(&self) -> Result<()> {
        let RampUp {
            start_fraction: s,
            reach_fraction: f,
            reach_days: t,
        } = *self;
        if !(s.is_finite() && s > 0.0 && s <= 1.0) {
            return Err(Error::parameter(
                "ramp_up_start_fraction",
                format!("{s}; allowed (0, 1]"),
            ));
        }
        if s < 1.0 && !(f.is_finite() && f > s && f < 1.0) {
            return Err(Error::parameter(
                "ramp_up_reach_fraction",
                format!("{f}; allowed between the start fraction {s} and 1, both excluded"),
            ));
        }
        if s < 1.0 && !(t.is_finite() && t > 0.0) {
            return Err(Error::parameter(
                "ramp_up_reach_days",
                format!("{t}; must be > 0 days"),
            ));
        }
        Ok(())
    }

    /// The hyperbola's (p, r), or `None` without ramp-up.
    pub fn constants(&self) -> Option<(f64, f64)> {
        if self.start_fraction >= 1.0 {
            return None;
        }
        let a = |f: f64| (1.0 - f) / f;
        let (a0, a1) = (a(self.start_fraction), a(self.reach_fraction));
        let p = self.reach_days * a1 / (a0 - a1);
        Some((p, p * a0))
    }

    /// e(t) / e_ss at `t` production days.
    pub fn fraction(&self, t: f64) -> f64 {
        self.constants().map_or(1.0, |(p, r)| (t + p) / (t + p + r))
    }

    /// Σ of [`RampUp::day_average`] over production days 0..d: the output of the first d
    /// days in steady days. The logarithms telescope: d − r · ln((d + p + r) / (p + r)).
    pub fn cumulative(&self, d: u32) -> f64 {
        self.constants().map_or(f64::from(d), |(p, r)| {
            let d = f64::from(d);
            d - r * ((d + p + r) / (p + r)).ln()
        })
    }

    /// Mean of e(t) / e_ss over production day `n`, i.e. t in [n, n + 1].
    pub fn day_average(&self, n: u32) -> f64 {
        self.constants().map_or(1.0, |(p, r)| {
            let n = f64::from(n);
            1.0 - r * ((n + 1.0 + p + r) / (n + p + r)).ln()
        })
    }
}

/// Settings shared by the workshops of a schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleSettings {
    /// Fabric relaxation before cutting, in hours (24 h, industry guides); counted in whole
    /// calendar days, rounded up.
    pub relaxation_hours: u32,
    /// Working days of line setting before the first output (1, onlineclothingstudy 2011).
    pub line_setting_days: u32,
    /// Ramp-up of efficiency on the new style.
    pub ramp_up: RampUp,
    /// Working days of personalisation after the last piece (5; 1–2 weeks, assumption).
    pub personalisation_days: u32,
    /// Business days of delivery to schools (5; 1 week, assumption).
    pub delivery_days: u32,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            relaxation_hours: 24,
            line_setting_days: 1,
            ramp_up: RampUp::default(),
            personalisation_days: 5,
            delivery_days: 5,
        }
    }
}

/// What one workshop has to make, with what, from when.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleInput {
    /// Workshop identifier (for messages and results).
    pub workshop: String,
    /// Pieces to make (all products), ≥ 0.
    pub pieces: f64,
    /// Standard minutes per piece with allowance, SAM × (1 + allowance), averaged over the
    /// products weighted by pieces, > 0.
    pub minutes_per_piece: f64,
    /// Operators working on the programme (head count; may be fractional, e.g.
    /// operators × programme share), ≥ 0.
    pub operators: f64,
    /// Share of operator time actually present, 1 − absenteeism, in (0, 1].
    pub availability: f64,
    /// Working hours per operator per day (e.g. hours per week / 5), in (0, 24].
    pub hours_per_day: f64,
    /// Steady line efficiency, in (0, 1].
    pub efficiency: f64,
    /// Date the fabric is ordered.
    pub order_date: NaiveDate,
    /// Fabric lead time, calendar days from order to delivery at the workshop.
    pub fabric_lead_days: u32,
    /// Deadline for delivery; `None` for the first rentrée after the order date.
    pub deadline: Option<NaiveDate>,
}

/// When one workshop makes and delivers its pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleResult {
    /// Workshop identifier.
    pub workshop: String,
    /// Pieces made.
    pub pieces: f64,
    /// Operators (head count) the schedule used.
    pub operators: f64,
    /// Fabric ordered.
    pub order_date: NaiveDate,
    /// Fabric ready to cut (lead time and relaxation elapsed).
    pub material_ready: NaiveDate,
    /// First working day on which the fabric is ready: line setting starts.
    pub start: NaiveDate,
    /// First production day.
    pub production_start: NaiveDate,
    /// Last production day (the volume is reached).
    pub finish: NaiveDate,
    /// Personalisation done.
    pub personalised: NaiveDate,
    /// Delivered to the schools.
    pub delivered: NaiveDate,
    /// Deadline (the rentrée unless given).
    pub deadline: NaiveDate,
    /// Production days (with output), the last one possibly partial.
    pub production_days: u32,
    /// Production days as a fraction: full days before the last + the share of the last used.
    pub production_days_exact: f64,
    /// Working days from `start` to `finish`, both included (line setting + production).
    pub working_days: u32,
    /// Delivered strictly before the deadline.
    pub on_time: bool,
    /// Calendar days from delivery to deadline (negative when late).
    pub margin_days: i64,
}

fn check_input(input: &ScheduleInput) -> Result<()> {
    let w = &input.workshop;
    let bad = |name: &str, value: f64, allowed: &str| {
        Err(Error::parameter(
            name,
            format!("workshop `{w}`: {value}; allowed {allowed}"),
        ))
    };
    let finite = |v: f64| v.is_finite();
    if !(finite(input.pieces) && input.pieces >= 0.0) {
        return bad("pieces", input.pieces, "a finite number ≥ 0");
    }
    if !(finite(input.minutes_per_piece) && input.minutes_per_piece > 0.0) {
        return bad("minutes_per_piece", input.minutes_per_piece, "a number > 0");
    }
    if !(finite(input.operators) && input.operators >= 0.0) {
        return bad("operators", input.operators, "a finite number ≥ 0");
    }
    if !(finite(input.availability) && input.availability > 0.0 && input.availability <= 1.0) {
        return bad("availability", input.availability, "(0, 1]");
    }
    if !(finite(input.hours_per_day) && input.hours_per_day > 0.0 && input.hours_per_day <= 24.0) {
        return bad("hours_per_day", input.hours_per_day, "(0, 24]");
    }
    if !(finite(input.efficiency) && input.efficiency > 0.0 && input.efficiency <= 1.0) {
        return bad("efficiency", input.efficiency, "(0, 1]");
    }
    Ok(())
}

/// The milestones that do not depend on the number of operators.
struct Frame {
    material_ready: NaiveDate,
    start: NaiveDate,
    production_start: NaiveDate,
    deadline: NaiveDate,
}

fn frame(input: &ScheduleInput, settings: &ScheduleSettings, cal: &Calendar) -> Result<Frame> {
    check_input(input)?;
    settings.ramp_up.validate()?;
    let relax_days = settings.relaxation_hours.div_ceil(24);
    let material_ready = input
        .order_date
        .checked_add_days(Days::new(
            u64::from(input.fabric_lead_days) + u64::from(relax_days),
        ))
        .ok_or_else(|| {
            Error::parameter(
                "fabric_lead_days",
                format!("workshop `{}`: date overflow", input.workshop),
            )
        })?;
    let start = cal.working_day_on_or_after(material_ready)?;
    let production_start = cal.add_working_days(start, settings.line_setting_days)?;
    let deadline = match input.deadline {
        Some(d) => d,
        None => cal.next_rentree(input.order_date)?,
    };
    Ok(Frame {
        material_ready,
        start,
        production_start,
        deadline,
    })
}

/// Run production day by day; `None` if the volume is not reached before the end of the
/// calendar (or never, with no operator).
fn produce(
    input: &ScheduleInput,
    ramp: &RampUp,
    cal: &Calendar,
    production_start: NaiveDate,
    operators: f64,
) -> Result<Option<(NaiveDate, u32, f64)>> {
    let work = input.pieces * input.minutes_per_piece;
    if work <= 0.0 {
        return Ok(Some((production_start, 0, 0.0)));
    }
    let steady = operators * input.availability * input.hours_per_day * 60.0 * input.efficiency;
    if steady <= 0.0 {
        return Ok(None);
    }
    let first = cal.index(production_start)?;
    // Working days left in the calendar from the production start.
    let available = cal.working_before[cal.working.len()] - cal.working_before[first];
    // Relative slack so that 300 × 16.67 reaches 5,000 despite rounding.
    let target = work * (1.0 - 1e-12);
    let reached = |d: u32| steady * ramp.cumulative(d) >= target;
    // The output of d days is at most d steady days: start the search there.
    let lower = (target / steady).floor();
    if lower >= f64::from(available) {
        return Ok(None);
    }
    let mut d = (lower as u32).max(1);
    while !reached(d) {
        if d >= available {
            return Ok(None);
        }
        d += 1;
    }
    let n = d - 1;
    let done = steady * ramp.cumulative(n);
    let today = steady * ramp.day_average(n);
    let exact = f64::from(n) + ((work - done) / today).clamp(0.0, 1.0);
    // The d-th working day from the production start (inclusive).
    let count = cal.working_before[first] + d;
    let last = cal.working_before.partition_point(|&c| c < count) - 1;
    Ok(Some((
        production_start + Days::new((last - first) as u64),
        d,
        exact,
    )))
}

fn timeline(
    input: &ScheduleInput,
    settings: &ScheduleSettings,
    cal: &Calendar,
    f: &Frame,
    operators: f64,
) -> Result<Option<ScheduleResult>> {
    let Some((finish, production_days, exact)) =
        produce(input, &settings.ramp_up, cal, f.production_start, operators)?
    else {
        return Ok(None);
    };
    let (finish, personalised, delivered, working_days) = if production_days == 0 {
        (f.start, f.start, f.start, 0)
    } else {
        let personalised = cal.add_working_days(finish, settings.personalisation_days)?;
        let delivered = cal.add_business_days(personalised, settings.delivery_days)?;
        (
            finish,
            personalised,
            delivered,
            cal.working_days_between(f.start, finish)?,
        )
    };
    Ok(Some(ScheduleResult {
        workshop: input.workshop.clone(),
        pieces: input.pieces,
        operators,
        order_date: input.order_date,
        material_ready: f.material_ready,
        start: f.start,
        production_start: f.production_start,
        finish,
        personalised,
        delivered,
        deadline: f.deadline,
        production_days,
        production_days_exact: exact,
        working_days,
        on_time: delivered < f.deadline,
        margin_days: (f.deadline - delivered).num_days(),
    }))
}

/// Schedule one workshop.
///
/// # Errors
/// [`Error::Parameter`] for invalid inputs (naming the workshop), a workshop with no operator
/// but pieces to make, or a schedule running beyond the holiday table.
pub fn schedule(
    input: &ScheduleInput,
    settings: &ScheduleSettings,
    cal: &Calendar,
) -> Result<ScheduleResult> {
    let f = frame(input, settings, cal)?;
    timeline(input, settings, cal, &f, input.operators)?.ok_or_else(|| {
        Error::parameter(
            "operators",
            format!(
                "workshop `{}`: {} operators cannot make {} pieces before the end of the \
                 holiday table ({LAST_YEAR})",
                input.workshop, input.operators, input.pieces
            ),
        )
    })
}

/// The standard minutes one operator of the workshop can produce and still deliver strictly
/// before the deadline, with the ramp-up and calendar of [`schedule`] (`input.pieces` and
/// `input.operators` are ignored). Output is linear in operators, so a workshop with `k`
/// operators can take `k` times this much work: the allocation uses it as the workshop's
/// capacity, which makes every allocated volume on time by construction.
///
/// Production days are the working days d ≥ production start whose finish would still be
/// personalised and delivered before the deadline; their count D gives
/// availability × hours/day × 60 × efficiency × Σ_{n<D} ē(n).
///
/// # Errors
/// As [`schedule`].
pub fn minutes_by_deadline(
    input: &ScheduleInput,
    settings: &ScheduleSettings,
    cal: &Calendar,
) -> Result<f64> {
    let f = frame(input, settings, cal)?;
    let delivered = |finish: NaiveDate| -> Result<NaiveDate> {
        cal.add_business_days(
            cal.add_working_days(finish, settings.personalisation_days)?,
            settings.delivery_days,
        )
    };
    // The latest working day a last piece can be made on: walk back from the deadline.
    let mut last = f.deadline;
    loop {
        if last < f.production_start {
            return Ok(0.0);
        }
        if cal.is_working_day(last)? && delivered(last)? < f.deadline {
            break;
        }
        last = last.pred_opt().ok_or_else(|| {
            Error::parameter(
                "date",
                format!("workshop `{}`: date underflow", input.workshop),
            )
        })?;
    }
    let days = cal.working_days_between(f.production_start, last)?;
    let ramp = settings.ramp_up.cumulative(days);
    Ok(input.availability * input.hours_per_day * 60.0 * input.efficiency * ramp)
}

/// How a workshop's operators grow over the years of the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Growth {
    /// Operators it can hire a year at most (the survey's `can_hire`).
    pub can_hire_per_year: u32,
    /// Trainees its training centre trains a year (the survey's `trainees`; 0 without one).
    pub trainees_per_year: u32,
    /// Months of training before a trainee works as an operator.
    pub training_months: u32,
}

impl Growth {
    /// Trainees working as operators in programme year `k` (0 = first year).
    ///
    /// A cohort starts each programme year; one that starts in year j works from year
    /// j + ⌈training_months / 12⌉ (a cohort trained in under a year is ready for the next
    /// year's production, since production follows the order by weeks, not months).
    pub fn trainees_working(&self, k: u32) -> u32 {
        let delay = self.training_months.div_ceil(12);
        (k + 1).saturating_sub(delay) * self.trainees_per_year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::new(DEFAULT_AUGUST_CLOSURE_WEEKS).unwrap()
    }

    /// Validation case 7: 5,000 polos at 16 SAM, 20 machines, 8 h/day, 50 % efficiency.
    fn case7() -> ScheduleInput {
        ScheduleInput {
            workshop: "case7".into(),
            pieces: 5_000.0,
            minutes_per_piece: 16.0,
            operators: 20.0,
            availability: 1.0,
            hours_per_day: 8.0,
            efficiency: 0.5,
            // Monday 3 March 2025, fabric in hand.
            order_date: d(2025, 3, 3),
            fabric_lead_days: 0,
            deadline: None,
        }
    }

    fn no_ramp() -> ScheduleSettings {
        ScheduleSettings {
            relaxation_hours: 0,
            ramp_up: RampUp::NONE,
            ..ScheduleSettings::default()
        }
    }

    #[test]
    fn holiday_table_has_eleven_days_a_year_and_known_dates() {
        let table = public_holidays().unwrap();
        for year in FIRST_YEAR..=LAST_YEAR {
            assert_eq!(
                table.iter().filter(|h| h.date.year() == year).count(),
                11,
                "{year}"
            );
        }
        let on = |date: NaiveDate| table.iter().find(|h| h.date == date).map(|h| h.id.as_str());
        assert_eq!(on(d(2024, 4, 1)), Some("lundi_de_paques"));
        assert_eq!(on(d(2025, 4, 21)), Some("lundi_de_paques"));
        assert_eq!(on(d(2025, 5, 29)), Some("ascension"));
        assert_eq!(on(d(2025, 6, 9)), Some("lundi_de_pentecote"));
        assert_eq!(on(d(2026, 5, 14)), Some("ascension"));
        assert_eq!(on(d(2030, 7, 14)), Some("fete_nationale"));
        assert_eq!(on(d(2025, 5, 28)), None);
        // Ascension is always a Thursday, Easter and Whit Mondays are Mondays.
        for h in table {
            match h.id.as_str() {
                "ascension" => assert_eq!(h.date.weekday(), Weekday::Thu, "{h:?}"),
                "lundi_de_paques" | "lundi_de_pentecote" => {
                    assert_eq!(h.date.weekday(), Weekday::Mon, "{h:?}")
                }
                _ => {}
            }
        }
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_the_august_closure() {
        let c = cal();
        // Ascension 2025 is a Thursday: not a working day; Friday is.
        assert!(c.is_public_holiday(d(2025, 5, 29)).unwrap());
        assert!(!c.is_working_day(d(2025, 5, 29)).unwrap());
        assert!(c.is_working_day(d(2025, 5, 30)).unwrap());
        assert!(!c.is_working_day(d(2025, 5, 31)).unwrap()); // Saturday
        assert!(!c.is_public_holiday(d(2025, 5, 31)).unwrap());
        // Closure 2025: three weeks from the first Monday of August (4 Aug) to 22 Aug.
        assert_eq!(
            c.august_closure(2025),
            Some((d(2025, 8, 4), d(2025, 8, 24)))
        );
        assert!(c.is_working_day(d(2025, 8, 1)).unwrap());
        assert!(!c.is_working_day(d(2025, 8, 4)).unwrap());
        assert!(!c.is_working_day(d(2025, 8, 22)).unwrap());
        assert!(c.is_working_day(d(2025, 8, 25)).unwrap());
        // ... but those days are business days for carriers.
        assert!(c.is_business_day(d(2025, 8, 4)).unwrap());
        assert_eq!(
            c.add_working_days(d(2025, 8, 1), 1).unwrap(),
            d(2025, 8, 25)
        );
        // 2024: first Monday of August is the 5th.
        assert_eq!(c.august_closure(2024).unwrap().0, d(2024, 8, 5));
        // Without closure August is worked (but 15 August is a holiday).
        let open = Calendar::new(0).unwrap();
        assert!(open.is_working_day(d(2025, 8, 4)).unwrap());
        assert!(!open.is_working_day(d(2025, 8, 15)).unwrap());
        // May 2025: 22 weekdays minus 1, 8 and 29 May = 19 working days.
        assert_eq!(
            c.working_days_between(d(2025, 5, 1), d(2025, 5, 31))
                .unwrap(),
            19
        );
        assert!(Calendar::new(MAX_AUGUST_CLOSURE_WEEKS + 1).is_err());
        assert!(c.is_working_day(d(2041, 1, 2)).is_err());
        assert!(c.is_working_day(d(2022, 12, 30)).is_err());
    }

    #[test]
    fn rentree_is_the_first_weekday_of_september() {
        let c = cal();
        assert_eq!(c.rentree(2024).unwrap(), d(2024, 9, 2));
        assert_eq!(c.rentree(2025).unwrap(), d(2025, 9, 1));
        assert_eq!(c.next_rentree(d(2023, 12, 15)).unwrap(), d(2024, 9, 2));
        assert_eq!(
            c.next_rentree(d(2025, 9, 1)).unwrap(),
            c.rentree(2026).unwrap()
        );
    }

    #[test]
    fn validation_case_7_onlineclothingstudy() {
        // 20 × 8 h × 60 × 0.5 / 16 = 300 pieces a day: 5,000 / 300 = 16.7 days of sewing,
        // 17 production days, + 1 day of line setting = 18 working days (17–19 expected).
        let c = cal();
        let r = schedule(&case7(), &no_ramp(), &c).unwrap();
        assert!((r.production_days_exact - 16.67).abs() < 0.01, "{r:?}");
        assert_eq!(r.production_days, 17);
        assert!((17..=19).contains(&r.working_days), "{r:?}");
        assert_eq!(r.working_days, 18);
        assert_eq!(r.start, d(2025, 3, 3));
        assert_eq!(r.production_start, d(2025, 3, 4));
        // 17 working days from Tue 4 March: 4–7, 10–14, 17–21, 24–26 March.
        assert_eq!(r.finish, d(2025, 3, 26));
        // Then 5 working days of personalisation and 5 business days of delivery.
        assert_eq!(r.personalised, d(2025, 4, 2));
        assert_eq!(r.delivered, d(2025, 4, 9));
        assert_eq!(r.deadline, d(2025, 9, 1));
        assert!(r.on_time);
        // With the default ramp-up (0.58 → 0.95 in 6 days) it takes a little longer.
        let ramp = schedule(&case7(), &ScheduleSettings::default(), &c).unwrap();
        assert!(ramp.production_days > r.production_days, "{ramp:?}");
        assert!(ramp.production_days <= 20, "{ramp:?}");
    }

    #[test]
    fn a_holiday_in_the_run_moves_the_finish() {
        // Same run starting Monday 12 May 2025: Ascension (29 May) falls inside.
        let c = cal();
        let input = ScheduleInput {
            order_date: d(2025, 5, 12),
            ..case7()
        };
        let r = schedule(&input, &no_ramp(), &c).unwrap();
        assert_eq!(r.working_days, 18);
        // 17 production days from Tue 13 May: 13–16, 19–23, 26–28, 30 May, 2–6 June,
        // skipping Ascension.
        assert_eq!(r.finish, d(2025, 6, 5));
        assert_eq!(c.working_days_between(r.start, r.finish).unwrap(), 18);
    }

    #[test]
    fn ramp_up_is_the_calibrated_hyperbola() {
        let ramp = RampUp::default();
        ramp.validate().unwrap();
        assert!((ramp.fraction(0.0) - 0.58).abs() < 1e-12);
        assert!((ramp.fraction(6.0) - 0.95).abs() < 1e-12);
        let mut last = 0.0;
        for n in 0..60 {
            let e = ramp.day_average(n);
            assert!(e > last && e < 1.0, "{n}: {e}");
            // The day average lies between the values at the day's ends.
            let (a, b) = (ramp.fraction(f64::from(n)), ramp.fraction(f64::from(n + 1)));
            assert!(a < e && e < b);
            last = e;
        }
        assert_eq!(RampUp::NONE.day_average(0), 1.0);
        assert!(RampUp {
            reach_fraction: 0.5,
            ..ramp
        }
        .validate()
        .is_err());
    }

    #[test]
    fn fewer_operators_never_finish_earlier() {
        let c = cal();
        let settings = ScheduleSettings::default();
        for pieces in [500.0, 5_000.0, 40_000.0] {
            for ops in [3.0, 10.0, 20.0, 57.0] {
                let input = ScheduleInput {
                    pieces,
                    operators: ops,
                    ..case7()
                };
                let full = schedule(&input, &settings, &c).unwrap();
                let half = schedule(
                    &ScheduleInput {
                        operators: ops / 2.0,
                        ..input
                    },
                    &settings,
                    &c,
                )
                .unwrap();
                assert!(
                    half.finish >= full.finish,
                    "{pieces} pieces, {ops} operators"
                );
                assert!(half.delivered >= full.delivered);
            }
        }
    }

    #[test]
    fn invalid_inputs_name_the_workshop() {
        let c = cal();
        let s = ScheduleSettings::default();
        for bad in [
            ScheduleInput {
                pieces: f64::NAN,
                ..case7()
            },
            ScheduleInput {
                operators: -1.0,
                ..case7()
            },
            ScheduleInput {
                minutes_per_piece: 0.0,
                ..case7()
            },
            ScheduleInput {
                efficiency: 1.5,
                ..case7()
            },
        ] {
            let err = schedule(&bad, &s, &c).unwrap_err().to_string();
            assert!(err.contains("workshop `case7`"), "{err}");
        }
        // No operator for pieces to make: an error, not a hang.
        let err = schedule(
            &ScheduleInput {
                operators: 0.0,
                ..case7()
            },
            &s,
            &c,
        )
        .unwrap_err();
        assert!(err.to_string().contains("0 operators"), "{err}");
        // Nothing to make: done at once, on time.
        let r = schedule(
            &ScheduleInput {
                pieces: 0.0,
                operators: 0.0,
                ..case7()
            },
            &s,
            &c,
        )
        .unwrap();
        assert!(r.on_time && r.production_days == 0);
        // Beyond the table.
        assert!(schedule(
            &ScheduleInput {
                order_date: d(2041, 3, 3),
                ..case7()
            },
            &s,
            &c
        )
        .is_err());
    }

    #[test]
    fn trainees_work_after_their_training() {
        let growth = Growth {
            can_hire_per_year: 4,
            trainees_per_year: 3,
            training_months: 6,
        };
        assert_eq!(growth.trainees_working(0), 0);
        assert_eq!(growth.trainees_working(1), 3);
        assert_eq!(growth.trainees_working(2), 6);
        assert_eq!(
            Growth {
                training_months: 0,
                ..growth
            }
            .trainees_working(0),
            3
        );
    }
}
