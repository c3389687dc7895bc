//! Sampling the uncertain inputs' distributions, one independent random stream per draw.
//!
//! The uncertain inputs are each parameter with a distribution other than `fixed` and
//! `low < high`, then each catalog figure with a range (`<column>_low < <column>_high` in
//! the catalog, named `catalog.<product>.<column>`). Each is drawn by inverse transform:
//! x = F⁻¹(u), u uniform on (0, 1) from draw i's own ChaCha8 stream (seed, stream i), the
//! inputs taken in a fixed order (parameters in declaration order, then the catalog's
//! products in its order and their figures in [`RANGED`] order). Draw i is therefore the
//! same whatever the number of threads, the chunking of the draws or the machine, and the
//! catalog inputs, which take the stream's words after every parameter's, leave the
//! parameters' values as they are without them.
//!
//! Distributions (the `parameters` table's `value`, `low`, `high`):
//! * uniform on [low, high];
//! * triangular on [low, high] with mode `value`;
//! * Beta-PERT on [low, high] with mode `value`: Beta(α, β) scaled, α = 1 + 4(m − a)/(b − a),
//!   β = 1 + 4(b − m)/(b − a) (Vose, *Risk Analysis*, 3rd ed., 2008, §9.1);
//! * normal with mean `value`, `low` and `high` its 5th and 95th percentiles:
//!   σ = (high − low) / (2 × 1.6449);
//! * log-normal with median `value`, `low` and `high` its 5th and 95th percentiles:
//!   μ = ln value, σ = ln(high / low) / (2 × 1.6449).
//!
//! Catalog figures are triangular on [low, high] with mode the catalog's value (see
//! [`Sampler`]).
//!
//! Normal and log-normal draws are clipped to the parameter's physical domain (a fraction
//! stays within [0, 1]); the others cannot leave [low, high], which the table keeps inside
//! the domain.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::data::tables::{Product, RANGED};
use crate::error::{Error, Result};
use crate::params::{domain, Distribution, ModelParams, Params, KNOWN};
use crate::study::Study;

/// z of the 95th percentile of the standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

#[derive(Debug, Clone)]
enum Law {
    Uniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
    Pert { low: f64, high: f64, beta: Beta },
    Normal { mean: f64, sd: f64 },
    LogNormal { mu: f64, sigma: f64 },
}

impl Law {
    fn quantile(&self, u: f64, unit: &Normal) -> f64 {
        match *self {
            Law::Uniform { low, high } => low + u * (high - low),
            Law::Triangular { low, mode, high } => {
                let split = (mode - low) / (high - low);
                if u < split {
                    low + (u * (high - low) * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
                }
            }
            Law::Pert {
                low,
                high,
                ref beta,
            } => low + beta.inverse_cdf(u) * (high - low),
            Law::Normal { mean, sd } => mean + sd * unit.inverse_cdf(u),
            Law::LogNormal { mu, sigma } => (mu + sigma * unit.inverse_cdf(u)).exp(),
        }
    }
}

/// What an uncertain input sets.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// The parameter of index `.0` in [`KNOWN`].
    Parameter(usize),
    /// Figure `column` (one of [`RANGED`]) of the catalog's product of index `product`.
    Catalog {
        product: usize,
        column: &'static str,
    },
}

/// One uncertain input: a parameter, or a catalog figure with a range.
#[derive(Debug, Clone)]
struct Uncertain {
    target: Target,
    /// `allowance`, `catalog.polo.sam_sew_min`.
    name: String,
    law: Law,
    /// Physical domain.
    min: f64,
    max: f64,
    /// The table's central value and the ends of its range.
    central: f64,
    low: f64,
    high: f64,
}

