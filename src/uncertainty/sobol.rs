//! Sobol' variance-based sensitivity indices for users' own models, as SALib computes them.
//!
//! The workflow has two halves so that a model living elsewhere (a Python function) can be
//! evaluated in between:
//!
//! 1. [`sample`] builds the Saltelli design: for each of `n` base points, a row of matrix
//!    **A**, the `k` rows **A_B^(i)** (A with column `i` taken from **B**), when second-order
//!    indices are wanted the `k` rows **B_A^(i)** (B with column `i` from A), and a row of
//!    **B**: `n (k + 2)` rows, or `n (2k + 2)`, in that interleaved order (the layout of
//!    SALib's `saltelli.sample` / `sobol.sample`, so outputs are interchangeable).
//! 2. [`analyse`] takes the `n (k + 2)` (or `n (2k + 2)`) model outputs in the same row order
//!    and returns first-order, total and optionally second-order indices with bootstrap
//!    confidence intervals.
//!
//! [`sobol`] chains both for a Rust closure.
//!
//! # Sampling
//!
//! A and B are the first and last `k` coordinates of the first `n` points of a
//! `2k`-dimensional Sobol' sequence (Sobol' 1967) with the direction numbers of Joe & Kuo
//! (2008), file `new-joe-kuo-6.21201` (<https://web.maths.unsw.edu.au/~fkuo/sobol/>),
//! generated in Gray-code order (Antonov & Saleev 1979) with 32 bits, like
//! `scipy.stats.qmc.Sobol` which SALib uses. Dimensions 1 to 128 are included, so at most
//! [`MAX_PARAMETERS`] = 64 parameters.
//!
//! Why quasi-random rather than pseudo-random: the Saltelli estimators converge at close to
//! `O(1/n)` on a Sobol' design instead of `O(1/√n)` with independent draws (Saltelli et al.
//! 2010, §4), which is what makes a 0.02 accuracy on the Ishigami indices reachable with
//! `n = 2^14`. The balance properties of the sequence hold for powers of two only, so `n`
//! must be a power of two (SALib only warns).
//!
//! Randomisation: every coordinate integer is XOR-ed with one 32-bit word per dimension
//! drawn from a ChaCha8 stream seeded with `seed` (a *random digital shift*, Dick &
//! Pillichshammer 2010, §4.4). A digital shift keeps the net structure (and so the
//! convergence rate) of the sequence while making the design depend on the seed, so that
//! two seeds give two independent-looking designs. Each coordinate is then mapped to the
//! centre of its 2^-32 cell, `(x + 0.5) / 2^32`, which lies strictly inside (0, 1), and
//! scaled to `[lo, hi]`.
//!
//! # Estimators
//!
//! As SALib's `sobol.analyze` (v1.5): the outputs are first standardised
//! (`(y − mean) / std` over all rows; the first-order estimator is not shift-invariant and
//! is biased for uncentred outputs), then with `V = var([f(A); f(B)])` (population
//! variance over the `2n` rows of A and B):
//!
//! - first order, Saltelli et al. (2010) Table 2 (b):
//!   `S1_i = mean(f(B) (f(A_B^i) − f(A))) / V`;
//! - total, Jansen (1999), Saltelli et al. (2010) Table 2 (f):
//!   `ST_i = mean((f(A) − f(A_B^i))²) / 2 / V`;
//! - second order, Saltelli (2002):
//!   `S2_ij = mean(f(B_A^i) f(A_B^j) − f(A) f(B)) / V − S1_i − S1_j`, for `i < j`.
//!
//! # Confidence intervals
//!
//! `num_resamples` bootstrap replicates resample the `n` base points with replacement (the
//! same indices for every index of a replicate, as SALib; computed as counts, i.e. a
//! multinomial reweighting of the base points, then one sequential pass over the outputs;
//! with `n = 2^m` an index is the top `m` bits of a 32-bit word of the stream, the two
//! halves of each 64-bit draw in turn, which is exactly uniform); the half-width reported is
//! `z_{(1 + conf_level)/2} × std(replicates, ddof = 1)`. Replicate `r` draws its indices from
//! its own ChaCha8 stream (`seed`, stream `r + 1`), so the replicates can be computed in
//! parallel (rayon) and the results are bit-identical whatever the number of threads. A
//! replicate whose resampled A and B outputs have zero variance (only possible for tiny
//! `n`) is left out; with fewer than two usable replicates the half-width is NaN.
//!
//! # References
//!
//! - I. M. Sobol' (1967), "On the distribution of points in a cube and the approximate
//!   evaluation of integrals", USSR Comput. Math. Math. Phys. 7(4), 86–112.
//! - S. Joe, F. Y. Kuo (2008), "Constructing Sobol sequences with better two-dimensional
//!   projections", SIAM J. Sci. Comput. 30(5), 2635–2654.
//! - M. J. W. Jansen (1999), "Analysis of variance designs for model output", Comput. Phys.
//!   Commun. 117, 35–43.
//! - A. Saltelli (2002), "Making best use of model evaluations to compute sensitivity
//!   indices", Comput. Phys. Commun. 145, 280–297.
//! - A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010),
//!   "Variance based sensitivity analysis of model output. Design and estimator for the
//!   total sensitivity index", Comput. Phys. Commun. 181, 259–270.
//! - J. Dick, F. Pillichshammer (2010), *Digital Nets and Sequences*, Cambridge U. P.
//! - J. Herman, W. Usher (2017), "SALib: An open-source Python library for Sensitivity
//!   Analysis", JOSS 2(9), 97.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};

