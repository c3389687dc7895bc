//! Parameters as data: one table (`name, value, unit, low, high, distribution, source,
//! description`) drives defaults, validation, uncertainty ranges and documentation.
//!
//! The defaults are the bundled `data/aura/parameters.csv`, compiled into the library so a
//! study always has a complete, sourced set; a study's own table and overrides replace values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::read::{read_bytes, RawTable};
use crate::data::schema::{validate, Kind, TableSpec};
use crate::data::tables::col;
use crate::error::{Error, Problem, Problems, Result};

/// The bundled default parameter table.
pub const DEFAULT_PARAMETERS_CSV: &str = include_str!("../data/aura/parameters.csv");

/// The declaration of a parameter the models know: name, unit, the smallest and largest
/// physically meaningful value, and what it means in English and French. A value outside
/// `[min, max]` is an error; `low`/`high` in a parameters table are the (narrower)
/// uncertainty range. The default value, its range and its source are data: the bundled
/// `data/aura/parameters.csv`, whose rows must agree with these declarations (tested).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Declaration {
    /// Name, as in a parameters table and in [`ModelParams`].
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Smallest meaningful value.
    pub min: f64,
    /// Largest meaningful value.
    pub max: f64,
    /// Meaning, in English.
    pub description_en: &'static str,
    /// Meaning, in French.
    pub description_fr: &'static str,
}

