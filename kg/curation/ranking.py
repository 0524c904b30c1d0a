"""Rank undecided candidates, most likely relevant first (`dta-kg screen next`).

A TF-IDF representation of title and abstract with a logistic regression (scikit-learn),
trained on what the screeners have decided so far (included or maybe: relevant; excluded:
not) and on the review's own studies as relevant. Until some candidate has been excluded there
is no negative example, so the undecided candidates stand in for them (most of a search's
records are irrelevant), as screening tools do with unlabelled records. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SEED = 0  # the logistic regression's solver is deterministic; the seed pins it anyway


@dataclass(frozen=True)
class Ranked:
    id: str
    score: float  # the model's probability that the record is relevant


def rank(pool: Sequence[tuple[str, str]], relevant: Sequence[str],
         irrelevant: Sequence[str]) -> list[Ranked]:
    """`pool` (id, text) ordered by the model's probability of relevance, highest first; ties
    keep the pool's order. `relevant` and `irrelevant` are the texts of the labelled records."""
    # lazy: scikit-learn loads ~0.5 s; only `screen next` and its benchmark rank
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if not pool:
        return []
    if not relevant:
        return [Ranked(i, 0.0) for i, _ in pool]
    negatives = list(irrelevant) or [text for _, text in pool]
    texts = [*relevant, *negatives]
    vectoriser = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                                 stop_words="english")
    features = vectoriser.fit_transform(texts)
    labels = [1] * len(relevant) + [0] * len(negatives)
    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000,
                               random_state=SEED)
    model.fit(features, labels)
    scores = model.predict_proba(vectoriser.transform([text for _, text in pool]))[:, 1]
    order = sorted(range(len(pool)), key=lambda k: -scores[k])
    return [Ranked(pool[k][0], float(scores[k])) for k in order]
