"""The report's text, one TOML file per language (``strings/fr.toml``, ``strings/en.toml``).

Every sentence, title and word the report prints is keyed there, nowhere else; the names
of result columns come from the outputs registry (:mod:`filiere.outputs`). Both files have
exactly the same keys (a test checks it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "Text", "text"]

#: Languages the report is written in.
LANGUAGES = ("fr", "en")


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


class Text:
    """The strings of one language: ``t("summary.verdict_ok")`` or, with fields to fill,
    ``t("costs.per_piece", year=2026)``. Templates call it the same way."""

    def __init__(self, lang: str, tree: Mapping[str, Any]) -> None:
        self.lang = lang
        self._flat = _flatten(tree)
        #: School levels, parameter units and distributions by their code in the tables.
        self.levels: dict[str, str] = {str(k): str(v) for k, v in tree["levels"].items()}
        self.units: dict[str, str] = {str(k): str(v) for k, v in tree["units"].items()}
        self.distributions = {str(k): str(v) for k, v in tree["distributions"].items()}
        self.months: tuple[str, ...] = tuple(str(m) for m in tree["months"])
        if len(self.months) != 12:
            raise ValueError(f"strings/{lang}.toml: `months` must list 12 months")

    def __call__(self, key: str, **fields: object) -> str:
        try:
            value = self._flat[key]
        except KeyError:
            raise KeyError(f"no string {key!r} in strings/{self.lang}.toml") from None
        if not isinstance(value, str):
            raise TypeError(f"strings/{self.lang}.toml: {key!r} is not a string")
        return value.format(**fields) if fields else value

    def keys(self) -> frozenset[str]:
        """Every key, dotted (``summary.verdict_ok``, ``levels.lycee``, ``months``)."""
        return frozenset(self._flat)

    def section(self, name: str) -> dict[str, str]:
        """The strings under ``[name]`` (e.g. ``plot``), by their key in that table."""
        prefix = f"{name}."
        return {k[len(prefix) :]: str(v) for k, v in self._flat.items() if k.startswith(prefix)}


@cache
def text(lang: str) -> Text:
    """The report's strings in ``lang`` (``fr`` or ``en``), read once from the package.

    Raises
    ------
    ValueError
        For a language the report is not written in.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    file = resources.files("filiere.report").joinpath("strings").joinpath(f"{lang}.toml")
    return Text(lang, tomllib.loads(file.read_text(encoding="utf-8")))
