"""The langid step's fast langdetect Detector must give stock langdetect's probabilities bit for bit."""
from langdetect.detector import Detector

from cleaner.steps import langid

TEXTS = [
    "The committee will meet again on Tuesday to discuss the budget for next year.",
    "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, contestée par les syndicats.",
    "Die Regierung hat am Dienstag eine neue Rentenreform angekündigt, die von den Gewerkschaften kritisiert wird.",
    "El gobierno anunció el martes una nueva reforma de las pensiones.",
    "Правительство во вторник объявило о новой пенсионной реформе.",
    "政府は火曜日、新しい年金改革を発表した。",
    "정부는 화요일 새로운 연금 개혁을 발표했다.",
    "政府周二宣布了新的养老金改革方案。",
    "ok",
    "Shr 3 cts vs 4 cts Net 1,234,000 vs 987,000 Revs 12.3 mln vs 11.1 mln",
]


def stock_probabilities(text: str) -> list[tuple[str, float]]:
    factory = langid._get_factory()
    det = Detector(factory)
    det.append(text)
    return [(l.lang, l.prob) for l in det.get_probabilities()]


def fast_probabilities(text: str) -> list[tuple[str, float]]:
    det = langid._get_factory().create()
    assert type(det) is not Detector
    det.append(text)
    return [(l.lang, l.prob) for l in det.get_probabilities()]


def test_fast_detector_is_bit_identical_to_stock_langdetect():
    for text in TEXTS + [" ".join(TEXTS)]:
        assert fast_probabilities(text) == stock_probabilities(text), text


def test_letter_weight_stops_early_but_agrees_on_the_threshold():
    for text in TEXTS:
        full = langid.letter_weight(text)
        early = langid.letter_weight(text, enough=langid.MIN_LETTERS)
        assert (full >= langid.MIN_LETTERS) == (early >= langid.MIN_LETTERS)
        assert early <= full


def test_impossible_languages_by_script():
    assert langid._impossible_languages("plain latin text") == {"ko", "ja"}
    assert langid._impossible_languages("政府周二宣布") == {"ko", "ja"}
    assert langid._impossible_languages("政府は火曜日") == {"ko", "zh"}
    assert langid._impossible_languages("정부는 화요일") == {"ja", "zh"}
