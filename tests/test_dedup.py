"""cleaner.dedup on small fixtures written for these tests: copies merge, related reports stay apart."""
from __future__ import annotations

import pickle
import random

import pytest

from cleaner.dedup import DedupConfig, as_template_test, find_clusters, signature, template_keys_from
from cleaner.linefreq import LineCounts, document_keys

STORY = """The town council of Marlow Bridge voted on Tuesday evening to close the old ferry crossing after ninety years of service, citing rising repair costs and falling passenger numbers.
Council leader Agnes Whitcombe said the decision had not been taken lightly. "We looked at every option, including a community trust, but the hull needs a complete rebuild," she told reporters outside the chamber.
The ferry, known locally as the Dipper, carried about forty passengers a day last summer, down from more than two hundred in the 1980s. A footbridge two miles upstream opened in 2009.
Residents of the east bank, many of them elderly, say the footbridge is too far to walk. Tom Hadley, 78, who has used the ferry since he was a boy, said he would now need a taxi to reach the doctor.
The council will hold a public meeting next month to discuss a shuttle bus. The last crossing is planned for the end of October, when the boatman, Ray Pettifer, retires."""

# Five distinct reports of one event: same names and phrases, different stories. Never duplicates.
REPORTS = [
    """Marlow Bridge council votes to close ferry
The council of Marlow Bridge voted on Tuesday to close the ferry crossing known as the Dipper. Council leader Agnes Whitcombe blamed repair costs. Opposition councillors walked out before the vote, saying residents had not been consulted, and promised to seek a judicial review of the decision in the new year.""",
    """Elderly residents fear isolation after ferry closure
Residents of the east bank of Marlow Bridge say the closure of the Dipper ferry will leave them cut off. Tom Hadley, 78, said he would need a taxi to reach the doctor. A petition with three hundred signatures was handed to the town hall on Wednesday morning by a group from the sheltered housing scheme.""",
    """Boatman Ray Pettifer looks back on forty years at the oars
Ray Pettifer has rowed and later piloted the Dipper ferry across the river at Marlow Bridge since 1984. He remembers the floods of 2007, when the ferry was the only way across for a week, and the wedding party he once carried with a piano on board. He will retire when the crossing closes in October.""",
    """Ferry trust plan rejected as too costly
A community trust proposed to take over the Marlow Bridge ferry has been turned down. Council leader Agnes Whitcombe said the hull of the Dipper needed a complete rebuild costing far more than the trust could raise. The trust's chair, Helen Moss, said the council had moved the goalposts twice since the spring.""",
    """Shuttle bus considered for east bank after ferry vote
Marlow Bridge council will consult on a shuttle bus linking the east bank with the town centre after Tuesday's vote to close the ferry. Officers estimate a minibus running every hour would cost less than the ferry subsidy. A public meeting will be held next month at the library on Church Street.""",
]


def rewrap(text: str, width: int) -> str:
    """The same words, hard-wrapped at another width (paragraph breaks become plain line breaks)."""
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n".join(out)


def curl(text: str) -> str:
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        else:
            out.append("\u2019" if ch == "'" else ch)
    return "".join(out)


CHROME_HEAD = ["Home | News | Local | Sport | Weather", "Subscribe to our newsletter"]
CHROME_FOOT = ["Share this article: Facebook Twitter Email", "Copyright 2026 Riverside Gazette. All rights reserved."]

COPIES = {
    "copy-rewrapped-curly": curl(rewrap(STORY, 62)),
    "copy-chrome": "\n".join(CHROME_HEAD + STORY.split("\n") + CHROME_FOOT),
    "copy-headline": "UPDATE 2-Marlow Bridge ferry to close after ninety years\n" + STORY.upper(),
    "copy-truncated": "\n".join(STORY.split("\n")[:3]),
    "copy-edited": STORY.replace("Tuesday evening", "Tuesday night").replace("about forty", "around forty")
                        .replace("elderly", "older").replace("told reporters", "said"),
}

FILLER = [f"Item {n}: the parish notice board lists event number {n} with details to follow for residents."
          for n in range(12)]


def corpus() -> dict[str, str]:
    docs = {"story": STORY, **COPIES}
    docs.update({f"report-{i}": text for i, text in enumerate(REPORTS)})
    # Twelve unrelated pages sharing the site chrome, so that the chrome lines count as template.
    docs.update({f"filler-{i}": "\n".join(CHROME_HEAD + [line] + CHROME_FOOT) for i, line in enumerate(FILLER)})
    return docs


def template_keys(docs: dict[str, str], threshold: int = 10) -> frozenset[int]:
    counts = LineCounts()
    for text in docs.values():
        counts.add(document_keys(text.split("\n")))
    return template_keys_from(counts, threshold)


