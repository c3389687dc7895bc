//! The survey as a sample of the region: who answered, how much of the region's garment
//! workforce the answers cover, and (scenario `survey_extrapolation = "ratio"`) the
//! capacity of the listed workshops that did not answer, estimated from those that did.
//!
//! **Coverage.** `survey_coverage` = Σ operators of the workshops that answered /
//! `reference_garment_workforce` (AURA apparel salaried jobs, Insee Flash ARA 139). The
//! numerator counts production operators and the reference all salaried jobs, so a census
//! of the region would read about 0.8 (operators are 75–90 % of a workshop's staff): the
//! figure is a lower bound of the share of staff covered.
//!
//! **Ratio estimator by département.** Each workshop listed with `answered = no` in
//! département d gets operators = ρ × ȳ_d, ȳ_d the mean operators of the respondents of d
//! (of the region when d has none), ρ = `nonrespondent_size_ratio` (1: the plain ratio
//! estimator with the number of workshops as auxiliary variable, Ŷ_d = N_d ȳ_d; below 1:
//! non-respondents smaller, as small firms answer less often). Its products are those at
//! least half of the stratum's respondents make (all they make if none reaches half), its
//! hiring potential ρ × their mean; every other answer takes the parameter defaults. The
//! estimated workshops keep their id with [`ESTIMATED_SUFFIX`], so every table that names
//! workshops flags them, and ρ is drawn with the other parameters in the (exact) Monte Carlo.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::data::tables::Workshop;
use crate::error::Result;
use crate::scenario::Extrapolation;
use crate::study::Study;

/// Appended to the id of a workshop whose capacity is estimated, in every table.
pub const ESTIMATED_SUFFIX: &str = " (estimated)";

/// What the survey says about itself, for the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// Workshops that answered.
    pub respondents: usize,
    /// Listed workshops that did not answer.
    pub nonrespondents: usize,
    /// Operators of the workshops that answered (persons).
    pub operators: f64,
    /// `operators` / `reference_garment_workforce` (fraction).
    pub coverage: f64,
    /// Operators estimated for the non-respondents (persons; 0 without extrapolation).
    pub estimated_operators: f64,
}

/// The workshops the models see: those that answered, and with `ratio` the estimated
/// non-respondents; and the survey's coverage.
pub fn modelled_workshops(study: &Study) -> (Vec<Workshop>, Coverage) {
    let m = study.params.model();
    let (answered, silent): (Vec<&Workshop>, Vec<&Workshop>) =
        study.workshops.iter().partition(|w| w.answered);
    let operators: f64 = answered.iter().map(|w| f64::from(w.operators)).sum();
    let mut workshops: Vec<Workshop> = answered.iter().map(|w| (*w).clone()).collect();
    let mut estimated_operators = 0.0;
    if study.scenario.survey_extrapolation == Extrapolation::Ratio && !answered.is_empty() {
        for w in &silent {
            let same: Vec<&Workshop> = answered
                .iter()
                .copied()
                .filter(|r| r.departement == w.departement)
                .collect();
            let stratum = if same.is_empty() { &answered } else { &same };
            let estimate = estimate(w, stratum, m.nonrespondent_size_ratio);
            estimated_operators += f64::from(estimate.operators);
            workshops.push(estimate);
        }
    }
    let coverage = Coverage {
        respondents: answered.len(),
        nonrespondents: silent.len(),
        operators,
        coverage: operators / m.reference_garment_workforce,
        estimated_operators,
    };
    (workshops, coverage)
}

