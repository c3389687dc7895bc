//! `filiere._core.sobol_sample` / `sobol_analyze`: the two Rust halves of `fl.sobol`.
//!
//! The user's model is a Python function, so the Python layer calls it between the two:
//! the design goes out as the native-endian bytes of a row-major f64 matrix (a
//! `bytearray` that numpy views without copying), the outputs come back as the bytes of a
//! float64 array. No model logic here.

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict};
use pyo3_polars::PyDataFrame;

use super::core;
use crate::error::{Error, Result};
use crate::uncertainty::sobol::{analyse, sample, Options, Problem};

fn problem(names: Vec<String>, bounds: Vec<(f64, f64)>) -> Result<Problem> {
    Problem::new(names, bounds.into_iter().map(|(lo, hi)| [lo, hi]).collect())
}

/// The Saltelli design (see `crate::uncertainty::sobol::sample`) as the bytes of a
/// row-major `(n × rows_per_point, k)` float64 matrix.
#[pyfunction]
#[pyo3(signature = (names, bounds, n, seed, second_order=false))]
pub fn sobol_sample<'py>(
    py: Python<'py>,
    names: Vec<String>,
    bounds: Vec<(f64, f64)>,
    n: usize,
    seed: u64,
    second_order: bool,
) -> PyResult<Bound<'py, PyByteArray>> {
    let bytes = core(py, || {
        let p = problem(names, bounds)?;
        let x = sample(&p, n, second_order, seed)?;
        Ok(x.iter().flat_map(|v| v.to_ne_bytes()).collect::<Vec<u8>>())
    })?;
    Ok(PyByteArray::new(py, &bytes))
}

/// Sobol' indices from the model outputs (bytes of a float64 vector, design row order):
/// a dict with `indices` (name, S1, S1_conf, ST, ST_conf) and `second_order`
/// (name_1, name_2, S2, S2_conf, or None).
#[pyfunction]
#[pyo3(signature = (names, bounds, n, outputs, seed, second_order=false, num_resamples=1000, conf_level=0.95))]
#[allow(clippy::too_many_arguments)]
pub fn sobol_analyze<'py>(
    py: Python<'py>,
    names: Vec<String>,
    bounds: Vec<(f64, f64)>,
    n: usize,
    outputs: &[u8],
    seed: u64,
    second_order: bool,
    num_resamples: usize,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (first, second) = core(py, || {
        if outputs.len() % 8 != 0 {
            return Err(Error::Internal(format!(
                "outputs are {} bytes, not a whole number of float64",
                outputs.len()
            )));
        }
        let y: Vec<f64> = outputs
            .chunks_exact(8)
            .map(|b| f64::from_ne_bytes(b.try_into().expect("8 bytes")))
            .collect();
        let p = problem(names, bounds)?;
        let options = Options {
            seed,
            second_order,
            num_resamples,
            conf_level,
        };
        let r = analyse(&p, n, &y, &options)?;
        let first = df!(
            "name" => p.names.clone(),
            "S1" => r.s1,
            "S1_conf" => r.s1_conf,
            "ST" => r.st,
            "ST_conf" => r.st_conf,
        )?;
        let second = match r.s2 {
            Some(s2) => Some(df!(
                "name_1" => s2.pairs.iter().map(|&(i, _)| p.names[i].as_str()).collect::<Vec<_>>(),
                "name_2" => s2.pairs.iter().map(|&(_, j)| p.names[j].as_str()).collect::<Vec<_>>(),
                "S2" => s2.s2,
                "S2_conf" => s2.s2_conf,
            )?),
            None => None,
        };
        Ok::<_, Error>((first, second))
    })?;
    let out = PyDict::new(py);
    out.set_item("indices", PyDataFrame(first))?;
    out.set_item("second_order", second.map(PyDataFrame))?;
    Ok(out)
}
