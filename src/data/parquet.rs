//! Bounds on what a Parquet file declares, checked before Polars decodes it.
//!
//! Polars trusts the sizes and counts a Parquet file declares: polars-parquet 0.55 casts a
//! data page's `num_values` (a Thrift `i32`) to `usize`, so a negative count becomes
//! 2^64 − n and the validity bitmap reserves 2^61 bytes, which aborts the process (an
//! allocation failure is not a panic, so `catch_unwind` cannot catch it; found by fuzzing,
//! `tests/data/fuzz/parquet_huge_alloc_abort.parquet`). [`check_declared_sizes`] reads the
//! footer's metadata (Polars' reader, bounded by the file size) and every page header of
//! every column chunk, with the same Thrift code and in the same order as Polars' page
//! reader, and refuses a file whose declarations cannot be true: a negative or absurd count,
//! a column chunk or page that does not fit in the file, more cells than [`MAX_CELLS`], or
//! more bytes once decompressed than the input size limit.

use std::io::Cursor;

use polars::io::parquet::read::FileMetadata;
use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{PageHeader, PageType};

use super::MAX_CELLS;

/// Why a file's declarations were refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// More cells (rows × columns, or values in all column chunks) than [`MAX_CELLS`].
    TooManyCells(usize),
    /// A declaration that cannot be true of this file.
    Corrupt(String),
}

fn corrupt(reason: String) -> Refusal {
    Refusal::Corrupt(reason)
}

/// A declared count: at least 0 and at most [`MAX_CELLS`] (a table holds no more values).
fn count(what: &str, value: i64) -> Result<usize, Refusal> {
    usize::try_from(value)
        .ok()
        .filter(|&n| n <= MAX_CELLS)
        .ok_or_else(|| {
            corrupt(format!(
                "{what} is {value}, not a count between 0 and {MAX_CELLS}"
            ))
        })
}

/// A declared size in bytes: at least 0 and at most `max`.
fn size(what: &str, value: i64, max: usize, bound: &str) -> Result<usize, Refusal> {
    usize::try_from(value)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| {
            corrupt(format!(
                "{what} is {value} bytes, more than {bound} ({max} bytes) or negative"
            ))
        })
}

/// Refuse a Parquet file whose metadata or page headers declare sizes or counts that cannot
/// be true of `bytes`, before Polars allocates anything from them. `limit` is the input size
/// limit, which also bounds the bytes the file's pages decompress to.
pub(crate) fn check_declared_sizes(
    metadata: &FileMetadata,
    bytes: &[u8],
    limit: usize,
) -> Result<(), Refusal> {
    let width = metadata.schema_descr.columns().len().max(1);
    let cells = |rows: usize| rows.saturating_mul(width);
    if cells(metadata.num_rows) > MAX_CELLS {
        return Err(Refusal::TooManyCells(metadata.num_rows));
    }
    let mut rows = 0usize;
    let mut values = 0usize;
    let mut inflated = 0usize;
    for (g, group) in metadata.row_groups.iter().enumerate() {
        rows = rows.saturating_add(group.num_rows());
        if cells(rows) > MAX_CELLS {
            return Err(Refusal::TooManyCells(rows));
        }
        for (c, column) in group.parquet_columns().iter().enumerate() {
            let at = format!("row group {g}, column chunk {c}");
            values = values.saturating_add(count(
                &format!("{at}: the number of values"),
                column.num_values(),
            )?);
            if values > MAX_CELLS {
                return Err(Refusal::TooManyCells(values));
            }
            let length = size(
                &format!("{at}: the compressed size"),
                column.compressed_size(),
                bytes.len(),
                "the file",
            )?;
            let declared = size(
                &format!("{at}: the uncompressed size"),
                column.uncompressed_size(),
                limit,
                "the input size limit",
            )?;
            inflated = inflated.saturating_add(declared);
            let offset = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let start = size(
                &format!("{at}: the offset"),
                offset,
                bytes.len(),
                "the file",
            )?;
            let chunk = bytes.get(start..start + length).ok_or_else(|| {
                corrupt(format!(
                    "{at}: {length} bytes at offset {start} run past the end of the file \
                     ({} bytes)",
                    bytes.len()
                ))
            })?;
            inflated =
                inflated.saturating_add(check_pages(&at, chunk, column.num_values(), limit)?);
            if inflated > limit {
                return Err(corrupt(format!(
                    "the pages decompress to more than the input size limit ({limit} bytes)"
                )));
            }
        }
    }
    Ok(())
}

