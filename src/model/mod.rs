//! Pure models: no IO, no Python. Each formula cites its source.

pub mod allocate;
pub mod capacity;
pub mod cost;
pub mod demand;
pub mod employment;
pub mod network;
pub mod programme;
pub mod schedule;
