//! Cost per piece and per kit, with its breakdown.
//!
//! Cost per piece at workshop w (ARCHITECTURE.md):
//! materials = fabric_m × €/m × (1 + overcut) + trims + packaging;
//! labour = making minutes / 60 × loaded hourly cost_w;
//! overhead = overhead_rate_w × labour;
//! personalisation = personalise minutes / 60 × hourly cost_w × (1 + overhead_rate_w) + supplies;
//! full cost = materials + labour + overhead + personalisation + logistics;
//! price before tax = full cost × (1 + margin); price paid = price before tax × (1 + VAT).

use crate::data::tables::{Product, Workshop};
use crate::params::ModelParams;

/// The legal working week the annual-hours reference (1,607 h) corresponds to, in h/week
/// (Code du travail art. L3121-27).
pub const LEGAL_WEEK_H: f64 = 35.0;

/// Loaded hourly labour cost per worked hour, in EUR/h.
///
/// SMIC × (1 + wage premium) × (1 + employer rate) × paid hours / worked hours: the gross
/// wage (SMIC 11.88 €/h, décret 2024-11) plus residual employer contributions after the
/// réduction générale (≈ 4.4–7.7 %, URSSAF), spread over worked rather than paid hours
/// (1,820 paid vs 1,607 worked, Code du travail).
pub fn loaded_hourly_cost(m: &ModelParams) -> f64 {
    m.smic_hourly_eur * (1.0 + m.wage_premium) * (1.0 + m.employer_rate) * m.paid_hours
        / m.annual_hours
}

/// Labour minutes actually spent on a piece: standard minutes × (1 + allowance) / efficiency
/// (standard-minute practice; onlineclothingstudy; allowances 10–15 %, ordnur).
pub fn labour_minutes(sam: f64, allowance: f64, efficiency: f64) -> f64 {
    sam * (1.0 + allowance) / efficiency
}

/// A workshop's terms: what it takes from the survey, or from the parameters when the
/// survey cell is empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkshopTerms {
    /// Steady line efficiency (fraction).
    pub efficiency: f64,
    /// Loaded hourly cost (EUR per worked hour).
    pub hourly_cost_eur: f64,
    /// Overhead (fraction of direct labour).
    pub overhead_rate: f64,
}

impl WorkshopTerms {
    /// Terms of a workshop, `None` for new capacity on default terms.
    pub fn of(workshop: Option<&Workshop>, m: &ModelParams) -> Self {
        WorkshopTerms {
            efficiency: workshop
                .and_then(|w| w.efficiency)
                .unwrap_or(m.line_efficiency),
            hourly_cost_eur: workshop
                .and_then(|w| w.hourly_cost_eur)
                .unwrap_or_else(|| loaded_hourly_cost(m)),
            overhead_rate: workshop
                .and_then(|w| w.overhead_rate)
                .unwrap_or(m.overhead_rate),
        }
    }
}

/// Cost of one piece, by component, in EUR per piece; minutes in min per piece.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PieceCost {
    /// Fabric, over-cut included.
    pub fabric_eur: f64,
    /// Trims.
    pub trims_eur: f64,
    /// Packaging.
    pub packaging_eur: f64,
    /// Materials = fabric + trims + packaging.
    pub materials_eur: f64,
    /// Direct labour of cutting, sewing and finishing.
    pub labour_eur: f64,
    /// Workshop overhead on that labour.
    pub overhead_eur: f64,
    /// Personalisation: labour with its overhead, and supplies.
    pub personalisation_eur: f64,
    /// Logistics to schools.
    pub logistics_eur: f64,
    /// Imported pieces: their price, personalised and delivered, before VAT (0 for a piece
    /// made in the region).
    pub imported_eur: f64,
    /// Full cost = materials + labour + overhead + personalisation + logistics + imported.
    pub cost_eur: f64,
    /// Margin.
    pub margin_eur: f64,
    /// Price before tax.
    pub price_ht_eur: f64,
    /// VAT.
    pub vat_eur: f64,
    /// Price paid, tax included.
    pub price_ttc_eur: f64,
    /// Labour minutes of cutting, sewing and finishing.
    pub making_minutes: f64,
    /// Labour minutes of personalisation.
    pub personalise_minutes: f64,
    /// Fabric bought, over-cut included (m).
    pub fabric_m: f64,
}

impl PieceCost {
    /// Labour minutes per piece, all operations.
    pub fn labour_minutes(&self) -> f64 {
        self.making_minutes + self.personalise_minutes
    }