use super::direction_numbers::JOE_KUO;
use crate::error::{Error, Result};

/// Dimensions of the Sobol' sequence supported (1 + the Joe–Kuo lines included).
pub const MAX_DIMENSIONS: usize = 1 + JOE_KUO.len();

/// Most parameters a problem may have: A and B take `2k` dimensions of the sequence.
pub const MAX_PARAMETERS: usize = MAX_DIMENSIONS / 2;

/// Largest `n`: the sequence is generated with 32-bit integers.
pub const MAX_N: usize = 1 << 31;

/// Most values (rows × parameters) a design may hold: 2^31 f64, 16 GiB.
pub const MAX_SAMPLE_VALUES: usize = 1 << 31;

const BITS: usize = 32;

/// The parameters of a user's model and the range each is sampled uniformly over.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Parameter names (unique, non-empty), in the column order of the sample.
    pub names: Vec<String>,
    /// `[lo, hi]` per parameter, finite with `lo < hi`, in the parameter's own unit.
    pub bounds: Vec<[f64; 2]>,
}

impl Problem {
    /// A checked problem: 1 to [`MAX_PARAMETERS`] unique names, one finite `[lo, hi]` with
    /// `lo < hi` per name.
    pub fn new(names: Vec<String>, bounds: Vec<[f64; 2]>) -> Result<Self> {
        if names.is_empty() {
            return Err(Error::parameter(
                "names",
                "the problem needs at least one parameter",
            ));
        }
        if names.len() != bounds.len() {
            return Err(Error::parameter(
                "bounds",
                format!(
                    "{} names but {} bounds: give one [lo, hi] per parameter",
                    names.len(),
                    bounds.len()
                ),
            ));
        }
        if names.len() > MAX_PARAMETERS {
            return Err(Error::parameter(
                "names",
                format!(
                    "{} parameters: at most {MAX_PARAMETERS} are supported (the Sobol' sequence \
                     has {MAX_DIMENSIONS} dimensions of Joe-Kuo direction numbers and A, B use 2k)",
                    names.len()
                ),
            ));
        }
        for (i, name) in names.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(Error::parameter("names", format!("name {i} is empty")));
            }
            if names[..i].contains(name) {
                return Err(Error::parameter(
                    "names",
                    format!("parameter `{name}` is named twice"),
                ));
            }
        }
        for (name, &[lo, hi]) in names.iter().zip(&bounds) {
            if !lo.is_finite() || !hi.is_finite() {
                return Err(Error::parameter(
                    name.as_str(),
                    format!("bounds [{lo}, {hi}] must be finite numbers"),
                ));
            }
            if lo >= hi {
                return Err(Error::parameter(
                    name.as_str(),
                    format!("bounds [{lo}, {hi}]: the lower bound must be below the upper bound"),
                ));
            }
        }
        Ok(Problem { names, bounds })
    }

    /// Number of parameters `k`.
    pub fn k(&self) -> usize {
        self.names.len()
    }
}

