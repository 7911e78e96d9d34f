"""Language tags: ISO 639-1 codes from seeded langdetect, `und` when short or unsure, deterministic."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from cleaner.document import Document
from cleaner.registry import make_step
from cleaner.steps.langid import SAMPLE_CHARS, detect_language, language_probabilities, sample_text

SENTENCES = {
    "en": "The council approved the new budget after a long debate about the state of the city's roads.",
    "de": "Der Stadtrat hat den neuen Haushalt nach einer langen Debatte über den Zustand der Straßen beschlossen.",
    "fr": "Le conseil municipal a approuvé le nouveau budget après un long débat sur l'état des routes de la ville.",
    "es": "El ayuntamiento aprobó el nuevo presupuesto después de un largo debate sobre el estado de las carreteras.",
    "it": "Il consiglio comunale ha approvato il nuovo bilancio dopo un lungo dibattito sullo stato delle strade.",
    "pt": "A câmara municipal aprovou o novo orçamento depois de um longo debate sobre o estado das estradas da cidade.",
    "nl": "De gemeenteraad heeft de nieuwe begroting goedgekeurd na een lang debat over de staat van de wegen.",
    "ru": "Городской совет утвердил новый бюджет после долгих споров о состоянии дорог в городе.",
    "zh": "市议会在就城市道路状况进行了长时间辩论之后，批准了新的预算方案。",
    "ja": "市議会は、市内の道路の状態について長い議論を行った後、新しい予算を承認しました。",
}


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_sentences_get_their_language(lang):
    code, prob = detect_language(SENTENCES[lang])
    assert code == lang
    assert 0.7 <= prob <= 1.0


@pytest.mark.parametrize("text", ["Guten Tag!", "hello you", "12345 67890", "", "   \n  ", "https://example.org/a?b=c"])
def test_too_short_or_no_letters_is_und(text):
    assert detect_language(text) == ("und", 0.0)


def test_chinese_variants_are_merged_and_never_korean_without_hangul():
    probs = language_probabilities(SENTENCES["zh"])
    assert [code for code, _ in probs] == ["zh"]
    assert not any(code in ("zh-cn", "zh-tw", "ko") for code, _ in probs)


def test_deterministic_across_calls_and_threads():
    texts = [t for t in SENTENCES.values()] + ["ein kurzer Satz hier", "una frase corta aquí"]
    first = [detect_language(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(detect_language, texts * 3))
    assert again == first * 3


def test_sample_is_bounded_and_taken_from_the_middle():
    head = "Home | News | Sport | Weather | Contact us today"
    body = [f"Paragraph {i} of the story tells what happened in the town on that day." for i in range(100)]
    text = "\n".join([head] * 5 + body + ["Cookie settings and privacy policy for this site"] * 5)
    sample = sample_text(text)
    assert len(sample) <= SAMPLE_CHARS
    assert "Paragraph 50 " in sample and head not in sample
    assert sample_text("short text") == "short text"


def test_long_document_with_english_chrome_is_tagged_by_its_body():
    body = "\n".join([SENTENCES["de"]] * 40)
    chrome = "\n".join(["Share on Facebook", "Follow us on Twitter", "Subscribe to our newsletter"] * 10)
    assert detect_language(chrome + "\n" + body + "\n" + chrome)[0] == "de"


def test_step_sets_lang_and_score():
    step = make_step("langid")
    assert step.name == "langid"
    doc = step(Document(id="1", source="s", text=SENTENCES["fr"]))
    assert doc.lang == "fr" and doc.lang_score >= 0.7
    doc = step(Document(id="2", source="s", text="ok"))
    assert (doc.lang, doc.lang_score) == ("und", 0.0)