    /// Employer cost of the direct labour of a piece, making and personalisation (EUR): the
    /// making labour at its hourly cost, scaled to all the labour minutes.
    pub fn labour_cost_eur(&self) -> f64 {
        if self.making_minutes > 0.0 {
            self.labour_eur * self.labour_minutes() / self.making_minutes
        } else {
            0.0
        }
    }

    /// `self + weight × other`, component by component (for weighted averages and kits).
    pub fn add_scaled(&mut self, other: &PieceCost, weight: f64) {
        self.fabric_eur += weight * other.fabric_eur;
        self.trims_eur += weight * other.trims_eur;
        self.packaging_eur += weight * other.packaging_eur;
        self.materials_eur += weight * other.materials_eur;
        self.labour_eur += weight * other.labour_eur;
        self.overhead_eur += weight * other.overhead_eur;
        self.personalisation_eur += weight * other.personalisation_eur;
        self.logistics_eur += weight * other.logistics_eur;
        self.imported_eur += weight * other.imported_eur;
        self.cost_eur += weight * other.cost_eur;
        self.margin_eur += weight * other.margin_eur;
        self.price_ht_eur += weight * other.price_ht_eur;
        self.vat_eur += weight * other.vat_eur;
        self.price_ttc_eur += weight * other.price_ttc_eur;
        self.making_minutes += weight * other.making_minutes;
        self.personalise_minutes += weight * other.personalise_minutes;
        self.fabric_m += weight * other.fabric_m;
    }
}

/// Cost of one piece of `product` made on `terms`.
pub fn piece_cost(product: &Product, terms: &WorkshopTerms, m: &ModelParams) -> PieceCost {
    let fabric_m = product.fabric_m * (1.0 + m.overcut);
    let fabric_eur = fabric_m * product.fabric_eur_per_m;
    let materials_eur = fabric_eur + product.trims_eur + product.packaging_eur;
    let making_minutes = labour_minutes(product.sam_making_min(), m.allowance, terms.efficiency);
    let personalise_minutes =
        labour_minutes(product.sam_personalise_min, m.allowance, terms.efficiency);
    let labour_eur = making_minutes / 60.0 * terms.hourly_cost_eur;
    let overhead_eur = labour_eur * terms.overhead_rate;
    let personalisation_eur = if product.sam_personalise_min > 0.0 {
        personalise_minutes / 60.0 * terms.hourly_cost_eur * (1.0 + terms.overhead_rate)
            + m.personalisation_supplies_eur
    } else {
        0.0
    };
    let logistics_eur = m.logistics_eur_per_piece;
    let cost_eur = materials_eur + labour_eur + overhead_eur + personalisation_eur + logistics_eur;
    let margin_eur = cost_eur * m.margin_rate;
    let price_ht_eur = cost_eur + margin_eur;
    let vat_eur = price_ht_eur * m.vat_rate;
    PieceCost {
        fabric_eur,
        trims_eur: product.trims_eur,
        packaging_eur: product.packaging_eur,
        materials_eur,
        labour_eur,
        overhead_eur,
        personalisation_eur,
        logistics_eur,
        imported_eur: 0.0,
        cost_eur,
        margin_eur,
        price_ht_eur,
        vat_eur,
        price_ttc_eur: price_ht_eur + vat_eur,
        making_minutes,
        personalise_minutes,
        fabric_m,
    }
}

/// A piece of `product` bought abroad, personalised and delivered: the catalog's import
/// price × `import_price_factor`, before VAT, with no margin of the region's workshops on
/// top (the price is what the Région pays before VAT) and no regional labour or materials.
/// `None` when the catalog gives no import price.
pub fn import_piece_cost(product: &Product, m: &ModelParams) -> Option<PieceCost> {
    let price = product.import_price_eur? * m.import_price_factor;
    let vat_eur = price * m.vat_rate;
    Some(PieceCost {
        imported_eur: price,
        cost_eur: price,
        price_ht_eur: price,
        vat_eur,
        price_ttc_eur: price + vat_eur,
        ..PieceCost::default()
    })
}

/// Overhead rate (fraction of direct labour) that recovers `eur_per_operator`, amortised
/// over `new_capacity_amortisation_years`, on the labour of the operator's productive hours
/// (annual hours × (1 − absenteeism)) at `hourly_cost_eur`.
fn amortised_rate(eur_per_operator: f64, hourly_cost_eur: f64, m: &ModelParams) -> f64 {
    let hours = m.annual_hours * (1.0 - m.absenteeism);
    if hours > 0.0 && hourly_cost_eur > 0.0 {
        eur_per_operator / m.new_capacity_amortisation_years / (hours * hourly_cost_eur)
    } else {
        0.0
    }
}