/// Read the page headers of one column chunk as Polars' page reader does (the first page if
/// the chunk is not empty, a dictionary page or not, then pages until the declared number
/// of values is reached), check each, and return the bytes the pages decompress to.
fn check_pages(at: &str, chunk: &[u8], num_values: i64, limit: usize) -> Result<usize, Refusal> {
    let mut reader = Cursor::new(chunk);
    let mut seen = 0i64;
    let mut inflated = 0usize;
    let mut first = true;
    loop {
        let start = position(&reader);
        if first {
            if start == chunk.len() {
                break;
            }
        } else if seen >= num_values {
            break;
        }
        let rest = chunk.len() - start;
        // The Thrift reader counts what it would allocate: nothing in a page header can be
        // longer than the bytes left in the chunk (a few bytes more for nested structs).
        let mut protocol =
            TCompactInputProtocol::new(&mut reader, rest.saturating_mul(2).saturating_add(64));
        let header = PageHeader::read_from_in_protocol(&mut protocol)
            .map_err(|e| corrupt(format!("{at}: page header at byte {start}: {e}")))?;
        let page = format!("{at}, page at byte {start}");
        let data = position(&reader);
        let compressed = size(
            &format!("{page}: the compressed size"),
            header.compressed_page_size.into(),
            chunk.len() - data,
            "the rest of the column chunk",
        )?;
        let uncompressed = size(
            &format!("{page}: the uncompressed size"),
            header.uncompressed_page_size.into(),
            limit,
            "the input size limit",
        )?;
        let page_values = check_page_header(&page, &header, compressed.min(uncompressed))?;
        if first && header.type_ != PageType::DICTIONARY_PAGE {
            // Polars looks for a dictionary page first, then reads this page again.
            reader.set_position(start as u64);
        } else {
            reader.set_position((data + compressed) as u64);
            seen = seen.saturating_add(page_values as i64);
            inflated = inflated.saturating_add(uncompressed);
            if inflated > limit {
                return Err(corrupt(format!(
                    "{at}: the pages decompress to more than the input size limit ({limit} \
                     bytes)"
                )));
            }
        }
        first = false;
    }
    Ok(inflated)
}

fn position(reader: &Cursor<&[u8]>) -> usize {
    // Never past the end: the Thrift reader only reads from the slice.
    usize::try_from(reader.position()).unwrap_or(usize::MAX)
}

/// Check the counts of every sub-header present (whatever the page type says) and return
/// the number of values the page adds to its column chunk, as Polars counts them.
/// `levels_max` bounds the level bytes of a v2 data page (they are stored uncompressed).
fn check_page_header(page: &str, header: &PageHeader, levels_max: usize) -> Result<usize, Refusal> {
    let mut values = 0;
    if let Some(h) = &header.data_page_header {
        let n = count(
            &format!("{page}: the number of values"),
            h.num_values.into(),
        )?;
        if header.type_ == PageType::DATA_PAGE {
            values = n;
        }
    }
    if let Some(h) = &header.data_page_header_v2 {
        let n = count(
            &format!("{page}: the number of values"),
            h.num_values.into(),
        )?;
        let nulls = count(&format!("{page}: the number of nulls"), h.num_nulls.into())?;
        count(&format!("{page}: the number of rows"), h.num_rows.into())?;
        if nulls > n {
            return Err(corrupt(format!("{page}: {nulls} nulls among {n} values")));
        }
        let levels = size(
            &format!("{page}: the definition levels"),
            h.definition_levels_byte_length.into(),
            levels_max,
            "the page",
        )?
        .saturating_add(size(
            &format!("{page}: the repetition levels"),
            h.repetition_levels_byte_length.into(),
            levels_max,
            "the page",
        )?);
        if levels > levels_max {
            return Err(corrupt(format!(
                "{page}: {levels} bytes of levels in a page of {levels_max} bytes"
            )));
        }
        if header.type_ == PageType::DATA_PAGE_V2 {
            values = n;
        }
    }
    if let Some(h) = &header.dictionary_page_header {
        count(
            &format!("{page}: the number of dictionary values"),
            h.num_values.into(),
        )?;
    }
    Ok(values)
}

