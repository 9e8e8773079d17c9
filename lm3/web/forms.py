"""The web app's forms, each a declared class: its fields, their labels, help and defaults (a study's
options are the core's own declaration, ``lm3.options``), how the posted text is read, and the errors shown
in a GOV.UK error summary (field -> message, the field's id as the link).

A form reads only the fields it declares; a value the page did not offer (a choice not among its choices) is
an error, never passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from starlette.datastructures import FormData, UploadFile

import lm3
from lm3.web.store import KINDS, SUFFIXES, Session


def lines(text: str) -> list[str]:
    """The non-blank lines of a text box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Field:
    """One field of a form: its name (also its id on the page), its default as the page shows it, and,
    for a choice, the values the page offers (the first of each pair is posted, the second is the core's
    value). ``option``: the study option it sets, whose label, help and kind the page uses."""

    name: str
    default: str = ""
    choices: tuple[tuple[str, object], ...] = ()
    option: lm3.options.Option | None = None

    def read(self, form: FormData) -> str:
        return str(form.get(self.name, "") or "").strip()

    @property
    def more(self) -> bool:
        """Whether the page keeps it under "More options": a fine point of the method most never change."""
        o = self.option
        return o is not None and (
            o.kind in ("number", "whole", "pairs") or (o.kind == "flag" and not o.default)
        )


def _shown(value: object) -> str:
    """A default as a text box shows it."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def option_field(option: lm3.options.Option) -> Field:
    """The field of a study option, with the core's default."""
    if option.kind == "flag":
        choices: tuple[tuple[str, object], ...] = (("yes", True), ("no", False))
        return Field(option.name, "yes" if option.default else "no", choices, option)
    if option.kind == "choice":
        return Field(option.name, _shown(option.default), tuple((c, c) for c in option.choices), option)
    return Field(option.name, _shown(option.default), (), option)


class Form:
    """A posted form: ``values`` (each declared field, as text) and ``errors`` (field -> message)."""

    fields: ClassVar[tuple[Field, ...]] = ()

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        given = values or {}
        self.values = {f.name: str(given.get(f.name) or f.default) for f in self.fields}
        self.errors: dict[str, str] = {}

    @classmethod
    def posted(cls, form: FormData) -> Any:
        made = cls({f.name: f.read(form) for f in cls.fields})
        for f in cls.fields:
            if f.choices and made.values[f.name] not in dict(f.choices):
                made.errors[f.name] = "Choose one of the options."
        if not made.errors:
            made.check()
        return made

    def check(self) -> None:
        """Add to ``errors`` what is wrong with the values (each form its own)."""


# the options a person sets on the area page: the study's, which spend is local and the method's (the
# files are uploaded, their columns and sheet set on the check page, the register store is the server's)
AREA_PAGE = ("study", "placing", "method")
ELSEWHERE = ("registers",)


class AreaForm(Form):
    """The area and every choice of the method (the /area page); kept in the session as the study's
    options. Each field is a declared study option (``lm3.options``), with its label, help and default."""

    fields = tuple(
        option_field(o) for o in lm3.options.declared() if o.group in AREA_PAGE and o.name not in ELSEWHERE
    )

    def check(self) -> None:
        if not self.values["area"]:
            self.errors["area"] = (
                "Enter the local area: a council, a district, a county, a combined authority or a radius."
            )
            return
        try:
            arguments = self.arguments()
        except ValueError as err:
            name, message = err.args
            self.errors[name] = message
            return
        try:
            lm3.options.StudyOptions.check(arguments)
            resolved = lm3.resolve_area(self.values["area"])
        except lm3.LM3Error as err:
            self.errors[err.params[0] if err.params else "area"] = str(err)
            return
        if arguments["tiers"]:
            try:
                lm3.frontend.resolve_tiers(arguments["tiers"], resolved)
            except lm3.LM3Error as err:
                self.errors["tiers"] = str(err)

    def arguments(self) -> dict[str, Any]:
        """The options as ``lm3.calculate`` takes them (ValueError (field, message) for a value that is not
        of its kind)."""
        return {f.name: _value(f, self.values[f.name]) for f in self.fields}

    def tiers(self) -> list[str]:
        return lines(self.values["tiers"])


