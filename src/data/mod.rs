//! Input tables: readers (CSV, Parquet, XLSX), schema validation and typed rows.

pub mod read;
pub mod schema;
pub mod tables;
