"""Read segments (what the Ray engine's workers read) concatenate to exactly `iter_items`: the same items,
failures and order, for files, folders, globs, remote fsspec URLs, URLs, URL lists and in-memory
documents. Served on 127.0.0.1; no Ray needed."""
from __future__ import annotations

import pickle

import pytest

from cleaner.document import Document
from cleaner.sources.plan import FileSegment, ItemSegment, UrlSegment, plan_segments, read_segment
from cleaner.sources.read import iter_items
from cleaner.sources.urls import UrlList
from mixed_inputs import make_mixed_inputs
from test_url_lists import server  # noqa: F401  (the fixture)

FETCH = {"delay": 0.0, "allow_private_redirects": True}


def as_list(items):
    return [(type(i).__name__, vars(i)) for i in items]


def needs_fsspec():
    pytest.importorskip("fsspec", reason="file:// inputs need fsspec: pip install -e '.[dev]' (or the remote extra)")


def test_segments_read_in_order_are_iter_items(tmp_path, server):  # noqa: F811
    needs_fsspec()
    _, base = server
    folder = make_mixed_inputs(tmp_path / "in", files=24, seed=3)
    one = sorted(folder.iterdir())[5]
    (tmp_path / "list.urls").write_text(f"{base}/news/1\n{base}/news/2\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_text(f"{base}/news/3\nnot a url\n", encoding="utf-8")
    inputs = [str(folder), Document(id="m1", source="<api>", text="held in memory"), f"{base}/news/4",
              f"{base}/news/5", str(tmp_path / "list.urls"), UrlList(str(tmp_path / "bad.txt")),
              ["a string document", Document(id="m2", source="<api>#2", text="another")], str(one),
              str(tmp_path / "missing.txt"), str(tmp_path / "*.nothing"), f"file://{folder}/site1-*",
              f"file://{folder}", f"{base}/news/6"]
    expected = as_list(iter_items(inputs, fetch_options=dict(FETCH)))
    segments = list(plan_segments(inputs))
    got = as_list(item for s in segments for item in read_segment(pickle.loads(pickle.dumps(s)),
                                                                  fetch_options=dict(FETCH)))
    assert got == expected
    kinds = [type(s) for s in segments]
    assert kinds.count(FileSegment) >= 2 * 24 and UrlSegment in kinds and ItemSegment in kinds
    assert any(t == "Failure" for t, _ in expected) and sum(t == "Document" for t, _ in expected) >= 50
    fetched = [s for s in segments if isinstance(s, UrlSegment)]
    assert [len(s.urls) for s in fetched] == [4, 1, 1]      # consecutive URLs are fetched together


def test_remote_urls_are_read_like_local_files(tmp_path):
    needs_fsspec()
    folder = make_mixed_inputs(tmp_path / "in", files=24, seed=4)
    local = as_list(iter_items([str(folder)]))
    remote = as_list(iter_items([f"file://{folder}"]))
    assert len(remote) == len(local) > 24
    for (kind_l, l), (kind_r, r) in zip(local, remote):
        assert kind_l == kind_r
        assert r["source"] == "file://" + l["source"]             # the URL is the source
        if kind_l == "Document":
            assert (r["text"], r["html"], r["url"], r["meta"]) == (l["text"], l["html"], l["url"], l["meta"])
        else:
            assert r["kind"] == l["kind"]
    missing = as_list(iter_items([f"file://{folder}/nope.txt", "nosuchfs://x/y.txt"]))
    assert [(t, v["kind"]) for t, v in missing] == [("Failure", "unreadable"), ("Failure", "unsupported")]
