//! Demand: pieces by year, département, level and product.
//!
//! pieces[y, d, l, p] = pupils[d, l] × growth(l, y) × adoption[l] × renewal(l, y) × kit[p]
//! (ARCHITECTURE.md; kit of 3 polos + 2 sweatshirts per pupil, Techtera 01.07.2024).

use std::collections::BTreeMap;

use crate::data::tables::{Establishment, Level};
use crate::scenario::{Renewal, Scenario};

/// Pieces of one product for one (year, département, level).
#[derive(Debug, Clone, PartialEq)]
pub struct DemandRow {
    /// School year (rentrée).
    pub year: i32,
    /// Département code.
    pub departement: String,
    /// Level.
    pub level: Level,
    /// Product id.
    pub product: String,
    /// Pupils enrolled that year (after growth).
    pub pupils: f64,
    /// Kits supplied that year (pupils equipped, or kit-equivalents under partial renewal).
    pub kits: f64,
    /// Pieces of this product.
    pub pieces: f64,
}

/// Pupils by (département, level), summed over establishments.
pub fn pupils_by_departement(establishments: &[Establishment]) -> BTreeMap<(String, Level), f64> {
    let mut out = BTreeMap::new();
    for e in establishments {
        *out.entry((e.departement.clone(), e.level)).or_insert(0.0) += e.pupils as f64;
    }
    out
}

/// Kits per enrolled pupil supplied to a level in a year.
///
/// Full renewal: adoption every year from the rollout year. Partial renewal: every pupil in
/// the rollout year; afterwards new entrants (1 / years in level) and a replacement share
/// of continuing pupils: 1/n + r × (1 − 1/n).
pub fn kits_per_pupil(scenario: &Scenario, level: Level, year: i32) -> f64 {
    let Some(start) = scenario.rollout_year(level) else {
        return 0.0;
    };
    if year < start {
        return 0.0;
    }
    let adoption = scenario.adoption.of(level);
    match scenario.renewal {
        Renewal::Full => adoption,
        Renewal::Partial if year == start => adoption,
        Renewal::Partial => {
            let entrants = 1.0 / scenario.years_in(level);
            adoption * (entrants + scenario.replacement_rate * (1.0 - entrants))
        }
    }
}

/// Demand rows for every year, département, level and kit product (zero rows kept out).
pub fn demand(establishments: &[Establishment], scenario: &Scenario) -> Vec<DemandRow> {
    let pupils = pupils_by_departement(establishments);
    let mut rows = Vec::with_capacity(scenario.years.len() * pupils.len() * scenario.kit.len());
    for &year in &scenario.years {
        for ((departement, level), &base) in &pupils {
            let growth = scenario.pupil_growth.get(level).copied().unwrap_or(0.0);
            let enrolled = base * (1.0 + growth).powi(year - scenario.base_year);
            let kits = enrolled * kits_per_pupil(scenario, *level, year);
            if kits <= 0.0 {
                continue;
            }
            for (product, &qty) in &scenario.kit {
                rows.push(DemandRow {
                    year,
                    departement: departement.clone(),
                    level: *level,
                    product: product.clone(),
                    pupils: enrolled,
                    kits,
                    pieces: kits * qty,
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Adoption;

    fn school(dep: &str, level: Level, pupils: u64) -> Establishment {
        Establishment {
            uai: None,
            name: "x".into(),
            departement: dep.into(),
            level,
            sector: None,
            pupils,
        }
    }

    #[test]
    fn pilot_gives_9000_polos_and_6000_sweatshirts() {
        // Validation case 1 (Techtera): 3,000 kits -> 9,000 polos + 6,000 sweatshirts.
        let schools: Vec<_> = ["63", "03", "38", "07"]
            .iter()
            .map(|d| school(d, Level::Lycee, 750))
            .collect();
        let s = Scenario {
            base_year: 2024,
            years: vec![2024],
            ..Scenario::default()
        };
        let rows = demand(&schools, &s);
        let sum = |p: &str| {
            rows.iter()
                .filter(|r| r.product == p)
                .map(|r| r.pieces)
                .sum::<f64>()
        };
        assert_eq!(sum("polo"), 9_000.0);
        assert_eq!(sum("sweatshirt"), 6_000.0);
    }

    #[test]
    fn rollout_and_partial_renewal() {
        let schools = vec![
            school("69", Level::Lycee, 300),
            school("69", Level::Ecole, 800),
        ];
        let s = Scenario {
            base_year: 2025,
            years: vec![2026, 2027],
            rollout: [(Level::Lycee, 2026), (Level::Ecole, 2027)].into(),
            renewal: Renewal::Partial,
            replacement_rate: 0.25,
            adoption: Adoption::All(1.0),
            ..Scenario::default()
        };
        let rows = demand(&schools, &s);
        let kits = |y: i32, l: Level| {
            rows.iter()
                .find(|r| r.year == y && r.level == l && r.product == "polo")
                .map_or(0.0, |r| r.kits)
        };
        assert_eq!(kits(2026, Level::Lycee), 300.0);
        assert_eq!(kits(2026, Level::Ecole), 0.0);
        // Year 2: 1/3 new entrants + 25 % of the other 2/3 = 0.5 kit per pupil.
        assert!((kits(2027, Level::Lycee) - 150.0).abs() < 1e-9);
        assert_eq!(kits(2027, Level::Ecole), 800.0);
    }

    #[test]
    fn pupil_growth_compounds_from_the_base_year() {
        let schools = vec![school("01", Level::College, 1000)];
        let s = Scenario {
            base_year: 2025,
            years: vec![2027],
            pupil_growth: [(Level::College, 0.01)].into(),
            ..Scenario::default()
        };
        let rows = demand(&schools, &s);
        assert!((rows[0].pupils - 1000.0 * 1.01f64.powi(2)).abs() < 1e-9);
    }
}
