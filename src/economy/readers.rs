//! Readers of input–output tables: the project's CSV layout, the INSEE symmetric table
//! (TES) sheet, and Eurostat's `naio_10_cp1700` TSV. All parse text or a spreadsheet
//! range already in memory; [`read_io_csv_path`] is the only helper that opens a file.
//! Every table comes out in euros (EUR); the INSEE and Eurostat readers multiply their
//! millions by 10⁶.
//!
//! # (a) The project's CSV layout (what [`write_io_csv`] writes)
//! ```text
//! branch,AZ,CB,…,output,employment,compensation,value_added,household_consumption
//! AZ,z_AZ_AZ,z_AZ_CB,…,x_AZ,persons,EUR,EUR,EUR
//! CB,z_CB_AZ,z_CB_CB,…,x_CB,persons,EUR,EUR,EUR
//! ```
//!
//! INSEE's own A38 domestic layouts (the published sheet and the three `tes_dom_*` files)
//! are read by [`crate::economy::france`].
//! - first column `branch`: the supplying branch of the row;
//! - then one column per branch, in the same order as the rows and with the same labels
//!   (column j = buying branch j): the intermediate flows z_ij, EUR;
//! - then `output` (total output x_j at basic prices, EUR, required) and, optionally and
//!   in any order, `employment` (persons, head count), `compensation` (compensation of
//!   employees D1, EUR), `value_added` (gross value added B1G, EUR),
//!   `household_consumption` (household final consumption of the branch's domestic
//!   output at basic prices, EUR).
//!
//! Separator `,`, `;` or tab (sniffed from the header); double quotes allowed; numbers
//! with a decimal point or a decimal comma, spaces as thousands separators; UTF-8 (with
//! or without BOM). Blank lines and lines starting with `#` are skipped. An unknown
//! column, a missing cell, a row label that differs from its column label or a row
//! count that differs from the number of branch columns is an error naming the row and
//! column. Rows in messages are line numbers (header = 1).
//!
//! # (b) INSEE symmetric input–output table (TES), one sheet
//! What [`read_insee_tes`] (a calamine range) and [`read_insee_tes_csv`] (the same sheet
//! saved as CSV, French conventions) accept:
//! ```text
//! <title and note rows: any row before the header is skipped>
//! code | label           | AZ  | C1  | C3  | … | TOTAL_CI | P3_S14 | … other final uses … | TOTAL
//! AZ   | Agriculture…    | z   | z   | z   | … | (ignored)| f      | (ignored)
//! C1   | Industries agro… | z  | …
//! …    one row per branch code, in any order
//! TOTAL_CI | …           (ignored: any row whose code is not recognised is skipped)
//! D1   | Rémunération des salariés | per branch   (optional → compensation)
//! B1G  | Valeur ajoutée brute      | per branch   (optional → value_added)
//! P1   | Production                | per branch   (required → output)
//! EMP  | Emploi intérieur          | per branch   (optional → employment, persons)
//! ```
//! - the header row is the first row whose first cell is `code` (any case);
//! - branch columns are the columns after the label column up to the first column whose
//!   header is `TOTAL_CI` (also accepted: `P2`, `Total CI`, `CI`), which must exist;
//! - the column `P3_S14` (household final consumption), after it, is optional;
//! - codes are matched ignoring case and surrounding spaces (A17/A38/A64 codes such as
//!   `AZ`, `C1`, `C3`, `C13-C15`, `GZ`); each branch code must have exactly one row;
//! - money in **millions of euros** (INSEE's unit), employment in persons; an empty cell
//!   or `-` is 0; numbers may use a decimal comma and space thousands separators.
//!
//! # (c) Eurostat `naio_10_cp1700` TSV
//! The bulk/TSV download of the symmetric product-by-product table at basic prices:
//! ```text
//! freq,unit,stk_flow,induse,prod_na,geo\TIME_PERIOD<TAB>2019 <TAB>2020
//! A,MIO_EUR,DOM,CPA_C13-15,CPA_A01,FR<TAB>123.4 <TAB>130.1 p
//! ```
//! - the first header cell lists the dimensions joined by `,`, then `\` and the time
//!   label (`TIME_PERIOD` or `time`); the other header cells are years (spaces trimmed);
//! - the use (column) dimension is `induse` (older files; also `ind_use`, `prd_use`), the
//!   supply (row) dimension `prod_na` (also `prd_ava`); `unit`, `stk_flow` and `geo` are
//!   required, `freq` optional, other dimensions are refused;
//! - values are numbers followed by optional flags (`123.4 p`, `5 e`); `:` (with or
//!   without a flag) is missing;
//! - rows `prod_na` = `CPA_*` × columns `induse` = `CPA_*` give Z; `prod_na` = `P1`
//!   (output at basic prices) gives x, `D1` compensation, `B1G` value added; column
//!   `induse` = `P3_S14` gives household consumption. Employment is not in this table.
//! - `stk_flow`: `DOM` (domestic output: what an impact analysis needs), `IMP` or
//!   `TOTAL`; the primary-input rows `P1`, `D1`, `B1G` are looked up under the chosen
//!   `stk_flow` and, when absent there, under `TOTAL`;
//! - `unit` must be in millions (`MIO_EUR`, or `MIO_NAC` in national currency): ×10⁶;
//! - a missing (`:`) or absent flow is 0; when the products are not given, every `CPA_*`
//!   product (except `CPA_TOTAL`) with a positive `P1` is kept, in file order — which
//!   drops empty products such as `CPA_T` and `CPA_U` in many countries.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Range, Reader};
use nalgebra::{DMatrix, DVector};

use crate::economy::io_table::{IoTable, Satellite};
use crate::error::{Error, Result};

/// Money unit of the INSEE and Eurostat files (millions), in EUR.
const EUR_PER_MILLION: f64 = 1e6;

/// The optional columns of the project's CSV layout, in the order they are written.
const SATELLITE_COLUMNS: [Satellite; 4] = [
    Satellite::Employment,
    Satellite::Compensation,
    Satellite::ValueAdded,
    Satellite::HouseholdConsumption,
];