def dedup(docs: dict[str, str], order=None, config: DedupConfig = DedupConfig()):
    keys = template_keys(docs)
    ids = list(docs) if order is None else order
    items = [(i, signature(docs[i], template_keys=keys, config=config), f"fixture/{i}.txt") for i in ids]
    return find_clusters(items, config)


def test_copies_merge_into_the_most_complete_text():
    result = dedup(corpus())
    # the headline copy holds every word of the story plus a headline: it is the most complete text
    rep = result.representative("story")
    assert {d["id"] for d in result.duplicates_of(rep)} == {"story", *COPIES} - {rep}
    assert all(result.representative(c) == rep for c in COPIES)
    assert rep == "copy-headline"
    assert result.keep(rep) and not any(result.keep(k) for k in {"story", *COPIES} - {rep})
    assert result.clusters == 1 and result.dropped == len(COPIES)


def test_duplicates_list_says_what_was_replaced():
    result = dedup(corpus())
    dups = result.duplicates_of("copy-headline")
    assert [set(d) for d in dups] == [{"id", "source", "similarity"}] * len(dups)
    by_id = {d["id"]: d for d in dups}
    assert by_id["copy-chrome"]["source"] == "fixture/copy-chrome.txt"
    assert all(0.0 < d["similarity"] <= 1.0 and round(d["similarity"], 4) == d["similarity"] for d in dups)
    assert by_id["copy-truncated"]["similarity"] < by_id["copy-rewrapped-curly"]["similarity"]
    assert [d["similarity"] for d in dups] == sorted((d["similarity"] for d in dups), reverse=True)
    assert result.duplicates_of("report-0") == []


def test_reports_of_one_event_stay_separate():
    result = dedup(corpus())
    for i in range(len(REPORTS)):
        assert result.keep(f"report-{i}")
        assert result.duplicates_of(f"report-{i}") == []


def test_template_lines_do_not_make_pages_duplicates():
    result = dedup(corpus())
    assert all(result.keep(f"filler-{i}") for i in range(len(FILLER)))


def test_exact_copy_after_normalisation():
    docs = {"a": "It's a \u201cquiet\u201d day,\nsaid  the   boatman.", "b": "IT'S A \"QUIET\" DAY, SAID THE BOATMAN"}
    for mode in ("exact", "near"):
        result = dedup(docs, config=DedupConfig(mode=mode))
        assert result.clusters == 1 and result.exact_dropped == 1
        rep = result.representative("a")
        assert result.duplicates_of(rep)[0]["similarity"] == 1.0


def test_modes():
    docs = corpus()
    assert dedup(docs, config=DedupConfig(mode="none")).dropped == 0
    exact = dedup(docs, config=DedupConfig(mode="exact"))
    # re-wrapping and curly quotes fold away; chrome, headline, truncation and edits do not
    assert exact.dropped == 1 and exact.representative("copy-rewrapped-curly") == exact.representative("story")
    assert exact.candidates == 0
    near = dedup(docs)
    assert near.dropped == len(COPIES)
    sims = {d["id"]: d["similarity"] for d in near.duplicates_of(near.representative("story"))}
    assert sims["story"] == sims["copy-rewrapped-curly"]
    with pytest.raises(ValueError):
        DedupConfig(mode="fuzzy")


def test_near_threshold_is_the_verification_jaccard():
    docs = {"story": STORY, "edited": COPIES["copy-edited"]}
    assert dedup(docs).dropped == 1
    strict = DedupConfig(near_threshold=1.0, containment_threshold=1.01)
    assert dedup(docs, config=strict).dropped == 0


def test_same_result_for_any_input_order():
    docs = corpus()
    base = dedup(docs)
    ids = list(docs)
    for seed in range(3):
        random.Random(seed).shuffle(ids)
        other = dedup(docs, order=ids)
        assert other.stats() == base.stats()
        for key in docs:
            assert other.keep(key) == base.keep(key)
            assert other.duplicates_of(key) == base.duplicates_of(key)


def test_signature_is_small_picklable_and_text_free():
    keys = template_keys(corpus())
    sig = signature(STORY, template_keys=keys)
    blob = pickle.dumps(sig)
    assert pickle.loads(blob) == sig
    assert len(blob) < 2000
    assert b"ferry" not in blob and b"Whitcombe" not in blob
    # a predicate works like the key set
    assert signature(STORY, template_keys=as_template_test(keys)) == sig


def test_empty_and_tiny_texts():
    docs = {"empty": "", "punct": "***", "one": "Hello.", "one-again": "hello", "two": "Goodbye"}
    result = dedup(docs)
    assert result.keep("empty") and result.keep("punct") and result.keep("two")
    assert result.representative("one") == result.representative("one-again")