def _value(field: Field, text: str) -> object:
    """A field's text as the core takes it."""
    option = field.option
    assert option is not None
    if field.choices:
        return dict(field.choices).get(text)
    if option.kind == "texts":
        return (text or None) if option.name == "area" else (lines(text) or None)  # an area on one line
    if option.kind == "pairs":
        return _pairs(field, text)
    if option.kind in ("number", "whole"):
        return _number(field, text) if text else option.default  # left blank: the core's default
    return text or None


def _pairs(field: Field, text: str) -> dict[str, str] | None:
    pairs = {}
    for line in lines(text):
        name, equals, value = line.partition("=")
        if not equals or not name.strip():
            raise ValueError(field.name, f"Write each line as a name, =, and a value: {line!r} has no =.")
        pairs[name.strip()] = value.strip()
    return pairs or None


def _number(field: Field, text: str) -> float | int:
    option = field.option
    assert option is not None
    whole = option.kind == "whole"
    try:
        return int(text) if whole else float(text)
    except ValueError:
        what = "a whole number" if whole else "a number"
        example = _shown(option.default) or _shown(option.low)
        raise ValueError(field.name, f"{option.label}: enter {what}, like {example}.") from None


class WhatIfForm(Form):
    """A what-if on the result page: a share of the non-local spend moved local, of one category or all."""

    fields = (Field("share"), Field("category"))

    def shift(self) -> lm3.Shift:
        """The shift asked for; its share read as lm3 reads a share (raises ``lm3.InputError``). The category
        is taken as it is, whatever it holds (a comma, an equals sign)."""
        share = self.values["share"].replace('"', "")
        parsed = lm3.frontend.parse_shift(f'share="{share}"')
        return lm3.Shift(share=parsed.share, category=self.values["category"] or None)


def columns_chosen(form: FormData, kind: str) -> dict[str, str]:
    """The columns a person chose on the check page for one kind of upload: field -> header."""
    return {
        key.split(".", 1)[1]: value
        for key, value in form.multi_items()
        if key.startswith(f"{kind}.") and isinstance(value, str) and value
    }


async def uploads(form: FormData) -> tuple[list[tuple[str, str, bytes, str]], dict[str, str]]:
    """The files of the upload form: (kind, name shown, content, suffix) each, and the errors (a kind sent
    with a suffix lm3 does not read for it)."""
    errors: dict[str, str] = {}
    received: list[tuple[str, str, bytes, str]] = []
    for kind in KINDS:
        for item in form.getlist(kind):
            if not isinstance(item, UploadFile) or not item.filename:
                continue
            shown = Path(item.filename).name
            suffix = Path(shown).suffix.lower()
            if suffix not in SUFFIXES[kind]:
                errors[kind] = (
                    f"{shown}: {KINDS[kind]} must be "
                    + ", ".join(SUFFIXES[kind])
                    + " (a CSV or Excel file, or a ZIP of them)."
                )
                continue
            received.append((kind, shown, await item.read(), suffix))
    return received, errors


def one_file(form: FormData, name: str) -> UploadFile | None:
    """The file posted as ``name``, or None when none was chosen."""
    item = form.get(name)
    return item if isinstance(item, UploadFile) and item.filename else None


def study_arguments(session: Session) -> dict[str, Any]:
    """Everything ``lm3.calculate`` takes from a session: its files, the columns chosen and the options of
    its area form."""
    return {
        **AreaForm(session.options).arguments(),
        "payroll": session.paths("payroll"),
        "supplier_survey": session.paths("supplier_survey"),
        "staff_survey": session.paths("staff_survey"),
        "columns": session.columns.get("payments") or None,
        "sheet": session.sheet,
        "register_columns": session.columns.get("suppliers") or None,
    }
