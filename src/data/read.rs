//! Reading input tables from CSV, Parquet and XLSX into Polars, the French way.
//!
//! Everything is read as text first; [`super::schema`] then parses and validates each
//! cell, so that a bad cell is reported with its file, row and column instead of making a
//! whole column fail to load. CSV files may use `,`, `;` or tab separators, decimal commas,
//! UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 — the encodings French
//! spreadsheet and form-tool exports produce.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use polars::prelude::*;

use crate::error::{Error, Problem, Problems, Result};

/// Largest input file accepted by default, in bytes. Survey tables are a few hundred
/// kilobytes; a larger file is almost certainly the wrong file, and reading it whole would
/// exhaust memory. The limit also bounds what an `.xlsx` workbook may inflate to.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// Environment variable replacing [`MAX_INPUT_BYTES`] (a number of bytes).
pub const MAX_INPUT_BYTES_ENV: &str = "FILIERE_MAX_INPUT_BYTES";

pub use super::MAX_CELLS;

/// The input size limit in force: `FILIERE_MAX_INPUT_BYTES` when set to a positive whole
/// number of bytes, else [`MAX_INPUT_BYTES`].
pub fn max_input_bytes() -> usize {
    std::env::var(MAX_INPUT_BYTES_ENV)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(MAX_INPUT_BYTES)
}

/// A table as read from a file: every column as text (`String` dtype), nulls for empty cells.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file it came from (or a table name for in-memory tables), used in messages.
    pub file: String,
    /// The cells, all as `String` columns, header names trimmed.
    pub frame: DataFrame,
    /// Spreadsheet row number (header = 1 when it is the first line) of each frame row:
    /// blank rows and title rows above the header are counted as a spreadsheet shows them.
    pub rows: Vec<usize>,
    /// Headers to read as columns (question text → column name), from a study file's
    /// `[tables.workshops_columns]`; empty otherwise. Matched as [`super::questions::label_key`].
    pub mapping: std::collections::BTreeMap<String, String>,
}

/// The text columns read from a file as a [`RawTable`], or every problem found on the way.
fn raw_table(
    file: &str,
    names: &[String],
    columns: Vec<Vec<Option<String>>>,
    rows: Vec<usize>,
    problems: Vec<Problem>,
) -> Result<RawTable> {
    if !problems.is_empty() {
        return Err(Error::Schema(Problems(problems)));
    }
    let columns: Vec<Column> = names
        .iter()
        .zip(columns)
        .map(|(name, values)| Column::new(name.as_str().into(), values))
        .collect();
    let frame = if columns.is_empty() {
        DataFrame::empty()
    } else {
        DataFrame::new_infer_height(columns)?
    };
    Ok(RawTable {
        file: file.to_owned(),
        frame,
        rows,
        mapping: std::collections::BTreeMap::new(),
    })
}

impl RawTable {
    /// Spreadsheet row number of data row `i` (`i + 2` when nothing was skipped).
    pub fn row_number(&self, i: usize) -> usize {
        self.rows.get(i).copied().unwrap_or(i + 2)
    }
}

/// File formats the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (`.csv`, `.txt`, `.tsv`).
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Excel 2007+ workbook; the first sheet is read.
    Xlsx,
}

impl Format {
    /// Guess the format from a file name's extension.
    ///
    /// # Errors
    /// [`Error::InputFile`] for an extension no reader handles.
    pub fn from_name(file: &str) -> Result<Self> {
        let ext = Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "xls" => Err(Error::InputFile {
                file: file.to_owned(),
                reason: "old Excel 97 `.xls` files are not read; save the sheet as `.xlsx` or CSV"
                    .into(),
            }),
            "" => Err(Error::InputFile {
                file: file.to_owned(),
                reason: "the file name has no extension: name it `.csv`, `.parquet` or `.xlsx`"
                    .into(),
            }),
            other => Err(Error::InputFile {
                file: file.to_owned(),
                reason: format!("unknown file type `.{other}`: use `.csv`, `.parquet` or `.xlsx`"),
            }),
        }
    }
}

