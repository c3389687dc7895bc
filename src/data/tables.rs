//! The input tables of a study, their schemas, and their typed rows.
//!
//! Schemas are documented for users in `data/README.md`; keep the two in step.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Problem, Problems, Result};

use super::read::RawTable;
use super::schema::{check_unique, validate, ColumnSpec, Kind, NonResponse, Table, TableSpec};

pub(crate) const fn col(
    name: &'static str,
    kind: Kind,
    required: bool,
    unit: &'static str,
    description: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        required,
        unit,
        description,
        question: None,
    }
}

/// Largest operator count accepted for one workshop: beyond it a cell is a typo.
pub const MAX_OPERATORS: i64 = 5_000;

/// Schema of the `workshops` table (the capacity survey, one row per workshop), with the
/// questions of the survey questionnaire (`filiere questionnaire`) in French and English.
pub const WORKSHOPS: TableSpec = TableSpec {
    name: "workshops",
    nonresponse: Some(NonResponse {
        flag: "answered",
        identity: &["workshop_id", "departement"],
    }),
    columns: &[
        col("workshop_id", Kind::Text, true, "", "anonymous workshop identifier").ask(
            "Identifiant de l'atelier",
            "Workshop identifier",
            "",
            "identifiant anonyme de l'atelier, unique (donné par le cluster)",
        ),
        col("name", Kind::Text, false, "", "workshop name").ask(
            "Nom de l'atelier",
            "Workshop name",
            "",
            "nom de l'atelier",
        ),
        col("departement", Kind::Departement, true, "", "département code").ask(
            "Département (code)",
            "Département (code)",
            "",
            "code du département où se trouve l'atelier (01, 42, 69...)",
        ),
        col(
            "operators",
            Kind::Int {
                min: 0,
                max: MAX_OPERATORS,
            },
            true,
            "persons",
            "production operators",
        )
        .ask(
            "Nombre d'opérateurs de production",
            "Number of production operators",
            "personnes",
            "opérateurs de production : coupe, piqûre, finition",
        ),
        col(
            "hours_per_week",
            Kind::Float {
                min: 1.0,
                max: 60.0,
            },
            false,
            "h/week",
            "contract hours per operator",
        )
        .ask(
            "Heures hebdomadaires par opérateur",
            "Weekly hours per operator",
            "h/semaine",
            "durée hebdomadaire du contrat d'un opérateur (vide : 35 h)",
        ),
        col(
            "shifts",
            Kind::Int { min: 1, max: 3 },
            false,
            "shifts/day",
            "shifts worked per day",
        )
        .ask(
            "Nombre d'équipes par jour",
            "Shifts per day",
            "équipes/jour",
            "équipes travaillant chaque jour (1 à 3)",
        ),
        col(
            "efficiency",
            Kind::Fraction {
                min: 0.05,
                max: 1.0,
            },
            false,
            "fraction",
            "steady sewing-line efficiency",
        )
        .ask(
            "Rendement de la ligne de couture",
            "Sewing-line efficiency",
            "fraction (0,55 = 55 %)",
            "rendement stabilisé : minutes standard produites / minutes travaillées (vide : 0,55)",
        ),
        col(
            "programme_share",
            Kind::Fraction { min: 0.0, max: 1.0 },
            false,
            "fraction",
            "share of capacity offered to the programme",
        )
        .ask(
            "Part de la capacité offerte au programme",
            "Share of capacity offered to the programme",
            "fraction (0,3 = 30 %)",
            "part de votre capacité que vous pourriez consacrer aux tenues scolaires (vide : 0,3)",
        ),
        col(
            "products",
            Kind::List,
            true,
            "",
            "products it can make, `|`-separated catalog ids",
        )
        .ask(
            "Produits fabriqués",
            "Products made",
            "",
            "produits que l'atelier sait fabriquer (une colonne oui/non par produit dans le questionnaire)",
        ),
        col(
            "hourly_cost_eur",
            Kind::Float {
                min: 1.0,
                max: 200.0,
            },
            false,
            "EUR/worked h",
            "loaded hourly labour cost",
        )
        .ask(
            "Coût horaire chargé d'un opérateur",
            "Loaded hourly cost of an operator",
            "EUR/heure travaillée",
            "salaire et charges patronales par heure travaillée (vide : calculé depuis le SMIC)",
        ),
        col(
            "overhead_rate",
            Kind::Fraction { min: 0.0, max: 5.0 },
            false,
            "fraction of labour",
            "overhead as a share of direct labour cost",
        )
        .ask(
            "Frais généraux en part du coût de main-d'oeuvre directe",
            "Overhead as a share of direct labour cost",
            "fraction du coût de main-d'oeuvre (1 = 100 %)",
            "loyers, énergie, encadrement, amortissements rapportés au coût de main-d'oeuvre directe (vide : 1)",
        ),
        col(
            "can_hire",
            Kind::Int {
                min: 0,
                max: MAX_OPERATORS,
            },
            false,
            "persons",
            "operators it could hire within a year",
        )
        .ask(
            "Opérateurs que vous pourriez embaucher en un an",
            "Operators you could hire within a year",
            "personnes",
            "embauches d'opérateurs possibles dans l'année (locaux, machines, encadrement)",
        ),
        col(
            "training_centre",
            Kind::Bool,
            false,
            "",
            "has a training centre",
        )
        .ask(
            "Centre de formation interne",
            "In-house training centre",
            "",
            "l'atelier forme-t-il lui-même des opérateurs ? (oui/non)",
        ),
        col(
            "trainees",
            Kind::Int {
                min: 0,
                max: MAX_OPERATORS,
            },
            false,
            "persons/yr",
            "trainees trained per year",
        )
        .ask(
            "Stagiaires formés par an",
            "Trainees trained per year",
            "personnes/an",
            "opérateurs formés chaque année par votre centre de formation",
        ),
        col(
            "can_personalise",
            Kind::Bool,
            false,
            "",
            "can embroider or print logos in house",
        )
        .ask(
            "Personnalisation (broderie ou impression de logos) en interne",
            "In-house personalisation (logo embroidery or printing)",
            "",
            "l'atelier brode-t-il ou imprime-t-il les logos lui-même ? (oui/non)",
        ),
        col(
            "answered",
            Kind::Bool,
            false,
            "",
            "no for a listed workshop that has not answered (only its identifier and département are needed); yes or empty otherwise",
        )
        .ask(
            "Réponse reçue",
            "Answer received",
            "",
            "réservé au cluster : non pour un atelier qui n'a pas répondu (seuls son identifiant et son département comptent) ; oui ou vide sinon",
        ),
    ],
};

