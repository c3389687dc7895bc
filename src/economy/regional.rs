//! The AURA economy a study's spending lands in: INSEE's 2019 TES (A38, base 2014)
//! regionalised by FLQ with AURA employment, and the mapping of a piece's cost onto its
//! A38 products:
//!
//! | part of a piece's cost | A38 product | why |
//! |---|---|---|
//! | making: labour, overhead, personalisation, margin | `CB` textiles, habillement, cuir | the workshops are apparel makers (NACE 14) |
//! | fabric × regional share | `CB` | woven and knitted fabric is NACE 13 |
//! | trims (buttons, zips, labels, thread) × regional share | `CM` autres industries manufacturières | buttons and zip fasteners are NACE 32.99 |
//! | packaging (cartons, bags) × regional share | `CC` bois, papier, imprimerie | paper and board packaging is NACE 17.21 |
//! | logistics | `HZ` transports et entreposage | road freight and warehousing (NACE 49.41, 52.10) |
//!
//! The imported share of materials never enters. The shock is gross: the jobs it displaces
//! are netted out in the balance ([`crate::headline::Balance`]), `displacement_share` of
//! them (the model is linear, so that equals the jobs of the shock less that share).

use crate::error::{Error, Result};
use crate::model::cost::PieceCost;
use crate::params::ModelParams;

use super::{aura_employment, france_table, Effects, IoModel, ModelType};

/// A38 products that receive the programme's spending (see the module doc).
const TEXTILES: &str = "CB";
const TRIMS: &str = "CM";
const PACKAGING: &str = "CC";
const TRANSPORT: &str = "HZ";

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

impl IoJobs {
    /// The sums over branches of per-branch job effects.
    pub fn of(jobs: &Effects) -> Self {
        let t = jobs.totals();
        IoJobs {
            direct: t.direct,
            indirect: t.indirect,
            induced: t.induced,
            total: t.total,
        }
    }
}

/// The AURA economy: INSEE's 2019 table regionalised by FLQ with AURA employment.
pub struct RegionalEconomy {
    model: IoModel,
    textiles: usize,
    trims: usize,
    packaging: usize,
    transport: usize,
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
            trims: find(TRIMS)?,
            packaging: find(PACKAGING)?,
            transport: find(TRANSPORT)?,
            model: regional.model()?,
        })
    }

    /// Number of branches (the length of a shock vector).
    pub fn n(&self) -> usize {
        self.model.n()
    }

    /// The A38 codes of the branches, in shock order.
    pub fn branches(&self) -> &[String] {
        self.model.branches()
    }

    /// Add to `shock` the regional final demand (EUR, before VAT) of buying `pieces` at cost
    /// `c` (the mapping in the module doc): making and the regional share of fabric to
    /// `CB`, the regional share of trims to `CM` and of packaging to `CC`, logistics to
    /// `HZ` (gross: displacement is netted out in the balance).
    pub fn shock(&self, pieces: f64, c: &PieceCost, m: &ModelParams, shock: &mut [f64]) {
        let keep = pieces;
        let making = c.labour_eur + c.overhead_eur + c.personalisation_eur + c.margin_eur;
        shock[self.textiles] += keep * (making + c.fabric_eur * m.materials_regional_share);
        shock[self.trims] += keep * c.trims_eur * m.materials_regional_share;
        shock[self.packaging] += keep * c.packaging_eur * m.materials_regional_share;
        shock[self.transport] += keep * c.logistics_eur;
    }

    /// Jobs (persons) of a shock, Type II, branch by branch.
    ///
    /// # Errors
    /// [`Error::Internal`] if the bundled table has no employment (a bug), or as
    /// [`IoModel::impact`].
    pub fn jobs_by_branch(&self, shock: &[f64]) -> Result<Effects> {
        self.model
            .impact(shock, ModelType::TypeII)?
            .jobs
            .ok_or_else(|| Error::Internal("bundled economy has no employment".into()))
    }

    /// Jobs (persons) of a shock, Type II.
    ///
    /// # Errors
    /// [`Error::Internal`] if the bundled table has no employment (a bug), or as
    /// [`IoModel::impact`].
    pub fn jobs(&self, shock: &[f64]) -> Result<IoJobs> {
        Ok(IoJobs::of(&self.jobs_by_branch(shock)?))
    }
}
