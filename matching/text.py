"""TF-IDF on character n-grams within words, for short multilingual free texts."""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

# Letters, digits and the combining marks of Latin and Arabic script; everything else separates words.
WORD = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670]+")


def normalise_text(text: str) -> str:
    """NFKC and case folding keep Turkish, Cyrillic and Arabic letters intact (no accent stripping)."""
    return unicodedata.normalize("NFKC", text).casefold()


def word_ngrams(word: str, ngram_range: tuple[int, int]) -> Counter[str]:
    """The n-grams of " word ", as scikit-learn's analyzer="char_wb" counts them."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        if len(padded) <= n:
            grams.append(padded)  # a short word counts once, whole
            break
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return Counter(grams)


class TextVectoriser:
    """TfidfVectorizer(analyzer="char_wb") semantics, computed per distinct word rather than per text,
    optionally beside TF-IDF on whole words.

    With `word_share` > 0 a row is [√(1-s)·n-gram vector, √s·word vector], each part L2-normalised, so
    the dot product of two rows is (1-s)·n-gram cosine + s·word cosine: n-grams find the parts of
    German compounds, whole words reward the exact term.

    Texts repeat their words, so analysing each distinct word once is several times faster than
    scikit-learn's analyzer on a few thousand profiles. Words are runs of letters and digits
    (punctuation separates them); n-grams in fewer than `min_df` texts or more than `max_df` (a
    share) of them are dropped, like TfidfVectorizer's corpus-specific stop words.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (3, 5),
        sublinear_tf: bool = True,
        min_df: int = 1,
        max_df: float = 1.0,
        word_share: float = 0.0,
    ) -> None:
        self.word_share = word_share
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df

    def fit(self, texts: Sequence[str]) -> "TextVectoriser":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows are L2-normalised, so the dot product of two rows is their cosine similarity."""
        self.vocabulary_: dict[str, int] = {}
        self.words_: dict[str, int] = {}
        counts, words = self._counts(texts, grow=True)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = (df >= self.min_df) & (df <= self.max_df * len(texts))
        kept = np.flatnonzero(keep)
        renumber = np.cumsum(keep) - 1
        self.vocabulary_ = {gram: int(renumber[i]) for gram, i in self.vocabulary_.items() if keep[i]}
        counts = counts[:, kept]
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf)
        self.word_tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf)
        if counts.shape[1]:  # texts without any word leave nothing to weigh: all vectors stay zero
            self.tfidf_.fit(counts)
            self.word_tfidf_.fit(words)
        return self._weigh(counts, words)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._weigh(*self._counts(texts, grow=False))

    def _weigh(self, counts: sparse.csr_matrix, words: sparse.csr_matrix) -> sparse.csr_matrix:
        if not counts.shape[0] or not counts.shape[1]:
            width = counts.shape[1] + (words.shape[1] if self.word_share > 0 else 0)
            return sparse.csr_matrix((counts.shape[0], width), dtype=np.float32)
        grams = sparse.csr_matrix(self.tfidf_.transform(counts), dtype=np.float32)
        if self.word_share <= 0:
            return grams
        whole = sparse.csr_matrix(self.word_tfidf_.transform(words), dtype=np.float32)
        share = np.float32(self.word_share)
        return sparse.hstack([np.sqrt(1 - share) * grams, np.sqrt(share) * whole], format="csr")

    def _counts(self, texts: Sequence[str], grow: bool) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """texts × n-grams counts, as (texts × words) @ (words × n-grams); and texts × known words."""
        words: dict[str, int] = {}
        columns: list[int] = []
        lengths: list[int] = []
        for text in texts:
            tokens = WORD.findall(normalise_text(text))
            columns.extend([words.setdefault(word, len(words)) for word in tokens])
            lengths.append(len(tokens))
        text_words = sparse.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), (np.repeat(np.arange(len(texts)), lengths), columns)),
            shape=(len(texts), len(words)),
        )
        grams: list[str] = []
        counts: list[int] = []
        per_word: list[int] = []
        for word in words:
            word_grams = word_ngrams(word, self.ngram_range)
            grams.extend(word_grams)
            counts.extend(word_grams.values())
            per_word.append(len(word_grams))
        vocabulary = self.vocabulary_
        if grow:
            indices = np.array([vocabulary.setdefault(g, len(vocabulary)) for g in grams], dtype=np.int64)
        else:
            indices = np.array([vocabulary.get(g, -1) for g in grams], dtype=np.int64)
        known = indices >= 0  # n-grams the vocabulary lacks are left out, as TfidfVectorizer does
        word_grams_matrix = sparse.csr_matrix(
            (
                np.array(counts, dtype=np.float32)[known],
                (np.repeat(np.arange(len(words)), per_word)[known], indices[known]),
            ),
            shape=(len(words), len(vocabulary)),
        )
        return sparse.csr_matrix(text_words @ word_grams_matrix), self._known_words(words, text_words, grow)

    def _known_words(
        self, words: dict[str, int], text_words: sparse.csr_matrix, grow: bool
    ) -> sparse.csr_matrix:
        """texts × the fitted word vocabulary (words seen only now are left out)."""
        known = self.words_
        if grow:
            for word in words:
                known.setdefault(word, len(known))
        columns = np.array([known.get(word, -1) for word in words], dtype=np.int64)
        keep = np.flatnonzero(columns >= 0)
        select = sparse.csr_matrix(
            (np.ones(len(keep), dtype=np.float32), (keep, columns[keep])), shape=(len(words), len(known))
        )
        return sparse.csr_matrix(text_words @ select)
