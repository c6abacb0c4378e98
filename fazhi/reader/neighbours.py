"""The annotated figures most like a figure, and their labels (issue 25): evidence for the ranker
(``ranker.py``) that the definition scorer cannot give.

A label's definition says what it counts in the words of LABELS.md; reports say it in their own
words, and the same few phrasings recur across jurisdictions ("发布政策解读信息…条",
"梳理政务服务事项…项"). For every figure of the training data (the corpus's tuning split and the
tuning seeds) the words just left of it and its unit are kept, with its label. A new figure's
words are compared with each of them (tf-idf over character 1- and 2-grams, cosine similarity),
and each label of the catalogue gets the similarity of its most similar training figure, 0 where
the training data has none. The labels of the most similar figures are proposed to the ranker as
candidates besides the definition scorer's; the ranker weighs them as it weighs the others.

The similarity is no feature of the ranker: being 0 for every label the training data lacks, it put
those labels down on reports of new jurisdictions (ranker.py). As candidates alone the right label
is among the candidates more often (tuning split, out of fold, the definition scorer's best 8 and
the rule's: 734 of 904 figures; with the 8 labels of the nearest figures besides: 810) and the
ranker's jurisdiction-held-out accuracy on the tuning split rose 560 -> 582 of 904; see
bench/results/reader_corpus.txt, "NEIGHBOURS".

The computation is ``sparse.SparseIndex``'s, with one column per training figure: the same
sublinear tf-idf, length 1, as the classifier and the definition scorer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from fazhi.reader.sparse import SparseIndex

TEXT_CHARS = 12  # the characters left of a figure that are compared
SIZES = (1, 2)  # the n-grams compared
MAX_SHARE = 0.2  # an n-gram of more than this share of the training figures (the separator "|") is left out


def text_of(ctx: Any) -> str:
    """What is compared of a figure (``classifier.FigureContext``): the words just left of it and its unit."""
    return ctx.left[-TEXT_CHARS:] + "|" + ctx.unit


def grams(text: str) -> list[str]:
    """A text's n-grams, in the order ``SparseIndex.counts`` meets them (every character, 1-grams then 2-grams)."""
    return [text[i : i + n] for n in SIZES for i in range(len(text) - n + 1)]


class Neighbours:
    """The training figures' texts and labels, indexed. ``names``: the catalogue's labels, in its
    order (a training label outside it is left out). ``sources``: per training figure, the
    jurisdiction it comes from (training only: ``scores`` can leave one out). ``max_share``: an
    n-gram of more training figures than this share of them is left out (``MAX_SHARE``)."""

    def __init__(
        self, texts: Sequence[str], labels: Sequence[str], names: Sequence[str], sources: Sequence[str] | None = None, max_share: float = MAX_SHARE
    ) -> None:
        at = {name: i for i, name in enumerate(names)}
        kept = sorted((at[label], k) for k, label in enumerate(labels) if label in at)
        self.n_labels = len(names)
        self.texts = [texts[k] for _, k in kept]
        self.labels = [labels[k] for _, k in kept]
        self.sources = [sources[k] for _, k in kept] if sources is not None else None
        positions = np.array([p for p, _ in kept], dtype=np.int64)
        # the examples are in the catalogue's order: each label's run of columns starts at ``starts``
        labels_at, starts, sizes = np.unique(positions, return_index=True, return_counts=True)
        # a label with one training figure takes its column as it is; the others the most similar of theirs
        one = sizes == 1
        self.single_positions, self.single_columns = labels_at[one], starts[one]
        many = np.flatnonzero(~one)
        self.many_positions = labels_at[many]
        self.many_columns = np.concatenate([np.arange(starts[i], starts[i] + sizes[i]) for i in many]) if len(many) else np.zeros(0, dtype=np.int64)
        self.many_starts = np.concatenate([[0], np.cumsum(sizes[many])[:-1]]).astype(np.int64) if len(many) else np.zeros(0, dtype=np.int64)
        counted = [Counter(grams(t)) for t in self.texts]
        n = len(self.texts)
        self.max_share = max_share
        df = Counter(g for c in counted for g in c)
        df = Counter({g: d for g, d in df.items() if d <= max_share * n})
        idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}
        postings: dict[str, list[tuple[int, float]]] = {g: [] for g in df}
        for k, c in enumerate(counted):
            value = {g: (1.0 + math.log(m)) * idf[g] for g, m in c.items() if g in idf}
            norm = math.sqrt(sum(v * v for v in value.values())) or 1.0
            for g, v in value.items():
                postings[g].append((k, v / norm))
        self.index = SparseIndex(max(1, n))
        self.index.add(((g, idf[g], postings[g]) for g in sorted(df, key=lambda g: (len(g), g))), SIZES)

    @classmethod
    def from_json(cls, data: dict[str, Any], names: Sequence[str]) -> Neighbours:
        return cls(data["texts"], data["labels"], names, max_share=float(data.get("max_share", MAX_SHARE)))

    def to_json(self) -> dict[str, Any]:
        return {"texts": self.texts, "labels": self.labels, "max_share": self.max_share}

    def scores(self, ctxs: Sequence[Any], without: str | None = None) -> np.ndarray:
        """(figures, the catalogue's labels): the similarity of each figure to the most similar
        training figure of each label, 0 where there is none; ``without``: the training figures of
        that jurisdiction left out (a figure's own, when the ranker is fitted)."""
        out = np.zeros((len(ctxs), self.n_labels))
        if not ctxs or not self.texts:
            return out
        sims = self.index.scores([text_of(c) for c in ctxs], [0] * len(ctxs), [1.0] * len(ctxs))
        if without is not None and self.sources is not None:
            sims[:, np.flatnonzero([s == without for s in self.sources])] = 0.0
        out[:, self.single_positions] = sims[:, self.single_columns]
        if len(self.many_positions):
            out[:, self.many_positions] = np.maximum.reduceat(sims[:, self.many_columns], self.many_starts, axis=1)
        return out
