//! PyO3 wrapper of the input–output engine: converts vectors and matrices, nothing else.

use std::path::PathBuf;

use nalgebra::{DMatrix, DVector};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::data::read::{max_input_bytes, read_file_bounded};
use crate::economy::{
    self, read_eurostat_naio_tsv, read_insee_tes_csv, read_insee_tes_xlsx, read_io_csv_path,
    Effects, EurostatSelection, IoModel, IoTable, ModelType, MultiplierKind,
};
use crate::error::Error;

use super::{core, to_py};

/// A solved input–output table (wraps [`IoTable`] and its [`IoModel`]).
#[pyclass(name = "Economy", module = "filiere._core", frozen)]
pub struct PyEconomy {
    table: IoTable,
    model: IoModel,
}

impl PyEconomy {
    fn solve(table: IoTable) -> crate::error::Result<Self> {
        let model = table.model()?;
        Ok(PyEconomy { table, model })
    }
}

fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

fn effects_dict<'py>(py: Python<'py>, e: &Effects) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("direct", e.direct.clone())?;
    d.set_item("indirect", e.indirect.clone())?;
    d.set_item("induced", e.induced.clone())?;
    d.set_item("total", e.total.clone())?;
    Ok(d)
}

#[pymethods]
impl PyEconomy {
    #[staticmethod]
    #[pyo3(signature = (branches, flows, output, employment=None, compensation=None, value_added=None, household_consumption=None, source="table".to_owned()))]
    #[allow(clippy::too_many_arguments)]
    fn from_arrays(
        py: Python<'_>,
        branches: Vec<String>,
        flows: Vec<Vec<f64>>,
        output: Vec<f64>,
        employment: Option<Vec<f64>>,
        compensation: Option<Vec<f64>>,
        value_added: Option<Vec<f64>>,
        household_consumption: Option<Vec<f64>>,
        source: String,
    ) -> PyResult<Self> {
        core(py, || {
            let n_rows = flows.len();
            if let Some((i, row)) = flows.iter().enumerate().find(|(_, r)| r.len() != n_rows) {
                return Err(Error::schema(
                    &source,
                    Some(i + 1),
                    None,
                    None,
                    format!(
                        "flows must be square: row {} has {} values for {n_rows} rows",
                        i + 1,
                        row.len()
                    ),
                ));
            }
            let z = DMatrix::from_fn(n_rows, n_rows, |i, j| flows[i][j]);
            let mut table = IoTable::named(&source, branches, z, DVector::from_vec(output))?;
            if let Some(v) = employment {
                table = table.with_employment(DVector::from_vec(v))?;
            }
            if let Some(v) = compensation {
                table = table.with_compensation(DVector::from_vec(v))?;
            }
            if let Some(v) = value_added {
                table = table.with_value_added(DVector::from_vec(v))?;
            }
            if let Some(v) = household_consumption {
                table = table.with_household_consumption(DVector::from_vec(v))?;
            }
            Self::solve(table)
        })
    }

    #[staticmethod]
    fn read_csv(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        core(py, || Self::solve(read_io_csv_path(&path)?))
    }

    #[staticmethod]
    #[pyo3(signature = (path, sheet=None))]
    fn read_insee_tes(py: Python<'_>, path: PathBuf, sheet: Option<String>) -> PyResult<Self> {
        core(py, || {
            let file = path.display().to_string();
            let bytes = read_file_bounded(&path, max_input_bytes())?;
            let table = if file.to_ascii_lowercase().ends_with(".xlsx") {
                read_insee_tes_xlsx(&file, &bytes, sheet.as_deref().unwrap_or(""))?
            } else {
                read_insee_tes_csv(&file, &crate::data::read::decode_text(&bytes))?
            };
            Self::solve(table)
        })
    }

    #[staticmethod]
    #[pyo3(signature = (path, geo, year, stk_flow="DOM".to_owned(), unit="MIO_EUR".to_owned(), products=None))]
    fn read_eurostat(
        py: Python<'_>,
        path: PathBuf,
        geo: String,
        year: String,
        stk_flow: String,
        unit: String,
        products: Option<Vec<String>>,
    ) -> PyResult<Self> {
        core(py, || {
            let file = path.display().to_string();
            let bytes = read_file_bounded(&path, max_input_bytes())?;
            let text = String::from_utf8(bytes).map_err(|e| Error::InputFile {
                file: file.clone(),
                reason: format!("not UTF-8 text: {e}"),
            })?;
            let selection = EurostatSelection {
                geo,
                year,
                stk_flow,
                unit,
                products,
            };
            Self::solve(read_eurostat_naio_tsv(&file, &text, &selection)?)
        })
    }

