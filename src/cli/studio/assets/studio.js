// The studio's one script, served from the binary, no build step and
// nothing from another site. Every page works without it: it adds live
// search, dropping a file on the page to upload it and put its line into
// the text, the text toolbar (headings, lists, a link to another page
// picked from a list, a photo), blur boxes drawn on the photo (moved
// with the arrow keys), and a question before leaving unsaved changes.
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
        // Posted, never in the address: what is typed may be a full name.
        var asked = new URLSearchParams();
        asked.append("token", q.form.querySelector("input[name=token]").value);
        asked.append("q", q.value);
        fetch(q.dataset.people, { method: "POST", body: asked, credentials: "same-origin" })
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
    var snippets = { heading: "\n## Heading\n", list: "\n- First\n- Second\n" };
    var linkTo = $("#link-to");
    toolbar.addEventListener("click", function (e) {
      var kind = e.target.dataset && e.target.dataset.insert;
      if (kind === "link" && linkTo) {
        var picked = linkTo.options[linkTo.selectedIndex];
        insert(body, "[" + picked.text + "](" + picked.value + ")");
      } else if (kind === "photo") {
        insertPhoto();
      } else if (kind && snippets[kind]) {
        insert(body, snippets[kind]);
      }
    });
  }

  // Drag and drop: a file dropped on the upload form (or chosen in it)
  // is sent as the form sends it; the server checks it exactly as
  // without this script, and its line goes into the text at the cursor.
  var upload = $("form.upload");
  var status = $("#upload-status");
  if (upload && body && status && window.fetch && window.FormData && window.DOMParser) {
    var fileInput = $("#file", upload);
    var say = function (text) { status.textContent = text; };
    var send = function (file) {
      var alt = $("#alt", upload);
      if (!alt.value.trim()) {
        say("Describe the photo first (what it shows, for people who cannot see it), then add it again.");
        alt.focus();
        return;
      }
      var data = new FormData();
      data.append("token", $("input[name=token]", upload).value);
      data.append("page", $("input[name=page]", upload).value);
      data.append("alt", alt.value);
      data.append("file", file, file.name);
      say("Checking " + file.name + "…");
      fetch(upload.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.text().then(function (html) { return [r.ok, html]; }); })
        .then(function (answer) {
          var page = new DOMParser().parseFromString(answer[1], "text/html");
          var snippet = page.querySelector("[data-snippet]");
          if (answer[0] && snippet) {
            insert(body, "\n" + snippet.value + "\n");
            alt.value = "";
            fileInput.value = "";
            say("Added and put into the text. Save the page to keep it, then say who is in it.");
          } else {
            var why = page.querySelector("main p");
            say(why ? why.textContent : "The file was not added.");
          }
        })
        .catch(function () { say("The file could not be sent; nothing was saved. Try again."); });
    };
    upload.addEventListener("dragover", function (e) { e.preventDefault(); upload.classList.add("dropping"); });
    upload.addEventListener("dragleave", function () { upload.classList.remove("dropping"); });
    upload.addEventListener("drop", function (e) {
      e.preventDefault();
      upload.classList.remove("dropping");
      if (e.dataTransfer && e.dataTransfer.files.length) { send(e.dataTransfer.files[0]); }
    });
    upload.addEventListener("submit", function (e) {
      if (fileInput.files.length) { e.preventDefault(); send(fileInput.files[0]); }
    });
  }

  // A photo beside the page, with its description (required); a new
  // one goes in through the upload form, which asks for it too.
  function insertPhoto() {
    var pick = $("#photo-pick");
    var alt = $("#photo-alt");
    var said = $("#toolbar-status");
    if (!pick || !pick.value) {
      var upload = $("#alt");
      if (upload) { upload.scrollIntoView(); upload.focus(); }
      return;
    }
    var words = alt.value.replace(/[\[\]]/g, "").trim();
    if (!words) {
      said.textContent = "Describe the photo first.";
      alt.focus();
      return;
    }
    said.textContent = "";
    insert(body, "\n![" + words + "](" + pick.value + ")\n");
    alt.value = "";
  }

  function insert(area, text) {
    var at = area.selectionStart || area.value.length;
    area.value = area.value.slice(0, at) + text + area.value.slice(area.selectionEnd || at);
    area.focus();
    area.selectionStart = area.selectionEnd = at + text.length;
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Another empty event row, without saving first.
  var addEvent = $("#add-event");
  if (addEvent) {
    addEvent.hidden = false;
    addEvent.addEventListener("click", function () {
      var rows = document.querySelectorAll("#events .event");
      var last = rows[rows.length - 1];
      if (!last) { return; }
      var row = last.cloneNode(true);
      var n = rows.length;
      // A new event: every field empty, nothing to remove.
      var remove = row.querySelector("input[type=checkbox]");
      if (remove) { remove.parentNode.parentNode.removeChild(remove.parentNode); }
      row.querySelectorAll("input, textarea").forEach(function (input) {
        input.id = input.id.replace(/^event-\d+-/, "event-" + n + "-");
        input.value = "";
      });
      row.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/^event-\d+-/, "event-" + n + "-");
        if (!label.children.length) {
          label.textContent = label.textContent.replace(/^Event \d+:/, "Event " + (n + 1) + ":");
        }
      });
      last.parentNode.insertBefore(row, last.nextSibling);
      row.querySelector("input[name=event_title]").focus();
    });
  }

  // Leaving a form with changes not saved asks first.
  ["#page-form", "#who-form"].forEach(function (sel) {
    var form = $(sel);
    if (!form) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  });

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
        f[a].dispatchEvent(new Event("input", { bubbles: true }));
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
        last.forEach(function (input, k) { input.value = Math.round(vals[k]); input.dispatchEvent(new Event("input", { bubbles: true })); });
      }
      start = null;
    });
  }
})();
