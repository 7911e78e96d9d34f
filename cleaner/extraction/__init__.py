"""Page-type-aware extraction: candidate texts of one parsed page, the signals that tell them apart,
and the fitted chooser that picks one per page.

trafilatura is built for articles: one container of paragraphs. On a forum thread the posts *are*
the content (a comment filter deletes them), on a listing or a product grid the content is a run of
repeated cards (one-node extraction keeps one card). So the extract step computes a few cheap
candidates beside trafilatura's fast path (`candidates`), describes the page and the candidates
with general signals (`signals`: schema.org and Open Graph types, URL words, DOM counts, how much
the candidates overlap), and a small tree model (`chooser`, fitted by `bench/extraction_fit.py`
with folds grouped by site) decides which text to keep and which page type to record.
"""
