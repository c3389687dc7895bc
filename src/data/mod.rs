//! Input tables: readers (CSV, Parquet, XLSX), schema validation and typed rows.

mod parquet;
pub mod questions;
pub mod read;
pub mod schema;
pub mod tables;

/// Largest number of cells (data rows × columns) a table may have: a survey table is a few
/// thousand rows; this keeps the memory a table takes bounded whatever the file holds.
/// Shared by the readers (`read`) and the Parquet checks (`parquet`).
pub const MAX_CELLS: usize = 5_000_000;
