"""TF-IDF on character n-grams within words, for short multilingual free texts."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

# Texts analysed at once: bounds the intermediate count matrices (a few hundred n-grams per text).
CHUNK_TEXTS = 4096

# Letters, digits and the combining marks of Latin and Arabic script; everything else separates words.
WORD = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670]+")


def normalise_text(text: str) -> str:
    """NFKC and case folding keep Turkish, Cyrillic and Arabic letters intact (no accent stripping)."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1 << 17)
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
        """Learns the n-gram and word vocabularies and their inverse document frequencies.

        Texts are analysed a chunk at a time, so the intermediate count matrices stay small whatever
        the number of texts; only document frequencies are kept.
        """
        self.vocabulary_: dict[str, int] = {}
        self.words_: dict[str, int] = {}
        gram_df = np.zeros(0, dtype=np.int64)
        word_df = np.zeros(0, dtype=np.int64)
        for part in text_chunks(texts):
            counts, words = self._counts(part, grow=True)
            gram_df = _add_counts(gram_df, np.bincount(counts.indices, minlength=counts.shape[1]))
            word_df = _add_counts(word_df, np.bincount(words.indices, minlength=words.shape[1]))
        keep = (gram_df >= self.min_df) & (gram_df <= self.max_df * len(texts))
        renumber = np.cumsum(keep) - 1
        self.vocabulary_ = {gram: int(renumber[i]) for gram, i in self.vocabulary_.items() if keep[i]}
        # scikit-learn's smooth idf, so that the weights equal TfidfVectorizer's.
        self.idf_ = _idf(gram_df[keep], len(texts))
        self.word_idf_ = _idf(word_df, len(texts))
        # In how many of the texts each output column is non-zero (n-grams, then words if weighed).
        self.document_frequency_ = (
            np.concatenate([gram_df[keep], word_df]) if self.word_share > 0 else gram_df[keep]
        )
        return self

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows are L2-normalised, so the dot product of two rows is their cosine similarity."""
        return self.fit(texts).transform(texts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        parts = [self._weigh(*self._counts(part, grow=False)) for part in text_chunks(texts)]
        return stack_csr(parts)

    def _weigh(self, counts: sparse.csr_matrix, words: sparse.csr_matrix) -> sparse.csr_matrix:
        if not counts.shape[0] or not counts.shape[1]:
            width = counts.shape[1] + (words.shape[1] if self.word_share > 0 else 0)
            return sparse.csr_matrix((counts.shape[0], width), dtype=np.float32)
        grams = _tfidf(counts, self.idf_, self.sublinear_tf)
        if self.word_share <= 0:
            return grams
        whole = _tfidf(words, self.word_idf_, self.sublinear_tf)
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


def text_chunks(texts: Sequence[str]) -> Iterator[Sequence[str]]:
    """The texts in runs of CHUNK_TEXTS, to analyse one at a time; no texts make one empty run."""
    for start in range(0, max(len(texts), 1), CHUNK_TEXTS):
        yield texts[start : start + CHUNK_TEXTS]


def _add_counts(total: NDArray[np.int64], more: NDArray[np.int64]) -> NDArray[np.int64]:
    """Element-wise sum of two count vectors, the shorter one padded (the vocabulary grew)."""
    if len(total) < len(more):
        total = np.concatenate([total, np.zeros(len(more) - len(total), dtype=np.int64)])
    total[: len(more)] += more
    return total


def _idf(document_frequency: NDArray[np.int64], n_texts: int) -> NDArray[np.float32]:
    return (np.log((1.0 + n_texts) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


def _tfidf(counts: sparse.csr_matrix, idf: NDArray[np.float32], sublinear: bool) -> sparse.csr_matrix:
    """TF-IDF rows, L2-normalised, in float32 (scikit-learn's transformer would copy to float64)."""
    result = sparse.csr_matrix(counts, dtype=np.float32, copy=True)
    data = result.data
    if sublinear:
        np.log(data, out=data)
        data += 1.0
    data *= idf[result.indices]
    rows = np.repeat(np.arange(result.shape[0]), np.diff(result.indptr))
    norms = np.sqrt(np.bincount(rows, weights=np.square(data, dtype=np.float64), minlength=result.shape[0]))
    data /= np.maximum(norms, 1e-12).astype(np.float32)[rows]
    return result


def stack_csr(parts: list[sparse.csr_matrix]) -> sparse.csr_matrix:
    """The parts' rows in one matrix, each part released once copied: at most one part more than the
    result is held, where scipy's vstack holds all parts beside the result."""
    if len(parts) == 1:
        return parts.pop()
    nnz, rows = sum(p.nnz for p in parts), sum(p.shape[0] for p in parts)
    index = np.int32 if nnz < np.iinfo(np.int32).max else np.int64
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=index)
    indptr = np.zeros(rows + 1, dtype=index)
    width, at, row = parts[0].shape[1], 0, 0
    parts.reverse()  # popped from the end, first part first
    while parts:
        part = parts.pop()
        data[at : at + part.nnz] = part.data
        indices[at : at + part.nnz] = part.indices
        indptr[row + 1 : row + 1 + part.shape[0]] = part.indptr[1:] + at
        at, row = at + part.nnz, row + part.shape[0]
        del part
    return sparse.csr_matrix((data, indices, indptr), shape=(rows, width))
