// cleaner report: renders the embedded documents 50 at a time; filter by reason, search.
// Document text only ever reaches the page through textContent (never innerHTML): XSS-safe.
(function () {
  "use strict";
  var PAGE = 50, CLUSTER_PAGE = 20;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var meta = JSON.parse(document.getElementById("report-meta").textContent);
  var rules = data.rules, docs = data.docs, clusters = data.clusters || [];
  var families = rules.map(function (r) { return r.split("/")[0]; });
  var state = { kind: null, value: null, query: "", page: 0, cpage: 0, whole: false, hideKept: false };
  var haystack = null, visible = docs;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  // ---- filtering
  function ruleMatches(idx) {
    if (state.kind === "rule") return rules[idx] === state.value;
    if (state.kind === "family") return families[idx] === state.value;
    return false;
  }
  function reasonFilter() { return state.kind === "rule" || state.kind === "family"; }
  function docMatches(d, i) {
    if (reasonFilter() && !d.r.some(ruleMatches)) return false;
    if (state.kind === "lang" && d.l !== state.value) return false;
    if (state.query) {
      if (!haystack) buildHaystack();
      if (haystack[i].indexOf(state.query) < 0) return false;
    }
    return true;
  }
  function buildHaystack() {
    haystack = docs.map(function (d) {
      var parts = [d.id, d.t, d.s, d.u];
      d.x.forEach(function (x) {
        if (typeof x === "string") parts.push(x);
        else if (x[0] >= 0) { parts.push(x[2]); parts.push(rules[x[0]]); }
      });
      return parts.join("\n").toLowerCase();
    });
  }
  function refilter() {
    visible = (reasonFilter() || state.kind === "lang" || state.query)
      ? docs.filter(docMatches) : docs;
    state.page = 0;
    render();
  }

  function setFilter(kind, value) {
    if (state.kind === kind && state.value === value) { kind = null; value = null; }
    state.kind = kind; state.value = value;
    document.querySelectorAll(".filterable").forEach(function (e) {
      e.classList.toggle("selected", kind !== null && e.getAttribute("data-filter-kind") === kind &&
        e.getAttribute("data-filter") === value);
    });
    var af = document.getElementById("active-filter");
    af.textContent = "";
    if (kind) {
      af.appendChild(document.createTextNode(kind + ": " + value + " "));
      var x = el("button", null, "×");
      x.title = "clear filter";
      x.addEventListener("click", function () { setFilter(null, null); });
      af.appendChild(x);
    }
    refilter();
  }

  // ---- one document
  function highlight(parent, text) {
    var q = state.query;
    if (!q) { parent.appendChild(document.createTextNode(text)); return; }
    var low = text.toLowerCase(), at = 0, hit;
    while ((hit = low.indexOf(q, at)) >= 0) {
      parent.appendChild(document.createTextNode(text.slice(at, hit)));
      parent.appendChild(el("mark", null, text.slice(hit, hit + q.length)));
      at = hit + q.length;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function lineRow(cls, no, why) {
    var row = el("div", "ln " + cls);
    row.appendChild(el("span", "no", no === null ? "" : no));
    return row;
  }

  function renderLines(body, d) {
    var focus = reasonFilter() && !state.whole;
    var folded = 0;
    function flushFold() {
      if (folded) {
        var r = lineRow("fold", null);
        r.appendChild(el("span", null, "… " + fmt(folded) + (folded === 1 ? " line" : " lines")));
        body.appendChild(r);
        folded = 0;
      }
    }
    d.x.forEach(function (x) {
      if (typeof x === "string") {
        if (focus || state.hideKept) { folded++; return; }
        var r = lineRow("kept", null);
        var t = el("span", "txt");
        highlight(t, x);
        r.appendChild(t);
        body.appendChild(r);
      } else if (x[0] < 0) {
        if (focus || state.hideKept) { folded += x[1]; return; }
        var c = lineRow("cut", null);
        c.appendChild(el("span", null, "… " + fmt(x[1]) + (x[1] === 1 ? " line" : " lines") + " (" +
          fmt(x[2]) + " characters) not embedded: kept text is capped at " + fmt(meta.budget) + " bytes per document"));
        body.appendChild(c);
      } else {
        var match = ruleMatches(x[0]);
        if (focus && !match) { folded++; return; }
        flushFold();
        var row = lineRow("removed" + (match ? " match" : ""), x[1]);
        var del = el("del", "txt");
        highlight(del, x[2]);
        row.appendChild(del);
        var why = el("span", "why", rules[x[0]]);
        why.title = "removed by " + rules[x[0]] + " — click to filter";
        why.setAttribute("data-rule", rules[x[0]]);
        row.appendChild(why);
        body.appendChild(row);
      }
    });
    flushFold();
    if (!d.x.length) body.appendChild(el("div", "ln fold", "(empty text)"));
  }

  function renderDoc(d) {
    var box = el("article", "doc");
    box.setAttribute("data-id", d.id);
    var head = el("div", "doc-head");
    head.appendChild(el("div", "doc-title", d.t || "(no title)"));
    var m = el("div", "doc-meta");
    m.appendChild(el("span", null, "id " + d.id));
    m.appendChild(el("span", null, d.s));
    if (d.u) m.appendChild(el("span", null, d.u));
    m.appendChild(el("span", null, "lang " + d.l + (typeof d.ls === "number" ? " (" + d.ls.toFixed(2) + ")" : "")));
    if (d.d) m.appendChild(el("span", null, d.d));
    if (d.n) m.appendChild(el("span", null, fmt(d.n) + " duplicate" + (d.n === 1 ? "" : "s") + " merged"));
    head.appendChild(m);
    if (d.r.length) {
      var chips = el("div", "doc-rules");
      d.r.forEach(function (i) {
        var c = el("span", "chip filterable", rules[i]);
        c.setAttribute("data-filter-kind", "rule");
        c.setAttribute("data-filter", rules[i]);
        chips.appendChild(c);
      });
      head.appendChild(chips);
    }
    box.appendChild(head);
    var body = el("div", "doc-body");
    renderLines(body, d);
    if (d.rm) body.appendChild(el("div", "ln cut", "… " + fmt(d.rm) + " more removed lines not embedded"));
    box.appendChild(body);
    return box;
  }

  // ---- pages
  function pager(id, page, total, size, go) {
    var p = document.getElementById(id);
    p.textContent = "";
    var pages = Math.max(1, Math.ceil(total / size));
    if (pages <= 1) return;
    var prev = el("button", null, "‹ prev"), next = el("button", null, "next ›");
    prev.disabled = page <= 0; next.disabled = page >= pages - 1;
    prev.addEventListener("click", function () { go(page - 1); });
    next.addEventListener("click", function () { go(page + 1); });
    p.appendChild(prev);
    p.appendChild(el("span", null, "page " + fmt(page + 1) + " of " + fmt(pages)));
    p.appendChild(next);
  }

  function render() {
    var box = document.getElementById("docs");
    box.textContent = "";
    var start = state.page * PAGE, end = Math.min(visible.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) frag.appendChild(renderDoc(visible[i]));
    box.appendChild(frag);
    var status = fmt(visible.length) + " of " + fmt(docs.length) + " documents";
    if (meta.sampled) status += " (an even sample of " + fmt(meta.documents) + ")";
    if (visible.length) status += ", showing " + fmt(start + 1) + "–" + fmt(end);
    if (!meta.explained) status += " · no removed lines recorded (corpus written without --explain)";
    document.getElementById("doc-status").textContent = status;
    var go = function (p) { state.page = p; render(); document.getElementById("documents-panel").scrollIntoView(); };
    pager("pager-top", state.page, visible.length, PAGE, go);
    pager("pager-bottom", state.page, visible.length, PAGE, go);
  }

  function renderClusters() {
    var box = document.getElementById("clusters");
    box.textContent = "";
    if (!clusters.length) { box.appendChild(el("p", "muted", "No duplicate clusters.")); return; }
    var start = state.cpage * CLUSTER_PAGE;
    clusters.slice(start, start + CLUSTER_PAGE).forEach(function (c) {
      var div = el("div", "cluster");
      var kept = el("div");
      kept.appendChild(el("strong", null, "kept "));
      var a = el("a", null, c.title || c.id);
      a.href = "#documents-panel";
      a.title = "show this document";
      a.addEventListener("click", function () { setSearch(c.id); });
      kept.appendChild(a);
      kept.appendChild(el("span", "muted small", "  " + c.id + " · " + c.source));
      div.appendChild(kept);
      var ul = el("ul");
      c.dups.forEach(function (d) {
        var li = el("li");
        li.appendChild(el("span", "sim", typeof d.sim === "number" ? d.sim.toFixed(3) : String(d.sim)));
        li.appendChild(document.createTextNode("  " + d.id + " · " + d.source));
        ul.appendChild(li);
      });
      if (c.more) ul.appendChild(el("li", "muted", "… " + fmt(c.more) + " more"));
      div.appendChild(ul);
      box.appendChild(div);
    });
    pager("cluster-pager", state.cpage, clusters.length, CLUSTER_PAGE, function (p) { state.cpage = p; renderClusters(); });
  }

  function setSearch(q) {
    var s = document.getElementById("search");
    s.value = q;
    state.query = q.trim().toLowerCase();
    refilter();
  }

  // ---- wiring
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var why = t.closest && t.closest("[data-rule]");
    if (why) { setFilter("rule", why.getAttribute("data-rule")); return; }
    var f = t.closest && t.closest(".filterable");
    if (f) {
      var kind = f.getAttribute("data-filter-kind");
      if (kind === "family" || kind === "rule" || kind === "lang") setFilter(kind, f.getAttribute("data-filter"));
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.classList && ev.target.classList.contains("filterable")) ev.target.click();
  });
  var timer = null;
  document.getElementById("search").addEventListener("input", function (ev) {
    clearTimeout(timer);
    var v = ev.target.value;
    timer = setTimeout(function () { state.query = v.trim().toLowerCase(); refilter(); }, 200);
  });
  document.getElementById("whole").addEventListener("change", function (ev) { state.whole = ev.target.checked; render(); });
  document.getElementById("hide-kept").addEventListener("change", function (ev) { state.hideKept = ev.target.checked; render(); });
  renderClusters();
  render();
  document.body.setAttribute("data-ready", "1");
})();
