//! Technical coefficients and Leontief inverses, open (Type I) and closed for households
//! (Type II).
//!
//! Miller & Blair, *Input-Output Analysis*, 2nd ed. (2009): A = Z·diag(x)⁻¹ (eq. 2.4),
//! L = (I − A)⁻¹ (eq. 2.11), closed model §2.5 and §6.2.
//!
//! Type II convention used here (write it the same way in any comparison):
//! ```text
//!      Ā = | A     h_c |      w_r,j = compensation_j / x_j          (labour input coefficients)
//!          | w_rᵀ  0   |      h_c,i = household_consumption_i / Σ_k compensation_k
//! ```
//! Households are an (n+1)-th branch whose "output" is the compensation of employees and
//! which spends it on the branches' output in the proportions h_c (the share of labour
//! income spent on each branch's domestic output). Income is compensation of employees
//! only (ESA D1): mixed income, transfers and taxes are left out, so that the household
//! row and the income multipliers speak of the same quantity.
//!
//! L = (I − A)⁻¹ is computed once per table by blocked Gauss–Jordan elimination
//! ([`crate::economy::inverse`]). L̄ is
//! then obtained exactly from L by the partitioned inverse (Miller & Blair §6.2; a rank-one
//! Sherman–Morrison update), with k = w_rᵀ L h_c:
//! ```text
//!      L̄ = | L + L h_c w_rᵀ L / (1 − k)    L h_c / (1 − k) |
//!          | w_rᵀ L / (1 − k)              1 / (1 − k)     |
//! ```
//! which is (I − Ā)⁻¹ (the tests check it against a direct inverse), for one inversion per
//! table.

use nalgebra::{DMatrix, DMatrixView, DVector, DVectorView};

use crate::economy::inverse::invert_in_place;
use crate::economy::io_table::{IoTable, Satellite};
use crate::error::{Error, Result};

/// Tolerance, relative to the largest entry, below which a negative entry of a Leontief
/// inverse is taken as rounding noise rather than a sign the economy is not productive.
const NEGATIVE_TOLERANCE: f64 = 1e-10;

/// Technical coefficients A = Z·diag(x)⁻¹: a_ij = z_ij / x_j (input from i per unit of
/// output of j).
///
/// `output` must be > 0 everywhere (an [`IoTable`] guarantees it).
pub fn technical_coefficients(flows: &DMatrix<f64>, output: &DVector<f64>) -> DMatrix<f64> {
    let mut a = flows.clone();
    for (mut column, x) in a.column_iter_mut().zip(output.iter()) {
        column /= *x;
    }
    a
}

/// Leontief inverse L = (I − A)⁻¹.
///
/// I − A is formed in one pass and inverted in place by blocked, recursive Gauss–Jordan
/// elimination with partial pivoting, its level-3 work done by GEMM tiles in parallel
/// (see [`crate::economy::inverse`] for the algorithm and references: Golub & Van Loan,
/// *Matrix Computations*, 4th ed., §3.2.9–3.2.11; Quintana-Ortí et al. 2001; Higham
/// 2002, §14.4). 2n³ flops; the result does not depend on the number of rayon threads.
///
/// # Errors
/// [`Error::Parameter`] named `technical coefficients` when A is not square, I − A is
/// singular (or numerically so: a pivot at most n·ε·max|I − A|), or L has a negative or
/// non-finite entry (the economy is not productive: some final demand could only be met
/// with negative output).
pub fn leontief_inverse(a: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let n = a.nrows();
    if a.ncols() != n {
        return Err(Error::parameter(
            "technical coefficients",
            format!("A must be square, got {} × {}", a.nrows(), a.ncols()),
        ));
    }
    let mut l = a.map(|v| -v);
    for i in 0..n {
        l[(i, i)] += 1.0;
    }
    invert_in_place(&mut l).map_err(|_| {
        Error::parameter(
            "technical coefficients",
            "I − A is singular: the economy is not productive (some branch uses, directly \
             or indirectly, at least as much of its own output as it makes)",
        )
    })?;
    check_non_negative(&l, "technical coefficients")?;
    Ok(l)
}