/// Terms of the operators a surveyed workshop hires for the programme: its own terms, with
/// the recruitment and training of an operator amortised into its overhead.
pub fn hire_terms(workshop: &Workshop, m: &ModelParams) -> WorkshopTerms {
    let t = WorkshopTerms::of(Some(workshop), m);
    WorkshopTerms {
        overhead_rate: t.overhead_rate
            + amortised_rate(
                m.recruitment_training_eur_per_operator,
                t.hourly_cost_eur,
                m,
            ),
        ..t
    }
}

/// Terms of new regional capacity: default wage and overhead, the workstation investment
/// plus the recruitment and training of each operator amortised into the overhead, and the
/// default efficiency, × `new_capacity_efficiency_fraction` in the operators' first year
/// (`learning`).
pub fn new_capacity_terms(m: &ModelParams, learning: bool) -> WorkshopTerms {
    let t = WorkshopTerms::of(None, m);
    WorkshopTerms {
        efficiency: if learning {
            t.efficiency * m.new_capacity_efficiency_fraction
        } else {
            t.efficiency
        },
        overhead_rate: t.overhead_rate
            + amortised_rate(
                m.new_capacity_investment_eur_per_operator
                    + m.recruitment_training_eur_per_operator,
                t.hourly_cost_eur,
                m,
            ),
        ..t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    fn polo() -> Product {
        Product {
            fabric_m: 0.92,
            trims_eur: 0.60,
            ..Product::fixture("polo", 12.0)
        }
    }

    #[test]
    fn employer_cost_at_smic_2025_matches_urssaf() {
        // Validation case 8 (URSSAF via staffmatch): 1,801.80 EUR gross a month at SMIC 2025
        // costs the employer about 1,881-1,940 EUR.
        let m = Params::defaults().model();
        let monthly = 1_801.80 * (1.0 + m.employer_rate);
        assert!((1_881.0..=1_940.0).contains(&monthly), "{monthly}");
        // And 1,801.80 is the SMIC times the monthly legal hours (35 h × 52 / 12 = 151.67 h).
        assert!((m.smic_hourly_eur * 35.0 * 52.0 / 12.0 - 1_801.80).abs() < 0.01);
    }

    #[test]
    fn polo_cost_by_hand() {
        let m = Params::defaults().model();
        let terms = WorkshopTerms::of(None, &m);
        // Hand calculation with the bundled defaults:
        // hourly = 11.88 × 1.05 × 1.06 × 1820/1607 = 14.9750 EUR/h
        let hourly = 11.88 * 1.05 * 1.06 * 1820.0 / 1607.0;
        assert!((terms.hourly_cost_eur - hourly).abs() < 1e-12);
        assert!((hourly - 14.9750).abs() < 1e-4);
        let c = piece_cost(&polo(), &terms, &m);
        // making minutes = 14.5 × 1.12 / 0.55 = 29.527
        assert!((c.making_minutes - 29.527_272_7).abs() < 1e-6);
        // fabric = 0.92 × 1.03 × 10 = 9.476 EUR; materials = 9.476 + 0.60 + 0.15
        assert!((c.fabric_eur - 9.476).abs() < 1e-9);
        assert!((c.materials_eur - 10.226).abs() < 1e-9);
        // labour = 29.527/60 × 14.9750 = 7.3695; overhead equal (rate 1.0)
        assert!((c.labour_eur - 7.369_52).abs() < 1e-4);
        assert!((c.overhead_eur - c.labour_eur).abs() < 1e-12);
        // personalisation = 2 × 1.12/0.55 /60 × 14.9750 × 2 + 0.30 = 2.3330
        assert!((c.personalisation_eur - 2.333_1).abs() < 1e-3);
        let cost = 10.226 + 2.0 * c.labour_eur + c.personalisation_eur + 0.80;
        assert!((c.cost_eur - cost).abs() < 1e-9);
        assert!((c.price_ttc_eur - cost * 1.10 * 1.20).abs() < 1e-9);
    }

    #[test]
    fn cost_never_falls_when_wages_rise() {
        let m = Params::defaults().model();
        let mut last = 0.0;
        for premium in [0.0, 0.05, 0.1, 0.5] {
            let mm = ModelParams {
                wage_premium: premium,
                ..m
            };
            let c = piece_cost(&polo(), &WorkshopTerms::of(None, &mm), &mm).price_ttc_eur;
            assert!(c > last);
            last = c;
        }
    }
}
