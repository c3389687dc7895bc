//! Multipliers (output, employment, income, value added; Type I and II) and the impact of
//! a final-demand shock, split into direct, indirect and induced effects.
//!
//! Miller & Blair, *Input-Output Analysis*, 2nd ed. (2009), ch. 6. For a coefficient vector
//! c (c_j = satellite_j / x_j: jobs per EUR, compensation per EUR, value added per EUR; c = 1
//! for output), L = (I − A)⁻¹ and L̄ₙₙ the n × n branch block of the closed inverse
//! (see [`crate::economy::leontief`]):
//!
//! | quantity  | Type I             | Type II               |
//! |-----------|--------------------|-----------------------|
//! | direct    | c_j                | c_j                   |
//! | indirect  | (cᵀL)_j − c_j      | (cᵀL)_j − c_j         |
//! | induced   | 0                  | (cᵀL̄ₙₙ)_j − (cᵀL)_j   |
//! | total     | (cᵀL)_j            | (cᵀL̄ₙₙ)_j             |
//! | ratio     | (cᵀL)_j / c_j      | (cᵀL̄ₙₙ)_j / c_j       |
//!
//! For output, direct = 1 and total is the column sum of L (Type I) or of L̄ₙₙ (Type II,
//! households' own row left out). `total` is the "simple" (Type I) or "total" (Type II)
//! multiplier per unit of final demand (e.g. jobs per EUR: multiply by 10⁶ for jobs per
//! M€); `ratio` is the Type I or Type II multiplier in Miller & Blair's sense (total effect
//! per unit of direct effect). It is NaN for a branch whose direct coefficient is 0.
//!
//! Impact of a final-demand change Δf (EUR by branch): Δx = L·Δf (Type I), Δx = L̄ₙₙ·Δf
//! (Type II, which is L̄·[Δf; 0] with no direct household demand). For a satellite,
//! direct = c ⊙ Δf, indirect = c ⊙ L·Δf − direct, induced = c ⊙ (L̄ₙₙ − L)·Δf; for output,
//! direct = Δf. Jobs are then ΔE = diag(e)·L·Δf (ARCHITECTURE.md).

use std::fmt;
use std::str::FromStr;

use nalgebra::DVector;

use crate::economy::io_table::Satellite;
use crate::economy::leontief::IoModel;
use crate::error::{Error, Result};

/// What a multiplier counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MultiplierKind {
    /// Output of all branches (EUR per EUR of final demand).
    Output,
    /// Jobs, persons (head count) per EUR of final demand.
    Employment,
    /// Compensation of employees, EUR per EUR of final demand.
    Income,
    /// Gross value added, EUR per EUR of final demand.
    ValueAdded,
}

impl MultiplierKind {
    /// All kinds, in a stable order.
    pub const ALL: [MultiplierKind; 4] = [
        MultiplierKind::Output,
        MultiplierKind::Employment,
        MultiplierKind::Income,
        MultiplierKind::ValueAdded,
    ];

    /// Lower-case name: `output`, `employment`, `income`, `value_added`.
    pub fn name(self) -> &'static str {
        match self {
            MultiplierKind::Output => "output",
            MultiplierKind::Employment => "employment",
            MultiplierKind::Income => "income",
            MultiplierKind::ValueAdded => "value_added",
        }
    }

    fn satellite(self) -> Option<Satellite> {
        match self {
            MultiplierKind::Output => None,
            MultiplierKind::Employment => Some(Satellite::Employment),
            MultiplierKind::Income => Some(Satellite::Compensation),
            MultiplierKind::ValueAdded => Some(Satellite::ValueAdded),
        }
    }
}

impl fmt::Display for MultiplierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MultiplierKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        MultiplierKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::parameter(
                    "kind",
                    format!("unknown multiplier kind {s:?}: use output, employment, income or value_added"),
                )
            })
    }
}

/// Open (Type I) or closed-for-households (Type II) model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelType {
    /// Households exogenous: direct + indirect effects.
    TypeI,
    /// Households endogenous: direct + indirect + induced effects.
    TypeII,
}

impl ModelType {
    /// `I` or `II`.
    pub fn name(self) -> &'static str {
        match self {
            ModelType::TypeI => "I",
            ModelType::TypeII => "II",
        }
    }
}

impl fmt::Display for ModelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelType {
    type Err = Error;

    /// Accepts `I`, `1`, `type_i`, `Type I` and `II`, `2`, `type_ii`, `Type II`.
    fn from_str(s: &str) -> Result<Self> {
        let key: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .collect();
        match key.strip_prefix("type").unwrap_or(&key) {
            "i" | "1" => Ok(ModelType::TypeI),
            "ii" | "2" => Ok(ModelType::TypeII),
            _ => Err(Error::parameter(
                "model",
                format!("unknown model type {s:?}: use I (open) or II (closed for households)"),
            )),
        }
    }
}