const LEVELS: &[(&str, &[&str])] = &[
    (
        "ecole",
        &["primaire", "elementaire", "maternelle", "school", "primary"],
    ),
    ("college", &["middle_school"]),
    ("lycee", &["high_school", "lycee_professionnel", "lp"]),
];

const SECTORS: &[(&str, &[&str])] = &[
    ("public", &["pu", "publique"]),
    ("private", &["prive", "privee", "pr", "prive_sous_contrat"]),
];

/// Schema of the `establishments` table (schools and their pupils).
pub const ESTABLISHMENTS: TableSpec = TableSpec {
    name: "establishments",
    nonresponse: None,
    columns: &[
        col(
            "uai",
            Kind::Uai,
            false,
            "",
            "UAI code (empty for aggregate rows)",
        ),
        col("name", Kind::Text, true, "", "establishment name"),
        col("city", Kind::Text, false, "", "city"),
        col("postcode", Kind::Text, false, "", "postcode"),
        col(
            "departement",
            Kind::Departement,
            true,
            "",
            "département code",
        ),
        col(
            "level",
            Kind::Choice(LEVELS),
            true,
            "",
            "ecole, college or lycee",
        ),
        col(
            "sector",
            Kind::Choice(SECTORS),
            false,
            "",
            "public or private",
        ),
        col(
            "pupils",
            Kind::Int {
                min: 0,
                max: 2_000_000,
            },
            true,
            "pupils",
            "pupils enrolled",
        ),
    ],
};

/// The catalog figures that may carry an uncertainty range, in optional columns
/// `<column>_low` and `<column>_high` (both or neither, `low ≤ value ≤ high`). The Monte
/// Carlo draws each ranged figure of each product as the input
/// `catalog.<product>.<column>`, triangular on `[low, high]` with mode the central value
/// (`crate::uncertainty::distributions`).
pub const RANGED: [&str; 6] = [
    "sam_cut_min",
    "sam_sew_min",
    "sam_finish_min",
    "sam_personalise_min",
    "fabric_m",
    "fabric_eur_per_m",
];

/// An optional range column of the catalog: same domain as its central column.
const fn range_col(
    name: &'static str,
    max: f64,
    unit: &'static str,
    description: &'static str,
) -> ColumnSpec {
    col(
        name,
        Kind::Float { min: 0.0, max },
        false,
        unit,
        description,
    )
}

