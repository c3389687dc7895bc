//! The headline figures of one year, computed in one place for the study run
//! ([`crate::results::run`]) and for every Monte Carlo draw
//! ([`crate::uncertainty::montecarlo`]): costs averaged over who makes what, cost per kit,
//! budget, fabric, labour and direct FTE, the regional shock and its input–output jobs,
//! lateness and hiring.
//!
//! Formulas (docs/ARCHITECTURE.md):
//! - average cost of product p = Σ_f pieces_f × cost_f / Σ_f pieces_f over the flows f of
//!   p (the allocation); a product nobody makes costs what a new workshop would charge;
//! - kit cost = Σ_p quantity per kit_p × average cost_p; budget = Σ_p pieces_p × price_p;
//! - direct FTE = Σ_f pieces_f × labour minutes_f / 60 / (annual hours × (1 − absenteeism));
//! - regional shock: [`RegionalEconomy::shock`] of each product's pieces at its average
//!   cost; input–output jobs Type II; `jobs_gross` = direct FTE + IO indirect + IO induced
//!   (the bottom-up direct jobs, which fit labour-intensive sewing better than the
//!   branch-average IO direct jobs, plus the supplier and household-spending jobs);
//! - the balance ([`Balance`]): jobs net of displacement, the premium over importing the
//!   same kits, the public revenue and benefits avoided on the direct wages, the net public
//!   cost per net job and the carbon of making against importing (docs/ARCHITECTURE.md,
//!   "The balance").

use chrono::NaiveDate;

use crate::data::tables::Product;
use crate::economy::regional::{IoJobs, RegionalEconomy};
use crate::economy::Effects;
use crate::error::Result;
use crate::model::cost::{piece_cost, PieceCost, WorkshopTerms};
use crate::model::employment::fte;
use crate::params::ModelParams;

/// The costs, quantities and jobs of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFigures {
    /// Average cost of each kit product over its makers (EUR per piece), kit order.
    pub average: Vec<PieceCost>,
    /// Cost of one kit (EUR per kit).
    pub kit_cost: PieceCost,
    /// Pieces demanded.
    pub pieces: f64,
    /// Budget, VAT included (EUR).
    pub budget_ttc_eur: f64,
    /// Budget before VAT (EUR).
    pub budget_ht_eur: f64,
    /// Fabric bought, over-cut included (m).
    pub fabric_m: f64,
    /// Labour minutes of the allocated pieces.
    pub labour_minutes: f64,
    /// Bottom-up direct full-time equivalents.
    pub direct_fte: f64,
    /// Regional final demand, before VAT, net of imports (EUR; gross of displacement).
    pub regional_demand_eur: f64,
    /// Input–output jobs of that demand (persons, Type II).
    pub io: IoJobs,
    /// Regional final demand by A38 branch (EUR), the economy's branch order.
    pub shock: Vec<f64>,
    /// The same jobs branch by branch (persons, Type II); `io` is their sum.
    pub io_by_branch: Effects,
    /// Employer cost of the direct labour (making and personalisation) of the allocated
    /// pieces (EUR).
    pub labour_cost_eur: f64,
    /// The balance against importing the same kits.
    pub balance: Balance,
}

impl YearFigures {
    /// Best estimate of the jobs the programme supports: direct FTE + IO indirect + IO
    /// induced.
    pub fn jobs_gross(&self) -> f64 {
        self.direct_fte + self.io.indirect + self.io.induced
    }
}

