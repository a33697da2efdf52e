"""Cross-lingual matching: a volunteer who writes only Turkish, Ukrainian, Russian, Arabic or English finds
the German need that means the same thing.

All needs share skills (none), district, languages and times, so only the free text decides. The profiles
carry the sentence embeddings of their texts, as stored profiles do. As in the app, all volunteers (every
text in every language) are matched in one run: the text signal centres each side on its own mean, which
a side gets from 20 profiles on; one volunteer alone against German needs is centred on a mean of mostly
German texts, which pushes every cosine of a foreign text below 0, where the signal is cut off.

A need counts as found when it is in the volunteer's top 3 by score with fewer than 3 other needs scoring
as high or higher: a tie of all needs (texts that share nothing) is not a find.

German paraphrases ("de") are the control: they should be found by spelling alone.
"""

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from matching.embedding import FusedEmbedder
from matching.pipeline import match
from matching.types import NeedProfile

from .profiles import need, params, volunteer

NEEDS = {
    "homework": "Hausaufgabenhilfe Mathematik für Grundschüler. Zwei Kinder der dritten Klasse brauchen "
    "Unterstützung beim Rechnen und bei den Hausaufgaben.",
    "doctor": "Begleitung zu Arztterminen. Eine ältere Frau braucht jemanden, der sie zum Hausarzt und ins "
    "Krankenhaus begleitet.",
    "conversation": "Deutsch-Konversation für Frauen. In einer Gesprächsgruppe üben geflüchtete Frauen, im "
    "Alltag Deutsch zu sprechen.",
    "bikes": "Fahrradwerkstatt: Reparatur mit Jugendlichen. Gemeinsam mit Jugendlichen gebrauchte Fahrräder "
    "reparieren und verkehrssicher machen.",
    "cooking": "Kochen im Seniorentreff. Einmal in der Woche gemeinsam mit älteren Menschen kochen und "
    "essen.",
    "forms": "Unterstützung beim Ausfüllen von Formularen beim Jobcenter. Hilfe bei Anträgen und Briefen "
    "von Behörden.",
    "flat": "Hilfe bei der Wohnungssuche. Eine Familie braucht Unterstützung bei Anzeigen, Besichtigungen "
    "und Gesprächen mit Vermietern.",
    "football": "Fußballtraining für Kinder. Der Sportverein sucht einen Trainer für eine Kindermannschaft.",
    "applications": "Bewerbungstraining. Hilfe beim Schreiben von Lebenslauf und Bewerbungen und "
    "Vorbereitung auf Vorstellungsgespräche.",
    "sewing": "Nähcafé. Mit der Nähmaschine Kleidung nähen, ändern und reparieren.",
}

# What a volunteer writes who would suit the need, in their own language only (no German loanwords).
VOLUNTEERS: dict[str, dict[str, str]] = {
    "homework": {
        "tr": "ödev yardımı, matematik",
        "uk": "допомога з домашнім завданням, математика",
        "ru": "помощь с домашними заданиями, математика",
        "ar": "مساعدة الأطفال في الواجبات المنزلية والرياضيات",
        "en": "helping primary school kids with homework and maths",
        "de": "Ich helfe Kindern gern bei Mathe und Hausaufgaben",
    },
    "doctor": {
        "tr": "doktor randevularına ve hastaneye eşlik etmek",
        "uk": "супровід до лікаря та в лікарню",
        "ru": "сопровождение к врачу и в больницу",
        "ar": "مرافقة المرضى إلى مواعيد الطبيب والمستشفى",
        "en": "accompanying people to doctor's appointments and hospital visits",
        "de": "Ich begleite Menschen zum Arzt",
    },
    "conversation": {
        "tr": "kadınlarla Almanca sohbet pratiği",
        "uk": "розмовна практика німецької мови для жінок",
        "ru": "разговорная практика немецкого языка для женщин",
        "ar": "محادثة باللغة الألمانية مع النساء",
        "en": "German conversation practice with women",
        "de": "Gesprächsrunde auf Deutsch mit Frauen",
    },
    "bikes": {
        "tr": "gençlerle birlikte bisiklet tamiri",
        "uk": "ремонт велосипедів разом з підлітками",
        "ru": "ремонт велосипедов вместе с подростками",
        "ar": "تصليح الدراجات الهوائية مع الشباب",
        "en": "repairing bicycles together with teenagers",
        "de": "Fahrräder reparieren mit Jugendlichen",
    },
    "cooking": {
        "tr": "yaşlılarla birlikte yemek pişirmek",
        "uk": "готувати їжу разом з літніми людьми",
        "ru": "готовить еду вместе с пожилыми людьми",
        "ar": "الطبخ مع كبار السن",
        "en": "cooking together with senior citizens",
        "de": "gemeinsam kochen mit Senioren",
    },
    "forms": {
        "tr": "resmi dairelerin formlarını ve dilekçelerini doldurmaya yardım",
        "uk": "допомога із заповненням анкет і заяв для центру зайнятості",
        "ru": "помощь в заполнении анкет и заявлений для центра занятости",
        "ar": "المساعدة في ملء الاستمارات والطلبات لمكتب العمل",
        "en": "help filling in forms and applications for the job centre",
        "de": "Hilfe beim Ausfüllen von Anträgen und Formularen",
    },
    "flat": {
        "tr": "ev arayan ailelere yardım, ev sahipleriyle görüşme",
        "uk": "допомога в пошуку житла, розмови з орендодавцями",
        "ru": "помощь в поиске квартиры, разговоры с арендодателями",
        "ar": "المساعدة في البحث عن شقة والتواصل مع المؤجرين",
        "en": "helping families find a flat and talk to landlords",
        "de": "Unterstützung bei der Suche nach einer Wohnung",
    },
    "football": {
        "tr": "çocuklara futbol antrenmanı",
        "uk": "тренування з футболу для дітей",
        "ru": "тренировки по футболу для детей",
        "ar": "تدريب كرة القدم للأطفال",
        "en": "coaching a children's football team",
        "de": "Fußball-Trainer für Kinder",
    },
    "applications": {
        "tr": "özgeçmiş ve iş başvurusu yazmaya yardım, iş görüşmesine hazırlık",
        "uk": "допомога з резюме та заявами на роботу, підготовка до співбесіди",
        "ru": "помощь с резюме и откликами на вакансии, подготовка к собеседованию",
        "ar": "المساعدة في كتابة السيرة الذاتية وطلبات العمل والتحضير للمقابلات",
        "en": "help writing CVs and job applications, interview preparation",
        "de": "Lebenslauf und Bewerbung schreiben",
    },
    "sewing": {
        "tr": "dikiş makinesiyle dikiş, kıyafet tamiri",
        "uk": "шиття на швейній машинці, ремонт одягу",
        "ru": "шитьё на швейной машинке, ремонт одежды",
        "ar": "الخياطة على ماكينة الخياطة وتصليح الملابس",
        "en": "sewing with a sewing machine, mending clothes",
        "de": "Nähen und Kleidung ausbessern",
    },
}
LANGUAGES = ("tr", "uk", "ru", "ar", "en", "de")
CASES = [(language, key) for language in LANGUAGES for key in NEEDS]
NEED_IDS = {key: i for i, key in enumerate(NEEDS, start=1)}


