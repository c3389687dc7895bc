//! The input–output table: inter-industry flows, total output and satellite vectors.
//!
//! Notation of Miller & Blair, *Input-Output Analysis*, 2nd ed. (2009), ch. 2: `Z` is the
//! n × n matrix of intermediate flows (row i = supplying branch, column j = buying
//! branch), `x` the total output of each branch. Every monetary quantity of a table is in
//! the same unit, euros (EUR) for the tables filiere builds and bundles.

use std::collections::HashSet;

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};

/// Name used in error messages for a table built in memory.
pub const IN_MEMORY: &str = "input-output table";

/// An input–output table, validated: square, productive column by column, finite.
///
/// Invariants checked by [`IoTable::named`] and the `with_*` methods:
/// - `flows` is n × n where n is the number of branches, labels are unique and non-empty;
/// - every value is finite, flows are ≥ 0 and every output is > 0;
/// - every column's intermediate inputs are below its output, Σ_i z_ij < x_j, so that
///   each column of `A` sums to less than 1 and the Leontief inverse exists and is ≥ 0;
/// - satellite vectors have n finite values ≥ 0.
#[derive(Debug, Clone, PartialEq)]
pub struct IoTable {
    source: String,
    branches: Vec<String>,
    flows: DMatrix<f64>,
    output: DVector<f64>,
    employment: Option<DVector<f64>>,
    compensation: Option<DVector<f64>>,
    value_added: Option<DVector<f64>>,
    household_consumption: Option<DVector<f64>>,
}

/// Which optional vector of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Satellite {
    /// Jobs, as a head count of persons employed (not FTE), per branch.
    Employment,
    /// Compensation of employees (ESA code D1, wages plus employers' social
    /// contributions), EUR, per branch.
    Compensation,
    /// Gross value added at basic prices (ESA B1G), EUR, per branch.
    ValueAdded,
    /// Household final consumption of the branch's domestic output (ESA P3_S14), EUR.
    HouseholdConsumption,
}

impl Satellite {
    /// The column name of this vector in the project's CSV layout.
    pub fn column(self) -> &'static str {
        match self {
            Satellite::Employment => "employment",
            Satellite::Compensation => "compensation",
            Satellite::ValueAdded => "value_added",
            Satellite::HouseholdConsumption => "household_consumption",
        }
    }
}

impl IoTable {
    /// A table built in memory; errors name it [`IN_MEMORY`].
    ///
    /// # Errors
    /// As [`IoTable::named`].
    pub fn new(branches: Vec<String>, flows: DMatrix<f64>, output: DVector<f64>) -> Result<Self> {
        Self::named(IN_MEMORY, branches, flows, output)
    }

    /// A table read from `source` (a file name, used in error messages).
    ///
    /// `branches` labels both the rows and the columns of `flows` (row i and column i are
    /// the same branch); `output` is total output x, same unit as the flows.
    ///
    /// # Errors
    /// [`Error::Schema`] when the table is not square or does not match the labels, a
    /// label is empty or repeated, a value is not finite, a flow is negative, an output
    /// is not positive, or a column's intermediate inputs reach its output (the branch
    /// would not be productive). The message names the branch.
    pub fn named(
        source: impl Into<String>,
        branches: Vec<String>,
        flows: DMatrix<f64>,
        output: DVector<f64>,
    ) -> Result<Self> {
        let source = source.into();
        let n = branches.len();
        if n == 0 {
            return Err(Error::schema(
                &source,
                None,
                None,
                None,
                "the table has no branch",
            ));
        }
        if flows.nrows() != flows.ncols() {
            return Err(Error::schema(
                &source,
                None,
                None,
                None,
                format!(
                    "the flow matrix Z must be square (one row and one column per branch), \
                     got {} rows × {} columns",
                    flows.nrows(),
                    flows.ncols()
                ),
            ));
        }
        if flows.nrows() != n || output.len() != n {
            return Err(Error::schema(
                &source,
                None,
                None,
                None,
                format!(
                    "{n} branch labels but a {r} × {r} flow matrix and {o} outputs: \
                     labels, rows, columns and outputs must match one to one",
                    r = flows.nrows(),
                    o = output.len()
                ),
            ));
        }
        let mut seen = HashSet::with_capacity(n);
        for branch in &branches {
            if branch.trim().is_empty() {
                return Err(Error::schema(
                    &source,
                    None,
                    Some("branch"),
                    None,
                    "a branch label is empty",
                ));
            }
            if !seen.insert(branch.as_str()) {
                return Err(Error::schema(
                    &source,
                    None,
                    Some("branch"),
                    Some(branch),
                    "the branch label appears twice: labels must be unique",
                ));
            }
        }
        for (j, column) in branches.iter().enumerate() {
            let x = output[j];
            if !x.is_finite() || x <= 0.0 {
                return Err(Error::schema(
                    &source,
                    None,
                    Some("output"),
                    Some(&x.to_string()),
                    format!("branch `{column}`: total output must be a finite number > 0"),
                ));
            }
            let mut inputs = 0.0;
            for (i, row) in branches.iter().enumerate() {
                let z = flows[(i, j)];
                if !z.is_finite() || z < 0.0 {
                    return Err(Error::schema(
                        &source,
                        None,
                        Some(column),
                        Some(&z.to_string()),
                        format!(
                            "flow from `{row}` to `{column}` must be a finite number ≥ 0 \
                             (intermediate flows are never negative)"
                        ),
                    ));
                }
                inputs += z;
            }
            if inputs >= x {
                return Err(Error::schema(
                    &source,
                    None,
                    Some(column),
                    Some(&inputs.to_string()),
                    format!(
                        "branch `{column}` is not productive: its intermediate inputs \
                         ({inputs}) reach or exceed its output ({x}); they must be smaller, \
                         the rest being value added, imports and taxes"
                    ),
                ));
            }
        }
        Ok(Self {
            source,
            branches,
            flows,
            output,
            employment: None,
            compensation: None,
            value_added: None,
            household_consumption: None,
        })
    }

