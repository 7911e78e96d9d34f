"""The structure step: adjacent echoes go, distant repeats stay, reader-comment threads are cut."""
from cleaner.document import Document
from cleaner.registry import make_step

PARA = "The council voted on Monday to extend the tram line to the northern suburbs by the end of 2027."
QUESTION = ("What was the hardest part of the project for you and your team, and what would you do differently "
            "if the council asked you to build the next line?")


def run(text: str) -> Document:
    return make_step("structure")(Document(id="s", source="x/s.txt", text=text))


def test_a_paragraph_printed_twice_in_a_row_keeps_one_copy():
    doc = run("\n".join(["Tram line extended", PARA, PARA, "Work starts next spring, the mayor said in a statement."]))
    assert doc.text.split("\n").count(PARA) == 1
    assert [r.rule for r in doc.removed] == ["structure/repeated-paragraph"]


def test_a_question_asked_again_later_is_kept():
    answers = [f"Answer number {n} runs on for a while, as answers in long interviews usually do." for n in range(8)]
    text = "\n".join(["Interview with the engineers", PARA, *answers, QUESTION, PARA.replace("Monday", "Tuesday"),
                      "Another answer comes here, much shorter than the first one.",
                      QUESTION, "A second answer, given by the chief engineer of the works."])
    doc = run(text)
    assert doc.text.split("\n").count(QUESTION) == 2, [(r.text, r.rule) for r in doc.removed]


def test_a_dated_comment_thread_is_cut_but_a_quote_is_not():
    article = ["Tram line extended", PARA, "The mayor said:", "We will finish it on time and on budget, whatever happens."]
    comments = ["jdoe says:", "November 19, 2019 at 6:34 am", "Great news for the north.",
                "Ann Roe on November 19, 2019 at 7:02 am said:", "About time too."]
    doc = run("\n".join(article + comments))
    assert doc.text.split("\n") == article
    assert {r.rule for r in doc.removed} == {"structure/comment-thread"}
    assert run("\n".join(article)).removed == []


def test_a_repeated_table_header_is_not_a_repeated_headline():
    from cleaner.document import Document
    from cleaner.registry import make_step

    text = ("| Pos | Player | Plays | % |\n| 1 | Ann Lee | 12 | 40 |\n| Pos | Player | Plays | % |\n| 2 | Bo Park | 9 | 30 |\n"
            "The table above lists the players who took part in the final round of the season.")
    doc = make_step("structure")(Document(id="t", source="t", text=text))
    assert doc.text == text and not doc.removed


def test_a_headline_over_a_dateline_or_a_byline_is_the_title_and_the_menu_above_it_goes():
    for meta in (["12 March 2024, 10:41"], ["By Jane Doe"]):
        doc = run("\n".join(["Home", "News", "Tram Line Reaches the Northern Suburbs", *meta, PARA]))
        assert doc.title == "Tram Line Reaches the Northern Suburbs", meta
        assert {r.text for r in doc.removed} == {"Home", "News"}, meta


def test_a_poems_stanza_is_not_taken_for_a_headline():
    poem = "\n".join(["The Gulls Go Quiet", "", "the harbour sleeps", "the boats ride low", "on a black tide", ""])
    doc = run(poem)
    assert doc.removed == []