// ---------------------------------------------------------------------------------------
// Text helpers

use crate::data::read::{sniff_separator, split_line as split_record};

/// The cells of data line `line_no` (1-based) of `file`, as many as the header has.
///
/// # Errors
/// [`Error::Schema`] naming the line when the count differs.
pub(crate) fn record(
    file: &str,
    line_no: usize,
    line: &str,
    separator: char,
    width: usize,
) -> Result<Vec<String>> {
    let fields = split_record(line, separator);
    if fields.len() != width {
        return Err(Error::schema(
            file,
            Some(line_no),
            None,
            None,
            format!("{} cells, the header has {width}", fields.len()),
        ));
    }
    Ok(fields)
}

/// The separator of a header line, as every CSV reader of filiere picks it
/// ([`sniff_separator`]).
fn sniff(header: &str) -> char {
    sniff_separator(header) as char
}

/// Lines of a text with their 1-based line numbers, BOM removed, skipping blank lines
/// and `#` comments.
pub(crate) fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| {
            let t = line.trim();
            !t.is_empty() && !t.starts_with('#')
        })
}

/// A number written the French or the English way (the input tables' parser).
pub use crate::data::schema::parse_number;

fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

// ---------------------------------------------------------------------------------------
// (a) The project's CSV layout

/// Read a table in the project's CSV layout (see the module doc) from text.
///
/// `file` names the table in error messages.
///
/// # Errors
/// [`Error::Schema`] for any layout problem (naming row, column and value) and for the
/// checks of [`IoTable::named`].
pub fn read_io_csv(file: &str, text: &str) -> Result<IoTable> {
    let mut lines = content_lines(text);
    let Some((_, header_line)) = lines.next() else {
        return Err(Error::schema(file, None, None, None, "the file is empty"));
    };
    let separator = sniff(header_line);
    let header: Vec<String> = split_record(header_line, separator)
        .into_iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if !header
        .first()
        .is_some_and(|h| h.eq_ignore_ascii_case("branch"))
    {
        return Err(Error::schema(
            file,
            Some(1),
            header.first().map(String::as_str),
            None,
            "the first column must be `branch` (the supplying branch of each row)",
        ));
    }
    let trailer_of = |name: &str| -> Option<Option<Satellite>> {
        if name.eq_ignore_ascii_case("output") {
            Some(None)
        } else {
            SATELLITE_COLUMNS
                .into_iter()
                .find(|s| s.column().eq_ignore_ascii_case(name))
                .map(Some)
        }
    };
    let first_trailer = header
        .iter()
        .skip(1)
        .position(|h| trailer_of(h).is_some())
        .map(|p| p + 1)
        .unwrap_or(header.len());
    let branches: Vec<String> = header[1..first_trailer].to_vec();
    let n = branches.len();
    let mut output_column = None;
    let mut satellite_columns: Vec<(Satellite, usize)> = Vec::new();
    for (k, name) in header.iter().enumerate().skip(first_trailer) {
        match trailer_of(name) {
            Some(None) if output_column.is_none() => output_column = Some(k),
            Some(Some(s)) if !satellite_columns.iter().any(|(t, _)| *t == s) => {
                satellite_columns.push((s, k));
            }
            Some(_) => {
                return Err(Error::schema(
                    file,
                    Some(1),
                    Some(name),
                    None,
                    "the column appears twice",
                ))
            }
            None => {
                return Err(Error::schema(
                    file,
                    Some(1),
                    Some(name),
                    None,
                    "unknown column after the branch columns: expected output, employment, \
                     compensation, value_added or household_consumption",
                ))
            }
        }
    }
    let Some(output_column) = output_column else {
        return Err(Error::schema(
            file,
            Some(1),
            Some("output"),
            None,
            "the `output` column (total output, EUR) is missing",
        ));
    };
    if n == 0 {
        return Err(Error::schema(
            file,
            Some(1),
            None,
            None,
            "no branch column between `branch` and `output`",
        ));
    }

    let mut flows = DMatrix::zeros(n, n);
    let mut output = DVector::zeros(n);
    let mut satellites: Vec<DVector<f64>> = vec![DVector::zeros(n); satellite_columns.len()];
    let mut rows = 0usize;
    for (row, (line_no, line)) in lines.enumerate() {
        let fields = record(file, line_no, line, separator, header.len())?;
        let label = fields[0].trim();
        let Some(expected) = branches.get(row) else {
            return Err(Error::schema(
                file,
                Some(line_no),
                Some("branch"),
                Some(label),
                format!("more rows than the {n} branch columns: the table must be square"),
            ));
        };
        if label != expected {
            return Err(Error::schema(
                file,
                Some(line_no),
                Some("branch"),
                Some(label),
                format!(
                    "row {} is labelled `{label}` but column {} is `{expected}`: rows and \
                     columns must list the same branches in the same order",
                    row + 1,
                    row + 1
                ),
            ));
        }
        let number = |k: usize| -> Result<f64> {
            parse_number(&fields[k]).ok_or_else(|| {
                Error::schema(
                    file,
                    Some(line_no),
                    Some(&header[k]),
                    Some(fields[k].trim()),
                    "expected a number",
                )
            })
        };
        for j in 0..n {
            flows[(row, j)] = number(j + 1)?;
        }
        output[row] = number(output_column)?;
        for (values, (_, k)) in satellites.iter_mut().zip(&satellite_columns) {
            values[row] = number(*k)?;
        }
        rows = row + 1;
    }
    if rows != n {
        return Err(Error::schema(
            file,
            None,
            Some("branch"),
            None,
            format!("{rows} rows for {n} branch columns: the table must be square"),
        ));
    }
    let mut table = IoTable::named(file, branches, flows, output)?;
    for (values, (which, _)) in satellites.into_iter().zip(satellite_columns) {
        table = table.with_satellite(which, values)?;
    }
    Ok(table)
}

