//! Parameters as data: one table (`name, value, unit, low, high, distribution, source,
//! description`) drives defaults, validation, uncertainty ranges and documentation.
//!
//! The defaults are the bundled `data/aura/parameters.csv`, compiled into the library so a
//! study always has a complete, sourced set; a study's own table and overrides replace values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::read::{read_bytes, RawTable};
use crate::data::schema::{validate, ColumnSpec, Kind, TableSpec};
use crate::error::{Error, Problem, Problems, Result};

/// The bundled default parameter table.
pub const DEFAULT_PARAMETERS_CSV: &str = include_str!("../data/aura/parameters.csv");

/// Every parameter the models know: name, unit, smallest and largest physically
/// meaningful value. A value outside this domain is an error; `low`/`high` in the table are
/// the (narrower) uncertainty range.
pub const KNOWN: &[(&str, &str, f64, f64)] = &[
    ("allowance", "fraction", 0.0, 1.0),
    ("line_efficiency", "fraction", 0.05, 1.0),
    ("hours_per_week", "h/week", 1.0, 60.0),
    ("annual_hours", "h/yr", 500.0, 2600.0),
    ("paid_hours", "h/yr", 500.0, 2600.0),
    ("absenteeism", "fraction", 0.0, 0.5),
    ("smic_hourly_eur", "EUR/h", 1.0, 100.0),
    ("wage_premium", "fraction", 0.0, 2.0),
    ("employer_rate", "fraction", 0.0, 1.0),
    ("overhead_rate", "fraction", 0.0, 5.0),
    ("programme_share", "fraction", 0.0, 1.0),
    ("overcut", "fraction", 0.0, 0.5),
    ("personalisation_supplies_eur", "EUR/piece", 0.0, 100.0),
    ("logistics_eur_per_piece", "EUR/piece", 0.0, 100.0),
    ("margin_rate", "fraction", 0.0, 1.0),
    ("vat_rate", "fraction", 0.0, 1.0),
    ("flq_delta", "fraction", 0.0, 0.999),
    ("materials_regional_share", "fraction", 0.0, 1.0),
    ("displacement_share", "fraction", 0.0, 1.0),
    ("order_weeks_before_rentree", "weeks", 1.0, 104.0),
    ("fabric_lead_days", "days", 0.0, 365.0),
    ("line_setting_days", "working days", 0.0, 60.0),
    ("ramp_up_start_fraction", "fraction", 0.05, 1.0),
    ("ramp_up_reach_fraction", "fraction", 0.05, 1.0),
    ("ramp_up_reach_days", "production days", 0.1, 120.0),
    ("personalisation_days", "working days", 0.0, 60.0),
    ("delivery_days", "business days", 0.0, 60.0),
    ("august_closure_weeks", "weeks", 0.0, 8.0),
    ("training_months", "months", 0.0, 60.0),
    ("transport_eur_per_piece_km", "EUR/(piece km)", 0.0, 1.0),
    ("unmet_penalty_eur", "EUR/piece", 1.0, 1e9),
];

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

/// Schema of the `parameters` table.
pub const PARAMETERS: TableSpec = TableSpec {
    name: "parameters",
    columns: &[
        ColumnSpec {
            name: "name",
            kind: Kind::Text,
            required: true,
            unit: "",
            description: "parameter name",
        },
        ColumnSpec {
            name: "value",
            kind: Kind::Float {
                min: -1e12,
                max: 1e12,
            },
            required: true,
            unit: "",
            description: "central value",
        },
        ColumnSpec {
            name: "unit",
            kind: Kind::Text,
            required: true,
            unit: "",
            description: "unit of value, low and high",
        },
        ColumnSpec {
            name: "low",
            kind: Kind::Float {
                min: -1e12,
                max: 1e12,
            },
            required: false,
            unit: "",
            description: "low end of the uncertainty range",
        },
        ColumnSpec {
            name: "high",
            kind: Kind::Float {
                min: -1e12,
                max: 1e12,
            },
            required: false,
            unit: "",
            description: "high end of the uncertainty range",
        },
        ColumnSpec {
            name: "distribution",
            kind: Kind::Choice(DISTRIBUTIONS),
            required: false,
            unit: "",
            description: "fixed, uniform, triangular, pert, normal or lognormal",
        },
        ColumnSpec {
            name: "source",
            kind: Kind::Text,
            required: true,
            unit: "",
            description: "publication the value comes from, or `assumption` and why",
        },
        ColumnSpec {
            name: "description",
            kind: Kind::Text,
            required: false,
            unit: "",
            description: "what the parameter means",
        },
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
    /// Meaning.
    pub description: String,
}

/// A complete, validated parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    entries: BTreeMap<String, Parameter>,
}

/// Unit and physical domain of a known parameter.
pub fn domain(name: &str) -> Option<&'static (&'static str, &'static str, f64, f64)> {
    KNOWN.iter().find(|k| k.0 == name)
}