/// Multipliers of every branch, for one kind and one model type (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Multipliers {
    /// What is counted.
    pub kind: MultiplierKind,
    /// Type I or II.
    pub model: ModelType,
    /// Branch labels (the branch receiving the unit of final demand).
    pub branches: Vec<String>,
    /// Direct effect per unit of final demand: c_j (1 for output).
    pub direct: Vec<f64>,
    /// Indirect effect: (cᵀL)_j − c_j.
    pub indirect: Vec<f64>,
    /// Induced effect: (cᵀL̄ₙₙ)_j − (cᵀL)_j; 0 for Type I.
    pub induced: Vec<f64>,
    /// Total = direct + indirect + induced (simple multiplier of the model type).
    pub total: Vec<f64>,
    /// Total / direct (Type I or Type II ratio); NaN when the direct coefficient is 0.
    pub ratio: Vec<f64>,
}

/// Direct, indirect and induced effects of a shock, by branch (the branch where the
/// effect happens).
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    /// Direct effect, by branch.
    pub direct: Vec<f64>,
    /// Indirect effect (supply chain), by branch.
    pub indirect: Vec<f64>,
    /// Induced effect (household spending of income); 0 for Type I.
    pub induced: Vec<f64>,
    /// direct + indirect + induced, by branch.
    pub total: Vec<f64>,
}

/// The sums over branches of [`Effects`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectTotals {
    /// Σ direct.
    pub direct: f64,
    /// Σ indirect.
    pub indirect: f64,
    /// Σ induced.
    pub induced: f64,
    /// Σ total.
    pub total: f64,
}

impl Effects {
    fn split(
        coefficients: Option<&DVector<f64>>,
        shock: &DVector<f64>,
        open: &DVector<f64>,
        closed: Option<&DVector<f64>>,
    ) -> Self {
        let weight = |i: usize, v: f64| coefficients.map_or(v, |c| c[i] * v);
        let n = shock.len();
        let mut effects = Effects {
            direct: Vec::with_capacity(n),
            indirect: Vec::with_capacity(n),
            induced: Vec::with_capacity(n),
            total: Vec::with_capacity(n),
        };
        for i in 0..n {
            let direct = weight(i, shock[i]);
            let type_i = weight(i, open[i]);
            let type_ii = closed.map_or(type_i, |x| weight(i, x[i]));
            effects.direct.push(direct);
            effects.indirect.push(type_i - direct);
            effects.induced.push(type_ii - type_i);
            effects.total.push(type_ii);
        }
        effects
    }

    /// Sums over all branches.
    pub fn totals(&self) -> EffectTotals {
        EffectTotals {
            direct: self.direct.iter().sum(),
            indirect: self.indirect.iter().sum(),
            induced: self.induced.iter().sum(),
            total: self.total.iter().sum(),
        }
    }
}

/// Effects of a final-demand shock on every branch.
#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    /// Type I or II.
    pub model: ModelType,
    /// Branch labels.
    pub branches: Vec<String>,
    /// Output, EUR.
    pub output: Effects,
    /// Gross value added, EUR, if the table has it.
    pub value_added: Option<Effects>,
    /// Compensation of employees, EUR, if the table has it.
    pub income: Option<Effects>,
    /// Jobs, persons, if the table has employment.
    pub jobs: Option<Effects>,
}

impl IoModel {
    /// Multipliers of every branch for one kind and model type.
    ///
    /// # Errors
    /// [`Error::Schema`] when the table lacks the satellite the kind needs (`employment`,
    /// `compensation`, `value_added`) or, for Type II, `compensation` and
    /// `household_consumption`.
    pub fn multipliers(&self, kind: MultiplierKind, model: ModelType) -> Result<Multipliers> {
        let n = self.n();
        let coefficients: DVector<f64> = match kind.satellite() {
            None => DVector::from_element(n, 1.0),
            Some(which) => self
                .satellite_coefficients(which)
                .ok_or_else(|| {
                    Error::schema(
                        self.source(),
                        None,
                        Some(which.column()),
                        None,
                        format!(
                            "the table has no `{}` column, needed for {kind} multipliers",
                            which.column()
                        ),
                    )
                })?
                .into_owned(),
        };
        let open = self.inverse().tr_mul(&coefficients);
        let closed = match model {
            ModelType::TypeI => None,
            ModelType::TypeII => Some(self.closed_block()?.tr_mul(&coefficients)),
        };
        let mut m = Multipliers {
            kind,
            model,
            branches: self.branches().to_vec(),
            direct: Vec::with_capacity(n),
            indirect: Vec::with_capacity(n),
            induced: Vec::with_capacity(n),
            total: Vec::with_capacity(n),
            ratio: Vec::with_capacity(n),
        };
        for j in 0..n {
            let direct = coefficients[j];
            let type_i = open[j];
            let total = closed.as_ref().map_or(type_i, |c| c[j]);
            m.direct.push(direct);
            m.indirect.push(type_i - direct);
            m.induced.push(total - type_i);
            m.total.push(total);
            m.ratio.push(if direct == 0.0 {
                f64::NAN
            } else {
                total / direct
            });
        }
        Ok(m)
    }