/// One line per parameter: the [`Declaration`]s in [`KNOWN`], the fields of
/// [`ModelParams`] and [`ModelParams::from_fn`] all follow from it.
macro_rules! parameters {
    ($($name:ident: $unit:literal, [$min:expr, $max:expr], $en:literal, $fr:literal;)*) => {
        /// Every parameter the models know, in declaration order.
        pub const KNOWN: &[Declaration] = &[$(Declaration {
            name: stringify!($name),
            unit: $unit,
            min: $min,
            max: $max,
            description_en: $en,
            description_fr: $fr,
        },)*];

        /// The parameter values the models read, as a flat struct of numbers (cheap to
        /// copy, so a Monte Carlo draw is one struct). Units as in [`KNOWN`].
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct ModelParams {
            $(#[doc = $en] pub $name: f64,)*
        }

        impl ModelParams {
            /// The flat struct from a value per parameter name (NaN for a name `v` does not
            /// know).
            pub fn from_fn(v: impl Fn(&str) -> f64) -> ModelParams {
                ModelParams { $($name: v(stringify!($name)),)* }
            }

            /// The flat struct from values in [`KNOWN`] order.
            pub fn from_values(values: &[f64]) -> ModelParams {
                let mut it = values.iter().copied();
                ModelParams { $($name: it.next().unwrap_or(f64::NAN),)* }
            }
        }
    };
}

parameters! {
    allowance: "fraction", [0.0, 1.0],
        "allowance added to standard minutes (SAM)",
        "majoration des temps standard (SAM) pour besoins personnels, fatigue et aléas";
    line_efficiency: "fraction", [0.05, 1.0],
        "default steady line efficiency when the survey cell is empty",
        "rendement stabilisé de la ligne par défaut, quand l'enquête ne le donne pas";
    hours_per_week: "h/week", [1.0, 60.0],
        "default contract hours per week when the survey cell is empty",
        "durée hebdomadaire du contrat par défaut, quand l'enquête ne la donne pas";
    annual_hours: "h/yr", [500.0, 2600.0],
        "worked hours per full-time-equivalent year",
        "heures travaillées par an pour un équivalent temps plein";
    paid_hours: "h/yr", [500.0, 2600.0],
        "paid hours per full-time year (paid leave and holidays included)",
        "heures payées par an à temps plein (congés payés et jours fériés compris)";
    absenteeism: "fraction", [0.0, 0.5],
        "share of worked hours lost to absence",
        "part des heures travaillées perdue pour absence";
    smic_hourly_eur: "EUR/h", [1.0, 100.0],
        "minimum gross hourly wage (SMIC)",
        "salaire minimum horaire brut (SMIC)";
    wage_premium: "fraction", [0.0, 2.0],
        "operator gross wage above SMIC",
        "salaire brut d'un opérateur au-dessus du SMIC";
    employer_rate: "fraction", [0.0, 1.0],
        "employer contributions and costs left after the reduction generale (fraction of gross wage)",
        "cotisations et charges patronales restant après la réduction générale (part du salaire brut)";
    overhead_rate: "fraction", [0.0, 5.0],
        "default workshop overhead as a fraction of direct labour cost",
        "frais généraux de l'atelier par défaut, en part du coût de la main-d'œuvre directe";
    programme_share: "fraction", [0.0, 1.0],
        "default share of a workshop's capacity offered to the programme",
        "part de la capacité d'un atelier offerte au programme, par défaut";
    reference_garment_workforce: "persons", [1.0, 1e7],
        "salaried jobs of the region's garment industry, the reference of survey_coverage",
        "emplois salariés de l'habillement de la région, référence de la couverture de l'enquête";
    nonrespondent_size_ratio: "fraction", [0.0, 2.0],
        "operators of a workshop that did not answer, as a fraction of its département's respondents' mean (survey_extrapolation = ratio)",
        "opérateurs d'un atelier qui n'a pas répondu, en part de la moyenne des répondants de son département (survey_extrapolation = ratio)";
    overcut: "fraction", [0.0, 0.5],
        "fabric bought beyond the net consumption",
        "tissu acheté au-delà de la consommation nette (chutes de coupe)";
    personalisation_supplies_eur: "EUR/piece", [0.0, 100.0],
        "supplies for personalising one piece",
        "fournitures de personnalisation d'une pièce";
    logistics_eur_per_piece: "EUR/piece", [0.0, 100.0],
        "logistics from workshop to school per piece",
        "logistique de l'atelier à l'établissement, par pièce";
    margin_rate: "fraction", [0.0, 1.0],
        "margin added on the full cost",
        "marge ajoutée au coût complet";
    vat_rate: "fraction", [0.0, 1.0],
        "VAT on the price paid by the Région",
        "TVA sur le prix payé par la Région";
    flq_delta: "fraction", [0.0, 0.999],
        "Flegg's delta of the FLQ regionalisation of the French input-output table to AURA",
        "delta de Flegg de la régionalisation FLQ du tableau entrées-sorties français vers AURA";
    materials_regional_share: "fraction", [0.0, 1.0],
        "share of materials bought from regional producers (the rest leaks out of the region)",
        "part des matières achetées à des producteurs de la région (le reste sort de la région)";
    displacement_share: "fraction", [0.0, 1.0],
        "share of the programme's regional demand that displaces other regional demand",
        "part de la demande régionale du programme qui se substitue à une autre demande régionale";
    order_weeks_before_rentree: "weeks", [1.0, 104.0],
        "weeks between the order (fabric ordered the same day) and the rentrée the kits are for",
        "semaines entre la commande (tissu commandé le même jour) et la rentrée à laquelle les kits sont destinés";
    fabric_lead_days: "days", [0.0, 365.0],
        "calendar days from the fabric order to fabric at the workshop",
        "jours calendaires entre la commande du tissu et sa livraison à l'atelier";
    line_setting_days: "working days", [0.0, 60.0],
        "working days of line setting with no output",
        "jours ouvrés de mise en place de la ligne, sans production";
    ramp_up_start_fraction: "fraction", [0.05, 1.0],
        "efficiency on the first production day as a fraction of steady efficiency",
        "rendement du premier jour de production, en part du rendement stabilisé";
    ramp_up_reach_fraction: "fraction", [0.05, 1.0],
        "fraction of steady efficiency reached after ramp_up_reach_days",
        "part du rendement stabilisé atteinte après ramp_up_reach_days";
    ramp_up_reach_days: "production days", [0.1, 120.0],
        "production days to reach ramp_up_reach_fraction",
        "jours de production pour atteindre ramp_up_reach_fraction";
    personalisation_days: "working days", [0.0, 60.0],
        "working days of personalisation (embroidery of the logo and names) after the last piece",
        "jours ouvrés de personnalisation (broderie du logo et des noms) après la dernière pièce";
    delivery_days: "business days", [0.0, 60.0],
        "business days of delivery to the schools",
        "jours ouvrables de livraison aux établissements";
    august_closure_weeks: "weeks", [0.0, 8.0],
        "weeks of August closure from the first Monday of August",
        "semaines de fermeture estivale à partir du premier lundi d'août";
    training_months: "months", [0.0, 60.0],
        "months before a trainee works as an operator",
        "mois avant qu'un stagiaire en formation travaille comme opérateur";
    transport_eur_per_piece_km: "EUR/(piece km)", [0.0, 1.0],
        "transport cost from a workshop's prefecture to a school département's",
        "coût de transport de la préfecture d'un atelier à celle du département d'un établissement";
    import_price_factor: "fraction", [0.0, 10.0],
        "multiplier on the catalog's import prices (their doubt)",
        "multiplicateur des prix à l'importation du catalogue (leur incertitude)";
    employee_rate: "fraction", [0.0, 1.0],
        "employee social contributions (basic and complementary pensions) as a fraction of gross wage",
        "cotisations sociales salariales (retraites de base et complémentaire) en part du salaire brut";
    csg_crds_rate: "fraction", [0.0, 1.0],
        "CSG and CRDS as a fraction of gross wage",
        "CSG et CRDS en part du salaire brut";
    income_tax_rate: "fraction", [0.0, 1.0],
        "income tax of an operator as a fraction of gross wage",
        "impôt sur le revenu d'un opérateur en part du salaire brut";
    hires_from_jobseekers_share: "fraction", [0.0, 1.0],
        "share of the net direct jobs filled by jobseekers who would otherwise stay unemployed",
        "part des emplois directs nets pourvus par des demandeurs d'emploi qui sinon le resteraient";
    jobseekers_indemnified_share: "fraction", [0.0, 1.0],
        "share of registered jobseekers paid an unemployment benefit",
        "part des demandeurs d'emploi inscrits qui perçoivent une allocation chômage";
    unemployment_benefit_eur: "EUR/yr", [0.0, 1e5],
        "average unemployment benefit paid to an indemnified jobseeker in a year",
        "allocation chômage moyenne versée en un an à un demandeur d'emploi indemnisé";
    fabric_kg_per_m: "kg/m", [0.01, 5.0],
        "mass of a metre of the catalog's fabric",
        "masse d'un mètre du tissu du catalogue";
    yarn_kgco2e_per_kg: "kgCO2e/kg", [0.0, 100.0],
        "footprint of fibre and spun yarn per kg of fabric (the same yarn for both options)",
        "empreinte de la fibre et du fil par kg de tissu (le même fil pour les deux options)";
    fabric_kwh_per_kg: "kWh/kg", [0.0, 200.0],
        "electricity of knitting, dyeing and finishing a kg of fabric",
        "électricité du tricotage, de la teinture et de l'ennoblissement d'un kg de tissu";
    making_kwh_per_hour: "kWh/h", [0.0, 20.0],
        "electricity of making per operator hour (machines, pressing, lighting)",
        "électricité de la confection par heure d'opérateur (machines, repassage, éclairage)";
    grid_france_kgco2e_per_kwh: "kgCO2e/kWh", [0.0, 2.0],
        "footprint of a kWh of electricity in France",
        "empreinte d'un kWh d'électricité en France";
    grid_import_kgco2e_per_kwh: "kgCO2e/kWh", [0.0, 2.0],
        "footprint of a kWh of electricity in the country the imported kits come from",
        "empreinte d'un kWh d'électricité dans le pays d'où viennent les kits importés";
    trims_kgco2e_per_piece: "kgCO2e/piece", [0.0, 10.0],
        "footprint of the trims and packaging of a piece (the same for both options)",
        "empreinte des fournitures et de l'emballage d'une pièce (la même pour les deux options)";
    sea_km: "km", [0.0, 40000.0],
        "sea distance of the imported kits, from the exporting port to a French port",
        "distance maritime des kits importés, du port d'exportation à un port français";
    import_road_km: "km", [0.0, 5000.0],
        "road distance of the imported kits, factory to port and French port to the region",
        "distance routière des kits importés, de l'usine au port et du port français à la région";
    local_road_km: "km", [0.0, 2000.0],
        "road distance of fabric and pieces made in the region (mill, workshop, depot)",
        "distance routière du tissu et des pièces faits dans la région (usine textile, atelier, dépôt)";
    school_delivery_km: "km", [0.0, 1000.0],
        "road distance of delivery from the depot to the schools (both options)",
        "distance routière de la livraison du dépôt aux établissements (les deux options)";
    sea_kgco2e_per_tkm: "kgCO2e/tkm", [0.0, 1.0],
        "footprint of container shipping per tonne-km",
        "empreinte du transport maritime en conteneur par tonne-km";
    road_kgco2e_per_tkm: "kgCO2e/tkm", [0.0, 2.0],
        "footprint of road freight by articulated lorry per tonne-km",
        "empreinte du transport routier en semi-remorque par tonne-km";
    van_kgco2e_per_tkm: "kgCO2e/tkm", [0.0, 10.0],
        "footprint of delivery by light van per tonne-km",
        "empreinte de la livraison en véhicule utilitaire léger par tonne-km";
    // New regional capacity (issue 13): operators recruited and trained for the programme in
    // new workshops or lines. Appended last: the Monte Carlo draws streams in this order.
    new_capacity_lead_months: "months", [0.0, 60.0],
        "months from the order to the first output of a new workshop or line (set-up, recruitment and training of its operators)",
        "mois entre la commande et la première production d'un nouvel atelier ou d'une nouvelle ligne (installation, recrutement et formation de ses opérateurs)";
    new_capacity_investment_eur_per_operator: "EUR/operator", [0.0, 1e6],
        "investment of a new workstation (machines, table, fit-out of the space) per operator",
        "investissement d'un nouveau poste de travail (machines, table, aménagement du local) par opérateur";
    new_capacity_amortisation_years: "years", [1.0, 50.0],
        "years over which new capacity's investment, recruitment and training are amortised",
        "années sur lesquelles l'investissement, le recrutement et la formation de la nouvelle capacité sont amortis";
    recruitment_training_eur_per_operator: "EUR/operator", [0.0, 1e5],
        "recruiting and training one operator for new capacity (all funders, public funding included)",
        "recrutement et formation d'un opérateur de la nouvelle capacité (tous financeurs, financements publics compris)";
    new_capacity_efficiency_fraction: "fraction", [0.05, 1.0],
        "efficiency of new capacity in its first year (learning), as a fraction of line_efficiency",
        "rendement de la nouvelle capacité la première année (apprentissage), en part de line_efficiency";
    new_capacity_max_operators_per_year: "operators/yr", [0.0, 1e6],
        "operators the region can recruit and train for new capacity a year, recruiting ahead from the launch: by programme year k (0 first) at most (k + 1) times this (1e6: no bound)",
        "opérateurs que la région peut recruter et former par an pour la nouvelle capacité, en recrutant dès le lancement : à l'année k du programme (0 la première) au plus (k + 1) fois ce nombre (1e6 : sans limite)";
}

/// A probability distribution over a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// No uncertainty: always `value`.
    Fixed,
    /// Uniform on `[low, high]`.
    Uniform,
    /// Triangular on `[low, high]` with mode `value`.
    Triangular,
    /// Beta-PERT on `[low, high]` with mode `value`.
    Pert,
    /// Normal with mean `value`, `low`/`high` its 5th and 95th percentiles.
    Normal,
    /// Log-normal with median `value`, `low`/`high` its 5th and 95th percentiles.
    Lognormal,
}

