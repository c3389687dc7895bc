//! `filiere._core.MonteCarlo`: a study prepared for many draws (sampler and fast model
//! built once), evaluated chunk by chunk without the GIL.

use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use super::{core, PyStudy};
use crate::study::Study;
use crate::uncertainty::distributions::Sampler;
use crate::uncertainty::montecarlo::{draws, evaluate_sets, FastModel};

/// A study ready for Monte Carlo draws.
#[pyclass(name = "MonteCarlo", module = "filiere._core", frozen)]
pub struct PyMonteCarlo {
    study: Study,
    sampler: Sampler,
    fast: Option<FastModel>,
}

#[pymethods]
impl PyMonteCarlo {
    #[new]
    #[pyo3(signature = (study, resolve_allocation=false, schedule=true))]
    fn new(
        py: Python<'_>,
        study: &PyStudy,
        resolve_allocation: bool,
        schedule: bool,
    ) -> PyResult<Self> {
        let study = study.inner.clone();
        core(py, move || {
            let sampler = Sampler::for_study(&study)?;
            let fast = if resolve_allocation {
                None
            } else {
                let model = FastModel::new(&study)?;
                Some(if schedule {
                    model
                } else {
                    model.without_schedule()
                })
            };
            Ok(PyMonteCarlo {
                study,
                sampler,
                fast,
            })
        })
    }

    /// Names of the uncertain inputs: the parameters, then the catalog's
    /// `catalog.<product>.<column>`.
    fn names(&self) -> Vec<String> {
        self.sampler.names()
    }

    /// (low, high) of each uncertain input.
    fn ranges(&self) -> Vec<(f64, f64)> {
        self.sampler.ranges()
    }

    /// Central value of each uncertain input.
    fn centrals(&self) -> Vec<f64> {
        self.sampler.centrals()
    }

    /// Draws `start..end` of `seed`.
    fn draws(&self, py: Python<'_>, seed: u64, start: u64, end: u64) -> PyResult<PyDataFrame> {
        core(py, || {
            draws(
                &self.study,
                self.fast.as_ref(),
                &self.sampler,
                seed,
                start,
                end,
            )
        })
        .map(PyDataFrame)
    }

    /// Evaluate given values of the uncertain inputs, one list per set; with `unit`, each
    /// list holds probabilities in (0, 1), mapped through each input's inverse
    /// distribution function (a point of a Sobol' design on the unit cube).
    #[pyo3(signature = (sets, unit=false))]
    fn evaluate(&self, py: Python<'_>, sets: Vec<Vec<f64>>, unit: bool) -> PyResult<PyDataFrame> {
        core(py, || {
            let sets = if unit {
                sets.iter()
                    .map(|u| self.sampler.quantiles(u))
                    .collect::<crate::error::Result<Vec<_>>>()?
            } else {
                sets
            };
            let sets = (0u64..).zip(sets).collect();
            evaluate_sets(&self.study, self.fast.as_ref(), &self.sampler, sets)
        })
        .map(PyDataFrame)
    }
}