/// Figures of a year.
///
/// * `kit`: each kit product with its quantity per kit;
/// * `pieces`: pieces demanded of each kit product (same order);
/// * `made`: the allocation, one `(kit index, cost of a piece at its maker, pieces)` per
///   flow.
///
/// # Errors
/// As [`RegionalEconomy::jobs`].
pub fn year_figures(
    kit: &[(&Product, f64)],
    pieces: &[f64],
    made: &[(usize, PieceCost, f64)],
    m: &ModelParams,
    economy: &RegionalEconomy,
) -> Result<YearFigures> {
    let mut total = vec![0.0; kit.len()];
    let (mut labour_minutes, mut labour_cost_eur) = (0.0, 0.0);
    // Pieces imported, and labour minutes of the pieces made in the region, by product.
    let (mut imported, mut local_minutes) = (vec![0.0; kit.len()], vec![0.0; kit.len()]);
    for &(k, c, q) in made {
        total[k] += q;
        labour_minutes += q * c.labour_minutes();
        labour_cost_eur += q * c.labour_cost_eur();
        if c.imported_eur > 0.0 {
            imported[k] += q;
        } else {
            local_minutes[k] += q * c.labour_minutes();
        }
    }
    let mut average = vec![PieceCost::default(); kit.len()];
    for &(k, c, q) in made {
        average[k].add_scaled(&c, q / total[k]);
    }
    for (k, avg) in average.iter_mut().enumerate() {
        if total[k] <= 0.0 {
            // Nothing made: the cost a new workshop would have.
            *avg = piece_cost(kit[k].0, &WorkshopTerms::of(None, m), m);
        }
    }
    let mut kit_cost = PieceCost::default();
    let mut shock = vec![0.0; economy.n()];
    let (mut budget_ttc_eur, mut budget_ht_eur, mut fabric_m) = (0.0, 0.0, 0.0);
    for (k, &(_, per_kit)) in kit.iter().enumerate() {
        let (q, avg) = (pieces[k], &average[k]);
        kit_cost.add_scaled(avg, per_kit);
        economy.shock(q, avg, m, &mut shock);
        budget_ttc_eur += q * avg.price_ttc_eur;
        budget_ht_eur += q * avg.price_ht_eur;
        fabric_m += q * avg.fabric_m;
    }
    let io_by_branch = economy.jobs_by_branch(&shock)?;
    let direct_fte = fte(labour_minutes / 60.0, m);
    let io = IoJobs::of(&io_by_branch);
    let carbon: Vec<(f64, f64)> = (0..kit.len())
        .map(|k| {
            let local = total[k] - imported[k];
            let minutes = if local > 0.0 {
                local_minutes[k] / local
            } else {
                piece_cost(kit[k].0, &WorkshopTerms::of(None, m), m).labour_minutes()
            };
            (imported[k] / total[k].max(f64::MIN_POSITIVE), minutes)
        })
        .collect();
    let balance = Balance::new(
        kit,
        pieces,
        &carbon,
        BalanceInputs {
            budget_ttc_eur,
            jobs_gross: direct_fte + io.indirect + io.induced,
            direct_fte,
            labour_cost_eur,
        },
        m,
    );
    Ok(YearFigures {
        kit_cost,
        pieces: pieces.iter().sum(),
        budget_ttc_eur,
        budget_ht_eur,
        fabric_m,
        labour_minutes,
        direct_fte,
        regional_demand_eur: shock.iter().sum(),
        io,
        io_by_branch,
        shock,
        labour_cost_eur,
        balance,
        average,
    })
}

/// What [`Balance::new`] takes from a year's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BalanceInputs {
    /// What the Région pays, VAT included (EUR).
    pub budget_ttc_eur: f64,
    /// Direct FTE + IO indirect + IO induced.
    pub jobs_gross: f64,
    /// Bottom-up direct full-time equivalents.
    pub direct_fte: f64,
    /// Employer cost of the direct labour (EUR).
    pub labour_cost_eur: f64,
}

/// Carbon of one piece, made in the region or imported (kg CO2e), by stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PieceCarbon {
    /// Yarn of the fabric bought (over-cut included), trims and packaging.
    pub materials: f64,
    /// Electricity of knitting, dyeing and finishing the fabric.
    pub fabric_energy: f64,
    /// Electricity of making (cutting, sewing, finishing, personalising).
    pub making: f64,
    /// Freight: sea and road to the region's depot.
    pub freight: f64,
    /// Delivery from the depot to the schools.
    pub delivery: f64,
}

impl PieceCarbon {
    /// Sum of the stages (kg CO2e per piece).
    pub fn total(&self) -> f64 {
        self.materials + self.fabric_energy + self.making + self.freight + self.delivery
    }

