//! Input tables: readers (CSV, Parquet, XLSX), schema validation and typed rows.

mod parquet;
pub mod read;
pub mod schema;
pub mod tables;
