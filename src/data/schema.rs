//! Table schemas and cell parsing: every cell is checked against its column's type and
//! allowed range, and every problem is collected (not just the first) with file, row,
//! column, value and what is allowed.
//!
//! Numbers accept French conventions: decimal comma (`0,55`), spaces or non-breaking
//! spaces as thousands separators (`1 500`), and a trailing `%` for fractions (`55 %`).

use std::collections::HashMap;

use crate::error::{Error, Problem, Problems, Result};

use super::questions;
use super::read::RawTable;

/// The kind of value a column holds, with its allowed range.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text.
    Text,
    /// Whole number in `[min, max]`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// Real number in `[min, max]`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// Fraction in `[min, max]` (0–1); `55 %` is read as 0.55.
    Fraction {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// Yes/no: `true/false`, `oui/non`, `yes/no`, `vrai/faux`, `1/0`, `x`.
    Bool,
    /// A French département code (`01`…`95`, `2A`, `2B`, `971`…`976`); `1` is read as `01`.
    Departement,
    /// A UAI establishment code: 7 digits and a letter (`0630001A`).
    Uai,
    /// One of a fixed set of values (accents and case ignored).
    Choice(&'static [(&'static str, &'static [&'static str])]),
    /// A `|`-separated list of identifiers (`polo|sweatshirt`).
    List,
}

/// How a column is asked in the survey questionnaire (the `filiere questionnaire` workbook):
/// its header in each language and the French help shown when a cell is selected. The
/// reader accepts both labels as headers, so a filled-in questionnaire, or a form-tool
/// export with these question texts, loads as it is.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// French header (the question as the workbook asks it).
    pub label_fr: &'static str,
    /// English header.
    pub label_en: &'static str,
    /// The column's unit in French (`""` when unitless).
    pub unit_fr: &'static str,
    /// French meaning of the answer (the English one is the column's `description`).
    pub description_fr: &'static str,
}

/// One column of a table schema.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical column name.
    pub name: &'static str,
    /// Value type and allowed range.
    pub kind: Kind,
    /// Whether every row must have a value.
    pub required: bool,
    /// Unit of the values (`""` when unitless).
    pub unit: &'static str,
    /// What the column means, for messages and docs.
    pub description: &'static str,
    /// How the survey questionnaire asks it (`None` for tables that are not surveyed).
    pub question: Option<Question>,
}

impl ColumnSpec {
    /// The same column, asked in the questionnaire with these labels.
    pub const fn ask(
        self,
        label_fr: &'static str,
        label_en: &'static str,
        unit_fr: &'static str,
        description_fr: &'static str,
    ) -> Self {
        ColumnSpec {
            question: Some(Question {
                label_fr,
                label_en,
                unit_fr,
                description_fr,
            }),
            ..self
        }
    }
}

/// Non-response in a surveyed table: the yes/no column saying whether a row answered, and
/// the columns every row needs even without an answer (the survey list's own fields).
#[derive(Debug, Clone, Copy)]
pub struct NonResponse {
    /// The yes/no column (`answered`); `no` marks a row that did not answer.
    pub flag: &'static str,
    /// Required columns that stay required for a row that did not answer.
    pub identity: &'static [&'static str],
}

/// A table schema: its name and columns.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// Table name (`workshops`, `establishments`, ...).
    pub name: &'static str,
    /// The columns; optional ones may be absent from the file.
    pub columns: &'static [ColumnSpec],
    /// How a row says it did not answer (surveyed tables only).
    pub nonresponse: Option<NonResponse>,
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Empty cell.
    Null,
    /// Text (also départements, UAI codes, choices in canonical form).
    Text(String),
    /// Whole number.
    Int(i64),
    /// Real number (also fractions).
    Float(f64),
    /// Yes/no.
    Bool(bool),
    /// List of identifiers.
    List(Vec<String>),
}

/// A validated table: typed columns by canonical name, and the row numbers for messages.
#[derive(Debug, Clone)]
pub struct Table {
    /// File or table name.
    pub file: String,
    /// Number of data rows.
    pub height: usize,
    columns: HashMap<&'static str, Vec<Value>>,
    rows: Vec<usize>,
}