    /// Carbon of a piece of `product` that takes `labour_minutes`, made in the region
    /// (`imported` false: French electricity, road within the region) or imported (the
    /// exporting country's electricity, sea and road to the region).
    pub fn of(product: &Product, labour_minutes: f64, imported: bool, m: &ModelParams) -> Self {
        let fabric_kg = product.fabric_m * (1.0 + m.overcut) * m.fabric_kg_per_m;
        let piece_t = product.fabric_m * m.fabric_kg_per_m / 1000.0;
        let grid = if imported {
            m.grid_import_kgco2e_per_kwh
        } else {
            m.grid_france_kgco2e_per_kwh
        };
        let freight_tkm_road = if imported {
            m.import_road_km
        } else {
            m.local_road_km
        };
        let sea = if imported {
            m.sea_km * m.sea_kgco2e_per_tkm
        } else {
            0.0
        };
        PieceCarbon {
            materials: fabric_kg * m.yarn_kgco2e_per_kg + m.trims_kgco2e_per_piece,
            fabric_energy: fabric_kg * m.fabric_kwh_per_kg * grid,
            making: labour_minutes / 60.0 * m.making_kwh_per_hour * grid,
            freight: piece_t * (sea + freight_tkm_road * m.road_kgco2e_per_tkm),
            delivery: piece_t * m.school_delivery_km * m.van_kgco2e_per_tkm,
        }
    }
}

/// The balance of a year against importing the same kits (docs/ARCHITECTURE.md, "The
/// balance"). Money in EUR, jobs in persons or FTE, carbon in tonnes CO2e.
///
/// Perimeters: `programme_cost_eur`, `import_baseline_cost_eur` and `premium_eur` are the
/// Région's budget (VAT included); `public_revenue_eur`, `benefits_avoided_eur` and
/// `net_public_cost_eur` are all public administrations (the State, social security,
/// Unédic and the Région together), where the VAT on the premium is a transfer and comes
/// back. `region_cost_per_job_eur` is the Région's own cost per net job (it keeps none of
/// the revenue).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Balance {
    /// Direct FTE + IO indirect + IO induced.
    pub jobs_gross: f64,
    /// `displacement_share` × `jobs_gross`.
    pub jobs_displaced: f64,
    /// `jobs_gross` − `jobs_displaced`.
    pub jobs_net: f64,
    /// What the Région pays, VAT included.
    pub programme_cost_eur: f64,
    /// The same kits imported: Σ pieces × import price × `import_price_factor` × (1 + VAT).
    pub import_baseline_cost_eur: f64,
    /// `programme_cost_eur` − `import_baseline_cost_eur`.
    pub premium_eur: f64,
    /// Gross wages of the direct labour net of displacement: employer labour cost /
    /// (1 + `employer_rate`) × (1 − `displacement_share`).
    pub gross_wages_eur: f64,
    /// Employer and employee social contributions on those wages.
    pub social_contributions_eur: f64,
    /// CSG and CRDS on those wages.
    pub csg_crds_eur: f64,
    /// Income tax on those wages.
    pub income_tax_eur: f64,
    /// VAT in the premium, back to the State: premium × VAT / (1 + VAT).
    pub vat_on_premium_eur: f64,
    /// Contributions + CSG/CRDS + income tax + VAT on the premium.
    pub public_revenue_eur: f64,
    /// Net direct FTE × share from jobseekers × share indemnified × average benefit.
    pub benefits_avoided_eur: f64,
    /// `premium_eur` − `public_revenue_eur` − `benefits_avoided_eur`.
    pub net_public_cost_eur: f64,
    /// `net_public_cost_eur` / `jobs_net` (EUR per net job-year).
    pub net_cost_per_job_eur: f64,
    /// `premium_eur` / `jobs_net`: the Région's own cost per net job-year.
    pub region_cost_per_job_eur: f64,
    /// Carbon of the programme's pieces: made in the region, and imported where
    /// `local_content_min` lets them be (t CO2e).
    pub co2e_local_t: f64,
    /// Carbon of the same pieces imported (t CO2e).
    pub co2e_import_t: f64,
    /// `co2e_import_t` − `co2e_local_t`.
    pub co2e_avoided_t: f64,
}

