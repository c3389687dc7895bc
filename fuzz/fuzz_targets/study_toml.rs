//! Any text as a study file (tables from the bundled pilot), a scenario JSON and a
//! serialised study.
#![no_main]

use filiere::data::read::{read_bytes, RawTable};
use filiere::error::Result;
use filiere::scenario::Scenario;
use filiere::study::Study;
use libfuzzer_sys::fuzz_target;

const WORKSHOPS: &[u8] = include_bytes!("../../data/aura-pilot/workshops.csv");
const ESTABLISHMENTS: &[u8] = include_bytes!("../../data/aura-pilot/establishments.csv");
const CATALOG: &[u8] = include_bytes!("../../data/aura-pilot/catalog.csv");
const PARAMETERS: &[u8] = include_bytes!("../../data/aura/parameters.csv");

/// The bundled pilot table of that file name; any other name is an empty file.
fn read(name: &str) -> Result<RawTable> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let bytes = match base {
        "workshops.csv" => WORKSHOPS,
        "establishments.csv" => ESTABLISHMENTS,
        "catalog.csv" => CATALOG,
        "parameters.csv" => PARAMETERS,
        _ => b"",
    };
    read_bytes(name, bytes)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(study) = Study::from_toml("fuzz/study.toml", text, read) {
        // A valid study must round-trip through its serialised form.
        if let Ok(json) = study.to_json() {
            let _ = Study::from_json(&json);
        }
    }
    let _ = Scenario::from_json(text);
    let _ = Study::from_json(text);
});
