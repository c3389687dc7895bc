"""Write the hostile-input corpus ``tests/data/bad/`` and its manifest ``cases.toml``.

Each case is a small file, the table it is read as, and what reading it must give: the
exception class, a regex its message matches, and the row and column of the first problem
(spreadsheet rows: the header is row 1). ``[[good]]`` cases are awkward but acceptable
files that must load. Deterministic: run ``python3 scripts/make_bad_corpus.py`` and commit
the result. The zip bomb is not committed: :func:`zip_bomb_xlsx` builds it at test time.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "bad"
FUZZ = ROOT / "tests" / "data" / "fuzz"  # inputs found by fuzzing

W = "workshop_id,departement,operators,products"
E = "uai,name,departement,level,pupils"
C = (
    "product,sam_cut_min,sam_sew_min,sam_finish_min,sam_personalise_min,fabric_m,"
    "fabric_eur_per_m,trims_eur,packaging_eur"
)
C_ROW = "1,12,1.5,2,0.92,10,0.6,0.15"
P = "name,value,unit,low,high,distribution,source"
PILOT = "../../../data/aura-pilot"


@dataclass
class Case:
    """One corpus file and what reading it must give."""

    file: str
    table: str
    content: bytes | None
    error: str = ""
    message: str = ""
    row: int | None = None
    column: str | None = None
    note: str = ""
    rows: int | None = None  # good cases: rows the table must have


def _sheet_xml(rows: dict[int, list[tuple[str, str]]]) -> str:
    """`<sheetData>` of inline strings and numbers: {row: [(cell ref, text)]}."""
    out = []
    for r, cells in rows.items():
        xml = []
        for ref, text in cells:
            if text.startswith("#"):
                xml.append(f'<c r="{ref}" t="e"><v>{text}</v></c>')
            else:
                xml.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(xml)}</row>')
    return "".join(out)


def xlsx(sheet_data: str, padding: int = 0) -> bytes:
    """A minimal workbook whose first sheet holds ``sheet_data`` (then ``padding`` bytes
    of XML comment, which compress to almost nothing)."""
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/'
            f'main" xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), body)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=padding > 1 << 30) as f:
            head = (
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/'
                f'2006/main"><sheetData>{sheet_data}</sheetData>'
            )
            f.write(head.encode())
            if padding:
                f.write(b"<!--")
                chunk = b" " * (1 << 20)
                left = padding
                while left > 0:
                    f.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
                f.write(b"-->")
            f.write(b"</worksheet>")
    return buf.getvalue()


def zip_bomb_xlsx(inflated_bytes: int) -> bytes:
    """A valid workbook whose sheet inflates to ``inflated_bytes`` (about 1,000 times its
    size): 300 MB of sheet is a ~300 KB file, so it is built when needed, not committed."""
    header = _sheet_xml({1: [("A1", "workshop_id"), ("B1", "departement")]})
    return xlsx(header, padding=inflated_bytes)


def _workshops_xlsx(rows: dict[int, list[str]]) -> bytes:
    data = {
        r: [(f"{'ABCD'[i]}{r}", v) for i, v in enumerate(vals) if v] for r, vals in rows.items()
    }
    return xlsx(_sheet_xml(data))


def _study(tables: str, scenario: str = "", extra: str = "") -> bytes:
    base = (
        f"{extra}[tables]\n{tables}\n[scenario]\nbase_year = 2024\nyears = [2024]\n"
        f"{scenario}\n[scenario.kit]\npolo = 3\nsweatshirt = 2\n"
    )
    return base.encode()


PILOT_TABLES = (
    f'workshops = "{PILOT}/workshops.csv"\nestablishments = "{PILOT}/establishments.csv"\n'
    f'catalog = "{PILOT}/catalog.csv"'
)


def cases() -> list[Case]:
    """Every bad case, then every good case (``error`` empty)."""
    good_xlsx = _workshops_xlsx({2: W.split(","), 4: ["A", "69", "12", "polo"]})
    truncated = good_xlsx[: len(good_xlsx) // 2]
    wb = "workshop_id,name,departement,operators,products"
    cp1252_mixed = (
        "workshop_id,name,departement,operators,products\nA,Drôme Textile,26,3,polo\n".encode()
        + "B,Ardèche Couture,07,4,polo\n".encode("cp1252")
    )
    bad = [
        # --- delimiters, quotes, encodings (workshops)
        Case(
            "w_mixed_delimiters.csv",
            "workshops",
            b"workshop_id;departement;operators;products\nA;69;10;polo\nB,42,5,polo\n",
            "SchemaError",
            r"separated by `,` but the header by `;`",
            3,
            None,
            "header and first row use `;`, the next row `,`",
        ),
        Case(
            "w_decimal_comma_in_comma_file.csv",
            "workshops",
            f"{W},efficiency\nA,69,10,polo,0,55\n".encode(),
            "SchemaError",
            r"6 values but the header has 5 columns.*decimal comma",
            2,
            None,
            "0,55 in a comma-separated file splits into two cells",
        ),
        Case(
            "w_tab_header_semicolon_rows.tsv",
            "workshops",
            b"workshop_id\tdepartement\toperators\tproducts\nA;69;10;polo\n",
            "SchemaError",
            r"separated by `;` but the header by tab",
            2,
            None,
            "tab header, `;` rows",
        ),
        Case(
            "w_unclosed_quote.csv",
            "workshops",
            f'{wb}\nA,"Atelier du Rhône,69,10,polo\nB,Lyon,69,5,polo\n'.encode(),
            "SchemaError",
            r"double quote .* never closed",
            2,
            None,
            "a quote opened in row 2 swallows the rest of the file",
        ),
        Case(
            "w_mixed_encoding.csv",
            "workshops",
            cp1252_mixed,
            "InputFileError",
            r"mixed text encodings: line 3 is not UTF-8",
            None,
            None,
            "UTF-8 lines with a Windows-1252 line pasted in",
        ),
        Case(
            "w_utf16_without_bom.csv",
            "workshops",
            f"{W}\nA,69,1,polo\n".encode("utf-16-le"),
            "InputFileError",
            r"UTF-16 text without a byte-order mark",
            None,
            None,
            "UTF-16 that lost its BOM",
        ),
        Case(
            "w_binary.csv",
            "workshops",
            bytes(range(256)) * 4,
            "InputFileError",
            r"binary content \(a NUL byte on line 1\)",
            None,
            None,
            "binary bytes named .csv",
        ),
        Case(
            "w_xlsx_named_csv.csv",
            "workshops",
            good_xlsx,
            "InputFileError",
            r"zip archive \(an Excel \.xlsx workbook\?\)",
            None,
            None,
            "a workbook saved with a .csv name",
        ),
        Case(
            "w_not_windows_1252.csv",
            "workshops",
            f"{W}\nA,69,1,polo\x81\x8d\n".encode("latin-1"),
            "InputFileError",
            r"neither UTF-8 nor Windows-1252 .*U\+0081 on line 2",
            None,
            None,
            "bytes undefined in Windows-1252 (Mac Roman? binary?)",
        ),
        # --- header problems
        Case(
            "w_missing_column.csv",
            "workshops",
            b"workshop_id,departement,products\nA,69,polo\n",
            "SchemaError",
            r"required column is missing \(production operators",
            None,
            "operators",
            "no `operators` column",
        ),
        Case(
            "w_duplicate_column.csv",
            "workshops",
            f"{W},operators\nA,69,10,polo,12\n".encode(),
            "SchemaError",
            r"appears twice in the header",
            1,
            "operators",
            "the same header twice",
        ),
        Case(
            "w_duplicate_column_spelling.csv",
            "workshops",
            f"{W},Département\nA,69,10,polo,69\n".encode(),
            "SchemaError",
            r"duplicates `departement`; keep one",
            1,
            "Département",
            "two spellings of one column",
        ),
        Case(
            "w_unknown_column.csv",
            "workshops",
            b"workshop_id,departement,operateurs,products\nA,69,10,polo\n",
            "SchemaError",
            r"unknown column in the workshops table \(did you mean `operators`\?\)",
            1,
            "operateurs",
            "a typo would silently drop the column",
        ),
        Case(
            "w_empty_header_name.csv",
            "workshops",
            b"workshop_id,,departement,operators,products\nA,x,69,10,polo\n",
            "SchemaError",
            r"empty column name in the header",
            1,
            "#2",
            "a column without a name, with values",
        ),
        Case(
            "w_empty.csv",
            "workshops",
            b"",
            "SchemaError",
            r"the file is empty",
            None,
            None,
            "0 bytes",
        ),
        Case(
            "w_blank_lines.csv",
            "workshops",
            b"\r\n \r\n\t\r\n",
            "SchemaError",
            r"the file is empty",
            None,
            None,
            "only blank lines",
        ),
        Case(
            "w_bom_only.csv",
            "workshops",
            b"\xef\xbb\xbf",
            "SchemaError",
            r"the file is empty",
            None,
            None,
            "a BOM and nothing else",
        ),
        Case(
            "w_header_only.csv",
            "workshops",
            f"{W}\n".encode(),
            "SchemaError",
            r"header but no data rows",
            None,
            None,
            "header, no rows",
        ),
        # --- rows and cells
        Case(
            "w_duplicate_ids.csv",
            "workshops",
            f"{W}\nA,69,10,polo\nA,42,5,polo\n".encode(),
            "SchemaError",
            r"duplicate identifier, already used on row 2",
            3,
            "workshop_id",
            "two workshops with one id",
        ),
        Case(
            "w_negative_operators.csv",
            "workshops",
            f"{W}\nA,69,-3,polo\n".encode(),
            "SchemaError",
            r"out of range: expected a whole number from 0 to 5000",
            2,
            "operators",
            "negative head count",
        ),
        Case(
            "w_nan_operators.csv",
            "workshops",
            f"{W}\nA,69,NaN,polo\n".encode(),
            "SchemaError",
            r"expected a whole number from 0 to 5000",
            2,
            "operators",
            "NaN",
        ),
        Case(
            "w_inf_hours.csv",
            "workshops",
            f"{W},hours_per_week\nA,69,3,polo,inf\n".encode(),
            "SchemaError",
            r"expected a number from 1 to 60",
            2,
            "hours_per_week",
            "infinite hours",
        ),
        Case(
            "w_absurd_operators.csv",
            "workshops",
            f"{W}\nA,69,1000000000000000,polo\n".encode(),
            "SchemaError",
            r"out of range",
            2,
            "operators",
            "10^15 operators",
        ),
        Case(
            "w_fractional_operators.csv",
            "workshops",
            f"{W}\nA,69,12.5,polo\n".encode(),
            "SchemaError",
            r"expected a whole number, got a fraction",
            2,
            "operators",
            "half an operator",
        ),
        Case(
            "w_percentage_efficiency.csv",
            "workshops",
            f"{W},efficiency\nA,69,3,polo,55\n".encode(),
            "SchemaError",
            r"a percentage\? write it as a fraction",
            2,
            "efficiency",
            "55 meaning 55 %",
        ),
        Case(
            "w_bad_departement.csv",
            "workshops",
            f"{W}\nA,99,3,polo\n".encode(),
            "SchemaError",
            r"expected a French département code",
            2,
            "departement",
            "no département 99",
        ),
        Case(
            "w_signed_departement.csv",
            "workshops",
            f"{W}\nA,+1,3,polo\n".encode(),
            "SchemaError",
            r"expected a French département code",
            2,
            "departement",
            "`+1` used to pass as a two-character code",
        ),
        Case(
            "w_departement_20.csv",
            "workshops",
            f"{W}\nA,20,3,polo\n".encode(),
            "SchemaError",
            r"expected a French département code",
            2,
            "departement",
            "Corsica is 2A/2B since 1976",
        ),
        Case(
            "w_unknown_product.csv",
            "workshops",
            f"{W}\nA,69,3,polo|jean\n".encode(),
            "SchemaError",
            r"unknown product; the catalog has: polo, sweatshirt",
            2,
            "products",
            "a product the catalog lacks",
        ),
        Case(
            "w_bad_bool.csv",
            "workshops",
            f"{W},training_centre\nA,69,3,polo,peut-être\n".encode(),
            "SchemaError",
            r"expected yes or no",
            2,
            "training_centre",
            "neither yes nor no",
        ),
        Case(
            "w_empty_required_cell.csv",
            "workshops",
            f"{W}\nA,69,3,\n".encode(),
            "SchemaError",
            r"empty cell in a required column",
            2,
            "products",
            "required cell left empty",
        ),
        Case(
            "w_three_bad_cells.csv",
            "workshops",
            f"{W},efficiency\nA,69,-1,polo,0.5\nB,99,3,polo,0.5\nC,42,3,polo,5\n".encode(),
            "SchemaError",
            r"3 problems in the input",
            2,
            "operators",
            "three bad cells in three rows: all reported at once (the CLI test uses it)",
        ),
        Case(
            "w_row_after_blank_line.csv",
            "workshops",
            f"{W}\nA,69,3,polo\n\nB,69,x,polo\n".encode(),
            "SchemaError",
            r"expected a whole number",
            4,
            "operators",
            "rows are spreadsheet rows: the blank row 3 counts",
        ),
        # --- files that are not tables
        Case(
            "w_corrupt.xlsx",
            "workshops",
            b"PK\x03\x04 not really a workbook",
            "InputFileError",
            r"not a readable \.xlsx workbook",
            None,
            None,
            "zip signature, garbage after",
        ),
        Case(
            "w_truncated.xlsx",
            "workshops",
            truncated,
            "InputFileError",
            r"not a readable \.xlsx workbook",
            None,
            None,
            "a workbook cut in half (interrupted download)",
        ),
        Case(
            "w_text_named.xlsx",
            "workshops",
            f"{W}\nA,69,3,polo\n".encode(),
            "InputFileError",
            r"not a readable \.xlsx workbook",
            None,
            None,
            "CSV text with an .xlsx name",
        ),
        Case(
            "w_far_apart_cells.xlsx",
            "workshops",
            xlsx(
                _sheet_xml(
                    {
                        1: [
                            ("A1", "workshop_id"),
                            ("B1", "departement"),
                            ("C1", "operators"),
                            ("D1", "products"),
                        ],
                        2: [("A2", "A"), ("B2", "69"), ("C2", "3"), ("D2", "polo")],
                        1048576: [("XFD1048576", "x")],
                    }
                )
            ),
            "SchemaError",
            r"a value in column XFD which has no header",
            1048576,
            "XFD",
            "A1 and XFD1048576: read as one rectangle, 17 billion cells (an abort)",
        ),
        Case(
            "w_error_cell.xlsx",
            "workshops",
            _workshops_xlsx({1: W.split(","), 2: ["A", "69", "#DIV/0!", "polo"]}),
            "SchemaError",
            r"holds the error #DIV/0!; fix the formula",
            2,
            "operators",
            "a formula error cached in the cell",
        ),
        Case(
            "w_gap_rows.xlsx",
            "workshops",
            _workshops_xlsx(
                {2: W.split(","), 3: ["A", "69", "3", "polo"], 5: ["B", "69", "-2", "polo"]}
            ),
            "SchemaError",
            r"out of range",
            5,
            "operators",
            "header on row 2, a blank row 4: messages give the sheet's own row",
        ),
        Case(
            "w_zip_bomb.xlsx",
            "workshops",
            None,
            "InputFileError",
            r"inflates to more than .*zip bomb",
            None,
            None,
            "built at test time by zip_bomb_xlsx: a ~300 KB file inflating to 300 MB",
        ),
        Case(
            "w_unknown_extension.json",
            "workshops",
            b"{}",
            "InputFileError",
            r"unknown file type `\.json`",
            None,
            None,
            "JSON",
        ),
        Case(
            "w_parquet_negative_page_count.parquet",
            "workshops",
            (FUZZ / "parquet_huge_alloc_abort.parquet").read_bytes(),
            "InputFileError",
            r"not a readable Parquet file: corrupt or hostile file \(",
            None,
            None,
            "found by fuzzing: a data page declaring -n values made Polars abort on a 2^61-byte"
            " allocation; refused before Polars reads it",
        ),
        Case(
            "w_parquet_footer_huge_list.parquet",
            "workshops",
            (FUZZ / "parquet_footer_list_alloc_abort.parquet").read_bytes(),
            "InputFileError",
            r"not a readable Parquet file: corrupt or hostile file \(footer metadata",
            None,
            None,
            "found by fuzzing: a footer list declaring 2^31 elements made Polars abort on a"
            " 109 GB allocation; refused before Polars decodes the footer",
        ),
        Case(
            "w_parquet_thrift_bool.parquet",
            "workshops",
            (FUZZ / "parquet_thrift_panic.parquet").read_bytes(),
            "InputFileError",
            r"not a readable Parquet file",
            None,
            None,
            "found by fuzzing: a footer boolean not encoded as one made Polars panic",
        ),
        Case(
            "w_old_excel.xls",
            "workshops",
            b"\xd0\xcf\x11\xe0",
            "InputFileError",
            r"Excel 97 `\.xls` files are not read",
            None,
            None,
            ".xls",
        ),
        Case(
            "w_no_extension",
            "workshops",
            f"{W}\n".encode(),
            "InputFileError",
            r"no extension",
            None,
            None,
            "no extension at all",
        ),
        # --- establishments
        Case(
            "e_bad_uai.csv",
            "establishments",
            f"{E}\n063001A,Lycée,63,lycee,10\n".encode(),
            "SchemaError",
            r"expected a UAI code",
            2,
            "uai",
            "7 characters",
        ),
        Case(
            "e_accented_uai.csv",
            "establishments",
            f"{E}\n012345é,Lycée,63,lycee,10\n".encode(),
            "SchemaError",
            r"expected a UAI code",
            2,
            "uai",
            "8 bytes with é across byte 7: used to panic",
        ),
        Case(
            "e_duplicate_uai.csv",
            "establishments",
            f"{E}\n0630001A,A,63,lycee,10\n0630001A,B,63,lycee,10\n".encode(),
            "SchemaError",
            r"duplicate identifier, already used on row 2",
            3,
            "uai",
            "one UAI twice",
        ),
        Case(
            "e_bad_level.csv",
            "establishments",
            f"{E}\n0630001A,A,63,université,10\n".encode(),
            "SchemaError",
            r"expected one of ecole, college, lycee",
            2,
            "level",
            "not a school level",
        ),
        Case(
            "e_negative_pupils.csv",
            "establishments",
            f"{E}\n0630001A,A,63,lycee,-5\n".encode(),
            "SchemaError",
            r"out of range",
            2,
            "pupils",
            "negative pupils",
        ),
        Case(
            "e_cp1252_wrong_departement.csv",
            "establishments",
            "uai;name;departement;level;pupils\r\n0690001A;Lycée;Rhône;lycée;10\r\n".encode(
                "cp1252"
            ),
            "SchemaError",
            r"expected a French département code",
            2,
            "departement",
            "Windows-1252 decodes fine; the département written as a name does not",
        ),
        # --- catalog
        Case(
            "c_case_duplicate.csv",
            "catalog",
            f"{C}\nPolo,{C_ROW}\npolo ,{C_ROW}\n".encode(),
            "SchemaError",
            r"duplicate identifier, already used on row 2",
            3,
            "product",
            "`Polo` and `polo ` both become product `polo`",
        ),
        Case(
            "c_negative_sam.csv",
            "catalog",
            f"{C}\npolo,1,-12,1.5,2,0.92,10,0.6,0.15\n".encode(),
            "SchemaError",
            r"out of range: expected a number from 0 to 600",
            2,
            "sam_sew_min",
            "negative minutes",
        ),
        Case(
            "c_overflow_number.csv",
            "catalog",
            f"{C}\npolo,1,12,1.5,2,1e400,10,0.6,0.15\n".encode(),
            "SchemaError",
            r"expected a number from 0 to 20",
            2,
            "fabric_m",
            "1e400 overflows to infinity",
        ),
        # --- parameters
        Case(
            "p_low_above_high.csv",
            "parameters",
            f"{P}\nallowance,0.12,fraction,0.2,0.1,uniform,x\n".encode(),
            "ParameterTableError",
            r"low must not exceed high",
            2,
            "low",
            "low > high",
        ),
        Case(
            "p_unknown_name.csv",
            "parameters",
            f"{P}\nline_eficiency,0.5,fraction,0.4,0.6,pert,x\n".encode(),
            "ParameterTableError",
            r"unknown parameter; check the spelling",
            2,
            "name",
            "a typo in the name (was reported in column `value`)",
        ),
        Case(
            "p_wrong_unit.csv",
            "parameters",
            f"{P}\nallowance,0.12,%,0.1,0.15,pert,x\n".encode(),
            "ParameterTableError",
            r"expressed in fraction; convert the value",
            2,
            "unit",
            "% instead of fraction",
        ),
        Case(
            "p_value_outside_range.csv",
            "parameters",
            f"{P}\nline_efficiency,0.5,fraction,0.6,0.7,pert,x\n".encode(),
            "ParameterTableError",
            r"central value must lie within",
            2,
            "value",
            "value < low",
        ),
        Case(
            "p_duplicate_name.csv",
            "parameters",
            f"{P}\nallowance,0.12,fraction,0.1,0.15,pert,x\nallowance,0.1,fraction,0.1,0.15,pert,y\n".encode(),
            "ParameterTableError",
            r"parameter given twice",
            3,
            "name",
            "one parameter twice",
        ),
        Case(
            "p_percent_vat.csv",
            "parameters",
            f"{P}\nvat_rate,20,fraction,20,20,fixed,x\n".encode(),
            "ParameterTableError",
            r"outside the allowed range \[0, 1\]",
            2,
            "value",
            "20 meaning 20 %",
        ),
        Case(
            "p_missing_source.csv",
            "parameters",
            b"name,value,unit\nallowance,0.12,fraction\n",
            "ParameterTableError",
            r"required column is missing",
            None,
            "source",
            "unsourced",
        ),
        Case(
            "p_bad_distribution.csv",
            "parameters",
            f"{P}\nallowance,0.12,fraction,0.1,0.15,gaussienne,x\n".encode(),
            "ParameterTableError",
            r"expected one of fixed, uniform",
            2,
            "distribution",
            "unknown distribution",
        ),
        Case(
            "p_lognormal_zero.csv",
            "parameters",
            f"{P}\nallowance,0.12,fraction,0,0.15,lognormal,x\n".encode(),
            "ParameterTableError",
            r"lognormal range must be positive",
            2,
            "low",
            "log of 0",
        ),
        # --- study files
        Case(
            "s_missing_table.toml",
            "study",
            _study(PILOT_TABLES.replace("workshops.csv", "absent.csv")),
            "StudyError",
            r"table file `.*absent\.csv` not found",
            None,
            None,
            "a table that does not exist",
        ),
        Case(
            "s_points_at_itself.toml",
            "study",
            _study(PILOT_TABLES.replace(f"{PILOT}/workshops.csv", "s_points_at_itself.toml")),
            "StudyError",
            r"points at the study file itself",
            None,
            None,
            "self reference",
        ),
        Case(
            "s_unknown_key.toml",
            "study",
            _study(PILOT_TABLES, extra='colour = "red"\n'),
            "StudyError",
            r"unknown field `colour`",
            None,
            None,
            "unknown top-level key",
        ),
        Case(
            "s_unknown_scenario_key.toml",
            "study",
            _study(PILOT_TABLES, "adopton = 0.5"),
            "StudyError",
            r"unknown field `adopton`",
            None,
            None,
            "typo in [scenario]",
        ),
        Case(
            "s_unknown_kit_product.toml",
            "study",
            _study(PILOT_TABLES).replace(b"sweatshirt = 2", b"jean = 1"),
            "StudyError",
            r"the kit names product `jean`",
            None,
            None,
            "kit product the catalog lacks (error names the study file)",
        ),
        Case(
            "s_years_decreasing.toml",
            "study",
            _study(PILOT_TABLES).replace(b"years = [2024]", b"years = [2026, 2025]"),
            "StudyError",
            r"must increase strictly",
            None,
            None,
            "years out of order",
        ),
        Case(
            "s_adoption_over_one.toml",
            "study",
            _study(PILOT_TABLES, "adoption = 1.5"),
            "StudyError",
            r"adoption must be within 0-1",
            None,
            None,
            "150 % adoption",
        ),
        Case(
            "s_nan_kit.toml",
            "study",
            _study(PILOT_TABLES).replace(b"polo = 3", b"polo = nan"),
            "StudyError",
            r"kit\.polo must be within 0-100 pieces, got NaN",
            None,
            None,
            "NaN pieces per pupil",
        ),
        Case(
            "s_syntax_error.toml",
            "study",
            b"[tables\nworkshops = 'w.csv'\n",
            "StudyError",
            r"TOML parse error",
            None,
            None,
            "broken TOML",
        ),
        Case(
            "s_override_unknown.toml",
            "study",
            _study(PILOT_TABLES) + b"[parameters]\nline_eficiency = 0.6\n",
            "ParameterError",
            r"unknown parameter",
            None,
            None,
            "override typo",
        ),
        Case(
            "s_override_out_of_range.toml",
            "study",
            _study(PILOT_TABLES) + b"[parameters]\nline_efficiency = 60\n",
            "ParameterError",
            r"outside the allowed range \[0\.05, 1\]",
            None,
            None,
            "60 meaning 60 %",
        ),
        Case(
            "s_table_is_folder.toml",
            "study",
            _study(PILOT_TABLES.replace(f"{PILOT}/workshops.csv", "..")),
            "InputFileError",
            r"is a folder, not a table file",
            None,
            None,
            "a folder as a table",
        ),
        Case(
            "s_no_tables.toml",
            "study",
            b"[scenario]\nbase_year = 2024\nyears = [2024]\n",
            "StudyError",
            r"missing field `tables`",
            None,
            None,
            "no [tables]",
        ),
        Case(
            "s_not_utf8.toml",
            "study",
            _study(PILOT_TABLES).replace(b"[tables]", b'name = "Ard\xe8che"\n[tables]'),
            "StudyError",
            r"not UTF-8 text",
            None,
            None,
            "Windows-1252 study file",
        ),
        Case(
            "s_table_path_number.toml",
            "study",
            _study(PILOT_TABLES.replace(f'"{PILOT}/catalog.csv"', "3")),
            "StudyError",
            r"invalid type: integer `3`, expected a string",
            None,
            None,
            "a number where a path is expected",
        ),
    ]
    good = [
        Case(
            "g_bom_semicolon_decimal_comma.csv",
            "workshops",
            b"\xef\xbb\xbfworkshop_id;departement;operators;products;efficiency\r\n"
            b"A;69;12;polo;0,55\r\nB;7;1 500;polo|sweatshirt;55 %\r\n",
            rows=2,
            note="French Excel: BOM, `;`, decimal comma, `1 500`, `55 %`, `7` for 07",
        ),
        Case(
            "g_cp1252_semicolon.csv",
            "workshops",
            (
                "workshop_id;name;departement;operators;products\r\n"
                "A;Atelier de l'Ardèche;07;3;polo\r\n"
            ).encode("cp1252"),
            rows=1,
            note="Windows-1252 accents",
        ),
        Case(
            "g_utf16_bom.csv",
            "workshops",
            "\ufeffworkshop_id\tdepartement\toperators\tproducts\r\nA\t69\t3\tpolo\r\n".encode(
                "utf-16-le"
            ),
            rows=1,
            note="UTF-16 with BOM, tab-separated (Excel Unicode text)",
        ),
        Case(
            "g_tab_separated.tsv",
            "workshops",
            b"workshop_id\tdepartement\toperators\tproducts\nA\t2A\t3\tpolo\n",
            rows=1,
            note="tabs, Corsica",
        ),
        Case(
            "g_trailing_separators.csv",
            "workshops",
            b"workshop_id;departement;operators;products;;\r\nA;69;3;polo;;\r\n;;;;;\r\n\r\n",
            rows=1,
            note="Excel's trailing `;;` and rows of separators only",
        ),
        Case(
            "g_quoted_line_break.csv",
            "workshops",
            b"workshop_id,name,departement,operators,products\n"
            b'A,"Atelier\nde Lyon, 2e",69,3,polo\n',
            rows=1,
            note="a quoted cell with a line break and a comma",
        ),
        Case(
            "g_header_spelling.csv",
            "workshops",
            " Workshop ID ,Département,Operators,Products\nA,69,3,POLO\n".encode(),
            rows=1,
            note="headers with case, accents and spaces",
        ),
        Case(
            "g_title_gap.xlsx",
            "workshops",
            _workshops_xlsx(
                {3: W.split(","), 4: ["A", "69", "3", "polo"], 6: ["B", "42", "4", "polo"]}
            ),
            rows=2,
            note="header on row 3 and a blank row",
        ),
        Case(
            "g_parameters_french.csv",
            "parameters",
            "name;value;unit;low;high;distribution;source\r\nline_efficiency;0,6;fraction;0,5;0,7;"
            "triangulaire;enquête\r\n".encode("cp1252"),
            rows=1,
            note="parameters the French way",
        ),
        Case(
            "g_parent_path.toml",
            "study",
            _study(PILOT_TABLES),
            rows=5,
            note="tables reached through `..`: allowed (the bundled pilot does it)",
        ),
    ]
    return bad + good


def _toml_value(v: object) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)


def manifest(all_cases: list[Case]) -> str:
    """The text of ``cases.toml``."""
    lines = [
        "# Hostile-input corpus: written by scripts/make_bad_corpus.py (edit it there).",
        "# [[bad]]: reading `file` as `table` raises `error` (filiere.exceptions) with a message",
        "# matching the regex `message`; `row`/`column`: the first problem (spreadsheet row,",
        "# header = 1), absent when the problem has none. [[good]]: must load with `rows` rows",
        "# (study: workshops). `generated`: built at test time (not committed).",
        "",
    ]
    for c in all_cases:
        lines.append("[[bad]]" if c.error else "[[good]]")
        fields: dict[str, object | None] = {
            "file": c.file,
            "table": c.table,
            "error": c.error or None,
            "message": c.message or None,
            "row": c.row,
            "column": c.column,
            "rows": c.rows,
            "generated": True if c.content is None else None,
            "note": c.note,
        }
        for key, value in fields.items():
            if value is not None:
                lines.append(
                    f"{key} = {_toml_value(value).lower() if value is True else _toml_value(value)}"
                )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Write the corpus files and the manifest."""
    OUT.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    names = [c.file for c in all_cases]
    assert len(names) == len(set(names)), "duplicate file names"
    for c in all_cases:
        if c.content is not None:
            (OUT / c.file).write_bytes(c.content)
    (OUT / "cases.toml").write_text(manifest(all_cases), encoding="utf-8")
    n_bad = sum(1 for c in all_cases if c.error)
    print(f"wrote {n_bad} bad and {len(all_cases) - n_bad} good cases to {OUT}")


if __name__ == "__main__":
    main()
