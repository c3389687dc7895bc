# filiere — `make help` lists the targets.
# One Cargo target dir shared by cargo test, clippy and maturin (and reused by CI), so that
# Polars is compiled once per machine.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/filiere/target
PYTHON ?= python3

# The Python environment everything installs into. An active virtualenv or conda
# environment is used as it is; otherwise a project environment, .venv, is made from
# $(PYTHON) (a system Python such as Debian's or Homebrew's refuses `pip install`, PEP 668).
ifneq ($(strip $(VIRTUAL_ENV)$(CONDA_PREFIX)),)
PY := $(PYTHON)
ENV :=
else
VENV ?= .venv
PY := $(VENV)/bin/python
ENV := $(VENV)/bin/python
endif

.PHONY: help env cargo-env run install dev install-test test test-rs test-py lint fmt bench \
	notebooks lab fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

ifneq ($(ENV),)
$(ENV):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
endif

env: $(ENV) ## the project environment (.venv unless a virtualenv or conda env is active)

cargo-env: ## give plain cargo and maturin one PyO3 environment (no Polars rebuild)
	$(PYTHON) scripts/cargo_env.py

install: cargo-env $(ENV) ## install the package into the environment
	$(PY) -m pip install --quiet .

run: install ## install the package and run the bundled AURA study
	$(PY) -m filiere run --example aura --out out/aura

dev: cargo-env $(ENV) ## editable install with test dependencies (rebuilds the native module)
	$(PY) -m pip install --quiet -e '.[test]'

install-test: dev ## alias of dev

test: dev lint test-rs test-py ## install test needs, lint, run every test (what CI runs)

# The unit-test binary links libpython (see build.rs); the wheel does not.
PY_LIBPYTHON := $(shell $(PYTHON) -c "import sysconfig as s; print(f\"{s.get_config_var('LIBDIR')}:{s.get_config_var('LDLIBRARY')[3:].split('.so')[0]}\")")

test-rs: cargo-env ## Rust unit tests
	FILIERE_TEST_LIBPYTHON=$(PY_LIBPYTHON) cargo test --release --lib

test-py: ## Python tests and doctests
	$(PY) -m pytest

# JupyterLab on notebooks/, in the project environment, whose default kernel imports filiere.
# JUPYTER_ARGS passes options, e.g. JUPYTER_ARGS="--no-browser --port 8899".
JUPYTER_ARGS ?=
notebooks: install ## open the notebooks in JupyterLab (installed into the environment if missing)
	@$(PY) -c "import jupyterlab, ipykernel" 2>/dev/null || $(PY) -m pip install --quiet "jupyterlab>=4" "ipykernel>=6.29"
	$(PY) -m jupyterlab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(JUPYTER_ARGS)

lab: notebooks ## alias of notebooks

lint: cargo-env ## rustfmt, clippy -D warnings, ruff, mypy, stubtest of the native module
	cargo fmt --check
	cargo clippy --release --all-targets --features python -- -D warnings
	$(PY) -m ruff check python tests benchmarks scripts
	$(PY) -m ruff format --check python tests benchmarks scripts
	$(PY) -m mypy
	$(PY) -m mypy.stubtest filiere._core

fmt: ## format Rust and Python
	cargo fmt
	$(PY) -m ruff format python tests benchmarks scripts
	$(PY) -m ruff check --fix python tests benchmarks scripts

bench: ## benchmarks against scipy, numpy, pymrio and SALib, and sweeps in process vs Dask
	$(PY) benchmarks/bench_allocate.py
	$(PY) benchmarks/bench_io.py
	$(PY) benchmarks/bench_montecarlo.py
	$(PY) benchmarks/bench_sobol.py
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_sweep.py

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

clean: ## remove build outputs of this checkout (not the shared target dir, nor .venv)
	rm -rf out dist python/filiere/*.so
