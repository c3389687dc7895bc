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
            let sampler = Sampler::new(&study.params)?;
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

    /// Names of the uncertain parameters.
    fn names(&self) -> Vec<String> {
        self.sampler
            .names()
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    /// (low, high) of each uncertain parameter.
    fn ranges(&self) -> Vec<(f64, f64)> {
        self.sampler.ranges(&self.study.params)
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

    /// Evaluate given values of the uncertain parameters, one list per set.
    fn evaluate(&self, py: Python<'_>, sets: Vec<Vec<f64>>) -> PyResult<PyDataFrame> {
        core(py, || {
            let sets = (0u64..).zip(sets).collect();
            evaluate_sets(&self.study, self.fast.as_ref(), &self.sampler, sets)
        })
        .map(PyDataFrame)
    }
}