/// Read a table in the project's CSV layout from a file (UTF-8, UTF-16 with BOM or
/// Windows-1252).
///
/// # Errors
/// [`Error::InputFile`] when the file cannot be read; otherwise as [`read_io_csv`].
pub fn read_io_csv_path(path: &Path) -> Result<IoTable> {
    let file = path.display().to_string();
    let bytes = crate::data::read::read_file_bounded(path, crate::data::read::max_input_bytes())?;
    read_io_csv(&file, &crate::data::read::decode_text(&bytes))
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Write a table in the project's CSV layout (`,`-separated, numbers with a decimal
/// point), with every satellite column the table has. [`read_io_csv`] reads it back.
pub fn write_io_csv(table: &IoTable) -> String {
    let present: Vec<(Satellite, &DVector<f64>)> = SATELLITE_COLUMNS
        .into_iter()
        .filter_map(|s| table.satellite(s).map(|v| (s, v)))
        .collect();
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("branch");
    for b in table.branches() {
        out.push(',');
        out.push_str(&quote(b));
    }
    out.push_str(",output");
    for (s, _) in &present {
        out.push(',');
        out.push_str(s.column());
    }
    out.push('\n');
    for (i, b) in table.branches().iter().enumerate() {
        out.push_str(&quote(b));
        for j in 0..table.n() {
            out.push(',');
            out.push_str(&format_number(table.flows()[(i, j)]));
        }
        out.push(',');
        out.push_str(&format_number(table.output()[i]));
        for (_, v) in &present {
            out.push(',');
            out.push_str(&format_number(v[i]));
        }
        out.push('\n');
    }
    out
}

/// Regional and national employment by branch (`aura_employment.csv`): columns
/// `branch`, `regional_employment`, `national_employment` (persons), optional `source`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionalEmployment {
    /// Branch labels, as in the national table.
    pub branches: Vec<String>,
    /// Regional employment, persons.
    pub regional: Vec<f64>,
    /// National employment for the same branches, source and year, persons.
    pub national: Vec<f64>,
    /// Where each row comes from (empty when the column is absent).
    pub sources: Vec<String>,
}

impl RegionalEmployment {
    /// Regional and national employment in the order of `table`'s branches.
    ///
    /// # Errors
    /// [`Error::Schema`] naming a branch of the table missing from this list, or a branch
    /// of this list that the table does not have.
    pub fn aligned_to(&self, table: &IoTable) -> Result<(Vec<f64>, Vec<f64>)> {
        if let Some(extra) = self
            .branches
            .iter()
            .find(|b| table.branch_index(b).is_none())
        {
            return Err(Error::schema(
                "regional employment",
                None,
                Some("branch"),
                Some(extra),
                format!("the branch is not in the table `{}`", table.source()),
            ));
        }
        let mut regional = Vec::with_capacity(table.n());
        let mut national = Vec::with_capacity(table.n());
        for branch in table.branches() {
            let k = self
                .branches
                .iter()
                .position(|b| b == branch)
                .ok_or_else(|| {
                    Error::schema(
                        "regional employment",
                        None,
                        Some("branch"),
                        Some(branch),
                        "the table's branch has no regional employment row",
                    )
                })?;
            regional.push(self.regional[k]);
            national.push(self.national[k]);
        }
        Ok((regional, national))
    }

    /// The regional table of `table` by FLQ with these employment figures
    /// ([`IoTable::regionalise_with_national`]).
    ///
    /// # Errors
    /// As [`RegionalEmployment::aligned_to`] and [`IoTable::regionalise_with_national`].
    pub fn regionalise(&self, table: &IoTable, delta: f64) -> Result<IoTable> {
        let (regional, national) = self.aligned_to(table)?;
        table.regionalise_with_national(&regional, &national, delta)
    }
}

/// Read regional employment (`branch, regional_employment, national_employment, source`).
///
/// # Errors
/// [`Error::Schema`] for a missing or unknown column, a repeated branch, or a cell that
/// is not a number ≥ 0.
pub fn read_regional_employment_csv(file: &str, text: &str) -> Result<RegionalEmployment> {
    let mut lines = content_lines(text);
    let Some((_, header_line)) = lines.next() else {
        return Err(Error::schema(file, None, None, None, "the file is empty"));
    };
    let separator = sniff(header_line);
    let header: Vec<String> = split_record(header_line, separator)
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    const KNOWN: [&str; 4] = [
        "branch",
        "regional_employment",
        "national_employment",
        "source",
    ];
    if let Some(unknown) = header.iter().find(|h| !KNOWN.contains(&h.as_str())) {
        return Err(Error::schema(
            file,
            Some(1),
            Some(unknown),
            None,
            "unknown column: expected branch, regional_employment, national_employment, source",
        ));
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| {
            Error::schema(file, Some(1), Some(name), None, "required column missing")
        })
    };
    let (b, r, n) = (
        required("branch")?,
        required("regional_employment")?,
        required("national_employment")?,
    );
    let s = column("source");
    let mut out = RegionalEmployment {
        branches: Vec::new(),
        regional: Vec::new(),
        national: Vec::new(),
        sources: Vec::new(),
    };
    for (line_no, line) in lines {
        let fields = record(file, line_no, line, separator, header.len())?;
        let branch = fields[b].trim().to_owned();
        if out.branches.contains(&branch) {
            return Err(Error::schema(
                file,
                Some(line_no),
                Some("branch"),
                Some(&branch),
                "the branch appears twice",
            ));
        }
        let number = |k: usize| {
            parse_number(&fields[k])
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| {
                    Error::schema(
                        file,
                        Some(line_no),
                        Some(&header[k]),
                        Some(fields[k].trim()),
                        "expected a number of persons ≥ 0",
                    )
                })
        };
        out.regional.push(number(r)?);
        out.national.push(number(n)?);
        out.sources
            .push(s.map(|k| fields[k].trim().to_owned()).unwrap_or_default());
        out.branches.push(branch);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// (b) INSEE TES

