#!/usr/bin/env node
// Every studio page, in each state an office worker or the headteacher
// meets it, in headless Chromium at 1280 and 320 CSS px: no axe-core
// violation (WCAG 2.2 AA tags), no sideways scrolling.
//
//   cargo build && node tests/browser/studio-pages.mjs [--screenshots DIR]
//
// Starts `schoolsite studio` (SCHOOLSITE, default target/debug/schoolsite)
// on a copy of the example site, with an approver's key in a home folder
// of its own and a folder to publish to. Needs playwright-core and
// axe-core as run.mjs finds them (SCHOOLSITE_BROWSER_DEPS, tests/browser,
// then ~/.cache/schoolsite-browser; `bash .ci/browser` installs them) and
// Chromium (CHROMIUM, default /usr/bin/chromium). Exits 1 if a page fails.
//
// States that only a form can reach are reached through the form, as a
// user would: a new page refused, an edit refused, a save refused because
// the file (a page, or a photos.toml) changed on disk after the form was
// opened, a withdrawn pupil refused, the search, an upload refused and one
// added (without the studio's script, so the server's own pages answer),
// the site built, approved, published, and approved from a page opened
// before it was built again; a page moved to the bin, restored, and
// restored again from a second window.
//
// Each page is loaded (or reached) once at 1280 px, checked, then the
// window is narrowed to 320 px and checked again.
//
// With `--screenshots DIR`, a 1280 px wide picture of each page that
// docs/studio.md shows is saved there (studio-*-1280.png).
//
// The studio is opened at the whole address it prints after "studio on "
// (which may carry a key that starts a session), and every studio page is
// asked for at that address's origin. The site's preview is never assumed
// to be on that origin: it is only ever reached through the page's frame.

import { spawn, spawnSync } from "node:child_process";
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
const shotsAt = process.argv.indexOf("--screenshots");
const shots = shotsAt > 0 ? process.argv[shotsAt + 1] : null;
if (shots) fs.mkdirSync(shots, { recursive: true });

const work = fs.mkdtempSync(path.join(os.tmpdir(), "studio-pages-"));
const site = path.join(work, "site");
const home = path.join(work, "home");
for (const part of ["content", "themes", "consent", "config.toml"]) {
  fs.cpSync(path.join(REPO, part), path.join(site, part), { recursive: true });
}
fs.mkdirSync(home);
const env = { ...process.env, HOME: home };
const keygen = spawnSync(bin, ["keygen", "--name", "Helen Marlowe", "--role", "Headteacher", "--root", site], { env, encoding: "utf8" });
if (keygen.status !== 0) throw new Error("keygen: " + keygen.stderr);
fs.appendFileSync(path.join(site, "config.toml"), `\n[publish]\nto = ${JSON.stringify(path.join(work, "www"))}\n`);

const studio = spawn(bin, ["studio", "--port", "0", "--today", "2026-11-24", "--root", site], { env });
// Never left running, whatever stops this script.
process.on("exit", () => studio.kill());
// The whole address printed after "studio on ", up to the first space.
const opening = await new Promise((resolve, reject) => {
  let out = "";
  studio.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/studio on (\S+)\s/);
    if (m) resolve(m[1]);
  });
  studio.on("exit", () => reject(new Error("the studio stopped: " + out)));
});
const base = new URL(opening).origin;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
// One browser as a user has it: the studio opened once, at the address
// it printed (which may be good for one visit only). The studio's policy
// rightly refuses an injected script: axe is put in by the test harness
// around it.
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
// A window of that browser. `script: false` blocks the studio's script in
// it, so forms are answered by the server's own pages (as for someone
// without it).
const opened = async ({ script = true } = {}) => {
  const page = await context.newPage();
  if (!script) await page.route("**/studio/assets/studio.js", (route) => route.abort());
  return page;
};

let failed = 0;
const report = (ok, what, detail = []) => {
  if (!ok) failed += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail.map((d) => "\n     " + d).join("")}`);
};
const audit = (page) =>
  page.evaluate(async () => {
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")})`);
  });