/// Schema of the `catalog` table (products and their bill of labour and materials).
pub const CATALOG: TableSpec = TableSpec {
    name: "catalog",
    nonresponse: None,
    columns: &[
        col("product", Kind::Text, true, "", "product identifier"),
        col("name", Kind::Text, false, "", "product name"),
        col(
            "sam_cut_min",
            Kind::Float {
                min: 0.0,
                max: 600.0,
            },
            true,
            "min/piece",
            "standard minutes, cutting",
        ),
        col(
            "sam_sew_min",
            Kind::Float {
                min: 0.0,
                max: 600.0,
            },
            true,
            "min/piece",
            "standard minutes, sewing",
        ),
        col(
            "sam_finish_min",
            Kind::Float {
                min: 0.0,
                max: 600.0,
            },
            true,
            "min/piece",
            "standard minutes, finishing and packing",
        ),
        col(
            "sam_personalise_min",
            Kind::Float {
                min: 0.0,
                max: 600.0,
            },
            true,
            "min/piece",
            "standard minutes, logo embroidery or print",
        ),
        col(
            "fabric_m",
            Kind::Float {
                min: 0.0,
                max: 20.0,
            },
            true,
            "m/piece",
            "fabric per piece, net of over-cut",
        ),
        col(
            "fabric_eur_per_m",
            Kind::Float {
                min: 0.0,
                max: 500.0,
            },
            true,
            "EUR/m",
            "fabric price",
        ),
        col(
            "trims_eur",
            Kind::Float {
                min: 0.0,
                max: 500.0,
            },
            true,
            "EUR/piece",
            "trims: buttons, labels, ribs, thread",
        ),
        col(
            "packaging_eur",
            Kind::Float {
                min: 0.0,
                max: 100.0,
            },
            true,
            "EUR/piece",
            "packaging",
        ),
        col(
            "import_price_eur",
            Kind::Float {
                min: 0.0,
                max: 10_000.0,
            },
            false,
            "EUR/piece",
            "price of the same piece imported, personalised and delivered to schools, before VAT (the balance's baseline)",
        ),
        range_col("sam_cut_min_low", 600.0, "min/piece", "low end of `sam_cut_min`'s range"),
        range_col("sam_cut_min_high", 600.0, "min/piece", "high end of `sam_cut_min`'s range"),
        range_col("sam_sew_min_low", 600.0, "min/piece", "low end of `sam_sew_min`'s range"),
        range_col("sam_sew_min_high", 600.0, "min/piece", "high end of `sam_sew_min`'s range"),
        range_col(
            "sam_finish_min_low",
            600.0,
            "min/piece",
            "low end of `sam_finish_min`'s range",
        ),
        range_col(
            "sam_finish_min_high",
            600.0,
            "min/piece",
            "high end of `sam_finish_min`'s range",
        ),
        range_col(
            "sam_personalise_min_low",
            600.0,
            "min/piece",
            "low end of `sam_personalise_min`'s range",
        ),
        range_col(
            "sam_personalise_min_high",
            600.0,
            "min/piece",
            "high end of `sam_personalise_min`'s range",
        ),
        range_col("fabric_m_low", 20.0, "m/piece", "low end of `fabric_m`'s range"),
        range_col("fabric_m_high", 20.0, "m/piece", "high end of `fabric_m`'s range"),
        range_col(
            "fabric_eur_per_m_low",
            500.0,
            "EUR/m",
            "low end of `fabric_eur_per_m`'s range",
        ),
        range_col(
            "fabric_eur_per_m_high",
            500.0,
            "EUR/m",
            "high end of `fabric_eur_per_m`'s range",
        ),
        col(
            "source",
            Kind::Text,
            false,
            "",
            "where the figures come from",
        ),
    ],
};

/// Level of an establishment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// École (maternelle and élémentaire).
    Ecole,
    /// Collège.
    College,
    /// Lycée (general, technological and vocational).
    Lycee,
}

impl Level {
    /// All levels, youngest first.
    pub const ALL: [Level; 3] = [Level::Ecole, Level::College, Level::Lycee];

    /// The identifier used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ecole => "ecole",
            Level::College => "college",
            Level::Lycee => "lycee",
        }
    }

    fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// One workshop of the capacity survey. `None` fields fall back to parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workshop {
    /// Identifier.
    #[serde(rename = "workshop_id")]
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Département code.
    pub departement: String,
    /// Production operators (persons).
    pub operators: u32,
    /// Contract hours per week (h/week).
    pub hours_per_week: Option<f64>,
    /// Shifts per day.
    pub shifts: Option<u32>,
    /// Steady line efficiency (fraction).
    pub efficiency: Option<f64>,
    /// Share of capacity offered to the programme (fraction).
    pub programme_share: Option<f64>,
    /// Catalog products it can make.
    pub products: Vec<String>,
    /// Loaded hourly labour cost (EUR per worked hour).
    pub hourly_cost_eur: Option<f64>,
    /// Overhead as a fraction of direct labour cost.
    pub overhead_rate: Option<f64>,
    /// Operators it could hire within a year.
    pub can_hire: u32,
    /// Has a training centre.
    pub training_centre: bool,
    /// Trainees per year.
    pub trainees: u32,
    /// Can personalise in house.
    pub can_personalise: bool,
    /// Answered the survey (`false`: a listed workshop that did not; its other fields are
    /// not used, see [`crate::survey`]).
    #[serde(default = "answered_default")]
    pub answered: bool,
}

fn answered_default() -> bool {
    true
}

/// One establishment (or an aggregate of establishments of one level in a département).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Establishment {
    /// UAI code, `None` for aggregate rows.
    pub uai: Option<String>,
    /// Name.
    pub name: String,
    /// Département code.
    pub departement: String,
    /// Level.
    pub level: Level,
    /// `public` or `private`, if known.
    pub sector: Option<String>,
    /// Pupils enrolled.
    pub pupils: u64,
}

