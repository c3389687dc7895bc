//! The scenario: which years, which levels when, how many pupils take part, how kits are
//! renewed, and what the kit contains.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::tables::Level;
use crate::error::{Error, Result};

/// Share of pupils equipped: one number for every level, or one per level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Adoption {
    /// The same share for every level.
    All(f64),
    /// A share per level (levels not named take no part).
    ByLevel(BTreeMap<Level, f64>),
}

impl Default for Adoption {
    fn default() -> Self {
        Adoption::All(1.0)
    }
}

impl Adoption {
    /// Adoption share of a level.
    pub fn of(&self, level: Level) -> f64 {
        match self {
            Adoption::All(a) => *a,
            Adoption::ByLevel(map) => map.get(&level).copied().unwrap_or(0.0),
        }
    }
}

/// How kits are renewed after a level's first year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Renewal {
    /// One full kit per pupil per year (what the published 7.5 M pieces a year implies).
    #[default]
    Full,
    /// New entrants get a kit; other pupils replace a share of theirs each year.
    Partial,
}

/// How the capacity of listed workshops that did not answer the survey is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Extrapolation {
    /// Not at all: only the answers count.
    #[default]
    None,
    /// Estimated from the respondents of the same département (ratio estimator, see
    /// [`crate::survey`]), flagged `(estimated)` in every table.
    Ratio,
}

/// The scenario section of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// School year (rentrée) the establishment pupil counts describe.
    pub base_year: i32,
    /// School years to model (rentrée years), increasing.
    pub years: Vec<i32>,
    /// First year each level is equipped; a level not named is never equipped.
    /// Empty means every level from the first modelled year.
    #[serde(default)]
    pub rollout: BTreeMap<Level, i32>,
    /// Share of pupils equipped once their level is rolled out (fraction).
    #[serde(default)]
    pub adoption: Adoption,
    /// Renewal policy.
    #[serde(default)]
    pub renewal: Renewal,
    /// Partial renewal: share of continuing pupils replacing their kit each year (fraction).
    #[serde(default)]
    pub replacement_rate: f64,
    /// Partial renewal: school years in each level (new entrants = pupils / years).
    /// Defaults: école 8 (3 maternelle + 5 élémentaire), collège 4, lycée 3.
    #[serde(default)]
    pub years_in_level: BTreeMap<Level, f64>,
    /// Yearly growth of pupil numbers by level from the base year (fraction per year).
    #[serde(default)]
    pub pupil_growth: BTreeMap<Level, f64>,
    /// Pieces per pupil in the kit, by catalog product.
    #[serde(default = "default_kit")]
    pub kit: BTreeMap<String, f64>,
    /// Capacity of the survey's non-respondents: `none` (default) or `ratio`.
    #[serde(default)]
    pub survey_extrapolation: Extrapolation,
    /// Smallest share of each product's pieces made in the region (fraction, 0–1); imports
    /// at the catalog's `import_price_eur` may supply at most `1 − local_content_min` of
    /// them. Default 1: the programme's premise, every piece made in AURA.
    #[serde(
        default = "default_local_content_min",
        deserialize_with = "local_content_min_number"
    )]
    pub local_content_min: f64,
}

fn default_local_content_min() -> f64 {
    1.0
}

/// A number, or an error naming the key (serde's own says only "invalid type").
fn local_content_min_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<f64, D::Error> {
    f64::deserialize(d).map_err(|e| {
        serde::de::Error::custom(format!(
            "scenario.local_content_min must be a number within 0-1: {e}"
        ))
    })
}

fn default_kit() -> BTreeMap<String, f64> {
    BTreeMap::from([("polo".to_owned(), 3.0), ("sweatshirt".to_owned(), 2.0)])
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            base_year: 2025,
            years: vec![2026],
            rollout: BTreeMap::new(),
            adoption: Adoption::default(),
            renewal: Renewal::Full,
            replacement_rate: 0.0,
            years_in_level: BTreeMap::new(),
            pupil_growth: BTreeMap::new(),
            kit: default_kit(),
            survey_extrapolation: Extrapolation::None,
            local_content_min: default_local_content_min(),
        }
    }
}

impl Scenario {
    /// Parse a scenario from JSON (the Python layer passes dicts this way).
    ///
    /// # Errors
    /// [`Error::Study`] naming the bad field.
    pub fn from_json(json: &str) -> Result<Self> {
        let scenario: Scenario = serde_json::from_str(json).map_err(|e| Error::Study {
            file: "scenario".into(),
            reason: e.to_string(),
        })?;
        scenario.validate("scenario")?;
        Ok(scenario)
    }

