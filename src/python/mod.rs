//! PyO3 layer: converts types, releases the GIL around the core, maps errors to the
//! `filiere.exceptions` tree. No model logic here.

mod allocate;
mod economy;
mod sensitivity;
mod uncertainty;

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_polars::PyDataFrame;

use crate::data::read::{from_frame, read_path};
use crate::data::schema::TableSpec;
use crate::data::tables;
use crate::error::{Error, Problem};
use crate::params::{distribution_name, Params, PARAMETERS};
use crate::results::run;
use crate::scenario::Scenario;
use crate::study::Study;

/// Build a `filiere.exceptions` instance for a core error.
pub(crate) fn to_py(err: Error) -> PyErr {
    Python::attach(|py| match build_exception(py, &err) {
        Ok(e) => e,
        Err(e) => e,
    })
}

fn problem_dict<'py>(py: Python<'py>, p: &Problem) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("file", &p.file)?;
    d.set_item("row", p.row)?;
    d.set_item("column", &p.column)?;
    d.set_item("value", &p.value)?;
    d.set_item("message", &p.message)?;
    Ok(d)
}

fn build_exception(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module = py.import("filiere.exceptions")?;
    let (class, details) = match err {
        Error::InputFile { file, .. } => {
            let d = PyDict::new(py);
            d.set_item("file", file)?;
            ("InputFileError", d)
        }
        Error::Schema(problems) | Error::ParameterTable(problems) => {
            let d = PyDict::new(py);
            let list = PyList::empty(py);
            for p in &problems.0 {
                list.append(problem_dict(py, p)?)?;
            }
            d.set_item("problems", list)?;
            let class = if matches!(err, Error::Schema(_)) {
                "SchemaError"
            } else {
                d.set_item("name", "parameters")?;
                "ParameterTableError"
            };
            (class, d)
        }
        Error::Parameter { name, .. } => {
            let d = PyDict::new(py);
            d.set_item("name", name)?;
            ("ParameterError", d)
        }
        Error::UnknownDepartement { code } => {
            let d = PyDict::new(py);
            d.set_item("name", "departement")?;
            d.set_item("departement", code)?;
            ("UnknownDepartementError", d)
        }
        Error::Study { file, .. } => {
            let d = PyDict::new(py);
            d.set_item("file", file)?;
            ("StudyError", d)
        }
        Error::Internal(_) => ("InternalError", PyDict::new(py)),
    };
    let instance = module
        .getattr(class)?
        .call((err.to_string(),), Some(&details))?;
    Ok(PyErr::from_value(instance))
}

/// Run the core without the GIL and map its errors.
pub(crate) fn core<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> crate::error::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| crate::error::catch_panic(f)).map_err(to_py)
}

/// A validated study (wraps [`Study`]).
#[pyclass(name = "Study", module = "filiere._core", frozen)]
pub(crate) struct PyStudy {
    pub(crate) inner: Study,
}

fn spec_of(kind: &str) -> Option<TableSpec> {
    match kind {
        "workshops" => Some(tables::WORKSHOPS),
        "establishments" => Some(tables::ESTABLISHMENTS),
        "catalog" => Some(tables::CATALOG),
        "parameters" => Some(PARAMETERS),
        _ => None,
    }
}

#[pymethods]
impl PyStudy {
    #[staticmethod]
    fn example(py: Python<'_>, name: String) -> PyResult<Self> {
        core(py, || Study::example(&name)).map(|inner| PyStudy { inner })
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        core(py, || Study::load(&path)).map(|inner| PyStudy { inner })
    }