/// Most list elements a footer may declare in the lists Polars pre-allocates (schema
/// elements, row groups, column chunks, key-value pairs, column orders, sorting columns).
/// A survey table has a few dozen columns and a handful of row groups.
pub(crate) const MAX_FOOTER_ITEMS: usize = 1_000_000;

/// The Thrift types of the footer's fields as polars-parquet 0.55's hand-written footer
/// decoder reads them.
#[derive(Clone, Copy)]
enum Ty {
    Bool,
    Byte,
    /// i16, i32 or i64: a varint.
    Int,
    Binary,
    Struct(Kind),
    /// A list Polars allocates (`Vec::with_capacity` of the declared length).
    List(Kind),
    /// `list<i32>` or `list<binary>`, which Polars skips.
    IntList,
    BinaryList,
}

#[derive(Clone, Copy)]
enum Kind {
    FileMetaData,
    SchemaElement,
    RowGroup,
    ColumnChunk,
    ColumnMetaData,
    Statistics,
    KeyValue,
    SortingColumn,
    /// A union of empty structs (`ColumnOrder`, `TimeUnit`) or an empty struct.
    Empties,
    LogicalType,
    Decimal,
    Time,
    Int,
}

/// The type Polars reads field `id` of a `kind` struct as, whatever its wire type;
/// `None`: Polars skips it by its wire type.
fn field_type(kind: Kind, id: i16) -> Option<Ty> {
    use Ty::*;
    Some(match (kind, id) {
        (Kind::FileMetaData, 1 | 3) => Int,
        (Kind::FileMetaData, 2) => List(Kind::SchemaElement),
        (Kind::FileMetaData, 4) => List(Kind::RowGroup),
        (Kind::FileMetaData, 5) => List(Kind::KeyValue),
        (Kind::FileMetaData, 6) => Binary,
        (Kind::FileMetaData, 7) => List(Kind::Empties),
        (Kind::SchemaElement, 1..=3 | 5..=9) => Int,
        (Kind::SchemaElement, 4) => Binary,
        (Kind::SchemaElement, 10) => Struct(Kind::LogicalType),
        (Kind::RowGroup, 1) => List(Kind::ColumnChunk),
        (Kind::RowGroup, 2 | 3 | 5..=7) => Int,
        (Kind::RowGroup, 4) => List(Kind::SortingColumn),
        (Kind::ColumnChunk, 1) => Binary,
        (Kind::ColumnChunk, 2 | 4..=7) => Int,
        (Kind::ColumnChunk, 3) => Struct(Kind::ColumnMetaData),
        (Kind::ColumnMetaData, 1 | 4..=7 | 9..=11 | 14 | 15) => Int,
        (Kind::ColumnMetaData, 2) => IntList,
        (Kind::ColumnMetaData, 3) => BinaryList,
        (Kind::ColumnMetaData, 12) => Struct(Kind::Statistics),
        (Kind::Statistics, 1 | 2 | 5 | 6) => Binary,
        (Kind::Statistics, 3 | 4) => Int,
        (Kind::Statistics, 7 | 8) => Bool,
        (Kind::KeyValue, 1 | 2) => Binary,
        (Kind::SortingColumn, 1) => Int,
        (Kind::SortingColumn, 2 | 3) => Bool,
        (Kind::Empties, _) => Struct(Kind::Empties),
        (Kind::LogicalType, 1..=4 | 6 | 11..=15) => Struct(Kind::Empties),
        (Kind::LogicalType, 5) => Struct(Kind::Decimal),
        (Kind::LogicalType, 7 | 8) => Struct(Kind::Time),
        (Kind::LogicalType, 10) => Struct(Kind::Int),
        (Kind::Decimal, 1 | 2) => Int,
        (Kind::Time, 1) => Bool,
        (Kind::Time, 2) => Struct(Kind::Empties),
        (Kind::Int, 1) => Byte,
        (Kind::Int, 2) => Bool,
        _ => return None,
    })
}