/// Draws the uncertain inputs of a study: its parameters (from the parameter table) and,
/// after them, the catalog figures that have a range (`catalog.<product>.<column>`,
/// triangular on `[low, high]` with mode the catalog's value: the family the parameter
/// table gives most of its ranges, e.g. `allowance` and `overcut`, and the one that keeps
/// the catalog's value as the most likely one without claiming more about the shape than
/// a low–high range from a source says).
///
/// The catalog inputs come after every parameter, so a catalog with ranges leaves the
/// parameters' values in each draw as they are without one.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Central values in [`KNOWN`] order.
    central: Vec<f64>,
    /// The parameters (in [`KNOWN`] order), then the catalog inputs (catalog order, then
    /// [`RANGED`] order).
    uncertain: Vec<Uncertain>,
    unit: Normal,
}

impl Sampler {
    /// Read the distributions of `params`.
    ///
    /// # Errors
    /// [`Error::Parameter`] naming the parameter for `low > high`, a mode outside
    /// `[low, high]`, or a log-normal range that is not positive.
    pub fn new(params: &Params) -> Result<Self> {
        let central: Vec<f64> = KNOWN
            .iter()
            .map(|k| params.value(k.name))
            .collect::<Result<_>>()?;
        let mut uncertain = Vec::new();
        for p in params.iter() {
            let Some(index) = KNOWN.iter().position(|k| k.name == p.name) else {
                continue;
            };
            let (low, high, value) = (p.low, p.high, p.value);
            let bad = |why: &str| {
                Error::parameter(
                    p.name.clone(),
                    format!(
                        "{} distribution with value {value}, low {low}, high {high}: {why}",
                        crate::params::distribution_name(p.distribution)
                    ),
                )
            };
            if !(low.is_finite() && high.is_finite()) || low > high {
                return Err(bad("low must not exceed high"));
            }
            if p.distribution == Distribution::Fixed || low == high {
                continue;
            }
            if !(low..=high).contains(&value) {
                return Err(bad("the value must lie within [low, high]"));
            }
            let law = match p.distribution {
                Distribution::Fixed => continue,
                Distribution::Uniform => Law::Uniform { low, high },
                Distribution::Triangular => Law::Triangular {
                    low,
                    mode: value,
                    high,
                },
                Distribution::Pert => {
                    let a = 1.0 + 4.0 * (value - low) / (high - low);
                    let b = 1.0 + 4.0 * (high - value) / (high - low);
                    Law::Pert {
                        low,
                        high,
                        beta: Beta::new(a, b).map_err(|e| bad(&e.to_string()))?,
                    }
                }
                Distribution::Normal => Law::Normal {
                    mean: value,
                    sd: (high - low) / (2.0 * Z95),
                },
                Distribution::Lognormal => {
                    if low <= 0.0 || value <= 0.0 {
                        return Err(bad("a log-normal needs low and value > 0"));
                    }
                    Law::LogNormal {
                        mu: value.ln(),
                        sigma: (high / low).ln() / (2.0 * Z95),
                    }
                }
            };
            let (min, max) = domain(&p.name).map_or((f64::MIN, f64::MAX), |d| (d.min, d.max));
            uncertain.push(Uncertain {
                target: Target::Parameter(index),
                name: KNOWN[index].name.to_owned(),
                law,
                min,
                max,
                central: value,
                low,
                high,
            });
        }
        uncertain.sort_by_key(|u| match u.target {
            Target::Parameter(index) => index,
            Target::Catalog { .. } => usize::MAX,
        });
        Ok(Sampler {
            central,
            uncertain,
            unit: Normal::standard(),
        })
    }