    #[staticmethod]
    #[pyo3(signature = (*, workshops, establishments, catalog, parameters, scenario_json, overrides, name, description, labels, has_parameters=false))]
    #[allow(clippy::too_many_arguments)]
    fn from_frames(
        py: Python<'_>,
        workshops: Option<PyDataFrame>,
        establishments: Option<PyDataFrame>,
        catalog: Option<PyDataFrame>,
        parameters: Option<PyDataFrame>,
        scenario_json: String,
        overrides: BTreeMap<String, f64>,
        name: String,
        description: String,
        labels: [String; 4],
        has_parameters: bool,
    ) -> PyResult<Self> {
        core(py, || {
            let scenario = Scenario::from_json(&scenario_json)?;
            // A table given as a path (no frame) is read here, so that its messages keep
            // the file's own row numbers (blank rows, a header below a title row).
            let table = |frame: Option<PyDataFrame>, label: &str| match frame {
                Some(f) => from_frame(label, &f.0),
                None => read_path(std::path::Path::new(label)),
            };
            let w = table(workshops, &labels[0])?;
            let e = table(establishments, &labels[1])?;
            let c = table(catalog, &labels[2])?;
            let p = match parameters {
                Some(f) => Some(from_frame(&labels[3], &f.0)?),
                None if has_parameters => Some(read_path(std::path::Path::new(&labels[3]))?),
                None => None,
            };
            Study::from_raw(
                &name,
                &description,
                &w,
                &e,
                &c,
                p.as_ref(),
                scenario,
                &overrides,
            )
        })
        .map(|inner| PyStudy { inner })
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, json: String) -> PyResult<Self> {
        core(py, || Study::from_json(&json)).map(|inner| PyStudy { inner })
    }

    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        core(py, || self.inner.to_json())
    }

    fn with_params(&self, py: Python<'_>, overrides: BTreeMap<String, f64>) -> PyResult<Self> {
        core(py, || {
            self.inner
                .with_params(overrides.iter().map(|(k, v)| (k.as_str(), *v)))
        })
        .map(|inner| PyStudy { inner })
    }

    fn with_scenario(&self, py: Python<'_>, scenario_json: String) -> PyResult<Self> {
        core(py, || {
            self.inner
                .with_scenario(Scenario::from_json(&scenario_json)?)
        })
        .map(|inner| PyStudy { inner })
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    #[getter]
    fn description(&self) -> String {
        self.inner.description.clone()
    }

    #[getter]
    fn sources(&self) -> BTreeMap<String, String> {
        self.inner.sources.clone()
    }

    #[getter]
    fn file(&self) -> Option<String> {
        self.inner.file.clone()
    }

    fn scenario_json(&self, py: Python<'_>) -> PyResult<String> {
        core(py, || {
            serde_json::to_string(&self.inner.scenario).map_err(|e| Error::Internal(e.to_string()))
        })
    }

    fn parameters(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        core(py, || {
            let ps: Vec<_> = self.inner.params.iter().collect();
            Ok(polars::df!(
                "name" => ps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
                "value" => ps.iter().map(|p| p.value).collect::<Vec<_>>(),
                "unit" => ps.iter().map(|p| p.unit.as_str()).collect::<Vec<_>>(),
                "low" => ps.iter().map(|p| p.low).collect::<Vec<_>>(),
                "high" => ps.iter().map(|p| p.high).collect::<Vec<_>>(),
                "distribution" => ps.iter().map(|p| distribution_name(p.distribution)).collect::<Vec<_>>(),
                "source" => ps.iter().map(|p| p.source.as_str()).collect::<Vec<_>>(),
                "description" => ps.iter().map(|p| p.description.as_str()).collect::<Vec<_>>(),
                "description_fr" => ps.iter().map(|p| p.description_fr.as_str()).collect::<Vec<_>>(),
            )?)
        })
        .map(PyDataFrame)
    }

    fn table(&self, py: Python<'_>, kind: String) -> PyResult<PyDataFrame> {
        core(py, || match kind.as_str() {
            "workshops" => tables::workshops_frame(&self.inner.workshops),
            "establishments" => tables::establishments_frame(&self.inner.establishments),
            "catalog" => tables::catalog_frame(&self.inner.catalog),
            other => Err(Error::Internal(format!("no table `{other}`"))),
        })
        .map(PyDataFrame)
    }

    fn run<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = core(py, || run(&self.inner))?;
        let d = PyDict::new(py);
        d.set_item("demand", PyDataFrame(r.demand))?;
        d.set_item("costs", PyDataFrame(r.costs))?;
        d.set_item("jobs", PyDataFrame(r.jobs))?;
        d.set_item("jobs_by_departement", PyDataFrame(r.jobs_by_departement))?;
        d.set_item("jobs_by_branch", PyDataFrame(r.jobs_by_branch))?;
        d.set_item("summary", PyDataFrame(r.summary))?;
        d.set_item("balance", PyDataFrame(r.balance))?;
        d.set_item("allocation", PyDataFrame(r.allocation))?;
        d.set_item("capacity", PyDataFrame(r.capacity))?;
        d.set_item("schedule", PyDataFrame(r.schedule))?;
        d.set_item("unmet", PyDataFrame(r.unmet))?;
        d.set_item("sourcing", PyDataFrame(r.sourcing))?;
        Ok(d)
    }
}

