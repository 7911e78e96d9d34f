"""The langid step's fast langdetect Detector gives stock langdetect's probabilities bit for bit (early exit
off), and with its early exit the same answer."""
import functools

from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY

from cleaner import langdetect_fast
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


@functools.lru_cache(maxsize=1)
def stock_factory() -> DetectorFactory:
    """Profiles loaded by langdetect itself (not by the step's array loader)."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = langdetect_fast.SEED
    return factory


def stock_probabilities(text: str) -> list[tuple[str, float]]:
    det = Detector(stock_factory())
    det.append(text)
    return [(l.lang, l.prob) for l in det.get_probabilities()]


def fast_probabilities(text: str, early_exit: bool = False) -> list[tuple[str, float]]:
    det = langdetect_fast.get_factory().create()
    assert type(det) is not Detector
    det.early_exit = early_exit
    det.append(text)
    return [(l.lang, l.prob) for l in det.get_probabilities()]


def test_fast_detector_is_bit_identical_to_stock_langdetect():
    for text in TEXTS + [" ".join(TEXTS)]:
        assert fast_probabilities(text) == stock_probabilities(text), text


def test_profile_arrays_equal_stock_profiles():
    ours, stock = langdetect_fast.get_factory(), stock_factory()
    assert ours.langlist == stock.langlist
    assert list(ours.word_lang_prob_map) == list(stock.word_lang_prob_map)
    for gram, probs in stock.word_lang_prob_map.items():
        assert ours.word_lang_prob_map[gram] == probs, gram


def test_stock_detector_on_the_step_factory_is_stock():
    for text in TEXTS:
        det = Detector(langdetect_fast.get_factory())
        det.append(text)
        assert [(l.lang, l.prob) for l in det.get_probabilities()] == stock_probabilities(text), text


def test_early_exit_keeps_the_stock_answer():
    """Stopping after 3 agreeing, near-certain trials: same language, score within 0.002 (after the
    step's own merging of zh-cn and zh-tw into zh, which is what it reports)."""
    def merged(probs, text):
        out = {}
        for code, p in probs:
            code = langid.CODE_MAP.get(code, code)
            out[code] = out.get(code, 0.0) + p
        for code in langid._impossible_languages(text) & out.keys():   # the step's script check
            del out[code]
        total = sum(out.values())
        if not out:
            return ("und", 0.0)
        return max(((c, p / total) for c, p in out.items()), key=lambda kv: kv[1])

    long_texts = [" ".join(TEXTS)] + [" ".join([t] * 12) for t in TEXTS]
    for text in TEXTS + long_texts:
        stock = merged(stock_probabilities(text), text)
        fast = merged(fast_probabilities(text, early_exit=True), text)
        assert fast[0] == stock[0], text
        assert abs(fast[1] - stock[1]) < 0.002, text


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
