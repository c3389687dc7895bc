//! Uncertainty and sensitivity.
//!
//! - [`distributions`]: the parameter table's distributions, one random stream per draw.
//! - [`montecarlo`]: Monte Carlo over a study's models (fast: central allocation kept;
//!   exact: the whole run per draw).
//! - [`sobol`]: variance-based (Sobol') sensitivity indices with Saltelli sampling on a
//!   digitally shifted Sobol' sequence, first-order (Saltelli et al. 2010) and total
//!   (Jansen 1999) estimators, optional second order (Saltelli 2002), and bootstrap
//!   confidence intervals, as SALib's `sobol.analyze` computes them.
//!
//! Pure Rust: the Python layer (`src/python/uncertainty.rs`, `src/python/sensitivity.rs`)
//! only converts buffers and frames, and calls the user's Python model between
//! [`sobol::sample`] and [`sobol::analyse`].

mod direction_numbers;
pub mod distributions;
pub mod montecarlo;
pub mod sobol;
