"""`dta-kg check`: compare the curated records with what the review states, and with themselves.

Every count is over the studies of the review's reference list (those with a `ref`), and each
line says so; studies added later (the living review) are reported apart, on a line of their
own. Retracted studies and facts are left out."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import asdict, dataclass

from dta_kg.core.basis import UNGIVEN, level_of
from dta_kg.core.iris import PREFIXES, REVIEW_DOI, normalise_doi, term
from dta_kg.core.model import Corpus, Evidence, Study
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import RDF
from dta_kg.core.registry import CONFIDENCES
from dta_kg.loaders.records import read_corpus
from dta_kg.loaders.review_text import sections
from dta_kg.loaders.terms import project_vocabulary
from dta_kg.loaders.triples import corpus_triples, reported_components

SEVERITIES = ("error", "warning", "info")
CHECKS = {
    "studies-per-component": "Studies per component: stated by the review / curated",
    "studies-per-intervention-theme": "Studies per intervention theme: stated / curated",
    "total": "Total of included studies: stated / curated",
    "prisma": "PRISMA flow arithmetic",
    "name": "Names: body text against the reference list",
    "doi": "DOIs whose form is suspicious for their publisher",
    "provenance": "Provenance of studies and facts",
    "factor": "Factors linked to no component",
    "coding": "Coding of the review's studies: intervention theme, design, population",
    "note": "Discrepancies in the review that curators noted in the records",
    "registry": "Bibliographic data against the DOI registry (Crossref; with --registry)",
}
NEAR_MISS = 0.8  # difflib ratio above which two different spellings are one name misspelt
_NAME = r"[A-Z][A-Za-z'’-]+"
_CITES = re.compile(rf"(?P<name>{_NAME}(?: {_NAME})?)(?: et al|(?: and {_NAME}))(?:'s|’s)? "
                    r"\[(?P<refs>\d+(?:,\s*\d+)*)\]")
_CITATION_AFTER = re.compile(r"\s+et al\b|\s+and [A-Z]|\s*\[\d|['’]s\b")

# DOI prefix -> (publisher, pattern of a well-formed suffix)
PUBLISHERS = {
    "10.3389": ("Frontiers", r"f[a-z]+\.(?P<year>\d{4})\.\d+"),
    "10.2196": ("JMIR Publications", r"\d+|[a-z]+\.\d+"),
    "10.1016": ("Elsevier", r"j\.[a-z]+\.(?P<year>\d{4})\.\d+(?:\.\d+)?|s[\dx()-]+"),
    "10.1177": ("SAGE", r"\d{8,}"),
    "10.1186": ("BioMed Central", r"s\d{5}-\d{3}-\d{5}-[\dx]"),
    "10.1007": ("Springer", r"s\d{5}-\d{3}-\d{5}-[\dx]|978-[\d-]+"),
    "10.1038": ("Springer Nature", r"s\d{5}-\d{3}-\d{5}-[\dx]"),
    "10.1145": ("ACM", r"\d+(?:\.\d+)*"),
    "10.1037": ("APA", r"[a-z]+\d{7}"),
    "10.1080": ("Taylor & Francis", r"\d{7}[\dx]\.(?P<year>\d{4})\.\d+"),
    "10.1089": ("Mary Ann Liebert", r"[a-z]+\.(?P<year>\d{4})\.\d+"),
    "10.1097": ("Wolters Kluwer", r"[a-z]+\.\d+"),
    "10.1108": ("Emerald", r"[a-z]+-\d{2}-(?P<year>\d{4})-\d{4}"),
}
# Frontiers journal codes (the part after "10.3389/"), e.g. fdgth = Frontiers in Digital Health
FRONTIERS_JOURNALS = frozenset(
    "fdgth fpsyg fpsyt fpubh fnhum fnins fneur fnagi fmed frai fcomp fgwh frhs fhumd fcvm fimmu "
    "fmicb fphar fphys fonc fendo fped fsurg frph fspor fcell fgene fpls feduc fcomm fsoc fbioe "
    "fdata frobt fnbeh fnsys fncom fnmol fcogn fdmed frsc fclim".split())


@dataclass(frozen=True)
class Notice:
    """One finding of the audit."""

    check: str
    severity: str
    subject: str
    message: str
    stated: int | str | None = None
    curated: int | None = None
    details: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)


def active(study: Study) -> dict[str, list]:
    """The study's facts that are not retracted, by kind."""
    facts: dict[str, list] = {}
    for fact in study.facts():
        if not fact.retracted:
            facts.setdefault(fact.rdf_class, []).append(fact)
    return facts


