"""Fixed-seed synthetic volunteers and needs that look like Kaufbeuren's data.

Free texts are assembled from phrase fragments per topic in German (most), Turkish, Arabic, Russian,
Ukrainian and English, followed by the German label and synonyms of each skill, as workers/convert.py
builds them. Texts come from a pool whose size grows with n, as real people write similar things: at
100k volunteers × 10k needs there are about 3,000 distinct texts: e5-small costs about 0.2 CPU seconds
per text here, so that keeps the one-off embedding to minutes.
Skill keys and districts come from app/data (read as JSON; the matching library never imports app).
"""

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching.types import NeedProfile, Slot, VolunteerProfile

TODAY = date(2026, 3, 2)  # a Monday; fixed so that ages and certificate validity are reproducible
DATA = Path(__file__).resolve().parents[1] / "app" / "data"
TEXT_LANGUAGES = ("de", "tr", "ar", "ru", "uk", "en")
VOLUNTEER_TEXT_WEIGHTS = (0.5, 0.12, 0.1, 0.1, 0.1, 0.08)
NEED_TEXT_WEIGHTS = (0.7, 0.07, 0.06, 0.06, 0.06, 0.05)  # needs are mostly written by the offices
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")

# topic (a vocabulary key) -> language -> phrases separated by "|"
PHRASES: dict[str, dict[str, str]] = {
    "homework_help": {
        "de": "Hausaufgabenhilfe für Grundschulkinder|Lernen für Klassenarbeiten und Referate|"
        "Hausaufgaben in Deutsch und Englisch|Lernbegleitung nach der Schule",
        "tr": "ilkokul çocuklarına ödev yardımı|sınavlara hazırlık|okul ödevleri ve ders çalışma",
        "ar": "مساعدة الأطفال في الواجبات المدرسية|التحضير للامتحانات|الدراسة بعد المدرسة",
        "ru": "помощь с домашними заданиями для школьников|подготовка к контрольным|занятия после школы",
        "uk": "допомога з домашніми завданнями для школярів|підготовка до контрольних|навчання після школи",
        "en": "homework help for primary school children|preparing for school tests|studying after school",
    },
    "german_practice": {
        "de": "Deutsch üben im Alltag|Gespräche auf Deutsch im Sprachcafé|Vorbereitung auf die B1-Prüfung|"
        "Aussprache und Grammatik üben",
        "tr": "günlük hayatta Almanca pratiği|Almanca konuşma|B1 sınavına hazırlık",
        "ar": "ممارسة اللغة الألمانية في الحياة اليومية|محادثة باللغة الألمانية|التحضير لامتحان B1",
        "ru": "разговорная практика немецкого языка|подготовка к экзамену B1|немецкий для повседневной жизни",
        "uk": "розмовна практика німецької мови|підготовка до іспиту B1|німецька для щоденного життя",
        "en": "German conversation practice|preparing for the B1 exam|everyday German",
    },
    "accompanying": {
        "de": "Begleitung zu Ämtern und Behörden|Begleitung zu Arztbesuchen|Hilfe bei Terminen im Jobcenter|"
        "Unterstützung bei Formularen und Anträgen",
        "tr": "resmi dairelere refakat|doktora giderken eşlik|form doldurmada yardım",
        "ar": "المرافقة إلى الدوائر الحكومية|المرافقة إلى الطبيب|المساعدة في ملء الاستمارات",
        "ru": "сопровождение в ведомства|сопровождение к врачу|помощь с формулярами и заявлениями",
        "uk": "супровід до установ|супровід до лікаря|допомога з формулярами та заявами",
        "en": "accompanying people to the authorities|going along to doctor appointments|"
        "help with forms and applications",
    },
    "sports": {
        "de": "Fußballtraining für Jugendliche|gemeinsam Schwimmen gehen|Laufgruppe am Wochenende|"
        "Sport und Bewegung im Verein",
        "tr": "gençler için futbol antrenmanı|birlikte yüzmeye gitmek|hafta sonu koşu grubu",
        "ar": "تدريب كرة القدم للشباب|السباحة معاً|مجموعة الجري في عطلة نهاية الأسبوع",
        "ru": "футбольные тренировки для подростков|совместное плавание|группа бега по выходным",
        "uk": "футбольні тренування для підлітків|спільне плавання|група бігу на вихідних",
        "en": "football training for teenagers|going swimming together|weekend running group",
    },
    "cooking": {
        "de": "gemeinsam Kochen und Backen|Kochabend mit Rezepten aus aller Welt|Backen mit Kindern|"
        "gesunde Küche mit wenig Geld",
        "tr": "birlikte yemek pişirmek ve pasta yapmak|dünya mutfağından tarifler|çocuklarla kek yapmak",
        "ar": "الطبخ والخبز معاً|وصفات من جميع أنحاء العالم|الخبز مع الأطفال",
        "ru": "готовить и печь вместе|рецепты со всего мира|выпечка с детьми",
        "uk": "готувати й пекти разом|рецепти з усього світу|випічка з дітьми",
        "en": "cooking and baking together|recipes from around the world|baking with children",
    },
    "bike_repair": {
        "de": "Fahrräder reparieren in der Fahrradwerkstatt|Fahrradfahren lernen für Erwachsene|"
        "Reifen flicken und Bremsen einstellen",
        "tr": "bisiklet tamiri|yetişkinlere bisiklet sürmeyi öğretmek|lastik yamamak ve fren ayarlamak",
        "ar": "إصلاح الدراجات الهوائية|تعليم الكبار ركوب الدراجة|إصلاح الإطارات وضبط الفرامل",
        "ru": "ремонт велосипедов|обучение езде на велосипеде для взрослых|заклеить шину и настроить тормоза",
        "uk": "ремонт велосипедів|навчання їзди на велосипеді для дорослих|заклеїти шину",
        "en": "bicycle repair in the bike workshop|teaching adults to ride a bike|fixing tyres and brakes",
    },
    "interpreting": {
        "de": "Dolmetschen bei Gesprächen|Übersetzen von Briefen und Dokumenten|Sprachmittlung in der Schule",
        "tr": "görüşmelerde tercümanlık|mektup ve belgelerin çevirisi|veli toplantısında tercüme",
        "ar": "الترجمة الفورية في المواعيد|ترجمة الرسائل والوثائق|الترجمة في اجتماع أولياء الأمور",
        "ru": "устный перевод на встречах|перевод писем и документов|перевод на родительском собрании",
        "uk": "усний переклад на зустрічах|переклад листів і документів|переклад на батьківських зборах",
        "en": "interpreting at appointments|translating letters and documents|interpreting at school",
    },
    "computer_help": {
        "de": "Hilfe am Computer und Smartphone|E-Mails schreiben und Online-Formulare ausfüllen|"
        "Handy und WLAN einrichten|Grundlagen am PC",
        "tr": "bilgisayar ve akıllı telefon yardımı|e-posta ve online formlar|internet kurulumu",
        "ar": "المساعدة في استخدام الكمبيوتر والهاتف الذكي|كتابة البريد الإلكتروني|إعداد الهاتف والإنترنت",
        "ru": "помощь с компьютером и смартфоном|электронные письма и онлайн-формы|настройка телефона",
        "uk": "допомога з комп'ютером і смартфоном|електронні листи та онлайн-форми|налаштування телефону",
        "en": "help with computers and smartphones|writing emails and online forms|setting up phones",
    },
    "childcare": {
        "de": "Kinderbetreuung am Nachmittag|Spielgruppe für Kleinkinder|"
        "Betreuung während des Deutschkurses der Eltern",
        "tr": "öğleden sonra çocuk bakımı|küçük çocuklar için oyun grubu|kurs sırasında çocuk bakımı",
        "ar": "رعاية الأطفال بعد الظهر|مجموعة لعب للأطفال الصغار|رعاية الأطفال أثناء دورة اللغة للوالدين",
        "ru": "присмотр за детьми после обеда|игровая группа для малышей|присмотр за детьми во время курса",
        "uk": "догляд за дітьми після обіду|ігрова група для малюків|догляд за дітьми під час курсу",
        "en": "childcare in the afternoon|playgroup for toddlers|looking after children during a course",
    },
    "gardening": {
        "de": "Arbeit im Gemeinschaftsgarten|Gemüse anbauen und Beete pflegen|Gartenarbeit mit Familien",
        "tr": "topluluk bahçesinde çalışmak|sebze yetiştirmek|ailelerle bahçe işleri",
        "ar": "العمل في الحديقة المجتمعية|زراعة الخضروات|أعمال الحديقة مع العائلات",
        "ru": "работа в общественном саду|выращивание овощей|садовые работы с семьями",
        "uk": "робота в громадському саду|вирощування овочів|садові роботи з родинами",
        "en": "working in the community garden|growing vegetables|gardening with families",
    },
    "maths_tutoring": {
        "de": "Nachhilfe in Mathematik|Mathe für die Ausbildung|Rechnen üben mit Schulkindern",
        "tr": "matematik özel dersi|meslek eğitimi için matematik|çocuklarla hesap alıştırması",
        "ar": "دروس خصوصية في الرياضيات|الرياضيات للتدريب المهني|تمارين الحساب مع الأطفال",
        "ru": "репетиторство по математике|математика для профобучения|решать задачи со школьниками",
        "uk": "репетиторство з математики|математика для профнавчання|розв'язувати задачі зі школярами",
        "en": "maths tutoring|maths for vocational training|practising arithmetic with pupils",
    },
    "senior_visits": {
        "de": "Besuche bei Senioren|Spaziergänge mit älteren Menschen|Vorlesen im Seniorenheim",
        "tr": "yaşlıları ziyaret etmek|yaşlılarla yürüyüş|huzurevinde kitap okumak",
        "ar": "زيارة كبار السن|التنزه مع كبار السن|القراءة في دار المسنين",
        "ru": "посещение пожилых людей|прогулки с пожилыми|чтение вслух в доме престарелых",
        "uk": "відвідування літніх людей|прогулянки з літніми людьми|читання вголос у будинку для літніх",
        "en": "visiting elderly people|walks with older people|reading aloud in a care home",
    },
}
OFFER = {
    "de": "Ich helfe gern bei: {}.|Ich biete an: {}.|Erfahrung habe ich mit: {}.|Gerne unterstütze ich: {}.",
    "tr": "Şu konuda yardım edebilirim: {}.|Sunabileceklerim: {}.|Deneyimim var: {}.",
    "ar": "يمكنني المساعدة في: {}.|أقدم: {}.|لدي خبرة في: {}.",
    "ru": "Могу помочь: {}.|Предлагаю: {}.|Есть опыт: {}.",
    "uk": "Можу допомогти: {}.|Пропоную: {}.|Маю досвід: {}.",
    "en": "I can help with {}.|I offer {}.|I have experience with {}.",
}
INTRO = {
    "de": "Hallo!|Ich bin Rentnerin und habe viel Zeit.|Ich studiere an der Hochschule.|"
    "Ich wohne seit Jahren in Kaufbeuren.|Ich bin berufstätig, habe aber abends Zeit.",
    "tr": "Merhaba!|Emekliyim ve vaktim çok.|Üniversitede okuyorum.|Yıllardır Kaufbeuren'de yaşıyorum.",
    "ar": "مرحباً!|أنا متقاعد ولدي وقت كثير.|أنا طالب في الجامعة.|أعيش في كاوفبويرن منذ سنوات.",
    "ru": "Здравствуйте!|Я на пенсии, и у меня много времени.|Я студентка.|Я давно живу в Кауфбойрене.",
    "uk": "Привіт!|Я на пенсії і маю багато часу.|Я студентка.|Я вже кілька років живу в Кауфбойрені.",
    "en": "Hello!|I am retired and have lots of time.|I am a student.|I have lived in Kaufbeuren for years.",
}
OUTRO = {
    "de": "Am liebsten nachmittags.|Ich habe ein Auto.|Gerne auch am Wochenende.|Ich spreche auch Englisch.",
    "tr": "Tercihen öğleden sonra.|Arabam var.|Hafta sonları da olur.",
    "ar": "أفضّل فترة بعد الظهر.|لدي سيارة.|ممكن أيضاً في عطلة نهاية الأسبوع.",
    "ru": "Лучше во второй половине дня.|У меня есть машина.|Можно и по выходным.",
    "uk": "Краще після обіду.|Маю машину.|Можна й на вихідних.",
    "en": "Preferably in the afternoon.|I have a car.|Weekends are fine too.",
}
TITLE = {
    "de": "{} gesucht|Unterstützung: {}|Wer hilft? {}",
    "tr": "Aranıyor: {}|Destek: {}",
    "ar": "مطلوب: {}|دعم: {}",
    "ru": "Ищем: {}|Нужна помощь: {}",
    "uk": "Шукаємо: {}|Потрібна допомога: {}",
    "en": "Wanted: {}|Looking for help: {}",
}
DESCRIPTION = {
    "de": "Wir suchen Ehrenamtliche für: {}.|Eine Familie wünscht sich Hilfe: {}.|"
    "Für unsere Einrichtung suchen wir jemanden: {}.",
    "tr": "Gönüllü arıyoruz: {}.|Bir aile yardım istiyor: {}.",
    "ar": "نبحث عن متطوعين: {}.|عائلة تحتاج إلى مساعدة: {}.",
    "ru": "Ищем волонтёров: {}.|Семья просит помощи: {}.",
    "uk": "Шукаємо волонтерів: {}.|Родина просить допомоги: {}.",
    "en": "We are looking for volunteers: {}.|A family would like help: {}.",
}
# Weekly windows (start hour, end hour); weekdays are likelier than weekends.
WINDOWS = ((9, 12), (10, 13), (14, 17), (15, 18), (16, 19), (17, 20), (18, 21))
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.4)
RADII_KM = (2.0, 3.0, 5.0, 5.0, 8.0, 10.0, 15.0, 25.0)