/// One product of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Identifier (`polo`, `sweatshirt`).
    #[serde(rename = "product")]
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Standard minutes for cutting (min/piece).
    pub sam_cut_min: f64,
    /// Standard minutes for sewing (min/piece).
    pub sam_sew_min: f64,
    /// Standard minutes for finishing and packing (min/piece).
    pub sam_finish_min: f64,
    /// Standard minutes for personalisation (min/piece).
    pub sam_personalise_min: f64,
    /// Fabric per piece, net of over-cut (m/piece).
    pub fabric_m: f64,
    /// Fabric price (EUR/m).
    pub fabric_eur_per_m: f64,
    /// Trims (EUR/piece).
    pub trims_eur: f64,
    /// Packaging (EUR/piece).
    pub packaging_eur: f64,
    /// Price of the same piece imported, personalised and delivered, before VAT
    /// (EUR/piece); `None` when the catalog does not give it (the balance's money figures
    /// are then NaN).
    pub import_price_eur: Option<f64>,
    /// Uncertainty ranges of the figures of [`RANGED`] the catalog gives one for, by column
    /// name (`low ≤ value ≤ high`, checked by the reader); empty for a catalog without
    /// range columns, whose figures are then held at their value in every draw.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ranges: BTreeMap<String, Range>,
}

/// The low and high ends of a catalog figure's range, in the figure's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Low end.
    pub low: f64,
    /// High end.
    pub high: f64,
}

impl Product {
    /// Standard minutes of making (cut + sew + finish), personalisation excluded.
    pub fn sam_making_min(&self) -> f64 {
        self.sam_cut_min + self.sam_sew_min + self.sam_finish_min
    }

    /// The figure of column `column` of [`RANGED`] (`None` for another name).
    pub fn figure_mut(&mut self, column: &str) -> Option<&mut f64> {
        Some(match column {
            "sam_cut_min" => &mut self.sam_cut_min,
            "sam_sew_min" => &mut self.sam_sew_min,
            "sam_finish_min" => &mut self.sam_finish_min,
            "sam_personalise_min" => &mut self.sam_personalise_min,
            "fabric_m" => &mut self.fabric_m,
            "fabric_eur_per_m" => &mut self.fabric_eur_per_m,
            _ => return None,
        })
    }

    /// The value of column `column` of [`RANGED`] (`None` for another name).
    pub fn figure(&self, column: &str) -> Option<f64> {
        Some(match column {
            "sam_cut_min" => self.sam_cut_min,
            "sam_sew_min" => self.sam_sew_min,
            "sam_finish_min" => self.sam_finish_min,
            "sam_personalise_min" => self.sam_personalise_min,
            "fabric_m" => self.fabric_m,
            "fabric_eur_per_m" => self.fabric_eur_per_m,
            _ => return None,
        })
    }
}

/// The validated survey as a DataFrame, one column per field (empty cells stay null).
///
/// # Errors
/// [`Error::Internal`] only if Polars fails to build the frame (a bug).
pub fn workshops_frame(rows: &[Workshop]) -> Result<DataFrame> {
    let products: Vec<Series> = rows
        .iter()
        .map(|w| Series::new(PlSmallStr::EMPTY, &w.products))
        .collect();
    let count = |f: fn(&Workshop) -> u32| rows.iter().map(|w| i64::from(f(w))).collect::<Vec<_>>();
    Ok(df!(
        "workshop_id" => rows.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
        "name" => rows.iter().map(|w| w.name.as_deref()).collect::<Vec<_>>(),
        "departement" => rows.iter().map(|w| w.departement.as_str()).collect::<Vec<_>>(),
        "operators" => count(|w| w.operators),
        "hours_per_week" => rows.iter().map(|w| w.hours_per_week).collect::<Vec<_>>(),
        "shifts" => rows.iter().map(|w| w.shifts.map(i64::from)).collect::<Vec<_>>(),
        "efficiency" => rows.iter().map(|w| w.efficiency).collect::<Vec<_>>(),
        "programme_share" => rows.iter().map(|w| w.programme_share).collect::<Vec<_>>(),
        "products" => products,
        "hourly_cost_eur" => rows.iter().map(|w| w.hourly_cost_eur).collect::<Vec<_>>(),
        "overhead_rate" => rows.iter().map(|w| w.overhead_rate).collect::<Vec<_>>(),
        "can_hire" => count(|w| w.can_hire),
        "training_centre" => rows.iter().map(|w| w.training_centre).collect::<Vec<_>>(),
        "trainees" => count(|w| w.trainees),
        "can_personalise" => rows.iter().map(|w| w.can_personalise).collect::<Vec<_>>(),
        "answered" => rows.iter().map(|w| w.answered).collect::<Vec<_>>(),
    )?)
}