def review_studies(corpus: Corpus) -> list[Study]:
    return [s for s in corpus.studies if s.ref is not None and not s.retracted]


# --- stated counts against curated counts ----------------------------------------------------

def count_checks(corpus: Corpus) -> list[Notice]:
    studies = review_studies(corpus)
    per: dict[str, Counter[str]] = {"studies-per-component": Counter(),
                                    "studies-per-intervention-theme": Counter()}
    for s in studies:
        facts = active(s)
        # as the build derives dta:reportsComponent, which the count queries read
        per["studies-per-component"].update(reported_components(s))
        per["studies-per-intervention-theme"].update(
            {f.type for f in facts.get("InterventionReport", [])})
    notices = []
    for claim in corpus.review.claims:
        if claim.kind in per:
            about = claim.about or ""
            notices.append(compare(claim.kind, about, claim.value, per[claim.kind][about], claim.evidence))
        elif claim.kind in ("studies-included", "prisma-included"):
            notices.append(compare("total", claim.kind, claim.value, len(studies),
                                   claim.evidence))
    added = [s for s in corpus.studies if s.ref is None and not s.retracted]
    if added:
        notices.append(Notice("total", "info", "added-after-review",
                              f"{len(added)} studies were added after the review (the living "
                              "review); the review's counts and every other line here leave them "
                              "out", curated=len(added),
                              details=tuple(s.doi for s in added)))
    return notices


def compare(check: str, subject: str, stated: int | str, curated: int, evidence: Evidence) -> Notice:
    agrees = stated == curated
    # a figure given as text (Claim.value is int | str) has no difference to show
    verdict = ("agrees" if agrees else f"differs by {curated - stated:+d}"
               if isinstance(stated, int) else "differs")
    return Notice(check, "info" if agrees else "warning", subject,
                  f"the review states {stated} ({evidence.section}), the records of its studies "
                  f"hold {curated}: {verdict}", stated=stated, curated=curated)


def prisma_checks(corpus: Corpus) -> list[Notice]:
    v = {c.kind.removeprefix("prisma-"): c.value for c in corpus.review.claims
         if c.kind.startswith("prisma-") and isinstance(c.value, int)}
    sums = [
        ("records-identified", "-", "duplicates-removed", "records-screened"),
        ("records-screened", "-", "excluded-at-screening", "full-text-assessed"),
        ("excluded-population", "+", "excluded-no-intervention", "excluded-at-screening"),
    ]
    notices = []
    for a, op, b, total in sums:
        if not {a, b, total} <= v.keys():
            continue
        got = v[a] - v[b] if op == "-" else v[a] + v[b]
        ok = got == v[total]
        notices.append(Notice("prisma", "info" if ok else "error", total,
                              f"{a} {v[a]} {op} {b} {v[b]} = {got}; the review states {total} "
                              f"{v[total]}" + ("" if ok else ": does not add up"),
                              stated=v[total], curated=got))
    if {"full-text-assessed", "included"} <= v.keys():
        gone = v["full-text-assessed"] - v["included"]
        notices.append(Notice("prisma", "info" if gone >= 0 else "error", "excluded-at-full-text",
                              f"full-text-assessed {v['full-text-assessed']} - included "
                              f"{v['included']} = {gone} articles excluded at full text; the "
                              "review gives no breakdown of these", curated=gone))
    totals = [c for c in corpus.review.claims
              if c.kind in ("studies-included", "studies-fully-analysed", "prisma-included")]
    if len({c.value for c in totals}) > 1:
        stated = "; ".join(f"{c.value} {c.kind} ({c.evidence.section})" for c in totals)
        notices.append(Notice("prisma", "warning", "totals",
                              f"the review states different totals of studies: {stated}"))
    return notices


# --- names and identifiers -------------------------------------------------------------------

def _fold(name: str) -> str:
    return name.replace("-", " ").casefold()


def near_miss(a: str, b: str) -> bool:
    return a != b and difflib.SequenceMatcher(None, _fold(a), _fold(b)).ratio() >= NEAR_MISS


def body_names(text: str, name: str) -> set[str]:
    """Spans of `text` cited like an author (before 'et al', 'and X', '[n]') that nearly spell
    `name` without being it."""
    parts = len(re.split(r"[ -]", name))
    found = set()
    for m in re.finditer(rf"(?<![\w-]){_NAME}(?:[ -]{_NAME}){{{parts - 1}}}", text):
        if _CITATION_AFTER.match(text, m.end()) and near_miss(m.group(), name):
            found.add(m.group())
    return found