impl Distribution {
    fn as_str(self) -> &'static str {
        match self {
            Distribution::Fixed => "fixed",
            Distribution::Uniform => "uniform",
            Distribution::Triangular => "triangular",
            Distribution::Pert => "pert",
            Distribution::Normal => "normal",
            Distribution::Lognormal => "lognormal",
        }
    }
}

const DISTRIBUTIONS: &[(&str, &[&str])] = &[
    ("fixed", &["constant", "none"]),
    ("uniform", &["uniforme"]),
    ("triangular", &["triangle", "triangulaire"]),
    ("pert", &["beta_pert", "betapert"]),
    ("normal", &["normale", "gaussian"]),
    ("lognormal", &["log_normal", "lognormale"]),
];

/// Any amount a parameters table may hold (the domain check comes from the declarations).
const AMOUNT: Kind = Kind::Float {
    min: -1e12,
    max: 1e12,
};

/// Schema of the `parameters` table.
pub const PARAMETERS: TableSpec = TableSpec {
    name: "parameters",
    nonresponse: None,
    columns: &[
        col("name", Kind::Text, true, "", "parameter name"),
        col("value", AMOUNT, true, "", "central value"),
        col("unit", Kind::Text, true, "", "unit of value, low and high"),
        col("low", AMOUNT, false, "", "low end of the uncertainty range"),
        col(
            "high",
            AMOUNT,
            false,
            "",
            "high end of the uncertainty range",
        ),
        col(
            "distribution",
            Kind::Choice(DISTRIBUTIONS),
            false,
            "",
            "fixed, uniform, triangular, pert, normal or lognormal",
        ),
        col(
            "source",
            Kind::Text,
            true,
            "",
            "publication the value comes from, or `assumption` and why",
        ),
        col(
            "description",
            Kind::Text,
            false,
            "",
            "what the parameter means (default: its declaration's English text)",
        ),
        col(
            "description_fr",
            Kind::Text,
            false,
            "",
            "what the parameter means, in French (default: its declaration's)",
        ),
    ],
};