def _split(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {lang: tuple(value.split("|")) for lang, value in table.items()}


@cache
def _vocabulary() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))
    return result


@cache
def districts() -> tuple[tuple[str, float, float], ...]:
    """(slug, latitude, longitude) of Kaufbeuren's districts."""
    rows = json.loads((DATA / "districts.json").read_text(encoding="utf-8"))["districts"]
    return tuple((d["slug"], float(d["latitude"]), float(d["longitude"])) for d in rows)


@cache
def skill_words() -> dict[str, str]:
    """Key -> German label plus synonyms: what the app appends to a profile's free text."""
    return {s["key"]: " ".join([s["labels"].get("de", ""), *s["synonyms"]]) for s in _vocabulary()["skills"]}


@dataclass(frozen=True)
class _Text:
    text: str  # the person's own words followed by the skill words, as the app builds it
    language: str
    skills: frozenset[str]
    own_words: str  # what the person wrote: what the app embeds


def _pick(rng: random.Random, table: dict[str, tuple[str, ...]], lang: str) -> str:
    return rng.choice(table[lang])


def _phrases(rng: random.Random, topic: str, lang: str) -> str:
    options = PHRASES[topic][lang].split("|")
    return ", ".join(rng.sample(options, rng.choice((1, 1, 2))))


