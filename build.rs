//! Link libpython into the unit-test binary when asked (`make test-rs` asks).
//!
//! pyo3-polars turns on polars-error's `python` feature, so every Polars crate references
//! libpython symbols. The wheel must not link libpython (maturin builds it as an extension
//! module, `PYO3_BUILD_EXTENSION_MODULE=1`, and `make cargo-env` gives plain cargo the same
//! environment so both share one build of Polars). The test executable, though, must
//! resolve those symbols: with `FILIERE_TEST_LIBPYTHON=LIBDIR:NAME` set, this script links
//! `libNAME` from `LIBDIR` (with an rpath). Switching the variable re-runs only this crate's
//! build, never Polars'.

fn main() {
    println!("cargo:rerun-if-env-changed=FILIERE_TEST_LIBPYTHON");
    if let Ok(spec) = std::env::var("FILIERE_TEST_LIBPYTHON") {
        if let Some((dir, name)) = spec.rsplit_once(':') {
            println!("cargo:rustc-link-search=native={dir}");
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
            println!("cargo:rustc-link-lib=dylib={name}");
        }
    }
}
