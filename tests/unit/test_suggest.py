"""`dta-kg suggest` on short study texts written for these tests (never the review's sentences):
the candidates expected by vocabulary id and polarity, and every quote verbatim in the text."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from dta_kg.core.vocabulary import Vocabulary
from dta_kg.curation.study_text import blocks, key, phrase_key
from dta_kg.curation.suggest import Candidate, suggest
from dta_kg.loaders.review_text import MAX_QUOTE_WORDS, normalise

STRUCTURED = """\
# Alliance with a mood chatbot: a single-arm pilot study

## Methods

We recruited 48 university students with anxiety symptoms. Students used the app for six weeks
and completed semi-structured interviews at the end.

Results

Bond ratings on the WAI-SR bond subscale rose from week 1 to week 6 (Cohen's d = 0.62)
compared with baseline. Message frequency was high: participants sent a mean of 41.2 messages
per week, and 74% of participants reported continued use at follow-up.

Personalization of the daily prompts improved engagement, whereas bugs limited it. Several
students valued the nonjudgemental space of the app. Users who did not see quick results
stopped early, and some raised data privacy worries.
"""


def found(candidates: list[Candidate], kind: str) -> set[object]:
    if kind == "factor":
        return {(c.term, c.polarity) for c in candidates if c.kind == kind}
    return {c.term for c in candidates if c.kind == kind}


def verbatim(quote: str, text: str) -> bool:
    return " ".join(quote.split()) in " ".join(text.split()) and normalise(quote) in normalise(text)


@pytest.fixture(scope="module")
def structured(vocab: Vocabulary) -> list[Candidate]:
    return suggest(STRUCTURED, vocab)


def test_components_measures_and_subscales_are_found_by_vocabulary_id(structured: list[Candidate]) -> None:
    assert {"therapeutic-bond", "user-engagement", "facilitators-and-barriers"} <= \
        found(structured, "component")
    assert {"wai-sr-bond", "messages-sent", "continued-use"} <= found(structured, "finding")
    bond = next(c for c in structured if c.kind == "finding" and c.term == "wai-sr-bond")
    assert (bond.component, bond.instrument, bond.subscale) == \
        ("therapeutic-bond", "wai-sr", "wai-sr-bond")


def test_reported_figures_go_with_their_measure_and_comparator(structured: list[Candidate]) -> None:
    by_term = {c.term: c.result for c in structured if c.kind == "finding" and c.result}
    assert (by_term["wai-sr-bond"].value, by_term["wai-sr-bond"].kind,
            by_term["wai-sr-bond"].comparator) == (0.62, "cohens-d", "baseline")
    assert (by_term["messages-sent"].value, by_term["messages-sent"].kind,
            by_term["messages-sent"].unit) == (41.2, "mean-count", "messages per week")
    assert (by_term["continued-use"].value, by_term["continued-use"].kind,
            by_term["continued-use"].unit) == (74.0, "percentage", "percent of participants")


def test_factors_carry_the_polarity_of_their_cue(structured: list[Candidate]) -> None:
    factors = found(structured, "factor")
    assert {("personalisation", "facilitator"),  # American spelling, 'improved'
            ("technical-errors", "barrier"),  # 'bugs', 'limited'
            ("nonjudgmental-space", "facilitator"),  # British 'nonjudgemental', 'valued'
            ("expectation-of-quick-results", "barrier"),  # 'did not see quick results'
            ("privacy-concerns", "barrier")} <= factors  # 'data privacy', a barrier's label
    assert ("personalisation", "barrier") not in factors
    themes = {c.term: c.theme for c in structured if c.kind == "factor"}
    assert themes["technical-errors"] == "technical-reliability"
    affected = next(c for c in structured if c.term == "personalisation").components
    assert affected == ("user-engagement",)


def test_design_population_and_sections(structured: list[Candidate]) -> None:
    designs = {c.term: c.section for c in structured if c.kind == "design"}
    assert designs == {"single-arm-study": "Title", "pilot-study": "Title",
                       "qualitative-study": "Methods"}
    assert found(structured, "population") == {"university students with anxiety symptoms"}
    sections = {c.section for c in structured if c.kind in ("finding", "factor")}
    assert sections == {"Results"}


def test_every_quote_is_verbatim_short_and_from_its_section(structured: list[Candidate]) -> None:
    assert structured
    section_text = {s: STRUCTURED[a:b] for a, b, s in blocks(STRUCTURED)}
    for c in structured:
        assert verbatim(c.quote, STRUCTURED), c
        assert len(c.quote.split()) <= MAX_QUOTE_WORDS, c
        assert verbatim(c.quote, section_text[c.section]), c
        assert 0 < c.score <= 1 and c.cue


def test_numbers_are_stable_and_kind_filters_keep_them(vocab: Vocabulary,
                                                      structured: list[Candidate]) -> None:
    assert [c.number for c in structured] == list(range(1, len(structured) + 1))
    factors = suggest(STRUCTURED, vocab, kinds=["factor"])
    assert factors == [c for c in structured if c.kind == "factor"]


def test_a_long_sentence_is_quoted_around_its_match(vocab: Vocabulary) -> None:
    filler = " ".join(f"word{i}" for i in range(40))
    text = f"{filler} and the anonymity of the service facilitated disclosure {filler}."
    [factor] = [c for c in suggest(text, vocab) if c.kind == "factor"]
    assert (factor.term, factor.polarity) == ("anonymity", "facilitator")
    assert len(factor.quote.split()) == MAX_QUOTE_WORDS and "anonymity" in factor.quote
    assert verbatim(factor.quote, text)
    assert factor.section is None  # a text without headings


def test_acronyms_match_in_capitals_only(vocab: Vocabulary) -> None:
    assert "smart-goals" in found(suggest("Goals were set with the SMART framework by "
                                          "the coach.", vocab), "finding")
    assert "smart-goals" not in found(suggest("A smart phone app set goals with the coach.",
                                              vocab), "finding")


@pytest.mark.parametrize("variant", [
    "randomised controlled trial", "Randomized Controlled Trials", "randomized-controlled trial"])
def test_spelling_plural_case_and_hyphenation_give_one_key(variant: str) -> None:
    assert phrase_key(variant) == phrase_key("randomised controlled trial")


@pytest.mark.parametrize(("british", "american"), [
    ("behaviour", "behavior"), ("personalisation", "personalization"), ("dialogue", "dialog"),
    ("nonjudgemental", "non-judgmental"), ("centre", "center"), ("modelling", "modeling")])
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    assert phrase_key(british) == phrase_key(american)


def test_different_words_stay_apart() -> None:
    assert key("person") != key("personalisation")
    assert phrase_key("user engagement") != phrase_key("engaging activities")


PIECES = ["Anonymity helped.", "Privacy concerns hindered use.", "The bond grew (d = 0.4).",
          "## Results", "\n", "  ", "Participants sent a mean of 3 messages per day.",
          "café—naïve", "WAI-SR", "*Empathic tone* improved trust;",
          "“lack of human connection”", "\t", "Methods:", "e-health", "60 % of users"]


@pytest.mark.parametrize("seed", range(40))
def test_any_text_gives_quotes_that_are_verbatim(vocab: Vocabulary, seed: int) -> None:
    rng = random.Random(seed)
    text = " ".join(rng.choices(PIECES, k=rng.randint(1, 14)))
    for c in suggest(text, vocab):
        assert verbatim(c.quote, text), (c, text)
        assert len(c.quote.split()) <= MAX_QUOTE_WORDS
        assert re.fullmatch(r"\S(.*\S)?", c.quote)


def test_the_readme_example_shows_what_suggest_gives(vocab: Vocabulary) -> None:
    from dta_kg.commands.suggest import row

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From a study's text to its facts", 1)[1].split("\n## ", 1)[0]
    shown = re.findall(r"^\| (\d+) \| (\w+) \| (.+?) \| ([\d.]+) \| (\w+) \| (.+?) \|$", section,
                       re.M)
    abstract = root / "examples" / "fictional-study-abstract.md"
    text = abstract.read_text(encoding="utf-8")
    assert text.startswith("FICTIONAL:")
    rows = {r["number"]: r for r in (row(c, flat=True) for c in suggest(text, vocab))}
    assert len(shown) >= 10
    for number, kind, term, score, section_name, cue in shown:
        r = rows[int(number)]
        assert (r["kind"], r["term"], r["score"], r["section"], r["cue"]) == \
            (kind, term, float(score), section_name, cue)


def test_an_instrument_a_curator_added_is_suggested_like_the_ontologys(vocab: Vocabulary) -> None:
    from dta_kg.core.vocabulary import Term

    added = vocab.with_terms([Term("sus", "Instrument", "System Usability Scale", ("SUS",),
                                   measures=("user-engagement",))])
    text = "Usability was rated on the System Usability Scales, and the SUS mean was 78.5 points."
    findings = [c for c in suggest(text, added) if c.kind == "finding"]
    assert {(c.term, c.instrument, c.component) for c in findings} == \
        {("sus", "sus", "user-engagement")}
    assert {(c.result.value, c.result.kind, c.result.unit) for c in findings if c.result} == \
        {(78.5, "mean-count", "points")}  # the figure goes with 'SUS', the nearer name
    assert not [c for c in suggest(text, vocab) if c.kind == "finding"]