/// Refuse a Leontief inverse with a non-finite entry or an entry below
/// −[`NEGATIVE_TOLERANCE`]·max(1, max|m_ij|). One pass over the matrix when it is fine;
/// the offending entry is looked for only on failure.
fn check_non_negative(m: &DMatrix<f64>, name: &str) -> Result<()> {
    let (mut largest, mut smallest, mut finite) = (0.0_f64, 0.0_f64, true);
    for &v in m.as_slice() {
        finite &= v.is_finite();
        largest = largest.max(v.abs());
        smallest = smallest.min(v);
    }
    let scale = largest.max(1.0);
    if finite && smallest >= -NEGATIVE_TOLERANCE * scale {
        return Ok(());
    }
    if let Some(((i, j), v)) = m
        .iter()
        .enumerate()
        .map(|(k, v)| ((k % m.nrows(), k / m.nrows()), *v))
        .find(|(_, v)| !v.is_finite() || *v < -NEGATIVE_TOLERANCE * scale)
    {
        return Err(Error::parameter(
            name,
            format!(
                "the Leontief inverse has entry ({i}, {j}) = {v}: it must be finite and ≥ 0; \
                 the economy is not productive (Hawkins–Simon conditions fail)"
            ),
        ));
    }
    Ok(())
}

/// Closed coefficient matrix Ā = [[A, h_c], [w_rᵀ, 0]] ((n+1) × (n+1)).
///
/// `labour` is w_r (compensation per unit of output), `households` is h_c (household
/// consumption per unit of total compensation). Mostly for checking; [`IoModel`] does not
/// need it.
///
/// # Panics
/// When the vector lengths differ from the size of A.
pub fn closed_coefficients(
    a: &DMatrix<f64>,
    labour: &DVector<f64>,
    households: &DVector<f64>,
) -> DMatrix<f64> {
    let n = a.nrows();
    assert!(
        a.ncols() == n && labour.len() == n && households.len() == n,
        "closed_coefficients: A is {}×{}, w_r has {}, h_c has {}",
        a.nrows(),
        a.ncols(),
        labour.len(),
        households.len()
    );
    let mut closed = DMatrix::zeros(n + 1, n + 1);
    closed.view_mut((0, 0), (n, n)).copy_from(a);
    closed.view_mut((0, n), (n, 1)).copy_from(households);
    closed
        .view_mut((n, 0), (1, n))
        .copy_from(&labour.transpose());
    closed
}

/// Closed Leontief inverse L̄ = (I − Ā)⁻¹ from the open one, by the partitioned inverse
/// (see the module doc).
///
/// # Errors
/// [`Error::Parameter`] named `household consumption` when k = w_rᵀ L h_c ≥ 1: households
/// would spend, directly and indirectly, at least as much income as they earn, and the
/// closed model has no non-negative solution. Also when the vector lengths differ from L.
pub fn closed_leontief_inverse(
    l: &DMatrix<f64>,
    labour: &DVector<f64>,
    households: &DVector<f64>,
) -> Result<DMatrix<f64>> {
    let n = l.nrows();
    if l.ncols() != n || labour.len() != n || households.len() != n {
        return Err(Error::parameter(
            "household consumption",
            format!(
                "L is {}×{}, w_r has {} values and h_c {}: all must match",
                l.nrows(),
                l.ncols(),
                labour.len(),
                households.len()
            ),
        ));
    }
    let l_h = l * households; // L h_c (n)
    let w_l = l.tr_mul(labour); // (w_rᵀ L)ᵀ (n)
    let k = labour.dot(&l_h);
    if !k.is_finite() || k >= 1.0 {
        return Err(Error::parameter(
            "household consumption",
            format!(
                "the closed (Type II) model is not productive: w_rᵀ L h_c = {k:.4} ≥ 1, \
                 households would spend more than the income their spending creates; \
                 household consumption must be a smaller share of compensation"
            ),
        ));
    }
    let scale = 1.0 / (1.0 - k);
    let mut l_bar = DMatrix::zeros(n + 1, n + 1);
    {
        let mut block = l_bar.view_mut((0, 0), (n, n));
        block.copy_from(l);
        block.ger(scale, &l_h, &w_l, 1.0);
    }
    l_bar.view_mut((0, n), (n, 1)).copy_from(&(&l_h * scale));
    l_bar
        .view_mut((n, 0), (1, n))
        .copy_from(&(w_l * scale).transpose());
    l_bar[(n, n)] = scale;
    check_non_negative(&l_bar, "household consumption")?;
    Ok(l_bar)
}

