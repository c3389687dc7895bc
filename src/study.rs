//! A study: the input tables, the parameters and the scenario, loaded from a `study.toml`
//! (or built from in-memory tables), validated across tables, and run through the models.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::data::read::{read_bytes, read_file_bounded, read_path, RawTable};
use crate::data::tables::{self, Establishment, Product, Workshop};
use crate::error::{Error, Problem, Problems, Result};
use crate::params::Params;
use crate::scenario::Scenario;

/// The `[tables]` section of a study file: table paths, relative to the study file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TablePaths {
    /// Capacity survey.
    pub workshops: String,
    /// Schools and pupils.
    pub establishments: String,
    /// Products.
    pub catalog: String,
    /// Parameters (optional: the bundled defaults otherwise).
    #[serde(default)]
    pub parameters: Option<String>,
    /// Headers of the workshops table to read as columns (question text → column name,
    /// `products:<id>` for a product's yes/no column): a form-tool export whose questions
    /// differ from the questionnaire's labels loads as it is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub workshops_columns: BTreeMap<String, String>,
}

/// The contents of a `study.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Study name.
    #[serde(default)]
    pub name: Option<String>,
    /// One-line description.
    #[serde(default)]
    pub description: Option<String>,
    /// Table paths.
    pub tables: TablePaths,
    /// Scenario.
    pub scenario: Scenario,
    /// Parameter value overrides (`line_efficiency = 0.6`).
    #[serde(default)]
    pub parameters: BTreeMap<String, f64>,
}

/// A complete, validated study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Study {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Where each table came from (file path or `<memory>`), for messages and manifests.
    pub sources: BTreeMap<String, String>,
    /// Capacity survey.
    pub workshops: Vec<Workshop>,
    /// Schools and pupils.
    pub establishments: Vec<Establishment>,
    /// Products.
    pub catalog: Vec<Product>,
    /// Parameters.
    pub params: Params,
    /// Scenario.
    pub scenario: Scenario,
    /// The study file it was loaded from (`None` for the bundled examples and studies built
    /// in memory): the report shows input paths relative to it. Not serialised, so the
    /// cache key of a study does not depend on where its folder sits.
    #[serde(skip)]
    pub file: Option<String>,
}

/// The bundled example studies, compiled into the library so they work from any install.
const EXAMPLES: &[(&str, &[u8])] = &[
    ("aura/study.toml", include_bytes!("../data/aura/study.toml")),
    (
        "aura/workshops.csv",
        include_bytes!("../data/aura/workshops.csv"),
    ),
    (
        "aura/establishments.csv",
        include_bytes!("../data/aura/establishments.csv"),
    ),
    (
        "aura/catalog.csv",
        include_bytes!("../data/aura/catalog.csv"),
    ),
    (
        "aura/parameters.csv",
        include_bytes!("../data/aura/parameters.csv"),
    ),
    (
        "aura-pilot/study.toml",
        include_bytes!("../data/aura-pilot/study.toml"),
    ),
    (
        "aura-pilot/workshops.csv",
        include_bytes!("../data/aura-pilot/workshops.csv"),
    ),
    (
        "aura-pilot/establishments.csv",
        include_bytes!("../data/aura-pilot/establishments.csv"),
    ),
    (
        "aura-pilot/catalog.csv",
        include_bytes!("../data/aura-pilot/catalog.csv"),
    ),
];

/// Largest `study.toml` accepted, in bytes.
pub const MAX_STUDY_FILE_BYTES: usize = 1024 * 1024;

/// Names of the bundled examples.
pub const EXAMPLE_NAMES: &[&str] = &["aura", "aura-pilot"];

