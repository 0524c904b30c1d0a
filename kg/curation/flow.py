"""The counts of a PRISMA 2020 flow diagram: the review's, as it states them (its claims), and
the living review's, counted from the screening records.

A count the source does not give is None ("not stated"), never a number worked out by
subtraction: the review states 285 reports assessed and 28 included, not how many of the 257
others were excluded for which reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dta_kg.core.model import Review
from dta_kg.core.screening_model import CONFLICT, Screening, outcomes

NOT_RETRIEVED = "not-retrieved"  # the exclusion reason PRISMA counts as "reports not retrieved"
DATABASE_LABELS = {"medline": "Medline", "web-of-science": "Web of Science",
                   "psycnet": "PsycNet (PsycINFO)", "google-scholar": "Google Scholar"}


@dataclass
class Flow:
    """One PRISMA 2020 flow: every count, with the source of the figures."""

    source: str  # "the review's stated figures" or "the screening records"
    databases: list[tuple[str, int | None]] = field(default_factory=list)
    identified: int | None = None
    duplicates: int | None = None
    screened: int | None = None
    excluded_screening: int | None = None
    screening_reasons: list[tuple[str, int]] = field(default_factory=list)
    sought: int | None = None
    not_retrieved: int | None = None
    assessed: int | None = None
    full_text_reasons: list[tuple[str, int]] | None = None  # None: not stated
    included: int | None = None
    awaiting: int | None = None  # living: records not screened yet or in conflict
    quotes: dict[str, str] = field(default_factory=dict)  # count -> the review's words


CLAIM_COUNTS = {  # claim kind -> the Flow count it gives
    "prisma-records-identified": "identified", "prisma-duplicates-removed": "duplicates",
    "prisma-records-screened": "screened", "prisma-excluded-at-screening": "excluded_screening",
    "prisma-full-text-assessed": "assessed", "prisma-included": "included"}
CLAIM_REASONS = {"prisma-excluded-population": "Not targeting the specific population",
                 "prisma-excluded-no-intervention": "No psychotherapeutic intervention"}


def review_flow(review: Review) -> Flow:
    """The flow as the review states it, from its claims (the figures the graph holds)."""
    flow = Flow("the review's stated figures")
    flow.databases = [(DATABASE_LABELS.get(item.term, item.term), None)
                      for item in review.databases]
    for claim in review.claims:
        value = claim.value if isinstance(claim.value, int) else None
        if claim.kind in CLAIM_COUNTS:
            setattr(flow, CLAIM_COUNTS[claim.kind], value)
            flow.quotes[CLAIM_COUNTS[claim.kind]] = claim.evidence.quote
        elif claim.kind in CLAIM_REASONS and value is not None:
            flow.screening_reasons.append((CLAIM_REASONS[claim.kind], value))
            flow.quotes[CLAIM_REASONS[claim.kind]] = claim.evidence.quote
    return flow


def living_flow(screening: Screening) -> Flow:
    """The flow of the living review's searches, counted from the screening records."""
    flow = Flow("the screening records")
    labels = {r.id: r.label for r in screening.reasons}
    done = outcomes(screening)
    per_database: Counter[str] = Counter()
    originals = []
    for run in screening.runs:
        per_database[run.database] += len(run.candidates)
        originals += [c.id for c in run.candidates
                      if not (c.duplicate_of or c.duplicate_of_study)]
    flow.databases = sorted(per_database.items())
    flow.identified = sum(per_database.values())
    flow.duplicates = flow.identified - len(originals)
    first = {c: done[(c, "title-abstract")] for c in originals
             if (c, "title-abstract") in done and done[(c, "title-abstract")].verdict != CONFLICT}
    flow.screened = len(first)
    excluded = [o for o in first.values() if o.verdict == "exclude"]
    flow.excluded_screening = len(excluded)
    flow.screening_reasons = sorted(Counter(labels.get(o.reason, o.reason) for o in excluded
                                            if o.reason).items())
    sought = [c for c, o in first.items() if o.verdict in ("include", "maybe")]
    flow.sought = len(sought)
    second = {c: done[(c, "full-text")] for c in sought
              if (c, "full-text") in done and done[(c, "full-text")].verdict not in
              (CONFLICT, "maybe")}
    missing = [c for c, o in second.items() if o.reason == NOT_RETRIEVED]
    flow.not_retrieved = len(missing)
    flow.assessed = len(second) - len(missing)
    flow.full_text_reasons = sorted(Counter(
        labels.get(o.reason, o.reason) for o in second.values()
        if o.verdict == "exclude" and o.reason and o.reason != NOT_RETRIEVED).items())
    flow.included = sum(o.verdict == "include" for o in second.values())
    flow.awaiting = len(originals) - flow.screened + flow.sought - len(second)
    return flow
