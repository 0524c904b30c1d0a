"""The controlled vocabulary of the ontology: components, measures, themes, designs and more."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dta_kg.core.errors import UnknownTerm


def words(text: str) -> str:
    """Lower-case words separated and framed by single spaces, as `factor` parameters match."""
    return f" {' '.join(re.sub(r'[^a-z0-9]+', ' ', text.lower()).split())} "


# kind -> ontology classes whose individuals are the valid values of that kind
KINDS: dict[str, tuple[str, ...]] = {
    "component": ("DTAComponent",),
    "measure": ("Instrument", "Subscale", "EngagementMetric", "GoalSettingFramework"),
    "instrument": ("Instrument",),
    "subscale": ("Subscale",),
    "theme": ("FactorTheme",),
    "factor-concept": ("FactorConcept",),
    "polarity": ("Polarity",),
    "intervention-type": ("InterventionType",),
    "design": ("StudyDesign",),
    "result-kind": ("ResultKind",),
    "claim-kind": ("ClaimKind",),
    "database": ("BibliographicDatabase",),
    "guideline": ("ReportingGuideline",),
    "method": ("ReviewMethod",),
    "framework": ("AnalyticFramework",),
    "appraisal-tool": ("AppraisalTool",),
}

# `dta-kg vocab LIST` -> (the kind it lists, where such a value is given)
LISTS: dict[str, tuple[str, str]] = {
    "components": ("component", "--component, finding add --component"),
    "instruments": ("measure", "--instrument, finding add --instrument/--subscale"),
    "themes": ("theme", "factor add --theme"),
    "factors": ("factor", "--factor (words of a label or theme)"),
    "designs": ("design", "--design"),
    "intervention-types": ("intervention-type", "--intervention-type"),
    "populations": ("population", "study-level population descriptions"),
    "polarities": ("polarity", "--polarity"),
    "result-kinds": ("result-kind", "finding add --result-kind"),
}
LIST_OF = {kind: name for name, (kind, _) in LISTS.items()} | {
    "instrument": "instruments", "subscale": "instruments"}


@dataclass(frozen=True)
class Term:
    id: str
    cls: str
    label: str
    alt_labels: tuple[str, ...] = ()
    parent: str | None = None  # the instrument of a subscale; the broader term of a factor
    measures: tuple[str, ...] = ()  # components a measure measures

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.label, *self.alt_labels)


class Vocabulary:
    """Look terms up by id, label or alternative label, case-insensitively."""

    def __init__(self, terms: list[Term]):
        self.terms: Mapping[str, Term] = MappingProxyType({t.id: t for t in terms})
        # a record names a term of a kind several times: each kind is sorted out once
        self._ids: dict[str, frozenset[str]] = {}

    def of_kind(self, kind: str) -> list[Term]:
        classes = KINDS[kind]
        return [t for t in self.terms.values() if t.cls in classes]

    def ids(self, kind: str) -> frozenset[str]:
        found = self._ids.get(kind)
        if found is None:
            found = self._ids[kind] = frozenset(t.id for t in self.of_kind(kind))
        return found

    def resolve(self, kind: str, text: str) -> str:
        """The id of the term of `kind` named `text`; UnknownTerm lists the closest choices."""
        wanted = text.strip().casefold()
        for t in self.of_kind(kind):
            if wanted in (n.casefold() for n in t.names):
                return t.id
        raise UnknownTerm(kind, text, self.closest(kind, text), LIST_OF.get(kind))

    def closest(self, kind: str, text: str, n: int = 5) -> list[str]:
        by_name = {name.casefold(): t.id for t in self.of_kind(kind) for name in t.names}
        near = difflib.get_close_matches(text.casefold(), list(by_name), n=n * 3, cutoff=0.4)
        picked = list(dict.fromkeys(by_name[name] for name in near))
        return picked[:n] or sorted(t.id for t in self.of_kind(kind))[:n]

    def with_terms(self, extra: list[Term]) -> Vocabulary:
        return Vocabulary([*self.terms.values(), *extra])
