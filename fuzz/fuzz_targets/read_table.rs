//! Any bytes through the table reader, the format chosen by the first byte.
#![no_main]

use filiere::data::read::read_bytes;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = [
    "fuzz.csv",
    "fuzz.tsv",
    "fuzz.txt",
    "fuzz.xlsx",
    "fuzz.parquet",
];

fuzz_target!(
    init: {
        // libfuzzer-sys's panic hook aborts on every panic, even one the reader catches
        // (Polars' Parquet reader panics on some corrupt files, and `read_parquet` turns that
        // into an error). This hook only prints the message, without a backtrace (caught
        // panics are frequent): a panic that escapes still aborts, as libfuzzer-sys aborts
        // when the target unwinds.
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    },
    |data: &[u8]| {
        let Some((&first, rest)) = data.split_first() else {
            return;
        };
        let name = NAMES[usize::from(first) % NAMES.len()];
        // Errors are expected; panics, aborts and hangs are bugs.
        if let Ok(raw) = read_bytes(name, rest) {
            for i in 0..raw.frame.height().min(4) {
                let _ = raw.row_number(i);
            }
        }
    }
);