def name_checks(corpus: Corpus) -> list[Notice]:
    body = {k: t for k, t in sections().items() if k != "References"}
    by_ref = {s.ref: s for s in review_studies(corpus)}
    variants: dict[tuple[int | None, str], set[str]] = {}
    for s in by_ref.values():
        printed = s.first_author_surname
        cited = re.sub(r"\s+(et al|and .*)$", "", s.cited_as or "").strip()
        if cited and cited != printed:
            variants.setdefault((s.ref, cited), set()).add("cited_as")
        for section, text in body.items():
            for variant in body_names(text, printed):
                variants.setdefault((s.ref, variant), set()).add(section)
    notices = [Notice("name", "warning", by_ref[ref].doi,
                      f"the body text spells '{variant}' ({'; '.join(sorted(where))}), the "
                      f"reference list prints '{by_ref[ref].authors[0]}' (ref {ref})",
                      stated=variant, details=tuple(sorted(where)))
               for (ref, variant), where in sorted(variants.items())]
    for section, text in body.items():
        for m in _CITES.finditer(text):
            for ref in (int(r) for r in re.split(r",\s*", m.group("refs"))):
                study = by_ref.get(ref)
                if study is None:
                    continue
                printed, words = study.first_author_surname, m.group("name").split()
                said = {" ".join(words[i:]) for i in range(len(words))}
                if not any(w == printed or near_miss(w, printed) for w in said):
                    notices.append(Notice(
                        "name", "warning", study.doi,
                        f"'{m.group()}' in {section} names reference {ref}, whose first author "
                        f"is '{study.authors[0]}'", stated=m.group("name")))
    return notices


