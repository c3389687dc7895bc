//! Any bytes read as a CSV `workshops` table, then validated.
#![no_main]

use filiere::data::{read::read_bytes, tables};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = read_bytes("workshops.csv", data) {
        let _ = tables::workshops(&raw);
    }
});
