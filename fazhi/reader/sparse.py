"""Tf-idf character n-gram vectors times a sparse (n-gram → labels) weight matrix, with numpy only:
the shared engine of the label classifier (``classifier.py``) and the definition scorer
(``catalogue.py``).

A ``SparseIndex`` holds one or more vocabularies (the classifier's fields, the scorer's single
one), each n-gram (one or two characters) with its idf and the labels it weighs for, as flat
arrays built once at load: a CSR matrix by hand, and the n-grams as integer keys (a character's
code point; a pair's two code points side by side) sorted for ``searchsorted``.

``scores`` takes many texts at once, each with its vocabulary and a scale, and returns every
text's score for every label in one pass, without a Python object per n-gram: the texts are
joined and read as an array of code points; their n-grams are keys found in the vocabulary by
``searchsorted``; each text's distinct n-grams are counted with ``unique``. Then, per text, its
tf-idf vector (sublinear tf, scaled to length 1, times the scale) times the weights, as gathers
and one ``bincount``. Each text's n-grams are put in the order ``Counter(grams(text))`` gives them
(the order of first occurrence in the ``grams`` functions of classifier.py and catalogue.py),
so every sum is taken in the same order as it was when they were counted in Python, and the
scores are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import accumulate

import numpy as np

CJK_FIRST, CJK_LAST = 0x4E00, 0x9FFF  # the Chinese characters catalogue.CJK reads
PAIR = 21  # a code point takes 21 bits: a pair's key is (first + 1) << 21 | second, above every single character's
VOCABULARY = 43  # the vocabulary's number is put above a key's 43 bits


def gram_key(gram: str) -> int:
    """The integer key of a one- or two-character n-gram."""
    if len(gram) == 1:
        return ord(gram)
    if len(gram) == 2:
        return (ord(gram[0]) + 1) << PAIR | ord(gram[1])
    raise ValueError(f"only 1- and 2-grams: {gram!r}")


class SparseIndex:
    """Vocabularies (n-gram → row), the rows' idf, and each row's labels and weights, for
    ``n_labels`` labels. ``chinese_only``: n-grams are taken within runs of Chinese characters
    only (``catalogue.grams``), else over every character of a text (``classifier.grams``)."""

    def __init__(self, n_labels: int, chinese_only: bool = False, label_class: list[int] | None = None) -> None:
        self.n_labels = n_labels
        self.chinese_only = chinese_only
        # a class (0, 1, …) per label: a row's labels are kept class by class, so that ``scores`` can
        # take, per text, only the labels of a range of classes (those its figures may have)
        self.label_class = label_class or [0] * n_labels
        self.n_classes = max(self.label_class, default=0) + 1
        self.sizes: list[tuple[int, ...]] = []  # per vocabulary, its n-gram sizes (1, 2 or both)
        self._keys: list[int] = []
        self._idf: list[float] = []
        self._ptr: list[list[int]] = []  # per row: where each class's labels begin, and the row's end
        self._labels: list[int] = []
        self._weights: list[float] = []
        self._arrays()

    def _arrays(self) -> None:
        keys = np.array(self._keys, dtype=np.int64)
        single = keys & ((1 << VOCABULARY) - 1) < 1 << PAIR
        # 1-grams: a table by vocabulary and code point (row, or -1); 2-grams: their keys sorted, for searchsorted
        self.width = int((keys[single] & ((1 << PAIR) - 1)).max()) + 1 if single.any() else 1
        self.single = np.full(len(self.sizes) * self.width, -1, dtype=np.int64)
        self.single[(keys[single] >> VOCABULARY) * self.width + (keys[single] & ((1 << PAIR) - 1))] = np.flatnonzero(single)
        order = np.flatnonzero(~single)[np.argsort(keys[~single])]
        self.pairs, self.pair_rows = keys[order], order
        self.idf = np.array(self._idf, dtype=np.float64)
        self.ptr = np.array(self._ptr, dtype=np.int64).reshape(len(self._ptr), self.n_classes + 1)
        self.labels = np.array(self._labels, dtype=np.int64)
        self.weights = np.array(self._weights, dtype=np.float64)

    def add(self, tokens: Iterable[tuple[str, float, Iterable[tuple[int, float]]]], sizes: tuple[int, ...] = (1, 2)) -> int:
        """Add a vocabulary: (n-gram, idf, [(label, weight), …]) in row order, its n-grams of
        ``sizes`` (1, 2); returns its number."""
        if not set(sizes) <= {1, 2}:
            raise ValueError(f"only 1- and 2-grams: {sizes}")
        vocabulary = len(self.sizes)
        for token, idf, pairs in tokens:
            self._keys.append(gram_key(token) | vocabulary << VOCABULARY)
            self._idf.append(idf)
            begin = len(self._labels)
            per_class = [0] * self.n_classes
            for label, weight in sorted(pairs, key=lambda pair: self.label_class[pair[0]]):  # stable: in order within a class
                self._labels.append(label)
                self._weights.append(weight)
                per_class[self.label_class[label]] += 1
            self._ptr.append([begin, *(begin + k for k in accumulate(per_class))])
        self.sizes.append(tuple(sizes))
        self._arrays()
        return vocabulary

    def counts(self, texts: list[str], vocabularies: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each text, its n-grams that its vocabulary holds, counted: (text, row, count) arrays,
        the n-grams of a text in the order ``Counter(grams(text))`` holds them."""
        empty = np.zeros(0, dtype=np.int64)
        n = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1  # each text and a separator
        codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        text_of = np.repeat(np.arange(n), lengths)[: len(codes)]
        if self.chinese_only:
            valid = (codes >= CJK_FIRST) & (codes <= CJK_LAST)
        else:
            valid = np.ones(len(codes), dtype=bool)
            valid[np.cumsum(lengths)[:-1] - 1] = False
        if not valid.any() or not len(self.idf):
            return empty, empty, empty
        vocabulary = np.array(vocabularies, dtype=np.int64)
        wants = np.array([[1 in self.sizes[v], 2 in self.sizes[v]] for v in vocabularies], dtype=bool)
        one = np.flatnonzero(valid & wants[text_of, 0])
        two = np.flatnonzero(valid[:-1] & valid[1:] & wants[text_of[:-1], 1])
        # n-grams are taken within runs of valid characters, a run's 1-grams before its 2-grams:
        # where each n-gram goes in that order, from how many of each kind the runs before it have
        starts = valid.copy()
        starts[1:] &= ~valid[:-1]
        run = np.cumsum(starts) - 1
        runs = int(run[-1]) + 1
        ones = np.bincount(run[one], minlength=runs)
        twos = np.bincount(run[two], minlength=runs)
        ones_before, twos_before = np.cumsum(ones) - ones, np.cumsum(twos) - twos
        to_one = np.arange(len(one)) + twos_before[run[one]]
        to_two = np.arange(len(two)) + (ones_before + ones)[run[two]]
        rows = np.empty(len(one) + len(two), dtype=np.int64)
        text = np.empty(len(one) + len(two), dtype=np.int64)
        text[to_one], text[to_two] = text_of[one], text_of[two]
        # look the n-grams up: a 1-gram in its vocabulary's table, a 2-gram's key in the sorted keys
        code = codes[one]
        inside = code < self.width
        rows[to_one] = np.where(inside, self.single[vocabulary[text_of[one]] * self.width + np.where(inside, code, 0)], -1)
        if len(self.pairs):
            keys = (codes[two] + 1) << PAIR | codes[two + 1] | vocabulary[text_of[two]] << VOCABULARY
            found = np.minimum(np.searchsorted(self.pairs, keys), len(self.pairs) - 1)
            rows[to_two] = np.where(self.pairs[found] == keys, self.pair_rows[found], -1)
        else:
            rows[to_two] = -1
        hit = rows >= 0
        both = text[hit] * len(self.idf) + rows[hit]
        # the distinct (text, row) pairs in the order first met, and how often each occurs
        perm = np.argsort(both, kind="stable")
        ordered = both[perm]
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        starts_at = np.flatnonzero(first)
        count = np.zeros(len(both), dtype=np.int64)
        count[perm[starts_at]] = np.diff(np.append(starts_at, len(ordered)))
        met = count > 0
        distinct = both[met]
        return distinct // len(self.idf), distinct % len(self.idf), count[met]

    def scores(self, texts: list[str], vocabularies: list[int], scales: list[float], classes: np.ndarray | None = None) -> np.ndarray:
        """(len(texts), labels): for each text, its tf-idf vector over its vocabulary (sublinear tf,
        length 1) times its scale, times the weights. With ``classes``, (texts, 2): a (first, past the
        last) range of label classes per text: only the labels of those classes are summed, the others
        stay 0 (their sums are the same to the last bit as without ``classes``)."""
        n, width = len(texts), self.n_labels
        doc, r, count = self.counts(texts, vocabularies)
        if not len(r):
            return np.zeros((n, width))
        value = (1.0 + np.log(count.astype(np.float64))) * self.idf[r]
        norm = np.sqrt(np.bincount(doc, weights=value * value, minlength=n))
        value = value / norm[doc] * np.array(scales, dtype=np.float64)[doc]
        # the sparse product: for each (text, n-gram) every (label, weight) of the n-gram's row
        if classes is None:
            begin, end = self.ptr[r, 0], self.ptr[r, -1]
        else:
            begin, end = self.ptr[r, classes[doc, 0]], self.ptr[r, classes[doc, 1]]
        lengths = end - begin
        keep = lengths > 0
        doc, begin, value, lengths = doc[keep], begin[keep], value[keep], lengths[keep]
        if not len(doc):
            return np.zeros((n, width))
        at = np.repeat(begin - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        flat = np.repeat(doc * width, lengths) + self.labels[at]
        return np.bincount(flat, weights=np.repeat(value, lengths) * self.weights[at], minlength=n * width).reshape(n, width)