/// A non-respondent's answers estimated from the respondents of its stratum.
fn estimate(w: &Workshop, stratum: &[&Workshop], ratio: f64) -> Workshop {
    let n = stratum.len() as f64;
    let mean = |f: fn(&Workshop) -> u32| stratum.iter().map(|r| f64::from(f(r))).sum::<f64>() / n;
    let mut makers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in stratum {
        for p in &r.products {
            *makers.entry(p.as_str()).or_default() += 1;
        }
    }
    let mut products: Vec<String> = makers
        .iter()
        .filter(|(_, &k)| 2 * k >= stratum.len())
        .map(|(p, _)| (*p).to_owned())
        .collect();
    if products.is_empty() {
        products = makers.keys().map(|p| (*p).to_owned()).collect();
    }
    let round = |x: f64| (x.round().max(0.0)) as u32;
    Workshop {
        id: format!("{}{ESTIMATED_SUFFIX}", w.id),
        name: w.name.clone(),
        departement: w.departement.clone(),
        operators: round(ratio * mean(|r| r.operators)),
        hours_per_week: None,
        shifts: None,
        efficiency: None,
        programme_share: None,
        products,
        hourly_cost_eur: None,
        overhead_rate: None,
        can_hire: round(ratio * mean(|r| r.can_hire)),
        training_centre: false,
        trainees: 0,
        can_personalise: false,
        answered: false,
    }
}

/// The study as the models see it: [`modelled_workshops`] in place of the survey.
pub fn modelled(study: &Study) -> (Study, Coverage) {
    let (workshops, coverage) = modelled_workshops(study);
    (
        Study {
            workshops,
            ..study.clone()
        },
        coverage,
    )
}

/// The summary with the survey's columns: `survey_coverage`, `survey_respondents`,
/// `survey_nonrespondents` and `estimated_operators` (the same every year).
///
/// # Errors
/// [`crate::error::Error::Internal`] only if Polars fails (a bug).
pub fn with_coverage(mut summary: DataFrame, c: &Coverage) -> Result<DataFrame> {
    let n = summary.height();
    summary.hstack_mut(&[
        Column::new("survey_coverage".into(), vec![c.coverage; n]),
        Column::new("survey_respondents".into(), vec![c.respondents as i64; n]),
        Column::new(
            "survey_nonrespondents".into(),
            vec![c.nonrespondents as i64; n],
        ),
        Column::new("estimated_operators".into(), vec![c.estimated_operators; n]),
    ])?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn bundled_survey_covers_its_share_of_the_region() {
        let s = Study::example("aura").unwrap();
        let (w, c) = modelled_workshops(&s);
        assert_eq!(w.len(), 119);
        assert_eq!((c.respondents, c.nonrespondents), (119, 0));
        assert_eq!(c.operators, 1819.0);
        assert!(
            (c.coverage - 1819.0 / 2200.0).abs() < 1e-12,
            "{}",
            c.coverage
        );
    }

    #[test]
    fn ratio_estimator_by_departement() {
        let mut s = Study::example("aura").unwrap();
        // Loire (42): silence three respondents; they are estimated from the other 25.
        let loire: Vec<usize> = (0..s.workshops.len())
            .filter(|&i| s.workshops[i].departement == "42")
            .take(3)
            .collect();
        for &i in &loire {
            s.workshops[i].answered = false;
        }
        let rest: Vec<&Workshop> = s
            .workshops
            .iter()
            .filter(|w| w.answered && w.departement == "42")
            .collect();
        let mean = rest.iter().map(|w| f64::from(w.operators)).sum::<f64>() / rest.len() as f64;
        let (w, c) = modelled_workshops(&s);
        assert_eq!((c.respondents, c.nonrespondents), (116, 3));
        assert_eq!(w.len(), 116);
        assert_eq!(c.estimated_operators, 0.0);
        s.scenario = Scenario {
            survey_extrapolation: Extrapolation::Ratio,
            ..s.scenario.clone()
        };
        let (w, c) = modelled_workshops(&s);
        assert_eq!(w.len(), 119);
        let estimated: Vec<&Workshop> = w
            .iter()
            .filter(|w| w.id.ends_with(ESTIMATED_SUFFIX))
            .collect();
        assert_eq!(estimated.len(), 3);
        for e in &estimated {
            assert_eq!(e.departement, "42");
            assert_eq!(f64::from(e.operators), mean.round());
        }
        assert_eq!(c.estimated_operators, 3.0 * mean.round());
        // Half-size non-respondents.
        let half = s.with_params([("nonrespondent_size_ratio", 0.5)]).unwrap();
        let (_, c) = modelled_workshops(&half);
        assert_eq!(c.estimated_operators, 3.0 * (0.5 * mean).round());
    }
}