impl Balance {
    /// The balance of a year: `kit` and `pieces` as for [`year_figures`]; `carbon`, for
    /// each kit product, the share of its pieces imported and the labour minutes of a piece
    /// made in the region (the carbon of making is per minute; imported pieces count at the
    /// import footprint, as the baseline does).
    pub fn new(
        kit: &[(&Product, f64)],
        pieces: &[f64],
        carbon: &[(f64, f64)],
        f: BalanceInputs,
        m: &ModelParams,
    ) -> Self {
        let d = m.displacement_share;
        let jobs_displaced = d * f.jobs_gross;
        let jobs_net = f.jobs_gross - jobs_displaced;
        let mut import_ht = 0.0;
        let (mut co2e_local_t, mut co2e_import_t) = (0.0, 0.0);
        for (k, &(p, _)) in kit.iter().enumerate() {
            let q = pieces[k];
            import_ht += q * p.import_price_eur.unwrap_or(f64::NAN) * m.import_price_factor;
            let (share_imported, minutes) = carbon[k];
            let local = PieceCarbon::of(p, minutes, false, m).total() / 1000.0;
            let abroad = PieceCarbon::of(p, minutes, true, m).total() / 1000.0;
            co2e_local_t += q * ((1.0 - share_imported) * local + share_imported * abroad);
            co2e_import_t += q * abroad;
        }
        let import_baseline_cost_eur = import_ht * (1.0 + m.vat_rate);
        let premium_eur = f.budget_ttc_eur - import_baseline_cost_eur;
        let gross_wages_eur = f.labour_cost_eur / (1.0 + m.employer_rate) * (1.0 - d);
        let social_contributions_eur = gross_wages_eur * (m.employer_rate + m.employee_rate);
        let csg_crds_eur = gross_wages_eur * m.csg_crds_rate;
        let income_tax_eur = gross_wages_eur * m.income_tax_rate;
        let vat_on_premium_eur = premium_eur * m.vat_rate / (1.0 + m.vat_rate);
        let public_revenue_eur =
            social_contributions_eur + csg_crds_eur + income_tax_eur + vat_on_premium_eur;
        let benefits_avoided_eur = f.direct_fte
            * (1.0 - d)
            * m.hires_from_jobseekers_share
            * m.jobseekers_indemnified_share
            * m.unemployment_benefit_eur;
        let net_public_cost_eur = premium_eur - public_revenue_eur - benefits_avoided_eur;
        let per_job = |x: f64| {
            if jobs_net > 0.0 {
                x / jobs_net
            } else {
                f64::NAN
            }
        };
        Balance {
            jobs_gross: f.jobs_gross,
            jobs_displaced,
            jobs_net,
            programme_cost_eur: f.budget_ttc_eur,
            import_baseline_cost_eur,
            premium_eur,
            gross_wages_eur,
            social_contributions_eur,
            csg_crds_eur,
            income_tax_eur,
            vat_on_premium_eur,
            public_revenue_eur,
            benefits_avoided_eur,
            net_public_cost_eur,
            net_cost_per_job_eur: per_job(net_public_cost_eur),
            region_cost_per_job_eur: per_job(premium_eur),
            co2e_local_t,
            co2e_import_t,
            co2e_avoided_t: co2e_import_t - co2e_local_t,
        }
    }
}

/// Whether and when a year's pieces reach the schools.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lateness {
    /// Every piece delivered before the rentrée, all sources together (surveyed workshops
    /// with their hires, new regional capacity, imports).
    pub on_time: bool,
    /// Calendar days from the order to the last delivery (`None`: never).
    pub makespan_days: Option<i64>,
    /// Calendar days from the rentrée to the last delivery: 0 when on time; when pieces are
    /// late, the delay if the surveyed workshops made them after their share of the work
    /// (`programme::YearPlan::alone_minutes`); `None` when they never could.
    pub late_days: Option<i64>,
}

