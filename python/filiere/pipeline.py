"""``filiere run --out DIR`` as a pipeline of cached stages.

Each stage has a key: the SHA-256 of what it depends on (the package version, the input
files or the study's content, the options, the keys of the stages it reads). Its output is
kept in ``DIR/.filiere-cache`` under that key, so a rerun recomputes only the stages whose
key changed:

==============  =====================================================  ==================
stage           depends on                                             output
==============  =====================================================  ==================
validate:KIND   that input file's bytes (one stage per table)          problems (JSON)
model           the study's content (every table, parameter and        result tables
                scenario setting, as the core serialises it)
sensitivity     model (re-solved per set of inputs)                    tornado (Parquet)
monte_carlo     model, number of draws, seed (exact draws)             draws (Parquet)
report          every stage above, language                            report.html
write           model, report, CSV locale, formats                     the output folder
==============  =====================================================  ==================

A survey change reruns its ``validate`` stage and everything downstream of ``model``;
the other tables' ``validate`` stages come from the cache. A change of ``--draws`` reruns
``monte_carlo``, ``report`` and ``write`` only; of ``--locale``, ``write`` only. A rerun
with nothing changed recomputes nothing: it checks the output folder against its
manifest (SHA-256 of every file) and records the rerun in ``manifest.json``.

``manifest.json`` records the input files (path, SHA-256, bytes, rows), the versions,
the parameters and options, and for every stage its key, whether it ran and how long it
took. The cache and the outputs are written atomically (temporary file, fsync, rename)
under the output folder's lock, so a killed run leaves both usable; a cache entry that
cannot be read is recomputed. Entries this run did not use are deleted at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from filiere import _core
from filiere._write import (
    STAGING,
    atomic_write,
    check_write_options,
    locked,
    output_error,
    sha256,
    write_tables,
)
from filiere.exceptions import FiliereError
from filiere.results import TABLES, Results

__all__ = ["CACHE", "RunRecord", "StageRecord", "input_tables", "run_pipeline"]

#: Folder, inside the output folder, that holds the stage cache.
CACHE = ".filiere-cache"

#: Input tables copied into the output folder, by kind: ``input_<kind>.parquet``.
INPUT_KINDS = ("workshops", "establishments", "catalog", "parameters")

T = TypeVar("T")


@dataclass(frozen=True)
class StageRecord:
    """What one stage did in a run.

    Attributes
    ----------
    name : str
        ``validate:workshops``, ``model``, ``sensitivity``, ``monte_carlo``, ``report``
        or ``write``.
    key : str
        SHA-256 (hex) of everything the stage depends on.
    ran : bool
        True if computed in this run, False if taken from the cache (or skipped).
    seconds : float
        Wall time of the stage in this run (s), loading from the cache included.
    note : str
        Why it did not produce anything, if it did not (e.g. ``--draws 0``).
    """

    name: str
    key: str
    ran: bool
    seconds: float
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ran": self.ran,
            "seconds": round(self.seconds, 4),
            **({"note": self.note} if self.note else {}),
        }


@dataclass
class RunRecord:
    """The outcome of :func:`run_pipeline`.

    Attributes
    ----------
    results : Results
        The study's results (computed or from the cache).
    stages : list of StageRecord
        Every stage in order, with whether it ran.
    written : bool
        True if the output folder was rewritten, False if it already held these results.
    out : pathlib.Path
        The output folder.
    files : list of pathlib.Path
        The files written (empty if ``written`` is False).
    """

    results: Results
    stages: list[StageRecord] = field(default_factory=list)
    written: bool = False
    out: Path = Path()
    files: list[Path] = field(default_factory=list)

    @property
    def ran(self) -> list[str]:
        """Names of the stages computed in this run."""
        return [s.name for s in self.stages if s.ran]


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _fsync_replace(tmp: Path, final: Path) -> None:
    if tmp.is_dir():
        for child in tmp.iterdir():
            with open(child, "rb") as f:
                os.fsync(f.fileno())
        if final.exists():
            shutil.rmtree(final)
    else:
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
    os.replace(tmp, final)


class _Cache:
    """Content-addressed stage outputs in ``out/.filiere-cache``: ``<stage>-<key>.<ext>``."""

    def __init__(self, root: Path, force: bool) -> None:
        self.root, self.force = root, force
        self.used: set[str] = set()
        try:
            root.mkdir(exist_ok=True)
        except OSError as err:
            raise output_error(root, err) from err

    def entry(self, stage: str, key: str, ext: str) -> Path:
        name = f"{stage.replace(':', '-')}-{key[:32]}{ext}"
        self.used.add(name)
        return self.root / name

    def get(self, path: Path, load: Callable[[Path], T]) -> T | None:
        """The cached value, or None if absent, forced or unreadable."""
        if self.force or not path.exists():
            return None
        try:
            return load(path)
        except Exception:  # a damaged entry is recomputed, never trusted
            return None

    def put(self, path: Path, save: Callable[[Path], None]) -> None:
        """Store atomically; a cache that cannot be written only costs time next run."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            save(tmp)
            _fsync_replace(tmp, path)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)

    def prune(self) -> None:
        """Delete the entries (and stray temporaries) this run did not use."""
        for path in self.root.iterdir():
            if path.name not in self.used:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _save_tables(tables: Mapping[str, pl.DataFrame]) -> Callable[[Path], None]:
    def save(folder: Path) -> None:
        folder.mkdir()
        for name, frame in tables.items():
            frame.write_parquet(folder / f"{name}.parquet")

    return save