/// Read a whole file, refusing folders and anything larger than `limit` bytes before
/// reading it (and, for devices and pipes whose size is unknown, after `limit` bytes).
///
/// # Errors
/// [`Error::InputFile`] if the file is missing, a folder, unreadable or too large.
pub fn read_file_bounded(path: &Path, limit: usize) -> Result<Vec<u8>> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::InputFile {
        file: file.clone(),
        reason: format!("cannot open: {e}"),
    })?;
    if meta.is_dir() {
        return Err(Error::InputFile {
            file,
            reason: "is a folder, not a table file".into(),
        });
    }
    if meta.len() > limit as u64 {
        return Err(too_large(&file, meta.len(), limit));
    }
    let handle = std::fs::File::open(path).map_err(|e| Error::InputFile {
        file: file.clone(),
        reason: format!("cannot open: {e}"),
    })?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    handle
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::InputFile {
            file: file.clone(),
            reason: format!("cannot read: {e}"),
        })?;
    if bytes.len() > limit {
        return Err(too_large(&file, bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Read a table file from disk.
///
/// # Errors
/// [`Error::InputFile`] if the file is missing, too large or not decodable;
/// [`Error::Schema`] for structural problems (empty file, duplicated header, ragged rows).
pub fn read_path(path: &Path) -> Result<RawTable> {
    let file = path.display().to_string();
    if path.is_dir() {
        return Err(Error::InputFile {
            file,
            reason: "is a folder, not a table file".into(),
        });
    }
    // The extension first: a wrong file is refused before it is read.
    Format::from_name(&file)?;
    let limit = max_input_bytes();
    let bytes = read_file_bounded(path, limit)?;
    read_bytes_limited(&file, &bytes, limit)
}

fn human_size(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= 10 * MB {
        format!("{} MB", n / MB)
    } else {
        format!("{n} bytes")
    }
}

fn too_large(file: &str, len: u64, limit: usize) -> Error {
    Error::InputFile {
        file: file.to_owned(),
        reason: format!(
            "file is {}, more than the {} limit for an input table; is it the right file? \
             (the limit is set by the {MAX_INPUT_BYTES_ENV} environment variable)",
            human_size(len),
            human_size(limit as u64)
        ),
    }
}

/// Read a table from bytes, the format taken from `file`'s extension.
///
/// # Errors
/// As [`read_path`].
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<RawTable> {
    read_bytes_limited(file, bytes, max_input_bytes())
}

/// [`read_bytes`] with an explicit size limit (bytes in the file, and bytes an `.xlsx`
/// inflates to).
///
/// # Errors
/// As [`read_path`].
pub fn read_bytes_limited(file: &str, bytes: &[u8], limit: usize) -> Result<RawTable> {
    if bytes.len() > limit {
        return Err(too_large(file, bytes.len() as u64, limit));
    }
    match Format::from_name(file)? {
        Format::Csv => read_csv(file, bytes),
        Format::Parquet => read_parquet(file, bytes, limit),
        Format::Xlsx => read_xlsx(file, bytes, limit),
    }
}

fn too_many_cells(file: &str, row: usize) -> Error {
    Error::InputFile {
        file: file.to_owned(),
        reason: format!(
            "more than {MAX_CELLS} cells (reached at row {row}): an input table is a few \
             thousand rows; is it the right file?"
        ),
    }
}

/// Wrap an in-memory DataFrame (from Python, say) as a raw table, casting every column to text.
///
/// # Errors
/// [`Error::Schema`] if a column cannot be represented as text (nested types).
pub fn from_frame(name: &str, frame: &DataFrame) -> Result<RawTable> {
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let text = column.cast(&DataType::String).map_err(|e| {
            Error::schema(
                name,
                None,
                Some(column.name().as_str()),
                None,
                format!(
                    "column of type {} cannot be read as a value: {e}",
                    column.dtype()
                ),
            )
        })?;
        let trimmed = text.str()?.apply_values(|s| s.trim().to_owned().into());
        columns.push(trimmed.into_column().with_name(column.name().trim().into()));
    }
    let frame = DataFrame::new_infer_height(columns)?;
    let rows = (0..frame.height()).map(|i| i + 2).collect();
    Ok(RawTable {
        file: name.to_owned(),
        frame,
        rows,
        mapping: std::collections::BTreeMap::new(),
    })
}

/// Decode CSV bytes to UTF-8: strip a UTF-8 BOM, honour a UTF-16 BOM, and fall back to
/// Windows-1252 (what French Excel writes by default) when the bytes are not valid UTF-8.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Line number (1-based) of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decode a text table as [`decode_text`] does, but refuse what is not a text table:
/// binary files (a workbook or Parquet file named `.csv`, NUL bytes), UTF-16 without its
/// byte-order mark, a file mixing UTF-8 and Windows-1252 lines, and bytes that are control
/// characters in Windows-1252.
///
/// # Errors
/// [`Error::InputFile`] saying what the file seems to be and how to save it.
pub fn decode_table_text(file: &str, bytes: &[u8]) -> Result<String> {
    let bad = |reason: String| Error::InputFile {
        file: file.to_owned(),
        reason,
    };
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if malformed {
            return Err(bad(format!(
                "the file starts with a {} byte-order mark but is not valid {}; save it as UTF-8",
                encoding.name(),
                encoding.name()
            )));
        }
        return Ok(text.into_owned());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(bad(
            "this is a zip archive (an Excel .xlsx workbook?), not a text table: give it the \
             `.xlsx` extension or save the sheet as CSV"
                .into(),
        ));
    }
    if bytes.starts_with(b"PAR1") {
        return Err(bad(
            "this is a Parquet file, not a text table: give it the `.parquet` extension".into(),
        ));
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let zeros = bytes.iter().filter(|&&b| b == 0).count();
        return Err(bad(if zeros * 3 >= bytes.len() {
            "the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 \
             (Excel: “CSV UTF-8”)"
                .into()
        } else {
            format!(
                "binary content (a NUL byte on line {}): this is not a text table",
                line_of(bytes, at)
            )
        }));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    // Not UTF-8. If some of it is UTF-8 (accented letters written as two bytes) and some is
    // not, the file was pasted together from two encodings: decoding it either way garbles
    // part of it, so say where.
    let mut offset = 0;
    let mut first_invalid = None;
    let mut has_utf8_accents = false;
    for chunk in bytes.utf8_chunks() {
        if chunk.valid().bytes().any(|b| b >= 0x80) {
            has_utf8_accents = true;
        }
        if !chunk.invalid().is_empty() && first_invalid.is_none() {
            first_invalid = Some(offset + chunk.valid().len());
        }
        offset += chunk.valid().len() + chunk.invalid().len();
    }
    if let (true, Some(at)) = (has_utf8_accents, first_invalid) {
        return Err(bad(format!(
            "mixed text encodings: line {} is not UTF-8 while other lines are (part of the \
             file is Windows-1252?); re-save the whole file as UTF-8",
            line_of(bytes, at)
        )));
    }
    let text = encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned();
    if let Some((line, c)) = text.lines().enumerate().find_map(|(i, l)| {
        l.chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\r'))
            .map(|c| (i + 1, c))
    }) {
        return Err(bad(format!(
            "not a text table: neither UTF-8 nor Windows-1252 (control character U+{:04X} on \
             line {line}); save the file as CSV UTF-8",
            c as u32
        )));
    }
    Ok(text)
}

/// Split one CSV line on `separator`, honouring double quotes (`""` inside quotes is a quote).
pub fn split_line(line: &str, separator: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Pick the separator of a CSV file from its header line: the most frequent of `;`, `,`
/// and tab outside quotes (`,` when none occurs: a one-column file).
pub fn sniff_separator(header: &str) -> u8 {
    let mut best = (b',', 0usize);
    for sep in [b';', b',', b'\t'] {
        let count = split_line(header, sep as char).len() - 1;
        if count > best.1 {
            best = (sep, count);
        }
    }
    best.0
}

/// Split CSV text into records, calling `each(row, fields)` for each one, `row` being the
/// spreadsheet row (1-based; blank lines count, a quoted line break does not). Returns the
/// row of a quote opened and never closed, if any.
fn for_each_record(
    text: &str,
    separator: char,
    mut each: impl FnMut(usize, Vec<String>) -> Result<()>,
) -> Result<Option<usize>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut row = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '\r' | '\n' if !quoted => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                each(row, std::mem::take(&mut fields))?;
                row += 1;
            }
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if quoted {
        return Ok(Some(row));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        each(row, fields)?;
    }
    Ok(None)
}

fn clean_name(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_owned()
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<RawTable> {
    let text = decode_table_text(file, bytes)?;
    let header_line = text.lines().find(|l| !l.trim().is_empty());
    let Some(header_line) = header_line else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "the file is empty: expected a header row and data rows",
        ));
    };
    let separator = sniff_separator(header_line) as char;
    let others: Vec<char> = [';', ',', '\t']
        .into_iter()
        .filter(|&c| c != separator)
        .collect();
    let shown = |c: char| {
        if c == '\t' {
            "tab".to_owned()
        } else {
            format!("`{c}`")
        }
    };

    let mut header: Option<(usize, Vec<String>)> = None;
    let mut width = 0;
    let mut columns: Vec<Vec<Option<String>>> = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let problem = |row: usize, message: String| Problem {
        file: file.to_owned(),
        row: Some(row),
        column: None,
        value: None,
        message,
    };
    let unclosed = for_each_record(&text, separator, |row, fields| {
        if fields.iter().all(|f| f.trim().is_empty()) {
            return Ok(()); // a blank line, or a row of separators only
        }
        let Some(_) = &header else {
            let names: Vec<String> = fields.iter().map(|f| clean_name(f)).collect();
            // Trailing empty header cells are formatting (`a;b;c;;`), not columns.
            width = names
                .iter()
                .rposition(|h| !h.is_empty())
                .map_or(0, |i| i + 1);
            columns = vec![Vec::new(); width];
            header = Some((row, names[..width].to_vec()));
            return Ok(());
        };
        let n = fields.len();
        if n > width && fields[width..].iter().any(|f| !f.trim().is_empty()) {
            let hint = if separator == ',' {
                "; a decimal comma in a comma-separated file? write 0.55, quote the number \
                 (\"0,55\") or separate the columns with `;`"
            } else {
                "; a value holding the separator must be quoted"
            };
            problems.push(problem(
                row,
                format!(
                    "this row has {n} values but the header has {width} columns \
                     (separated by {}){hint}",
                    shown(separator)
                ),
            ));
            return Ok(());
        }
        if n < width {
            let line: String = fields.join(&separator.to_string());
            if let Some(&other) = others
                .iter()
                .find(|&&o| line.split(o).count() > n && line.split(o).count() >= width.min(n + 2))
            {
                problems.push(problem(
                    row,
                    format!(
                        "this row is separated by {} but the header by {}: use one separator \
                         in the whole file",
                        shown(other),
                        shown(separator)
                    ),
                ));
                return Ok(());
            }
        }
        if (rows.len() + 1).saturating_mul(width.max(1)) > MAX_CELLS {
            return Err(too_many_cells(file, row));
        }
        let mut fields = fields.into_iter();
        for column in columns.iter_mut() {
            let cell = fields.next().map(|f| f.trim().to_owned());
            column.push(cell.filter(|f| !f.is_empty()));
        }
        rows.push(row);
        Ok(())
    })?;
    if let Some(row) = unclosed {
        problems.push(problem(
            row,
            "a double quote (\") opened on this row is never closed: the rest of the file \
             would be one cell; close or remove the quote"
                .into(),
        ));
    }
    let Some((header_row, names)) = header else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "the file is empty: expected a header row and data rows",
        ));
    };
    check_header(file, header_row, &names, |i| format!("#{}", i + 1))?;
    raw_table(file, &names, columns, rows, problems)
}