impl Lateness {
    /// Lateness of a year ordered on `order_date` for `deadline`, whose last delivery is
    /// `delivered` (`None` or [`NaiveDate::MAX`]: never).
    pub fn new(
        on_time: bool,
        order_date: NaiveDate,
        deadline: NaiveDate,
        delivered: Option<NaiveDate>,
    ) -> Self {
        let delivered = delivered.filter(|d| *d < NaiveDate::MAX);
        Lateness {
            on_time,
            makespan_days: delivered.map(|d| (d - order_date).num_days()),
            late_days: if on_time {
                Some(0)
            } else {
                delivered.map(|d| (d - deadline).num_days().max(0))
            },
        }
    }
}

/// The headline figures of one year of a run or of a Monte Carlo draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Headline {
    /// Year.
    pub year: i32,
    /// Pieces.
    pub pieces: f64,
    /// Budget, VAT included (EUR).
    pub budget_eur: f64,
    /// Price of a kit, VAT included (EUR).
    pub cost_per_kit_eur: f64,
    /// Bottom-up direct full-time equivalents.
    pub direct_fte: f64,
    /// Input–output jobs (persons, Type II).
    pub io: IoJobs,
    /// Direct FTE + IO indirect + IO induced.
    pub jobs_gross: f64,
    /// The balance against importing.
    pub balance: Balance,
    /// Lateness.
    pub lateness: Lateness,
    /// Operators to hire or train to deliver by the rentrée.
    pub hiring_needed_for_deadline: f64,
    /// Where the pieces come from.
    pub sourcing: Sourcing,
}

/// Pieces of a year by source (the summary's `pieces_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sourcing {
    /// From the surveyed workshops, their hires included.
    pub surveyed: f64,
    /// From new regional capacity.
    pub new_regional: f64,
    /// Imported.
    pub imported: f64,
    /// Late: no source can deliver them by the rentrée.
    pub late: f64,
}

impl Sourcing {
    /// Share of the pieces made in the region: 1 − imported / all (1 with no piece).
    pub fn local_content_share(&self) -> f64 {
        let all = self.surveyed + self.new_regional + self.imported + self.late;
        if all > 0.0 {
            1.0 - self.imported / all
        } else {
            1.0
        }
    }
}

/// Metric columns of [`Headline::values`], in order; `on_time` (a boolean) follows them in
/// a draws table.
pub const METRICS: [&str; 25] = [
    "pieces",
    "budget_eur",
    "cost_per_kit_eur",
    "direct_fte",
    "jobs_direct",
    "jobs_indirect",
    "jobs_induced",
    "jobs_total",
    "jobs_gross",
    "jobs_net",
    "premium_eur",
    "public_revenue_eur",
    "net_public_cost_eur",
    "net_cost_per_job_eur",
    "region_cost_per_job_eur",
    "co2e_avoided_t",
    "makespan_days",
    "late_days",
    "hiring_needed_for_deadline",
    "pieces_surveyed",
    "pieces_new_regional",
    "pieces_imported",
    "unmet_pieces",
    "local_content_share",
    "on_time",
];

impl Headline {
    /// The headline of a year from its figures, lateness and hiring.
    pub fn new(
        year: i32,
        f: &YearFigures,
        lateness: Lateness,
        hiring: f64,
        sourcing: Sourcing,
    ) -> Self {
        Headline {
            year,
            pieces: f.pieces,
            budget_eur: f.budget_ttc_eur,
            cost_per_kit_eur: f.kit_cost.price_ttc_eur,
            direct_fte: f.direct_fte,
            io: f.io,
            jobs_gross: f.jobs_gross(),
            balance: f.balance,
            lateness,
            hiring_needed_for_deadline: hiring,
            sourcing,
        }
    }