def _load_tables(names: Iterable[str]) -> Callable[[Path], dict[str, pl.DataFrame]]:
    def load(folder: Path) -> dict[str, pl.DataFrame]:
        return {name: pl.read_parquet(folder / f"{name}.parquet") for name in names}

    return load


def _write_text(text: str) -> Callable[[Path], None]:
    def save(path: Path) -> None:
        path.write_bytes(text.encode("utf-8"))

    return save


def _read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def input_tables(study: Any) -> dict[str, pl.DataFrame]:
    """The study's validated input tables, by kind (what ``input_<kind>.parquet`` holds)."""
    return {
        "workshops": study.workshops,
        "establishments": study.establishments,
        "catalog": study.catalog,
        "parameters": study.parameters,
    }


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def _outputs_match(out: Path, key: str) -> dict[str, Any] | None:
    """The manifest of ``out`` if its write stage has ``key`` and every file it lists is
    there with its SHA-256; None otherwise."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("stages", {}).get("write", {}).get("key") != key:
            return None
        for name, info in manifest["files"].items():
            if sha256(out / name) != info["sha256"]:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if (out / STAGING).exists():
        return None
    return dict(manifest)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def stage(self, record: StageRecord) -> None:
        if self.enabled:
            state = "ran" if record.ran else (record.note or "cached")
            print(
                f"  {record.name:<26} {state:<10} {record.seconds * 1000:8.0f} ms", file=sys.stderr
            )


def run_pipeline(
    study: Any,
    out: str | os.PathLike[str],
    *,
    draws: int = 20_000,
    seed: int = 1,
    lang: str = "fr",
    locale: str = "en",
    formats: Iterable[str] = ("parquet", "csv"),
    force: bool = False,
    progress: bool = False,
) -> RunRecord:
    """Run a study into an output folder, recomputing only the stages whose inputs changed.

    Parameters
    ----------
    study : Study
        The study.
    out : path
        Output folder (created if needed); the cache lives in ``out/.filiere-cache``.
        Nothing is written outside it.
    draws : int, default 20000
        Monte Carlo draws for the report's ranges (0 skips them).
    seed : int, default 1
        Monte Carlo seed.
    lang : {"fr", "en"}, default "fr"
        Language of ``report.html``.
    locale : {"en", "fr"}, default "en"
        CSV style (see :meth:`filiere.Results.write`).
    formats : iterable of {"parquet", "csv"}
        Table formats.
    force : bool, default False
        Recompute every stage, ignoring the cache.
    progress : bool, default False
        Print each stage, whether it ran and its time, on stderr.

    Returns
    -------
    RunRecord
        The results, the stages (``.ran`` lists those computed) and whether the folder was
        rewritten.

    Raises
    ------
    OutputError
        If the folder cannot be written (nothing partial is left).
    """
    from filiere.report import SourceCheck, build_report, check_source
    from filiere.study import Study
    from filiere.uncertainty import Distribution

    if not isinstance(study, Study):
        raise TypeError(f"study must be a filiere.Study, got {type(study).__name__}")
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    formats, _ = check_write_options(TABLES, formats, locale, None)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise ValueError(f"draws must be a whole number >= 0, got {draws!r}")
    with locked(out) as folder:
        cache = _Cache(folder / CACHE, force)
        show = _Progress(progress)
        version = _core.__version__
        record_stages: list[StageRecord] = []

        def done(record: StageRecord) -> None:
            record_stages.append(record)
            show.stage(record)

        # -- the plan: every stage's key, from the inputs alone --------------------------
        inputs: dict[str, dict[str, Any]] = {}
        validate_keys: dict[str, str] = {}
        for kind, source in sorted(study.sources.items()):
            path = Path(source)
            info: dict[str, Any] = {"source": source}
            if not source.startswith("example:") and path.is_file():
                info["sha256"] = sha256(path)
                info["bytes"] = path.stat().st_size
            inputs[kind] = info
            validate_keys[kind] = _digest(version, "validate", kind, source, info.get("sha256", ""))
        model_key = _digest(version, "model", study._inner.to_json())
        # Both re-solve the allocation for each set of inputs (the key says so, so that a
        # cache written by the fast mode is never taken for exact draws).
        sens_key = _digest(version, "sensitivity", model_key, "tornado", "direct_fte", "exact")
        mc_key = _digest(version, "monte_carlo", model_key, draws, seed, "exact")
        report_key = _digest(
            version,
            "report",
            lang,
            model_key,
            sens_key,
            mc_key,
            *(f"{kind}={key}" for kind, key in validate_keys.items()),
        )
        write_key = _digest(version, "write", model_key, report_key, locale, *formats)
        tables = input_tables(study)
        for kind, info in inputs.items():
            if kind in tables:
                info["rows"] = tables[kind].height
        manifest_more: dict[str, Any] = {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": {
                "filiere": version,
                "polars": pl.__version__,
                "python": platform.python_version(),
            },
            "options": {"draws": draws, "seed": seed, "lang": lang, "formats": formats},
            "inputs": inputs,
            "parameters": {
                str(r["name"]): r["value"] for r in study.parameters.iter_rows(named=True)
            },
            "scenario": study.scenario,
        }

        # -- nothing changed: the folder already holds these results -------------------
        previous = None if force else _outputs_match(folder, write_key)
        if previous is not None:
            start = time.perf_counter()
            frames = cache.get(cache.entry("model", model_key, ""), _load_tables(TABLES))
            if frames is not None:
                results = Results(study_name=study.name, **frames)
                for kind, key in validate_keys.items():
                    cache.entry(f"validate:{kind}", key, ".json")
                cache.entry("sensitivity", sens_key, ".parquet")
                cache.entry("monte_carlo", mc_key, ".parquet")
                cache.entry("monte_carlo", mc_key, ".json")
                cache.entry("report", report_key, ".html")
                keys = {f"validate:{k}": v for k, v in validate_keys.items()}
                keys |= {
                    "model": model_key,
                    "sensitivity": sens_key,
                    "monte_carlo": mc_key,
                    "report": report_key,
                }
                for name, key in keys.items():
                    done(StageRecord(name, key, False, 0.0))
                done(StageRecord("write", write_key, False, time.perf_counter() - start))
                previous["last_run"] = {
                    "at": manifest_more["created"],
                    "stages": {s.name: s.to_json() for s in record_stages},
                }
                _atomic_json(folder / "manifest.json", previous)
                cache.prune()
                return RunRecord(results, record_stages, written=False, out=folder)

        # -- validation of each input file --------------------------------------------
        checks: dict[str, SourceCheck] = {}
        for kind, source in sorted(study.sources.items()):
            start = time.perf_counter()
            key = validate_keys[kind]
            entry = cache.entry(f"validate:{kind}", key, ".json")
            check = cache.get(entry, lambda p: json.loads(_read_text(p)))
            ran = check is None
            if check is None:
                check = check_source(kind, source)
                cache.put(entry, _write_text(json.dumps(check, ensure_ascii=False)))
            checks[kind] = check
            done(StageRecord(f"validate:{kind}", key, ran, time.perf_counter() - start))

        # -- model ----------------------------------------------------------------------
        start = time.perf_counter()
        entry = cache.entry("model", model_key, "")
        frames = cache.get(entry, _load_tables(TABLES))
        ran = frames is None
        if frames is None:
            results = study.run()
            cache.put(entry, _save_tables(results.tables()))
        else:
            results = Results(study_name=study.name, **frames)
        done(StageRecord("model", model_key, ran, time.perf_counter() - start))

        # -- sensitivity (tornado of direct jobs, for the report) ----------------------
        start = time.perf_counter()
        entry = cache.entry("sensitivity", sens_key, ".parquet")
        tornado = cache.get(entry, pl.read_parquet)
        ran, note = tornado is None, ""
        if tornado is None:
            try:
                tornado = study.sensitivity("tornado", metric="direct_fte", resolve_allocation=True)
                frame = tornado
                cache.put(entry, lambda p: frame.write_parquet(p))
            except FiliereError as err:
                note = f"failed: {err}"
        done(StageRecord("sensitivity", sens_key, ran, time.perf_counter() - start, note))

        # -- Monte Carlo ----------------------------------------------------------------
        start = time.perf_counter()
        distribution = None
        ran, note = False, ""
        if draws == 0:
            note = "skipped"
        else:
            entry = cache.entry("monte_carlo", mc_key, ".parquet")
            meta = cache.entry("monte_carlo", mc_key, ".json")
            cached = cache.get(entry, pl.read_parquet)
            params = cache.get(meta, lambda p: json.loads(_read_text(p)))
            if cached is not None and isinstance(params, list):
                distribution = Distribution(
                    draws=cached, parameters=params, seed=seed, resolve_allocation=True
                )
            else:
                ran = True
                try:
                    distribution = study.monte_carlo(
                        draws, seed=seed, resolve_allocation=True, progress=progress
                    )
                    dist = distribution
                    cache.put(entry, lambda p: dist.draws.write_parquet(p))
                    cache.put(meta, _write_text(json.dumps(dist.parameters)))
                except FiliereError as err:
                    note = f"failed: {err}"
                    print(f"filiere: Monte Carlo skipped in the report: {err}", file=sys.stderr)
        done(StageRecord("monte_carlo", mc_key, ran, time.perf_counter() - start, note))

        # -- report ---------------------------------------------------------------------
        start = time.perf_counter()
        entry = cache.entry("report", report_key, ".html")
        html = cache.get(entry, _read_text)
        ran, note = html is None, ""
        if html is None:
            try:
                html = build_report(
                    study,
                    results,
                    distribution,
                    lang=lang,
                    sensitivity=tornado,
                    validation=checks,
                )
                cache.put(entry, _write_text(html))
            except Exception as err:  # the tables are still written
                note = f"failed: {err}"
                print(f"filiere: report.html not written: {err}", file=sys.stderr)
        done(StageRecord("report", report_key, ran, time.perf_counter() - start, note))

        # -- write ----------------------------------------------------------------------
        start = time.perf_counter()
        extra = {f"input_{k}.parquet": _parquet_bytes(f) for k, f in tables.items()}
        if html is not None:
            extra["report.html"] = html.encode("utf-8")
        write_record = StageRecord("write", write_key, True, 0.0)
        stages_json = {s.name: s.to_json() for s in [*record_stages, write_record]}
        manifest_more["stages"] = stages_json
        manifest_more["last_run"] = {"at": manifest_more["created"], "stages": stages_json}
        files = write_tables(
            folder, results, formats=formats, locale=locale, extras=extra, more=manifest_more
        )
        done(StageRecord("write", write_key, True, time.perf_counter() - start))
        cache.prune()
        return RunRecord(results, record_stages, written=True, out=folder, files=files)


def _atomic_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    atomic_write(path, lambda p: Path(p).write_text(text, encoding="utf-8"))