/// One spreadsheet cell, as the TES reader sees it.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Number(v) => format_number(*v),
        }
    }

    /// The cell as an amount: empty and `-` are 0.
    fn amount(&self) -> Option<f64> {
        match self {
            Cell::Empty => Some(0.0),
            Cell::Number(v) => Some(*v),
            Cell::Text(s) => {
                let t = s.trim();
                if t.is_empty() || t == "-" || t == "–" {
                    Some(0.0)
                } else {
                    parse_number(t)
                }
            }
        }
    }
}

fn header_key(text: &str) -> String {
    text.trim()
        .to_ascii_uppercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Read an INSEE TES sheet (layout in the module doc) from a calamine range.
///
/// # Errors
/// [`Error::Schema`] naming the row (spreadsheet row number) and column of any layout
/// problem, and the checks of [`IoTable::named`].
pub fn read_insee_tes(file: &str, sheet: &Range<Data>) -> Result<IoTable> {
    let (first_row, _) = sheet.start().unwrap_or((0, 0));
    let grid: Vec<Vec<Cell>> = sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::Float(f) => Cell::Number(*f),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        Cell::Text(s.clone())
                    }
                    Data::Empty => Cell::Empty,
                    Data::Bool(b) => Cell::Text(b.to_string()),
                    Data::DateTime(d) => Cell::Number(d.as_f64()),
                    Data::Error(e) => Cell::Text(format!("#{e:?}")),
                })
                .collect()
        })
        .collect();
    parse_tes(file, &grid, first_row as usize + 1)
}

/// Read an INSEE TES sheet saved as CSV (`;`, `,` or tab; decimal comma allowed).
///
/// # Errors
/// As [`read_insee_tes`]; rows are line numbers.
pub fn read_insee_tes_csv(file: &str, text: &str) -> Result<IoTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let separator = lines
        .iter()
        .find(|l| {
            split_record(l, sniff(l))[0]
                .trim()
                .eq_ignore_ascii_case("code")
        })
        .map_or(';', |l| sniff(l));
    let grid: Vec<Vec<Cell>> = lines
        .iter()
        .map(|line| {
            split_record(line, separator)
                .into_iter()
                .map(|f| {
                    if f.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f)
                    }
                })
                .collect()
        })
        .collect();
    parse_tes(file, &grid, 1)
}

/// Read the sheet `sheet` of an INSEE TES `.xlsx` workbook held in memory.
///
/// # Errors
/// [`Error::InputFile`] when the bytes are not a readable workbook or the sheet is
/// missing; otherwise as [`read_insee_tes`].
pub fn read_insee_tes_xlsx(file: &str, bytes: &[u8], sheet: &str) -> Result<IoTable> {
    let mut workbook = crate::data::read::open_xlsx(file, bytes)?;
    let range = workbook
        .worksheet_range(sheet)
        .map_err(|e| Error::InputFile {
            file: file.to_owned(),
            reason: format!("cannot read the sheet `{sheet}`: {e}"),
        })?;
    read_insee_tes(file, &range)
}

fn parse_tes(file: &str, grid: &[Vec<Cell>], first_row: usize) -> Result<IoTable> {
    let row_no = |r: usize| Some(first_row + r);
    let cell = |r: usize, c: usize| {
        grid.get(r)
            .and_then(|row| row.get(c))
            .unwrap_or(&Cell::Empty)
    };
    let Some(h) = grid.iter().position(|row| {
        row.first()
            .is_some_and(|c| c.text().eq_ignore_ascii_case("code"))
    }) else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "no header row: the first cell of the header row must be `code`",
        ));
    };
    let header: Vec<String> = grid[h].iter().map(Cell::text).collect();
    let total_ci = header
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, name)| matches!(header_key(name).as_str(), "TOTAL_CI" | "P2" | "CI"))
        .map(|(k, _)| k)
        .ok_or_else(|| {
            Error::schema(
                file,
                row_no(h),
                Some("TOTAL_CI"),
                None,
                "no `TOTAL_CI` column closing the branch columns",
            )
        })?;
    let branches: Vec<String> = header[2..total_ci].to_vec();
    let n = branches.len();
    if n == 0 {
        return Err(Error::schema(
            file,
            row_no(h),
            None,
            None,
            "no branch column between the label column and `TOTAL_CI`",
        ));
    }
    if let Some(k) = branches.iter().position(String::is_empty) {
        return Err(Error::schema(
            file,
            row_no(h),
            None,
            None,
            format!("branch column {} has an empty code", k + 3),
        ));
    }
    let keys: Vec<String> = branches.iter().map(|b| normalise_code(b)).collect();
    let household = header
        .iter()
        .enumerate()
        .skip(total_ci)
        .find(|(_, name)| header_key(name) == "P3_S14")
        .map(|(k, _)| k);

    let mut product_rows: Vec<Option<usize>> = vec![None; n];
    let mut aggregates: HashMap<&'static str, usize> = HashMap::new();
    for (r, row) in grid.iter().enumerate().skip(h + 1) {
        let code = normalise_code(&row.first().map(Cell::text).unwrap_or_default());
        if code.is_empty() {
            continue;
        }
        if let Some(i) = keys.iter().position(|k| *k == code) {
            if product_rows[i].replace(r).is_some() {
                return Err(Error::schema(
                    file,
                    row_no(r),
                    Some("code"),
                    Some(&code),
                    "the product appears in two rows",
                ));
            }
            continue;
        }
        let aggregate = match code.as_str() {
            "P1" => "P1",
            "D1" => "D1",
            "B1G" => "B1G",
            "EMP" => "EMP",
            _ => continue,
        };
        if aggregates.insert(aggregate, r).is_some() {
            return Err(Error::schema(
                file,
                row_no(r),
                Some("code"),
                Some(&code),
                "the row appears twice",
            ));
        }
    }
    if let Some(i) = product_rows.iter().position(Option::is_none) {
        return Err(Error::schema(
            file,
            None,
            Some(&branches[i]),
            None,
            format!(
                "branch `{}` has a column but no product row: rows and columns must list \
                 the same codes",
                branches[i]
            ),
        ));
    }
    let amount = |r: usize, c: usize, scale: f64| -> Result<f64> {
        cell(r, c).amount().map(|v| v * scale).ok_or_else(|| {
            Error::schema(
                file,
                row_no(r),
                Some(&header[c]),
                Some(&cell(r, c).text()),
                "expected a number",
            )
        })
    };
    let mut flows = DMatrix::zeros(n, n);
    let mut consumption = DVector::zeros(n);
    for (i, r) in product_rows
        .iter()
        .map(|r| r.unwrap_or_default())
        .enumerate()
    {
        for j in 0..n {
            flows[(i, j)] = amount(r, 2 + j, EUR_PER_MILLION)?;
        }
        if let Some(c) = household {
            consumption[i] = amount(r, c, EUR_PER_MILLION)?;
        }
    }
    let by_branch = |r: usize, scale: f64| -> Result<DVector<f64>> {
        let values = (0..n)
            .map(|j| amount(r, 2 + j, scale))
            .collect::<Result<Vec<f64>>>()?;
        Ok(DVector::from_vec(values))
    };
    let Some(&p1) = aggregates.get("P1") else {
        return Err(Error::schema(
            file,
            None,
            Some("code"),
            Some("P1"),
            "no `P1` (output) row",
        ));
    };
    let output = by_branch(p1, EUR_PER_MILLION)?;
    let mut table = IoTable::named(file, branches, flows, output)?;
    if let Some(&r) = aggregates.get("D1") {
        table = table.with_compensation(by_branch(r, EUR_PER_MILLION)?)?;
    }
    if let Some(&r) = aggregates.get("B1G") {
        table = table.with_value_added(by_branch(r, EUR_PER_MILLION)?)?;
    }
    if let Some(&r) = aggregates.get("EMP") {
        table = table.with_employment(by_branch(r, 1.0)?)?;
    }
    if household.is_some() {
        table = table.with_household_consumption(consumption)?;
    }
    Ok(table)
}