/// Walks the footer's Thrift bytes as Polars' footer decoder will, refusing what would
/// make it allocate from a declared length (or panic): a known field whose wire type is
/// not the type Polars reads it as, a list longer than the bytes left or the lists
/// together longer than [`MAX_FOOTER_ITEMS`], nesting deeper than 32.
struct Footer<'a> {
    bytes: &'a [u8],
    at: usize,
    items: usize,
}

const WIRE_BOOL_TRUE: u8 = 1;
const WIRE_BOOL_FALSE: u8 = 2;
const WIRE_BYTE: u8 = 3;
const WIRE_I16: u8 = 4;
const WIRE_I32: u8 = 5;
const WIRE_I64: u8 = 6;
const WIRE_DOUBLE: u8 = 7;
const WIRE_BINARY: u8 = 8;
const WIRE_LIST: u8 = 9;
const WIRE_STRUCT: u8 = 12;

impl Footer<'_> {
    fn fail<T>(&self, what: &str) -> Result<T, Refusal> {
        Err(corrupt(format!(
            "footer metadata, byte {}: {what}",
            self.at
        )))
    }

    fn byte(&mut self) -> Result<u8, Refusal> {
        let Some(&b) = self.bytes.get(self.at) else {
            return self.fail("ends too early");
        };
        self.at += 1;
        Ok(b)
    }

    fn skip(&mut self, n: u64) -> Result<(), Refusal> {
        match usize::try_from(n) {
            Ok(n) if n <= self.bytes.len() - self.at => {
                self.at += n;
                Ok(())
            }
            _ => self.fail(&format!("{n} bytes declared, past the end")),
        }
    }

    fn varint(&mut self) -> Result<u64, Refusal> {
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        self.fail("a varint longer than 10 bytes")
    }

    fn list_header(&mut self, allocated: bool) -> Result<(u8, usize), Refusal> {
        let header = self.byte()?;
        let short = header >> 4;
        let size = if short == 15 {
            self.varint()?
        } else {
            u64::from(short)
        };
        let element = header & 0x0f;
        let size = match usize::try_from(size) {
            Ok(n) if n <= self.bytes.len() - self.at && i32::try_from(n).is_ok() => n,
            _ => return self.fail(&format!("a list of {size} elements, past the end")),
        };
        if allocated {
            self.items = self.items.saturating_add(size);
            if self.items > MAX_FOOTER_ITEMS {
                return self.fail(&format!(
                    "more than {MAX_FOOTER_ITEMS} schema elements, row groups and column chunks"
                ));
            }
        }
        Ok((element, size))
    }

    /// The fields of a struct up to its stop byte.
    fn fields(&mut self, kind: Option<Kind>, depth: u32) -> Result<(), Refusal> {
        if depth > 32 {
            return self.fail("nested more than 32 deep");
        }
        let mut last = 0i16;
        loop {
            let header = self.byte()?;
            let wire = header & 0x0f;
            if wire == 0 {
                return Ok(());
            }
            let delta = header >> 4;
            let id = if delta == 0 {
                let z = self.varint()?;
                match i16::try_from((z >> 1) as i64 ^ -((z & 1) as i64)) {
                    Ok(id) => id,
                    Err(_) => return self.fail("a field id out of range"),
                }
            } else {
                match last.checked_add(i16::from(delta)) {
                    Some(id) => id,
                    None => return self.fail("a field id out of range"),
                }
            };
            last = id;
            match kind.and_then(|k| field_type(k, id)) {
                Some(ty) => self.known(ty, wire, id, depth)?,
                None => self.value(wire, depth)?,
            }
        }
    }

    /// A field Polars decodes as `ty`: its wire type must be `ty`.
    fn known(&mut self, ty: Ty, wire: u8, id: i16, depth: u32) -> Result<(), Refusal> {
        let ok = match ty {
            Ty::Bool => matches!(wire, WIRE_BOOL_TRUE | WIRE_BOOL_FALSE),
            Ty::Byte => wire == WIRE_BYTE,
            Ty::Int => matches!(wire, WIRE_I16 | WIRE_I32 | WIRE_I64),
            Ty::Binary => wire == WIRE_BINARY,
            Ty::Struct(_) => wire == WIRE_STRUCT,
            Ty::List(_) | Ty::IntList | Ty::BinaryList => wire == WIRE_LIST,
        };
        if !ok {
            return self.fail(&format!("field {id} has the wrong Thrift type ({wire})"));
        }
        match ty {
            Ty::Struct(kind) => self.fields(Some(kind), depth + 1),
            Ty::List(kind) => {
                let (element, size) = self.list_header(true)?;
                if size > 0 && element != WIRE_STRUCT {
                    return self.fail("a list of structs with elements of another type");
                }
                for _ in 0..size {
                    self.fields(Some(kind), depth + 1)?;
                }
                Ok(())
            }
            Ty::IntList | Ty::BinaryList => {
                let (element, size) = self.list_header(false)?;
                let want: &[u8] = if matches!(ty, Ty::IntList) {
                    &[WIRE_I16, WIRE_I32, WIRE_I64]
                } else {
                    &[WIRE_BINARY]
                };
                if size > 0 && !want.contains(&element) {
                    return self.fail("a list with elements of the wrong type");
                }
                for _ in 0..size {
                    self.value(element, depth + 1)?;
                }
                Ok(())
            }
            _ => self.value(wire, depth),
        }
    }

    /// Skip a value by its wire type, as Polars skips a field it does not know.
    fn value(&mut self, wire: u8, depth: u32) -> Result<(), Refusal> {
        if depth > 32 {
            return self.fail("nested more than 32 deep");
        }
        match wire {
            WIRE_BOOL_TRUE | WIRE_BOOL_FALSE => Ok(()),
            WIRE_BYTE => self.skip(1),
            WIRE_I16 | WIRE_I32 | WIRE_I64 => self.varint().map(|_| ()),
            WIRE_DOUBLE => self.skip(8),
            WIRE_BINARY => {
                let n = self.varint()?;
                self.skip(n)
            }
            WIRE_STRUCT => self.fields(None, depth + 1),
            WIRE_LIST => {
                let (element, size) = self.list_header(false)?;
                if size > 0 && !matches!(element, WIRE_BYTE..=WIRE_LIST | WIRE_STRUCT) {
                    // Booleans (Polars skips them without reading their byte), sets, maps.
                    return self.fail(&format!("a list of elements of Thrift type {element}"));
                }
                for _ in 0..size {
                    self.value(element, depth + 1)?;
                }
                Ok(())
            }
            other => self.fail(&format!("a field of Thrift type {other}")),
        }
    }
}