/// Households closing the model (Type II): their coefficients and the closed inverse.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedModel {
    /// w_r: compensation of employees per unit of output, by branch (EUR/EUR).
    pub labour: DVector<f64>,
    /// h_c: household consumption of each branch per unit of total compensation (EUR/EUR).
    pub households: DVector<f64>,
    /// L̄ = (I − Ā)⁻¹, (n+1) × (n+1); the last row and column are households.
    pub inverse: DMatrix<f64>,
}

/// An input–output model solved once: A, L, the closed inverse L̄ when the table has
/// compensation and household consumption, and the satellite coefficients.
///
/// All multipliers and impacts come from these matrices (no further inversion).
#[derive(Debug, Clone, PartialEq)]
pub struct IoModel {
    source: String,
    branches: Vec<String>,
    coefficients: DMatrix<f64>,
    inverse: DMatrix<f64>,
    closed: Option<ClosedModel>,
    employment: Option<DVector<f64>>,
    income: Option<DVector<f64>>,
    value_added: Option<DVector<f64>>,
}

impl IoModel {
    /// Solve a table: A, L (one inversion), and L̄ if compensation and household consumption
    /// are both given.
    ///
    /// # Errors
    /// [`Error::Parameter`] when L or L̄ cannot be computed (not productive) and
    /// [`Error::Schema`] when household consumption is given but compensation is zero.
    pub fn new(table: &IoTable) -> Result<Self> {
        let coefficients = technical_coefficients(table.flows(), table.output());
        let inverse = leontief_inverse(&coefficients)?;
        let per_output = |which: Satellite| {
            table
                .satellite(which)
                .map(|v| v.component_div(table.output()))
        };
        let income = per_output(Satellite::Compensation);
        let closed = match (table.compensation(), table.household_consumption()) {
            (Some(compensation), Some(consumption)) => {
                let total_income = compensation.sum();
                if total_income <= 0.0 {
                    return Err(Error::schema(
                        table.source(),
                        None,
                        Some(Satellite::Compensation.column()),
                        None,
                        "total compensation is 0: households have no income to close the \
                         model with (Type II)",
                    ));
                }
                let labour = compensation.component_div(table.output());
                let households = consumption / total_income;
                let l_bar = closed_leontief_inverse(&inverse, &labour, &households)?;
                Some(ClosedModel {
                    labour,
                    households,
                    inverse: l_bar,
                })
            }
            _ => None,
        };
        Ok(Self {
            source: table.source().to_owned(),
            branches: table.branches().to_vec(),
            coefficients,
            inverse,
            closed,
            employment: per_output(Satellite::Employment),
            income,
            value_added: per_output(Satellite::ValueAdded),
        })
    }

    /// Where the table comes from, for error messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Branch labels.
    pub fn branches(&self) -> &[String] {
        &self.branches
    }

    /// Number of branches n.
    pub fn n(&self) -> usize {
        self.branches.len()
    }

    /// Technical coefficients A.
    pub fn coefficients(&self) -> &DMatrix<f64> {
        &self.coefficients
    }

    /// Leontief inverse L = (I − A)⁻¹.
    pub fn inverse(&self) -> &DMatrix<f64> {
        &self.inverse
    }

    /// The closed model, if the table has compensation and household consumption.
    pub fn closed(&self) -> Option<&ClosedModel> {
        self.closed.as_ref()
    }