impl Table {
    /// Spreadsheet row number of data row `i` (header is row 1 when it is the first line).
    pub fn row_number(&self, i: usize) -> usize {
        self.rows.get(i).copied().unwrap_or(i + 2)
    }

    fn get(&self, column: &str, i: usize) -> &Value {
        self.columns
            .get(column)
            .and_then(|c| c.get(i))
            .unwrap_or(&Value::Null)
    }

    /// Text of a cell, `None` if empty or absent.
    pub fn text(&self, column: &str, i: usize) -> Option<&str> {
        match self.get(column, i) {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Number of a cell (ints widened), `None` if empty or absent.
    pub fn float(&self, column: &str, i: usize) -> Option<f64> {
        match self.get(column, i) {
            Value::Float(f) => Some(*f),
            Value::Int(n) => Some(*n as f64),
            _ => None,
        }
    }

    /// Whole number of a cell, `None` if empty or absent.
    pub fn int(&self, column: &str, i: usize) -> Option<i64> {
        match self.get(column, i) {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// Yes/no of a cell, `None` if empty or absent.
    pub fn bool(&self, column: &str, i: usize) -> Option<bool> {
        match self.get(column, i) {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// List of a cell (empty if empty or absent).
    pub fn list(&self, column: &str, i: usize) -> &[String] {
        match self.get(column, i) {
            Value::List(v) => v,
            _ => &[],
        }
    }
}

/// Normalise a header or choice: lowercase, accents removed, spaces and dashes to `_`.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            ' ' | '-' | '\u{a0}' | '.' => '_',
            c => c.to_ascii_lowercase(),
        };
        out.push(c);
    }
    out
}

/// Parse a number the way French and English spreadsheets write it.
///
/// Accepts `1.5`, `1,5`, `1 500`, `1 500,25` (space or no-break space as thousands
/// separator), `1e3`, and `+`/`-` signs. Refuses `1,500.25` style ambiguity only when
/// both separators appear in the French order (`1.500,25` is accepted as 1500.25).
pub fn parse_number(raw: &str) -> Option<f64> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let has_dot = cleaned.contains('.');
    let commas = cleaned.matches(',').count();
    let normalised = match (has_dot, commas) {
        (_, 0) => cleaned,
        (false, 1) => cleaned.replace(',', "."),
        // `1.500,25`: dots are thousands separators, the comma the decimal mark.
        (true, 1) if cleaned.rfind(',') > cleaned.rfind('.') => {
            cleaned.replace('.', "").replace(',', ".")
        }
        // `1,500.25` or `1,500,000`: commas are thousands separators.
        _ => cleaned.replace(',', ""),
    };
    let value: f64 = normalised.parse().ok()?;
    value.is_finite().then_some(value)
}

/// Parse a yes/no cell.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match normalise(raw).as_str() {
        "true" | "vrai" | "oui" | "yes" | "y" | "o" | "1" | "x" | "1_0" => Some(true),
        "false" | "faux" | "non" | "no" | "n" | "0" | "0_0" => Some(false),
        _ => None,
    }
}

/// The metropolitan and overseas département codes.
pub fn is_departement(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ => match code.parse::<u32>() {
            _ if !code.bytes().all(|b| b.is_ascii_digit()) => false,
            Ok(n) if code.len() == 2 => (1..=95).contains(&n) && n != 20,
            Ok(n) if code.len() == 3 => (971..=976).contains(&n),
            _ => false,
        },
    }
}

fn parse_departement(raw: &str) -> Option<String> {
    let upper = raw.trim().to_ascii_uppercase();
    // Spreadsheets drop the leading zero of `01`; a number export may add `.0`.
    let code = upper.strip_suffix(".0").unwrap_or(&upper);
    let code = if code.len() == 1 && code.chars().all(|c| c.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_owned()
    };
    is_departement(&code).then_some(code)
}

fn parse_uai(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    // ASCII first: slicing a string with accented letters by byte would split a letter.
    let ok = code.len() == 8
        && code.is_ascii()
        && code[..7].chars().all(|c| c.is_ascii_alphanumeric())
        && code[..3]
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'A' || c == 'B')
        && code.as_bytes()[7].is_ascii_uppercase();
    ok.then_some(code)
}