/// One parameter with its uncertainty and provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name (one of [`KNOWN`]).
    pub name: String,
    /// Central value.
    pub value: f64,
    /// Unit.
    pub unit: String,
    /// Low end of the uncertainty range.
    pub low: f64,
    /// High end of the uncertainty range.
    pub high: f64,
    /// Distribution over `[low, high]`.
    pub distribution: Distribution,
    /// Source, or `assumption` and why.
    pub source: String,
    /// Meaning, in English.
    pub description: String,
    /// Meaning, in French.
    #[serde(default)]
    pub description_fr: String,
}

/// A complete, validated parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    entries: BTreeMap<String, Parameter>,
}

/// The declaration of a known parameter.
pub fn domain(name: &str) -> Option<&'static Declaration> {
    KNOWN.iter().find(|k| k.name == name)
}

fn check_value(name: &str, value: f64) -> std::result::Result<(), String> {
    let Some(&Declaration { unit, min, max, .. }) = domain(name) else {
        let names: Vec<&str> = KNOWN.iter().map(|k| k.name).collect();
        return Err(format!(
            "unknown parameter; known parameters: {}",
            names.join(", ")
        ));
    };
    if !value.is_finite() || value < min || value > max {
        return Err(format!(
            "value {value} is outside the allowed range [{min}, {max}] {unit}"
        ));
    }
    Ok(())
}

