"""The input files checked again for the data-quality annex, and how their paths show."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from filiere import _core
from filiere.exceptions import FiliereError, Problem

__all__ = ["SourceCheck", "check_source", "display_paths"]


class SourceCheck(TypedDict):
    """One input file validated again for the data-quality annex (JSON-serialisable)."""

    #: ``bundled``, ``missing`` (no such file), ``error`` (unreadable), ``checked``.
    state: str
    #: The reason when ``state`` is ``error``.
    reason: str
    #: The problems :func:`filiere._core.validate_file` found.
    problems: list[Problem]


def reason(err: BaseException) -> str:
    """An exception in one line: its type and the first line of its message."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def check_source(kind: str, source: str) -> SourceCheck:
    """Validate one input file again for the data-quality annex."""
    if source.startswith("example:"):
        return {"state": "bundled", "reason": "", "problems": []}
    path = Path(source)
    if not path.is_file():
        return {"state": "missing", "reason": "", "problems": []}
    try:
        problems = list(_core.validate_file(str(path), kind))
    except FiliereError as err:
        return {"state": "error", "reason": reason(err), "problems": []}
    return {"state": "checked", "reason": "", "problems": problems}


def _is_file(source: str) -> bool:
    return not source.startswith("example:") and Path(source).is_file()


def display_paths(sources: Mapping[str, str], study_file: str | None = None) -> dict[str, str]:
    """How each source shows in the report: files on disk relative to the study file
    (``../aura/parameters.csv``), never as an absolute path of the machine that ran it.

    Without a study file (a study built from files in Python, or unpickled) they show
    relative to the folder the files share. Bundled examples (``example:...``) and tables
    built in memory keep their label. A path that cannot be made relative (another drive)
    shows as its file name.
    """
    files = {k: os.path.abspath(s) for k, s in sources.items() if _is_file(s)}
    base = ""
    if study_file:
        base = os.path.dirname(os.path.abspath(study_file))
    elif files:
        try:
            base = os.path.commonpath([os.path.dirname(p) for p in files.values()])
        except ValueError:  # different drives
            base = ""
    out: dict[str, str] = {}
    for kind, source in sources.items():
        if kind in files:
            path = files[kind]
            try:
                shown = os.path.relpath(path, base) if base else os.path.basename(path)
            except ValueError:  # another drive than the study file's
                shown = os.path.basename(path)
            out[kind] = Path(shown).as_posix()
        elif os.path.isabs(source):
            out[kind] = os.path.basename(source)  # no longer on disk: never the full path
        else:
            out[kind] = source
    return out


def scrub(message: str, sources: Mapping[str, str], shown: Mapping[str, str]) -> str:
    """``message`` with every source path in it replaced by how it shows in the report."""
    for kind in sorted(sources, key=lambda k: -len(sources[k])):
        source = sources[kind]
        if source and source != shown[kind]:
            message = message.replace(source, shown[kind])
            absolute = os.path.abspath(source)
            if absolute != source:
                message = message.replace(absolute, shown[kind])
    return message
