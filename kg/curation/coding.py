"""Coding a study (design, population, intervention theme) and undoing a retraction.

`set_coding` writes the facts `dta-kg study set` gives, each with its quote and, for a curator's
inference, the reason and a confidence; a coding it replaces is retracted, not deleted, so the
record keeps its history. `restore` undoes a retraction and records who did it and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dta_kg.core.paths import Project
from dta_kg.core.registry import CONFIDENCES
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.curation.curate import (
    FACT_KEYS,
    Quote,
    Where,
    append_fact,
    find_study,
    own_source,
    split_target,
    stage_record,
)
from dta_kg.curation.transaction import transaction
from dta_kg.curation.yaml_nodes import block, quoted, stamp
from dta_kg.loaders.terms import project_vocabulary


@dataclass(frozen=True)
class Coding:
    """What `dta-kg study set` gives: any of design, population and intervention theme."""

    design: str | None = None
    population: str | None = None
    intervention_type: str | None = None
    intervention_name: str | None = None

    def items(self, where: Where, vocab: Vocabulary) -> list[tuple[str, str, dict[str, Any]]]:
        """(record key, wanted fact id, fields) for each coding given, terms resolved."""
        wanted: list[tuple[str, str, dict[str, Any]]] = []
        if self.design is not None:
            design = where.term(vocab, "design", self.design, "design")
            wanted.append(("designs", f"design-{design}", {"design": design}))
        if self.population is not None:
            text = where.need("population", self.population, "give --population TEXT")
            wanted.append(("populations", "population", {"population": quoted(text)}))
        if self.intervention_type is not None:
            kind = where.term(vocab, "intervention-type", self.intervention_type,
                              "intervention-type")
            wanted.append(("interventions", "intervention",
                           {"type": kind, "name": self.intervention_name}))
        elif self.intervention_name is not None:
            where.fail("intervention-name", "is given without --intervention-type",
                       "give the intervention theme with --intervention-type")
        if not wanted:
            where.fail("coding", "nothing to set",
                       "give --design, --population or --intervention-type")
        return wanted


def set_coding(project: Project, doi: str, coding: Coding, *, quote: Quote, by: str,
               inferred: str | None = None, confidence: str | None = None,
               note: str | None = None) -> list[str]:
    """Add each coding given to the study with DOI, retracting the active codings of the same
    kind it replaces; returns the new fact ids. An inference needs a reason and a confidence."""
    vocab = project_vocabulary(project)
    with transaction(project) as tx:
        path = find_study(project, doi)
        data = tx.load(path)
        where = Where(path, str(data.get("doi")))
        if (inferred is None) != (confidence is None):
            where.fail("inferred" if inferred is None else "confidence", "is missing",
                       "an inference takes both --inferred REASON and --confidence LEVEL")
        if confidence is not None and confidence not in CONFIDENCES:
            where.fail("confidence", f"'{confidence}' is no confidence",
                       f"use one of: {', '.join(CONFIDENCES)}")
        if inferred is not None:
            inferred = where.need("inferred", inferred, "give --inferred: why you infer it")
        before = list(data)
        added = []
        for key, wanted_id, fields in coding.items(where, vocab):
            evidence = quote.evidence(where, own_source(data))
            if inferred is not None:
                evidence["inferred"] = quoted(inferred)
                evidence["confidence"] = confidence
            item = block(**fields, evidence=evidence, added=stamp(by, note))
            old = [i for i in data.get(key) or [] if isinstance(i, dict) and not i.get("retracted")]
            fact_id = append_fact(data, key, item, wanted_id)
            for replaced in old:
                replaced["retracted"] = stamp(by, f"replaced by {fact_id} (dta-kg study set)",
                                              "reason")
            added.append(fact_id)
        stage_record(tx, path, data, before)
    return added


def restore(project: Project, target: str, reason: str, by: str) -> str:
    """Undo the retraction of the fact DOI#FACT: its `retracted` stamp gives way to a
    `restored` one with who, when and why."""
    doi, fact_id = split_target(project, target)
    with transaction(project) as tx:
        path = find_study(project, doi)
        data = tx.load(path)
        where = Where(path, str(data.get("doi")))
        if fact_id is None:
            where.fail("target", "names a study, not a fact", "give DOI#fact-id")
        why = where.need("reason", reason, "give --reason: why the fact stands again")
        if data.get("retracted"):
            where.fail("retracted", "the study itself is retracted",
                       "a fact of a retracted study cannot stand on its own")
        items = [i for k in FACT_KEYS for i in data.get(k) or [] if isinstance(i, dict)
                 and str(i.get("id")) == fact_id]
        if not items:
            where.fail("id", f"no fact '{fact_id}' in this record", "see `dta-kg study show`")
        item: Any = items[0]  # a ruamel.yaml CommentedMap, which keeps key order
        if not item.get("retracted"):
            where.fail("retracted", f"fact '{fact_id}' is not retracted", "nothing to restore")
        position = list(item).index("retracted")
        del item["retracted"]
        item.insert(position, "restored", stamp(by, why, "reason"))
        tx.stage(path, data)
    return fact_id