// ---------------------------------------------------------------------------------------
// (c) Eurostat naio_10_cp1700

/// Which slice of a Eurostat `naio_10_cp1700` file to read.
#[derive(Debug, Clone, PartialEq)]
pub struct EurostatSelection {
    /// Country code, e.g. `FR`.
    pub geo: String,
    /// Year, e.g. `2019`.
    pub year: String,
    /// `DOM` (domestic flows, the default), `IMP` or `TOTAL`.
    pub stk_flow: String,
    /// `MIO_EUR` (the default) or `MIO_NAC`.
    pub unit: String,
    /// Products to keep, e.g. `CPA_C13-15`, in table order; `None` keeps every `CPA_*`
    /// product with a positive output.
    pub products: Option<Vec<String>>,
}

impl EurostatSelection {
    /// Domestic flows (`DOM`) in millions of euros (`MIO_EUR`), every product.
    pub fn new(geo: impl Into<String>, year: impl Into<String>) -> Self {
        Self {
            geo: geo.into(),
            year: year.into(),
            stk_flow: "DOM".into(),
            unit: "MIO_EUR".into(),
            products: None,
        }
    }
}

/// A Eurostat value: a number with optional flags, or `:` (missing).
fn eurostat_value(text: &str) -> std::result::Result<Option<f64>, ()> {
    let t = text.trim();
    if t.is_empty() || t.starts_with(':') {
        return Ok(None);
    }
    let number = t.split_whitespace().next().unwrap_or("");
    number.parse::<f64>().map(Some).map_err(|_| ())
}

