#!/usr/bin/env node
// The studio's script in headless Chromium: what it adds to the plain
// forms works (the toolbar's link, photo and event row; a file dropped on
// the upload form; the live people search, posted; the blur box moved and
// resized with the arrow keys) and no script error is thrown.
//
//   cargo build && node --experimental-websocket tests/browser/studio-script.mjs
//
// (Node 22 needs no flag.) It copies the example site to a temporary
// folder, starts `schoolsite studio` on it (SCHOOLSITE, default
// target/debug/schoolsite) and Chromium (CHROMIUM, default
// /usr/bin/chromium) with the DevTools protocol on a free port, and speaks
// that protocol directly: no packages. Exits 1 if a check fails. Not yet
// run by .ci/browser.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = process.env.SCHOOLSITE || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug", "schoolsite");
const chromiumBin = process.env.CHROMIUM || "/usr/bin/chromium";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
if (typeof WebSocket === "undefined") {
  console.error("studio-script.mjs: this Node.js has no WebSocket: run it with `node --experimental-websocket` (Node 22 needs no flag)");
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "studio-script-"));
for (const part of ["content", "themes", "consent", "config.toml"]) {
  fs.cpSync(path.join(REPO, part), path.join(work, "site", part), { recursive: true });
}
const studio = spawn(bin, ["studio", "--port", "0", "--today", "2026-11-24", "--root", path.join(work, "site")]);
// The whole address printed after "studio on ", up to the first space
// (it may carry a key that starts a session): opened first, and its
// origin is where every studio page is asked for.
const opening = await new Promise((resolve, reject) => {
  let out = "";
  studio.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/studio on (\S+)\s/);
    if (m) resolve(m[1]);
  });
  studio.on("exit", () => reject(new Error("the studio stopped: " + out)));
});
const studioBase = new URL(opening).origin;
const browser = spawn(chromiumBin, ["--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", `--user-data-dir=${path.join(work, "profile")}`, "about:blank"]);
const debugPort = await new Promise((resolve) => {
  let err = "";
  browser.stderr.on("data", (d) => {
    err += d;
    const m = err.match(/DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) resolve(m[1]);
  });
});
let failed = 0;
const stop = async () => {
  for (const child of [studio, browser]) {
    const gone = new Promise((r) => child.once("exit", r));
    child.kill();
    await gone;
  }
  fs.rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
};
const list = await (await fetch(`http://127.0.0.1:${debugPort}/json/list`)).json();
const page = list.find((t) => t.type === "page");
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r));
let id = 0;
const waiting = new Map();
const errors = [];
ws.addEventListener("message", (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  if (msg.method === "Runtime.exceptionThrown") errors.push(JSON.stringify(msg.params.exceptionDetails).slice(0, 400));
  if (msg.method === "Runtime.consoleAPICalled" && msg.params.type === "error") errors.push(JSON.stringify(msg.params.args).slice(0, 300));
  // (The browser's own log says the studio has no favicon, and that the
  // question before leaving unsaved changes was held back in a browser
  // nobody clicks in: neither is the script's.)
});
const send = (method, params = {}) => new Promise((r) => { id += 1; waiting.set(id, r); ws.send(JSON.stringify({ id, method, params })); });
const js = async (expr) => {
  const r = await send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true });
  if (r.result.exceptionDetails) throw new Error(JSON.stringify(r.result.exceptionDetails).slice(0, 500));
  return r.result.result.value;
};
const go = async (path) => { await send("Page.navigate", { url: path.startsWith("http") ? path : studioBase + path }); await sleep(1500); };
const check = (what, ok, detail = "") => {
  if (!ok) failed += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${what} ${ok ? "" : detail}`);
};
await send("Runtime.enable"); await send("Page.enable");
await go(opening);

// 1. Toolbar: link from the list, photo with its description, events.
await go("/studio/edit?page=news/2026-11-06-autumn-garden/index.md");
check("toolbar shown", await js(`!document.querySelector(".toolbar").hidden && getComputedStyle(document.querySelector(".toolbar")).display !== "none"`));
await js(`document.querySelector("#body").value = ""; document.querySelector("#link-to").selectedIndex = 1; document.querySelector("[data-insert=link]").click()`);
const linked = await js(`document.querySelector("#body").value`);
check("link inserted", /^\[.+\]\(@\/.+\.md\)$/.test(linked), linked);
await js(`document.querySelector("[data-insert=photo]").click()`);
check("photo needs a description", (await js(`document.querySelector("#toolbar-status").textContent`)).includes("Describe"));
await js(`document.querySelector("#photo-alt").value = "Bulbs [in] a row"; document.querySelector("[data-insert=photo]").click()`);
const withPhoto = await js(`document.querySelector("#body").value`);
check("photo inserted", withPhoto.includes("![Bulbs in a row](garden.jpg)"), withPhoto);
const before = await js(`document.querySelectorAll("#events .event").length`);
await js(`document.querySelector("#add-event").click()`);
const after = await js(`[...document.querySelectorAll("#events .event")].map(e => e.querySelector("input").id + "|" + e.querySelector("label").textContent)`);
check("event row added", after.length === before + 1 && after[after.length - 1].startsWith(`event-${before}-title|Event ${before + 1}:`), JSON.stringify(after));

// 2. Drag and drop: a photo dropped on the upload form goes in the text.
await js(`document.querySelector("#body").value = "Text.\\n"; document.querySelector("#body").selectionStart = 6;`);
await js(`document.querySelector("#alt").value = ""`);
const dropped = `(async () => {
  const blob = await (await fetch("/studio/photo/image?file=news%2F2026-11-06-autumn-garden%2Fgarden.jpg")).blob();
  const dt = new DataTransfer(); dt.items.add(new File([blob], "amelia-hartley.jpg", { type: "image/jpeg" }));
  document.querySelector("form.upload").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  return true; })()`;
await js(dropped);
await sleep(500);
check("drop without description refused", (await js(`document.querySelector("#upload-status").textContent`)).includes("Describe the photo first"));
await js(`document.querySelector("#alt").value = "A garden"`);
await js(dropped);
await sleep(4000);
const status = await js(`document.querySelector("#upload-status").textContent`);
const body = await js(`document.querySelector("#body").value`);
check("drop uploads and inserts", status.startsWith("Added") && /!\[A garden\]\(photo-[0-9a-f]{8}\.jpg\)/.test(body), status + " | " + body);

// 3. Live search and the blur box's keyboard way.
await go("/studio/photo?file=news%2F2026-11-06-autumn-garden%2Fgarden.jpg");
await js(`const q = document.querySelector("#q"); q.value = "a"; q.dispatchEvent(new Event("input"))`);
await sleep(1500);
const found = await js(`document.querySelectorAll("#found li").length`);
check("live search finds people", found > 0, String(found));
check("search not in the address", !(await js(`location.href`)).includes("q="));
await js(`const f = document.querySelectorAll("#blur .region")[0].querySelectorAll("input"); [10,10,20,20].forEach((v,i) => { f[i].value = v; f[i].dispatchEvent(new Event("input")); })`);
await js(`document.querySelector(".box").focus()`);
await send("Input.dispatchKeyEvent", { type: "keyDown", key: "ArrowRight", code: "ArrowRight", windowsVirtualKeyCode: 39 });
await send("Input.dispatchKeyEvent", { type: "keyUp", key: "ArrowRight", code: "ArrowRight", windowsVirtualKeyCode: 39 });
await send("Input.dispatchKeyEvent", { type: "keyDown", key: "ArrowDown", code: "ArrowDown", windowsVirtualKeyCode: 40, modifiers: 8 });
await send("Input.dispatchKeyEvent", { type: "keyUp", key: "ArrowDown", code: "ArrowDown", windowsVirtualKeyCode: 40, modifiers: 8 });
const nudged = await js(`[...document.querySelectorAll("#blur .region")[0].querySelectorAll("input")].map(i => i.value).join(",")`);
check("arrow keys nudge and resize the box", nudged === "11,10,20,21", nudged);
check("faces svg present or said", await js(`!!document.querySelector("#faces-found")`));
check("no script errors", errors.length === 0, errors.join("\n"));
ws.close();
await stop();
process.exit(failed ? 1 : 0);
