# filiere — `make help` lists the targets.
# One Cargo target dir shared by cargo test, clippy and maturin (and reused by CI), so that
# Polars is compiled once per machine.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/filiere/target
PYTHON ?= python3

.PHONY: help cargo-env run dev install-test test test-rs test-py lint fmt bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

cargo-env: ## give plain cargo the PyO3 environment maturin uses (no Polars rebuild)
	$(PYTHON) scripts/cargo_env.py

run: ## install the package and run the bundled AURA study
	$(PYTHON) -m pip install --quiet .
	$(PYTHON) -m filiere run --example aura --out out/aura

dev: cargo-env ## editable install with test dependencies (rebuilds the native module)
	$(PYTHON) -m pip install --quiet -e '.[test]'

install-test: dev ## alias of dev

test: dev lint test-rs test-py ## install test needs, lint, run every test (what CI runs)

# The unit-test binary links libpython (see build.rs); the wheel does not.
PY_LIBPYTHON := $(shell $(PYTHON) -c "import sysconfig as s; print(f\"{s.get_config_var('LIBDIR')}:{s.get_config_var('LDLIBRARY')[3:].split('.so')[0]}\")")

test-rs: cargo-env ## Rust unit tests
	FILIERE_TEST_LIBPYTHON=$(PY_LIBPYTHON) cargo test --release --lib

test-py: ## Python tests and doctests
	$(PYTHON) -m pytest

lint: cargo-env ## rustfmt, clippy -D warnings, ruff, mypy, stubtest of the native module
	cargo fmt --check
	cargo clippy --release --all-targets --features python -- -D warnings
	$(PYTHON) -m ruff check python tests benchmarks scripts
	$(PYTHON) -m ruff format --check python tests benchmarks scripts
	$(PYTHON) -m mypy
	$(PYTHON) -m mypy.stubtest filiere._core

fmt: ## format Rust and Python
	cargo fmt
	$(PYTHON) -m ruff format python tests benchmarks scripts
	$(PYTHON) -m ruff check --fix python tests benchmarks scripts

bench: ## benchmarks against scipy, numpy, pymrio and SALib, and sweeps in process vs Dask
	$(PYTHON) benchmarks/bench_allocate.py
	$(PYTHON) benchmarks/bench_io.py
	$(PYTHON) benchmarks/bench_montecarlo.py
	$(PYTHON) benchmarks/bench_sobol.py
	$(PYTHON) benchmarks/bench_pipeline.py
	$(PYTHON) benchmarks/bench_sweep.py

# Fuzzing (fuzz/, a cargo-fuzz crate outside the main build): every target in turn for
# FUZZ_SECONDS, growing fuzz/corpus/<target>; a crash is saved in fuzz/artifacts/<target>.
# Its own target dir: every dependency, Polars included, is compiled with coverage hooks.
FUZZ_SECONDS ?= 300
FUZZ_TARGET_DIR ?= $(HOME)/.cache/filiere/fuzz-target
FUZZ_TARGETS := read_table workshops establishments catalog parameters study_toml
FUZZ_ENV = CARGO_TARGET_DIR=$(FUZZ_TARGET_DIR) FILIERE_TEST_LIBPYTHON=$(PY_LIBPYTHON) \
	LD_LIBRARY_PATH=$(firstword $(subst :, ,$(PY_LIBPYTHON)))$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}
FUZZ_FLAGS := -O --sanitizer none

fuzz: cargo-env ## fuzz the readers and parsers, FUZZ_SECONDS (300) per target (nightly)
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	$(FUZZ_ENV) cargo +nightly fuzz build $(FUZZ_FLAGS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) cargo +nightly fuzz run $(FUZZ_FLAGS) $$t fuzz/corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1; \
	done

clean: ## remove build outputs of this checkout (not the shared target dir)
	rm -rf out dist python/filiere/*.so