// What sticks out past the window's right edge, when the page scrolls
// sideways: the widest elements, named.
const sideways = (page) =>
  page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
    const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.classList.length ? "." + [...e.classList].join(".") : "");
    return [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
      .slice(0, 5)
      .map((e) => `scrolls sideways: ${name(e)} ends at ${Math.round(e.getBoundingClientRect().right)} px`);
  });

// Checks the page as it is now, at 1280 px then 320 px; with a picture of
// it at 1280 px (`height` tall, from the top) when `shot` names one.
// `expect` is text the state must show, so a form that did not reach it
// fails here rather than checking the wrong page.
const check = async (page, what, { shot, expect, height = 800 } = {}) => {
  await page.waitForLoadState("load");
  const text = await page.locator("main").innerText().catch(() => "");
  if (expect && !text.includes(expect)) {
    report(false, `${what}: not reached`, [`expected "${expect}" at ${page.url()}`, text.slice(0, 400).replace(/\s+/g, " ")]);
    return;
  }
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axe });
  if (shots && shot) {
    // The preview in the page's frame takes a moment to draw.
    await page.waitForTimeout(1000);
    const file = path.join(shots, `${shot}-1280.png`);
    const full = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: file, fullPage: height > 800, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, Math.max(full, 800)) } });
  }
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(100);
    const problems = [...(await audit(page)), ...(width === 320 ? await sideways(page) : [])];
    report(problems.length === 0, `${width} px ${what}`, problems);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
};
// Clicks what submits a form and waits for the page it answers with.
// (Scrolled to first: below a frame still drawing, a click can land on
// nothing.)
const submit = async (page, locator) => {
  const button = page.locator(locator).first();
  await button.scrollIntoViewIfNeeded();
  await Promise.all([page.waitForNavigation({ waitUntil: "load", timeout: 120000 }), button.click()]);
};
const edit = (rel) => `${base}/studio/edit?page=${encodeURIComponent(rel)}`;
const photo = (rel) => `${base}/studio/photo?file=${encodeURIComponent(rel)}`;
const garden = "news/2026-11-06-autumn-garden";