    /// The parameters of `study` and, after them, the figures of its catalog that have a
    /// range with `low < high`.
    ///
    /// # Errors
    /// As [`Sampler::new`]; [`Error::Parameter`] naming the input for a catalog range that
    /// does not bracket its value (the catalog reader refuses those; a study built
    /// otherwise may not have been through it).
    pub fn for_study(study: &Study) -> Result<Self> {
        let mut sampler = Sampler::new(&study.params)?;
        for (product, p) in study.catalog.iter().enumerate() {
            for column in RANGED {
                let (Some(range), Some(value)) = (p.ranges.get(column), p.figure(column)) else {
                    continue;
                };
                let (low, high) = (range.low, range.high);
                let name = format!("catalog.{}.{column}", p.id);
                if !(low.is_finite() && high.is_finite() && low <= value && value <= high) {
                    return Err(Error::parameter(
                        name,
                        format!(
                            "range [{low}, {high}] of the catalog's {value}: need \
                             {column}_low ≤ {column} ≤ {column}_high"
                        ),
                    ));
                }
                if low == high {
                    continue;
                }
                sampler.uncertain.push(Uncertain {
                    target: Target::Catalog { product, column },
                    name,
                    law: Law::Triangular {
                        low,
                        mode: value,
                        high,
                    },
                    min: low,
                    max: high,
                    central: value,
                    low,
                    high,
                });
            }
        }
        Ok(sampler)
    }

    /// Names of the uncertain inputs, in the order of [`Sampler::draw`]'s values: the
    /// parameters, then the catalog figures as `catalog.<product>.<column>`.
    pub fn names(&self) -> Vec<String> {
        self.uncertain.iter().map(|u| u.name.clone()).collect()
    }

    /// Whether any catalog figure is drawn.
    pub fn draws_catalog(&self) -> bool {
        self.uncertain
            .iter()
            .any(|u| matches!(u.target, Target::Catalog { .. }))
    }

    /// The values of the uncertain inputs in draw `i` of `seed`.
    pub fn draw(&self, seed: u64, i: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(i);
        self.uncertain
            .iter()
            .map(|u| {
                // (k + 0.5) / 2^53: uniform on (0, 1), never 0 or 1.
                let k = (rng.next_u64() >> 11) as f64;
                let x = u.law.quantile((k + 0.5) / (1u64 << 53) as f64, &self.unit);
                x.clamp(u.min, u.max)
            })
            .collect()
    }

    /// The values at probabilities `u` (one per input, in (0, 1)): each input's inverse
    /// distribution function, clipped to its domain as in [`Sampler::draw`]. A point of the
    /// unit cube (a Sobol' design) becomes a set of inputs with their own distributions.
    ///
    /// # Errors
    /// [`Error::Parameter`] for a wrong number of probabilities or one outside (0, 1).
    pub fn quantiles(&self, u: &[f64]) -> Result<Vec<f64>> {
        if u.len() != self.uncertain.len() {
            return Err(Error::parameter(
                "values",
                format!(
                    "{} probabilities for {} uncertain inputs",
                    u.len(),
                    self.uncertain.len()
                ),
            ));
        }
        self.uncertain
            .iter()
            .zip(u)
            .map(|(input, &p)| {
                if !(p > 0.0 && p < 1.0) {
                    return Err(Error::parameter(
                        input.name.as_str(),
                        format!("probability {p}: must lie strictly between 0 and 1"),
                    ));
                }
                Ok(input
                    .law
                    .quantile(p, &self.unit)
                    .clamp(input.min, input.max))
            })
            .collect()
    }

    /// The model parameters with the uncertain ones set to `values` (as from
    /// [`Sampler::draw`]) and the others central.
    pub fn model(&self, values: &[f64]) -> ModelParams {
        let mut all = self.central.clone();
        for (u, &v) in self.uncertain.iter().zip(values) {
            if let Target::Parameter(index) = u.target {
                all[index] = v;
            }
        }
        ModelParams::from_values(&all)
    }

