"""No panic reaches Python: the public API swept with generated garbage (random bytes as
files, random CSV text, damaged workbooks, NaN/inf/huge/negative numbers, wrong shapes and
types). Every failure must be a :class:`filiere.FiliereError` (or ``TypeError`` where a
Python argument has the wrong type, as documented), never ``PanicException`` or a crash."""

from __future__ import annotations

import io
import json
import math
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filiere as fl
from filiere import _core

from .conftest import DATA, pilot_with

PILOT = DATA / "aura-pilot"
SWEEP = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KINDS = ("workshops", "establishments", "catalog", "parameters")
COLUMNS = [
    "workshop_id",
    "departement",
    "operators",
    "products",
    "efficiency",
    "uai",
    "name",
    "level",
    "pupils",
    "product",
    "sam_sew_min",
    "value",
    "unit",
    "low",
    "high",
    "source",
    "Département",
    "",
]
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -0.0, 1e15, -1e15, 1e308, 5e-324, math.nan, math.inf, -math.inf]),
)
cells = st.one_of(
    st.text(max_size=12),
    numbers.map(str),
    st.sampled_from(["NaN", "inf", "1e400", "0,55", "55 %", "+1", "2A", "012345é", "polo|"]),
)


def _refuses_cleanly(call: Callable[[], Any], *, type_error: bool = False) -> Any:
    """Run `call`; an exception must be a FiliereError (or TypeError when allowed)."""
    allowed: tuple[type[BaseException], ...] = (fl.FiliereError,)
    if type_error:
        allowed = (fl.FiliereError, TypeError)
    try:
        return call()
    except allowed as err:
        assert not isinstance(err, fl.InternalError), f"internal error (a bug): {err}"
        return None
    except BaseException as err:  # PanicException derives from BaseException
        pytest.fail(f"{type(err).__module__}.{type(err).__name__} escaped: {err}")


@pytest.fixture(scope="module")
def workdir() -> Any:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@pytest.fixture(scope="module")
def pilot() -> fl.Study:
    return fl.Study.example("aura-pilot")


def _study(kind: str, table: Any) -> Callable[[], fl.Study]:
    return lambda: pilot_with(kind, table)


@SWEEP
@given(
    content=st.binary(max_size=600),
    ext=st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet", ".txt"]),
    kind=st.sampled_from(KINDS),
)
def test_random_bytes_as_files(workdir: Path, content: bytes, ext: str, kind: str) -> None:
    path = workdir / f"random{ext}"
    path.write_bytes(content)
    _refuses_cleanly(lambda: _core.validate_file(str(path), kind))
    _refuses_cleanly(lambda: _core.read_table(str(path)))
    _refuses_cleanly(_study(kind, path))


@SWEEP
@given(
    header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=8), min_size=0, max_size=7),
    rows=st.lists(st.lists(cells, max_size=8), max_size=6),
    separator=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    kind=st.sampled_from(KINDS),
)
def test_random_csv_text(
    workdir: Path,
    header: list[str],
    rows: list[list[str]],
    separator: str,
    encoding: str,
    kind: str,
) -> None:
    text = "\n".join(separator.join(r) for r in [header, *rows])
    path = workdir / "table.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    problems = _refuses_cleanly(lambda: _core.validate_file(str(path), kind))
    for p in problems or []:
        assert p["file"] == str(path) and p["message"]
    _refuses_cleanly(_study(kind, path))


def _damaged_workbook(seed_bytes: bytes, flips: list[tuple[int, int]], cut: int) -> bytes:
    data = bytearray(seed_bytes)
    for at, value in flips:
        data[at % len(data)] = value
    return bytes(data[: max(cut, 1)])


@pytest.fixture(scope="module")
def workbook() -> bytes:
    frame = pl.read_csv(PILOT / "workshops.csv", infer_schema=False)
    buf = io.BytesIO()
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    book.save(buf)
    return buf.getvalue()


@SWEEP
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
    cut=st.integers(1, 10**6),
)
def test_damaged_workbooks(
    workdir: Path, workbook: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    path = workdir / "workshops.xlsx"
    path.write_bytes(_damaged_workbook(workbook, flips, cut))
    _refuses_cleanly(_study("workshops", path))


@SWEEP
@given(
    sheet=st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(0, 16_383), cells), max_size=12)
)
def test_random_sheets(workdir: Path, sheet: list[tuple[int, int, str]]) -> None:
    # Cells anywhere in the sheet, far apart: read cell by cell, never as one rectangle.
    from xml.sax.saxutils import escape

    def letters(c: int) -> str:
        out = ""
        c += 1
        while c:
            c, r = divmod(c - 1, 26)
            out = chr(65 + r) + out
        return out

    by_row: dict[int, dict[int, str]] = {}
    for r, c, v in sheet:
        by_row.setdefault(r, {})[c] = v
    xml = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{letters(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for c, v in sorted(cs.items())
        )
        + "</row>"
        for r, cs in sorted(by_row.items())
    )
    from make_bad_corpus import xlsx  # type: ignore[import-not-found]

    path = workdir / "sheet.xlsx"
    path.write_bytes(xlsx(xml))
    _refuses_cleanly(lambda: _core.read_table(str(path)))
    _refuses_cleanly(lambda: _core.validate_file(str(path), "workshops"))


