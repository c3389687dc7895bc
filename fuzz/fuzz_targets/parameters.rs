//! Any bytes read as a CSV parameters table; a valid table must also sample.
#![no_main]

use filiere::data::read::read_bytes;
use filiere::params::Params;
use filiere::uncertainty::distributions::Sampler;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = read_bytes("parameters.csv", data) else {
        return;
    };
    let Ok(params) = Params::from_table(&raw) else {
        return;
    };
    let _ = params.model();
    if let Ok(sampler) = Sampler::new(&params) {
        let _ = sampler.ranges();
        for i in 0..4 {
            let values = sampler.draw(7, i);
            let _ = sampler.model(&values);
        }
    }
});