    /// The uncertain parameters' names and values in `values` (catalog inputs left out).
    pub fn parameter_values<'a>(&'a self, values: &[f64]) -> Vec<(&'a str, f64)> {
        self.uncertain
            .iter()
            .zip(values)
            .filter(|(u, _)| matches!(u.target, Target::Parameter(_)))
            .map(|(u, &v)| (u.name.as_str(), v))
            .collect()
    }

    /// `catalog` (the study's, in its order) with the drawn figures set to `values`.
    pub fn catalog(&self, values: &[f64], catalog: &[Product]) -> Vec<Product> {
        let mut out = catalog.to_vec();
        for (u, &v) in self.uncertain.iter().zip(values) {
            if let Target::Catalog { product, column } = u.target {
                if let Some(figure) = out.get_mut(product).and_then(|p| p.figure_mut(column)) {
                    *figure = v;
                }
            }
        }
        out
    }

    /// Central value of each uncertain input, in [`Sampler::names`] order: the parameter
    /// table's `value`, the catalog's figure.
    pub fn centrals(&self) -> Vec<f64> {
        self.uncertain.iter().map(|u| u.central).collect()
    }

    /// Low and high ends of each uncertain input's range, in [`Sampler::names`] order.
    pub fn ranges(&self) -> Vec<(f64, f64)> {
        self.uncertain.iter().map(|u| (u.low, u.high)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read::read_bytes;

    fn sampler(rows: &str) -> Sampler {
        let csv = format!("name,value,unit,low,high,distribution,source\n{rows}");
        let raw = read_bytes("p.csv", csv.as_bytes()).unwrap();
        let params = Params::from_table(&raw).unwrap_or_else(|e| panic!("{e}"));
        Sampler::new(&params).unwrap()
    }

    fn draws(s: &Sampler, n: u64) -> Vec<f64> {
        let k = s
            .names()
            .iter()
            .position(|n| *n == "line_efficiency")
            .unwrap();
        (0..n).map(|i| s.draw(7, i)[k]).collect()
    }

    fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    }

    #[test]
    fn triangular_quantiles_match_the_closed_form() {
        // Triangular(0.4, 0.5, 0.7): F(x) = (x − a)² / ((b − a)(c − a)) below the mode, so
        // the median solves 1 − (b − x)² / ((b − a)(b − c)) = 0.5: x = 0.7 − √(0.5 × 0.3 ×
        // 0.2) = 0.52679.
        let s = sampler("line_efficiency,0.5,fraction,0.4,0.7,triangular,test\n");
        let v = draws(&s, 200_000);
        assert!((quantile(v.clone(), 0.5) - 0.526_795).abs() < 2e-3);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean - (0.4 + 0.5 + 0.7) / 3.0).abs() < 1e-3, "{mean}");
    }

    #[test]
    fn normal_has_low_and_high_as_5th_and_95th_percentiles() {
        let s = sampler("line_efficiency,0.55,fraction,0.45,0.65,normal,test\n");
        let v = draws(&s, 200_000);
        assert!((quantile(v.clone(), 0.05) - 0.45).abs() < 2e-3);
        assert!((quantile(v, 0.95) - 0.65).abs() < 2e-3);
    }

    #[test]
    fn pert_mean_is_the_weighted_mode() {
        // Beta-PERT mean = (a + 4m + b) / 6 (Vose 2008).
        let s = sampler("line_efficiency,0.55,fraction,0.45,0.75,pert,test\n");
        let v = draws(&s, 200_000);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            (mean - (0.45 + 4.0 * 0.55 + 0.75) / 6.0).abs() < 1e-3,
            "{mean}"
        );
        assert!(v.iter().all(|x| (0.45..=0.75).contains(x)));
    }

    #[test]
    fn catalog_inputs_come_after_the_parameters_and_keep_their_draws() {
        let study = Study::example("aura").unwrap();
        let params_only = Sampler::new(&study.params).unwrap();
        let s = Sampler::for_study(&study).unwrap();
        let k = params_only.names().len();
        let names = s.names();
        assert_eq!(names[..k], params_only.names()[..]);
        assert_eq!(
            names[k..],
            [
                "catalog.polo.sam_cut_min",
                "catalog.polo.sam_sew_min",
                "catalog.polo.sam_finish_min",
                "catalog.polo.sam_personalise_min",
                "catalog.sweatshirt.sam_cut_min",
                "catalog.sweatshirt.sam_sew_min",
                "catalog.sweatshirt.sam_finish_min",
                "catalog.sweatshirt.sam_personalise_min",
            ]
        );
        assert!(s.draws_catalog() && !params_only.draws_catalog());
        for i in [0, 1, 977] {
            // The parameters' values are those drawn without the catalog.
            let (with, without) = (s.draw(5, i), params_only.draw(5, i));
            assert_eq!(with[..k], without[..]);
            assert_eq!(s.model(&with), params_only.model(&without));
            // The catalog's figures are set, the rest of the catalog kept.
            let catalog = s.catalog(&with, &study.catalog);
            assert_eq!(catalog[0].sam_sew_min, with[k + 1]);
            assert_eq!(catalog[1].sam_personalise_min, with[k + 7]);
            assert_eq!(catalog[0].fabric_m, study.catalog[0].fabric_m);
        }
        // Central values give back the study's catalog and parameters.
        assert_eq!(s.catalog(&s.centrals(), &study.catalog), study.catalog);
        assert_eq!(s.model(&s.centrals()), study.params.model());
        assert_eq!(s.ranges()[k + 1], (10.0, 16.0));
    }

    #[test]
    fn catalog_minutes_are_triangular_on_their_range() {
        let study = Study::example("aura").unwrap();
        let s = Sampler::for_study(&study).unwrap();
        let at = |name: &str| s.names().iter().position(|n| n == name).unwrap();
        let (sew, sweat) = (
            at("catalog.polo.sam_sew_min"),
            at("catalog.sweatshirt.sam_sew_min"),
        );
        let n = 100_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|i| s.draw(9, i)).collect();
        for (k, (low, mode, high)) in [(sew, (10.0, 12.0, 16.0)), (sweat, (8.0, 10.0, 12.0))] {
            let v: Vec<f64> = draws.iter().map(|d| d[k]).collect();
            assert!(v.iter().all(|x| (low..=high).contains(x)));
            // Triangular mean (a + m + b)/3 and variance (a² + m² + b² − am − ab − mb)/18;
            // with n = 100,000 the standard error of the mean is sd/316: 0.0039 min for
            // the polo (sd 1.25), 0.0026 for the sweatshirt (sd 0.82). 5 standard errors:
            let mean = v.iter().sum::<f64>() / n as f64;
            let var =
                (low * low + mode * mode + high * high - low * mode - low * high - mode * high)
                    / 18.0;
            let tolerance = 5.0 * (var / n as f64).sqrt();
            assert!(
                (mean - (low + mode + high) / 3.0).abs() < tolerance,
                "{k}: {mean} vs {}",
                (low + mode + high) / 3.0
            );
        }
        // The inverse distribution function at 1/2 is the closed-form median of
        // Triangular(10, 12, 16): 16 − √(0.5 × 6 × 4) = 12.5359.
        let mut u = vec![0.5; s.names().len()];
        u[sew] = 0.5;
        let x = s.quantiles(&u).unwrap();
        assert!((x[sew] - (16.0 - 12f64.sqrt())).abs() < 1e-12, "{}", x[sew]);
        assert!(s.quantiles(&u[1..]).is_err());
        u[0] = 1.0;
        assert!(s.quantiles(&u).is_err());
    }

    #[test]
    fn a_catalog_range_that_misses_its_value_is_refused() {
        let mut study = Study::example("aura-pilot").unwrap();
        study.catalog[0].ranges.insert(
            "sam_sew_min".into(),
            crate::data::tables::Range {
                low: 13.0,
                high: 16.0,
            },
        );
        let err = Sampler::for_study(&study).unwrap_err();
        assert!(
            err.to_string().contains("catalog.polo.sam_sew_min"),
            "{err}"
        );
    }

    #[test]
    fn draws_depend_only_on_seed_and_index() {
        let s = Sampler::new(&Params::defaults()).unwrap();
        assert_eq!(s.draw(1, 42), s.draw(1, 42));
        assert_ne!(s.draw(1, 42), s.draw(1, 43));
        assert_ne!(s.draw(1, 42), s.draw(2, 42));
        // The central values give back the central parameters.
        assert_eq!(s.model(&s.centrals()), Params::defaults().model());
    }
}