/// Read a slice of Eurostat's `naio_10_cp1700` TSV (layout in the module doc).
///
/// # Errors
/// [`Error::Schema`] for a malformed header or value, a missing year or dimension, a
/// requested product without output; [`Error::Parameter`] named `unit` for a unit not in
/// millions; the checks of [`IoTable::named`].
pub fn read_eurostat_naio_tsv(
    file: &str,
    text: &str,
    selection: &EurostatSelection,
) -> Result<IoTable> {
    let unit = selection.unit.trim().to_ascii_uppercase();
    if !unit.starts_with("MIO_") {
        return Err(Error::parameter(
            "unit",
            format!("{unit:?}: only units in millions (MIO_EUR, MIO_NAC) are supported"),
        ));
    }
    let mut lines = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header_line)) = lines.next() else {
        return Err(Error::schema(file, None, None, None, "the file is empty"));
    };
    let header: Vec<&str> = header_line.split('\t').collect();
    let Some((dimensions, _time)) = header[0].split_once('\\') else {
        return Err(Error::schema(
            file,
            Some(1),
            Some(header[0]),
            None,
            "the first header cell must read like `freq,unit,stk_flow,induse,prod_na,geo\\TIME_PERIOD`",
        ));
    };
    let dimensions: Vec<String> = dimensions
        .split(',')
        .map(|d| d.trim().to_ascii_lowercase())
        .collect();
    let find_dim = |names: &[&str]| dimensions.iter().position(|d| names.contains(&d.as_str()));
    let dim = |names: &[&str]| {
        find_dim(names).ok_or_else(|| {
            Error::schema(
                file,
                Some(1),
                Some(header[0]),
                None,
                format!("no `{}` dimension in the header", names[0]),
            )
        })
    };
    let d_unit = dim(&["unit"])?;
    let d_flow = dim(&["stk_flow"])?;
    let d_use = dim(&["induse", "ind_use", "prd_use"])?;
    let d_prod = dim(&["prod_na", "prd_ava"])?;
    let d_geo = dim(&["geo"])?;
    if let Some(other) = dimensions
        .iter()
        .enumerate()
        .find(|(k, d)| ![d_unit, d_flow, d_use, d_prod, d_geo].contains(k) && d.as_str() != "freq")
    {
        return Err(Error::schema(
            file,
            Some(1),
            Some(other.1),
            None,
            "unexpected dimension for naio_10_cp1700 (expected freq, unit, stk_flow, \
             induse/prd_use, prod_na/prd_ava, geo)",
        ));
    }
    let year = selection.year.trim();
    let year_column = header
        .iter()
        .skip(1)
        .position(|h| h.trim() == year)
        .map(|p| p + 1)
        .ok_or_else(|| {
            let years: Vec<&str> = header[1..].iter().map(|h| h.trim()).collect();
            Error::schema(
                file,
                Some(1),
                None,
                Some(year),
                format!("year not in the file (years: {})", years.join(", ")),
            )
        })?;
    let geo = selection.geo.trim().to_ascii_uppercase();
    let flow = selection.stk_flow.trim().to_ascii_uppercase();

    // (prod_na, induse, stk_flow) → value in EUR, for the selected geo, unit and year.
    let mut values: HashMap<(String, String, String), Option<f64>> = HashMap::new();
    let mut product_order: Vec<String> = Vec::new();
    for (line_no, line) in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let keys: Vec<&str> = cells[0].split(',').map(str::trim).collect();
        if keys.len() != dimensions.len() {
            return Err(Error::schema(
                file,
                Some(line_no),
                Some(header[0]),
                Some(cells[0]),
                format!(
                    "{} dimension values, the header has {}",
                    keys.len(),
                    dimensions.len()
                ),
            ));
        }
        if !keys[d_geo].eq_ignore_ascii_case(&geo) || !keys[d_unit].eq_ignore_ascii_case(&unit) {
            continue;
        }
        let row_flow = keys[d_flow].to_ascii_uppercase();
        if row_flow != flow && row_flow != "TOTAL" {
            continue;
        }
        let raw = cells.get(year_column).copied().unwrap_or("");
        let value = eurostat_value(raw).map_err(|()| {
            Error::schema(
                file,
                Some(line_no),
                Some(year),
                Some(raw.trim()),
                "expected a number, optionally followed by flags, or `:`",
            )
        })?;
        let product = keys[d_prod].to_ascii_uppercase();
        if product.starts_with("CPA_")
            && product != "CPA_TOTAL"
            && !product_order.contains(&product)
        {
            product_order.push(product.clone());
        }
        values.insert(
            (product, keys[d_use].to_ascii_uppercase(), row_flow),
            value.map(|v| v * EUR_PER_MILLION),
        );
    }
    let get = |prod: &str, induse: &str, flow: &str| {
        values
            .get(&(prod.to_owned(), induse.to_owned(), flow.to_owned()))
            .copied()
            .flatten()
    };
    // Primary inputs: under the chosen stk_flow, else under TOTAL.
    let primary =
        |row: &str, product: &str| get(row, product, &flow).or_else(|| get(row, product, "TOTAL"));
    let products: Vec<String> = match &selection.products {
        Some(list) => {
            let list: Vec<String> = list.iter().map(|p| normalise_code(p)).collect();
            if let Some(p) = list.iter().find(|p| primary("P1", p).is_none()) {
                return Err(Error::schema(
                    file,
                    None,
                    Some("prod_na"),
                    Some(p),
                    format!(
                        "no output (prod_na = P1) for this product in {geo} {year}, \
                         {unit}: check the code (e.g. CPA_C13-15)"
                    ),
                ));
            }
            list
        }
        None => product_order
            .into_iter()
            .filter(|p| primary("P1", p).is_some_and(|x| x > 0.0))
            .collect(),
    };
    if products.is_empty() {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            format!("no product with output for geo {geo}, unit {unit}, year {year}"),
        ));
    }
    let n = products.len();
    let flows = DMatrix::from_fn(n, n, |i, j| {
        get(&products[i], &products[j], &flow).unwrap_or(0.0)
    });
    let output = DVector::from_fn(n, |j, _| primary("P1", &products[j]).unwrap_or(0.0));
    let source = format!("{file} ({geo} {year}, {flow}, {unit})");
    let mut table = IoTable::named(source, products.clone(), flows, output)?;
    let row_vector = |row: &str| {
        let found: Vec<Option<f64>> = products.iter().map(|p| primary(row, p)).collect();
        found
            .iter()
            .any(Option::is_some)
            .then(|| DVector::from_iterator(n, found.into_iter().map(|v| v.unwrap_or(0.0))))
    };
    if let Some(v) = row_vector("D1") {
        table = table.with_compensation(v)?;
    }
    if let Some(v) = row_vector("B1G") {
        table = table.with_value_added(v)?;
    }
    let household: Vec<Option<f64>> = products.iter().map(|p| get(p, "P3_S14", &flow)).collect();
    if household.iter().any(Option::is_some) {
        table = table.with_household_consumption(DVector::from_iterator(
            n,
            household.into_iter().map(|v| v.unwrap_or(0.0)),
        ))?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    const PROJECT_CSV: &str = "\u{feff}# Miller & Blair, ch. 2, with satellites\n\
branch,agriculture,manufacturing,output,employment,compensation,household_consumption\n\
agriculture,150,500,1000,20,300,100\n\
manufacturing,200,100,2000,\"15\",\"500\",400\n";

    #[test]
    fn project_csv_layout() {
        let table = read_io_csv("mb.csv", PROJECT_CSV).unwrap();
        assert_eq!(table.branches(), ["agriculture", "manufacturing"]);
        assert_eq!(table.flows()[(0, 1)], 500.0);
        assert_eq!(table.output()[1], 2000.0);
        assert_eq!(table.employment().unwrap()[1], 15.0);
        assert_eq!(table.compensation().unwrap()[0], 300.0);
        assert!(table.value_added().is_none());
        assert_eq!(table.household_consumption().unwrap()[1], 400.0);
        // Round trip through the writer.
        let again = read_io_csv("again.csv", &write_io_csv(&table)).unwrap();
        assert_eq!(again.flows(), table.flows());
        assert_eq!(again.employment(), table.employment());
    }

    #[test]
    fn project_csv_french_conventions() {
        let text = "branch;a;b;output\na;1,5;2;10\nb;0;1 000;2 000,5\n";
        let table = read_io_csv("fr.csv", text).unwrap();
        assert_eq!(table.flows()[(0, 0)], 1.5);
        assert_eq!(table.flows()[(1, 1)], 1000.0);
        assert_eq!(table.output()[1], 2000.5);
    }

    #[test]
    fn project_csv_errors_name_row_and_column() {
        let mislabelled = "branch,a,b,output\na,1,2,10\nc,1,1,10\n";
        let err = read_io_csv("t.csv", mislabelled).unwrap_err().to_string();
        assert!(err.contains("row 3") && err.contains("`c`"), "{err}");
        let not_square = "branch,a,b,output\na,1,2,10\n";
        let err = read_io_csv("t.csv", not_square).unwrap_err().to_string();
        assert!(err.contains("square"), "{err}");
        let bad_cell = "branch,a,b,output\na,1,x,10\nb,1,1,10\n";
        let err = read_io_csv("t.csv", bad_cell).unwrap_err().to_string();
        assert!(err.contains("column `b`") && err.contains("\"x\""), "{err}");
        let unknown = "branch,a,output,jobs\na,1,10,3\n";
        let err = read_io_csv("t.csv", unknown).unwrap_err().to_string();
        assert!(err.contains("`jobs`"), "{err}");
        let negative_output = "branch,a,b,output\na,1,2,10\nb,1,1,-3\n";
        let err = read_io_csv("t.csv", negative_output)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`b`") && err.contains("output"), "{err}");
    }

    #[test]
    fn regional_employment_csv() {
        let text = "branch,regional_employment,national_employment,source\n\
b,30,200,\"Insee, 2024\"\na,100,1000,assumption\n";
        let regional = read_regional_employment_csv("r.csv", text).unwrap();
        assert_eq!(regional.sources[0], "Insee, 2024");
        let table = read_io_csv(
            "t.csv",
            "branch,a,b,output,employment\na,1,2,10,1000\nb,1,1,10,200\n",
        )
        .unwrap();
        let (re, ne) = regional.aligned_to(&table).unwrap();
        assert_eq!(re, vec![100.0, 30.0]);
        assert_eq!(ne, vec![1000.0, 200.0]);
        assert!(regional.regionalise(&table, 0.2).is_ok());
        let missing = "branch,regional_employment,national_employment\na,1,2\n";
        let partial = read_regional_employment_csv("r.csv", missing).unwrap();
        let err = partial.aligned_to(&table).unwrap_err().to_string();
        assert!(err.contains("\"b\""), "{err}");
    }

    /// A TES sheet in INSEE's layout (millions of euros), three A17-style branches.
    const TES_CSV: &str = "Tableau des entrées-sorties 2019;;;;;;;\n\
En millions d'euros;;;;;;;\n\
Code;Libellé;AZ;C1;GZ;TOTAL_CI;P3_S14;TOTAL\n\
AZ;Agriculture, sylviculture et pêche;5 000;20 000,5;100;25 100,5;4 000;80 000\n\
C1;Industries agro-alimentaires;3 000;15 000;8 000;26 000;60 000;190 000\n\
GZ;Commerce;2 000;6 000;-;8 000;30 000;250 000\n\
TOTAL_CI;Total des consommations intermédiaires;10 000;41 000,5;8 100;;;\n\
D1;Rémunération des salariés;9 000;22 000;60 000;;;\n\
B1G;Valeur ajoutée brute;33 000;38 000;130 000;;;\n\
P1;Production;75 000;180 000;250 000;;;\n\
EMP;Emploi intérieur (personnes);750 000;560 000;3 000 000;;;\n";

    #[test]
    fn insee_tes_csv_layout() {
        let table = read_insee_tes_csv("tes.csv", TES_CSV).unwrap();
        assert_eq!(table.branches(), ["AZ", "C1", "GZ"]);
        assert!(close(table.flows()[(0, 1)], 20_000.5e6));
        assert_eq!(table.flows()[(2, 2)], 0.0);
        assert!(close(table.output()[2], 250_000e6));
        assert!(close(table.compensation().unwrap()[1], 22_000e6));
        assert!(close(table.value_added().unwrap()[0], 33_000e6));
        assert_eq!(table.employment().unwrap()[2], 3_000_000.0);
        assert!(close(table.household_consumption().unwrap()[1], 60_000e6));
    }

    #[test]
    fn insee_tes_range_layout() {
        // The same sheet as a calamine range starting at A1, numbers as numbers.
        let mut range: Range<Data> = Range::new((0, 0), (5, 6));
        let s = |t: &str| Data::String(t.into());
        let rows: Vec<Vec<Data>> = vec![
            vec![s("TES 2019, M€")],
            vec![
                s("code"),
                s("libellé"),
                s("AZ"),
                s("C3"),
                s("Total CI"),
                s("P3_S14"),
                s("TOTAL"),
            ],
            vec![
                s("C3"),
                s("Biens d'équipement"),
                Data::Float(10.0),
                Data::Int(30),
                Data::Empty,
                Data::Float(5.0),
            ],
            vec![
                s("AZ"),
                s("Agriculture"),
                Data::Float(5.0),
                Data::Float(1.0),
                Data::Empty,
                Data::Float(20.0),
            ],
            vec![
                s("P1"),
                s("Production"),
                Data::Float(75.0),
                Data::Float(100.0),
            ],
            vec![
                s("D1"),
                s("Rémunérations"),
                Data::Float(9.0),
                Data::Float(40.0),
            ],
        ];
        for (r, row) in rows.into_iter().enumerate() {
            for (c, v) in row.into_iter().enumerate() {
                range.set_value((r as u32, c as u32), v);
            }
        }
        let table = read_insee_tes("tes.xlsx", &range).unwrap();
        assert_eq!(table.branches(), ["AZ", "C3"]);
        // Rows are matched by code whatever their order: z(AZ → C3) = 1, z(C3 → AZ) = 10.
        assert!(close(table.flows()[(0, 1)], 1e6));
        assert!(close(table.flows()[(1, 0)], 10e6));
        assert!(close(table.household_consumption().unwrap()[0], 20e6));
        assert!(table.employment().is_none());
    }

    #[test]
    fn insee_tes_errors() {
        let no_p1 = TES_CSV.replace("P1;Production", "P9;Autre");
        let err = read_insee_tes_csv("tes.csv", &no_p1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("P1"), "{err}");
        let missing_row = TES_CSV.replace("GZ;Commerce", "HZ;Transports");
        let err = read_insee_tes_csv("tes.csv", &missing_row)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`GZ`"), "{err}");
        let no_total = TES_CSV.replace("TOTAL_CI;P3", "X;P3");
        assert!(read_insee_tes_csv("tes.csv", &no_total).is_err());
        assert!(matches!(
            read_insee_tes_xlsx("bad.xlsx", b"not a zip", "TES"),
            Err(Error::InputFile { .. })
        ));
    }

    /// A slice of naio_10_cp1700 in Eurostat's TSV layout, two products for FR and a
    /// distractor country, unit and flow.
    const NAIO_TSV: &str = "freq,unit,stk_flow,induse,prod_na,geo\\TIME_PERIOD\t2018 \t2019 \n\
A,MIO_EUR,DOM,CPA_A01,CPA_A01,FR\t10.0 \t12.0 \n\
A,MIO_EUR,DOM,CPA_A01,CPA_C13-15,FR\t0.5 \t0.6 p\n\
A,MIO_EUR,DOM,CPA_C13-15,CPA_A01,FR\t1.0 \t1.5 \n\
A,MIO_EUR,DOM,CPA_C13-15,CPA_C13-15,FR\t3.0 \t3.2 e\n\
A,MIO_EUR,DOM,P3_S14,CPA_A01,FR\t20.0 \t21.0 \n\
A,MIO_EUR,DOM,P3_S14,CPA_C13-15,FR\t:\t: c\n\
A,MIO_EUR,DOM,CPA_A01,CPA_U,FR\t:\t:\n\
A,MIO_EUR,TOTAL,CPA_A01,CPA_A01,FR\t11.0 \t13.0 \n\
A,MIO_EUR,TOTAL,CPA_A01,P1,FR\t70.0 \t75.0 \n\
A,MIO_EUR,TOTAL,CPA_C13-15,P1,FR\t16.0 \t16.4 \n\
A,MIO_EUR,TOTAL,CPA_A01,D1,FR\t8.0 \t9.0 \n\
A,MIO_EUR,TOTAL,CPA_C13-15,D1,FR\t4.0 \t4.3 \n\
A,MIO_EUR,TOTAL,CPA_U,P1,FR\t:\t:\n\
A,MIO_EUR,DOM,CPA_A01,CPA_A01,DE\t99.0 \t99.0 \n\
A,MIO_NAC,DOM,CPA_A01,CPA_A01,FR\t98.0 \t98.0 \n";

    #[test]
    fn eurostat_naio_tsv_layout() {
        let selection = EurostatSelection::new("FR", "2019");
        let table = read_eurostat_naio_tsv("naio.tsv", NAIO_TSV, &selection).unwrap();
        // CPA_U has no output and is dropped.
        assert_eq!(table.branches(), ["CPA_A01", "CPA_C13-15"]);
        // Z[i, j]: i = prod_na (supplier), j = induse (user); flags are stripped.
        assert!(close(table.flows()[(0, 0)], 12e6));
        assert!(close(table.flows()[(1, 0)], 0.6e6));
        assert!(close(table.flows()[(0, 1)], 1.5e6));
        assert!(close(table.flows()[(1, 1)], 3.2e6));
        // P1 and D1 found under TOTAL when absent under DOM.
        assert!(close(table.output()[1], 16.4e6));
        assert!(close(table.compensation().unwrap()[0], 9e6));
        assert!(table.value_added().is_none());
        // ':' is missing → 0.
        assert_eq!(table.household_consumption().unwrap()[1], 0.0);
        assert!(close(table.household_consumption().unwrap()[0], 21e6));

        // TOTAL flows instead of DOM, one product, another year.
        let mut selection = EurostatSelection::new("fr", "2018");
        selection.stk_flow = "TOTAL".into();
        selection.products = Some(vec!["CPA_A01".into()]);
        let table = read_eurostat_naio_tsv("naio.tsv", NAIO_TSV, &selection).unwrap();
        assert_eq!(table.n(), 1);
        assert!(close(table.flows()[(0, 0)], 11e6));
        assert!(close(table.output()[0], 70e6));
    }

    #[test]
    fn eurostat_errors() {
        let err = read_eurostat_naio_tsv("n.tsv", NAIO_TSV, &EurostatSelection::new("FR", "2030"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2018, 2019"), "{err}");
        let mut selection = EurostatSelection::new("FR", "2019");
        selection.products = Some(vec!["CPA_C13".into()]);
        let err = read_eurostat_naio_tsv("n.tsv", NAIO_TSV, &selection)
            .unwrap_err()
            .to_string();
        assert!(err.contains("CPA_C13"), "{err}");
        selection.products = None;
        selection.unit = "PC".into();
        assert!(matches!(
            read_eurostat_naio_tsv("n.tsv", NAIO_TSV, &selection),
            Err(Error::Parameter { .. })
        ));
        let bad = NAIO_TSV.replace("12.0 ", "twelve");
        assert!(
            read_eurostat_naio_tsv("n.tsv", &bad, &EurostatSelection::new("FR", "2019")).is_err()
        );
        // The newer dimension names are accepted.
        let renamed = NAIO_TSV.replace("induse,prod_na", "prd_use,prd_ava");
        assert!(
            read_eurostat_naio_tsv("n.tsv", &renamed, &EurostatSelection::new("FR", "2019"))
                .is_ok()
        );
    }

    #[test]
    fn numbers_french_and_english() {
        assert_eq!(parse_number("1 234,5"), Some(1234.5));
        assert_eq!(parse_number("1\u{a0}234"), Some(1234.0));
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("1.5e9"), Some(1.5e9));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("abc"), None);
    }
}