/// Check the footer's Thrift metadata before Polars decodes it: polars-parquet 0.55 sizes
/// its vectors from the list lengths the footer declares (a row group list declaring 2^31
/// elements asks for 100 GB and aborts). A file too short to have a footer is left to
/// Polars, which refuses it.
pub(crate) fn check_footer(bytes: &[u8]) -> Result<(), Refusal> {
    let Some(tail) = bytes.len().checked_sub(8) else {
        return Ok(());
    };
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[tail..tail + 4]);
    let len = u32::from_le_bytes(len) as usize;
    let Some(start) = tail.checked_sub(len) else {
        return Err(corrupt(format!(
            "the footer declares {len} bytes of metadata in a file of {} bytes",
            bytes.len()
        )));
    };
    let mut footer = Footer {
        bytes: &bytes[start..tail],
        at: 0,
        items: 0,
    };
    footer.fields(Some(Kind::FileMetaData), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;
    use polars_parquet_format::thrift::protocol::TCompactOutputProtocol;

    /// A small Parquet file as Polars writes it, uncompressed.
    fn file() -> Vec<u8> {
        let mut frame = df!("id" => ["PI-001", "PI-002", "PI-003"], "operators" => [4i64, 7, 12])
            .expect("frame");
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut frame)
            .expect("write");
        out
    }

    fn check(bytes: &[u8], limit: usize) -> Result<(), Refusal> {
        let mut reader = ParquetReader::new(Cursor::new(bytes));
        let metadata = reader.get_metadata().expect("metadata").clone();
        check_declared_sizes(&metadata, bytes, limit)
    }

    /// `bytes` with the first page header (right after the `PAR1` magic) edited; the edits
    /// keep every varint its length, so nothing else moves.
    fn patch_first_page(bytes: &[u8], edit: impl FnOnce(&mut PageHeader)) -> Vec<u8> {
        let mut reader = Cursor::new(&bytes[4..]);
        let mut header =
            PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(&mut reader, 4096))
                .expect("page header");
        let len = position(&reader);
        edit(&mut header);
        let mut encoded = Vec::new();
        header
            .write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut encoded))
            .expect("encode");
        assert_eq!(encoded.len(), len, "the edit changed the header's length");
        let mut out = bytes.to_vec();
        out[4..4 + len].copy_from_slice(&encoded);
        out
    }

    fn reason(refusal: Result<(), Refusal>) -> String {
        match refusal {
            Err(Refusal::Corrupt(reason)) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_file_polars_writes_passes_and_reads() {
        let bytes = file();
        assert_eq!(check(&bytes, 1 << 20), Ok(()));
        let raw = super::super::read::read_bytes("ok.parquet", &bytes).expect("read");
        assert_eq!(raw.frame.shape(), (3, 2));
    }

    #[test]
    fn negative_page_counts_and_sizes_are_refused() {
        let bytes = file();
        let negative_values = patch_first_page(&bytes, |h| {
            for n in [
                h.data_page_header.as_mut().map(|d| &mut d.num_values),
                h.data_page_header_v2.as_mut().map(|d| &mut d.num_values),
                h.dictionary_page_header.as_mut().map(|d| &mut d.num_values),
            ]
            .into_iter()
            .flatten()
            {
                *n = -*n;
            }
        });
        let why = reason(check(&negative_values, 1 << 20));
        assert!(why.contains("values is -3"), "{why}");
        let err = super::super::read::read_bytes("neg.parquet", &negative_values).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("neg.parquet: not a readable Parquet file: corrupt or hostile file"),
            "{err}"
        );

        let negative_size = patch_first_page(&bytes, |h| {
            h.compressed_page_size = -h.compressed_page_size;
        });
        let why = reason(check(&negative_size, 1 << 20));
        assert!(why.contains("the compressed size is -"), "{why}");

        // One byte too long: the next page header is read one byte late and is garbage.
        let one_byte_late = patch_first_page(&bytes, |h| h.compressed_page_size += 1);
        let why = reason(check(&one_byte_late, 1 << 20));
        assert!(why.contains("page header at byte"), "{why}");
    }

    #[test]
    fn what_pages_decompress_to_is_bounded_by_the_input_limit() {
        let why = reason(check(&file(), 40));
        assert!(
            why.contains("more than the input size limit (40 bytes)"),
            "{why}"
        );
    }

    #[test]
    fn declared_rows_beyond_the_cell_limit_are_refused() {
        let bytes = file();
        let mut reader = ParquetReader::new(Cursor::new(&bytes[..]));
        let mut metadata = (**reader.get_metadata().expect("metadata")).clone();
        metadata.num_rows = MAX_CELLS;
        assert_eq!(
            check_declared_sizes(&metadata, &bytes, 1 << 20),
            Err(Refusal::TooManyCells(MAX_CELLS))
        );
    }
}