/// Refuse empty and duplicated column names: they make cells ambiguous. `label` names
/// the column at an index for messages (`#3` in a CSV file, `C` in a sheet).
fn check_header(
    file: &str,
    header_row: usize,
    header: &[String],
    label: impl Fn(usize) -> String,
) -> Result<()> {
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            problems.push(Problem {
                file: file.to_owned(),
                row: Some(header_row),
                column: Some(label(i)),
                value: None,
                message: "empty column name in the header; name the column or delete it".into(),
            });
        } else if header[..i].iter().any(|h| h == name) {
            problems.push(Problem {
                file: file.to_owned(),
                row: Some(header_row),
                column: Some(name.clone()),
                value: None,
                message: "this column name appears twice in the header; keep one".into(),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(Problems(problems)))
    }
}

/// The message of a caught panic.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown error")
}

fn read_parquet(file: &str, bytes: &[u8], limit: usize) -> Result<RawTable> {
    let unreadable = |reason: String| Error::InputFile {
        file: file.to_owned(),
        reason: format!("not a readable Parquet file: {reason}"),
    };
    // Polars' Parquet reader panics on some corrupt files instead of failing (polars-parquet
    // 0.55 `expect`s some fields of the footer's Thrift metadata; found by fuzzing): a
    // corrupt file is an input error, not a crash. The reader holds no shared state.
    // It also trusts the counts and sizes the file declares, and a negative page count
    // aborts the process (an allocation failure, which no `catch_unwind` catches): they are
    // checked first, on the metadata Polars then reads the file with.
    let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let refused = |refusal| match refusal {
            super::parquet::Refusal::TooManyCells(rows) => too_many_cells(file, rows + 1),
            super::parquet::Refusal::Corrupt(reason) => {
                unreadable(format!("corrupt or hostile file ({reason})"))
            }
        };
        super::parquet::check_footer(bytes).map_err(refused)?;
        let mut reader = ParquetReader::new(Cursor::new(bytes));
        let metadata = reader
            .get_metadata()
            .map_err(|e| unreadable(e.to_string()))?;
        super::parquet::check_declared_sizes(metadata, bytes, limit).map_err(refused)?;
        reader.finish().map_err(|e| unreadable(e.to_string()))
    }))
    .map_err(|panic| unreadable(format!("corrupt file ({})", panic_message(&*panic))))??;
    if frame.height().saturating_mul(frame.width().max(1)) > MAX_CELLS {
        return Err(too_many_cells(file, frame.height() + 1));
    }
    from_frame(file, &frame)
}

