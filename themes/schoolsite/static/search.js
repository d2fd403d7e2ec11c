// The search page: loads the index built with the site (search-index.json)
// and lists the pages that contain every word typed. Without JavaScript the
// page still lists every page of the site.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var out = document.getElementById("results");
  if (!form || !out || !window.fetch) return;
  var input = form.querySelector("input");
  var index = null;
  form.hidden = false;

  function load() {
    if (!index) {
      index = fetch(form.getAttribute("data-index")).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return index;
  }

  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function snippet(text, term) {
    var at = fold(text).indexOf(term);
    if (at < 0) return text.slice(0, 160) + (text.length > 160 ? "…" : "");
    var from = Math.max(0, at - 70);
    var to = Math.min(text.length, at + term.length + 90);
    return (from > 0 ? "…" : "") + text.slice(from, to) + (to < text.length ? "…" : "");
  }

  function el(name, text, attrs) {
    var e = document.createElement(name);
    if (text) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function show(q) {
    var terms = fold(q).split(/\s+/).filter(Boolean);
    out.textContent = "";
    if (!terms.length) return;
    load().then(function (pages) {
      var hits = [];
      pages.forEach(function (p) {
        var title = fold(p.t), body = fold(p.d + " " + p.x), score = 0;
        for (var i = 0; i < terms.length; i++) {
          var inTitle = title.indexOf(terms[i]) >= 0;
          if (!inTitle && body.indexOf(terms[i]) < 0) return;
          score += inTitle ? 10 : 1;
        }
        hits.push({ score: score, page: p });
      });
      hits.sort(function (a, b) { return b.score - a.score; });
      out.textContent = "";
      var n = hits.length;
      out.appendChild(el("h2", n === 0 ? "No pages found for \u201c" + q + "\u201d" :
        n + (n === 1 ? " page" : " pages") + " found for \u201c" + q + "\u201d"));
      if (n === 0) {
        out.appendChild(el("p", "Try fewer or different words, or look through the list of every page below."));
        return;
      }
      var list = el("ul", "", { "class": "page-list" });
      hits.slice(0, 30).forEach(function (h) {
        var li = el("li");
        var h3 = el("h3");
        h3.appendChild(el("a", h.page.t, { href: h.page.u }));
        li.appendChild(h3);
        if (h.page.s) li.appendChild(el("p", h.page.s, { "class": "date" }));
        li.appendChild(el("p", snippet(h.page.x || h.page.d, terms[0])));
        list.appendChild(li);
      });
      out.appendChild(list);
    }).catch(function () {
      out.textContent = "Search is not working at the moment. Every page is listed below.";
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); }, 200);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    show(input.value);
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    show(q);
  }
})();