    /// The same table with a satellite vector set (replacing any previous one).
    ///
    /// # Errors
    /// [`Error::Schema`] when the vector does not have one value per branch or a value is
    /// negative or not finite (the message names the branch).
    pub fn with_satellite(mut self, which: Satellite, values: DVector<f64>) -> Result<Self> {
        let column = which.column();
        if values.len() != self.n() {
            return Err(Error::schema(
                &self.source,
                None,
                Some(column),
                None,
                format!(
                    "{} values for {} branches: give one value per branch",
                    values.len(),
                    self.n()
                ),
            ));
        }
        if let Some((i, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite() || **v < 0.0)
        {
            return Err(Error::schema(
                &self.source,
                None,
                Some(column),
                Some(&v.to_string()),
                format!(
                    "branch `{}`: {column} must be a finite number ≥ 0",
                    self.branches[i]
                ),
            ));
        }
        *self.slot(which) = Some(values);
        Ok(self)
    }

    /// The same table with employment (persons, head count) per branch.
    ///
    /// # Errors
    /// As [`IoTable::with_satellite`].
    pub fn with_employment(self, persons: DVector<f64>) -> Result<Self> {
        self.with_satellite(Satellite::Employment, persons)
    }

    /// The same table with compensation of employees (EUR) per branch.
    ///
    /// # Errors
    /// As [`IoTable::with_satellite`].
    pub fn with_compensation(self, eur: DVector<f64>) -> Result<Self> {
        self.with_satellite(Satellite::Compensation, eur)
    }

    /// The same table with gross value added (EUR) per branch.
    ///
    /// # Errors
    /// As [`IoTable::with_satellite`].
    pub fn with_value_added(self, eur: DVector<f64>) -> Result<Self> {
        self.with_satellite(Satellite::ValueAdded, eur)
    }

    /// The same table with household final consumption of each branch's output (EUR).
    ///
    /// # Errors
    /// As [`IoTable::with_satellite`].
    pub fn with_household_consumption(self, eur: DVector<f64>) -> Result<Self> {
        self.with_satellite(Satellite::HouseholdConsumption, eur)
    }

    fn slot(&mut self, which: Satellite) -> &mut Option<DVector<f64>> {
        match which {
            Satellite::Employment => &mut self.employment,
            Satellite::Compensation => &mut self.compensation,
            Satellite::ValueAdded => &mut self.value_added,
            Satellite::HouseholdConsumption => &mut self.household_consumption,
        }
    }

    /// Where the table comes from (file name), as used in error messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Number of branches n.
    pub fn n(&self) -> usize {
        self.branches.len()
    }

    /// Branch labels, in row (and column) order.
    pub fn branches(&self) -> &[String] {
        &self.branches
    }

    /// Position of a branch by label.
    pub fn branch_index(&self, branch: &str) -> Option<usize> {
        self.branches.iter().position(|b| b == branch)
    }

    /// Intermediate flows Z (n × n; row = supplier, column = buyer).
    pub fn flows(&self) -> &DMatrix<f64> {
        &self.flows
    }

    /// Total output x (n).
    pub fn output(&self) -> &DVector<f64> {
        &self.output
    }

    /// A satellite vector, if the table has it.
    pub fn satellite(&self, which: Satellite) -> Option<&DVector<f64>> {
        match which {
            Satellite::Employment => self.employment.as_ref(),
            Satellite::Compensation => self.compensation.as_ref(),
            Satellite::ValueAdded => self.value_added.as_ref(),
            Satellite::HouseholdConsumption => self.household_consumption.as_ref(),
        }
    }

    /// Employment, persons (head count), if given.
    pub fn employment(&self) -> Option<&DVector<f64>> {
        self.employment.as_ref()
    }

    /// Compensation of employees, EUR, if given.
    pub fn compensation(&self) -> Option<&DVector<f64>> {
        self.compensation.as_ref()
    }

    /// Gross value added, EUR, if given.
    pub fn value_added(&self) -> Option<&DVector<f64>> {
        self.value_added.as_ref()
    }

    /// Household final consumption of each branch's output, EUR, if given.
    pub fn household_consumption(&self) -> Option<&DVector<f64>> {
        self.household_consumption.as_ref()
    }

    /// A satellite vector, or a schema error saying which column is missing and why.
    ///
    /// # Errors
    /// [`Error::Schema`] when the table has no such vector.
    pub fn require(&self, which: Satellite, needed_for: &str) -> Result<&DVector<f64>> {
        self.satellite(which).ok_or_else(|| {
            Error::schema(
                &self.source,
                None,
                Some(which.column()),
                None,
                format!(
                    "the table has no `{}` column, needed for {needed_for}",
                    which.column()
                ),
            )
        })
    }

    /// Coefficients per unit of output, c_j = v_j / x_j, of a satellite vector.
    ///
    /// # Errors
    /// [`Error::Schema`] when the table has no such vector.
    pub fn satellite_coefficients(&self, which: Satellite) -> Result<DVector<f64>> {
        let values = self.require(which, "its coefficients per unit of output")?;
        Ok(values.component_div(&self.output))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn message(err: Error) -> String {
        err.to_string()
    }

    #[test]
    fn miller_blair_table_is_valid() {
        let table = IoTable::new(
            labels(&["agriculture", "manufacturing"]),
            DMatrix::from_row_slice(2, 2, &[150.0, 500.0, 200.0, 100.0]),
            DVector::from_vec(vec![1000.0, 2000.0]),
        )
        .unwrap();
        assert_eq!(table.n(), 2);
        assert_eq!(table.branch_index("manufacturing"), Some(1));
    }

    #[test]
    fn non_square_flows_are_refused() {
        let err = IoTable::new(
            labels(&["a", "b"]),
            DMatrix::from_row_slice(2, 3, &[1.0; 6]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Schema(_)));
        assert!(message(err).contains("square"));
    }

    #[test]
    fn mismatched_labels_are_refused() {
        let err = IoTable::new(
            labels(&["a", "b", "c"]),
            DMatrix::from_row_slice(2, 2, &[1.0; 4]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap_err();
        assert!(message(err).contains("3 branch labels"));
        let err = IoTable::new(
            labels(&["a", "a"]),
            DMatrix::from_row_slice(2, 2, &[1.0; 4]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap_err();
        assert!(message(err).contains("twice"));
    }

    #[test]
    fn negative_output_names_the_branch() {
        let err = IoTable::new(
            labels(&["farms", "mills"]),
            DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]),
            DVector::from_vec(vec![10.0, -5.0]),
        )
        .unwrap_err();
        let text = message(err);
        assert!(
            text.contains("`mills`") && text.contains("output"),
            "{text}"
        );
    }

    #[test]
    fn negative_flow_is_refused() {
        let err = IoTable::new(
            labels(&["a", "b"]),
            DMatrix::from_row_slice(2, 2, &[1.0, -1.0, 1.0, 1.0]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap_err();
        assert!(message(err).contains("from `a` to `b`"));
    }

    #[test]
    fn unproductive_column_names_the_branch() {
        let err = IoTable::new(
            labels(&["a", "b"]),
            DMatrix::from_row_slice(2, 2, &[1.0, 6.0, 1.0, 5.0]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap_err();
        let text = message(err);
        assert!(text.contains("`b` is not productive"), "{text}");
    }

    #[test]
    fn satellites_are_validated() {
        let table = IoTable::new(
            labels(&["a", "b"]),
            DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]),
            DVector::from_vec(vec![10.0, 20.0]),
        )
        .unwrap();
        let err = table
            .clone()
            .with_employment(DVector::from_vec(vec![1.0]))
            .unwrap_err();
        assert!(message(err).contains("one value per branch"));
        let err = table
            .clone()
            .with_compensation(DVector::from_vec(vec![1.0, f64::NAN]))
            .unwrap_err();
        assert!(message(err).contains("branch `b`"));
        let table = table
            .with_employment(DVector::from_vec(vec![5.0, 4.0]))
            .unwrap();
        let e = table.satellite_coefficients(Satellite::Employment).unwrap();
        assert!((e[0] - 0.5).abs() < 1e-12 && (e[1] - 0.2).abs() < 1e-12);
        assert!(table.satellite_coefficients(Satellite::ValueAdded).is_err());
    }
}