/// Render one Excel cell as the text a user sees, or `None` when empty.
fn excel_cell_text(cell: &DataRef<'_>) -> std::result::Result<Option<String>, String> {
    Ok(match cell {
        DataRef::Empty => None,
        DataRef::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        }
        DataRef::SharedString(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        }
        DataRef::Int(i) => Some(i.to_string()),
        DataRef::Float(f) => Some(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", *f as i64)
        } else {
            format!("{f}")
        }),
        DataRef::Bool(b) => Some(b.to_string()),
        DataRef::DateTime(dt) => Some(dt.as_f64().to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some(s.clone()),
        DataRef::Error(e) => return Err(format!("the spreadsheet cell holds the error {e}")),
    })
}

/// Excel column letters of a 0-based column index (0 → `A`, 27 → `AB`).
pub fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Check what a zip archive inflates to before a workbook reader opens it: the sizes its
/// directory declares, then the bytes each entry actually inflates to (a crafted archive
/// can declare small sizes), stopping as soon as the total passes `limit`.
fn check_zip_size(file: &str, bytes: &[u8], limit: usize) -> Result<()> {
    let bad = |reason: String| Error::InputFile {
        file: file.to_owned(),
        reason,
    };
    let bomb = |total: u64| {
        bad(format!(
            "the workbook inflates to more than {} ({} compressed): a sheet this large is \
             not a survey table, or the file is a zip bomb; is it the right file? (the limit \
             is set by the {MAX_INPUT_BYTES_ENV} environment variable)",
            human_size(total.max(limit as u64 + 1)),
            human_size(bytes.len() as u64)
        ))
    };
    let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable .xlsx workbook (corrupt zip: {e})")))?;
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| bad(format!("not a readable .xlsx workbook (corrupt zip: {e})")))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limit as u64 {
        return Err(bomb(declared));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("not a readable .xlsx workbook (corrupt zip: {e})")))?;
        let budget = (limit as u64).saturating_sub(total) + 1;
        let read = std::io::copy(&mut entry.take(budget), &mut std::io::sink())
            .map_err(|e| bad(format!("not a readable .xlsx workbook (corrupt zip: {e})")))?;
        total += read;
        if total > limit as u64 {
            return Err(bomb(total));
        }
    }
    Ok(())
}