/// Validate one table file (`kind` = workshops, establishments, catalog or parameters),
/// returning every problem found (an empty list when the file is valid).
#[pyfunction]
fn validate_file<'py>(
    py: Python<'py>,
    path: PathBuf,
    kind: String,
) -> PyResult<Bound<'py, PyList>> {
    let Some(spec) = spec_of(&kind) else {
        return Err(to_py(Error::Study {
            file: path.display().to_string(),
            reason: format!(
                "unknown table kind `{kind}`: use workshops, establishments, catalog or parameters"
            ),
        }));
    };
    let outcome = py.detach(|| {
        crate::error::catch_panic(|| {
            let raw = read_path(&path)?;
            match spec.name {
                "workshops" => tables::workshops(&raw).map(|_| ()),
                "establishments" => tables::establishments(&raw).map(|_| ()),
                "catalog" => tables::catalog(&raw).map(|_| ()),
                _ => Params::from_table(&raw).map(|_| ()),
            }
        })
    });
    let list = PyList::empty(py);
    match outcome {
        Ok(()) => {}
        Err(Error::Schema(problems) | Error::ParameterTable(problems)) => {
            for p in &problems.0 {
                list.append(problem_dict(py, p)?)?;
            }
        }
        Err(other) => return Err(to_py(other)),
    }
    Ok(list)
}

/// The columns of an input table as declared (`kind` = workshops, establishments, catalog
/// or parameters): name, kind, domain (min, max, choices), required, unit, the
/// questionnaire's labels and the descriptions. The questionnaire is written from it.
#[pyfunction]
fn table_columns(py: Python<'_>, kind: String) -> PyResult<PyDataFrame> {
    let Some(spec) = spec_of(&kind) else {
        return Err(to_py(Error::Study {
            file: kind.clone(),
            reason: format!(
                "unknown table kind `{kind}`: use workshops, establishments, catalog or parameters"
            ),
        }));
    };
    core(py, || crate::data::schema::columns_frame(&spec)).map(PyDataFrame)
}

/// The questionnaire's header of the yes/no column of product `product` (`lang` fr or en).
#[pyfunction]
#[pyo3(signature = (product, lang = "fr"))]
fn product_label(product: &str, lang: &str) -> String {
    crate::data::questions::product_label(product, lang)
}

/// Read a CSV, Parquet or XLSX table as text columns (French conventions handled).
#[pyfunction]
fn read_table(py: Python<'_>, path: PathBuf) -> PyResult<PyDataFrame> {
    core(py, || read_path(&path)).map(|t| PyDataFrame(t.frame))
}

/// The separator of a CSV file from its header line (`;`, `,` or tab), as every reader of
/// filiere picks it.
#[pyfunction]
fn sniff_separator(header: &str) -> String {
    char::from(crate::data::read::sniff_separator(header)).to_string()
}

/// The prefectures of the 96 départements of metropolitan France
/// (`data/reference/prefectures.csv`): code, names, region, town, latitude and longitude.
#[pyfunction]
fn prefectures<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let table = core(py, crate::model::allocate::prefectures)?;
    let list = PyList::empty(py);
    for p in table {
        let d = PyDict::new(py);
        d.set_item("departement", &p.departement)?;
        d.set_item("departement_name", &p.departement_name)?;
        d.set_item("region_code", &p.region_code)?;
        d.set_item("region_name", &p.region_name)?;
        d.set_item("prefecture", &p.prefecture)?;
        d.set_item("lat", p.lat)?;
        d.set_item("lon", p.lon)?;
        list.append(d)?;
    }
    Ok(list)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStudy>()?;
    m.add_class::<economy::PyEconomy>()?;
    m.add_class::<uncertainty::PyMonteCarlo>()?;
    m.add("MONTE_CARLO_METRICS", crate::headline::METRICS.to_vec())?;
    m.add_function(wrap_pyfunction!(economy::location_quotient, m)?)?;
    m.add_function(wrap_pyfunction!(economy::flq_lambda, m)?)?;
    m.add_function(wrap_pyfunction!(economy::aura_employment, m)?)?;
    m.add_function(wrap_pyfunction!(allocate::allocate, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity::sobol_sample, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity::sobol_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(validate_file, m)?)?;
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    m.add_function(wrap_pyfunction!(table_columns, m)?)?;
    m.add_function(wrap_pyfunction!(product_label, m)?)?;
    m.add_function(wrap_pyfunction!(prefectures, m)?)?;
    m.add_function(wrap_pyfunction!(sniff_separator, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("EXAMPLES", crate::study::EXAMPLE_NAMES.to_vec())?;
    m.add("NEW_CAPACITY", crate::results::NEW_CAPACITY)?;
    m.add("IMPORT", crate::results::IMPORT)?;
    m.add("LATE", crate::results::LATE)?;
    m.add("ESTIMATED_SUFFIX", crate::survey::ESTIMATED_SUFFIX)?;
    Ok(())
}
