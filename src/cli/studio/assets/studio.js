// The studio's one script, served from the binary, no build step and
// nothing from another site. Every page works without it: it adds live
// search, inserting an uploaded file's line into the text, the text
// toolbar, and blur boxes drawn on the photo (moved with the arrow keys).
"use strict";
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }

  // The error summary takes focus, so a keyboard or screen reader user
  // hears what went wrong first.
  var summary = $("#error-summary");
  if (summary) { summary.focus(); }

  // Live search over the register: the server renders the suggestions.
  var q = $("#q");
  var found = $("#found");
  if (q && found && q.dataset.people) {
    var timer = null;
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(q.dataset.people + encodeURIComponent(q.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) {
            // Keep people already ticked in the results.
            var ticked = found.querySelectorAll("input:checked");
            var keep = [];
            ticked.forEach(function (i) { keep.push(i.closest("li")); });
            found.innerHTML = html;
            keep.forEach(function (li) {
              var id = li.querySelector("input").value;
              var again = found.querySelector("input[value='" + CSS.escape(id) + "']");
              if (again) { again.closest("li").remove(); }
              found.appendChild(li);
            });
          });
      }, 200);
    });
    q.form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  // The text toolbar.
  var body = $("#body");
  var toolbar = $(".toolbar");
  if (body && toolbar) {
    toolbar.hidden = false;
    var snippets = { heading: "\n## Heading\n", list: "\n- First\n- Second\n", link: "[words](@/page.md)" };
    toolbar.addEventListener("click", function (e) {
      var kind = e.target.dataset && e.target.dataset.insert;
      if (kind) { insert(body, snippets[kind]); }
    });
  }

  function insert(area, text) {
    var at = area.selectionStart || area.value.length;
    area.value = area.value.slice(0, at) + text + area.value.slice(area.selectionEnd || at);
    area.focus();
    area.selectionStart = area.selectionEnd = at + text.length;
  }

  // Blur boxes over the photo, from the numeric fields and back.
  var frame = $("#photo-frame");
  var blur = $("#blur");
  if (frame && blur) {
    var regions = blur.querySelectorAll(".region");
    regions.forEach(function (region, i) {
      var f = region.querySelectorAll("input");
      var box = document.createElement("div");
      box.className = "box";
      box.tabIndex = 0;
      box.setAttribute("role", "img");
      box.setAttribute("aria-label", "Blurred part " + (i + 1) + ": arrow keys move it, shift and arrow keys resize it");
      frame.appendChild(box);
      function num(k) { var v = parseFloat(f[k].value); return isNaN(v) ? null : v; }
      function draw() {
        var v = [num(0), num(1), num(2), num(3)];
        box.hidden = v.indexOf(null) !== -1;
        if (!box.hidden) {
          box.style.left = v[0] + "%"; box.style.top = v[1] + "%";
          box.style.width = v[2] + "%"; box.style.height = v[3] + "%";
        }
      }
      f.forEach(function (input) { input.addEventListener("input", draw); });
      box.addEventListener("keydown", function (e) {
        var step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
        if (!step) { return; }
        e.preventDefault();
        var a = e.shiftKey ? 2 : 0;
        f[a].value = Math.max(0, Math.min(100, (num(a) || 0) + step[0]));
        f[a + 1].value = Math.max(0, Math.min(100, (num(a + 1) || 0) + step[1]));
        draw();
      });
      draw();
    });
    // Drawing: press on the photo and drag to make the empty row a box.
    var img = $("#photo");
    var start = null;
    img.addEventListener("pointerdown", function (e) {
      var r = img.getBoundingClientRect();
      start = [(e.clientX - r.left) / r.width * 100, (e.clientY - r.top) / r.height * 100];
      e.preventDefault();
    });
    img.addEventListener("pointerup", function (e) {
      if (!start) { return; }
      var r = img.getBoundingClientRect();
      var end = [(e.clientX - r.left) / r.width * 100, (e.clientY - r.top) / r.height * 100];
      var last = regions[regions.length - 1].querySelectorAll("input");
      var vals = [Math.min(start[0], end[0]), Math.min(start[1], end[1]), Math.abs(end[0] - start[0]), Math.abs(end[1] - start[1])];
      if (vals[2] > 1 && vals[3] > 1) {
        last.forEach(function (input, k) { input.value = Math.round(vals[k]); input.dispatchEvent(new Event("input")); });
      }
      start = null;
    });
  }
})();
