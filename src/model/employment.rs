//! Direct employment, bottom-up.
//!
//! FTE = Σ pieces × labour minutes / 60 / (annual hours × (1 − absenteeism))
//! (ARCHITECTURE.md; 1,607 h worked a year, Code du travail; absenteeism 4.8–6.1 %, WTW and
//! Ayming 2023). Hiring gap = max(0, FTE needed − operators offered), per workshop.

use crate::params::ModelParams;

/// Effective hours one full-time operator works in a year: annual hours × (1 − absenteeism).
pub fn effective_hours_per_fte(m: &ModelParams) -> f64 {
    m.annual_hours * (1.0 - m.absenteeism)
}

/// Full-time equivalents needed for `labour_hours` of work in a year.
pub fn fte(labour_hours: f64, m: &ModelParams) -> f64 {
    labour_hours / effective_hours_per_fte(m)
}

/// Operators to hire: the FTE needed beyond those offered, never negative.
pub fn hiring_gap(fte_needed: f64, offered_fte: f64) -> f64 {
    (fte_needed - offered_fte).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    #[test]
    fn full_programme_fte_by_hand() {
        // Validation case 4: 7.5 M pieces at about 32 labour minutes each (17.6 standard
        // minutes × 1.12 allowance / 0.55 efficiency... see docs) with 1,607 h and 5.5 %
        // absence: 7.5e6 × 32 / 60 / (1,607 × 0.945) = 2,634 FTE, inside 2,500–3,500.
        let m = Params::defaults().model();
        let f = fte(7.5e6 * 32.0 / 60.0, &m);
        assert!((f - 7.5e6 * 32.0 / 60.0 / (1607.0 * 0.945)).abs() < 1e-9);
        assert!((2_500.0..=3_500.0).contains(&f), "{f}");
    }

    #[test]
    fn gap_is_never_negative() {
        assert_eq!(hiring_gap(10.0, 12.0), 0.0);
        assert_eq!(hiring_gap(12.0, 10.0), 2.0);
    }

    #[test]
    fn direct_jobs_scale_linearly_with_hours() {
        let m = Params::defaults().model();
        assert!((fte(2000.0, &m) - 2.0 * fte(1000.0, &m)).abs() < 1e-12);
    }
}