def test_the_fixture_is_complete() -> None:
    assert len(NEEDS) >= 8
    assert set(VOLUNTEERS) == set(NEEDS)
    assert all(set(texts) == set(LANGUAGES) for texts in VOLUNTEERS.values())


@pytest.fixture(scope="module")
def embeddings() -> Iterator[dict[str, NDArray[np.float32]]]:
    """The sentence embedding of every text of this module, computed once."""
    texts = sorted(
        {*NEEDS.values(), *(text for by_language in VOLUNTEERS.values() for text in by_language.values())}
    )
    yield dict(zip(texts, FusedEmbedder().embed(texts), strict=True))


@pytest.fixture(scope="module")
def needs(embeddings: dict[str, NDArray[np.float32]]) -> list[NeedProfile]:
    return [need(NEED_IDS[key], text=text, embedding=embeddings[text]) for key, text in NEEDS.items()]


@pytest.fixture(scope="module")
def scores(
    needs: list[NeedProfile], embeddings: dict[str, NDArray[np.float32]]
) -> dict[tuple[str, str], dict[str, float]]:
    """Every case's volunteer's score for every need, from one run over all of them."""
    candidates = [
        replace(
            volunteer(
                i, text=VOLUNTEERS[key][language], languages={language: "native", "de": "B1"}, slots=()
            ),
            embedding=embeddings[VOLUNTEERS[key][language]],
        )
        for i, (language, key) in enumerate(CASES, start=1)
    ]
    by_pair = {
        (p.volunteer_id, p.need_id): p.score
        for p in match(candidates, needs, params(top_k=len(needs), min_score=0.0))
    }
    found = {}
    for i, case in enumerate(CASES, start=1):
        found[case] = {
            key: by_pair[(i, need_id)] for key, need_id in NEED_IDS.items() if (i, need_id) in by_pair
        }
        assert set(found[case]) == set(NEEDS), f"every need is open to the volunteer of {case}"
    return found


@pytest.mark.parametrize(("language", "key"), CASES, ids=[f"{language}-{key}" for language, key in CASES])
def test_the_need_that_means_the_same_is_in_the_volunteers_top_3(
    language: str, key: str, scores: dict[tuple[str, str], dict[str, float]]
) -> None:
    text = VOLUNTEERS[key][language]
    scores = scores[(language, key)]

    as_high = sorted(other for other, score in scores.items() if other != key and score >= scores[key])
    ranking = sorted(scores, key=lambda k: -scores[k])
    assert len(as_high) < 3, (
        f"{text!r} should find {key!r} (score {scores[key]:.4f}) but {len(as_high)} needs score as high: "
        f"{[(k, round(scores[k], 4)) for k in ranking[:5]]}"
    )
