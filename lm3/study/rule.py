"""The declared rule a figure was worked out by: what "local" meant and what was counted. Two figures are
comparable only when their rules agree on the area, the location rule, the scope, the base and the pay
basis; where round 3 came from is stated beside them (a figure on surveys and one on published defaults
measure the same thing, one of them less surely).

Every output states the rule in its first lines (``Rule.text``), the JSON holds it whole (``to_dict``), and
``lm3.compare`` sets the rules of results side by side and says which differ (``Rule.differences``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lm3.geo import Area

SHARE_KIND = "of placed payments"  # what lm3's local share is a share of
# the parts of a rule two figures must share to be compared, with how a person names each
COMPARABLE = {
    "area": "the area",
    "location": "the location rule",
    "scope": "the scope (spend left out)",
    "base": "the base (which suppliers are counted)",
    "pay_basis": "the pay basis",
}


@dataclass(frozen=True)
class Rule:
    """What a figure counts:

    - ``area``: the local area as named, and ``area_codes`` the districts (or postcode areas, or the radius)
      it stands for; ``tiers``, the wider areas reported;
    - ``location``: how a supplier is placed and when it is local ("site or registered office; a local
      branch of a non-local head office counts as local", CLES's "based in, or with a branch in");
    - ``scope``: the spend left out, each rule as given ("supplier_type=public body"); none: every payment;
    - ``base``: which suppliers' payments are counted (all, or the top N by spend);
    - ``pay_basis``: staff pay as gross or net (as paid); blank where no rounds were worked out (``locate``);
    - ``round3``: where each group's round-3 share came from (a survey, or a published default with its
      source); none where no rounds were worked out;
    - ``share_kind``: what the local share is a share of.
    """

    area: str
    area_codes: tuple[str, ...]
    tiers: tuple[str, ...]
    location: str
    scope: tuple[str, ...]
    base: str
    pay_basis: str
    round3: tuple[str, ...]
    share_kind: str = SHARE_KIND

    @property
    def text(self) -> str:
        """The rule on one line, as the first lines of every output state it."""
        codes = ", ".join(self.area_codes[:6]) + (", ..." if len(self.area_codes) > 6 else "")
        parts = [
            f"area {self.area}" + (f" ({codes})" if codes and codes != self.area else ""),
            f"local: {self.location}",
            f"scope: {self.scope_text}",
            f"base: {self.base}",
            *([f"pay: {self.pay_basis}"] if self.pay_basis else []),
            *([f"round 3: {', '.join(self.round3)}"] if self.round3 else []),
            f"local share {self.share_kind}",
        ]
        return " | ".join(parts)

    @property
    def scope_text(self) -> str:
        """What was counted: the scope's own words, then any rule of the user's ("but ...")."""
        if not self.scope:
            return "all payments"
        counted, *left_out = self.scope
        return counted + (" but " + ", ".join(left_out) if left_out else "")

    def differences(self, other: Rule) -> list[str]:
        """How two rules differ in what makes figures comparable, a sentence each (none: comparable)."""
        out = []
        for name, said in COMPARABLE.items():
            mine, theirs = self._part(name), other._part(name)
            if mine != theirs:
                out.append(f"{said} differs: {mine} / {theirs}")
        return out

    def _part(self, name: str) -> str:
        if name == "area":
            return f"{self.area} ({', '.join(self.area_codes)})" if self.area_codes else self.area
        if name == "scope":
            return self.scope_text
        return str(getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "area": self.area,
            "area_codes": list(self.area_codes),
            "tiers": list(self.tiers),
            "location": self.location,
            "scope": list(self.scope),
            "base": self.base,
            "pay_basis": self.pay_basis,
            "round3": list(self.round3),
            "share_kind": self.share_kind,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule | None:
        """A rule from a result's JSON; None when the JSON holds none, or not one lm3 wrote."""
        try:
            return cls(
                area=_text(data["area"]),
                area_codes=_texts(data["area_codes"]),
                tiers=_texts(data.get("tiers", [])),
                location=_text(data["location"]),
                scope=_texts(data["scope"]),
                base=_text(data["base"]),
                pay_basis=_text(data["pay_basis"]),
                round3=_texts(data["round3"]),
                share_kind=_text(data.get("share_kind", SHARE_KIND)),
            )
        except (KeyError, TypeError):
            return None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise TypeError(value)
    return tuple(_text(v) for v in value)


def area_codes(area: Area) -> tuple[str, ...]:
    """What an area stands for, as a rule states it: its districts' codes, its postcode districts and
    sectors, its radius, or the UK."""
    if area.uk:
        return ("UK",)
    if area.radius_km is not None:
        return (f"{area.radius_km:g} km around {area.centre}",)
    return area.codes or area.postcode_areas


def location_rule(branch_is_local: bool) -> str:
    """The location rule in words."""
    if branch_is_local:
        return "a site or registered office in the area (a local branch counts)"
    return (
        "a site or registered office in the area (a local branch of a head office elsewhere does not count)"
    )


def round3_sources(responses: Sequence[Any]) -> tuple[str, ...]:
    """Where each group's round-3 share came from, a phrase each: its survey (how many answered), or the
    published default it fell back on, with its source."""
    out = []
    for r in responses:
        if not r.members:
            continue
        if r.respondents:
            out.append(f"{r.group} by survey ({r.respondents} of {r.members} answered)")
        elif r.default is not None and not r.default.key:
            out.append(f"{r.group} at {r.default.text}, given by the user")
        elif r.default is not None:
            out.append(f"{r.group} at a published {r.default.text} ({r.default.cited})")
        else:
            out.append(f"{r.group}: none")
    return tuple(out)
