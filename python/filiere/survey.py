"""The capacity survey: the questionnaire workbook workshops fill in every year.

:func:`questionnaire` writes an ``.xlsx`` whose first sheet holds the answers, one row per
workshop under a header of questions, with Excel data validation on every cell that has a
domain and an input message giving its unit and meaning; an instructions sheet follows.
Everything comes from the columns the core declares (``_core.table_columns("workshops")``:
kinds, ranges, French and English labels), so the workbook never drifts from what
``filiere validate`` accepts, and the reader takes the filled-in workbook, or a CSV export of
it, as it is.

**Products** are asked as one yes/no column per catalog product (``Peut fabriquer :
polo``), not as one text cell ``polo|sweatshirt``: Excel validates a yes/no list in each
cell, while a free-text list cannot be checked before it is sent back; a form tool asks a
yes/no question per product the same way; and a product nobody answered shows as empty
cells counted in the data-quality annex. The reader folds these columns back into the
``products`` list (an empty cell is a no).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl

from filiere import _core
from filiere.study import Study

__all__ = ["ESTIMATED_SUFFIX", "questionnaire"]

#: Appended to the id of a workshop whose capacity is estimated (``survey_extrapolation =
#: "ratio"``), in every table that names workshops.
ESTIMATED_SUFFIX: str = _core.ESTIMATED_SUFFIX

#: Région code of Auvergne-Rhône-Alpes in ``_core.prefectures()``.
AURA_REGION = "84"
#: Rows of the answers sheet that carry validation beyond the pre-filled ones.
EMPTY_ROWS = 300
#: Sheet names by language: answers (first), instructions, lists.
_SHEETS = {
    "fr": ("Réponses", "Instructions", "Listes"),
    "en": ("Answers", "Instructions", "Lists"),
}
_YES_NO = {"fr": ("oui", "non"), "en": ("yes", "no")}

_TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Enquête capacité des ateliers de confection — tenues scolaires",
        "how": [
            "Remplissez une ligne par atelier sur la première feuille, sans changer les "
            "en-têtes ni l'ordre des feuilles.",
            "Sélectionnez une cellule pour voir la question, son unité et les valeurs "
            "acceptées ; une valeur hors domaine est refusée.",
            "Laissez vide une réponse facultative que vous ne connaissez pas : la valeur "
            "par défaut de l'étude s'applique.",
            "Les fractions s'écrivent 0,55 ou 55 %. Les départements sont des codes (01, "
            "42, 69...).",
            "Produits : répondez oui ou non pour chaque produit (une cellule vide vaut non).",
            "La colonne « Réponse reçue » est réservée au cluster : non pour un atelier "
            "de la liste qui n'a pas répondu.",
            "Un export CSV (séparateur ; et virgule décimale acceptés) ou un export d'un "
            "outil de formulaire avec ces en-têtes se charge tel quel : "
            "filiere validate FICHIER --kind workshops.",
        ],
        "columns": ("Question", "Colonne", "Obligatoire", "Unité", "Valeurs acceptées", "Sens"),
        "required": ("oui", "non"),
        "product_help": "l'atelier sait-il fabriquer ce produit ? (oui/non ; vide : non)",
        "unit": "Unité",
        "mandatory": "Obligatoire.",
        "optional": "Facultatif.",
        "error_title": "Valeur refusée",
    },
    "en": {
        "title": "Capacity survey of the sewing workshops — school uniforms",
        "how": [
            "Fill in one row per workshop on the first sheet; keep the headers and the "
            "order of the sheets.",
            "Select a cell to see its question, unit and allowed values; a value outside "
            "them is refused.",
            "Leave an optional answer you do not know empty: the study's default applies.",
            "Fractions are written 0.55 or 55 %. Départements are codes (01, 42, 69...).",
            "Products: answer yes or no for each product (an empty cell is a no).",
            "The column 'Answer received' is for the cluster: no for a listed workshop "
            "that did not answer.",
            "A CSV export (';' separator and decimal comma accepted) or a form-tool export "
            "with these headers loads as it is: filiere validate FILE --kind workshops.",
        ],
        "columns": ("Question", "Column", "Required", "Unit", "Allowed values", "Meaning"),
        "required": ("yes", "no"),
        "product_help": "can the workshop make this product? (yes/no; empty: no)",
        "unit": "Unit",
        "mandatory": "Required.",
        "optional": "Optional.",
        "error_title": "Value refused",
    },
}


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "fr" else text


def _allowed(column: dict[str, Any], lang: str) -> str:
    """The column's domain in words, in ``lang``."""
    kind, low, high = column["kind"], column["min"], column["max"]
    fr = lang == "fr"
    if kind == "int":
        return (
            f"nombre entier de {low:.0f} à {high:.0f}"
            if fr
            else f"whole number from {low:.0f} to {high:.0f}"
        )
    if kind == "float":
        lo, hi = _number(low, lang), _number(high, lang)
        return f"nombre de {lo} à {hi}" if fr else f"number from {lo} to {hi}"
    if kind == "fraction":
        lo, hi = _number(low, lang), _number(high, lang)
        return (
            f"fraction de {lo} à {hi} (0,55 ou 55 %)"
            if fr
            else f"fraction from {lo} to {hi} (0.55 or 55 %)"
        )
    if kind == "bool":
        return " / ".join(_YES_NO[lang])
    if kind == "departement":
        return "code de département (liste)" if fr else "département code (list)"
    return "texte" if fr else "text"


