//! Sampling the parameters' distributions, one independent random stream per draw.
//!
//! Each uncertain parameter (a distribution other than `fixed`, and `low < high`) is drawn by
//! inverse transform: x = F⁻¹(u), u uniform on (0, 1) from draw i's own ChaCha8 stream
//! (seed, stream i), the parameters taken in a fixed order. Draw i is therefore the same
//! whatever the number of threads, the chunking of the draws or the machine.
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
//! Normal and log-normal draws are clipped to the parameter's physical domain (a fraction
//! stays within [0, 1]); the others cannot leave [low, high], which the table keeps inside
//! the domain.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::error::{Error, Result};
use crate::params::{domain, Distribution, ModelParams, Params, KNOWN};

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

/// One uncertain parameter.
#[derive(Debug, Clone)]
struct Uncertain {
    /// Index in [`KNOWN`].
    index: usize,
    law: Law,
    /// Physical domain.
    min: f64,
    max: f64,
}

/// Draws parameter sets from a study's parameter table.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Central values in [`KNOWN`] order.
    central: Vec<f64>,
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
                index,
                law,
                min,
                max,
            });
        }
        uncertain.sort_by_key(|u| u.index);
        Ok(Sampler {
            central,
            uncertain,
            unit: Normal::standard(),
        })
    }

    /// Names of the uncertain parameters, in the order of [`Sampler::draw`]'s values.
    pub fn names(&self) -> Vec<&'static str> {
        self.uncertain.iter().map(|u| KNOWN[u.index].name).collect()
    }

    /// The values of the uncertain parameters in draw `i` of `seed`.
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

    /// The model parameters with the uncertain ones set to `values` (as from
    /// [`Sampler::draw`]) and the others central.
    pub fn model(&self, values: &[f64]) -> ModelParams {
        let mut all = self.central.clone();
        for (u, &v) in self.uncertain.iter().zip(values) {
            all[u.index] = v;
        }
        ModelParams::from_values(&all)
    }

    /// Low and high ends of each uncertain parameter's range, in [`Sampler::names`] order.
    pub fn ranges(&self, params: &Params) -> Vec<(f64, f64)> {
        self.names()
            .iter()
            .map(|n| {
                params
                    .iter()
                    .find(|p| p.name == *n)
                    .map_or((f64::NAN, f64::NAN), |p| (p.low, p.high))
            })
            .collect()
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
    fn draws_depend_only_on_seed_and_index() {
        let s = Sampler::new(&Params::defaults()).unwrap();
        assert_eq!(s.draw(1, 42), s.draw(1, 42));
        assert_ne!(s.draw(1, 42), s.draw(1, 43));
        assert_ne!(s.draw(1, 42), s.draw(2, 42));
        // The central values give back the central parameters.
        let central: Vec<f64> = s.uncertain.iter().map(|u| s.central[u.index]).collect();
        assert_eq!(s.model(&central), Params::defaults().model());
    }
}
