//! Input–output economics: Leontief model, Type I / Type II multipliers, impacts of a
//! final-demand shock, and FLQ regionalisation. Pure Rust, no IO beyond the readers.
//!
//! Notation and formulas of Miller & Blair, *Input-Output Analysis: Foundations and
//! Extensions*, 2nd ed. (Cambridge University Press, 2009):
//! - [`io_table`]: the validated table (Z, x, employment, compensation, value added,
//!   household consumption);
//! - [`leontief`]: A = Z·diag(x)⁻¹, L = (I − A)⁻¹ (one inversion per table), the closed
//!   (Type II) inverse L̄;
//! - [`multipliers`]: output, employment, income and value-added multipliers (direct,
//!   indirect, induced, total, ratio) and shock impacts;
//! - [`regionalise`]: Flegg's location quotient (FLQ) to derive a regional table;
//! - [`france`]: INSEE's domestic TES at A38 (base 2014, 2015–2019), the product ×
//!   product table under Eurostat's model B, with employment and compensation by branch;
//! - [`regional`]: the AURA economy a study's spending lands in (the INSEE 2019 table
//!   regionalised by FLQ) and how a piece's cost maps onto its A38 products;
//! - [`readers`]: the project's CSV layout, INSEE TES sheets and Eurostat
//!   `naio_10_cp1700` TSV.
//!
//! Units: money in euros (EUR) throughout, employment in persons (head count, not FTE).
//! Employment multipliers are therefore jobs per EUR; multiply by 10⁶ for jobs per M€.
//!
//! ```
//! use filiere::economy::{read_io_csv, ModelType, MultiplierKind};
//!
//! let table = read_io_csv("mb.csv", "branch,a,b,output\na,150,500,1000\nb,200,100,2000\n")?;
//! let model = table.model()?;
//! let m = model.multipliers(MultiplierKind::Output, ModelType::TypeI)?;
//! assert!((m.total[0] - 1.5182).abs() < 1e-4);
//! # Ok::<(), filiere::error::Error>(())
//! ```

pub mod france;
pub mod inverse;
pub mod io_table;
pub mod leontief;
pub mod multipliers;
pub mod readers;
pub mod regional;
pub mod regionalise;

pub use io_table::{IoTable, Satellite};
pub use leontief::{
    closed_coefficients, closed_leontief_inverse, leontief_inverse, technical_coefficients,
    ClosedModel, IoModel,
};
pub use multipliers::{EffectTotals, Effects, Impact, ModelType, MultiplierKind, Multipliers};
pub use readers::{
    parse_number, read_eurostat_naio_tsv, read_insee_tes, read_insee_tes_csv, read_insee_tes_xlsx,
    read_io_csv, read_io_csv_path, read_regional_employment_csv, write_io_csv, EurostatSelection,
    RegionalEmployment,
};
pub use regionalise::{
    cross_industry_location_quotients, flq_lambda, flq_matrix, location_quotient,
    regional_coefficients, simple_location_quotients,
};

/// The bundled AURA and French employment by A38 branch (`data/aura/economy/aura_employment.csv`).
pub const AURA_EMPLOYMENT_CSV: &str = include_str!("../../data/aura/economy/aura_employment.csv");

/// The bundled French table: INSEE's TES 2019 (A38, base 2014), see [`france`].
///
/// # Errors
/// Only if a bundled file is broken (a bug): [`crate::error::Error::Internal`].
pub fn france_table() -> crate::error::Result<IoTable> {
    france::table(france::DEFAULT_YEAR)
}

/// The bundled AURA employment by branch, parsed.
///
/// # Errors
/// Only if the bundled file is broken (a bug): [`crate::error::Error::Internal`].
pub fn aura_employment() -> crate::error::Result<RegionalEmployment> {
    static EMPLOYMENT: std::sync::OnceLock<crate::error::Result<RegionalEmployment>> =
        std::sync::OnceLock::new();
    EMPLOYMENT
        .get_or_init(|| {
            read_regional_employment_csv(
                "data/aura/economy/aura_employment.csv",
                AURA_EMPLOYMENT_CSV,
            )
        })
        .as_ref()
        .cloned()
        .map_err(|e| crate::error::Error::Internal(format!("bundled table: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_french_table_is_productive_and_plausible() {
        let table = france_table().unwrap();
        assert_eq!(table.n(), 37);
        let model = table.model().unwrap();
        assert!(model.inverse().iter().all(|v| *v >= 0.0));
        assert!((0..table.n()).all(|i| model.inverse()[(i, i)] >= 1.0));
        let output = model
            .multipliers(MultiplierKind::Output, ModelType::TypeI)
            .unwrap();
        for (branch, m) in output.branches.iter().zip(&output.total) {
            assert!((1.0..=2.6).contains(m), "{branch}: output multiplier {m}");
        }
        let textiles = table.branch_index("CB").unwrap();
        let jobs_i = model
            .multipliers(MultiplierKind::Employment, ModelType::TypeI)
            .unwrap();
        let ratio = jobs_i.ratio[textiles];
        assert!((1.3..=3.0).contains(&ratio), "CB Type I ratio {ratio}");
        let jobs_ii = model
            .multipliers(MultiplierKind::Employment, ModelType::TypeII)
            .unwrap();
        assert!(jobs_ii.total[textiles] > jobs_i.total[textiles]);
    }

    #[test]
    fn bundled_aura_table_regionalises() {
        let table = france_table().unwrap();
        let aura = aura_employment().unwrap();
        let regional = aura.regionalise(&table, 0.25).unwrap();
        let national = table.model().unwrap();
        let model = regional.model().unwrap();
        let m_nat = national
            .multipliers(MultiplierKind::Employment, ModelType::TypeI)
            .unwrap();
        let m_reg = model
            .multipliers(MultiplierKind::Employment, ModelType::TypeI)
            .unwrap();
        for j in 0..table.n() {
            assert!(m_reg.total[j] <= m_nat.total[j] + 1e-15);
            assert!(m_reg.ratio[j] >= 1.0 || m_reg.ratio[j].is_nan());
        }
        assert!(model
            .multipliers(MultiplierKind::Income, ModelType::TypeII)
            .is_ok());
    }
}