def _prompt(help_text: str, unit: str, required: bool, allowed: str, lang: str) -> str:
    """An input message: meaning, unit, required or not, domain; at most 255 characters
    (Excel's limit)."""
    t = _TEXT[lang]
    parts = [help_text[:1].upper() + help_text[1:] + "."]
    if unit:
        parts.append(f"{t['unit']} : {unit}." if lang == "fr" else f"{t['unit']}: {unit}.")
    parts.append(t["mandatory"] if required else t["optional"])
    parts.append(allowed[:1].upper() + allowed[1:] + ".")
    text = " ".join(parts)
    return text if len(text) <= 255 else text[:254] + "…"


def _survey(
    workshops: Study | pl.DataFrame | str | os.PathLike[str] | None,
) -> tuple[pl.DataFrame | None, list[str]]:
    """The typed survey to pre-fill (or None) and the catalog's products."""
    if workshops is None:
        return None, Study.example("aura").catalog["product"].to_list()
    if isinstance(workshops, Study):
        return workshops.workshops, workshops.catalog["product"].to_list()
    if isinstance(workshops, pl.DataFrame):
        frame = workshops
        if frame.schema.get("products") == pl.List(pl.String):
            frame = frame.with_columns(pl.col("products").list.join("|"))
        example = Study.example("aura")
        study = Study(frame, example.establishments, example.catalog)
        return study.workshops, study.catalog["product"].to_list()
    path = Path(workshops)
    if path.suffix.lower() == ".toml":
        study = Study.load(path)
    else:
        # A survey file alone: validated against the bundled catalog.
        example = Study.example("aura")
        study = Study(path, example.establishments, example.catalog)
    return study.workshops, study.catalog["product"].to_list()


def _departements(choice: str, prefill: Sequence[str]) -> list[dict[str, Any]]:
    """The départements offered in the list: AURA's 12 or the 96 of metropolitan France,
    and any the pre-filled survey already uses."""
    table = _core.prefectures()
    if choice not in ("aura", "france"):
        raise ValueError(f"departements must be 'aura' or 'france', not {choice!r}")
    keep = [p for p in table if choice == "france" or p["region_code"] == AURA_REGION]
    known = {p["departement"] for p in keep}
    extra = sorted(set(prefill) - known)
    by_code = {p["departement"]: p for p in table}
    keep += [by_code.get(c, {"departement": c, "departement_name": ""}) for c in extra]
    return sorted(keep, key=lambda p: str(p["departement"]))


