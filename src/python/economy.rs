//! PyO3 wrapper of the input–output engine: converts vectors and matrices, nothing else.

use std::path::PathBuf;

use nalgebra::{DMatrix, DVector};
use polars::prelude::{Column, DataFrame};
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_polars::PyDataFrame;

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

/// Intermediate flows as given by Python: a 2-D float64 buffer (a numpy array, C or
/// Fortran order: one copy, no Python float per value) or a list of rows.
#[derive(FromPyObject)]
enum Flows {
    Buffer(PyBuffer<f64>),
    Rows(Vec<Vec<f64>>),
}

/// Side of the square tiles of [`transpose_into`] (two tiles stay in L1).
const TRANSPOSE_TILE: usize = 32;

/// Copy the n × n row-major `src` into the column-major `dst`, tile by tile so that both
/// sides are read and written along cache lines.
fn transpose_into(src: &[f64], dst: &mut [f64], n: usize) {
    for i0 in (0..n).step_by(TRANSPOSE_TILE) {
        for j0 in (0..n).step_by(TRANSPOSE_TILE) {
            for i in i0..(i0 + TRANSPOSE_TILE).min(n) {
                let row = &src[i * n..(i + 1) * n];
                for j in j0..(j0 + TRANSPOSE_TILE).min(n) {
                    dst[i + j * n] = row[j];
                }
            }
        }
    }
}

/// The flow matrix Z, or the schema error of a non-square one; copies the Python buffer
/// while attached (the transposition of a C-order array happens later, detached).
enum FlowValues {
    ColumnMajor(usize, Vec<f64>),
    RowMajor(usize, Vec<f64>),
    Rows(Vec<Vec<f64>>),
    NotSquare(String),
}

impl FlowValues {
    fn copy(py: Python<'_>, flows: Flows) -> PyResult<Self> {
        let buffer = match flows {
            Flows::Rows(rows) => return Ok(FlowValues::Rows(rows)),
            Flows::Buffer(buffer) => buffer,
        };
        let shape = buffer.shape();
        if shape.len() != 2 || shape[0] != shape[1] {
            return Ok(FlowValues::NotSquare(format!(
                "flows must be square: got an array of shape {shape:?}"
            )));
        }
        let n = shape[0];
        Ok(
            if buffer.is_fortran_contiguous() && !buffer.is_c_contiguous() {
                FlowValues::ColumnMajor(n, buffer.to_fortran_vec(py)?)
            } else {
                FlowValues::RowMajor(n, buffer.to_vec(py)?)
            },
        )
    }

    fn matrix(self, source: &str) -> crate::error::Result<DMatrix<f64>> {
        match self {
            FlowValues::ColumnMajor(n, values) => Ok(DMatrix::from_vec(n, n, values)),
            FlowValues::RowMajor(n, values) => {
                let mut z = DMatrix::zeros(n, n);
                transpose_into(&values, z.as_mut_slice(), n);
                Ok(z)
            }
            FlowValues::NotSquare(message) => Err(Error::schema(source, None, None, None, message)),
            FlowValues::Rows(flows) => {
                let n_rows = flows.len();
                if let Some((i, row)) = flows.iter().enumerate().find(|(_, r)| r.len() != n_rows) {
                    return Err(Error::schema(
                        source,
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
                let mut z = DMatrix::zeros(n_rows, n_rows);
                for (i, row) in flows.iter().enumerate() {
                    for (j, v) in row.iter().enumerate() {
                        z[(i, j)] = *v;
                    }
                }
                Ok(z)
            }
        }
    }
}

/// A `branch` column then one f64 column per branch, straight from the column-major
/// matrix (no Python object per value).
fn square_frame(branches: &[String], m: &DMatrix<f64>) -> PyResult<PyDataFrame> {
    let mut columns = Vec::with_capacity(branches.len() + 1);
    columns.push(Column::new("branch".into(), branches));
    for (name, column) in branches.iter().zip(m.column_iter()) {
        columns.push(Column::new(name.as_str().into(), column.as_slice()));
    }
    DataFrame::new_infer_height(columns)
        .map(PyDataFrame)
        .map_err(|e| to_py(Error::from(e)))
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
    #[pyo3(
        text_signature = "(branches, flows, output, employment=None, compensation=None, value_added=None, household_consumption=None, source='table')"
    )]
    #[allow(clippy::too_many_arguments)]
    fn from_arrays(
        py: Python<'_>,
        branches: Vec<String>,
        flows: Flows,
        output: Vec<f64>,
        employment: Option<Vec<f64>>,
        compensation: Option<Vec<f64>>,
        value_added: Option<Vec<f64>>,
        household_consumption: Option<Vec<f64>>,
        source: String,
    ) -> PyResult<Self> {
        let flows = FlowValues::copy(py, flows)?;
        core(py, || {
            let z = flows.matrix(&source)?;
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
                let text = crate::data::read::decode_text(&bytes);
                let sibling = |p: &str| -> crate::error::Result<String> {
                    let bytes = read_file_bounded(std::path::Path::new(p), max_input_bytes())?;
                    Ok(crate::data::read::decode_text(&bytes))
                };
                match economy::france::read_domestic_text(&file, &text, &sibling)? {
                    Some(table) => table,
                    None => read_insee_tes_csv(&file, &text)?,
                }
            };
            Self::solve(table)
        })
    }

    #[staticmethod]
    #[pyo3(signature = (path, geo, year, stk_flow="DOM".to_owned(), unit="MIO_EUR".to_owned(), products=None))]
    #[pyo3(text_signature = "(path, geo, year, stk_flow='DOM', unit='MIO_EUR', products=None)")]
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
    #[pyo3(signature = (year=economy::france::DEFAULT_YEAR))]
    #[pyo3(text_signature = "(year=2019)")]
    fn france(py: Python<'_>, year: i32) -> PyResult<Self> {
        core(py, || Self::solve(economy::france::table(year)?))
    }

    #[getter]
    fn branch_names(&self) -> Vec<String> {
        self.table
            .branches()
            .iter()
            .map(|b| {
                economy::france::branch_name(b)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
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
        let z = self.table.flows();
        (0..z.nrows())
            .map(|i| z.row(i).iter().copied().collect())
            .collect()
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

    fn technical_coefficients(&self) -> PyResult<PyDataFrame> {
        square_frame(self.model.branches(), self.model.coefficients())
    }

    fn leontief(&self) -> PyResult<PyDataFrame> {
        square_frame(self.model.branches(), self.model.inverse())
    }

    fn multipliers(
        &self,
        py: Python<'_>,
        kind: String,
        model_type: String,
    ) -> PyResult<PyDataFrame> {
        core(py, || {
            let kind: MultiplierKind = kind.parse()?;
            let model_type: ModelType = model_type.parse()?;
            let m = self.model.multipliers(kind, model_type)?;
            Ok(DataFrame::new_infer_height(vec![
                Column::new("branch".into(), m.branches),
                Column::new("direct".into(), m.direct),
                Column::new("indirect".into(), m.indirect),
                Column::new("induced".into(), m.induced),
                Column::new("total".into(), m.total),
                Column::new("ratio".into(), m.ratio),
            ])?)
        })
        .map(PyDataFrame)
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
) -> PyResult<f64> {
    economy::location_quotient(
        regional_branch,
        regional_total,
        national_branch,
        national_total,
    )
    .map_err(to_py)
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