def test_duplicate_keys_are_an_error():
    sig = signature(STORY)
    with pytest.raises(ValueError):
        find_clusters([("a", sig), ("a", sig)])


def test_the_engine_signature_store_resolves_like_the_list():
    """DedupStage.resolve_store (compact store, sketches on disk) decides exactly as resolve (lists),
    a repeated (id, source) pair included."""
    from cleaner.dedup import make_stage
    from cleaner.document import Document

    docs = corpus()
    counts = LineCounts()
    for text in docs.values():
        counts.add(document_keys(text.split("\n")))
    stage = make_stage("near")
    items, store = [], stage.new_store()
    names = list(docs) + ["story"]                      # the same input given twice
    for idx, name in enumerate(names):
        sig = stage.signature(Document(id=name, source=f"fixture/{name}.txt", text=docs[name]), counts)
        items.append((idx * 3, sig))
        store.add(idx * 3, *sig)
    a, b = stage.resolve(items), stage.resolve_store(store)
    assert (a.clusters, a.dropped) == (b.clusters, b.dropped) and a.clusters
    for idx, _ in items:
        assert a.keep(idx) == b.keep(idx)
        assert a.representative(idx) == b.representative(idx)
        assert a.duplicates_of(idx) == b.duplicates_of(idx)


def test_a_bucket_yields_a_bounded_number_of_edges_that_connect_it():
    """A bucket of s documents gives at most (1 + neighbours)(s - 1) edges, i < j, none repeated, and
    they connect the bucket; other buckets are not linked to it."""
    import numpy as np

    from cleaner.dedup import UnionFind, band_edges

    rng = random.Random(3)
    owners = list(range(1500))
    rng.shuffle(owners)
    keys = [7] * 1000 + [9] * 499 + [11]            # buckets of 1000, 499 and 1 documents
    edges = band_edges(np.asarray(keys, dtype=np.uint64), np.asarray(owners, dtype=np.int64), 2)
    assert len(edges) <= 3 * 999 + 3 * 498
    assert (edges[:, 0] < edges[:, 1]).all()
    assert len({tuple(e) for e in edges.tolist()}) == len(edges)
    per_doc = np.bincount(edges[:, 1], minlength=1500)
    assert per_doc.max() <= 3                        # each member: the bucket's first and the 2 before it
    uf = UnionFind(1500)
    for i, j in edges.tolist():
        uf.union(i, j)
    roots = uf.roots()
    assert len(set(roots[owners[:1000]].tolist())) == 1 and len(set(roots[owners[1000:1499]].tolist())) == 1
    assert roots[owners[0]] != roots[owners[1000]] and roots[owners[1499]] == owners[1499]


LONG_STORY = [" ".join(STORY.split("\n")[:3]), " ".join(STORY.split("\n")[3:])]   # two prose paragraphs


def test_a_big_cluster_of_near_identical_documents_costs_linear_candidates():
    """400 copies of one text, each with its own closing line: one cluster, its representative the
    most complete copy (smallest key on ties), a few candidate edges per document, not 400 * 399 / 2 pairs;
    the same decisions whatever the input order."""
    docs = {f"copy-{i:03d}": "\n".join(LONG_STORY + [f"Filed by correspondent number {i} from the river desk."])
            for i in range(400)}
    result = dedup(docs)
    assert result.clusters == 1 and result.dropped == 399
    [rep] = [k for k in docs if result.keep(k)]
    assert rep == "copy-000"                         # all as complete (as many words): the smallest key
    assert result.candidates <= 3 * 399 * DedupConfig().bands
    assert result.candidates < 4 * 400               # in practice the buckets agree across bands
    names = list(docs)
    random.Random(1).shuffle(names)
    again = dedup(docs, order=names)
    assert [again.keep(k) for k in docs] == [result.keep(k) for k in docs]
    assert again.duplicates_of(rep) == result.duplicates_of(rep)


def test_a_chain_of_near_copies_is_one_cluster():
    """A ~ B and B ~ C, while A and C alone are not near: transitive, one cluster of three; an
    unrelated text sharing their words is not pulled in."""
    sentences = STORY.split("\n") + [r.split("\n", 1)[1] for r in REPORTS]
    a, b, c = " ".join(sentences[0:5]), " ".join(sentences[2:7]), " ".join(sentences[4:9])
    config = DedupConfig()
    sa, sb, sc = (signature(t, config=config) for t in (a, b, c))
    from cleaner.dedup import is_near

    assert is_near(sa, sb, config) and is_near(sb, sc, config) and not is_near(sa, sc, config)
    result = dedup({"a": a, "b": b, "c": c, "report-4": REPORTS[4]})     # (c holds reports 0-3)
    assert result.clusters == 1 and result.dropped == 2 and result.keep("report-4")
    assert result.representative("a") == result.representative("c")
