//! The AURA economy a study's spending lands in: the bundled French table regionalised by
//! FLQ with AURA employment, and the mapping of a piece's cost onto its branches.

use crate::error::{Error, Result};
use crate::model::cost::PieceCost;
use crate::params::ModelParams;

use super::{aura_employment, france_table, IoModel, ModelType};

/// Branches of the bundled table that receive the programme's spending.
const TEXTILES: &str = "textiles_apparel";
const OTHER_MANUFACTURING: &str = "other_manufacturing";
const TRADE_TRANSPORT: &str = "trade_transport_hospitality";

/// Input–output jobs of a shock (persons, Type II).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IoJobs {
    /// Jobs in the branches that receive the spending.
    pub direct: f64,
    /// Jobs in their suppliers.
    pub indirect: f64,
    /// Jobs from the households' spending of the wages.
    pub induced: f64,
    /// Direct + indirect + induced.
    pub total: f64,
}

/// The AURA economy: the bundled French table regionalised by FLQ with AURA employment.
pub struct RegionalEconomy {
    model: IoModel,
    textiles: usize,
    other_manufacturing: usize,
    trade_transport: usize,
}

impl RegionalEconomy {
    /// Regionalise the bundled table with the parameters' δ (`flq_delta`).
    ///
    /// # Errors
    /// [`Error::Parameter`] for a δ FLQ refuses; [`Error::Internal`] if the bundled table
    /// lacks a branch (a bug).
    pub fn new(m: &ModelParams) -> Result<Self> {
        let national = france_table()?;
        let regional = aura_employment()?.regionalise(&national, m.flq_delta)?;
        let find = |name: &str| {
            regional
                .branch_index(name)
                .ok_or_else(|| Error::Internal(format!("bundled economy has no `{name}` branch")))
        };
        Ok(RegionalEconomy {
            textiles: find(TEXTILES)?,
            other_manufacturing: find(OTHER_MANUFACTURING)?,
            trade_transport: find(TRADE_TRANSPORT)?,
            model: regional.model()?,
        })
    }

    /// Number of branches (the length of a shock vector).
    pub fn n(&self) -> usize {
        self.model.n()
    }

    /// Add to `shock` the regional final demand (EUR, before VAT) of buying `pieces` at cost
    /// `c`: making (labour, overhead, personalisation, margin) and the regional share of
    /// fabric go to textiles and apparel, the regional share of trims and packaging to other
    /// manufacturing, logistics to trade and transport; less displaced demand.
    pub fn shock(&self, pieces: f64, c: &PieceCost, m: &ModelParams, shock: &mut [f64]) {
        let keep = pieces * (1.0 - m.displacement_share);
        let making = c.labour_eur + c.overhead_eur + c.personalisation_eur + c.margin_eur;
        shock[self.textiles] += keep * (making + c.fabric_eur * m.materials_regional_share);
        shock[self.other_manufacturing] +=
            keep * (c.trims_eur + c.packaging_eur) * m.materials_regional_share;
        shock[self.trade_transport] += keep * c.logistics_eur;
    }

    /// Jobs (persons) of a shock, Type II.
    ///
    /// # Errors
    /// [`Error::Internal`] if the bundled table has no employment (a bug), or as
    /// [`IoModel::impact`].
    pub fn jobs(&self, shock: &[f64]) -> Result<IoJobs> {
        let impact = self.model.impact(shock, ModelType::TypeII)?;
        let jobs = impact
            .jobs
            .ok_or_else(|| Error::Internal("bundled economy has no employment".into()))?;
        let t = jobs.totals();
        Ok(IoJobs {
            direct: t.direct,
            indirect: t.indirect,
            induced: t.induced,
            total: t.total,
        })
    }
}