/// Model evaluations per base point: `k + 2`, or `2k + 2` with second-order indices.
pub fn rows_per_point(k: usize, second_order: bool) -> usize {
    if second_order {
        2 * k + 2
    } else {
        k + 2
    }
}

fn check_n(n: usize) -> Result<()> {
    if n < 2 || !n.is_power_of_two() || n > MAX_N {
        return Err(Error::parameter(
            "n",
            format!(
                "n = {n}: the number of base points must be a power of two between 2 and 2^31 \
                 (the Sobol' sequence is balanced for powers of two only), e.g. 1024 or 16384"
            ),
        ));
    }
    Ok(())
}

/// Direction integers `V[d][b]` (bit `b` from the most significant) for `dims` dimensions.
fn directions(dims: usize) -> Vec<[u32; BITS]> {
    (0..dims)
        .map(|d| {
            let mut v = [0u32; BITS];
            if d == 0 {
                for (b, vb) in v.iter_mut().enumerate() {
                    *vb = 1 << (BITS - 1 - b);
                }
                return v;
            }
            let (s, a, m) = JOE_KUO[d - 1];
            let s = s as usize;
            for i in 0..BITS {
                v[i] = if i < s {
                    m[i] << (BITS - 1 - i)
                } else {
                    let mut x = v[i - s] ^ (v[i - s] >> s);
                    for kk in 1..s {
                        if (a >> (s - 1 - kk)) & 1 == 1 {
                            x ^= v[i - kk];
                        }
                    }
                    x
                };
            }
            v
        })
        .collect()
}

/// Point `i` (Gray-code order, unshifted) of the Sobol' sequence, as 32-bit integers.
fn point_u32(dirs: &[[u32; BITS]], i: usize, out: &mut [u32]) {
    let gray = (i ^ (i >> 1)) as u32;
    for (x, v) in out.iter_mut().zip(dirs) {
        let mut acc = 0u32;
        let mut g = gray;
        let mut b = 0;
        while g != 0 {
            if g & 1 == 1 {
                acc ^= v[b];
            }
            g >>= 1;
            b += 1;
        }
        *x = acc;
    }
}

/// The digital shift: one word per dimension from ChaCha8 (`seed`, stream 0).
fn shift(seed: u64, dims: usize) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    (0..dims).map(|_| rng.random::<u32>()).collect()
}

/// The Saltelli design, row-major: `n × rows_per_point(k, second_order)` rows of `k` values
/// scaled to the bounds (see the module docs for the row order and the sequence).
///
/// Errors: `n` not a power of two in 2..=2^31, or a design above [`MAX_SAMPLE_VALUES`].
pub fn sample(problem: &Problem, n: usize, second_order: bool, seed: u64) -> Result<Vec<f64>> {
    check_n(n)?;
    let k = problem.k();
    let stride = rows_per_point(k, second_order);
    let values = n
        .checked_mul(stride * k)
        .filter(|&v| v <= MAX_SAMPLE_VALUES)
        .ok_or_else(|| {
            Error::parameter(
                "n",
                format!(
                    "n = {n} with {k} parameters needs n × {stride} rows × {k} values, above the \
                     limit of 2^31 values (16 GiB): use a smaller n"
                ),
            )
        })?;
    let dims = 2 * k;
    let dirs = directions(dims);
    let shift = shift(seed, dims);
    let scale: Vec<(f64, f64)> = problem
        .bounds
        .iter()
        .map(|&[lo, hi]| (lo, hi - lo))
        .collect();
    let mut out = vec![0.0; values];
    out.par_chunks_mut(stride * k)
        .enumerate()
        .for_each(|(i, block)| {
            let mut x = [0u32; MAX_DIMENSIONS];
            point_u32(&dirs, i, &mut x[..dims]);
            let mut u = [0.0f64; MAX_DIMENSIONS];
            for d in 0..dims {
                let (lo, width) = scale[d % k];
                u[d] = lo + width * (((x[d] ^ shift[d]) as f64 + 0.5) / 4_294_967_296.0);
            }
            let (a, b) = u[..dims].split_at(k);
            let mut rows = block.chunks_exact_mut(k);
            rows.next().expect("row A").copy_from_slice(a);
            for j in 0..k {
                let row = rows.next().expect("row AB");
                row.copy_from_slice(a);
                row[j] = b[j];
            }
            if second_order {
                for j in 0..k {
                    let row = rows.next().expect("row BA");
                    row.copy_from_slice(b);
                    row[j] = a[j];
                }
            }
            rows.next().expect("row B").copy_from_slice(b);
        });
    Ok(out)
}

