"""Candidate facts of a study found in its own text: components, findings (with any reported
figure), facilitators and barriers (with their polarity), designs, populations, intervention
types, each with a verbatim quote, its section, a score and the cue behind it.

Terms come from the graph's vocabulary (labels and alternative labels of components, measures,
factor concepts, designs and intervention types, curator-added instruments included), matched
on the match keys of `study_text`, longest phrase first. The cue words for polarity, designs,
figures and populations are the few fixed words of reporting, below."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from dta_kg.core.model import Result
from dta_kg.core.registry import SUGGESTION_KINDS
from dta_kg.core.vocabulary import Term, Vocabulary
from dta_kg.curation.study_text import Sentence, Token, phrase_key, quote_span, sentences
from dta_kg.loaders.review_text import MAX_QUOTE_WORDS, MIN_QUOTE_WORDS

MATCHED = {"component": "component", "measure": "finding", "factor-concept": "factor",
           "design": "design", "intervention-type": "intervention"}

FACILITATING = ("facilitate", "enhance", "improve", "increase", "foster", "promote", "support",
                "strengthen", "raise", "value", "appreciate", "helpful", "help", "benefit",
                "positive", "enable", "encourage", "boost", "prefer", "like", "praise",
                "key", "important", "facilitator", "advantage", "build", "contribute", "drive")
HINDERING = ("hinder", "limit", "lack", "barrier", "concern", "challenge", "difficulty",
             "difficult", "problem", "issue", "frustrate", "frustration", "dislike",
             "complain", "undermine", "reduce", "decrease", "impede", "obstacle", "worry",
             "fail", "poor", "negative", "drawback", "struggle", "inability", "unable",
             "tedious", "decline", "risk", "inadequate", "dropout")
# a factor whose own label says it is a barrier ('lack of human connection', 'privacy concerns')
INHERENT_BARRIER = ("lack", "concern", "error", "problem", "inability", "limit",
                    "misunderstanding", "impersonal", "inappropriate", "demand", "impairment")
NEGATIONS = ("not", "no", "without", "never", "absence")
# design cues that are not the design's own name, by the design's id
DESIGN_CUES = {
    "randomised-controlled-trial": ("randomised", "randomly assigned", "randomly allocated"),
    "single-arm-study": ("single-arm", "uncontrolled trial"),
    "qualitative-study": ("qualitative", "semi-structured interviews", "focus groups"),
    "mixed-methods": ("mixed-methods", "mixed methods"),
    "survey": ("surveyed", "questionnaire study", "cross-sectional survey"),
    "secondary-analysis": ("secondary analysis", "post hoc analysis"),
    "pilot-study": ("pilot",),
    "feasibility-study": ("feasibility",),
}
_CLAUSE_BREAK = re.compile(r";|,?\s+\b(?:but|however|whereas|while|although|though|yet)\b",
                           re.IGNORECASE)
_COHENS_D = re.compile(r"\b(?:Cohen['’]?s?\s+)?\$?\bd\s*(?:=|of)\s*(-?\d*\.\d+|-?\d+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)(?:\s+of\s+(?:the\s+)?"
                      r"([a-z]+))?")
_MEAN = re.compile(r"(?:\b(?i:a mean of|an average of|on average|averaged|mean|average)"
                   r"(?:\s+(?i:score|rating|count|number|of|was|were|is))*\s*[=:]?|\bM\s*=)\s*"
                   r"(\d+(?:\.\d+)?)(?:\s+((?!(?:and|or|in|at|to|for|on|with|the|SD)\b)"
                   r"[a-z]+(?:\s+(?:per|a|each)\s+[a-z]+)?))?")
_COMPARATOR = re.compile(r"\b(?:compared (?:with|to)|versus|vs\.?|relative to|than)\s+"
                         r"(?:(?:those|that)\s+(?:on|in|of|receiving|using|given)\s+)?"
                         r"(?:the\s+|a\s+|an\s+)?([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3}?)"
                         r"(?=\s*[,.;:()]|\s+(?:with|and|in|at|on|for|group|arm|condition)\b|$)")
_POPULATION = re.compile(
    r"\b(?:(\d[\d,]*)\s+)?((?:[a-z]+(?:-[a-z]+)?\s+){0,3}?(?:participants|adults|adolescents|"
    r"students|patients|veterans|elders|parents|therapists|clinicians|individuals|women|men|"
    r"children|youths?|employees|people|users)(?:\s+(?:with|aged|experiencing|living with|"
    r"diagnosed with)(?:\s+(?!(?:and|from|to|were|was|at|in|for|who|randomly)\b)[\w-]+){1,5})?)")
_RECRUITED = re.compile(r"\b(recruited|enrolled|included|participated|sample|aged|"
                        r"completed|took part)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A fact the text suggests: `term` is a vocabulary id (a population: its words)."""

    number: int
    kind: str
    term: str
    quote: str
    section: str | None
    score: float
    cue: str
    start: int = 0  # where in the text the sentence it came from begins
    component: str | None = None  # a finding's component
    instrument: str | None = None
    subscale: str | None = None
    result: Result | None = None
    polarity: str | None = None  # a factor's
    theme: str | None = None
    label: str | None = None  # a factor in the text's words
    components: tuple[str, ...] = ()  # the components a factor is said to affect

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two candidates the same suggestion."""
        return (self.kind, self.term, self.component, self.instrument, self.subscale,
                self.result, self.polarity)


@dataclass(frozen=True)
class Match:
    """A vocabulary term named in a sentence."""

    term: Term
    first: int  # token indexes, end exclusive
    last: int
    name: str  # the label or alternative label matched
    how: str  # "label" or "alternative label"


@cache
def phrase_index(vocab: Vocabulary) -> dict[tuple[str, ...], list[tuple[Term, str, str]]]:
    """Match keys of every label and alternative label -> (term, name, how)."""
    index: dict[tuple[str, ...], list[tuple[Term, str, str]]] = {}
    for kind in MATCHED:
        for term in vocab.of_kind(kind):
            for name, how in ((term.label, "label"),
                              *((alt, "alternative label") for alt in term.alt_labels)):
                words = phrase_key(name)
                if words and all(t is not term for t, _, _ in index.get(words, [])):
                    index.setdefault(words, []).append((term, name, how))
    return index


def matches(sentence: Sentence, vocab: Vocabulary) -> list[Match]:
    """The terms a sentence names, longest phrase first, never two on the same words."""
    index = phrase_index(vocab)
    longest = max((len(k) for k in index), default=0)
    keys = [t.key for t in sentence.tokens]
    found: list[Match] = []
    i = 0
    while i < len(keys):
        for n in range(min(longest, len(keys) - i), 0, -1):
            hits = index.get(tuple(keys[i:i + n]))
            if hits:
                found.extend(Match(term, i, i + n, name, how) for term, name, how in hits)
                i += n
                break
        else:
            i += 1
    return found


def suggest(text: str, vocab: Vocabulary, kinds: Iterable[str] = SUGGESTION_KINDS) -> list[Candidate]:
    """The candidate facts of `text`, numbered 1.. in kind order, then by place in the text;
    the same suggestion made twice is kept once, with its best score."""
    best: dict[tuple[object, ...], Candidate] = {}
    for sentence in sentences(text):
        words = len(text[sentence.start:sentence.end].split())
        if words < MIN_QUOTE_WORDS and sentence.section != "Title":
            continue
        for found in sentence_candidates(text, sentence, vocab):
            kept = best.get(found.key)
            if kept is None or found.score > kept.score:
                best[found.key] = found if kept is None else replace(found, start=kept.start)
    ordered = sorted(best.values(), key=lambda c: (SUGGESTION_KINDS.index(c.kind), c.start, c.term))
    numbered = [replace(c, number=n) for n, c in enumerate(ordered, 1)]
    wanted = set(kinds)
    return [c for c in numbered if c.kind in wanted]


def sentence_candidates(text: str, sentence: Sentence, vocab: Vocabulary) -> Iterator[Candidate]:
    """Every candidate one sentence gives."""
    raw = text[sentence.start:sentence.end]
    found = matches(sentence, vocab)

    def make(kind: str, term: str, at: Match | tuple[int, int], score: float, cue: str,
             **fields: Any) -> Candidate:
        focus = span(sentence, at) if isinstance(at, Match) else at
        quote = quote_span(text, sentence, focus, MAX_QUOTE_WORDS)
        return Candidate(0, kind, term, quote, sentence.section, round(score, 2), cue,
                         sentence.start, **fields)

    components = [m for m in found if m.term.cls == "DTAComponent"]
    for m in components:
        single = len(m.name.split()) == 1 and m.how != "label"
        yield make("component", m.term.id, m, 0.5 if single else 0.9 if m.how == "label" else 0.8,
                   f"{m.how} '{m.name}'")
    findings = list(finding_candidates(found, components, vocab, "subscal" in raw.lower()
                                       or "subscore" in raw.lower()))
    reported = figures(raw)
    if not findings and reported and components:
        findings = [(components[0], components[0].term.id, None, None, 0.6,
                     f"a figure with '{components[0].name}'")]
    owner = {at: min(findings, key=lambda f: abs(span(sentence, f[0])[0] - sentence.start - at))[0]
             for at, _, _ in reported} if findings else {}
    for m, component, instrument, subscale, score, cue in findings:
        mine = [(abs(span(sentence, m)[0] - sentence.start - at), r, said)
                for at, r, said in reported if owner[at] is m]
        result = min(mine, key=lambda f: f[0])[1:] if mine else None
        yield make("finding", subscale or instrument or component, m, score + (0.05 if result
                   else 0), cue + (f"; figure '{result[1]}'" if result else ""),
                   component=component, instrument=instrument, subscale=subscale,
                   result=result[0] if result else None)
        yield make("component", component, m, 0.6, f"implied by the finding's '{m.name}'")
    for m in (m for m in found if m.term.cls == "FactorConcept"):
        polarity, score, cue = factor_polarity(sentence, raw, m)
        single = len(m.name.split()) == 1 and m.how != "label"
        affected = tuple(dict.fromkeys(c.term.id for c in components
                                       if clause_of(sentence, raw, c) == clause_of(sentence, raw, m)))
        yield make("factor", m.term.id, m, score - (0.1 if single else 0), cue,
                   polarity=polarity, theme=theme_of(vocab, m.term),
                   label=folded(text[span(sentence, m)[0]:span(sentence, m)[1]]),
                   components=affected)
        yield make("component", "facilitators-and-barriers", m, 0.6,
                   f"implied by the factor '{m.name}'")
    designs = {m.term.id: m for m in found if m.term.cls == "StudyDesign"}
    for m in designs.values():
        yield make("design", m.term.id, m, 0.9 if m.how == "label" else 0.8, f"{m.how} '{m.name}'")
    for design, cues in DESIGN_CUES.items():
        for cue in cues:
            at = cue_match(sentence, cue)
            if design not in designs and at is not None and design in vocab.terms:
                yield make("design", design, at, 0.6, f"design cue '{cue}'")
                break
    for m in (m for m in found if m.term.cls == "InterventionType"):
        yield make("intervention", m.term.id, m, 0.8, f"{m.how} '{m.name}'")
    population = population_of(raw)
    if population:
        words, score, cue, (first, last) = population
        yield make("population", words, (sentence.start + first, sentence.start + last), score,
                   cue)


def finding_candidates(found: list[Match], components: list[Match], vocab: Vocabulary,
                       says_subscale: bool
                       ) -> Iterator[tuple[Match, str, str | None, str | None, float, str]]:
    """(match, component, instrument, subscale, score, cue) of each measure the sentence names."""
    named = {m.term.id for m in components}
    for m in (m for m in found if m.term.cls in ("Instrument", "Subscale", "EngagementMetric",
                                                "GoalSettingFramework")):
        term, cue = m.term, f"{m.how} '{m.name}'"
        if term.cls == "Subscale":
            for component in term.measures:
                yield m, component, term.parent, term.id, 0.9, cue
            continue
        subscales = [s for s in vocab.of_kind("subscale") if s.parent == term.id]
        if subscales and not term.measures:
            for sub in subscales:
                shared = [c for c in sub.measures if c in named]
                for component in shared:
                    if says_subscale:
                        yield m, component, term.id, sub.id, 0.8, f"{cue} and its subscale for " \
                            f"'{component}'"
                    else:
                        yield m, component, term.id, None, 0.7, f"{cue} with '{component}'"
            continue
        chosen = [c for c in term.measures if c in named]
        for component in chosen or term.measures:
            score = 0.9 if chosen or len(term.measures) == 1 else 0.5
            yield m, component, term.id, None, score - (0.1 if term.cls == "EngagementMetric"
                                                       else 0), cue


def figures(raw: str) -> list[tuple[int, Result, str]]:
    """(where, result, its words) of each figure a sentence reports: Cohen's d, a mean, a
    percentage, with the comparator the sentence names."""
    comparator = _COMPARATOR.search(raw)
    against = folded(comparator.group(1)) if comparator else None
    found: list[tuple[int, Result, str]] = []
    for d in _COHENS_D.finditer(raw):
        found.append((d.start(), Result(value=float(d.group(1)), kind="cohens-d",
                                        comparator=against), folded(d.group())))
    for mean in _MEAN.finditer(raw):
        found.append((mean.start(), Result(value=float(mean.group(1)), kind="mean-count",
                                           unit=folded(mean.group(2) or "") or None,
                                           comparator=against),
                      folded(mean.group())))
    for pct in _PERCENT.finditer(raw):
        unit = f"percent of {pct.group(2)}" if pct.group(2) else None  # one word
        found.append((pct.start(), Result(value=float(pct.group(1)), kind="percentage",
                                          unit=unit, comparator=against), folded(pct.group())))
    return sorted(found, key=lambda f: f[0])


def folded(words: str) -> str:
    """Words as one line, single-spaced."""
    return " ".join(words.split())


def span(sentence: Sentence, m: Match) -> tuple[int, int]:
    """The characters a match covers."""
    return sentence.tokens[m.first].start, sentence.tokens[m.last - 1].end


def clause_of(sentence: Sentence, raw: str, m: Match) -> int:
    """Which clause of the sentence (split at ';', 'but', 'however', ...) holds the match."""
    at = span(sentence, m)[0] - sentence.start
    return sum(1 for b in _CLAUSE_BREAK.finditer(raw) if b.start() < at)


@cache
def cue_keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for w in words for k in phrase_key(w))


def factor_polarity(sentence: Sentence, raw: str, m: Match) -> tuple[str, float, str]:
    """(polarity, score, cue): a barrier by the factor's own label ('lack of ...', '...
    concerns') or by a negation just before it ('did not experience quick results'), else the
    cue word nearest the factor within its clause, else facilitator at a low score."""
    own = cue_keys(INHERENT_BARRIER)
    if any(k in own for k in phrase_key(m.term.label)):
        return "barrier", 0.8, f"{m.how} '{m.name}'; a barrier by its label"
    negation = cue_keys(NEGATIONS)
    before = [t for t in sentence.tokens[max(0, m.first - 3):m.first] if t.key in negation]
    if before:
        word = raw[before[-1].start - sentence.start:before[-1].end - sentence.start]
        return "barrier", 0.7, f"{m.how} '{m.name}'; '{word}' before it (its absence)"
    clause = clause_of(sentence, raw, m)
    plus, minus = cue_keys(FACILITATING), cue_keys(HINDERING)
    near: list[tuple[int, Token, str]] = []
    for i, token in enumerate(sentence.tokens):
        if m.first <= i < m.last or token.key not in plus | minus:
            continue
        probe = Match(m.term, i, i + 1, "", "")
        if clause_of(sentence, raw, probe) != clause:
            continue
        distance = m.first - i if i < m.first else i - m.last + 1
        near.append((distance, token, "barrier" if token.key in minus else "facilitator"))
    if near:
        _, token, polarity = min(near, key=lambda n: n[0])
        score = 0.8 if m.how == "label" else 0.7
        word = raw[token.start - sentence.start:token.end - sentence.start]
        return polarity, score, f"{m.how} '{m.name}'; '{word}' ({polarity})"
    return "facilitator", 0.4, f"{m.how} '{m.name}'; no polarity cue (facilitator assumed)"


def theme_of(vocab: Vocabulary, term: Term) -> str | None:
    """The factor theme above a factor concept."""
    seen: Term | None = term
    while seen is not None and seen.cls != "FactorTheme":
        seen = vocab.terms.get(seen.parent) if seen.parent else None
    return seen.id if seen else None


def cue_match(sentence: Sentence, cue: str) -> Match | None:
    """Where the cue phrase stands in the sentence, as a match of no term."""
    words = phrase_key(cue)
    keys = [t.key for t in sentence.tokens]
    for i in range(len(keys) - len(words) + 1):
        if tuple(keys[i:i + len(words)]) == words:
            return Match(Term("", "", cue), i, i + len(words), cue, "cue")
    return None


def population_of(raw: str) -> tuple[str, float, str, tuple[int, int]] | None:
    """(description, score, cue, where in the sentence) of the people a sentence says took
    part, if it says so."""
    recruited = _RECRUITED.search(raw)
    for found in _POPULATION.finditer(raw):
        count, words = found.group(1), folded(found.group(2))
        if count or recruited:
            cue = f"'{folded(found.group())}'" + (f" with '{recruited.group()}'" if recruited
                                                  else "")
            return words, 0.6 if count and recruited else 0.4, cue, found.span()
    return None