/// The validated establishments as a DataFrame.
///
/// # Errors
/// [`Error::Internal`] only if Polars fails to build the frame (a bug).
pub fn establishments_frame(rows: &[Establishment]) -> Result<DataFrame> {
    Ok(df!(
        "uai" => rows.iter().map(|e| e.uai.as_deref()).collect::<Vec<_>>(),
        "name" => rows.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        "departement" => rows.iter().map(|e| e.departement.as_str()).collect::<Vec<_>>(),
        "level" => rows.iter().map(|e| e.level.as_str()).collect::<Vec<_>>(),
        "sector" => rows.iter().map(|e| e.sector.as_deref()).collect::<Vec<_>>(),
        "pupils" => rows.iter().map(|e| i64::try_from(e.pupils).unwrap_or(i64::MAX)).collect::<Vec<_>>(),
    )?)
}

/// The validated catalog as a DataFrame.
///
/// # Errors
/// [`Error::Internal`] only if Polars fails to build the frame (a bug).
pub fn catalog_frame(rows: &[Product]) -> Result<DataFrame> {
    let mut df = df!(
        "product" => rows.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "name" => rows.iter().map(|p| p.name.as_deref()).collect::<Vec<_>>(),
        "sam_cut_min" => rows.iter().map(|p| p.sam_cut_min).collect::<Vec<_>>(),
        "sam_sew_min" => rows.iter().map(|p| p.sam_sew_min).collect::<Vec<_>>(),
        "sam_finish_min" => rows.iter().map(|p| p.sam_finish_min).collect::<Vec<_>>(),
        "sam_personalise_min" => rows.iter().map(|p| p.sam_personalise_min).collect::<Vec<_>>(),
        "fabric_m" => rows.iter().map(|p| p.fabric_m).collect::<Vec<_>>(),
        "fabric_eur_per_m" => rows.iter().map(|p| p.fabric_eur_per_m).collect::<Vec<_>>(),
        "trims_eur" => rows.iter().map(|p| p.trims_eur).collect::<Vec<_>>(),
        "packaging_eur" => rows.iter().map(|p| p.packaging_eur).collect::<Vec<_>>(),
        "import_price_eur" => rows.iter().map(|p| p.import_price_eur).collect::<Vec<_>>(),
    )?;
    // The range columns, null where the catalog gives no range (as it was read).
    for column in RANGED {
        let end = |f: fn(&Range) -> f64| -> Vec<Option<f64>> {
            rows.iter().map(|p| p.ranges.get(column).map(f)).collect()
        };
        df.with_column(Column::new(format!("{column}_low").into(), end(|r| r.low)))?;
        df.with_column(Column::new(
            format!("{column}_high").into(),
            end(|r| r.high),
        ))?;
    }
    Ok(df)
}

#[cfg(test)]
impl Workshop {
    /// A test workshop: `operators` in `departement` making `products`, every optional
    /// answer empty (the parameters' defaults apply), no hiring or training.
    pub(crate) fn fixture(id: &str, departement: &str, operators: u32, products: &[&str]) -> Self {
        Workshop {
            id: id.into(),
            name: None,
            departement: departement.into(),
            operators,
            hours_per_week: None,
            shifts: None,
            efficiency: None,
            programme_share: None,
            products: products.iter().map(|s| (*s).to_owned()).collect(),
            hourly_cost_eur: None,
            overhead_rate: None,
            can_hire: 0,
            training_centre: false,
            trainees: 0,
            can_personalise: false,
            answered: true,
        }
    }
}

#[cfg(test)]
impl Product {
    /// A test product with `sew` sewing minutes: 1 min cutting, 1.5 finishing, 2
    /// personalising, 1 m of fabric at 10 EUR/m, 0.50 EUR of trims, 0.15 of packaging.
    pub(crate) fn fixture(id: &str, sew: f64) -> Self {
        Product {
            id: id.into(),
            name: None,
            sam_cut_min: 1.0,
            sam_sew_min: sew,
            sam_finish_min: 1.5,
            sam_personalise_min: 2.0,
            fabric_m: 1.0,
            fabric_eur_per_m: 10.0,
            trims_eur: 0.5,
            packaging_eur: 0.15,
            import_price_eur: Some(8.0),
            ranges: BTreeMap::new(),
        }
    }
}

fn finish<T>(problems: Vec<Problem>, value: T) -> Result<T> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Error::Schema(Problems(problems)))
    }
}

