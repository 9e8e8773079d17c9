"""The web app's forms, each a declared class: its fields, their defaults (the core's own, from
``lm3.Project``), how the posted text is read, and the errors shown in a GOV.UK error summary (field ->
message, the field's id as the link).

A form reads only the fields it declares; a value the page did not offer (a choice not among its choices) is
an error, never passed on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from starlette.datastructures import FormData, UploadFile

import lm3
from lm3.web.store import KINDS, SUFFIXES, Session

_CORE = {f.name: f.default for f in dataclasses.fields(lm3.Project)}  # the core's defaults


def lines(text: str) -> list[str]:
    """The non-blank lines of a text box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Field:
    """One field of a form: its name (also its id on the page), its default, and, for a choice, the
    values the page offers (the first of each pair is posted, the second is the core's value)."""

    name: str
    default: str = ""
    choices: tuple[tuple[str, object], ...] = ()

    def read(self, form: FormData) -> str:
        return str(form.get(self.name, "") or "").strip()


def choice_of(name: str, choices: tuple[tuple[str, object], ...]) -> Field:
    """A choice whose default is the core's: the choice posted for ``lm3.Project``'s default of ``name``."""
    default = next(posted for posted, value in choices if value == _CORE[name])
    return Field(name, default, choices)


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
        made.check()
        return made

    def check(self) -> None:
        """Add to ``errors`` what is wrong with the values (each form its own)."""

    def value(self, name: str) -> object:
        """A field's value as the core takes it (a choice's core value; text as text, None when blank)."""
        field = next(f for f in self.fields if f.name == name)
        text = self.values[name]
        return dict(field.choices)[text] if field.choices else (text or None)


class AreaForm(Form):
    """The area and the method's choices (the /area page); kept in the session as the study's options."""

    fields = (
        Field("area"),
        Field("tiers"),
        Field("name"),
        Field("income"),
        Field("exclude"),
        choice_of("branch_is_local", (("yes", True), ("no", False))),
        choice_of("pay_basis", (("gross", "gross"), ("net", "net"))),
        choice_of("imputation", (("mean", "mean"), ("weighted", "weighted"))),
    )

    def check(self) -> None:
        area = self.values["area"]
        if not area:
            self.errors["area"] = (
                "Enter the local area: a council, a district, a county, a combined authority or a radius."
            )
            return
        try:
            resolved = lm3.resolve_area(area)
        except lm3.AreaError as err:
            self.errors["area"] = str(err)
            return
        tiers = lines(self.values["tiers"])
        if tiers:
            try:
                lm3.resolve_tiers(tiers, resolved)
            except lm3.LM3Error as err:
                self.errors["tiers"] = str(err)

    def arguments(self) -> dict[str, Any]:
        """The options as ``lm3.calculate`` takes them."""
        return {
            "area": self.values["area"],
            "name": self.value("name"),
            "income": self.value("income"),
            "branch_is_local": self.value("branch_is_local"),
            "pay_basis": self.value("pay_basis"),
            "imputation": self.value("imputation"),
            "exclude": lines(self.values["exclude"]) or None,
        }

    def tiers(self) -> list[str]:
        return lines(self.values["tiers"])


class WhatIfForm(Form):
    """A what-if on the result page: a share of the non-local spend moved local, of one category or all."""

    fields = (Field("share"), Field("category"))

    def shift(self) -> lm3.Shift:
        """The shift asked for; its share read as lm3 reads a share (raises ``lm3.InputError``). The category
        is taken as it is, whatever it holds (a comma, an equals sign)."""
        share = self.values["share"].replace('"', "")
        parsed = lm3.parse_shift(f'share="{share}"')
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
        "register_columns": session.columns.get("suppliers") or None,
    }