impl Params {
    /// The bundled defaults (sourced in `data/aura/parameters.csv`), parsed once.
    pub fn defaults() -> Self {
        static DEFAULTS: std::sync::OnceLock<Params> = std::sync::OnceLock::new();
        DEFAULTS
            .get_or_init(|| {
                let rows = read_bytes(
                    "data/aura/parameters.csv",
                    DEFAULT_PARAMETERS_CSV.as_bytes(),
                )
                .and_then(|raw| Self::parse_table(&raw))
                .expect("the bundled parameter table is valid (tested)");
                Params {
                    entries: rows.into_iter().map(|p| (p.name.clone(), p)).collect(),
                }
            })
            .clone()
    }

    /// Parse and validate a parameters table (a subset of the known parameters).
    ///
    /// # Errors
    /// [`Error::Schema`] for bad cells, unknown names, duplicated names, wrong units,
    /// values outside their domain, `low > high` or `value` outside `[low, high]`.
    pub fn parse_table(raw: &RawTable) -> Result<Vec<Parameter>> {
        let t = validate(raw, &PARAMETERS).map_err(|e| match e {
            Error::Schema(p) => Error::ParameterTable(p),
            other => other,
        })?;
        let mut problems = Vec::new();
        let mut out: Vec<Parameter> = Vec::new();
        for i in 0..t.height {
            let row = Some(t.row_number(i));
            let mut problem = |column: &str, value: Option<String>, message: String| {
                problems.push(Problem {
                    file: t.file.clone(),
                    row,
                    column: Some(column.into()),
                    value,
                    message,
                });
            };
            let name = t.text("name", i).unwrap_or_default().trim().to_owned();
            let value = t.float("value", i).unwrap_or(f64::NAN);
            let low = t.float("low", i).unwrap_or(value);
            let high = t.float("high", i).unwrap_or(value);
            let unit = t.text("unit", i).unwrap_or_default().trim().to_owned();
            let Some(declared) = domain(&name) else {
                let names: Vec<&str> = KNOWN.iter().map(|k| k.name).collect();
                problem(
                    "name",
                    Some(name.clone()),
                    format!(
                        "unknown parameter; check the spelling. Known parameters: {}",
                        names.join(", ")
                    ),
                );
                continue;
            };
            if let Err(message) = check_value(&name, value) {
                problem(
                    "value",
                    Some(value.to_string()),
                    format!("`{name}`: {message}"),
                );
                continue;
            }
            let expected_unit = declared.unit;
            if unit != expected_unit {
                problem(
                    "unit",
                    Some(unit.clone()),
                    format!("`{name}` is expressed in {expected_unit}; convert the value"),
                );
            }
            if low > high {
                problem(
                    "low",
                    Some(format!("low {low} > high {high}")),
                    format!("`{name}`: low must not exceed high"),
                );
            } else if value < low || value > high {
                problem(
                    "value",
                    Some(value.to_string()),
                    format!(
                        "`{name}`: the central value must lie within [low, high] = [{low}, {high}]"
                    ),
                );
            }
            for (column, bound) in [("low", low), ("high", high)] {
                if let Err(message) = check_value(&name, bound) {
                    problem(column, Some(bound.to_string()), message);
                }
            }
            if out.iter().any(|p| p.name == name) {
                problem(
                    "name",
                    Some(name.clone()),
                    "parameter given twice; keep one row".into(),
                );
            }
            let distribution = match t.text("distribution", i) {
                Some(d) => DISTRIBUTIONS
                    .iter()
                    .position(|(c, _)| *c == d)
                    .map(|k| {
                        [
                            Distribution::Fixed,
                            Distribution::Uniform,
                            Distribution::Triangular,
                            Distribution::Pert,
                            Distribution::Normal,
                            Distribution::Lognormal,
                        ][k]
                    })
                    .unwrap_or(Distribution::Fixed),
                None if low < high => Distribution::Triangular,
                None => Distribution::Fixed,
            };
            if distribution == Distribution::Lognormal && low <= 0.0 {
                problem(
                    "low",
                    Some(low.to_string()),
                    format!("`{name}`: a lognormal range must be positive"),
                );
            }
            out.push(Parameter {
                name,
                value,
                unit,
                low,
                high,
                distribution,
                source: t.text("source", i).unwrap_or_default().to_owned(),
                description: t
                    .text("description", i)
                    .map_or_else(|| declared.description_en.to_owned(), str::to_owned),
                description_fr: t
                    .text("description_fr", i)
                    .map_or_else(|| declared.description_fr.to_owned(), str::to_owned),
            });
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(Error::ParameterTable(Problems(problems)))
        }
    }