/// What a column of this kind accepts, in words (used in messages and in the questionnaire).
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Text => "text".into(),
        Kind::Int { min, max } => format!("a whole number from {min} to {max}"),
        Kind::Float { min, max } => format!("a number from {min} to {max}"),
        Kind::Fraction { min, max } => {
            format!("a fraction from {min} to {max} (e.g. 0.55 or 55 %)")
        }
        Kind::Bool => "yes or no (true/false, oui/non, 1/0)".into(),
        Kind::Departement => "a French département code such as 01, 38, 69, 2A or 974".into(),
        Kind::Uai => "a UAI code: 7 digits and a letter, such as 0630001A".into(),
        Kind::Choice(options) => {
            let names: Vec<&str> = options.iter().map(|(c, _)| *c).collect();
            format!("one of {}", names.join(", "))
        }
        Kind::List => "identifiers separated by `|`, such as polo|sweatshirt".into(),
    }
}

/// Parse one non-empty cell; `Err(message)` says what is allowed.
fn parse_cell(kind: &Kind, raw: &str) -> std::result::Result<Value, String> {
    let bad = || Err(format!("expected {}", describe(kind)));
    match kind {
        Kind::Text => Ok(Value::Text(raw.to_owned())),
        Kind::Int { min, max } => match parse_number(raw) {
            Some(v) if v.fract() != 0.0 => Err(format!(
                "expected a whole number, got a fraction; allowed: {}",
                describe(kind)
            )),
            Some(v) if v < *min as f64 || v > *max as f64 => {
                Err(format!("out of range: expected {}", describe(kind)))
            }
            Some(v) => Ok(Value::Int(v as i64)),
            None => bad(),
        },
        Kind::Float { min, max } => match parse_number(raw) {
            Some(v) if v < *min || v > *max => {
                Err(format!("out of range: expected {}", describe(kind)))
            }
            Some(v) => Ok(Value::Float(v)),
            None => bad(),
        },
        Kind::Fraction { min, max } => {
            let (body, percent) = match raw.trim().strip_suffix('%') {
                Some(body) => (body, true),
                None => (raw, false),
            };
            match parse_number(body).map(|v| if percent { v / 100.0 } else { v }) {
                Some(v) if v < *min || v > *max => {
                    let hint = if !percent && v > 1.0 && v <= 100.0 {
                        " (a percentage? write it as a fraction, 0.55, or with a % sign)"
                    } else {
                        ""
                    };
                    Err(format!("out of range: expected {}{hint}", describe(kind)))
                }
                Some(v) => Ok(Value::Float(v)),
                None => bad(),
            }
        }
        Kind::Bool => parse_bool(raw).map(Value::Bool).map_or_else(bad, Ok),
        Kind::Departement => parse_departement(raw).map(Value::Text).map_or_else(bad, Ok),
        Kind::Uai => parse_uai(raw).map(Value::Text).map_or_else(bad, Ok),
        Kind::Choice(options) => {
            let key = normalise(raw);
            options
                .iter()
                .find(|(canonical, aliases)| *canonical == key || aliases.contains(&key.as_str()))
                .map(|(canonical, _)| Value::Text((*canonical).to_owned()))
                .map_or_else(bad, Ok)
        }
        Kind::List => {
            let items: Vec<String> = raw
                .split(['|', '+'])
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() {
                bad()
            } else {
                Ok(Value::List(items))
            }
        }
    }
}