    /// The n × n upper-left block of L̄ (branches only), used for Type II multipliers.
    ///
    /// # Errors
    /// [`Error::Schema`] naming the missing column when the model is not closed.
    pub fn closed_block(&self) -> Result<DMatrixView<'_, f64>> {
        let n = self.n();
        self.closed
            .as_ref()
            .map(|c| c.inverse.view((0, 0), (n, n)))
            .ok_or_else(|| {
                Error::schema(
                    &self.source,
                    None,
                    Some("household_consumption"),
                    None,
                    "Type II needs both `compensation` and `household_consumption` columns",
                )
            })
    }

    /// Coefficients per unit of output of a satellite: jobs (persons/EUR), income
    /// (compensation, EUR/EUR) or value added (EUR/EUR).
    pub fn satellite_coefficients(&self, which: Satellite) -> Option<DVectorView<'_, f64>> {
        let v = match which {
            Satellite::Employment => self.employment.as_ref(),
            Satellite::Compensation => self.income.as_ref(),
            Satellite::ValueAdded => self.value_added.as_ref(),
            Satellite::HouseholdConsumption => self.closed.as_ref().map(|c| &c.households),
        }?;
        Some(v.as_view())
    }
}

impl IoTable {
    /// Technical coefficients A = Z·diag(x)⁻¹ of this table.
    pub fn technical_coefficients(&self) -> DMatrix<f64> {
        technical_coefficients(self.flows(), self.output())
    }

    /// Solve the table once (see [`IoModel::new`]).
    ///
    /// # Errors
    /// As [`IoModel::new`].
    pub fn model(&self) -> Result<IoModel> {
        IoModel::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miller_blair() -> IoTable {
        IoTable::new(
            vec!["1".into(), "2".into()],
            DMatrix::from_row_slice(2, 2, &[150.0, 500.0, 200.0, 100.0]),
            DVector::from_vec(vec![1000.0, 2000.0]),
        )
        .unwrap()
    }

    #[test]
    fn miller_blair_chapter_2_coefficients_and_inverse() {
        // Validation case 9 (Miller & Blair 2009, §2.3): A = [[.15, .25], [.20, .05]],
        // L = [[1.2541, .3300], [.2640, 1.1221]], to 4 decimals.
        let model = miller_blair().model().unwrap();
        let a = model.coefficients();
        let expected_a = [[0.15, 0.25], [0.20, 0.05]];
        let expected_l = [[1.2541, 0.3300], [0.2640, 1.1221]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((a[(i, j)] - expected_a[i][j]).abs() < 1e-12);
                assert!(
                    (model.inverse()[(i, j)] - expected_l[i][j]).abs() < 5e-5,
                    "L[{i},{j}] = {}",
                    model.inverse()[(i, j)]
                );
            }
        }
        // (I − A)·L = I.
        let check = (DMatrix::identity(2, 2) - a) * model.inverse();
        assert!((check - DMatrix::identity(2, 2)).amax() < 1e-12);
    }

    #[test]
    fn singular_system_is_a_clear_error() {
        // Column sums of 1 in a closed loop: I − A singular.
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let err = leontief_inverse(&a).unwrap_err();
        assert!(err.to_string().contains("not productive"), "{err}");
        // Productive-looking but with a negative inverse (a_11 > 1).
        let a = DMatrix::from_row_slice(2, 2, &[1.5, 0.0, 0.0, 0.2]);
        let err = leontief_inverse(&a).unwrap_err();
        assert!(err.to_string().contains("Hawkins"), "{err}");
    }

    #[test]
    fn partitioned_closed_inverse_equals_direct_lu() {
        let a = DMatrix::from_row_slice(3, 3, &[0.1, 0.2, 0.05, 0.15, 0.05, 0.3, 0.02, 0.1, 0.1]);
        let labour = DVector::from_vec(vec![0.3, 0.25, 0.4]);
        let households = DVector::from_vec(vec![0.2, 0.3, 0.35]);
        let l = leontief_inverse(&a).unwrap();
        let partitioned = closed_leontief_inverse(&l, &labour, &households).unwrap();
        let a_bar = closed_coefficients(&a, &labour, &households);
        let direct = leontief_inverse(&a_bar).unwrap();
        assert!((partitioned - direct).amax() < 1e-12);
    }

    #[test]
    fn overspending_households_are_refused() {
        let a = DMatrix::from_row_slice(2, 2, &[0.1, 0.1, 0.1, 0.1]);
        let l = leontief_inverse(&a).unwrap();
        let labour = DVector::from_vec(vec![0.8, 0.8]);
        let households = DVector::from_vec(vec![0.6, 0.6]);
        let err = closed_leontief_inverse(&l, &labour, &households).unwrap_err();
        assert!(matches!(err, Error::Parameter { .. }));
    }

