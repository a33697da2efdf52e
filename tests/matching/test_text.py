"""The text model: char_wb TF-IDF semantics, and scripts other than Latin kept intact."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import scoring, text
from matching.features import WORD_SHARE, Encoder
from matching.pipeline import match
from matching.scoring import text_similarity
from matching.text import TextVectoriser, normalise_text

from .profiles import TODAY, need, params, volunteer


def test_the_vectoriser_equals_scikit_learns_char_wb_tfidf_on_plain_words() -> None:
    texts = ["Hausaufgabenhilfe Mathematik", "hausaufgaben mathe mathe", "ödev yardımı", "перевод", "a", ""]
    ours = TextVectoriser(ngram_range=(3, 5)).fit_transform(texts)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(
        texts
    )
    np.testing.assert_allclose((ours @ ours.T).toarray(), (reference @ reference.T).toarray(), atol=1e-6)


def test_normalisation_folds_case_but_keeps_letters_of_every_script() -> None:
    assert normalise_text("ÖDEV Yardımı") == "ödev yardımı"
    assert normalise_text("ＭＡＴＨＥ") == "mathe"  # full-width forms, as some phone keyboards type them
    assert normalise_text("Перевод") == "перевод"
    assert normalise_text("مساعدة") == "مساعدة"


def test_transform_uses_the_fitted_vocabulary() -> None:
    vectoriser = TextVectoriser().fit(["Mathe Nachhilfe", "Fahrrad"])
    seen, unseen = vectoriser.transform(["Mathematik", "xyzzy"])
    assert seen.nnz > 0
    assert unseen.nnz == 0


def test_texts_in_cyrillic_and_arabic_find_their_counterparts() -> None:
    needs = [need(1, text="Перевод документов, помощь в Jobcenter"), need(2, text="ترجمة عند الطبيب")]
    russian = volunteer(1, text="Могу помочь с переводом документов")
    arabic = volunteer(2, text="أساعد في الترجمة عند الطبيب")
    proposals = match([russian, arabic], needs, params(top_k=1))
    best = {p.volunteer_id: p.need_id for p in proposals if p.reasons["text_similarity"] > 0.1}
    assert best == {1: 1, 2: 2}


def test_a_volunteer_writing_hausaufgaben_mathe_ranks_homework_help_above_the_bike_workshop() -> None:
    needs = [need(1, text="Fahrradwerkstatt"), need(2, text="Hausaufgabenhilfe Mathematik")]
    proposals = match([volunteer(text="Hausaufgaben Mathe")], needs, params())
    assert [p.need_id for p in proposals] == [2, 1]


@pytest.mark.parametrize("chunk", [2, 4096])
@pytest.mark.parametrize("thin_rows", [0, 8])
def test_splitting_the_text_vectors_keeps_every_cosine_exact(
    chunk: int, thin_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text, "CHUNK_TEXTS", chunk)  # 2: texts analysed and split in several chunks
    # 0: these small blocks take the path of big ones (wide columns made dense, sparse × sparse rest)
    monkeypatch.setattr(scoring, "THIN_ROWS", thin_rows)
    volunteers = [
        volunteer(i, text=t) for i, t in enumerate(["Mathe Nachhilfe", "ödev", "Fahrrad fahren"], 1)
    ]
    needs = [
        need(j, text=t) for j, t in enumerate(["Mathematik Hausaufgaben", "Fahrradwerkstatt", "ödev"], 1)
    ]
    texts = [v.text for v in volunteers] + [n.text for n in needs]
    whole = TextVectoriser(word_share=WORD_SHARE).fit_transform(texts)
    expected = (whole[:3] @ whole[3:].T).toarray()
    for dense_cells in (0, 3 * 5, 10**6):
        encoder = Encoder(dense_cells=dense_cells)
        v, n = encoder.fit_transform(volunteers, needs, TODAY, 5)
        # With no dense cells, the shared columns are wide here (each is in over 1 % of the pairs).
        assert len(encoder.dense_columns_) <= dense_cells // 3
        assert len(encoder.wide_columns_) > 0 or dense_cells > 0
        # All rows, most of them, and one: one new profile against everyone reads the columns it uses,
        # a few rows read their own entries (SplitText.times_few).
        for rows in (slice(0, 3), slice(1, 3), slice(2, 3)):
            np.testing.assert_allclose(
                text_similarity(v, n, rows, slice(0, 3), 0.8), expected[rows], atol=1e-6
            )


def test_word_share_mixes_the_n_gram_and_the_word_cosines() -> None:
    texts = ["Hausaufgaben Mathe", "Mathe Hausaufgabenhilfe", "Fahrrad Mathe", "ödev"]
    grams = TextVectoriser().fit_transform(texts)
    words = TfidfVectorizer(sublinear_tf=True, token_pattern=r"\w+").fit_transform(texts)
    mixed = TextVectoriser(word_share=0.3).fit_transform(texts)
    expected = 0.7 * (grams @ grams.T).toarray() + 0.3 * (words @ words.T).toarray()
    np.testing.assert_allclose((mixed @ mixed.T).toarray(), expected, atol=1e-6)
    unseen = TextVectoriser(word_share=0.3).fit(texts).transform(["Mathe Geige"])
    assert unseen.shape == (1, mixed.shape[1])


def test_texts_analysed_in_chunks_get_the_same_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "Hausaufgabenhilfe Mathematik",
        "ödev yardımı matematik",
        "Fahrradwerkstatt",
        "допомога з домашнім завданням",
        "Hausaufgaben und Fahrrad",
        "",
        "Mathematik Mathematik",
    ]
    whole = TextVectoriser(word_share=WORD_SHARE).fit(texts)
    expected = whole.transform(texts).toarray()
    monkeypatch.setattr(text, "CHUNK_TEXTS", 2)  # four chunks, the vocabulary growing in each
    chunked = TextVectoriser(word_share=WORD_SHARE).fit(texts)
    vectors = chunked.transform(texts)
    # The same columns may be numbered differently; the cosines must agree.
    np.testing.assert_allclose((vectors @ vectors.T).toarray(), expected @ expected.T, atol=1e-6)
    # Document frequencies count the texts having each column, across all chunks.
    np.testing.assert_array_equal(
        chunked.document_frequency_, np.bincount(vectors.indices, minlength=vectors.shape[1])
    )