/// Validate and type the workshops table.
///
/// # Errors
/// [`Error::Schema`] listing every bad cell and duplicated id.
pub fn workshops(raw: &RawTable) -> Result<Vec<Workshop>> {
    // The questionnaire's one yes/no column per product becomes the `products` list.
    let raw = &super::questions::fold_products(raw)?;
    let t = validate(raw, &WORKSHOPS)?;
    let mut problems = Vec::new();
    check_unique(&t, "workshop_id", false, &mut problems);
    let rows = (0..t.height)
        .map(|i| Workshop {
            id: t.text("workshop_id", i).unwrap_or_default().to_owned(),
            name: t.text("name", i).map(str::to_owned),
            departement: t.text("departement", i).unwrap_or_default().to_owned(),
            operators: t.int("operators", i).unwrap_or(0) as u32,
            hours_per_week: t.float("hours_per_week", i),
            shifts: t.int("shifts", i).map(|v| v as u32),
            efficiency: t.float("efficiency", i),
            programme_share: t.float("programme_share", i),
            products: t.list("products", i).to_vec(),
            hourly_cost_eur: t.float("hourly_cost_eur", i),
            overhead_rate: t.float("overhead_rate", i),
            can_hire: t.int("can_hire", i).unwrap_or(0) as u32,
            training_centre: t.bool("training_centre", i).unwrap_or(false),
            trainees: t.int("trainees", i).unwrap_or(0) as u32,
            can_personalise: t.bool("can_personalise", i).unwrap_or(false),
            answered: t.bool("answered", i).unwrap_or(true),
        })
        .collect();
    finish(problems, rows)
}

/// Validate and type the establishments table.
///
/// # Errors
/// [`Error::Schema`] listing every bad cell and duplicated UAI code.
pub fn establishments(raw: &RawTable) -> Result<Vec<Establishment>> {
    let t = validate(raw, &ESTABLISHMENTS)?;
    let mut problems = Vec::new();
    check_unique(&t, "uai", false, &mut problems);
    let rows = (0..t.height)
        .map(|i| Establishment {
            uai: t.text("uai", i).map(str::to_owned),
            name: t.text("name", i).unwrap_or_default().to_owned(),
            departement: t.text("departement", i).unwrap_or_default().to_owned(),
            level: t
                .text("level", i)
                .and_then(Level::parse)
                .unwrap_or(Level::Lycee),
            sector: t.text("sector", i).map(str::to_owned),
            pupils: t.int("pupils", i).unwrap_or(0) as u64,
        })
        .collect();
    finish(problems, rows)
}

/// Validate and type the catalog table.
///
/// # Errors
/// [`Error::Schema`] listing every bad cell and duplicated product.
pub fn catalog(raw: &RawTable) -> Result<Vec<Product>> {
    let t = validate(raw, &CATALOG)?;
    let mut problems = Vec::new();
    check_unique(&t, "product", true, &mut problems);
    let num = |c: &str, i: usize| t.float(c, i).unwrap_or(0.0);
    let rows: Vec<Product> = (0..t.height)
        .map(|i| Product {
            id: t
                .text("product", i)
                .unwrap_or_default()
                .trim()
                .to_lowercase(),
            name: t.text("name", i).map(str::to_owned),
            sam_cut_min: num("sam_cut_min", i),
            sam_sew_min: num("sam_sew_min", i),
            sam_finish_min: num("sam_finish_min", i),
            sam_personalise_min: num("sam_personalise_min", i),
            fabric_m: num("fabric_m", i),
            fabric_eur_per_m: num("fabric_eur_per_m", i),
            trims_eur: num("trims_eur", i),
            packaging_eur: num("packaging_eur", i),
            import_price_eur: t.float("import_price_eur", i),
            ranges: ranges(&t, i, &mut problems),
        })
        .collect();
    finish(problems, rows)
}

/// The ranges of row `i` of a validated catalog; a range given by one end only, or whose
/// ends do not bracket the central value, is a problem naming the row and the column.
fn ranges(t: &Table, i: usize, problems: &mut Vec<Problem>) -> BTreeMap<String, Range> {
    let mut out = BTreeMap::new();
    for column in RANGED {
        let (low_column, high_column) = (format!("{column}_low"), format!("{column}_high"));
        let mut problem = |at: &str, value: Option<f64>, message: String| {
            problems.push(Problem {
                file: t.file.clone(),
                row: Some(t.row_number(i)),
                column: Some(at.to_owned()),
                value: value.map(|v| v.to_string()),
                message,
            });
        };
        let Some(value) = t.float(column, i) else {
            continue; // the required cell is empty: already a problem
        };
        match (t.float(&low_column, i), t.float(&high_column, i)) {
            (None, None) => {}
            (Some(low), None) => problem(
                &high_column,
                None,
                format!(
                    "`{low_column}` is {low} but `{high_column}` is empty: give both ends of \
                     the range of `{column}`, or neither"
                ),
            ),
            (None, Some(high)) => problem(
                &low_column,
                None,
                format!(
                    "`{high_column}` is {high} but `{low_column}` is empty: give both ends of \
                     the range of `{column}`, or neither"
                ),
            ),
            (Some(low), Some(high)) => {
                if low > value {
                    problem(
                        &low_column,
                        Some(low),
                        format!(
                            "the low end is above the central `{column}` {value}: need \
                             {low_column} ≤ {column} ≤ {high_column}"
                        ),
                    );
                } else if high < value {
                    problem(
                        &high_column,
                        Some(high),
                        format!(
                            "the high end is below the central `{column}` {value}: need \
                             {low_column} ≤ {column} ≤ {high_column}"
                        ),
                    );
                } else {
                    out.insert(column.to_owned(), Range { low, high });
                }
            }
        }
    }
    out
}