/// How [`analyse`] estimates and bootstraps.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Seed of the digital shift of the design and of the bootstrap streams.
    pub seed: u64,
    /// Whether the design has the `B_A^(i)` rows and second-order indices are wanted.
    pub second_order: bool,
    /// Bootstrap replicates for the confidence intervals (≥ 2; default 1000).
    pub num_resamples: usize,
    /// Confidence level of the intervals, in (0, 1) (default 0.95).
    pub conf_level: f64,
}

impl Options {
    /// First and total indices, 1000 bootstrap replicates, 95 % intervals.
    pub fn new(seed: u64) -> Self {
        Options {
            seed,
            second_order: false,
            num_resamples: 1000,
            conf_level: 0.95,
        }
    }
}

/// Second-order indices of the pairs `i < j`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondOrder {
    /// `(i, j)` parameter positions, `i < j`, in row-major order.
    pub pairs: Vec<(usize, usize)>,
    /// `S2_ij` (fraction of the output variance due to the interaction of i and j alone).
    pub s2: Vec<f64>,
    /// Half-width of the confidence interval of `S2_ij`.
    pub s2_conf: Vec<f64>,
}

/// Sobol' indices (fractions of the output variance) with confidence half-widths.
#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    /// First-order indices, one per parameter.
    pub s1: Vec<f64>,
    /// Half-widths of the confidence intervals of `s1`.
    pub s1_conf: Vec<f64>,
    /// Total indices, one per parameter.
    pub st: Vec<f64>,
    /// Half-widths of the confidence intervals of `st`.
    pub st_conf: Vec<f64>,
    /// Second-order indices, when [`Options::second_order`].
    pub s2: Option<SecondOrder>,
}

fn pairs(k: usize) -> Vec<(usize, usize)> {
    (0..k)
        .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
        .collect()
}

/// Running sums of the estimators over a (re)sample of base points.
struct Sums {
    n: f64,
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    ab: f64,
    s1: Vec<f64>,
    st: Vec<f64>,
    s2: Vec<f64>,
}

impl Sums {
    fn new(k: usize, npairs: usize) -> Self {
        Sums {
            n: 0.0,
            a: 0.0,
            b: 0.0,
            aa: 0.0,
            bb: 0.0,
            ab: 0.0,
            s1: vec![0.0; k],
            st: vec![0.0; k],
            s2: vec![0.0; npairs],
        }
    }

    /// Add base point `block` (its `stride` standardised outputs) `w` times.
    #[inline]
    fn add(&mut self, block: &[f64], w: f64, k: usize, pairs: &[(usize, usize)]) {
        let fa = block[0];
        let fb = block[block.len() - 1];
        let ab = &block[1..=k];
        let (wa, wb) = (w * fa, w * fb);
        self.n += w;
        self.a += wa;
        self.b += wb;
        self.aa += wa * fa;
        self.bb += wb * fb;
        self.ab += wa * fb;
        for ((s1, st), &x) in self.s1.iter_mut().zip(self.st.iter_mut()).zip(ab) {
            *s1 += wb * (x - fa);
            let d = fa - x;
            *st += w * d * d;
        }
        if !pairs.is_empty() {
            let ba = &block[1 + k..1 + 2 * k];
            for (s, &(i, j)) in self.s2.iter_mut().zip(pairs) {
                *s += w * ba[i] * ab[j];
            }
        }
    }

