"""Crash-safe writes: one file through a temporary file and a rename, and a folder of
tables as one transaction (staging folder, ``COMPLETE`` marker, renames, ``manifest.json``
last), under an advisory lock.

Used by :meth:`filiere.Results.write`, :mod:`filiere.pipeline` and ``filiere sweep``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import polars as pl

from filiere import _core
from filiere.exceptions import OutputError

if TYPE_CHECKING:
    from filiere.results import Results

__all__ = [
    "COMPLETE",
    "LOCK",
    "STAGING",
    "atomic_write",
    "check_write_options",
    "lock_file",
    "locked",
    "neutralise_formulas",
    "output_error",
    "recover",
    "sha256",
    "write_csv",
    "write_tables",
]

#: Folder inside the output folder where a run stages its files before moving them in.
STAGING = ".filiere-staging"
#: Written in the staging folder once every file is complete: the list of files to move.
COMPLETE = "COMPLETE"
#: Lock file in the output folder: one writer at a time.
LOCK = ".filiere-lock"

FORMATS = ("parquet", "csv")
LOCALES = ("en", "fr")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(c).str.starts_with(s) for s in _FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def write_csv(frame: pl.DataFrame, path: str | Path, locale: str = "en") -> None:
    """CSV with formulas neutralised; ``fr``: ``;``, decimal comma and a UTF-8 BOM."""
    safe = neutralise_formulas(frame)
    if locale == "fr":
        safe.write_csv(path, separator=";", decimal_comma=True, include_bom=True)
    else:
        safe.write_csv(path)


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_error(path: Path, err: OSError) -> OutputError:
    """The :class:`~filiere.OutputError` of an OS error while writing ``path``."""
    reason = err.strerror or str(err)
    return OutputError(f"cannot write {path}: {reason}", file=str(path))


def sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recover(directory: str | os.PathLike[str]) -> bool:
    """Finish or discard what a killed :meth:`Results.write` left in ``directory``.

    A run writes every file into ``directory/.filiere-staging`` first, then writes a
    ``COMPLETE`` list, then moves the files in (``manifest.json`` last). If it was killed
    before ``COMPLETE``, the staged files are deleted and the previous outputs were never
    touched; if it was killed while moving, the move is finished. Every run calls this
    before writing.

    Returns
    -------
    bool
        True if something was recovered or discarded.
    """
    out = Path(directory)
    staging = out / STAGING
    if not staging.is_dir():
        return False
    marker = staging / COMPLETE
    if marker.is_file():
        for name in json.loads(marker.read_text(encoding="utf-8")):
            src = staging / name
            if src.exists():
                os.replace(src, out / name)
    shutil.rmtree(staging, ignore_errors=True)
    return True


def lock_file(file: IO[Any]) -> None:
    """Exclusive lock on an open file (released when it is closed or the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)


@contextmanager
def locked(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Create ``directory`` if needed, hold its lock and finish what a killed writer left
    there (:func:`recover`); yields the folder. Errors are :class:`~filiere.OutputError`."""
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / LOCK, "a")  # noqa: SIM115 - held until the end
    except OSError as err:
        raise output_error(out, err) from err
    with handle:
        lock_file(handle)
        try:
            recover(out)
        except OSError as err:
            raise output_error(out, err) from err
        yield out


def check_write_options(
    tables: Iterable[str],
    formats: Iterable[str],
    locale: str,
    extra: Mapping[str, bytes] | None,
) -> tuple[list[str], dict[str, bytes]]:
    """Check the options of :meth:`Results.write`; returns the formats and extra files.

    Raises
    ------
    ValueError
        For an unknown locale or format, or an extra file name that is not a plain file
        name or is one of the outputs' names.
    TypeError
        For an extra file whose content is not bytes.
    """
    if locale not in LOCALES:
        raise ValueError(f"locale must be 'en' or 'fr', got {locale!r}")
    chosen = list(formats)
    for fmt in chosen:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: use 'parquet' or 'csv'")
    extras = dict(extra or {})
    reserved = {f"{n}.{f}" for n in tables for f in FORMATS} | {"manifest.json", COMPLETE}
    for name, content in extras.items():
        if (
            not isinstance(name, str)
            or name in ("", ".", "..")
            or Path(name).name != name
            or "\\" in name
            or name.startswith(".")
        ):
            raise ValueError(f"extra file name {name!r} must be a plain file name")
        if name in reserved:
            raise ValueError(f"extra file {name!r} is a name filiere uses for its outputs")
        if not isinstance(content, bytes | bytearray):
            raise TypeError(f"extra file {name!r}: content must be bytes")
    return chosen, extras


def write_tables(
    out: Path,
    results: Results,
    *,
    formats: list[str],
    locale: str,
    extras: Mapping[str, bytes],
    more: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write the tables of ``results`` (and ``extras``) into ``out`` as one transaction,
    once the caller holds the folder's lock (:func:`locked`); returns the files written.

    ``manifest.json`` holds the study name, the version, the CSV locale, the SHA-256 and
    size of every file, the row count of every table, then ``more``.
    """
    tables = results.tables()
    staging = out / STAGING
    try:
        recover(out)
        staging.mkdir()
    except OSError as err:
        raise output_error(out, err) from err
    names: list[str] = []
    try:
        for name, frame in tables.items():
            for fmt in formats:
                path = staging / f"{name}.{fmt}"
                if fmt == "parquet":
                    frame.write_parquet(path)
                else:
                    write_csv(frame, path, locale)
                names.append(path.name)
        for name, content in extras.items():
            (staging / name).write_bytes(bytes(content))
            names.append(name)
        manifest = {
            "study": results.study_name,
            "filiere": _core.__version__,
            "locale": locale,
            "files": {
                n: {"sha256": sha256(staging / n), "bytes": (staging / n).stat().st_size}
                for n in names
            },
            "rows": {name: frame.height for name, frame in tables.items()},
            **dict(more or {}),
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        names.append("manifest.json")
        for n in names:
            with open(staging / n, "rb") as f:
                os.fsync(f.fileno())
        atomic_write(
            staging / COMPLETE,
            lambda p: Path(p).write_text(json.dumps(names), encoding="utf-8"),
        )
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(staging, err) from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    recover(out)
    return [out / n for n in names]