/// Validate a raw table against a schema: map headers (case, accents and spacing ignored),
/// report unknown and missing columns, parse every cell. All problems are returned at once.
///
/// # Errors
/// [`Error::Schema`] listing every problem found.
pub fn validate(raw: &RawTable, spec: &TableSpec) -> Result<Table> {
    let file = raw.file.as_str();
    let mut problems = Vec::new();
    let problem =
        |row: Option<usize>, column: &str, value: Option<&str>, message: String| Problem {
            file: file.to_owned(),
            row,
            column: Some(column.to_owned()),
            value: value.map(str::to_owned),
            message,
        };

    let mut found: HashMap<&'static str, &str> = HashMap::new();
    let known: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    for name in raw.frame.get_column_names() {
        let key = normalise(name);
        let by_name = |n: &str| spec.columns.iter().find(|c| c.name == n);
        // A study file's mapping first, then the column's name or its question labels.
        let column = match questions::mapped(raw, name) {
            Some(target) => match by_name(&normalise(target)) {
                Some(c) => Some(c),
                None => {
                    problems.push(problem(
                        Some(1),
                        name,
                        None,
                        format!(
                            "the study file's [tables.{}_columns] maps this header to `{target}`, \
                             which is not a column of the {} table; known columns: {}",
                            spec.name,
                            spec.name,
                            known.join(", ")
                        ),
                    ));
                    continue;
                }
            },
            None => questions::column_of(spec, name).and_then(by_name),
        };
        match column {
            Some(c) if found.contains_key(c.name) => problems.push(problem(
                Some(1),
                name,
                None,
                format!(
                    "this column duplicates `{}`; keep one (both are read as column `{}`)",
                    found[c.name], c.name
                ),
            )),
            Some(c) => {
                found.insert(c.name, name.as_str());
            }
            None => {
                let guess = known
                    .iter()
                    .map(|k| (edit_distance(&key, k), *k))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                problems.push(problem(
                    Some(1),
                    name,
                    None,
                    format!(
                        "unknown column in the {} table{guess}; known columns: {}",
                        spec.name,
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for c in spec
        .columns
        .iter()
        .filter(|c| c.required && !found.contains_key(c.name))
    {
        problems.push(problem(
            None,
            c.name,
            None,
            format!(
                "required column is missing ({}: {})",
                c.description,
                describe(&c.kind)
            ),
        ));
    }

    let height = raw.frame.height();
    if height == 0 {
        problems.push(Problem {
            file: file.to_owned(),
            row: None,
            column: None,
            value: None,
            message: format!("the {} table has a header but no data rows", spec.name),
        });
    }

    // Rows that say they did not answer (`answered` = no) need only their identity.
    let mut silent = vec![false; height];
    if let Some(nr) = spec.nonresponse {
        if let Some(&header) = found.get(nr.flag) {
            for (i, cell) in raw.frame.column(header)?.str()?.iter().enumerate() {
                silent[i] = cell.and_then(parse_bool) == Some(false);
            }
        }
    }
    let may_be_empty = |c: &ColumnSpec, i: usize| {
        silent[i]
            && spec
                .nonresponse
                .is_some_and(|nr| !nr.identity.contains(&c.name))
    };

    let mut columns = HashMap::new();
    for c in spec.columns {
        let Some(&header) = found.get(c.name) else {
            continue;
        };
        let cells = raw.frame.column(header)?.str()?.clone();
        let mut values = Vec::with_capacity(height);
        for (i, cell) in cells.iter().enumerate() {
            let cell = cell.map(str::trim).filter(|s| !s.is_empty());
            let value = match cell {
                None if c.required && !may_be_empty(c, i) => {
                    problems.push(problem(
                        Some(raw.row_number(i)),
                        header,
                        None,
                        format!(
                            "empty cell in a required column; expected {}",
                            describe(&c.kind)
                        ),
                    ));
                    Value::Null
                }
                None => Value::Null,
                Some(text) => parse_cell(&c.kind, text).unwrap_or_else(|message| {
                    problems.push(problem(
                        Some(raw.row_number(i)),
                        header,
                        Some(text),
                        message,
                    ));
                    Value::Null
                }),
            };
            values.push(value);
        }
        columns.insert(c.name, values);
    }

    // In file order (whole-table and column problems first, then row by row, each row's
    // cells left to right), as a user fixes them; cells were checked column by column.
    problems.sort_by_key(|p| p.row.unwrap_or(1));
    if problems.is_empty() {
        Ok(Table {
            file: file.to_owned(),
            height,
            columns,
            rows: (0..height).map(|i| raw.row_number(i)).collect(),
        })
    } else {
        Err(Error::Schema(Problems(problems)))
    }
}

/// The columns of a table schema as a DataFrame, one row per column: `name`, `kind`
/// (text, int, float, fraction, bool, departement, uai, choice, list), its domain (`min`,
/// `max`, `choices`), `required`, `unit`, the questionnaire's `label_fr`, `label_en` and
/// `unit_fr`, `description` and `description_fr` (null when the column is not surveyed).
///
/// # Errors
/// [`Error::Internal`] only if Polars fails to build the frame (a bug).
pub fn columns_frame(spec: &TableSpec) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let cs = spec.columns;
    let kind = |k: &Kind| match k {
        Kind::Text => "text",
        Kind::Int { .. } => "int",
        Kind::Float { .. } => "float",
        Kind::Fraction { .. } => "fraction",
        Kind::Bool => "bool",
        Kind::Departement => "departement",
        Kind::Uai => "uai",
        Kind::Choice(_) => "choice",
        Kind::List => "list",
    };
    let bounds = |k: &Kind| match *k {
        Kind::Int { min, max } => (Some(min as f64), Some(max as f64)),
        Kind::Float { min, max } | Kind::Fraction { min, max } => (Some(min), Some(max)),
        _ => (None, None),
    };
    let choices: ListChunked = cs
        .iter()
        .map(|c| match c.kind {
            Kind::Choice(options) => Some(Series::new(
                PlSmallStr::EMPTY,
                options.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
            )),
            Kind::Bool => Some(Series::new(PlSmallStr::EMPTY, ["oui", "non"])),
            _ => None,
        })
        .collect();
    let q = |f: fn(&Question) -> &'static str| {
        cs.iter()
            .map(|c| c.question.as_ref().map(f))
            .collect::<Vec<_>>()
    };
    let mut df = df!(
        "name" => cs.iter().map(|c| c.name).collect::<Vec<_>>(),
        "kind" => cs.iter().map(|c| kind(&c.kind)).collect::<Vec<_>>(),
        "min" => cs.iter().map(|c| bounds(&c.kind).0).collect::<Vec<_>>(),
        "max" => cs.iter().map(|c| bounds(&c.kind).1).collect::<Vec<_>>(),
    )?;
    df.with_column(
        choices
            .into_series()
            .with_name("choices".into())
            .into_column(),
    )?;
    df.hstack_mut(&[
        Column::new(
            "required".into(),
            cs.iter().map(|c| c.required).collect::<Vec<_>>(),
        ),
        Column::new("unit".into(), cs.iter().map(|c| c.unit).collect::<Vec<_>>()),
        Column::new("label_fr".into(), q(|q| q.label_fr)),
        Column::new("label_en".into(), q(|q| q.label_en)),
        Column::new("unit_fr".into(), q(|q| q.unit_fr)),
        Column::new(
            "description".into(),
            cs.iter().map(|c| c.description).collect::<Vec<_>>(),
        ),
        Column::new("description_fr".into(), q(|q| q.description_fr)),
        Column::new(
            "accepts".into(),
            cs.iter().map(|c| describe(&c.kind)).collect::<Vec<_>>(),
        ),
    ])?;
    Ok(df)
}

/// Levenshtein distance between two short names (for "did you mean" hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != *cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Report duplicated values of an identifier column; with `fold_case`, identifiers that
/// differ only by case or surrounding spaces (`Polo`, `polo `) are duplicates too.
pub fn check_unique(table: &Table, column: &str, fold_case: bool, problems: &mut Vec<Problem>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..table.height {
        if let Some(id) = table.text(column, i) {
            let key = if fold_case {
                id.trim().to_lowercase()
            } else {
                id.to_owned()
            };
            if let Some(first) = seen.insert(key, i) {
                problems.push(Problem {
                    file: table.file.clone(),
                    row: Some(table.row_number(i)),
                    column: Some(column.to_owned()),
                    value: Some(id.to_owned()),
                    message: format!(
                        "duplicate identifier, already used on row {}",
                        table.row_number(first)
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_french_and_english() {
        assert_eq!(parse_number("0,55"), Some(0.55));
        assert_eq!(parse_number("0.55"), Some(0.55));
        assert_eq!(parse_number("1 500"), Some(1500.0));
        assert_eq!(parse_number("1\u{a0}500,25"), Some(1500.25));
        assert_eq!(parse_number("1.500,25"), Some(1500.25));
        assert_eq!(parse_number("1,500.25"), Some(1500.25));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("douze"), None);
    }

    #[test]
    fn fractions_accept_percent_signs_and_hint_at_percentages() {
        let k = Kind::Fraction { min: 0.0, max: 1.0 };
        assert_eq!(parse_cell(&k, "55 %"), Ok(Value::Float(0.55)));
        assert_eq!(parse_cell(&k, "0,55"), Ok(Value::Float(0.55)));
        let err = parse_cell(&k, "55").unwrap_err();
        assert!(err.contains("percentage"), "{err}");
    }

    #[test]
    fn departements_and_uai() {
        assert_eq!(parse_departement("1"), Some("01".into()));
        assert_eq!(parse_departement("2a"), Some("2A".into()));
        assert_eq!(parse_departement("974"), Some("974".into()));
        assert_eq!(parse_departement("20"), None);
        assert_eq!(parse_departement("99"), None);
        assert_eq!(parse_uai("0630001a"), Some("0630001A".into()));
        assert_eq!(parse_uai("063001A"), None);
    }

    #[test]
    fn problems_are_listed_in_file_order() {
        use crate::data::read::read_bytes;
        use crate::data::tables::WORKSHOPS;
        let csv =
            "workshop_id,departement,operators,products\nA,01,-1,polo\nB,99,3,polo\nC,01,x,\n";
        let err = validate(&read_bytes("w.csv", csv.as_bytes()).unwrap(), &WORKSHOPS).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        let found: Vec<_> = p.iter().map(|p| (p.row, p.column.as_deref())).collect();
        assert_eq!(
            found,
            vec![
                (Some(2), Some("operators")),
                (Some(3), Some("departement")),
                (Some(4), Some("operators")),
                (Some(4), Some("products")),
            ]
        );
    }

    #[test]
    fn unknown_columns_suggest_the_closest_name() {
        use crate::data::read::read_bytes;
        use crate::data::tables::WORKSHOPS;
        assert_eq!(edit_distance("operateurs", "operators"), 2);
        let csv = "workshop_id,departement,operateurs,products,colour\nA,01,3,polo,red\n";
        let err = validate(&read_bytes("w.csv", csv.as_bytes()).unwrap(), &WORKSHOPS).unwrap_err();
        let Error::Schema(Problems(p)) = &err else {
            panic!("{err}")
        };
        // The unknown columns first (row 1), then the missing one.
        assert_eq!(p[0].column.as_deref(), Some("operateurs"));
        assert!(p[0].message.contains("did you mean `operators`?"), "{err}");
        assert!(!p[1].message.contains("did you mean"), "{err}");
        assert_eq!(
            (p[2].row, p[2].column.as_deref()),
            (None, Some("operators"))
        );
    }

    #[test]
    fn accented_uai_is_refused_not_a_panic() {
        // 8 bytes, but `é` straddles byte 7: slicing by byte used to panic.
        assert_eq!(parse_uai("012345é"), None);
        assert_eq!(parse_uai("0123456É"), None);
        assert!(parse_cell(&Kind::Uai, "012345é").is_err());
    }

    #[test]
    fn signed_departements_are_refused() {
        // `"+1".parse::<u32>()` is 1: `+1` used to pass as a two-character code.
        assert_eq!(parse_departement("+1"), None);
        assert_eq!(parse_departement("+7"), None);
        assert_eq!(parse_departement("-1"), None);
        assert_eq!(parse_departement(" 7 "), Some("07".into()));
    }

    #[test]
    fn bools_in_french() {
        assert_eq!(parse_bool("Oui"), Some(true));
        assert_eq!(parse_bool("non"), Some(false));
        assert_eq!(parse_bool("peut-être"), None);
    }

    #[test]
    fn normalises_headers() {
        assert_eq!(normalise(" Département "), "departement");
        assert_eq!(normalise("Hours per-week"), "hours_per_week");
    }
}