@pytest.fixture(scope="module", autouse=True)
def _corpus_script() -> None:
    from .test_bad_corpus import _corpus_script as load

    load()


frame_columns = st.one_of(
    st.lists(numbers, min_size=2, max_size=2),
    st.lists(st.text(max_size=6) | st.none(), min_size=2, max_size=2),
    st.lists(st.booleans(), min_size=2, max_size=2),
)


@SWEEP
@given(
    columns=st.dictionaries(st.sampled_from(COLUMNS[:-1]), frame_columns, max_size=6),
    kind=st.sampled_from(KINDS),
)
def test_random_frames(columns: dict[str, list[Any]], kind: str) -> None:
    def build() -> Any:
        return pl.DataFrame({k: pl.Series(v, strict=False) for k, v in columns.items()})

    frame = _refuses_cleanly(build)
    if frame is None:
        return
    _refuses_cleanly(_study(kind, frame))
    try:
        pandas_frame = frame.to_pandas()
    except Exception:  # pyarrow has no 128-bit integers: not filiere's concern
        return
    _refuses_cleanly(_study(kind, pandas_frame))


@SWEEP
@given(
    overrides=st.dictionaries(
        st.sampled_from(["line_efficiency", "vat_rate", "allowance", "nope", ""]),
        numbers | st.text(max_size=5) | st.none() | st.lists(st.integers(), max_size=2),
        max_size=3,
    )
)
def test_with_params(pilot: fl.Study, overrides: dict[str, Any]) -> None:
    result = _refuses_cleanly(lambda: pilot.with_params(**overrides))
    if result is not None:
        values = dict(zip(result.parameters["name"], result.parameters["value"], strict=True))
        for name, value in overrides.items():
            assert values[name] == float(value)


json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


@SWEEP
@given(
    changes=st.dictionaries(
        st.sampled_from(
            ["years", "base_year", "adoption", "kit", "rollout", "renewal", "pupil_growth", "x"]
        ),
        json_values,
        max_size=3,
    )
)
def test_with_scenario(pilot: fl.Study, changes: dict[str, Any]) -> None:
    result = _refuses_cleanly(lambda: pilot.with_scenario(**changes))
    if result is not None:
        _refuses_cleanly(result.run)


@SWEEP
@given(text=st.text(max_size=300), tables=st.booleans())
def test_random_study_files(workdir: Path, text: str, tables: bool) -> None:
    path = workdir / "study.toml"
    prefix = (
        f'[tables]\nworkshops = "{PILOT}/workshops.csv"\n'
        f'establishments = "{PILOT}/establishments.csv"\ncatalog = "{PILOT}/catalog.csv"\n'
        if tables
        else ""
    )
    path.write_text(prefix + text, encoding="utf-8")
    _refuses_cleanly(lambda: fl.Study.load(path))


@SWEEP
@given(
    n=st.integers(0, 4),
    flows=st.lists(st.lists(numbers, max_size=4), max_size=4),
    output=st.lists(numbers, max_size=4),
    employment=st.none() | st.lists(numbers, max_size=4),
    household=st.none() | st.lists(numbers, max_size=4),
)
def test_economy_from_table(
    n: int,
    flows: list[list[float]],
    output: list[float],
    employment: list[float] | None,
    household: list[float] | None,
) -> None:
    eco = _refuses_cleanly(
        lambda: fl.Economy.from_table(
            flows,
            output,
            employment=employment,
            compensation=household,
            household_consumption=household,
        )
    )
    if eco is None:
        return
    demand = [1.0] * len(eco.branches)
    impact = _refuses_cleanly(lambda: eco.impact(demand))
    if impact is not None:
        assert impact.height == len(eco.branches)
    _refuses_cleanly(lambda: eco.regionalise([1.0] * n))


@SWEEP
@given(args=st.lists(numbers, min_size=4, max_size=4))
def test_location_quotient_and_flq(args: list[float]) -> None:
    lq = _refuses_cleanly(lambda: fl.location_quotient(*args))
    if lq is not None:
        assert math.isfinite(lq) and lq >= 0
    lam = _refuses_cleanly(lambda: fl.flq_lambda(args[0], args[1], args[2]))
    if lam is not None:
        assert math.isfinite(lam) and 0 <= lam <= 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: fl.Economy.from_table(5, [1.0]),
        lambda: fl.Study.example(3),  # type: ignore[arg-type]
        lambda: _core.validate_file(str(PILOT / "workshops.csv"), None),  # type: ignore[arg-type]
    ],
)
def test_wrong_python_types_are_type_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(TypeError):
        call()


def test_json_round_trip_of_garbage_is_a_study_error() -> None:
    for text in ["", "{", "[]", json.dumps({"name": 1}), "null", "\x00"]:
        with pytest.raises(fl.StudyError):
            _core.Study.from_json(text)


def test_a_damaged_zip_member_is_an_input_file_error(workdir: Path, workbook: bytes) -> None:
    # Same archive, the sheet's compressed bytes overwritten: the CRC or inflate fails.
    src = zipfile.ZipFile(io.BytesIO(workbook))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = b"<worksheet><sheetData><row r='1'><c r='A1' t='s'><v>999999</v></c>"
            out.writestr(info.filename, data)
    path = workdir / "damaged.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(fl.FiliereError) as err:
        _core.read_table(str(path))
    assert not isinstance(err.value, fl.InternalError)