    /// Defaults with the rows of `table` replacing them.
    ///
    /// # Errors
    /// As [`Params::parse_table`].
    pub fn from_table(raw: &RawTable) -> Result<Self> {
        let mut params = Self::defaults();
        for p in Self::parse_table(raw)? {
            params.entries.insert(p.name.clone(), p);
        }
        Ok(params)
    }

    /// A copy with some values replaced (e.g. `line_efficiency = 0.6`). The uncertainty
    /// range widens to include the new value.
    ///
    /// # Errors
    /// [`Error::Parameter`] for an unknown name or a value outside the parameter's domain.
    pub fn with_values<'a>(
        &self,
        values: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> Result<Self> {
        let mut params = self.clone();
        for (name, value) in values {
            check_value(name, value).map_err(|reason| Error::parameter(name, reason))?;
            let p = params.entries.get_mut(name).ok_or_else(|| {
                Error::Internal(format!("known parameter `{name}` missing from the set"))
            })?;
            p.value = value;
            p.low = p.low.min(value);
            p.high = p.high.max(value);
            p.source = format!("override ({})", p.source);
        }
        Ok(params)
    }

    /// The value of a parameter.
    ///
    /// # Errors
    /// [`Error::Parameter`] if the name is unknown.
    pub fn value(&self, name: &str) -> Result<f64> {
        self.entries
            .get(name)
            .map(|p| p.value)
            .ok_or_else(|| Error::parameter(name, "unknown parameter"))
    }

    /// All parameters, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Parameter> {
        self.entries.values()
    }

    /// The values the models use, as plain numbers.
    pub fn model(&self) -> ModelParams {
        ModelParams::from_fn(|name| self.entries.get(name).map_or(f64::NAN, |p| p.value))
    }
}

