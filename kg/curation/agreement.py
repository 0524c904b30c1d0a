"""The screeners' conflicts and their agreement (Cohen's kappa per pair of screeners), from
each candidate's outcome at each stage (`dta_kg.core.screening_model.outcomes`)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from dta_kg.core.screening_model import CONFLICT, STAGES, Screening, latest_votes, outcomes


def conflicts(screening: Screening) -> list[tuple[str, str, dict[str, str]]]:
    """(candidate, stage, screener -> verdict) for every disagreement not yet resolved, in
    stage order, then candidate id."""
    rows = [(c, stage, o.votes) for (c, stage), o in outcomes(screening).items()
            if o.verdict == CONFLICT]
    return sorted(rows, key=lambda r: (STAGES.index(r[1]), r[0]))


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa of two screeners' verdicts on the same records (None when undefined:
    no records, or chance agreement already 1)."""
    # lazy: scikit-learn loads ~0.5 s; only `screen status` computes agreement
    from sklearn.metrics import cohen_kappa_score

    if not first or len(set(first) | set(second)) < 2:
        return None
    return float(cohen_kappa_score(first, second))


@dataclass(frozen=True)
class PairAgreement:
    stage: str
    first: str
    second: str
    both: int  # records both screeners decided at this stage
    agreed: int
    kappa: float | None


def agreement(screening: Screening) -> list[PairAgreement]:
    """Cohen's kappa for each pair of screeners at each stage, on the records both decided."""
    by_stage: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for (candidate, stage), votes in latest_votes(screening.decisions).items():
        for by, d in votes.items():
            by_stage[stage][by][candidate] = d.decision
    pairs = []
    for stage in STAGES:
        screeners = by_stage.get(stage, {})
        for a, b in itertools.combinations(sorted(screeners), 2):
            shared = sorted(set(screeners[a]) & set(screeners[b]))
            first = [screeners[a][c] for c in shared]
            second = [screeners[b][c] for c in shared]
            pairs.append(PairAgreement(stage, a, b, len(shared),
                                       sum(x == y for x, y in zip(first, second, strict=True)),
                                       cohen_kappa(first, second)))
    return pairs
