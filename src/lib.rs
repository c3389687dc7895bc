//! filiere: the economics of making school uniforms in Auvergne-Rhône-Alpes.
//!
//! Pure Rust domain modules (no PyO3) and a thin `python` layer behind the default
//! `python` feature. See `docs/ARCHITECTURE.md`.

pub mod data;
pub mod economy;
pub mod error;
pub mod headline;
pub mod model;
pub mod params;
pub mod results;
pub mod scenario;
pub mod study;
pub mod survey;
pub mod uncertainty;

#[cfg(feature = "python")]
mod python;