    /// `[S1 (k), ST (k), S2 (pairs)]`, NaN if A and B have zero variance.
    fn estimates(&self, pairs: &[(usize, usize)], out: &mut Vec<f64>) {
        out.clear();
        let n2 = 2.0 * self.n;
        let mean = (self.a + self.b) / n2;
        let var = (self.aa + self.bb) / n2 - mean * mean;
        let var = if var > 0.0 { var } else { f64::NAN };
        out.extend(self.s1.iter().map(|s| s / self.n / var));
        out.extend(self.st.iter().map(|s| s / n2 / var));
        for (s, &(i, j)) in self.s2.iter().zip(pairs) {
            let v = (s - self.ab) / self.n / var;
            out.push(v - out[i] - out[j]);
        }
    }
}

/// Sobol' indices from the outputs `y` of the model on the design of [`sample`] (same
/// `n`, same `options.second_order`, same row order).
///
/// Errors ([`Error::Parameter`]): `n` not a power of two, `y` of the wrong length, a
/// non-finite output (the first is named by its 0-based row of the design), outputs with
/// zero variance, `num_resamples < 2`, `conf_level` outside (0, 1).
pub fn analyse(problem: &Problem, n: usize, y: &[f64], options: &Options) -> Result<Indices> {
    check_n(n)?;
    let k = problem.k();
    let stride = rows_per_point(k, options.second_order);
    if options.num_resamples < 2 {
        return Err(Error::parameter(
            "num_resamples",
            format!(
                "{} bootstrap resamples: at least 2 are needed for a standard deviation \
                 (1000 is usual)",
                options.num_resamples
            ),
        ));
    }
    if !(options.conf_level > 0.0 && options.conf_level < 1.0) {
        return Err(Error::parameter(
            "conf_level",
            format!(
                "confidence level {} must be strictly between 0 and 1 (e.g. 0.95)",
                options.conf_level
            ),
        ));
    }
    let expected = n.saturating_mul(stride);
    if y.len() != expected {
        return Err(Error::parameter(
            "outputs",
            format!(
                "the model returned {} outputs, expected {expected}: one per row of the design, \
                 n × {} = {n} × {stride}{}",
                y.len(),
                if options.second_order {
                    "(2k + 2)"
                } else {
                    "(k + 2)"
                },
                if options.second_order {
                    ""
                } else {
                    " (was the design built with second order?)"
                }
            ),
        ));
    }
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        let count = y.iter().filter(|v| !v.is_finite()).count();
        return Err(Error::parameter(
            "outputs",
            format!(
                "the model returned {} for row {row} of the design (0-based){}: outputs must be \
                 finite numbers",
                y[row],
                if count > 1 {
                    format!(" and {} other non-finite values", count - 1)
                } else {
                    String::new()
                }
            ),
        ));
    }
    let len = y.len() as f64;
    let mean = y.iter().sum::<f64>() / len;
    let std = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / len).sqrt();
    if !std.is_finite() || std <= 0.0 {
        return Err(Error::parameter(
            "outputs",
            format!("the model returned the same value ({mean}) for every row: the output has zero variance, there is nothing to apportion"),
        ));
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / std).collect();
    let pairs = if options.second_order {
        pairs(k)
    } else {
        Vec::new()
    };
    let width = 2 * k + pairs.len();

    let mut point = Sums::new(k, pairs.len());
    for block in z.chunks_exact(stride) {
        point.add(block, 1.0, k, &pairs);
    }
    let mut est = Vec::with_capacity(width);
    point.estimates(&pairs, &mut est);
    if est.iter().any(|v| !v.is_finite()) {
        return Err(Error::parameter(
            "outputs",
            "the outputs of the A and B rows of the design all have the same value: zero \
             variance, the indices are undefined",
        ));
    }

    // A bootstrap replicate is a multinomial reweighting of the base points: draw the n
    // indices, count them, then one sequential pass over the outputs (random access to
    // the outputs themselves would be memory-latency bound for large n).
    let replicates: Vec<Vec<f64>> = (0..options.num_resamples)
        .into_par_iter()
        .map_init(
            || vec![0u32; n],
            |counts, r| {
                counts.fill(0);
                let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                rng.set_stream(r as u64 + 1);
                // n = 2^m: an index is the top m bits of a 32-bit word (exactly uniform),
                // two words per 64-bit draw.
                let drop = 32 - n.trailing_zeros();
                for _ in 0..n / 2 {
                    let x = rng.next_u64();
                    counts[((x >> 32) as u32 >> drop) as usize] += 1;
                    counts[(x as u32 >> drop) as usize] += 1;
                }
                let mut sums = Sums::new(k, pairs.len());
                for (block, &c) in z.chunks_exact(stride).zip(counts.iter()) {
                    sums.add(block, f64::from(c), k, &pairs);
                }
                let mut out = Vec::with_capacity(width);
                sums.estimates(&pairs, &mut out);
                out
            },
        )
        .collect();
    let zq = Normal::standard().inverse_cdf(0.5 + options.conf_level / 2.0);
    let conf: Vec<f64> = (0..width)
        .map(|c| {
            let vals: Vec<f64> = replicates
                .iter()
                .map(|r| r[c])
                .filter(|v| v.is_finite())
                .collect();
            if vals.len() < 2 {
                return f64::NAN;
            }
            let m = vals.iter().sum::<f64>() / vals.len() as f64;
            let var = vals.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (vals.len() - 1) as f64;
            zq * var.sqrt()
        })
        .collect();
    Ok(Indices {
        s1: est[..k].to_vec(),
        s1_conf: conf[..k].to_vec(),
        st: est[k..2 * k].to_vec(),
        st_conf: conf[k..2 * k].to_vec(),
        s2: options.second_order.then(|| SecondOrder {
            pairs: pairs.clone(),
            s2: est[2 * k..].to_vec(),
            s2_conf: conf[2 * k..].to_vec(),
        }),
    })
}

