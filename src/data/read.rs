//! Reading input tables from CSV, Parquet and XLSX into Polars, the French way.
//!
//! Everything is read as text first; [`super::schema`] then parses and validates each
//! cell, so that a bad cell is reported with its file, row and column instead of making a
//! whole column fail to load. CSV files may use `,`, `;` or tab separators, decimal commas,
//! UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 — the encodings French
//! spreadsheet and form-tool exports produce.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use polars::prelude::*;

use crate::error::{Error, Problem, Problems, Result};

/// Largest input file accepted, in bytes. Survey tables are a few hundred kilobytes; a
/// larger file is almost certainly the wrong file, and reading it whole would exhaust memory.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// A table as read from a file: every column as text (`String` dtype), nulls for empty cells.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file it came from (or a table name for in-memory tables), used in messages.
    pub file: String,
    /// The cells, all as `String` columns, header names trimmed.
    pub frame: DataFrame,
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
            other => Err(Error::InputFile {
                file: file.to_owned(),
                reason: format!("unknown file type `.{other}`: use `.csv`, `.parquet` or `.xlsx`"),
            }),
        }
    }
}

/// Read a table file from disk.
///
/// # Errors
/// [`Error::InputFile`] if the file is missing, too large or not decodable;
/// [`Error::Schema`] for structural problems (empty file, duplicated header, ragged rows).
pub fn read_path(path: &Path) -> Result<RawTable> {
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
    if meta.len() as usize > MAX_INPUT_BYTES {
        return Err(too_large(&file, meta.len() as usize));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::InputFile {
        file: file.clone(),
        reason: format!("cannot read: {e}"),
    })?;
    read_bytes(&file, &bytes)
}

fn too_large(file: &str, len: usize) -> Error {
    Error::InputFile {
        file: file.to_owned(),
        reason: format!(
            "file is {} MB, more than the {} MB limit for an input table; is it the right file?",
            len / (1024 * 1024),
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    }
}

/// Read a table from bytes, the format taken from `file`'s extension.
///
/// # Errors
/// As [`read_path`].
pub fn read_bytes(file: &str, bytes: &[u8]) -> Result<RawTable> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(too_large(file, bytes.len()));
    }
    match Format::from_name(file)? {
        Format::Csv => read_csv(file, bytes),
        Format::Parquet => read_parquet(file, bytes),
        Format::Xlsx => read_xlsx(file, bytes),
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
    Ok(RawTable {
        file: name.to_owned(),
        frame,
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

fn read_csv(file: &str, bytes: &[u8]) -> Result<RawTable> {
    let text = decode_text(bytes);
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
    let separator = sniff_separator(header_line);
    let header: Vec<String> = split_line(header_line, separator as char)
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    check_header(file, &header)?;

    let parse = CsvParseOptions::default()
        .with_separator(separator)
        .with_missing_is_null(true)
        .with_truncate_ragged_lines(false);
    let n_columns = header.len();
    let schema: Schema = header
        .iter()
        .map(|h| Field::new(h.as_str().into(), DataType::String))
        .collect();
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .with_raise_if_empty(false)
        .with_parse_options(parse)
        .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
        .finish()
        .map_err(|e| {
            Error::schema(
                file,
                None,
                None,
                None,
                format!(
                    "not a well-formed table with {n_columns} columns separated by `{}`: {e}",
                    separator as char
                ),
            )
        })?;
    let mut table = from_frame(file, &frame)?;
    table.file = file.to_owned();
    Ok(table)
}

/// Refuse empty and duplicated column names: they make cells ambiguous.
fn check_header(file: &str, header: &[String]) -> Result<()> {
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            problems.push(Problem {
                file: file.to_owned(),
                row: Some(1),
                column: Some(format!("#{}", i + 1)),
                value: None,
                message: "empty column name in the header".into(),
            });
        } else if header[..i].iter().any(|h| h == name) {
            problems.push(Problem {
                file: file.to_owned(),
                row: Some(1),
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

fn read_parquet(file: &str, bytes: &[u8]) -> Result<RawTable> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| Error::InputFile {
            file: file.to_owned(),
            reason: format!("not a readable Parquet file: {e}"),
        })?;
    from_frame(file, &frame)
}

/// Render one Excel cell as the text a user sees, or `None` when empty.
fn excel_cell_text(cell: &Data) -> std::result::Result<Option<String>, String> {
    Ok(match cell {
        Data::Empty => None,
        Data::String(s) => {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        }
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", *f as i64)
        } else {
            format!("{f}")
        }),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(dt.as_f64().to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => return Err(format!("the spreadsheet cell holds the error {e:?}")),
    })
}

/// Open an `.xlsx` workbook held in memory.
///
/// # Errors
/// [`Error::InputFile`] when the bytes are not a readable workbook.
pub fn open_xlsx<'a>(file: &str, bytes: &'a [u8]) -> Result<Xlsx<Cursor<&'a [u8]>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| Error::InputFile {
        file: file.to_owned(),
        reason: format!("not a readable .xlsx workbook: {e}"),
    })
}

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<RawTable> {
    let bad = |reason: String| Error::InputFile {
        file: file.to_owned(),
        reason,
    };
    let mut workbook = open_xlsx(file, bytes)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| bad("the workbook has no sheet".into()))?
        .map_err(|e| bad(format!("cannot read the first sheet: {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let Some(header_cells) = rows.next() else {
        return Err(Error::schema(
            file,
            None,
            None,
            None,
            "the first sheet is empty: expected a header row and data rows",
        ));
    };
    let header: Vec<String> = header_cells
        .iter()
        .map(|c| excel_cell_text(c).ok().flatten().unwrap_or_default())
        .collect();
    // Trailing empty header cells are formatting, not columns.
    let width = header
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |i| i + 1);
    let header = &header[..width];
    check_header(file, header)?;

    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    let mut problems = Vec::new();
    for (i, row) in rows.enumerate() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let sheet_row = first_row as usize + i + 2;
        for (j, column) in columns.iter_mut().enumerate() {
            match row.get(j).map_or(Ok(None), excel_cell_text) {
                Ok(v) => column.push(v),
                Err(message) => {
                    problems.push(Problem {
                        file: file.to_owned(),
                        row: Some(sheet_row),
                        column: Some(header[j].clone()),
                        value: None,
                        message,
                    });
                    column.push(None);
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Schema(Problems(problems)));
    }
    let columns: Vec<Column> = header
        .iter()
        .zip(columns)
        .map(|(name, values)| Column::new(name.as_str().into(), values))
        .collect();
    let frame = DataFrame::new_infer_height(columns)?;
    Ok(RawTable {
        file: file.to_owned(),
        frame,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