    /// Effects of a final-demand change `final_demand` (EUR by branch, same order as the
    /// branches; negative values are a fall in demand).
    ///
    /// Output effects are always given; value added, income and jobs when the table has
    /// the satellite.
    ///
    /// # Errors
    /// [`Error::Parameter`] named `final_demand` when it does not have one finite value
    /// per branch; [`Error::Schema`] for Type II without household data.
    pub fn impact(&self, final_demand: &[f64], model: ModelType) -> Result<Impact> {
        let n = self.n();
        if final_demand.len() != n {
            return Err(Error::parameter(
                "final_demand",
                format!(
                    "{} values for {n} branches: give one value per branch, in table order",
                    final_demand.len()
                ),
            ));
        }
        if let Some((i, v)) = final_demand
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(Error::parameter(
                "final_demand",
                format!(
                    "branch `{}`: {v} is not a finite amount",
                    self.branches()[i]
                ),
            ));
        }
        let shock = DVector::from_column_slice(final_demand);
        let open = self.inverse() * &shock;
        let closed = match model {
            ModelType::TypeI => None,
            ModelType::TypeII => Some(self.closed_block()? * &shock),
        };
        let satellite = |which: Satellite| {
            self.satellite_coefficients(which)
                .map(|c| Effects::split(Some(&c.into_owned()), &shock, &open, closed.as_ref()))
        };
        Ok(Impact {
            model,
            branches: self.branches().to_vec(),
            output: Effects::split(None, &shock, &open, closed.as_ref()),
            value_added: satellite(Satellite::ValueAdded),
            income: satellite(Satellite::Compensation),
            jobs: satellite(Satellite::Employment),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::economy::io_table::IoTable;
    use nalgebra::DMatrix;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn miller_blair() -> IoModel {
        IoTable::new(
            vec!["agriculture".into(), "manufacturing".into()],
            DMatrix::from_row_slice(2, 2, &[150.0, 500.0, 200.0, 100.0]),
            DVector::from_vec(vec![1000.0, 2000.0]),
        )
        .unwrap()
        .model()
        .unwrap()
    }

    /// A four-branch table with jobs, compensation, value added and household spending.
    fn four_branches() -> IoModel {
        IoTable::new(
            vec![
                "farm".into(),
                "mill".into(),
                "shop".into(),
                "service".into(),
            ],
            DMatrix::from_row_slice(
                4,
                4,
                &[
                    20.0, 60.0, 5.0, 2.0, //
                    10.0, 80.0, 30.0, 15.0, //
                    8.0, 40.0, 25.0, 20.0, //
                    6.0, 50.0, 35.0, 40.0,
                ],
            ),
            DVector::from_vec(vec![150.0, 400.0, 250.0, 300.0]),
        )
        .unwrap()
        .with_employment(DVector::from_vec(vec![30.0, 20.0, 40.0, 45.0]))
        .unwrap()
        .with_compensation(DVector::from_vec(vec![40.0, 90.0, 80.0, 120.0]))
        .unwrap()
        .with_value_added(DVector::from_vec(vec![70.0, 150.0, 130.0, 180.0]))
        .unwrap()
        .with_household_consumption(DVector::from_vec(vec![25.0, 60.0, 90.0, 80.0]))
        .unwrap()
        .model()
        .unwrap()
    }

    #[test]
    fn miller_blair_output_multipliers() {
        // Validation case 9: output multipliers 1.5182 and 1.4521 (Miller & Blair 2009, §6.2).
        let m = miller_blair()
            .multipliers(MultiplierKind::Output, ModelType::TypeI)
            .unwrap();
        assert!(close(m.total[0], 1.5182, 5e-5), "{}", m.total[0]);
        assert!(close(m.total[1], 1.4521, 5e-5), "{}", m.total[1]);
        assert_eq!(m.direct, vec![1.0, 1.0]);
        assert!(close(m.indirect[0], 0.5182, 5e-5));
        assert_eq!(m.induced, vec![0.0, 0.0]);
        assert_eq!(m.ratio, m.total);
    }

    #[test]
    fn type_ii_over_type_i_income_ratio_is_the_same_for_every_branch() {
        // Validation case 10 (Miller & Blair 2009, §6.2.3): Type II / Type I income
        // multipliers = 1 / (1 − w_rᵀ L h_c), whatever the branch.
        let model = four_branches();
        let one = model
            .multipliers(MultiplierKind::Income, ModelType::TypeI)
            .unwrap();
        let two = model
            .multipliers(MultiplierKind::Income, ModelType::TypeII)
            .unwrap();
        let closed = model.closed().unwrap();
        let k = closed.labour.dot(&(model.inverse() * &closed.households));
        let expected = 1.0 / (1.0 - k);
        for j in 0..4 {
            let r = two.total[j] / one.total[j];
            assert!(close(r, expected, 1e-12), "branch {j}: {r} vs {expected}");
            // Same for the Type I and Type II ratios themselves.
            assert!(close(two.ratio[j] / one.ratio[j], expected, 1e-12));
            // The Type II income multiplier is the household row of L̄.
            assert!(close(two.total[j], closed.inverse[(4, j)], 1e-12));
        }
        assert!(expected > 1.0);
    }

    #[test]
    fn parts_add_up_and_type_ii_exceeds_type_i() {
        let model = four_branches();
        for kind in MultiplierKind::ALL {
            let one = model.multipliers(kind, ModelType::TypeI).unwrap();
            let two = model.multipliers(kind, ModelType::TypeII).unwrap();
            for j in 0..4 {
                for m in [&one, &two] {
                    let sum = m.direct[j] + m.indirect[j] + m.induced[j];
                    assert!(close(sum, m.total[j], 1e-12), "{kind} {j}");
                    assert!(close(m.ratio[j] * m.direct[j], m.total[j], 1e-12));
                    assert!(m.indirect[j] >= 0.0);
                }
                assert_eq!(one.indirect[j], two.indirect[j]);
                assert!(two.induced[j] > 0.0, "{kind} {j}");
            }
        }
    }

    #[test]
    fn impact_is_linear_in_the_multipliers() {
        let model = four_branches();
        let shock = [0.0, 10.0, 0.0, 5.0];
        for model_type in [ModelType::TypeI, ModelType::TypeII] {
            let impact = model.impact(&shock, model_type).unwrap();
            let jobs = impact.jobs.as_ref().unwrap().totals();
            let m = model
                .multipliers(MultiplierKind::Employment, model_type)
                .unwrap();
            let expected: f64 = m.total.iter().zip(shock).map(|(t, f)| t * f).sum();
            assert!(close(jobs.total, expected, 1e-10));
            let direct: f64 = m.direct.iter().zip(shock).map(|(d, f)| d * f).sum();
            assert!(close(jobs.direct, direct, 1e-12));
            assert_eq!(impact.output.direct, shock.to_vec());
            let out = impact.output.totals();
            assert!(close(
                out.direct + out.indirect + out.induced,
                out.total,
                1e-10
            ));
            if model_type == ModelType::TypeI {
                assert_eq!(out.induced, 0.0);
            } else {
                assert!(out.induced > 0.0);
            }
        }
    }

    #[test]
    fn missing_satellites_and_bad_shocks_are_errors() {
        let model = miller_blair();
        let err = model
            .multipliers(MultiplierKind::Employment, ModelType::TypeI)
            .unwrap_err();
        assert!(err.to_string().contains("`employment`"), "{err}");
        let err = model
            .multipliers(MultiplierKind::Output, ModelType::TypeII)
            .unwrap_err();
        assert!(err.to_string().contains("household_consumption"), "{err}");
        let err = model.impact(&[1.0], ModelType::TypeI).unwrap_err();
        assert!(matches!(err, Error::Parameter { .. }));
        let impact = model.impact(&[1.0, 0.0], ModelType::TypeI).unwrap();
        assert!(impact.jobs.is_none());
    }

    #[test]
    fn names_parse_back() {
        for kind in MultiplierKind::ALL {
            assert_eq!(kind.name().parse::<MultiplierKind>().unwrap(), kind);
        }
        assert_eq!("Type II".parse::<ModelType>().unwrap(), ModelType::TypeII);
        assert_eq!("type_i".parse::<ModelType>().unwrap(), ModelType::TypeI);
        assert!("III".parse::<ModelType>().is_err());
    }
}