def _volunteer_texts(count: int, seed: int) -> list[_Text]:
    # An own generator per pool: the pool of a smaller n is a prefix of a larger one, so cached
    # embeddings of a quick run are reused by the full-size run.
    rng = random.Random(f"volunteer-texts-{seed}")
    offer, intro, outro = _split(OFFER), _split(INTRO), _split(OUTRO)
    topics_all, keys_all = sorted(PHRASES), sorted(skill_words())
    pool = []
    for _ in range(count):
        lang = rng.choices(TEXT_LANGUAGES, VOLUNTEER_TEXT_WEIGHTS)[0]
        topics = rng.sample(topics_all, rng.choice((1, 2, 2, 3)))
        parts = [_pick(rng, intro, lang)] if rng.random() < 0.6 else []
        parts += [_pick(rng, offer, lang).format(_phrases(rng, t, lang)) for t in topics]
        if rng.random() < 0.4:
            parts.append(_pick(rng, outro, lang))
        if lang != "de" and rng.random() < 0.2:  # some write one sentence in German as well
            parts.append(_pick(rng, offer, "de").format(_phrases(rng, topics[0], "de")))
        skills = set(topics)
        if rng.random() < 0.3:  # a tag the text does not mention
            skills.add(rng.choice(keys_all))
        text = " ".join(parts + [skill_words()[s] for s in sorted(skills)])
        pool.append(_Text(text, lang, frozenset(skills), " ".join(parts)))
    return pool


