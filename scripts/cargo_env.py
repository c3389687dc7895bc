"""Write ``.cargo/config.toml`` so that ``cargo`` and maturin see one PyO3 environment.

maturin builds with ``PYO3_BUILD_EXTENSION_MODULE``, ``PYO3_ENVIRONMENT_SIGNATURE``,
``PYO3_PYTHON`` and ``PYTHON_SYS_EXECUTABLE``. pyo3's build script reruns when any of them
changes, and pyo3-polars makes every Polars crate depend on pyo3, so a ``cargo test`` or
``cargo clippy`` without the same values would rebuild Polars (15+ minutes) and the next
maturin build would rebuild it again. Cargo's ``[env]`` table gives them to every cargo
command run in this checkout, ``force``d over maturin's own: maturin names the interpreter
of the environment it installs into (``.venv/bin/python``, a path that differs in every
clone), this script the interpreter it is run with (``make cargo-env`` runs it with
``$(PYTHON)``, the interpreter that environment was made from). Both have the same version
and ABI, so the extension is the same, and a fresh clone (CI) reuses the shared build of
Polars. The shared target directory is set too, so a plain ``cargo`` never starts a fresh
build of Polars.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    python = sys.executable
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path.home() / ".cache/filiere/target")
    signature = f"cpython-{sys.version_info.major}.{sys.version_info.minor}-64bit"
    config = Path(__file__).resolve().parent.parent / ".cargo" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    text = (
        "# Written by scripts/cargo_env.py (make cargo-env); not committed.\n"
        "[build]\n"
        f'target-dir = "{target}"\n'
        "[env]\n"
        'PYO3_BUILD_EXTENSION_MODULE = { value = "1", force = true }\n'
        f'PYO3_ENVIRONMENT_SIGNATURE = {{ value = "{signature}", force = true }}\n'
        f'PYO3_PYTHON = {{ value = "{python}", force = true }}\n'
        f'PYTHON_SYS_EXECUTABLE = {{ value = "{python}", force = true }}\n'
    )
    if not config.exists() or config.read_text() != text:
        config.write_text(text)


if __name__ == "__main__":
    main()
