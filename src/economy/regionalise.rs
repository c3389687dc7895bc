//! Regionalising a national table with Flegg's location quotient (FLQ).
//!
//! Flegg, Webber & Elliott (1995), Flegg & Webber (1997); Miller & Blair (2009) §8.3:
//! ```text
//!   SLQ_i   = (RE_i / TRE) / (NE_i / TNE)             simple location quotient
//!   CILQ_ij = SLQ_i / SLQ_j                           cross-industry location quotient
//!   λ*      = [log2(1 + TRE / TNE)]^δ,  0 ≤ δ < 1      regional size adjustment
//!   FLQ_ij  = λ* · CILQ_ij  (i ≠ j),   FLQ_ii = λ* · SLQ_i
//!   r_ij    = a_ij · min(FLQ_ij, 1)                   regional input coefficients
//! ```
//! RE/NE are regional/national employment by branch, TRE/TNE their totals. δ = 0 gives
//! λ* = 1 (plain CILQ with SLQ on the diagonal); values around 0.2–0.3 are the usual
//! estimates for European regions (Flegg & Tohmo 2013), larger δ means more regional
//! imports.
//!
//! [`IoTable::regionalise`] builds the regional table with these choices:
//! - regional output x^r_i = x_i · RE_i / NE_i (national labour productivity in every
//!   branch); employment, compensation and value added are scaled by the same RE_i/NE_i,
//!   so per-unit coefficients (jobs per EUR, w_r, value-added rate) stay national;
//! - regional flows z^r_ij = r_ij · x^r_j, so A^r = [r_ij]; the difference a_ij − r_ij is
//!   bought from other regions or abroad and leaks out of the regional multipliers;
//! - household consumption (for Type II) is treated as a column with location quotient
//!   1 (households live where the jobs are): its share of income spent on branch i is
//!   h_c,i · min(λ* · SLQ_i, 1), and regional consumption_i = that share × regional total
//!   compensation (× TRE/TNE of national consumption when the table has no compensation).
//!
//! Every branch must have regional employment > 0 (a branch absent from the region would
//! have zero output; drop it from the national table first).

use nalgebra::{DMatrix, DVector};

use crate::economy::io_table::IoTable;
use crate::error::{Error, Result};

/// Simple location quotient (RE_i / TRE) / (NE_i / TNE).
///
/// Greater than 1 when the branch weighs more in the region's employment than in the
/// nation's.
///
/// # Errors
/// [`Error::Parameter`] named after the figure at fault when one is not finite, RE_i < 0,
/// a total or NE_i ≤ 0; named `location_quotient` when the shares under- or overflow
/// (e.g. NE_i / TNE rounds to 0), so that the quotient is never NaN or infinite.
pub fn location_quotient(re_i: f64, tre: f64, ne_i: f64, tne: f64) -> Result<f64> {
    for (name, v, strict) in [
        ("regional_branch", re_i, false),
        ("regional_total", tre, true),
        ("national_branch", ne_i, true),
        ("national_total", tne, true),
    ] {
        if !(v.is_finite() && if strict { v > 0.0 } else { v >= 0.0 }) {
            let allowed = if strict { "> 0" } else { "≥ 0" };
            return Err(Error::parameter(
                name,
                format!("{v} must be a finite number {allowed}"),
            ));
        }
    }
    let lq = (re_i / tre) / (ne_i / tne);
    if lq.is_finite() {
        Ok(lq)
    } else {
        Err(Error::parameter(
            "location_quotient",
            format!(
                "({re_i} / {tre}) / ({ne_i} / {tne}) is not a finite number: the employment \
                 shares under- or overflow"
            ),
        ))
    }
}