def _need_texts(count: int, seed: int) -> list[_Text]:
    rng = random.Random(f"need-texts-{seed}")
    title, description = _split(TITLE), _split(DESCRIPTION)
    topics_all = sorted(PHRASES)
    pool = []
    for _ in range(count):
        lang = rng.choices(TEXT_LANGUAGES, NEED_TEXT_WEIGHTS)[0]
        topics = rng.sample(topics_all, rng.choice((1, 1, 2)))
        parts = [_pick(rng, title, lang).format(PHRASES[topics[0]][lang].split("|")[0])]
        parts += [_pick(rng, description, lang).format(_phrases(rng, t, lang)) for t in topics]
        text = " ".join(parts + [skill_words()[s] for s in topics])
        pool.append(_Text(text, lang, frozenset(topics), " ".join(parts)))
    return pool


def volunteer_pool_size(n: int) -> int:
    return max(30, n // 50)


def need_pool_size(n: int) -> int:
    return max(20, n // 10)


def _slots(rng: random.Random, count: int) -> tuple[Slot, ...]:
    chosen = set()
    for _ in range(count):
        weekday = rng.choices(range(7), WEEKDAY_WEIGHTS)[0]
        start, end = rng.choice(WINDOWS)
        chosen.add(Slot(weekday, start * 60, end * 60))
    return tuple(sorted(chosen, key=lambda s: (s.weekday, s.start_minute)))


def _years_ago(rng: random.Random, low: float, high: float) -> date:
    return TODAY - timedelta(days=int(rng.uniform(low, high) * 365.25))


def make_volunteers(n: int, seed: int = 0) -> list[VolunteerProfile]:
    pool = _volunteer_texts(volunteer_pool_size(n), seed)
    rng = random.Random(f"volunteers-{seed}")
    places = districts()
    others = [code for code in _vocabulary()["languages"] if code not in TEXT_LANGUAGES]
    result = []
    for i in range(n):
        entry = pool[rng.randrange(len(pool))]
        lang = entry.language
        languages = {"de": "native"} if lang == "de" else {lang: "native"}
        if lang != "de":
            languages["de"] = rng.choices(LEVELS[:5], (0.03, 0.12, 0.35, 0.3, 0.2))[0]
        if rng.random() < 0.4:
            languages.setdefault("en", rng.choice(("A2", "B1", "B2", "C1")))
        if rng.random() < 0.15:
            languages.setdefault(rng.choice(others), rng.choice(LEVELS))
        slug, lat, lon = rng.choice(places)
        capacity = rng.randint(1, 3)
        result.append(
            VolunteerProfile(
                id=i + 1,
                text=entry.text,
                own_words=entry.own_words,
                skills=entry.skills,
                languages=languages,
                slots=_slots(rng, rng.randint(2, 7)),
                district=slug,
                location=(lat, lon),
                travel_radius_km=rng.choice(RADII_KM),
                birth_date=None if rng.random() < 0.05 else _years_ago(rng, 16, 80),
                certificate_inspected_on=_years_ago(rng, 0, 7) if rng.random() < 0.55 else None,
                max_active_pairings=capacity,
                active_pairings=capacity if rng.random() < 0.08 else rng.randrange(capacity),
                paused=rng.random() < 0.05,
                times_proposed=rng.randint(0, 8),
            )
        )
    return result


def make_needs(n: int, seed: int = 0) -> list[NeedProfile]:
    pool = _need_texts(need_pool_size(n), seed)
    rng = random.Random(f"needs-{seed}")
    places = districts()
    result = []
    for i in range(n):
        entry = pool[rng.randrange(len(pool))]
        r = rng.random()
        other = rng.choice(TEXT_LANGUAGES[1:])
        required = {"de"} if r < 0.3 else {"de", other} if r < 0.34 else {other} if r < 0.37 else set()
        welcome = set(rng.sample(TEXT_LANGUAGES, rng.randint(1, 2))) if rng.random() < 0.5 else set()
        one_off = TODAY + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.1 else None
        fixed = one_off is not None or rng.random() < 0.4
        slug, lat, lon = rng.choice(places)
        children = bool(entry.skills & {"childcare", "homework_help", "maths_tutoring"})
        result.append(
            NeedProfile(
                id=i + 1,
                text=entry.text,
                own_words=entry.own_words,
                skills=entry.skills,
                required_languages=frozenset(required),
                welcome_languages=frozenset(welcome - required),
                slots=_slots(rng, 1 if one_off else rng.randint(1, 2)) if fixed else (),
                district=slug,
                location=(lat, lon),
                one_off_date=one_off,
                requires_certificate=rng.random() < (0.35 if children else 0.05),
                min_age=rng.choice((18, 18, 21)) if rng.random() < 0.12 else None,
                open_places=0 if rng.random() < 0.05 else rng.randint(1, 3),
                paused=rng.random() < 0.03,
            )
        )
    return result


def distinct_texts(
    *groups: Sequence[VolunteerProfile] | Sequence[NeedProfile],
) -> tuple[list[str], list[NDArray[np.int64]]]:
    """The distinct embedded texts of all groups (own words, as the app embeds them; sorted, so stable),
    and per group each profile's row in them."""
    texts = sorted({p.own_words or p.text for group in groups for p in group})
    row = {text: i for i, text in enumerate(texts)}
    return texts, [np.array([row[p.own_words or p.text] for p in group], dtype=np.int64) for group in groups]