def questionnaire(
    path: str | os.PathLike[str],
    *,
    workshops: Study | pl.DataFrame | str | os.PathLike[str] | None = None,
    lang: Literal["fr", "en"] = "fr",
    departements: Literal["aura", "france"] = "aura",
) -> Path:
    """Write the survey questionnaire, an ``.xlsx`` workbook, to ``path``.

    The first sheet holds the answers: the questions in row 1 (French labels by default),
    one row per workshop, pre-filled from ``workshops`` so that last year's respondents
    only update their answers. Every cell with a domain has Excel data validation (lists
    for départements, yes/no and products; whole numbers and ranges for counts and
    fractions; identifiers unique) and an input message with its unit and meaning. An
    instructions sheet follows, then the lists the validation uses.

    Parameters
    ----------
    path
        Workbook to write (``.xlsx``); its folder must exist.
    workshops
        Last year's survey: a :class:`~filiere.Study`, a ``study.toml``, a workshops file
        (CSV, Parquet, XLSX, checked against the bundled catalog) or a DataFrame as
        :attr:`Study.workshops` returns it. ``None`` writes an empty questionnaire with the
        bundled catalog's products.
    lang
        ``"fr"`` or ``"en"``: the language of the headers, messages and instructions.
    departements
        ``"aura"`` lists the 12 départements of Auvergne-Rhône-Alpes, ``"france"`` the 96
        of metropolitan France (codes already in ``workshops`` are always listed).

    Returns
    -------
    Path
        The workbook written.

    Raises
    ------
    SchemaError
        If the pre-fill survey has bad cells (every problem listed).
    ValueError
        For an unknown ``lang`` or ``departements``.

    Examples
    --------
    >>> import tempfile, filiere as fl
    >>> out = fl.survey.questionnaire(
    ...     tempfile.mkdtemp() + "/q.xlsx", workshops=fl.Study.example("aura-pilot")
    ... )
    >>> fl.Study(out, fl.Study.example("aura-pilot").establishments,
    ...          fl.Study.example("aura-pilot").catalog).workshops.height
    5
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if lang not in _TEXT:
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    t = _TEXT[lang]
    yes, no = _YES_NO[lang]
    survey, products = _survey(workshops)
    columns = _core.table_columns("workshops").to_dicts()
    prefill = survey["departement"].to_list() if survey is not None else []
    deps = _departements(departements, prefill)

    # Questions in order; the products column becomes one yes/no column per product.
    questions: list[dict[str, Any]] = []
    for c in columns:
        if c["name"] == "products":
            for p in products:
                questions.append(
                    {
                        **c,
                        "kind": "bool",
                        "product": p,
                        "label_fr": _core.product_label(p, "fr"),
                        "label_en": _core.product_label(p, "en"),
                        "description_fr": _TEXT["fr"]["product_help"],
                        "description": _TEXT["en"]["product_help"],
                        "required": False,
                        "unit": "",
                        "unit_fr": "",
                    }
                )
        else:
            questions.append({**c, "product": None})

    book = Workbook()
    answers = book.active
    assert answers is not None
    answers.title = _SHEETS[lang][0]
    notes = book.create_sheet(_SHEETS[lang][1])
    lists = book.create_sheet(_SHEETS[lang][2])
    lists.append(["departement", "nom" if lang == "fr" else "name"])
    for d in deps:
        lists.append([str(d["departement"]), d.get("departement_name", "")])
    lists.sheet_state = "hidden"
    dep_range = f"'{lists.title}'!$A$2:$A${len(deps) + 1}"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    rows = survey.height if survey is not None else 0
    last = rows + 1 + EMPTY_ROWS
    for j, q in enumerate(questions, start=1):
        letter = get_column_letter(j)
        cell = answers.cell(row=1, column=j, value=q[f"label_{lang}"])
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        answers.column_dimensions[letter].width = 22
        kind = q["kind"]
        help_text = q["description_fr"] if lang == "fr" else q["description"]
        unit = q["unit_fr"] if lang == "fr" else q["unit"]
        allowed = _allowed(q, lang)
        area = f"{letter}2:{letter}{last}"
        if kind == "int":
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1=f"{q['min']:.0f}",
                formula2=f"{q['max']:.0f}",
            )
        elif kind in ("float", "fraction"):
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1=f"{q['min']!r}",
                formula2=f"{q['max']!r}",
            )
        elif kind == "bool":
            dv = DataValidation(type="list", formula1=f'"{yes},{no}"')
        elif kind == "departement":
            dv = DataValidation(type="list", formula1=f"={dep_range}")
        elif q["name"] == "workshop_id":
            dv = DataValidation(
                type="custom", formula1=f"COUNTIF(${letter}$2:${letter}${last},{letter}2)=1"
            )
            allowed += " ; unique" if lang == "fr" else "; unique"
        else:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200")
        dv.allow_blank = True
        dv.promptTitle = q[f"label_{lang}"][:32]
        dv.prompt = _prompt(help_text, unit, bool(q["required"]), allowed, lang)
        dv.showInputMessage = True
        dv.errorTitle = t["error_title"]
        dv.error = allowed[:255]
        dv.showErrorMessage = True
        dv.add(area)
        answers.add_data_validation(dv)
    answers.freeze_panes = "B2"
    answers.row_dimensions[1].height = 60

    if survey is not None:
        records = survey.to_dicts()
        for i, record in enumerate(records, start=2):
            for j, q in enumerate(questions, start=1):
                if q["product"] is not None:
                    value: Any = yes if q["product"] in (record["products"] or []) else no
                else:
                    value = record.get(q["name"])
                    if isinstance(value, bool):
                        value = yes if value else no
                    elif q["kind"] == "departement" and value is not None:
                        value = str(value)
                if value is not None:
                    answers.cell(row=i, column=j, value=value)
                    if q["kind"] in ("departement", "text"):
                        answers.cell(row=i, column=j).number_format = "@"

    notes.append([t["title"]])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    for line in t["how"]:
        notes.append([line])
    notes.append([])
    notes.append(list(t["columns"]))
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font, cell.fill = bold, fill
    req_yes, req_no = t["required"]
    for q in questions:
        notes.append(
            [
                q[f"label_{lang}"],
                f"products:{q['product']}" if q["product"] else q["name"],
                req_yes if q["required"] else req_no,
                q["unit_fr"] if lang == "fr" else q["unit"],
                _allowed(q, lang),
                q["description_fr"] if lang == "fr" else q["description"],
            ]
        )
    for letter, width in zip("ABCDEF", (45, 22, 12, 24, 34, 80), strict=True):
        notes.column_dimensions[letter].width = width

    target = Path(path)
    book.save(target)
    return target