/// Distribution name as written in tables.
pub fn distribution_name(d: Distribution) -> &'static str {
    d.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_defaults_cover_every_known_parameter() {
        let p = Params::defaults();
        for Declaration { name, .. } in KNOWN {
            assert!(
                p.value(name).is_ok(),
                "{name} missing from data/aura/parameters.csv"
            );
        }
        assert!(p.iter().all(|p| !p.source.is_empty()));
    }

    #[test]
    fn bundled_table_agrees_with_the_declarations() {
        let p = Params::defaults();
        assert_eq!(p.iter().count(), KNOWN.len());
        for d in KNOWN {
            let row = p.iter().find(|r| r.name == d.name).unwrap();
            assert_eq!(row.unit, d.unit, "{}", d.name);
            assert_eq!(row.description, d.description_en, "{}", d.name);
            assert_eq!(row.description_fr, d.description_fr, "{}", d.name);
            assert!((d.min..=d.max).contains(&row.low), "{}", d.name);
            assert!((d.min..=d.max).contains(&row.high), "{}", d.name);
        }
        // Every field of the struct follows the declaration order.
        let values: Vec<f64> = (0..KNOWN.len()).map(|i| i as f64).collect();
        let m = ModelParams::from_values(&values);
        let by_name =
            ModelParams::from_fn(|n| KNOWN.iter().position(|d| d.name == n).unwrap() as f64);
        assert_eq!(m, by_name);
        assert_eq!(
            m.new_capacity_max_operators_per_year,
            (KNOWN.len() - 1) as f64
        );
    }

    /// Every parameter of the balance (issue 16) names its publication and year, or says
    /// `assumption` and why.
    #[test]
    fn balance_parameters_are_sourced_or_assumed() {
        let first = KNOWN
            .iter()
            .position(|d| d.name == "import_price_factor")
            .unwrap();
        let defaults = Params::defaults();
        for d in &KNOWN[first..] {
            let row = defaults.iter().find(|r| r.name == d.name).unwrap();
            let s = row.source.as_str();
            let dated = s
                .split(|c: char| !c.is_ascii_digit())
                .any(|w| w.len() == 4 && (w.starts_with("19") || w.starts_with("20")));
            assert!(s.contains("assumption") || dated, "{}: {s}", d.name);
            assert!(
                s.contains("assumption") && s.len() > "assumption: ".len() + 10 || dated,
                "{}",
                d.name
            );
        }
        // The 21 parameters of the balance, then the new capacity's.
        assert_eq!(first + 21 + NEW_CAPACITY_PARAMETERS.len(), KNOWN.len());
    }

    /// The parameters of new regional capacity (issue 13), in declaration order.
    const NEW_CAPACITY_PARAMETERS: [&str; 6] = [
        "new_capacity_lead_months",
        "new_capacity_investment_eur_per_operator",
        "new_capacity_amortisation_years",
        "recruitment_training_eur_per_operator",
        "new_capacity_efficiency_fraction",
        "new_capacity_max_operators_per_year",
    ];

    /// They come last, so the Monte Carlo streams of every parameter declared before them
    /// are the same as before they were added; each has a range and a source.
    #[test]
    fn new_capacity_parameters_are_last_uncertain_and_sourced() {
        let names: Vec<&str> = KNOWN.iter().map(|d| d.name).collect();
        assert_eq!(
            names[KNOWN.len() - NEW_CAPACITY_PARAMETERS.len()..],
            NEW_CAPACITY_PARAMETERS
        );
        let defaults = Params::defaults();
        for name in NEW_CAPACITY_PARAMETERS {
            let p = defaults.iter().find(|p| p.name == name).unwrap();
            assert!(p.low < p.value && p.value < p.high, "{name}");
            assert_eq!(p.distribution, Distribution::Triangular, "{name}");
            assert!(p.source.len() > 100, "{name}: {}", p.source);
        }
        let m = defaults.model();
        assert_eq!(m.new_capacity_lead_months, 12.0);
        assert_eq!(m.new_capacity_investment_eur_per_operator, 12_000.0);
        assert_eq!(m.new_capacity_amortisation_years, 7.0);
        assert_eq!(m.recruitment_training_eur_per_operator, 5_000.0);
        assert_eq!(m.new_capacity_efficiency_fraction, 0.7);
        assert_eq!(m.new_capacity_max_operators_per_year, 500.0);
        // Set-up and training take at least the training of an operator.
        assert!(m.new_capacity_lead_months >= m.training_months);
        // "No bound" is the top of the domain; 0 closes the option.
        let d = domain("new_capacity_max_operators_per_year").unwrap();
        assert_eq!((d.min, d.max), (0.0, 1e6));
        for ok in [0.0, 1e6] {
            assert!(defaults
                .with_values([("new_capacity_max_operators_per_year", ok)])
                .is_ok());
        }
    }

    #[test]
    fn new_capacity_values_outside_their_domain_are_refused() {
        let p = Params::defaults();
        for (name, bad) in [
            ("new_capacity_lead_months", -1.0),
            ("new_capacity_lead_months", 61.0),
            ("new_capacity_investment_eur_per_operator", -1.0),
            ("new_capacity_amortisation_years", 0.5),
            ("recruitment_training_eur_per_operator", f64::NAN),
            ("new_capacity_efficiency_fraction", 0.0),
            ("new_capacity_efficiency_fraction", 1.2),
            ("new_capacity_max_operators_per_year", -5.0),
            ("new_capacity_max_operators_per_year", f64::INFINITY),
        ] {
            let err = p.with_values([(name, bad)]).unwrap_err();
            assert!(
                matches!(&err, Error::Parameter { name: n, .. } if n == name),
                "{name} = {bad}: {err}"
            );
        }
        let csv = "name,value,unit,source\nnew_capacity_lead_months,12,weeks,x\n";
        let err = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("expressed in months"), "{err}");
    }

    /// `unmet_penalty_eur` left the study (issue 13): a table that still lists it is told so.
    #[test]
    fn unmet_penalty_is_no_longer_a_parameter() {
        assert!(domain("unmet_penalty_eur").is_none());
        let csv = "name,value,unit,source\nunmet_penalty_eur,1000,EUR/piece,x\n";
        let err = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("unknown parameter"), "{err}");
    }

    #[test]
    fn a_table_without_descriptions_gets_the_declared_ones() {
        let csv = "name,value,unit,source\nallowance,0.1,fraction,x\n";
        let p = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap();
        let a = p.iter().find(|r| r.name == "allowance").unwrap();
        assert_eq!(a.value, 0.1);
        assert!(
            a.description_fr.starts_with("majoration"),
            "{}",
            a.description_fr
        );
    }

    #[test]
    fn low_above_high_is_refused() {
        let csv = "name,value,unit,low,high,distribution,source\nallowance,0.12,fraction,0.2,0.1,uniform,test\n";
        let err = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("low must not exceed high"),
            "{err}"
        );
        assert!(err.to_string().contains("row 2"), "{err}");
    }

    #[test]
    fn wrong_unit_and_unknown_name_are_refused() {
        let csv = "name,value,unit,source\nallowance,12,%,x\nfoo,1,h,x\n";
        let err = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unknown parameter"), "{text}");
        assert!(text.contains("outside the allowed range"), "{text}");
    }

    #[test]
    fn unknown_name_is_reported_in_the_name_column() {
        let csv =
            "name,value,unit,source\nallowance,0.1,fraction,x\nline_eficiency,0.5,fraction,x\n";
        let err = Params::from_table(&read_bytes("p.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::ParameterTable(Problems(p)) = &err else {
            panic!("{err}")
        };
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].row, p[0].column.as_deref()), (Some(3), Some("name")));
        assert_eq!(p[0].value.as_deref(), Some("line_eficiency"));
        assert!(p[0].message.contains("line_efficiency"), "{err}");
    }

    #[test]
    fn overrides_are_checked() {
        let p = Params::defaults();
        assert_eq!(
            p.with_values([("line_efficiency", 0.6)])
                .unwrap()
                .model()
                .line_efficiency,
            0.6
        );
        assert!(matches!(
            p.with_values([("line_efficiency", 1.6)]),
            Err(Error::Parameter { .. })
        ));
        assert!(matches!(
            p.with_values([("nope", 1.0)]),
            Err(Error::Parameter { .. })
        ));
    }
}
