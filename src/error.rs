//! One error type for the whole crate.
//!
//! Every variant carries what a user needs to fix the input: the file, the row and column
//! of a bad cell, the parameter name and its allowed range. The Python layer maps each
//! variant to a class of the `filiere.exceptions` tree.

use std::fmt;

/// One problem found in one input table.
///
/// Rows are counted as a spreadsheet shows them: the header is row 1, the first data
/// row is row 2. `row` is `None` for a problem with the whole table or a column.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// File (or table name, for in-memory tables) the problem is in.
    pub file: String,
    /// Spreadsheet row number (header = 1), if the problem is in one row.
    pub row: Option<usize>,
    /// Column name, if the problem is in one column.
    pub column: Option<String>,
    /// The offending cell value, as read.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value {value:?}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All the problems found in one or more tables, reported at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Problems(pub Vec<Problem>);

/// How many problems the message of an error lists before summarising the rest.
const SHOWN_PROBLEMS: usize = 10;

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => write!(f, "no problem"),
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems in the input:", many.len())?;
                for problem in many.iter().take(SHOWN_PROBLEMS) {
                    write!(f, "\n  - {problem}")?;
                }
                if many.len() > SHOWN_PROBLEMS {
                    write!(f, "\n  - ... and {} more", many.len() - SHOWN_PROBLEMS)?;
                }
                Ok(())
            }
        }
    }
}

/// The crate's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or decoded at all.
    #[error("{file}: {reason}")]
    InputFile {
        /// Path of the file.
        file: String,
        /// Why it could not be read.
        reason: String,
    },
    /// One or more cells, columns or rows of input tables break the schema.
    #[error("{0}")]
    Schema(Problems),
    /// The problems of a parameters table (bad cells, `low > high`, unknown names...):
    /// a schema error that is also a parameter error (Python `ParameterTableError`).
    #[error("{0}")]
    ParameterTable(Problems),
    /// A parameter is unknown, out of its allowed range or inconsistent.
    #[error("parameter `{name}`: {reason}")]
    Parameter {
        /// Parameter name.
        name: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A département without prefecture coordinates (not one of the 96 of metropolitan
    /// France), so no transport distance (Python `UnknownDepartementError`, a
    /// `ParameterError` named `departement`).
    #[error(
        "parameter `departement`: `{code}` is not a département of metropolitan France \
         (data/reference/prefectures.csv lists 01–95, 2A and 2B); no transport distance"
    )]
    UnknownDepartement {
        /// The code as given.
        code: String,
    },
    /// The study file or scenario is invalid.
    #[error("{file}: {reason}")]
    Study {
        /// Study file path (or `scenario` for in-memory scenarios).
        file: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A bug in filiere: an invariant did not hold. Please report it.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

impl Error {
    /// A schema error made of a single problem.
    pub fn schema(
        file: impl Into<String>,
        row: Option<usize>,
        column: Option<&str>,
        value: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Schema(Problems(vec![Problem {
            file: file.into(),
            row,
            column: column.map(str::to_owned),
            value: value.map(str::to_owned),
            message: message.into(),
        }]))
    }

    /// A parameter error.
    pub fn parameter(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Parameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

impl From<polars::prelude::PolarsError> for Error {
    fn from(err: polars::prelude::PolarsError) -> Self {
        Error::Internal(format!("polars: {err}"))
    }
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Run `f`, turning a panic (a bug, in filiere or a reader it uses) into
/// [`Error::Internal`] so that callers, and Python, get an error rather than a crash.
///
/// # Errors
/// Those of `f`, and [`Error::Internal`] with the panic message if it panicked.
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Error::Internal(format!("unexpected failure: {what}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors() {
        let err = catch_panic::<()>(|| panic!("boom {}", 1)).unwrap_err();
        assert!(
            matches!(&err, Error::Internal(m) if m.contains("boom 1")),
            "{err}"
        );
        let err = catch_panic::<()>(|| {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            assert!(v.get(i).is_some(), "index {i} out of range");
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().contains("index 3 out of range"), "{err}");
        assert_eq!(catch_panic(|| Ok(7)).unwrap(), 7);
    }
}