    /// Check ranges and consistency.
    ///
    /// # Errors
    /// [`Error::Study`] saying which field is wrong and what is allowed.
    pub fn validate(&self, file: &str) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Study {
                file: file.to_owned(),
                reason,
            })
        };
        if self.years.is_empty() {
            return bad("scenario.years is empty: list the school years to model".into());
        }
        if self.years.windows(2).any(|w| w[0] >= w[1]) {
            return bad(format!(
                "scenario.years must increase strictly, got {:?}",
                self.years
            ));
        }
        for y in self
            .years
            .iter()
            .chain(self.rollout.values())
            .chain([&self.base_year])
        {
            if !(1950..=2200).contains(y) {
                return bad(format!("year {y} is outside 1950-2200"));
            }
        }
        let adoption: Vec<f64> = match &self.adoption {
            Adoption::All(a) => vec![*a],
            Adoption::ByLevel(m) => m.values().copied().collect(),
        };
        if adoption.iter().any(|a| !(0.0..=1.0).contains(a)) {
            return bad(format!(
                "scenario.adoption must be within 0-1, got {:?}",
                self.adoption
            ));
        }
        if !(0.0..=1.0).contains(&self.replacement_rate) {
            return bad(format!(
                "scenario.replacement_rate must be within 0-1, got {}",
                self.replacement_rate
            ));
        }
        if let Some((l, y)) = self
            .years_in_level
            .iter()
            .find(|(_, y)| !(**y >= 1.0 && **y <= 20.0))
        {
            return bad(format!(
                "scenario.years_in_level.{} must be within 1-20, got {y}",
                l.as_str()
            ));
        }
        if let Some((l, g)) = self
            .pupil_growth
            .iter()
            .find(|(_, g)| !(**g > -0.5 && **g < 0.5))
        {
            return bad(format!(
                "scenario.pupil_growth.{} must be within -0.5-0.5, got {g}",
                l.as_str()
            ));
        }
        if !(0.0..=1.0).contains(&self.local_content_min) {
            return bad(format!(
                "scenario.local_content_min must be within 0-1 (the smallest share of each \
                 product's pieces made in the region; 1 = no imports), got {}",
                self.local_content_min
            ));
        }
        if self.kit.is_empty() {
            return bad("scenario.kit is empty: give pieces per pupil, e.g. polo = 3".into());
        }
        if let Some((p, q)) = self.kit.iter().find(|(_, q)| !(**q >= 0.0 && **q <= 100.0)) {
            return bad(format!(
                "scenario.kit.{p} must be within 0-100 pieces, got {q}"
            ));
        }
        Ok(())
    }

    /// Years a pupil spends in a level.
    pub fn years_in(&self, level: Level) -> f64 {
        self.years_in_level
            .get(&level)
            .copied()
            .unwrap_or(match level {
                Level::Ecole => 8.0,
                Level::College => 4.0,
                Level::Lycee => 3.0,
            })
    }

    /// First year a level is equipped, `None` if never.
    pub fn rollout_year(&self, level: Level) -> Option<i32> {
        if self.rollout.is_empty() {
            self.years.first().copied()
        } else {
            self.rollout.get(&level).copied()
        }
    }

    /// Pieces per pupil of the whole kit.
    pub fn pieces_per_kit(&self) -> f64 {
        self.kit.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_toml_with_per_level_adoption() {
        let s: Scenario = toml::from_str(
            "base_year = 2025\nyears = [2026, 2027]\nadoption = { lycee = 0.8 }\n[rollout]\nlycee = 2026\n",
        )
        .unwrap();
        s.validate("t").unwrap();
        assert_eq!(s.adoption.of(Level::Lycee), 0.8);
        assert_eq!(s.adoption.of(Level::Ecole), 0.0);
        assert_eq!(s.rollout_year(Level::College), None);
        assert_eq!(s.pieces_per_kit(), 5.0);
    }

    #[test]
    fn refuses_unknown_fields_and_bad_ranges() {
        assert!(
            toml::from_str::<Scenario>("base_year = 2025\nyears = [2026]\nadopton = 1\n").is_err()
        );
        let s = Scenario {
            adoption: Adoption::All(1.5),
            ..Scenario::default()
        };
        assert!(s.validate("t").is_err());
        let s = Scenario {
            years: vec![2027, 2026],
            ..Scenario::default()
        };
        assert!(s.validate("t").is_err());
    }

    #[test]
    fn local_content_min_defaults_to_all_made_in_the_region() {
        let s: Scenario = toml::from_str("base_year = 2025\nyears = [2026]\n").unwrap();
        assert_eq!(s.local_content_min, 1.0);
        assert_eq!(Scenario::default().local_content_min, 1.0);
        let json = serde_json::to_string(&Scenario::default()).unwrap();
        assert!(json.contains("\"local_content_min\":1.0"), "{json}");
    }

    #[test]
    fn local_content_min_parses_and_round_trips() {
        let s: Scenario =
            toml::from_str("base_year = 2025\nyears = [2026]\nlocal_content_min = 0.7\n").unwrap();
        s.validate("t").unwrap();
        assert_eq!(s.local_content_min, 0.7);
        let back = Scenario::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        for edge in [0.0, 1.0] {
            let s = Scenario {
                local_content_min: edge,
                ..Scenario::default()
            };
            s.validate("t").unwrap();
        }
    }

    #[test]
    fn local_content_min_outside_0_1_is_a_study_error_naming_the_key() {
        for bad in [1.5, -0.1, f64::NAN] {
            let s = Scenario {
                local_content_min: bad,
                ..Scenario::default()
            };
            let err = s.validate("study.toml").unwrap_err();
            let Error::Study { file, reason } = &err else {
                panic!("{err}")
            };
            assert_eq!(file, "study.toml");
            assert!(reason.contains("scenario.local_content_min"), "{reason}");
            assert!(reason.contains("0-1"), "{reason}");
        }
        let err = Scenario::from_json(
            r#"{"base_year": 2025, "years": [2026], "local_content_min": 1.5}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("local_content_min"), "{err}");
        let err = Scenario::from_json(
            r#"{"base_year": 2025, "years": [2026], "local_content_min": "all"}"#,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Study { .. }), "{err}");
        assert!(err.to_string().contains("local_content_min"), "{err}");
    }
}
