//! Workshop capacity offered to the programme.

use crate::data::tables::Workshop;
use crate::params::ModelParams;

use super::cost::LEGAL_WEEK_H;

/// What a workshop offers the programme in a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    /// Operators offered, in full-time equivalents of 1,607 h a year:
    /// operators × programme share × hours per week / 35.
    pub offered_fte: f64,
    /// Operator minutes offered a year, absence deducted:
    /// offered FTE × annual hours × (1 − absenteeism) × 60.
    pub minutes_per_year: f64,
}

/// Capacity of a workshop; empty survey cells fall back to the parameters.
pub fn capacity(w: &Workshop, m: &ModelParams) -> Capacity {
    let hours_per_week = w.hours_per_week.unwrap_or(m.hours_per_week);
    let share = w.programme_share.unwrap_or(m.programme_share);
    let offered_fte = f64::from(w.operators) * share * hours_per_week / LEGAL_WEEK_H;
    Capacity {
        offered_fte,
        minutes_per_year: offered_fte * m.annual_hours * (1.0 - m.absenteeism) * 60.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    fn workshop(ops: u32, products: &[&str], share: Option<f64>) -> Workshop {
        Workshop {
            programme_share: share,
            ..Workshop::fixture("w", "42", ops, products)
        }
    }

    #[test]
    fn capacity_by_hand() {
        let m = Params::defaults().model();
        // 20 operators, half offered, 35 h: 10 FTE × 1,607 h × 0.945 × 60 min.
        let c = capacity(&workshop(20, &["polo"], Some(0.5)), &m);
        assert_eq!(c.offered_fte, 10.0);
        assert!((c.minutes_per_year - 10.0 * 1607.0 * 0.945 * 60.0).abs() < 1e-6);
    }
}