/// Check that every product a workshop names exists in the catalog.
///
/// # Errors
/// [`Error::Schema`] naming the workshop row and the unknown product.
pub fn check_workshop_products(
    raw: &RawTable,
    workshops: &[Workshop],
    catalog: &[Product],
) -> Result<()> {
    let known: BTreeMap<&str, ()> = catalog.iter().map(|p| (p.id.as_str(), ())).collect();
    let names: Vec<&str> = known.keys().copied().collect();
    let mut problems = Vec::new();
    for (i, w) in workshops.iter().enumerate() {
        for p in w
            .products
            .iter()
            .filter(|p| !known.contains_key(p.as_str()))
        {
            problems.push(Problem {
                file: raw.file.clone(),
                row: Some(raw.row_number(i)),
                column: Some("products".into()),
                value: Some(p.clone()),
                message: format!("unknown product; the catalog has: {}", names.join(", ")),
            });
        }
    }
    finish(problems, ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read::read_bytes;

    const HEADER: &str = "workshop_id,name,departement,operators,hours_per_week,shifts,efficiency,programme_share,products,hourly_cost_eur,overhead_rate,can_hire,training_centre,trainees,can_personalise";

    #[test]
    fn reads_a_workshop_with_defaults_left_empty() {
        let csv = format!("{HEADER}\nAT-1,A,1,12,,,0.55,,polo|sweatshirt,,,2,non,0,oui\n");
        let w = workshops(&read_bytes("w.csv", csv.as_bytes()).unwrap()).unwrap();
        assert_eq!(w[0].departement, "01");
        assert_eq!(w[0].operators, 12);
        assert_eq!(w[0].hours_per_week, None);
        assert_eq!(w[0].efficiency, Some(0.55));
        assert_eq!(w[0].products, vec!["polo", "sweatshirt"]);
        assert!(w[0].can_personalise);
    }

    #[test]
    fn negative_operators_name_file_row_and_column() {
        let csv = format!("{HEADER}\nAT-1,A,01,12,,,,,polo,,,,,,\nAT-2,B,42,-3,,,,,polo,,,,,,\n");
        let err = workshops(&read_bytes("survey.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::Schema(Problems(problems)) = &err else {
            panic!("{err}")
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "survey.csv");
        assert_eq!(problems[0].row, Some(3));
        assert_eq!(problems[0].column.as_deref(), Some("operators"));
        assert_eq!(problems[0].value.as_deref(), Some("-3"));
    }

    #[test]
    fn reports_every_problem_unknown_columns_and_duplicates() {
        let csv = "workshop_id,departement,operators,products,colour\nA,99,x,polo,red\nA,01,3,polo,blue\n";
        let err = workshops(&read_bytes("w.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unknown column"), "{text}");
        assert!(text.contains("`colour`"), "{text}");
        // The unknown column stops before cell checks only if it is the sole problem; here
        // the cells are checked too.
        assert!(text.contains("column `departement`"), "{text}");
        assert!(text.contains("column `operators`"), "{text}");
    }

    #[test]
    fn absurd_operator_counts_are_refused() {
        let csv = "workshop_id,departement,operators,products\nA,01,1000000000000000,polo\n";
        let err = workshops(&read_bytes("w.csv", csv.as_bytes()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn product_ids_differing_by_case_are_duplicates() {
        // Ids are lower-cased when typed: `Polo` and `polo` would be two products `polo`.
        let csv = "product,sam_cut_min,sam_sew_min,sam_finish_min,sam_personalise_min,fabric_m,fabric_eur_per_m,trims_eur,packaging_eur\n\
                   Polo,1,12,1.5,2,0.9,10,0.5,0.1\npolo ,1,12,1.5,2,0.9,10,0.5,0.1\n";
        let err = catalog(&read_bytes("c.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].row, p[0].column.as_deref()),
            (Some(3), Some("product"))
        );
        assert!(p[0].message.contains("already used on row 2"), "{err}");
    }

    #[test]
    fn rows_after_blank_lines_keep_their_spreadsheet_number() {
        let csv = "workshop_id,departement,operators,products\nA,01,3,polo\n\nB,01,-1,polo\n";
        let err = workshops(&read_bytes("w.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        assert_eq!(
            (p[0].row, p[0].column.as_deref()),
            (Some(4), Some("operators"))
        );
    }

    const CATALOG_HEADER: &str = "product,sam_cut_min,sam_sew_min,sam_finish_min,sam_personalise_min,fabric_m,fabric_eur_per_m,trims_eur,packaging_eur";

    #[test]
    fn catalog_ranges_are_read_and_optional() {
        // Without range columns: no range, as before.
        let csv = format!("{CATALOG_HEADER}\npolo,1,12,1.5,2,0.92,10,0.6,0.15\n");
        let c = catalog(&read_bytes("c.csv", csv.as_bytes()).unwrap()).unwrap();
        assert!(c[0].ranges.is_empty());
        // With them; an empty pair is no range, `low = value = high` a degenerate one.
        let csv = format!(
            "{CATALOG_HEADER},sam_sew_min_low,sam_sew_min_high,fabric_m_low,fabric_m_high,sam_cut_min_low,sam_cut_min_high\n\
             polo,1,12,1.5,2,0.92,10,0.6,0.15,10,16,0.85,1.0,1,1\n\
             sweatshirt,1,10,1.5,2,1.21,10,0.4,0.15,8,12,,,,\n"
        );
        let c = catalog(&read_bytes("c.csv", csv.as_bytes()).unwrap()).unwrap();
        let range = |p: &Product, col: &str| p.ranges.get(col).map(|r| (r.low, r.high));
        assert_eq!(range(&c[0], "sam_sew_min"), Some((10.0, 16.0)));
        assert_eq!(range(&c[0], "fabric_m"), Some((0.85, 1.0)));
        assert_eq!(range(&c[0], "sam_cut_min"), Some((1.0, 1.0)));
        assert_eq!(range(&c[1], "sam_sew_min"), Some((8.0, 12.0)));
        assert_eq!(range(&c[1], "fabric_m"), None);
        // The frame gives them back, and reads back to the same catalog.
        let frame = catalog_frame(&c).unwrap();
        assert_eq!(
            frame
                .column("sam_sew_min_high")
                .unwrap()
                .f64()
                .unwrap()
                .get(1),
            Some(12.0)
        );
        assert_eq!(frame.column("fabric_m_low").unwrap().null_count(), 1);
        let again = catalog(&crate::data::read::from_frame("c", &frame).unwrap()).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn a_bad_catalog_range_names_file_row_and_column() {
        let header = format!("{CATALOG_HEADER},sam_sew_min_low,sam_sew_min_high,sam_finish_min_low,sam_finish_min_high");
        // Row 2: fine; row 3: low 13 above the central 12; row 4: high 9 below 10 and a
        // finishing range with its high end missing.
        let csv = format!(
            "{header}\npolo,1,12,1.5,2,0.92,10,0.6,0.15,10,16,,\n\
             polo2,1,12,1.5,2,0.92,10,0.6,0.15,13,16,,\n\
             sweat,1,10,1.5,2,1.21,10,0.4,0.15,8,9,1,\n"
        );
        let err = catalog(&read_bytes("catalog.csv", csv.as_bytes()).unwrap()).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        let found: Vec<_> = p
            .iter()
            .map(|p| {
                (
                    p.file.as_str(),
                    p.row,
                    p.column.as_deref(),
                    p.value.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("catalog.csv", Some(3), Some("sam_sew_min_low"), Some("13")),
                ("catalog.csv", Some(4), Some("sam_sew_min_high"), Some("9")),
                ("catalog.csv", Some(4), Some("sam_finish_min_high"), None),
            ]
        );
        assert!(
            p[0].message.contains("above the central `sam_sew_min` 12"),
            "{err}"
        );
        assert!(p[2].message.contains("give both ends"), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("catalog.csv, row 3, column `sam_sew_min_low`, value \"13\""),
            "{text}"
        );
    }

    #[test]
    fn bundled_catalogs_give_the_minutes_ranges_of_their_sources() {
        for name in ["aura", "aura-pilot"] {
            let study = crate::study::Study::example(name).unwrap();
            let polo = study.catalog.iter().find(|p| p.id == "polo").unwrap();
            let sweat = study.catalog.iter().find(|p| p.id == "sweatshirt").unwrap();
            let r = |p: &Product, c: &str| p.ranges.get(c).map(|r| (r.low, r.high));
            assert_eq!(r(polo, "sam_sew_min"), Some((10.0, 16.0)));
            assert_eq!(r(sweat, "sam_sew_min"), Some((8.0, 12.0)));
            for p in [polo, sweat] {
                assert_eq!(r(p, "sam_cut_min"), Some((0.5, 1.5)));
                assert_eq!(r(p, "sam_finish_min"), Some((1.0, 2.0)));
                assert_eq!(r(p, "sam_personalise_min"), Some((1.0, 3.0)));
                assert_eq!(r(p, "fabric_m"), None);
            }
        }
    }

    #[test]
    fn unknown_products_are_named() {
        let csv = "workshop_id,departement,operators,products\nA,01,3,polo|jean\n";
        let w = workshops(&read_bytes("w.csv", csv.as_bytes()).unwrap()).unwrap();
        let cat = vec![Product::fixture("polo", 12.0)];
        let raw = read_bytes("w.csv", csv.as_bytes()).unwrap();
        let err = check_workshop_products(&raw, &w, &cat).unwrap_err();
        assert!(err.to_string().contains("\"jean\""), "{err}");
    }
}