    /// The numeric [`METRICS`] (all but `on_time`), in order; NaN for a date never reached.
    pub fn values(&self) -> [f64; METRICS.len() - 1] {
        let days = |d: Option<i64>| d.map_or(f64::NAN, |d| d as f64);
        [
            self.pieces,
            self.budget_eur,
            self.cost_per_kit_eur,
            self.direct_fte,
            self.io.direct,
            self.io.indirect,
            self.io.induced,
            self.io.total,
            self.jobs_gross,
            self.balance.jobs_net,
            self.balance.premium_eur,
            self.balance.public_revenue_eur,
            self.balance.net_public_cost_eur,
            self.balance.net_cost_per_job_eur,
            self.balance.region_cost_per_job_eur,
            self.balance.co2e_avoided_t,
            days(self.lateness.makespan_days),
            days(self.lateness.late_days),
            self.hiring_needed_for_deadline,
            self.sourcing.surveyed,
            self.sourcing.new_regional,
            self.sourcing.imported,
            self.sourcing.late,
            self.sourcing.local_content_share(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::study::Study;

    /// The bundled polo, the default parameters and economy, and a polo's cost at a new
    /// workshop.
    fn polo() -> (Product, ModelParams, RegionalEconomy, PieceCost) {
        let study = Study::example("aura-pilot").unwrap();
        let m = Params::defaults().model();
        let economy = RegionalEconomy::new(&m).unwrap();
        let polo = study.catalog.into_iter().find(|p| p.id == "polo").unwrap();
        let c = piece_cost(&polo, &WorkshopTerms::of(None, &m), &m);
        (polo, m, economy, c)
    }

    #[test]
    fn one_maker_by_hand() {
        // One product, one maker: the average is that maker's cost, the budget pieces ×
        // price, and FTE = pieces × minutes / 60 / (1,607 h × (1 − absenteeism)).
        let (polo, m, economy, c) = polo();
        let polo = &polo;
        let f = year_figures(&[(polo, 3.0)], &[900.0], &[(0, c, 900.0)], &m, &economy).unwrap();
        assert_eq!(f.average[0], c);
        assert!((f.budget_ttc_eur - 900.0 * c.price_ttc_eur).abs() < 1e-9);
        assert!((f.kit_cost.price_ttc_eur - 3.0 * c.price_ttc_eur).abs() < 1e-12);
        let want = 900.0 * c.labour_minutes() / 60.0 / (m.annual_hours * (1.0 - m.absenteeism));
        assert!((f.direct_fte - want).abs() < 1e-12);
        assert!((f.jobs_gross() - (want + f.io.indirect + f.io.induced)).abs() < 1e-12);
        assert!(f.io.indirect > 0.0 && f.io.induced > 0.0);
    }

    #[test]
    fn two_makers_average_by_pieces() {
        let (polo, m, economy, a) = polo();
        let polo = &polo;
        let mut b = a;
        b.price_ttc_eur += 4.0;
        // 300 pieces at a, 100 at b: average price = a + 4 × 100 / 400 = a + 1.
        let f = year_figures(
            &[(polo, 1.0)],
            &[400.0],
            &[(0, a, 300.0), (0, b, 100.0)],
            &m,
            &economy,
        )
        .unwrap();
        assert!((f.average[0].price_ttc_eur - (a.price_ttc_eur + 1.0)).abs() < 1e-12);
    }

    #[test]
    fn lateness_by_hand() {
        let d = |m, day| NaiveDate::from_ymd_opt(2028, m, day).unwrap();
        let on = Lateness::new(true, d(1, 1), d(9, 1), Some(d(8, 20)));
        assert_eq!((on.late_days, on.makespan_days), (Some(0), Some(232)));
        let late = Lateness::new(false, d(1, 1), d(9, 1), Some(d(9, 11)));
        assert_eq!(late.late_days, Some(10));
        // A fraction of a piece left over, last delivery on the deadline's day.
        assert_eq!(
            Lateness::new(false, d(1, 1), d(9, 1), Some(d(9, 1))).late_days,
            Some(0)
        );
        let never = Lateness::new(false, d(1, 1), d(9, 1), Some(NaiveDate::MAX));
        assert_eq!((never.late_days, never.makespan_days), (None, None));
    }

    /// The hand-worked example of docs/ARCHITECTURE.md ("The balance"): 1,000 polos of 1 m
    /// of fabric, 20 labour minutes each, bought at 40 EUR TTC against 8 EUR HT imported;
    /// 1 gross job, 0.8 direct FTE, 20,000 EUR of employer labour cost.
    #[test]
    fn balance_by_hand() {
        let mut m = Params::defaults().model();
        (m.displacement_share, m.vat_rate, m.import_price_factor) = (0.1, 0.2, 1.0);
        (
            m.employer_rate,
            m.employee_rate,
            m.csg_crds_rate,
            m.income_tax_rate,
        ) = (0.06, 0.1131, 0.0953, 0.0);
        (
            m.hires_from_jobseekers_share,
            m.jobseekers_indemnified_share,
        ) = (0.5, 0.41);
        m.unemployment_benefit_eur = 11_160.0;
        (
            m.overcut,
            m.fabric_kg_per_m,
            m.yarn_kgco2e_per_kg,
            m.trims_kgco2e_per_piece,
        ) = (0.03, 0.35, 4.0, 0.1);
        (m.fabric_kwh_per_kg, m.making_kwh_per_hour) = (10.0, 0.5);
        (m.grid_france_kgco2e_per_kwh, m.grid_import_kgco2e_per_kwh) = (0.06, 0.6);
        (
            m.sea_km,
            m.import_road_km,
            m.local_road_km,
            m.school_delivery_km,
        ) = (16_000.0, 500.0, 150.0, 60.0);
        (
            m.sea_kgco2e_per_tkm,
            m.road_kgco2e_per_tkm,
            m.van_kgco2e_per_tkm,
        ) = (0.008, 0.092, 0.5);
        let polo = Product::fixture("polo", 12.0); // 1 m of fabric, import price 8 EUR HT
        let avg = PieceCost {
            making_minutes: 16.0,
            personalise_minutes: 4.0,
            ..PieceCost::default()
        };
        let inputs = BalanceInputs {
            budget_ttc_eur: 40_000.0,
            jobs_gross: 1.0,
            direct_fte: 0.8,
            labour_cost_eur: 20_000.0,
        };
        let b = Balance::new(
            &[(&polo, 1.0)],
            &[1000.0],
            &[(0.0, avg.labour_minutes())],
            inputs,
            &m,
        );
        let close = |a: f64, want: f64, tol: f64| assert!((a - want).abs() < tol, "{a} != {want}");
        close(b.jobs_displaced, 0.1, 1e-12);
        close(b.jobs_net, 0.9, 1e-12);
        close(b.import_baseline_cost_eur, 9_600.0, 1e-9); // 1,000 × 8 × 1.2
        close(b.premium_eur, 30_400.0, 1e-9);
        close(b.gross_wages_eur, 16_981.132_075, 1e-5); // 20,000 / 1.06 × 0.9
        close(b.social_contributions_eur, 2_939.433_962, 1e-5); // × 0.1731
        close(b.csg_crds_eur, 1_618.301_887, 1e-5); // × 0.0953
        close(b.vat_on_premium_eur, 5_066.666_667, 1e-5); // 30,400 × 0.2 / 1.2
        close(b.public_revenue_eur, 9_624.402_516, 1e-5);
        close(b.benefits_avoided_eur, 1_647.216, 1e-6); // 0.8 × 0.9 × 0.5 × 0.41 × 11,160
        close(b.net_public_cost_eur, 19_128.381_484, 1e-5);
        close(b.net_cost_per_job_eur, 21_253.757_204, 1e-5);
        close(b.region_cost_per_job_eur, 33_777.777_778, 1e-5);
        // kg CO2e per piece: local 1.542 + 0.2163 + 0.01 + 0.00483 + 0.0105 = 1.78363;
        // imported 1.542 + 2.163 + 0.1 + 0.0609 + 0.0105 = 3.8764.
        close(
            PieceCarbon::of(&polo, 20.0, false, &m).total(),
            1.783_63,
            1e-9,
        );
        close(
            PieceCarbon::of(&polo, 20.0, true, &m).total(),
            3.876_4,
            1e-9,
        );
        close(b.co2e_local_t, 1.783_63, 1e-9);
        close(b.co2e_import_t, 3.876_4, 1e-9);
        close(b.co2e_avoided_t, 2.092_77, 1e-9);
    }
}
