# filiere — `make help` lists the targets.
# One Cargo target dir shared by cargo test, clippy and maturin (and reused by CI), so that
# Polars is compiled once per machine.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/filiere/target
PYTHON ?= python3

.PHONY: help cargo-env run dev install-test test test-rs test-py lint fmt bench clean

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

lint: cargo-env ## rustfmt, clippy -D warnings, ruff, mypy
	cargo fmt --check
	cargo clippy --release --all-targets --features python -- -D warnings
	$(PYTHON) -m ruff check python tests benchmarks scripts
	$(PYTHON) -m ruff format --check python tests benchmarks scripts
	$(PYTHON) -m mypy

fmt: ## format Rust and Python
	cargo fmt
	$(PYTHON) -m ruff format python tests benchmarks scripts
	$(PYTHON) -m ruff check --fix python tests benchmarks scripts

bench: ## benchmarks against scipy, numpy, pymrio and SALib, printing the ratios
	$(PYTHON) benchmarks/bench_allocate.py
	$(PYTHON) benchmarks/bench_io.py
	$(PYTHON) benchmarks/bench_montecarlo.py
	$(PYTHON) benchmarks/bench_sobol.py

clean: ## remove build outputs of this checkout (not the shared target dir)
	rm -rf out dist python/filiere/*.so