    #[staticmethod]
    fn france(py: Python<'_>) -> PyResult<Self> {
        core(py, || Self::solve(economy::france_table()?))
    }

    #[getter]
    fn branches(&self) -> Vec<String> {
        self.table.branches().to_vec()
    }

    #[getter]
    fn source(&self) -> String {
        self.table.source().to_owned()
    }

    #[getter]
    fn has_households(&self) -> bool {
        self.model.closed().is_some()
    }

    fn flows(&self) -> Vec<Vec<f64>> {
        rows(self.table.flows())
    }

    fn output(&self) -> Vec<f64> {
        self.table.output().iter().copied().collect()
    }

    fn satellites<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, v) in [
            ("employment", self.table.employment()),
            ("compensation", self.table.compensation()),
            ("value_added", self.table.value_added()),
            ("household_consumption", self.table.household_consumption()),
        ] {
            d.set_item(name, v.map(|v| v.iter().copied().collect::<Vec<f64>>()))?;
        }
        Ok(d)
    }

    fn technical_coefficients(&self) -> Vec<Vec<f64>> {
        rows(self.model.coefficients())
    }

    fn leontief(&self) -> Vec<Vec<f64>> {
        rows(self.model.inverse())
    }

    fn multipliers<'py>(
        &self,
        py: Python<'py>,
        kind: String,
        model_type: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        let m = core(py, || {
            let kind: MultiplierKind = kind.parse()?;
            let model_type: ModelType = model_type.parse()?;
            self.model.multipliers(kind, model_type)
        })?;
        let d = PyDict::new(py);
        d.set_item("branch", m.branches)?;
        d.set_item("direct", m.direct)?;
        d.set_item("indirect", m.indirect)?;
        d.set_item("induced", m.induced)?;
        d.set_item("total", m.total)?;
        d.set_item("ratio", m.ratio)?;
        Ok(d)
    }

    fn impact<'py>(
        &self,
        py: Python<'py>,
        final_demand: Vec<f64>,
        model_type: String,
    ) -> PyResult<Bound<'py, PyDict>> {
        let impact = core(py, || {
            let model_type: ModelType = model_type.parse()?;
            self.model.impact(&final_demand, model_type)
        })?;
        let d = PyDict::new(py);
        d.set_item("branch", impact.branches.clone())?;
        d.set_item("output", effects_dict(py, &impact.output)?)?;
        for (name, effects) in [
            ("value_added", &impact.value_added),
            ("income", &impact.income),
            ("jobs", &impact.jobs),
        ] {
            match effects {
                Some(e) => d.set_item(name, effects_dict(py, e)?)?,
                None => d.set_item(name, py.None())?,
            }
        }
        Ok(d)
    }

    #[pyo3(signature = (regional_employment, national_employment=None, delta=0.25))]
    fn regionalise(
        &self,
        py: Python<'_>,
        regional_employment: Vec<f64>,
        national_employment: Option<Vec<f64>>,
        delta: f64,
    ) -> PyResult<Self> {
        core(py, || {
            let table = match national_employment {
                Some(national) => {
                    self.table
                        .regionalise_with_national(&regional_employment, &national, delta)?
                }
                None => self.table.regionalise(&regional_employment, delta)?,
            };
            Self::solve(table)
        })
    }

    fn to_csv(&self) -> String {
        economy::write_io_csv(&self.table)
    }
}

/// Simple location quotient (RE_i/TRE)/(NE_i/TNE).
#[pyfunction]
pub fn location_quotient(
    regional_branch: f64,
    regional_total: f64,
    national_branch: f64,
    national_total: f64,
) -> f64 {
    economy::location_quotient(
        regional_branch,
        regional_total,
        national_branch,
        national_total,
    )
}

/// Flegg's λ* = [log2(1 + TRE/TNE)]^δ.
#[pyfunction]
pub fn flq_lambda(regional_total: f64, national_total: f64, delta: f64) -> PyResult<f64> {
    economy::flq_lambda(regional_total, national_total, delta).map_err(to_py)
}

/// Branches, regional and national employment (persons), and sources.
type EmploymentColumns = (Vec<String>, Vec<f64>, Vec<f64>, Vec<String>);

/// The bundled AURA employment by branch: (branches, regional, national, sources).
#[pyfunction]
pub fn aura_employment(py: Python<'_>) -> PyResult<EmploymentColumns> {
    let r = core(py, economy::aura_employment)?;
    Ok((r.branches, r.regional, r.national, r.sources))
}
