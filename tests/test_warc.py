"""WARC input: HTML 200 responses become documents with url, date and `file.warc.gz#N`."""
from __future__ import annotations

import gzip
import io

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.document import Document
from cleaner.sources import Failure
from cleaner.sources.files import open_input
from cleaner.sources.warc import read_warc


def _response(writer, url, body: bytes, ctype: str, status: str = "200 OK", date: str = "2024-03-01T10:00:00Z"):
    http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


STATUS = b"HTTP/1.1 299 DAMAGED-XX"
GARBAGE = b"\x00\x01\x02 no status line here"   # same length: the WARC Content-Length stays right


def build_warc(path):
    out = io.BytesIO()
    if True:
        w = WARCWriter(out, gzip=False)
        w.write_record(w.create_warcinfo_record("test.warc.gz", {"software": "test"}))             # 1
        _response(w, "http://a.example/one", b"<html><body><p>First page</p></body></html>",
                  "text/html; charset=utf-8", date="2024-03-01T10:00:00Z")                         # 2
        req = w.create_warc_record("http://a.example/one", "request",
                                   payload=io.BytesIO(b"GET /one HTTP/1.1\r\nHost: a.example\r\n\r\n"))
        w.write_record(req)                                                                        # 3
        _response(w, "http://a.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")   # 4
        _response(w, "http://b.example/caf\u00e9", "<html><body><p>Caf\u00e9 cr\u00e8me</p></body></html>".encode("cp1252"),
                  "text/html; charset=windows-1252", date="2024-03-02T11:30:00Z")                # 5
        _response(w, "http://b.example/gone", b"<html>gone</html>", "text/html", status="404 Not Found")  # 6
        # 7: a response record whose HTTP block is garbage (damaged in transit)
        _response(w, "http://c.example/broken", b"<html>x</html>", "text/html", status="299 DAMAGED-XX")
        _response(w, "http://c.example/xhtml", b"<html><body><p>Last page</p></body></html>",
                  "application/xhtml+xml")                                                         # 8
    assert len(STATUS) == len(GARBAGE)
    data = out.getvalue().replace(STATUS, GARBAGE)
    path.write_bytes(gzip.compress(data) if str(path).endswith(".gz") else data)


def test_html_responses_become_documents(tmp_path):
    path = tmp_path / "file.warc.gz"
    build_warc(path)
    with open_input(path, source="file.warc.gz") as stream:
        items = list(read_warc(stream, "file.warc.gz"))
    docs = [i for i in items if isinstance(i, Document)]
    fails = [i for i in items if isinstance(i, Failure)]
    assert [d.source for d in docs] == ["file.warc.gz#2", "file.warc.gz#5", "file.warc.gz#8"]
    assert [d.url for d in docs] == ["http://a.example/one", "http://b.example/caf\u00e9", "http://c.example/xhtml"]
    assert docs[0].date == "2024-03-01T10:00:00Z" and docs[1].date == "2024-03-02T11:30:00Z"
    assert "First page" in docs[0].html and "Caf\u00e9 cr\u00e8me" in docs[1].html
    assert len({d.id for d in docs}) == 3
    assert len(fails) == 1 and fails[0].source == "file.warc.gz#7" and "damaged" in fails[0].reason


@pytest.mark.parametrize("where", ["header", "body"])
def test_truncated_archive_reports_the_cut_record(tmp_path, where):
    path = tmp_path / "cut.warc"
    build_warc(tmp_path / "whole.warc.gz")
    data = gzip.decompress((tmp_path / "whole.warc.gz").read_bytes())
    # inside the last record's WARC header, or inside its HTML body
    cut = data.rfind(b"WARC/1.") + 40 if where == "header" else data.rfind(b"Last page")
    path.write_bytes(data[:cut])
    with open_input(path) as stream:
        items = list(read_warc(stream, "cut.warc"))
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.source for d in docs] == ["cut.warc#2", "cut.warc#5"]
    assert isinstance(items[-1], Failure) and items[-1].source == "cut.warc#8"


def test_ids_are_stable(tmp_path):
    path = tmp_path / "file.warc.gz"
    build_warc(path)
    runs = []
    for _ in range(2):
        with open_input(path, source="file.warc.gz") as stream:
            runs.append([i.id for i in read_warc(stream, "file.warc.gz") if isinstance(i, Document)])
    assert runs[0] == runs[1]