def doi_problem(doi: str, year: int) -> str | None:
    """Why `doi` looks wrong for its publisher, or None."""
    prefix, _, suffix = normalise_doi(doi).partition("/")
    if prefix not in PUBLISHERS:
        return None
    publisher, pattern = PUBLISHERS[prefix]
    m = re.fullmatch(pattern, suffix)
    if not m:
        return f"'{doi}' does not have the form of a {publisher} DOI"
    code = suffix.split(".")[0]
    if prefix == "10.3389" and code not in FRONTIERS_JOURNALS:
        near = difflib.get_close_matches(code, sorted(FRONTIERS_JOURNALS), n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        return f"'{doi}' has journal code '{code}', which is no Frontiers journal{hint}"
    found = m.groupdict().get("year")
    if found and abs(int(found) - year) > 1:
        return f"'{doi}' carries the year {found} but the study is from {year}"
    return None


def doi_checks(corpus: Corpus) -> list[Notice]:
    notices = []
    for s in corpus.studies:
        problem = doi_problem(s.doi, s.year)
        if problem:
            ref = f" (ref {s.ref})" if s.ref else ""
            notices.append(Notice("doi", "warning", s.doi, f"{problem}{ref}", stated=s.doi))
    return notices


# --- provenance and self-consistency ------------------------------------------------------------

def provenance_checks(corpus: Corpus) -> list[Notice]:
    """Every study and fact in the graph has evidence and attribution; curator additions that do
    not quote the review carry a curator's stamp."""
    triples = list(corpus_triples(corpus))
    present = {(s, p) for s, p, _ in triples}
    kinds = {term(k) for k in ("Study", "ReviewClaim",
                               *{f.rdf_class for s in corpus.studies for f in s.facts()})}
    needs = [term("evidence"), PREFIXES["prov"] + "wasAttributedTo",
             PREFIXES["prov"] + "generatedAtTime"]
    notices = []
    for node, _, kind in sorted((t for t in triples if t[1] == RDF + "type" and t[2] in kinds), key=str):
        assert isinstance(kind, str)
        missing = [p.split("/")[-1].split("#")[-1] for p in needs if (node, p) not in present]
        if missing:
            notices.append(Notice("provenance", "error", node,
                                  f"{kind.split('#')[-1]} without {', '.join(missing)}"))
    for s in corpus.studies:
        unvouched = [f"{s.doi}#{f.id}" for f in s.facts()
                     if f.evidence.source and normalise_doi(f.evidence.source) != REVIEW_DOI
                     and f.added is None]
        if s.ref is None and s.added is None:
            unvouched.insert(0, s.doi)
        for item in unvouched:
            notices.append(Notice("provenance", "error", item, "does not quote the review and "
                                  "has no `added` stamp naming the curator who vouches for it"))
    studies = review_studies(corpus)
    inferred = [f"{s.doi}#{f.id}" for s in studies for f in s.facts() if f.evidence.inferred]
    facts = sum(1 for s in studies for _ in s.facts())
    levels = Counter(level_of(f.evidence.inferred, f.evidence.confidence)
                     for s in studies for f in s.facts() if f.evidence.inferred)
    notices.append(Notice("provenance", "info", "inferred",
                          f"{len(inferred)} of {facts} facts about the review's "
                          f"{len(studies)} studies rest on a curator's inference (marked "
                          "`inferred`), not on a verbatim statement; confidence "
                          + ", ".join(f"{level} {levels[level]}" for level in CONFIDENCES)
                          + f" (an inference without a confidence counts as {UNGIVEN})",
                          curated=len(inferred), details=tuple(inferred)))
    return notices


def factor_checks(corpus: Corpus) -> list[Notice]:
    factors = [(s, f) for s in review_studies(corpus) for f in active(s).get("FactorReport", [])]
    loose = [f"{s.doi}#{f.id}" for s, f in factors if not f.components]
    if not loose:
        return []
    studies = len({item.partition("#")[0] for item in loose})
    return [Notice("factor", "info", "factors", f"{len(loose)} of {len(factors)} factor reports "
                   f"(in {studies} of the review's studies) are linked to no component: the "
                   "review does not say which component they affect", curated=len(loose),
                   details=tuple(loose))]


CODED = {"InterventionReport": "intervention theme", "DesignReport": "design",
         "PopulationReport": "population"}


def coding_checks(corpus: Corpus) -> list[Notice]:
    """Each review study coded for intervention theme, design and population; each inferred
    coding with a confidence; and how far the coded themes are from the review's counts."""
    notices = []
    studies = review_studies(corpus)
    for kind, what in CODED.items():
        missing = [s.doi for s in studies if not active(s).get(kind)]
        if missing:
            notices.append(Notice("coding", "warning", what, f"{len(missing)} of {len(studies)} "
                                  f"review studies have no {what}", curated=len(missing),
                                  details=tuple(missing)))
    unsure = [f"{s.doi}#{f.id}" for s in studies for kind in CODED for f in active(s).get(kind, [])
              if f.evidence.inferred and not f.evidence.confidence]
    if unsure:
        notices.append(Notice("coding", "warning", "confidence", f"{len(unsure)} inferred codings "
                              "give no confidence (high, medium or low)", curated=len(unsure),
                              details=tuple(unsure)))
    per = Counter(f.type for s in studies for f in active(s).get("InterventionReport", []))
    claims = [c for c in corpus.review.claims if c.kind == "studies-per-intervention-theme"]
    if claims:
        off = sum(abs(int(c.value) - per[c.about]) for c in claims)
        levels = Counter(f.evidence.confidence or "stated" for s in studies
                         for f in active(s).get("InterventionReport", []))
        notices.append(Notice("coding", "info" if off == 0 else "warning", "theme-distance",
                              f"the coded intervention themes are {off} placements away from the "
                              f"review's stated counts (sum of the differences); confidence of the "
                              f"codings: {', '.join(f'{k} {v}' for k, v in sorted(levels.items()))}",
                              stated=sum(int(c.value) for c in claims), curated=off))
    return notices


def note_checks(corpus: Corpus) -> list[Notice]:
    """The curator notes of the records: what a curator found amiss in the review itself."""
    return [Notice("note", "warning", f"{s.doi}#{n.id}", n.note,
                   details=(f"{n.evidence.section}: \"{n.evidence.quote}\"",))
            for s in corpus.studies for n in active(s).get("CuratorNote", [])]


def audit_corpus(corpus: Corpus) -> list[Notice]:
    return [*count_checks(corpus), *prisma_checks(corpus), *name_checks(corpus),
            *doi_checks(corpus), *provenance_checks(corpus), *factor_checks(corpus),
            *coding_checks(corpus), *note_checks(corpus)]


def audit(project: Project) -> list[Notice]:
    """Every notice of the audit of `project`'s records."""
    return audit_corpus(read_corpus(project, project_vocabulary(project)))


def summary(notices: list[Notice]) -> dict[str, int]:
    counts = Counter(n.severity for n in notices)
    return {s: counts[s] for s in SEVERITIES}