/// Sample, evaluate `model` on each row of the design (in parallel) and analyse.
pub fn sobol<F>(problem: &Problem, n: usize, options: &Options, model: F) -> Result<Indices>
where
    F: Fn(&[f64]) -> f64 + Sync + Send,
{
    let x = sample(problem, n, options.second_order, options.seed)?;
    let y: Vec<f64> = x.par_chunks_exact(problem.k()).map(model).collect();
    analyse(problem, n, &y, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn problem(names: &[&str], bounds: &[[f64; 2]]) -> Problem {
        Problem::new(
            names.iter().map(|s| s.to_string()).collect(),
            bounds.to_vec(),
        )
        .unwrap()
    }

    fn ishigami_problem() -> Problem {
        problem(&["x1", "x2", "x3"], &[[-PI, PI]; 3])
    }

    /// Ishigami & Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1, x_i ~ U(−π, π).
    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Analytic indices of Ishigami (a = 7, b = 0.1), Saltelli et al. (2008), *Global
    /// Sensitivity Analysis: The Primer*, Wiley, §4.9 (and Ishigami & Homma 1990):
    /// V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0,
    /// V13 = b²π⁸ (1/18 − 1/50) = 8 b²π⁸/225, V12 = V23 = 0;
    /// S1 = [V1, V2, 0]/V, ST = [V1 + V13, V2, V13]/V.
    fn ishigami_analytic() -> ([f64; 3], [f64; 3], f64) {
        let (a, b) = (7.0f64, 0.1f64);
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * pi8 / 225.0;
        (
            [v1 / v, v2 / v, 0.0],
            [(v1 + v13) / v, v2 / v, v13 / v],
            v13 / v,
        )
    }

    #[test]
    fn analytic_values_are_the_published_ones() {
        let (s1, st, s13) = ishigami_analytic();
        let close = |x: f64, y: f64| (x - y).abs() < 5e-5;
        assert!(close(s1[0], 0.3139) && close(s1[1], 0.4424), "{s1:?}");
        assert!(close(st[0], 0.5576) && close(st[2], 0.2437), "{st:?}");
        assert!(close(s13, 0.2437));
    }

    #[test]
    fn sequence_matches_joe_kuo_as_in_scipy() {
        // scipy.stats.qmc.Sobol(d, scramble=False, bits=32).random(...) × 2^32.
        let dirs = directions(128);
        let mut x = vec![0u32; 128];
        let expect: [[u32; 8]; 5] = [
            [0; 8],
            [2147483648; 8],
            [
                3221225472, 1073741824, 1073741824, 1073741824, 3221225472, 3221225472, 1073741824,
                3221225472,
            ],
            [
                1073741824, 3221225472, 3221225472, 3221225472, 1073741824, 1073741824, 3221225472,
                1073741824,
            ],
            [
                1610612736, 1610612736, 2684354560, 3758096384, 1610612736, 536870912, 1610612736,
                3758096384,
            ],
        ];
        for (i, e) in expect.iter().enumerate() {
            point_u32(&dirs, i, &mut x);
            assert_eq!(&x[..8], e, "point {i}");
        }
        point_u32(&dirs, 1023, &mut x);
        assert_eq!(
            [x[0], x[5], x[63], x[64], x[100], x[127]],
            [4194304, 1883242496, 171966464, 423624704, 1019215872, 3007315968]
        );
    }

    #[test]
    fn design_layout_and_bounds() {
        let p = problem(&["a", "b"], &[[0.0, 1.0], [10.0, 20.0]]);
        let x = sample(&p, 4, true, 3).unwrap();
        assert_eq!(x.len(), 4 * 6 * 2);
        for block in x.chunks_exact(12) {
            let row = |r: usize| &block[2 * r..2 * r + 2];
            let (a, b) = (row(0), row(5));
            assert_eq!(row(1), &[b[0], a[1]]); // A_B^(1)
            assert_eq!(row(2), &[a[0], b[1]]); // A_B^(2)
            assert_eq!(row(3), &[a[0], b[1]]); // B_A^(1)
            assert_eq!(row(4), &[b[0], a[1]]); // B_A^(2)
        }
        for row in x.chunks_exact(2) {
            assert!(row[0] > 0.0 && row[0] < 1.0 && row[1] > 10.0 && row[1] < 20.0);
        }
        // Each A column of a 2^m design has one point in each of the 2^m equal cells.
        let p1 = problem(&["a"], &[[0.0, 1.0]]);
        let x = sample(&p1, 16, false, 9).unwrap();
        let mut cells: Vec<usize> = x.chunks_exact(3).map(|r| (r[0] * 16.0) as usize).collect();
        cells.sort_unstable();
        assert_eq!(cells, (0..16).collect::<Vec<_>>());
        // Different seeds shift the design differently.
        assert_ne!(
            sample(&p1, 16, false, 9).unwrap(),
            sample(&p1, 16, false, 10).unwrap()
        );
    }

    #[test]
    fn ishigami_matches_analytic_at_2_pow_14() {
        let (s1, st, s13) = ishigami_analytic();
        let mut opts = Options::new(42);
        opts.second_order = true;
        let r = sobol(&ishigami_problem(), 1 << 14, &opts, ishigami).unwrap();
        for i in 0..3 {
            assert!((r.s1[i] - s1[i]).abs() < 0.02, "S1 {:?} vs {s1:?}", r.s1);
            assert!((r.st[i] - st[i]).abs() < 0.02, "ST {:?} vs {st:?}", r.st);
            assert!(r.s1_conf[i] > 0.0 && r.s1_conf[i] < 0.05, "{:?}", r.s1_conf);
            assert!(r.st_conf[i] > 0.0 && r.st_conf[i] < 0.05, "{:?}", r.st_conf);
        }
        let s2 = r.s2.unwrap();
        assert_eq!(s2.pairs, vec![(0, 1), (0, 2), (1, 2)]);
        let expect = [0.0, s13, 0.0];
        for (got, want) in s2.s2.iter().zip(expect) {
            assert!((got - want).abs() < 0.03, "S2 {:?} vs {expect:?}", s2.s2);
        }
        assert!(s2.s2_conf.iter().all(|c| *c > 0.0 && *c < 0.1));
    }

    #[test]
    fn linear_model_closed_form() {
        // y = Σ a_i x_i with independent uniform x_i: V_i = a_i² (hi − lo)²/12 and, the
        // model being additive, S1_i = ST_i = V_i / Σ V_j: here [1, 16, 36]/53.
        let p = problem(&["u", "v", "w"], &[[0.0, 1.0], [0.0, 2.0], [-1.0, 1.0]]);
        let coef = [1.0, 2.0, 3.0];
        let r = sobol(&p, 1 << 12, &Options::new(7), |x| {
            x.iter().zip(coef).map(|(x, a)| a * x).sum()
        })
        .unwrap();
        let expect = [1.0 / 53.0, 16.0 / 53.0, 36.0 / 53.0];
        for (i, e) in expect.iter().enumerate() {
            assert!((r.s1[i] - e).abs() < 0.01, "{:?}", r.s1);
            assert!((r.st[i] - e).abs() < 0.01, "{:?}", r.st);
        }
        assert!(r.s2.is_none());
    }

    fn bits(r: &Indices) -> Vec<u64> {
        let s2 = r.s2.as_ref().unwrap();
        [&r.s1, &r.s1_conf, &r.st, &r.st_conf, &s2.s2, &s2.s2_conf]
            .iter()
            .flat_map(|v| v.iter().map(|x| x.to_bits()))
            .collect()
    }

    #[test]
    fn deterministic_whatever_the_thread_count() {
        let mut opts = Options::new(2024);
        opts.second_order = true;
        opts.num_resamples = 200;
        let run = |threads: usize, opts: &Options| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| sobol(&ishigami_problem(), 1 << 10, opts, ishigami).unwrap())
        };
        let one = run(1, &opts);
        let two = run(2, &opts);
        assert_eq!(bits(&one), bits(&two));
        assert_eq!(bits(&one), bits(&run(2, &opts)));
        opts.seed = 2025;
        assert_ne!(bits(&one), bits(&run(2, &opts)));
    }

    fn reason(err: Error) -> (String, String) {
        match err {
            Error::Parameter { name, reason } => (name, reason),
            other => panic!("expected a parameter error, got {other}"),
        }
    }

    #[test]
    fn errors() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (name, why) = reason(Problem::new(names(&["a"]), vec![[1.0, 1.0]]).unwrap_err());
        assert_eq!(name, "a");
        assert!(why.contains("lower bound must be below"), "{why}");
        let (name, why) = reason(Problem::new(names(&["a"]), vec![[0.0, f64::NAN]]).unwrap_err());
        assert_eq!(name, "a");
        assert!(why.contains("finite"), "{why}");
        let (name, _) = reason(Problem::new(names(&["a", "b"]), vec![[0.0, 1.0]]).unwrap_err());
        assert_eq!(name, "bounds");
        let (_, why) = reason(Problem::new(names(&["a", "a"]), vec![[0.0, 1.0]; 2]).unwrap_err());
        assert!(why.contains("named twice"), "{why}");
        let many: Vec<String> = (0..65).map(|i| format!("x{i}")).collect();
        let (_, why) = reason(Problem::new(many, vec![[0.0, 1.0]; 65]).unwrap_err());
        assert!(why.contains("at most 64"), "{why}");

        let p = ishigami_problem();
        for n in [0, 1, 3, 1000] {
            let (name, why) = reason(sample(&p, n, false, 0).unwrap_err());
            assert_eq!(name, "n");
            assert!(why.contains("power of two"), "{why}");
        }
        let opts = Options::new(0);
        let (name, why) = reason(analyse(&p, 4, &[1.0; 19], &opts).unwrap_err());
        assert_eq!(name, "outputs");
        assert!(why.contains("returned 19 outputs, expected 20"), "{why}");
        let mut y: Vec<f64> = (0..20).map(f64::from).collect();
        y[13] = f64::NAN;
        y[17] = f64::INFINITY;
        let (_, why) = reason(analyse(&p, 4, &y, &opts).unwrap_err());
        assert!(
            why.contains("NaN for row 13") && why.contains("1 other"),
            "{why}"
        );
        let (_, why) = reason(analyse(&p, 4, &[2.5; 20], &opts).unwrap_err());
        assert!(why.contains("zero variance"), "{why}");
        let y: Vec<f64> = (0..20).map(f64::from).collect();
        let mut bad = opts.clone();
        bad.num_resamples = 1;
        assert_eq!(
            reason(analyse(&p, 4, &y, &bad).unwrap_err()).0,
            "num_resamples"
        );
        let mut bad = opts.clone();
        bad.conf_level = 1.0;
        assert_eq!(
            reason(analyse(&p, 4, &y, &bad).unwrap_err()).0,
            "conf_level"
        );
    }
}