fn check_value(name: &str, value: f64) -> std::result::Result<(), String> {
    let Some(&(_, unit, min, max)) = domain(name) else {
        let names: Vec<&str> = KNOWN.iter().map(|k| k.0).collect();
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
            if domain(&name).is_none() {
                let names: Vec<&str> = KNOWN.iter().map(|k| k.0).collect();
                problem(
                    "name",
                    Some(name.clone()),
                    format!(
                        "unknown parameter; check the spelling. Known parameters: {}",
                        names.join(", ")
                    ),
                );
                continue;
            }
            if let Err(message) = check_value(&name, value) {
                problem(
                    "value",
                    Some(value.to_string()),
                    format!("`{name}`: {message}"),
                );
                continue;
            }
            let expected_unit = domain(&name).map_or("", |d| d.1);
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
                description: t.text("description", i).unwrap_or_default().to_owned(),
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

impl ModelParams {
    /// The flat struct from a value per parameter name (NaN for a name `v` does not know).
    pub fn from_fn(v: impl Fn(&str) -> f64) -> ModelParams {
        ModelParams {
            allowance: v("allowance"),
            line_efficiency: v("line_efficiency"),
            hours_per_week: v("hours_per_week"),
            annual_hours: v("annual_hours"),
            paid_hours: v("paid_hours"),
            absenteeism: v("absenteeism"),
            smic_hourly_eur: v("smic_hourly_eur"),
            wage_premium: v("wage_premium"),
            employer_rate: v("employer_rate"),
            overhead_rate: v("overhead_rate"),
            programme_share: v("programme_share"),
            overcut: v("overcut"),
            personalisation_supplies_eur: v("personalisation_supplies_eur"),
            logistics_eur_per_piece: v("logistics_eur_per_piece"),
            margin_rate: v("margin_rate"),
            vat_rate: v("vat_rate"),
            flq_delta: v("flq_delta"),
            materials_regional_share: v("materials_regional_share"),
            displacement_share: v("displacement_share"),
            order_weeks_before_rentree: v("order_weeks_before_rentree"),
            fabric_lead_days: v("fabric_lead_days"),
            line_setting_days: v("line_setting_days"),
            ramp_up_start_fraction: v("ramp_up_start_fraction"),
            ramp_up_reach_fraction: v("ramp_up_reach_fraction"),
            ramp_up_reach_days: v("ramp_up_reach_days"),
            personalisation_days: v("personalisation_days"),
            delivery_days: v("delivery_days"),
            august_closure_weeks: v("august_closure_weeks"),
            training_months: v("training_months"),
            transport_eur_per_piece_km: v("transport_eur_per_piece_km"),
            unmet_penalty_eur: v("unmet_penalty_eur"),
        }
    }
}

/// Distribution name as written in tables.
pub fn distribution_name(d: Distribution) -> &'static str {
    d.as_str()
}

/// The parameter values the models read, as a flat struct of numbers (cheap to copy, so a
/// Monte Carlo draw is one struct).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelParams {
    /// Personal, fatigue and delay allowance on standard minutes (fraction).
    pub allowance: f64,
    /// Default steady line efficiency (fraction).
    pub line_efficiency: f64,
    /// Default contract hours per week (h/week).
    pub hours_per_week: f64,
    /// Worked hours per full-time year (h/yr).
    pub annual_hours: f64,
    /// Paid hours per full-time year (h/yr).
    pub paid_hours: f64,
    /// Absenteeism (fraction of worked hours).
    pub absenteeism: f64,
    /// SMIC gross hourly wage (EUR/h).
    pub smic_hourly_eur: f64,
    /// Operator wage above the SMIC (fraction).
    pub wage_premium: f64,
    /// Residual employer contributions and costs (fraction of gross wage).
    pub employer_rate: f64,
    /// Default overhead (fraction of direct labour cost).
    pub overhead_rate: f64,
    /// Default share of capacity offered to the programme (fraction).
    pub programme_share: f64,
    /// Fabric over-cut (fraction).
    pub overcut: f64,
    /// Personalisation supplies (EUR/piece).
    pub personalisation_supplies_eur: f64,
    /// Logistics to schools (EUR/piece).
    pub logistics_eur_per_piece: f64,
    /// Workshop margin (fraction of cost).
    pub margin_rate: f64,
    /// VAT (fraction of price before tax).
    pub vat_rate: f64,
    /// Flegg's δ for the FLQ regionalisation of the input–output table.
    pub flq_delta: f64,
    /// Share of materials (fabric, trims, packaging) bought from regional producers.
    pub materials_regional_share: f64,
    /// Share of programme spending that displaces other regional spending (net jobs).
    pub displacement_share: f64,
    /// Weeks between the Région's order (fabric ordered the same day) and the rentrée.
    pub order_weeks_before_rentree: f64,
    /// Calendar days from the fabric order to fabric at the workshop.
    pub fabric_lead_days: f64,
    /// Working days of line setting before the first piece.
    pub line_setting_days: f64,
    /// Line efficiency on the first production day of the style, as a fraction of steady.
    pub ramp_up_start_fraction: f64,
    /// Fraction of steady efficiency reached after `ramp_up_reach_days`.
    pub ramp_up_reach_fraction: f64,
    /// Production days to reach `ramp_up_reach_fraction`.
    pub ramp_up_reach_days: f64,
    /// Working days of personalisation after the last piece.
    pub personalisation_days: f64,
    /// Business days of delivery to schools.
    pub delivery_days: f64,
    /// Weeks of August closure of the workshops.
    pub august_closure_weeks: f64,
    /// Months before a trainee of a training centre works as an operator.
    pub training_months: f64,
    /// Transport from a workshop's prefecture to a school département's (EUR per piece-km).
    pub transport_eur_per_piece_km: f64,
    /// Penalty on a piece the surveyed workshops cannot make in time (EUR/piece).
    pub unmet_penalty_eur: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_defaults_cover_every_known_parameter() {
        let p = Params::defaults();
        for (name, ..) in KNOWN {
            assert!(
                p.value(name).is_ok(),
                "{name} missing from data/aura/parameters.csv"
            );
        }
        assert!(p.iter().all(|p| !p.source.is_empty()));
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
