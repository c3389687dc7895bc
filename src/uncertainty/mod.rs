//! Uncertainty: parameter distributions and Monte Carlo over the study's models.

pub mod distributions;
pub mod montecarlo;