try {
  const page = await opened();
  await page.goto(opening);
  // A second window, without the studio's script.
  const plain = await opened({ script: false });

  // The pages list, and a new page refused: its title names a pupil.
  await page.goto(base + "/studio/");
  await check(page, "the pages list", { shot: "studio-pages", expect: "Add a page" });
  await page.fill("#new-title", "Well done Oliver Okafor");
  await page.fill("#new-date", "2026-11-24");
  await submit(page, "text=Create as a draft");
  await check(page, "a new page refused (the error summary)", { shot: "studio-new-errors", expect: "There is a problem" });

  // Editing: an ordinary page, a statutory page, a section's page, a news
  // post in a folder of its own with its photos.
  await page.goto(edit("about.md"));
  await check(page, "edit a page", { expect: "Findings for this page" });
  await page.goto(edit("admissions.md"));
  await check(page, "edit a statutory page", { expect: "Statutory review" });
  await page.goto(edit("news/_index.md"));
  await check(page, "edit a section's page", { expect: "Findings for this page" });
  await page.goto(edit(`${garden}/index.md`));
  await check(page, "edit a news post", { shot: "studio-edit", expect: "Findings for this page" });

  // A save refused: an event that ends before it starts.
  const row = (await page.locator("#events .event").count()) - 1;
  await page.fill(`#event-${row}-title`, "Planting day");
  await page.fill(`#event-${row}-start`, "2026-12-10");
  await page.fill(`#event-${row}-end`, "2026-12-09");
  await submit(page, "#page-form button[type=submit]");
  await check(page, "an edit refused (the error summary)", { shot: "studio-edit-errors", expect: "cannot end before it starts" });

  // A save of a file changed on disk after the form was opened.
  await page.goto(edit("about.md"));
  await page.fill("#description", "Who we are, and what we believe.");
  fs.appendFileSync(path.join(site, "content", "about.md"), "\nA line added in a text editor meanwhile.\n");
  await submit(page, "#page-form button[type=submit]");
  await check(page, "a save refused: the file changed on disk (both versions)", { shot: "studio-conflict", expect: "Nothing was overwritten" });

  // A page saved, with its findings from a build of what was saved.
  await page.goto(edit("about.md"));
  await page.fill("#description", "Who we are, and what we believe.");
  await submit(page, "#page-form button[type=submit]");
  await check(page, "a page saved", { expect: "Saved." });

  // The whole site's findings (none yet), and every photo and file.
  await page.goto(base + "/studio/findings");
  await check(page, "all findings, nothing to fix", { expect: "Nothing to fix" });
  await page.goto(base + "/studio/media");
  await check(page, "photos and files", { expect: "Photos and files" });

  // Who is in a photo, with the search's suggestions open; a pupil who
  // may not be in photos refused; a clip.
  await page.goto(photo(`${garden}/garden.jpg`));
  await page.fill("#q", "year 5");
  await page.locator("#found li").first().waitFor({ timeout: 10000 });
  await check(page, "who is in this photo, with the search's suggestions", { shot: "studio-who", expect: "Who is in this photo", height: 1100 });
  await page.fill("#q", "isl");
  await page.locator("#found li", { hasText: "Isla M." }).waitFor({ timeout: 10000 });
  await page.locator("#found li", { hasText: "Isla M." }).locator("input").check();
  await page.check("#who-people");
  await submit(page, "text=Save who is in it");
  await check(page, "who is in it: a withdrawn pupil refused", { shot: "studio-who-refused", expect: "Nothing was saved" });
  await page.goto(photo(`${garden}/garden-tour.mp4`));
  await check(page, "who is in a clip", { expect: "Who is in it" });
  // Without the script, the search is a form the server answers.
  await plain.goto(photo(`${garden}/garden.jpg`));
  await plain.fill("#q", "oli");
  await submit(plain, "form.search button[type=submit]");
  await check(plain, "who is in it, searched without the script", { expect: "Oliver O." });
  // Who is in it saved after its photos.toml changed on disk.
  await page.goto(photo(`${garden}/garden.jpg`));
  await page.check("#focus-group");
  fs.appendFileSync(path.join(site, "content", garden, "photos.toml"), "\n# A comment added in a text editor meanwhile.\n");
  await submit(page, "text=Save who is in it");
  await check(page, "who is in it: refused, photos.toml changed on disk", { expect: "Nothing was overwritten" });

  // Pages that do not exist.
  await page.goto(edit("no-such-page.md"));
  await check(page, "a page that does not exist", { shot: "studio-missing", expect: "Go back" });
  await page.goto(photo("no-such-photo.jpg"));
  await check(page, "a photo that does not exist", { expect: "Go back" });

  // Approve and publish: before a build, built (with the preview read in
  // its frame), the preview on its own, approved.
  await page.goto(base + "/studio/approve");
  await check(page, "approve and publish, before a build", { expect: "Build the site" });
  await submit(page, "#build");
  await check(page, "approve and publish, built", { shot: "studio-approve", expect: "Read what changed", height: 1400 });
  const preview = await page.locator("iframe.preview").evaluate((f) => f.src);
  await page.goto(preview);
  await check(page, "the approver's preview on its own", { shot: "studio-approve-preview", expect: "At a glance", height: 1300 });
  await page.goto(base + "/studio/approve");
  await page.selectOption("#key", "helen-marlowe.key");
  await submit(page, "text=Approve this build");
  await check(page, "approve and publish, approved", { expect: "The approval is in" });
  await submit(page, "#publish");
  await check(page, "approve and publish, published", { expect: "Published build" });
  // A page changed and the site built again in another window: the
  // approve page and preview opened before are refused, saying to read
  // the new preview.
  await plain.goto(edit("about.md"));
  await plain.fill("#description", "Who we are and what we believe.");
  await submit(plain, "#page-form button[type=submit]");
  await plain.goto(base + "/studio/approve");
  await submit(plain, "#build");
  await page.selectOption("#key", "helen-marlowe.key");
  await submit(page, "text=Approve this build");
  await check(page, "approve and publish, refused: built again since it was opened", { expect: "Nothing was approved" });
  await page.goto(preview);
  await check(page, "the approver's preview, of a build since replaced", { expect: "built again since" });

  // A new page made, then moved to the bin.
  await page.goto(base + "/studio/");
  await page.fill("#new-title", "Sports day");
  await page.fill("#new-date", "2026-11-25");
  await submit(page, "text=Create as a draft");
  await check(page, "a new page, created as a draft", { expect: "Created as a draft" });
  await page.goto(base + "/studio/bin");
  await check(page, "the bin, empty", { expect: "The bin is empty" });
  await page.goto(edit("news/2026-11-25-sports-day.md"));
  await submit(page, "text=Move this page to the bin");
  await check(page, "the bin, with a page in it", { shot: "studio-bin", expect: "Restore" });
  // Restored; the bin, still open in another window, restores it again.
  await plain.goto(base + "/studio/bin");
  await submit(page, "ul.bin button");
  await check(page, "a page restored (the pages list)", { expect: "Sports day" });
  await submit(plain, "ul.bin button");
  await check(plain, "restored twice: nothing to restore", { expect: "no longer in the bin" });

  // Uploads without the studio's script: refused (a Word document), and
  // added (the server's page with the line to copy).
  // (What the sanitiser looks for in a Word file: a zip holding these.)
  fs.writeFileSync(path.join(work, "letter.docx"), Buffer.from("PK\x03\x04\x14\x00[Content_Types].xml word/document.xml " + "x".repeat(400)));
  await plain.goto(edit(`${garden}/index.md`));
  await plain.fill("#alt", "A letter to parents");
  await plain.setInputFiles("#file", path.join(work, "letter.docx"));
  await submit(plain, "form.upload button[type=submit]");
  await check(plain, "an upload refused", { shot: "studio-upload-refused", expect: "The file was not added" });
  const phone = fs.readFileSync(path.join(REPO, "content", "school-building.jpg"));
  const dqt = phone.indexOf(Buffer.from([0xff, 0xdb]));
  phone[dqt + 4 + 1 + 63] = phone[dqt + 4 + 1 + 63] === 255 ? 254 : phone[dqt + 4 + 1 + 63] + 1;
  fs.writeFileSync(path.join(work, "IMG_2041.jpg"), phone);
  await plain.goto(edit(`${garden}/index.md`));
  await plain.fill("#alt", "The school from the playground");
  await plain.setInputFiles("#file", path.join(work, "IMG_2041.jpg"));
  await submit(plain, "form.upload button[type=submit]");
  await check(plain, "an upload added (no script: the line to copy)", { shot: "studio-uploaded", expect: "File added" });

  // Its line put in the text: the page shows a photo nobody has said who
  // is in, so the build for approval is refused.
  const line = await plain.inputValue("#snippet");
  await page.goto(edit(`${garden}/index.md`));
  await page.fill("#body", (await page.inputValue("#body")) + "\n" + line + "\n");
  await submit(page, "#page-form button[type=submit]");
  await check(page, "a page saved, with a finding to fix", { expect: "is not declared" });
  await page.goto(base + "/studio/findings");
  await check(page, "all findings, one to fix", { shot: "studio-findings", expect: "is not declared" });
  await page.goto(base + "/studio/media");
  await check(page, "photos and files, one to fix", { shot: "studio-media", expect: "to fix" });
  await page.goto(base + "/studio/approve");
  await submit(page, "#build");
  await check(page, "approve and publish, the build refused", { expect: "The site was not built" });
} catch (e) {
  report(false, "the pages were all reached", [e.stack]);
} finally {
  await browser.close();
  const gone = new Promise((r) => studio.once("exit", r));
  studio.kill();
  await gone;
  fs.rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
process.exit(failed ? 1 : 0);