/// Flegg's regional size adjustment λ* = [log2(1 + TRE/TNE)]^δ.
///
/// # Errors
/// [`Error::Parameter`] named `delta` when δ is not in [0, 1), and named
/// `regional_employment` when the totals are not 0 < TRE ≤ TNE.
pub fn flq_lambda(tre: f64, tne: f64, delta: f64) -> Result<f64> {
    if !(delta.is_finite() && (0.0..1.0).contains(&delta)) {
        return Err(Error::parameter(
            "delta",
            format!("FLQ δ = {delta} is outside [0, 1); usual values are 0.1–0.3"),
        ));
    }
    if !(tre.is_finite() && tne.is_finite() && tre > 0.0 && tre <= tne) {
        return Err(Error::parameter(
            "regional_employment",
            format!(
                "total regional employment {tre} must be > 0 and at most the national \
                 total {tne}"
            ),
        ));
    }
    Ok((1.0 + tre / tne).log2().powf(delta))
}

fn check_employment(regional: &[f64], national: &[f64], names: Option<&[String]>) -> Result<()> {
    let name_of = |i: usize| {
        names
            .and_then(|n| n.get(i))
            .map_or_else(|| format!("branch {i}"), |b| format!("branch `{b}`"))
    };
    if regional.len() != national.len() {
        return Err(Error::parameter(
            "regional_employment",
            format!(
                "{} regional values for {} branches: give one per branch",
                regional.len(),
                national.len()
            ),
        ));
    }
    for (i, (re, ne)) in regional.iter().zip(national).enumerate() {
        if !(ne.is_finite() && *ne > 0.0) {
            return Err(Error::parameter(
                "national_employment",
                format!("{}: national employment {ne} must be > 0", name_of(i)),
            ));
        }
        if !(re.is_finite() && *re > 0.0 && re <= ne) {
            return Err(Error::parameter(
                "regional_employment",
                format!(
                    "{}: regional employment {re} must be > 0 and at most the national {ne} \
                     (drop branches absent from the region)",
                    name_of(i)
                ),
            ));
        }
    }
    Ok(())
}

/// SLQ_i for every branch.
///
/// # Errors
/// [`Error::Parameter`] when lengths differ or a value is not 0 < RE_i ≤ NE_i.
pub fn simple_location_quotients(regional: &[f64], national: &[f64]) -> Result<Vec<f64>> {
    check_employment(regional, national, None)?;
    let tre: f64 = regional.iter().sum();
    let tne: f64 = national.iter().sum();
    regional
        .iter()
        .zip(national)
        .map(|(re, ne)| location_quotient(*re, tre, *ne, tne))
        .collect()
}

/// CILQ_ij = SLQ_i / SLQ_j (n × n; the diagonal is 1).
pub fn cross_industry_location_quotients(slq: &[f64]) -> DMatrix<f64> {
    let n = slq.len();
    DMatrix::from_fn(n, n, |i, j| slq[i] / slq[j])
}

/// FLQ_ij = λ*·CILQ_ij off the diagonal, λ*·SLQ_i on it.
///
/// # Errors
/// As [`simple_location_quotients`] and [`flq_lambda`].
pub fn flq_matrix(regional: &[f64], national: &[f64], delta: f64) -> Result<DMatrix<f64>> {
    let slq = simple_location_quotients(regional, national)?;
    let lambda = flq_lambda(regional.iter().sum(), national.iter().sum(), delta)?;
    let n = slq.len();
    Ok(DMatrix::from_fn(n, n, |i, j| {
        lambda * if i == j { slq[i] } else { slq[i] / slq[j] }
    }))
}

/// Regional input coefficients r_ij = a_ij · min(FLQ_ij, 1).
///
/// # Panics
/// When the two matrices do not have the same shape.
pub fn regional_coefficients(a: &DMatrix<f64>, flq: &DMatrix<f64>) -> DMatrix<f64> {
    assert_eq!(a.shape(), flq.shape(), "A and FLQ must have the same shape");
    a.zip_map(flq, |a_ij, q| a_ij * q.min(1.0))
}

