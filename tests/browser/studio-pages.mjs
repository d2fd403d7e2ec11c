#!/usr/bin/env node
// Every studio page in headless Chromium, at 1280 and 320 CSS px: no
// axe-core violation (WCAG 2.2 AA tags), no sideways scrolling.
//
//   cargo build && node tests/browser/studio-pages.mjs
//
// Starts `schoolsite studio` (SCHOOLSITE, default target/debug/schoolsite)
// on a copy of the example site. Needs playwright-core and axe-core as
// run.mjs finds them (SCHOOLSITE_BROWSER_DEPS, tests/browser, then
// ~/.cache/schoolsite-browser; `bash .ci/browser` installs them) and
// Chromium (CHROMIUM, default /usr/bin/chromium). Exits 1 if a page
// fails. Not yet run by .ci/browser.
//
// With `--screenshots DIR`, the pages docs/studio.md shows are saved there
// at 1280 px (studio-*.png).

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const deps = [process.env.SCHOOLSITE_BROWSER_DEPS, HERE, path.join(os.homedir(), ".cache", "schoolsite-browser")]
  .filter(Boolean)
  .find((dir) => fs.existsSync(path.join(dir, "node_modules", "playwright-core", "package.json")));
if (!deps) {
  console.error("studio-pages.mjs: playwright-core and axe-core are not installed: `npm install --prefix tests/browser`");
  process.exit(2);
}
const require = createRequire(path.join(deps, "package.json"));
const { chromium } = require("playwright-core");
const axe = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const bin = process.env.SCHOOLSITE || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug", "schoolsite");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "studio-pages-"));
for (const part of ["content", "themes", "consent", "config.toml"]) {
  fs.cpSync(path.join(REPO, part), path.join(work, part), { recursive: true });
}
const studio = spawn(bin, ["studio", "--port", "0", "--today", "2026-11-24", "--root", work]);
const base = await new Promise((resolve, reject) => {
  let out = "";
  studio.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/studio on (http:\/\/127\.0\.0\.1:\d+)\//);
    if (m) resolve(m[1]);
  });
  studio.on("exit", () => reject(new Error("the studio stopped: " + out)));
});

const shots = process.argv.indexOf("--screenshots") > 0 ? process.argv[process.argv.indexOf("--screenshots") + 1] : null;
const garden = encodeURIComponent("news/2026-11-06-autumn-garden");
// The pages docs/studio.md shows, by the name of their screenshot.
const pictured = {
  "/studio/": "studio-pages",
  [`/studio/edit?page=${garden}%2Findex.md`]: "studio-edit",
  [`/studio/photo?file=${garden}%2Fgarden.jpg`]: "studio-who",
  "/studio/approve": "studio-approve",
};
const paths = [
  "/studio/",
  "/studio/edit?page=about.md",
  "/studio/edit?page=admissions.md",
  `/studio/edit?page=${garden}%2Findex.md`,
  `/studio/photo?file=${garden}%2Fgarden.jpg`,
  `/studio/photo?file=${garden}%2Fgarden-tour.mp4`,
  "/studio/media",
  "/studio/findings",
  "/studio/bin",
  "/studio/approve",
  "/studio/edit?page=no-such-page.md",
];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = 0;
for (const width of [1280, 320]) {
  // The studio's policy rightly refuses an injected script: axe is put in
  // by the test harness around it.
  const page = await browser.newPage({ viewport: { width, height: 800 }, bypassCSP: true });
  for (const p of paths) {
    await page.goto(base + p);
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
      const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")})`);
    });
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    if (shots && width === 1280 && pictured[p]) {
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(shots, `${pictured[p]}-1280.png`) });
    }
    const ok = violations.length === 0 && !sideways;
    if (!ok) failed += 1;
    console.log(`${ok ? "ok  " : "FAIL"} ${width} px ${p}${sideways ? " scrolls sideways" : ""}${violations.map((v) => "\n     " + v).join("")}`);
  }
  await page.close();
}
await browser.close();
const gone = new Promise((r) => studio.once("exit", r));
studio.kill();
await gone;
fs.rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
process.exit(failed ? 1 : 0);