/// Open an `.xlsx` workbook held in memory, after checking that it inflates to at most the
/// input size limit ([`max_input_bytes`]).
///
/// # Errors
/// [`Error::InputFile`] when the bytes are not a readable workbook or inflate too much.
pub fn open_xlsx<'a>(file: &str, bytes: &'a [u8]) -> Result<Xlsx<Cursor<&'a [u8]>>> {
    open_xlsx_limited(file, bytes, max_input_bytes())
}

fn open_xlsx_limited<'a>(
    file: &str,
    bytes: &'a [u8],
    limit: usize,
) -> Result<Xlsx<Cursor<&'a [u8]>>> {
    check_zip_size(file, bytes, limit)?;
    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| Error::InputFile {
        file: file.to_owned(),
        reason: format!("not a readable .xlsx workbook: {e}"),
    })
}

/// Read the first sheet cell by cell (never as one rectangle: two cells far apart, `A1`
/// and `XFD1048576`, would make a rectangle of 17 billion cells), keeping only rows that
/// hold a value, and bounding the cells and text kept.
fn read_xlsx(file: &str, bytes: &[u8], limit: usize) -> Result<RawTable> {
    let bad = |reason: String| Error::InputFile {
        file: file.to_owned(),
        reason,
    };
    let mut workbook = open_xlsx_limited(file, bytes, limit)?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(bad("the workbook has no sheet".into()));
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| bad(format!("cannot read the first sheet `{sheet}`: {e}")))?;
    // Non-empty cells by sheet row, as (column, text or cell error).
    type Cells = Vec<(usize, std::result::Result<String, String>)>;
    let mut sheet_rows: BTreeMap<usize, Cells> = BTreeMap::new();
    let mut kept_bytes = 0usize;
    let mut kept_cells = 0usize;
    loop {
        let cell = reader
            .next_cell()
            .map_err(|e| bad(format!("cannot read the first sheet `{sheet}`: {e}")))?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize + 1, col as usize);
        let value = match excel_cell_text(cell.get_value()) {
            Ok(None) => continue,
            Ok(Some(text)) => Ok(text),
            Err(message) => Err(message),
        };
        kept_cells += 1;
        kept_bytes += value.as_ref().map_or(0, String::len);
        if kept_cells > MAX_CELLS {
            return Err(too_many_cells(file, row));
        }
        if kept_bytes > limit {
            return Err(bad(format!(
                "the sheet's text passes {} (at row {row}); is it the right file? (the \
                 limit is set by the {MAX_INPUT_BYTES_ENV} environment variable)",
                human_size(limit as u64)
            )));
        }
        sheet_rows.entry(row).or_default().push((col, value));
    }
    drop(reader);

    let mut sheet_rows = sheet_rows.into_iter();
    let Some((header_row, header_cells)) = sheet_rows.next() else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "the first sheet is empty: expected a header row and data rows",
        ));
    };
    let width = header_cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    let mut header = vec![String::new(); width];
    for (c, value) in header_cells {
        header[c] = clean_name(&value.unwrap_or_default());
    }
    check_header(file, header_row, &header, column_letters)?;

    let n_rows = sheet_rows.len();
    if n_rows.saturating_mul(width.max(1)) > MAX_CELLS {
        return Err(too_many_cells(file, header_row + n_rows));
    }
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(n_rows); width];
    let mut rows = Vec::with_capacity(n_rows);
    let mut problems = Vec::new();
    for (row, cells) in sheet_rows {
        let mut values: Vec<Option<String>> = vec![None; width];
        for (c, value) in cells {
            match (value, c < width) {
                (Ok(text), true) => values[c] = Some(text),
                (Ok(text), false) => problems.push(Problem {
                    file: file.to_owned(),
                    row: Some(row),
                    column: Some(column_letters(c)),
                    value: Some(text),
                    message: format!(
                        "a value in column {} which has no header: name the column or move \
                         the value",
                        column_letters(c)
                    ),
                }),
                (Err(message), _) => problems.push(Problem {
                    file: file.to_owned(),
                    row: Some(row),
                    column: Some(header.get(c).cloned().unwrap_or_else(|| column_letters(c))),
                    value: None,
                    message: format!("{message}; fix the formula or type the value"),
                }),
            }
        }
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
        rows.push(row);
    }
    raw_table(file, &header, columns, rows, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading `bytes` as `file` fails with an input error whose reason starts with
    /// `start` and contains `part`.
    fn refused(file: &str, bytes: &[u8], start: &str, part: &str) {
        match read_bytes(file, bytes) {
            Err(Error::InputFile { file: f, reason }) => {
                assert_eq!(f, file);
                assert!(
                    reason.starts_with(start) && reason.contains(part),
                    "{reason}"
                );
            }
            other => panic!("expected an InputFile error, got {other:?}"),
        }
    }

    #[test]
    fn corrupt_parquet_metadata_is_an_input_error() {
        // Found by `fuzz/read_table`: a footer whose sorting column has a `descending` field
        // not encoded as a Thrift boolean made polars-parquet panic (`Option::expect`).
        let bytes = include_bytes!("../../tests/data/fuzz/parquet_thrift_panic.parquet");
        refused("corrupt.parquet", bytes, "not a readable Parquet file", "");
    }

    #[test]
    fn parquet_declaring_a_negative_page_count_is_an_input_error_not_an_abort() {
        // Found by `fuzz/read_table`: a data page header declaring a negative `num_values`
        // made polars-parquet reserve a 2^61-byte validity bitmap, aborting the process.
        // Its footer is corrupt too (a list of encodings that are not integers), which is
        // now refused first; `data::parquet::tests` covers the page count.
        let bytes = include_bytes!("../../tests/data/fuzz/parquet_huge_alloc_abort.parquet");
        let start = "not a readable Parquet file: corrupt or hostile file";
        refused("hostile.parquet", bytes, start, "");
    }

    #[test]
    fn parquet_footer_declaring_a_huge_list_is_an_input_error_not_an_abort() {
        // Found by `fuzz/read_table`: polars-parquet's footer decoder pre-sizes a list from
        // its declared length (here 109 GB of row groups), aborting the process.
        let bytes = include_bytes!("../../tests/data/fuzz/parquet_footer_list_alloc_abort.parquet");
        let start = "not a readable Parquet file: corrupt or hostile file";
        refused("hostile.parquet", bytes, start, "footer metadata");
    }

    #[test]
    fn sniffs_french_semicolons_and_commas() {
        assert_eq!(sniff_separator("a;b;c"), b';');
        assert_eq!(sniff_separator("a,b,c"), b',');
        assert_eq!(sniff_separator("a\tb"), b'\t');
        // Commas inside quotes do not count.
        assert_eq!(sniff_separator("\"x, y\";b"), b';');
        assert_eq!(sniff_separator("single"), b',');
    }

    #[test]
    fn decodes_bom_and_windows_1252() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFd\xC3\xA9partement"),
            "département"
        );
        assert_eq!(decode_text(b"d\xE9partement"), "département");
        assert_eq!(decode_text("déjà".as_bytes()), "déjà");
    }

    #[test]
    fn reads_semicolon_csv_as_text() {
        let t = read_bytes("t.csv", "\u{feff}id;valeur\nA;1,5\nB;\n".as_bytes()).unwrap();
        assert_eq!(t.frame.height(), 2);
        let v = t.frame.column("valeur").unwrap().str().unwrap();
        assert_eq!(v.get(0), Some("1,5"));
        assert_eq!(v.get(1), None);
    }

    #[test]
    fn refuses_duplicated_and_empty_headers() {
        let err = read_bytes("t.csv", b"a,b,a\n1,2,3\n").unwrap_err();
        assert!(err.to_string().contains("column `a`"), "{err}");
        let err = read_bytes("t.csv", b"").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn refuses_unknown_extensions_and_xls() {
        assert!(read_bytes("t.json", b"{}").is_err());
        let err = read_bytes("t.xls", b"xx").unwrap_err();
        assert!(err.to_string().contains(".xlsx"), "{err}");
    }

    #[test]
    fn corrupt_xlsx_is_an_input_file_error() {
        let err = read_bytes("t.xlsx", b"PK\x03\x04garbage").unwrap_err();
        assert!(matches!(err, Error::InputFile { .. }), "{err}");
    }

    /// A minimal workbook whose first sheet has `sheet_data` as its `<sheetData>`.
    pub(crate) fn xlsx(sheet_data: &str) -> Vec<u8> {
        use std::io::Write;
        let files = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#),
            ),
        ];
        let mut out = Cursor::new(Vec::new());
        let mut zip = ::zip::ZipWriter::new(&mut out);
        let options = ::zip::write::SimpleFileOptions::default()
            .compression_method(::zip::CompressionMethod::Deflated);
        for (name, body) in files {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    fn cell(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    fn problems(err: &Error) -> Vec<(Option<usize>, Option<String>)> {
        match err {
            Error::Schema(Problems(p)) => p.iter().map(|p| (p.row, p.column.clone())).collect(),
            other => panic!("expected a schema error, got {other}"),
        }
    }

    #[test]
    fn xlsx_far_apart_cells_are_read_cell_by_cell_not_as_a_rectangle() {
        // A1 and XFD1048576: as one rectangle that is 17 billion cells (an abort, not an
        // error). Read cell by cell, it is one header and a value without a header.
        let data = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "id"),
            cell("XFD1048576", "x")
        );
        let err = read_bytes("t.xlsx", &xlsx(&data)).unwrap_err();
        assert_eq!(
            problems(&err),
            vec![(Some(1_048_576), Some("XFD".to_owned()))]
        );
        assert!(err.to_string().contains("no header"), "{err}");
    }

    #[test]
    fn xlsx_rows_are_the_sheet_rows_with_titles_and_gaps() {
        // A title row above the header and an empty row inside the data.
        let data = format!(
            r#"<row r="2">{}{}</row><row r="3">{}{}</row><row r="5">{}{}</row>"#,
            cell("A2", "id"),
            cell("B2", "v"),
            cell("A3", "a"),
            cell("B3", "1"),
            cell("A5", "b"),
            cell("B5", "2")
        );
        let t = read_bytes("t.xlsx", &xlsx(&data)).unwrap();
        assert_eq!(t.frame.height(), 2);
        assert_eq!(t.rows, vec![3, 5]);
        assert_eq!(t.row_number(1), 5);
    }

    #[test]
    fn xlsx_error_cells_and_inflation_are_reported() {
        let data = format!(
            r#"<row r="1">{}</row><row r="2"><c r="A2" t="e"><v>#DIV/0!</v></c></row>"#,
            cell("A1", "id")
        );
        let err = read_bytes("t.xlsx", &xlsx(&data)).unwrap_err();
        assert_eq!(problems(&err), vec![(Some(2), Some("id".to_owned()))]);
        // 2 MB of sheet compresses to a few kilobytes; with a 1 MB limit it is refused.
        let filler = format!("<row r=\"1\">{}</row>", cell("A1", "id"))
            + &"<!-- padding padding padding -->".repeat(64 * 1024);
        let bytes = xlsx(&filler);
        assert!(bytes.len() < 64 * 1024);
        let err = read_bytes_limited("t.xlsx", &bytes, 1024 * 1024).unwrap_err();
        assert!(
            matches!(&err, Error::InputFile { reason, .. } if reason.contains("inflates")),
            "{err}"
        );
        assert!(read_bytes_limited("t.xlsx", &bytes, 8 * 1024 * 1024).is_ok());
    }

    #[test]
    fn column_letters_are_excel_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn csv_ragged_rows_name_their_row_and_hint_at_decimal_commas() {
        let err = read_bytes("t.csv", b"id,v\na,1\nb,0,55\nc,2\nd,1,5\n").unwrap_err();
        assert_eq!(problems(&err), vec![(Some(3), None), (Some(5), None)]);
        assert!(err.to_string().contains("decimal comma"), "{err}");
    }

    #[test]
    fn csv_mixed_separators_are_reported() {
        let err = read_bytes("t.csv", b"id;v;w\na;1;2\nb,1,2\n").unwrap_err();
        assert_eq!(problems(&err), vec![(Some(3), None)]);
        assert!(err.to_string().contains("one separator"), "{err}");
        // A short row without another separator is padded with empty cells.
        let t = read_bytes("t.csv", b"id;v;w\na;1\n").unwrap();
        assert_eq!(t.frame.column("w").unwrap().null_count(), 1);
    }

    #[test]
    fn csv_rows_count_blank_lines_and_quoted_line_breaks() {
        let t = read_bytes("t.csv", b"\nid,v\na,1\n\n\"b\nc\",2\nd,3\n").unwrap();
        // Header on row 2; `a` row 3; row 4 blank; the quoted line break stays in row 5.
        assert_eq!(t.rows, vec![3, 5, 6]);
        let err = read_bytes("t.csv", b"id,v\na,1\n\"b,2\nc,3\n").unwrap_err();
        assert_eq!(problems(&err), vec![(Some(3), None)]);
        assert!(err.to_string().contains("never closed"), "{err}");
    }

    #[test]
    fn csv_trailing_separators_are_formatting() {
        let t = read_bytes("t.csv", b"id;v;;\na;1;;\n;;;\n").unwrap();
        assert_eq!(t.frame.width(), 2);
        assert_eq!(t.frame.height(), 1);
    }

    #[test]
    fn binary_utf16_and_mixed_encodings_are_input_file_errors() {
        let reason = |bytes: &[u8]| match read_bytes("t.csv", bytes).unwrap_err() {
            Error::InputFile { reason, .. } => reason,
            other => panic!("{other}"),
        };
        assert!(reason(b"PK\x03\x04\x14\x00").contains(".xlsx"));
        assert!(reason(b"PAR1\x15\x04").contains("Parquet"));
        assert!(reason(b"i\0d\0,\0v\0\n\0").contains("UTF-16"));
        assert!(reason(b"id,v\na,\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\n").contains("NUL"));
        let mixed = "id,nom\na,Lyon\nb,Drôme\nc,Ard\u{e8}che\n"
            .replace("Ard\u{e8}che", "Ard\u{fffd}che")
            .into_bytes();
        let mixed: Vec<u8> = mixed
            .windows(3)
            .position(|w| w == "\u{fffd}".as_bytes())
            .map(|at| [&mixed[..at], b"\xe8", &mixed[at + 3..]].concat())
            .unwrap();
        assert!(reason(&mixed).contains("line 4"), "{}", reason(&mixed));
        assert!(reason(b"id,v\na,\x81\x8d\n").contains("control character"));
        // Plain Windows-1252 still loads.
        let t = read_bytes("t.csv", b"id,nom\na,Ard\xe8che\n").unwrap();
        let v = t.frame.column("nom").unwrap().str().unwrap().get(0);
        assert_eq!(v, Some("Ardèche"));
    }

    #[test]
    fn size_limit_applies_to_bytes_and_devices() {
        let err = read_bytes_limited("t.csv", b"id\n1\n", 3).unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
        assert!(err.to_string().contains(MAX_INPUT_BYTES_ENV), "{err}");
        // /dev/zero has no size: reading stops at the limit.
        if Path::new("/dev/zero").exists() {
            let err = read_file_bounded(Path::new("/dev/zero"), 1024).unwrap_err();
            assert!(err.to_string().contains("limit"), "{err}");
        }
        let err = read_path(Path::new("/no/such/file.csv")).unwrap_err();
        assert!(err.to_string().contains("cannot open"), "{err}");
        let err = Format::from_name("notes").unwrap_err();
        assert!(err.to_string().contains("no extension"), "{err}");
    }

    #[test]
    fn too_many_cells_are_refused() {
        let mut csv = String::from("a,b,c,d,e,f,g,h,i,j\n");
        let row = "1,2,3,4,5,6,7,8,9,10\n";
        csv.push_str(&row.repeat(MAX_CELLS / 10 + 1));
        let err = read_bytes_limited("t.csv", csv.as_bytes(), usize::MAX).unwrap_err();
        assert!(err.to_string().contains("cells"), "{err}");
    }
}