impl IoTable {
    /// Regional table by FLQ, with national employment taken from the table's own
    /// `employment` vector. See [`IoTable::regionalise_with_national`].
    ///
    /// # Errors
    /// [`Error::Schema`] when the table has no employment; otherwise as
    /// [`IoTable::regionalise_with_national`].
    pub fn regionalise(&self, regional_employment: &[f64], delta: f64) -> Result<IoTable> {
        let national = self.require(
            crate::economy::io_table::Satellite::Employment,
            "regionalisation (national employment by branch)",
        )?;
        self.regionalise_with_national(regional_employment, national.as_slice(), delta)
    }

    /// Regional table by FLQ from regional and national employment by branch (persons,
    /// same source and year for both, in table order); see the module doc for the choices.
    ///
    /// # Errors
    /// [`Error::Parameter`] named `delta` when δ ∉ [0, 1), named `regional_employment` /
    /// `national_employment` (naming the branch) when a value is not 0 < RE_i ≤ NE_i or a
    /// length differs from the number of branches.
    pub fn regionalise_with_national(
        &self,
        regional_employment: &[f64],
        national_employment: &[f64],
        delta: f64,
    ) -> Result<IoTable> {
        let n = self.n();
        if national_employment.len() != n {
            return Err(Error::parameter(
                "national_employment",
                format!(
                    "{} values for {n} branches: give one per branch, in table order",
                    national_employment.len()
                ),
            ));
        }
        check_employment(
            regional_employment,
            national_employment,
            Some(self.branches()),
        )?;
        let tre: f64 = regional_employment.iter().sum();
        let tne: f64 = national_employment.iter().sum();
        let lambda = flq_lambda(tre, tne, delta)?;
        let flq = flq_matrix(regional_employment, national_employment, delta)?;
        let regional_a = regional_coefficients(&self.technical_coefficients(), &flq);
        let share = DVector::from_iterator(
            n,
            regional_employment
                .iter()
                .zip(national_employment)
                .map(|(re, ne)| re / ne),
        );
        let output = self.output().component_mul(&share);
        let mut flows = regional_a;
        for (mut column, x) in flows.column_iter_mut().zip(output.iter()) {
            column *= *x;
        }
        let source = format!("{} regionalised (FLQ, δ = {delta})", self.source());
        let mut table = IoTable::named(source, self.branches().to_vec(), flows, output)?;
        if let Some(e) = self.employment() {
            table = table.with_employment(e.component_mul(&share))?;
        }
        if let Some(v) = self.value_added() {
            table = table.with_value_added(v.component_mul(&share))?;
        }
        let income_ratio = match self.compensation() {
            Some(w) => {
                let regional = w.component_mul(&share);
                let ratio = regional.sum() / w.sum();
                table = table.with_compensation(regional)?;
                if ratio.is_finite() {
                    ratio
                } else {
                    tre / tne
                }
            }
            None => tre / tne,
        };
        if let Some(c) = self.household_consumption() {
            let slq = simple_location_quotients(regional_employment, national_employment)?;
            let regional = DVector::from_iterator(
                n,
                c.iter()
                    .zip(&slq)
                    .map(|(c_i, q)| c_i * income_ratio * (lambda * q).min(1.0)),
            );
            table = table.with_household_consumption(regional)?;
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn location_quotient_by_hand() {
        // A region with 10 % of the nation's jobs and 20 % of one branch: SLQ = 2.
        assert!(close(
            location_quotient(20.0, 100.0, 100.0, 1000.0).unwrap(),
            2.0,
            1e-12
        ));
    }

    #[test]
    fn location_quotient_is_never_nan_or_infinite() {
        // Found by the hypothesis sweep: 5e-324 / 2 rounds to 0, so 0 / 0 would be NaN.
        for (args, name) in [
            ((0.0, 1.0, 5e-324, 2.0), "location_quotient"),
            ((1.0, 0.0, 1.0, 2.0), "regional_total"),
            ((-1.0, 1.0, 1.0, 2.0), "regional_branch"),
            ((1.0, 1.0, 0.0, 2.0), "national_branch"),
            ((1.0, 1.0, 1.0, f64::NAN), "national_total"),
        ] {
            match location_quotient(args.0, args.1, args.2, args.3) {
                Err(Error::Parameter { name: got, .. }) => assert_eq!(got, name, "{args:?}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        assert_eq!(location_quotient(0.0, 1.0, 1.0, 2.0).unwrap(), 0.0);
    }

    #[test]
    fn lambda_bounds_on_delta() {
        assert_eq!(flq_lambda(120.0, 1000.0, 0.0).unwrap(), 1.0);
        let err = flq_lambda(120.0, 1000.0, 1.0).unwrap_err();
        assert!(matches!(err, Error::Parameter { ref name, .. } if name == "delta"));
        assert!(flq_lambda(120.0, 1000.0, -0.1).is_err());
        assert!(flq_lambda(120.0, 1000.0, f64::NAN).is_err());
        assert!(flq_lambda(2000.0, 1000.0, 0.2).is_err());
        // A region of 12 % of jobs, δ = 0.25: λ* = log2(1.12)^0.25 = 0.163499^0.25 = 0.6359.
        assert!(close(
            flq_lambda(12.0, 100.0, 0.25).unwrap(),
            0.635_88,
            5e-5
        ));
    }

    /// Hand computation, 3 branches, δ = 0.3.
    ///
    /// RE = [100, 50, 30] (TRE = 180), NE = [1000, 1000, 200] (TNE = 2200),
    /// TRE/TNE = 0.0818182.
    /// SLQ_1 = (100/180)/(1000/2200) = 0.555556/0.454545 = 1.222222
    /// SLQ_2 = (50/180)/(1000/2200)  = 0.277778/0.454545 = 0.611111
    /// SLQ_3 = (30/180)/(200/2200)   = 0.166667/0.090909 = 1.833333
    /// log2(1 + 0.0818182) = ln(1.0818182)/ln 2 = 0.078642/0.693147 = 0.113458
    /// λ* = 0.113458^0.3 = exp(0.3 × ln 0.113458) = exp(0.3 × −2.176304) = 0.520536
    /// FLQ (row i, column j), λ*·SLQ_i/SLQ_j off the diagonal, λ*·SLQ_i on it:
    ///   [0.636210, 0.520536 × 2.0 = 1.041072, 0.520536 × 0.666667 = 0.347024]
    ///   [0.520536 × 0.5 = 0.260268, 0.318105, 0.520536 × 0.333333 = 0.173512]
    ///   [0.520536 × 1.5 = 0.780804, 0.520536 × 3.0 = 1.561607, 0.954316]
    /// With A = [[.10, .20, .05], [.15, .05, .30], [.02, .10, .10]], r = a·min(FLQ, 1):
    ///   [0.063621, 0.200000 (FLQ > 1), 0.017351]
    ///   [0.039040, 0.015905, 0.052054]
    ///   [0.015616, 0.100000 (FLQ > 1), 0.095432]
    #[test]
    fn three_branch_flq_by_hand() {
        let re = [100.0, 50.0, 30.0];
        let ne = [1000.0, 1000.0, 200.0];
        let slq = simple_location_quotients(&re, &ne).unwrap();
        for (got, want) in slq.iter().zip([1.222_222, 0.611_111, 1.833_333]) {
            assert!(close(*got, want, 1e-6), "{got}");
        }
        let lambda = flq_lambda(180.0, 2200.0, 0.3).unwrap();
        assert!(close(lambda, 0.520_536, 1e-6), "{lambda}");
        let flq = flq_matrix(&re, &ne, 0.3).unwrap();
        let want_flq = [
            [0.636_210, 1.041_072, 0.347_024],
            [0.260_268, 0.318_105, 0.173_512],
            [0.780_804, 1.561_607, 0.954_316],
        ];
        let a = DMatrix::from_row_slice(
            3,
            3,
            &[0.10, 0.20, 0.05, 0.15, 0.05, 0.30, 0.02, 0.10, 0.10],
        );
        let r = regional_coefficients(&a, &flq);
        let want_r = [
            [0.063_621, 0.200_000, 0.017_351],
            [0.039_040, 0.015_905, 0.052_054],
            [0.015_616, 0.100_000, 0.095_432],
        ];
        for i in 0..3 {
            for j in 0..3 {
                assert!(close(flq[(i, j)], want_flq[i][j], 1e-6), "FLQ[{i},{j}]");
                assert!(close(r[(i, j)], want_r[i][j], 1e-6), "r[{i},{j}]");
            }
        }
        let cilq = cross_industry_location_quotients(&slq);
        assert!(close(cilq[(0, 1)], 2.0, 1e-12) && cilq[(2, 2)] == 1.0);
    }

    #[test]
    fn regional_table_has_smaller_multipliers() {
        use crate::economy::multipliers::{ModelType, MultiplierKind};
        let a = [0.10, 0.20, 0.05, 0.15, 0.05, 0.30, 0.02, 0.10, 0.10];
        let x = DVector::from_vec(vec![1000.0, 800.0, 600.0]);
        let mut flows = DMatrix::from_row_slice(3, 3, &a);
        for (mut column, xj) in flows.column_iter_mut().zip(x.iter()) {
            column *= *xj;
        }
        let national = IoTable::new(vec!["a".into(), "b".into(), "c".into()], flows, x)
            .unwrap()
            .with_employment(DVector::from_vec(vec![1000.0, 1000.0, 200.0]))
            .unwrap()
            .with_compensation(DVector::from_vec(vec![300.0, 250.0, 200.0]))
            .unwrap()
            .with_household_consumption(DVector::from_vec(vec![100.0, 200.0, 150.0]))
            .unwrap();
        let regional = national.regionalise(&[100.0, 50.0, 30.0], 0.3).unwrap();
        // x^r = x · RE/NE = [100, 40, 90]; A^r is the hand-computed r above.
        assert!(close(regional.output()[2], 90.0, 1e-9));
        let ar = regional.technical_coefficients();
        assert!(close(ar[(0, 1)], 0.2, 1e-9) && close(ar[(1, 0)], 0.039_040, 1e-6));
        // Coefficients per unit of output are kept.
        assert!(close(
            regional.employment().unwrap()[1] / regional.output()[1],
            1.25,
            1e-12
        ));
        let nat = national.model().unwrap();
        let reg = regional.model().unwrap();
        for model in [ModelType::TypeI, ModelType::TypeII] {
            let m_nat = nat.multipliers(MultiplierKind::Output, model).unwrap();
            let m_reg = reg.multipliers(MultiplierKind::Output, model).unwrap();
            for j in 0..3 {
                assert!(m_reg.total[j] < m_nat.total[j]);
                assert!(m_reg.total[j] >= 1.0);
            }
        }
    }

    #[test]
    fn bad_regional_inputs_are_parameter_errors() {
        let table = IoTable::new(
            vec!["a".into(), "b".into()],
            DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]),
            DVector::from_vec(vec![10.0, 10.0]),
        )
        .unwrap();
        // No employment in the table.
        assert!(matches!(
            table.regionalise(&[1.0, 1.0], 0.2),
            Err(Error::Schema(_))
        ));
        let table = table
            .with_employment(DVector::from_vec(vec![100.0, 50.0]))
            .unwrap();
        let err = table.regionalise(&[10.0, 5.0], 1.0).unwrap_err();
        assert!(matches!(err, Error::Parameter { ref name, .. } if name == "delta"));
        let err = table.regionalise(&[10.0, 0.0], 0.2).unwrap_err();
        assert!(err.to_string().contains("branch `b`"), "{err}");
        assert!(table.regionalise(&[10.0], 0.2).is_err());
    }
}