/// Resolve `relative` against the folder of `base`, removing `.` and `..` lexically.
fn join(base: &Path, relative: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in base
        .parent()
        .unwrap_or(Path::new(""))
        .join(relative)
        .components()
    {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

impl Study {
    /// Build a study from raw tables, a scenario and parameter overrides, validating every
    /// table and the references between them.
    ///
    /// # Errors
    /// [`Error::Schema`] listing the problems of every table at once; [`Error::Study`] for
    /// an invalid scenario; [`Error::Parameter`] for a bad override.
    #[allow(clippy::too_many_arguments)]
    pub fn from_raw(
        name: &str,
        description: &str,
        workshops: &RawTable,
        establishments: &RawTable,
        catalog: &RawTable,
        parameters: Option<&RawTable>,
        scenario: Scenario,
        overrides: &BTreeMap<String, f64>,
    ) -> Result<Self> {
        // Collect the problems of every table before failing, so one run shows them all.
        let mut problems: Vec<Problem> = Vec::new();
        // Whether every problem is in the parameters table (then it is a ParameterTable
        // error, which Python users may also catch as a ParameterError).
        let mut only_parameters = true;
        let mut keep = |r: Result<()>| -> Result<()> {
            match r {
                Err(Error::Schema(Problems(p))) => {
                    only_parameters = false;
                    problems.extend(p);
                    Ok(())
                }
                Err(Error::ParameterTable(Problems(p))) => {
                    problems.extend(p);
                    Ok(())
                }
                other => other,
            }
        };
        let mut w = Vec::new();
        let mut e = Vec::new();
        let mut c = Vec::new();
        let mut params = Params::defaults();
        keep(tables::workshops(workshops).map(|v| w = v))?;
        keep(tables::establishments(establishments).map(|v| e = v))?;
        keep(tables::catalog(catalog).map(|v| c = v))?;
        if let Some(raw) = parameters {
            keep(Params::from_table(raw).map(|v| params = v))?;
        }
        if !w.is_empty() && !c.is_empty() {
            keep(tables::check_workshop_products(workshops, &w, &c))?;
        }
        if !problems.is_empty() {
            return Err(if only_parameters {
                Error::ParameterTable(Problems(problems))
            } else {
                Error::Schema(Problems(problems))
            });
        }
        scenario.validate("scenario")?;
        if let Some(p) = scenario
            .kit
            .keys()
            .find(|p| !c.iter().any(|prod| &prod.id == *p))
        {
            let known: Vec<&str> = c.iter().map(|p| p.id.as_str()).collect();
            return Err(Error::Study {
                file: "scenario".into(),
                reason: format!(
                    "the kit names product `{p}`, which is not in the catalog ({}); known: {}",
                    catalog.file,
                    known.join(", ")
                ),
            });
        }
        let params = params.with_values(overrides.iter().map(|(k, v)| (k.as_str(), *v)))?;
        let sources = BTreeMap::from([
            ("workshops".to_owned(), workshops.file.clone()),
            ("establishments".to_owned(), establishments.file.clone()),
            ("catalog".to_owned(), catalog.file.clone()),
            (
                "parameters".to_owned(),
                parameters.map_or("bundled defaults".to_owned(), |p| p.file.clone()),
            ),
        ]);
        Ok(Study {
            name: name.to_owned(),
            description: description.to_owned(),
            sources,
            workshops: w,
            establishments: e,
            catalog: c,
            params,
            scenario,
            file: None,
        })
    }

    /// Load a study from its `study.toml` file on disk.
    ///
    /// # Errors
    /// [`Error::Study`] for a missing or invalid study file or a table path that does not
    /// exist; the errors of [`Study::from_raw`] otherwise.
    pub fn load(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        // A study file is a few lines: refuse a huge one (or a device) before reading it.
        let bytes = read_file_bounded(path, MAX_STUDY_FILE_BYTES).map_err(|e| Error::Study {
            file: file.clone(),
            reason: match e {
                Error::InputFile { reason, .. } => reason.replacen("cannot open", "cannot read", 1),
                other => other.to_string(),
            },
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Study {
            file: file.clone(),
            reason: format!(
                "not UTF-8 text (byte {} of the file): save the study file as UTF-8",
                e.utf8_error().valid_up_to() + 1
            ),
        })?;
        let study = Self::from_toml(&file, &text, |relative| {
            let table = join(path, relative);
            if !table.exists() {
                return Err(Error::Study {
                    file: file.clone(),
                    reason: format!(
                        "table file `{relative}` not found (looked for {})",
                        table.display()
                    ),
                });
            }
            if table.canonicalize().ok() == path.canonicalize().ok() {
                return Err(Error::Study {
                    file: file.clone(),
                    reason: format!("table `{relative}` points at the study file itself"),
                });
            }
            read_path(&table)
        })?;
        Ok(Study {
            file: Some(file),
            ..study
        })
    }

    /// Load one of the bundled examples (`aura`, `aura-pilot`).
    ///
    /// # Errors
    /// [`Error::Study`] for an unknown name.
    pub fn example(name: &str) -> Result<Self> {
        let find = |path: &str| EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b);
        let study_path = format!("{name}/study.toml");
        let Some(bytes) = find(&study_path) else {
            return Err(Error::Study {
                file: name.to_owned(),
                reason: format!("no such example; examples: {}", EXAMPLE_NAMES.join(", ")),
            });
        };
        let text = String::from_utf8_lossy(bytes);
        Self::from_toml(&format!("example:{study_path}"), &text, |relative| {
            let path = join(Path::new(&study_path), relative).display().to_string();
            let bytes = find(&path).ok_or_else(|| {
                Error::Internal(format!("bundled example file `{path}` is missing"))
            })?;
            read_bytes(&format!("example:{path}"), bytes)
        })
    }

    /// Parse a study file's text, reading tables through `read`.
    ///
    /// # Errors
    /// As [`Study::load`].
    pub fn from_toml(
        file: &str,
        text: &str,
        mut read: impl FnMut(&str) -> Result<RawTable>,
    ) -> Result<Self> {
        let spec: StudyFile = toml::from_str(text).map_err(|e| Error::Study {
            file: file.to_owned(),
            reason: e.to_string(),
        })?;
        spec.scenario.validate(file)?;
        let mut workshops = read(&spec.tables.workshops)?;
        workshops.mapping = spec.tables.workshops_columns.clone();
        let establishments = read(&spec.tables.establishments)?;
        let catalog = read(&spec.tables.catalog)?;
        let parameters = spec
            .tables
            .parameters
            .as_deref()
            .map(&mut read)
            .transpose()?;
        let stem = Path::new(file)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str());
        // Scenario errors found across tables (a kit product the catalog lacks) belong to
        // the study file the scenario was written in.
        let in_file = |e: Error| match e {
            Error::Study { file: f, reason } if f == "scenario" => Error::Study {
                file: file.to_owned(),
                reason,
            },
            other => other,
        };
        Self::from_raw(
            spec.name.as_deref().or(stem).unwrap_or("study"),
            spec.description.as_deref().unwrap_or(""),
            &workshops,
            &establishments,
            &catalog,
            parameters.as_ref(),
            spec.scenario,
            &spec.parameters,
        )
        .map_err(in_file)
    }

    /// A copy with some parameter values replaced.
    ///
    /// # Errors
    /// [`Error::Parameter`] for an unknown name or an out-of-domain value.
    pub fn with_params<'a>(
        &self,
        values: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> Result<Self> {
        Ok(Study {
            params: self.params.with_values(values)?,
            ..self.clone()
        })
    }

    /// A copy with another scenario.
    ///
    /// # Errors
    /// [`Error::Study`] if the scenario is invalid or its kit names unknown products.
    pub fn with_scenario(&self, scenario: Scenario) -> Result<Self> {
        scenario.validate("scenario")?;
        if let Some(p) = scenario
            .kit
            .keys()
            .find(|p| !self.catalog.iter().any(|c| &c.id == *p))
        {
            return Err(Error::Study {
                file: "scenario".into(),
                reason: format!("the kit names product `{p}`, which is not in the catalog"),
            });
        }
        Ok(Study {
            scenario,
            ..self.clone()
        })
    }

    /// Serialise to compact bytes (for pickling and caching).
    ///
    /// # Errors
    /// [`Error::Internal`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Inverse of [`Study::to_json`].
    ///
    /// # Errors
    /// [`Error::Study`] if the bytes are not a serialised study.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::Study {
            file: "<serialised study>".into(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths_lexically() {
        assert_eq!(
            join(Path::new("aura-pilot/study.toml"), "../aura/parameters.csv"),
            PathBuf::from("aura/parameters.csv")
        );
        assert_eq!(
            join(Path::new("study.toml"), "./w.csv"),
            PathBuf::from("w.csv")
        );
    }

    #[test]
    fn examples_load() {
        let s = Study::example("aura").unwrap();
        assert!(s.workshops.len() > 50);
        assert!(s.establishments.len() > 600);
        let p = Study::example("aura-pilot").unwrap();
        assert_eq!(
            p.establishments.iter().map(|e| e.pupils).sum::<u64>(),
            3_000
        );
        assert!(matches!(Study::example("mars"), Err(Error::Study { .. })));
    }

    #[test]
    fn unknown_kit_product_is_refused() {
        let s = Study::example("aura-pilot").unwrap();
        let mut scenario = s.scenario.clone();
        scenario.kit.insert("jean".into(), 1.0);
        assert!(s.with_scenario(scenario).is_err());
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("filiere-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn kit_errors_name_the_study_file() {
        let dir = temp_dir("kit");
        for f in ["workshops.csv", "establishments.csv", "catalog.csv"] {
            std::fs::copy(Path::new("data/aura-pilot").join(f), dir.join(f)).unwrap();
        }
        let study = dir.join("study.toml");
        std::fs::write(
            &study,
            "[tables]\nworkshops = \"workshops.csv\"\nestablishments = \"establishments.csv\"\n\
             catalog = \"catalog.csv\"\n[scenario]\nbase_year = 2025\nyears = [2026]\n\
             [scenario.kit]\njean = 1\n",
        )
        .unwrap();
        let err = Study::load(&study).unwrap_err();
        let Error::Study { file, reason } = &err else {
            panic!("{err}")
        };
        assert_eq!(file, &study.display().to_string());
        assert!(reason.contains("`jean`"), "{reason}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn scenario_local_content_min_is_read_and_checked_from_study_toml() {
        assert_eq!(
            Study::example("aura").unwrap().scenario.local_content_min,
            1.0
        );
        let dir = temp_dir("local-content");
        for f in ["workshops.csv", "establishments.csv", "catalog.csv"] {
            std::fs::copy(Path::new("data/aura-pilot").join(f), dir.join(f)).unwrap();
        }
        let study = dir.join("study.toml");
        let write = |value: &str| {
            std::fs::write(
                &study,
                format!(
                    "[tables]\nworkshops = \"workshops.csv\"\n\
                     establishments = \"establishments.csv\"\ncatalog = \"catalog.csv\"\n\
                     [scenario]\nbase_year = 2024\nyears = [2024]\nlocal_content_min = {value}\n"
                ),
            )
            .unwrap();
        };
        write("0.6");
        assert_eq!(Study::load(&study).unwrap().scenario.local_content_min, 0.6);
        write("1.5");
        let err = Study::load(&study).unwrap_err();
        let Error::Study { file, reason } = &err else {
            panic!("{err}")
        };
        assert_eq!(file, &study.display().to_string());
        assert!(reason.contains("scenario.local_content_min"), "{reason}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn huge_and_non_utf8_study_files_are_study_errors() {
        let dir = temp_dir("huge");
        let study = dir.join("study.toml");
        let f = std::fs::File::create(&study).unwrap();
        f.set_len(MAX_STUDY_FILE_BYTES as u64 + 1).unwrap(); // sparse: no disk used
        let err = Study::load(&study).unwrap_err();
        assert!(
            matches!(&err, Error::Study { reason, .. } if reason.contains("limit")),
            "{err}"
        );
        std::fs::write(&study, b"name = \"Ard\xe8che\"\n").unwrap();
        let err = Study::load(&study).unwrap_err();
        assert!(
            matches!(&err, Error::Study { reason, .. } if reason.contains("UTF-8")),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn serialises_round_trip() {
        let s = Study::example("aura-pilot").unwrap();
        assert_eq!(Study::from_json(&s.to_json().unwrap()).unwrap(), s);
    }
}