    /// A random productive A (n × n, entries ≥ 0, column sums in [0.2, 0.9)), seeded.
    fn random_productive(n: usize, seed: u64) -> DMatrix<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut a = DMatrix::from_fn(n, n, |_, _| rng.random::<f64>());
        for mut column in a.column_iter_mut() {
            let target = 0.2 + 0.7 * rng.random::<f64>();
            let sum = column.sum();
            column *= target / sum;
        }
        a
    }

    #[test]
    fn blocked_inverse_matches_nalgebra_lu_on_random_tables() {
        use crate::economy::inverse::{BASE, COL_TILE, ROW_TILE, SMALL};
        // Unblocked (n ≤ SMALL) and recursive paths, with blocks of BASE ± 1 columns
        // and tiles cut short at the edges.
        let sizes = [
            1,
            2,
            BASE - 1,
            BASE + 1,
            SMALL,
            SMALL + 1,
            SMALL + BASE - 1,
            2 * SMALL + 3,
            3 * BASE + 5,
            COL_TILE + 1,
            ROW_TILE - 1,
            ROW_TILE + 1,
            300,
        ];
        for (seed, n) in sizes.into_iter().enumerate() {
            let a = random_productive(n, seed as u64);
            let i_minus_a = DMatrix::identity(n, n) - &a;
            let l = leontief_inverse(&a).unwrap();
            let residual = (&l * &i_minus_a - DMatrix::identity(n, n)).amax();
            assert!(residual < 1e-13, "n = {n}: ‖L(I − A) − I‖ = {residual:e}");
            let lu = i_minus_a.clone().lu().try_inverse().unwrap();
            let gap = (&l - &lu).amax() / lu.amax();
            assert!(
                gap < 1e-13,
                "n = {n}: relative gap to nalgebra's LU = {gap:e}"
            );
            assert!(l.iter().all(|v| *v >= 0.0), "n = {n}");
        }
    }

    #[test]
    fn inverse_is_bit_identical_for_any_thread_count() {
        // Large enough for the parallel tiles (several row and column tiles per update).
        let a = random_productive(600, 42);
        let in_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| leontief_inverse(&a).unwrap())
        };
        let one = in_pool(1);
        let bits = |m: &DMatrix<f64>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for threads in [2, 3] {
            assert!(
                bits(&one) == bits(&in_pool(threads)),
                "{threads} threads differ from 1"
            );
        }
        assert!(bits(&one) == bits(&leontief_inverse(&a).unwrap()));
    }

    #[test]
    fn singular_and_near_singular_tables_are_parameter_errors() {
        // Every column sums to exactly 1 (I − A singular), above and below the block size.
        for n in [3, 40, 150] {
            let a = DMatrix::from_element(n, n, 1.0 / n as f64);
            let err = leontief_inverse(&a).unwrap_err();
            assert!(matches!(err, Error::Parameter { .. }), "n = {n}: {err}");
            assert!(err.to_string().contains("not productive"), "{err}");
        }
        // Column sums 1 + 1e-13: I − A is invertible but barely, and its inverse is not
        // ≥ 0 (the Perron root of A exceeds 1).
        let mut a = random_productive(70, 9);
        for mut column in a.column_iter_mut() {
            let sum = column.sum();
            column *= (1.0 + 1e-13) / sum;
        }
        let err = leontief_inverse(&a).unwrap_err();
        assert!(matches!(err, Error::Parameter { .. }), "{err}");
        // Not finite, or not square: errors, not panics.
        let mut a = random_productive(20, 3);
        a[(4, 7)] = f64::NAN;
        assert!(matches!(
            leontief_inverse(&a).unwrap_err(),
            Error::Parameter { .. }
        ));
        let err = leontief_inverse(&DMatrix::zeros(2, 3)).unwrap_err();
        assert!(matches!(err, Error::Parameter { .. }), "{err}");
    }

    #[test]
    fn open_table_has_no_closed_block() {
        let model = miller_blair().model().unwrap();
        assert!(model.closed().is_none());
        assert!(model.closed_block().is_err());
    }
}
