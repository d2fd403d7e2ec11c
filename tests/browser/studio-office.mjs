#!/usr/bin/env node
// What an office worker and the headteacher do in the studio, in headless
// Chromium, on a copy of the example site:
//
// 1. The office creates a news post, adds a phone photo carrying GPS and
//    a face tag, sees that nobody has said who is in it, types two
//    pupils' first names and picks them, sees that finding go; types a
//    pupil's full name into the text, sees the names finding, fixes it.
// 2. The headteacher builds, approves with the key in their own keys
//    folder, and publishes to the folder config.toml names; the published
//    photo carries no GPS, face tag or camera details, under a hashed name.
// 3. A pupil whose consent was withdrawn, picked for a photo, is refused
//    with the reason shown.
//
//   cargo build && node tests/browser/studio-office.mjs
//
// Needs playwright-core as run.mjs finds it (SCHOOLSITE_BROWSER_DEPS,
// tests/browser, ~/.cache/schoolsite-browser), Chromium (CHROMIUM) and,
// for the published photo, exiftool when installed (else its bytes are
// searched). SCHOOLSITE: the binary (default target/debug/schoolsite).
// Exits 1 if a step fails. Run by .ci/browser.

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
  console.error("studio-office.mjs: playwright-core is not installed: `npm install --prefix tests/browser`");
  process.exit(2);
}
const { chromium } = createRequire(path.join(deps, "package.json"))("playwright-core");
const bin = process.env.SCHOOLSITE || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug", "schoolsite");

const work = fs.mkdtempSync(path.join(os.tmpdir(), "studio-office-"));
const site = path.join(work, "site");
const home = path.join(work, "home");
const www = path.join(work, "www");
for (const part of ["content", "themes", "consent", "config.toml"]) {
  fs.cpSync(path.join(REPO, part), path.join(site, part), { recursive: true });
}
fs.mkdirSync(home);
const env = { ...process.env, HOME: home };
const keygen = spawnSync(bin, ["keygen", "--name", "Helen Marlowe", "--role", "Headteacher", "--root", site], { env, encoding: "utf8" });
if (keygen.status !== 0) throw new Error("keygen: " + keygen.stderr);
fs.appendFileSync(path.join(site, "config.toml"), `\n[publish]\nto = ${JSON.stringify(www)}\n`);

const studio = spawn(bin, ["studio", "--port", "0", "--root", site], { env });
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
const base = new URL(opening).origin;

let failed = 0;
const check = (what, ok, detail = "") => {
  if (!ok) failed += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : "\n     " + String(detail).slice(0, 600)}`);
};
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const findings = () => page.locator("#findings-heading + *").first().innerText();
const save = async () => {
  await Promise.all([page.waitForNavigation(), page.click("#page-form button[type=submit]")]);
};

try {
  // 1. The office, at the address the studio printed.
  await page.goto(opening);
  await page.goto(base + "/studio/");
  await page.fill("#new-title", "Sports day");
  await page.selectOption("#new-section", "news");
  await page.fill("#new-date", "2026-11-25");
  await Promise.all([page.waitForNavigation(), page.click("text=Create as a draft")]);
  check("a new post opens as a draft", (await page.content()).includes("Created as a draft"), page.url() + " " + (await page.content()).slice(0, 800));
  await page.fill("#alt", "The relay race");
  // A phone photo with GPS and a face tag: the example site's, with one
  // quantisation value changed, so it is a photo of its own (the build
  // knows a copy of a photo it already has).
  const phone = fs.readFileSync(path.join(REPO, "content", "school-building.jpg"));
  const dqt = phone.indexOf(Buffer.from([0xff, 0xdb]));
  phone[dqt + 4 + 1 + 63] = phone[dqt + 4 + 1 + 63] === 255 ? 254 : phone[dqt + 4 + 1 + 63] + 1;
  fs.writeFileSync(path.join(work, "IMG_2041.jpg"), phone);
  await page.setInputFiles("#file", path.join(work, "IMG_2041.jpg"));
  await page.click("form.upload button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#upload-status").textContent.startsWith("Added"), null, { timeout: 20000 });
  const text = await page.inputValue("#body");
  check("the photo's line goes into the text under a neutral name", /!\[The relay race\]\(photo-[0-9a-f]{8}\.jpg\)/.test(text), text);
  await page.uncheck("#draft");
  await save();
  const undeclared = await findings();
  check("saving shows that nobody has said who is in it", undeclared.includes("is not declared"), undeclared);
  await Promise.all([page.waitForNavigation(), page.click("text=Go to the photo")]);
  for (const [typed, shown] of [["mil", "Millie H., Year 5"], ["oli", "Oliver O., Year 5"]]) {
    await page.fill("#q", typed);
    const person = page.locator("#found li", { hasText: shown });
    await person.waitFor({ timeout: 5000 });
    await person.locator("input").check();
  }
  await page.check("#focus-group");
  await Promise.all([page.waitForNavigation(), page.click("text=Save who is in it")]);
  check("who is in it is saved", (await page.content()).includes("Saved."), await page.locator("main").innerText());
  const post = "news/2026-11-25-sports-day.md";
  await page.goto(`${base}/studio/edit?page=${encodeURIComponent(post)}`);
  const declared = await findings();
  check("the finding goes", !declared.includes("is not declared"), declared);
  await page.fill("#body", text + "\nWell done to Oliver Okafor, who won.\n");
  await save();
  const named = await findings();
  check("a full name in the text is found", named.includes("Oliver O.") && !named.includes("Okafor"), named);
  await page.fill("#body", text + "\nWell done to Oliver, who won.\n");
  await save();
  const fixed = await findings();
  check("and goes when it is fixed", !fixed.includes("Oliver O."), fixed);

  // 2. The headteacher.
  await page.goto(base + "/studio/approve");
  await Promise.all([page.waitForNavigation({ waitUntil: "domcontentloaded", timeout: 120000 }), page.click("#build")]);
  const built = (await page.content()).includes("Built ");
  if (!built) await page.goto(base + "/studio/findings");
  check("the site is built for approval", built, await page.locator("main").innerText());
  // The preview in its frame takes a moment; clicks wait for it.
  await page.waitForLoadState("load", { timeout: 120000 });
  await page.selectOption("#key", "helen-marlowe.key");
  const press = async (label) => {
    const button = page.locator("button", { hasText: label });
    await button.scrollIntoViewIfNeeded();
    await Promise.all([page.waitForNavigation({ waitUntil: "domcontentloaded", timeout: 120000 }), button.click()]);
    await page.waitForLoadState("load", { timeout: 120000 });
  };
  await press("Approve this build");
  check("it is approved with the key from the keys folder", (await page.content()).includes("Approved build"), await page.locator("main").innerText());
  await press("Publish");
  check("it is published", (await page.content()).includes("Published build"), await page.locator("main").innerText());
  const postHtml = fs.readFileSync(path.join(www, "news", "sports-day", "index.html"), "utf8");
  const src = (postHtml.match(/src="\/media\/([^"]+\.jpg)"/) || [])[1];
  check("the post's photo has a hashed name", /^[0-9a-f]{16,}(-\d+)?\.jpg$/.test(src || ""), src);
  const photo = path.join(www, "media", src || "missing.jpg");
  const exif = spawnSync("exiftool", ["-j", "-a", "-G1", photo], { encoding: "utf8" });
  const tags = exif.status === 0 ? Object.keys(JSON.parse(exif.stdout)[0]) : [];
  const bytes = fs.existsSync(photo) ? fs.readFileSync(photo).toString("latin1") : "";
  const leaks = tags.filter((t) => /GPS|XMP|IPTC|Make|Model|Serial|RegionInfo|PersonInImage|Comment/i.test(t));
  check("and carries no metadata", fs.existsSync(photo) && leaks.length === 0 && !/mwg-rs|PersonInImage|GPSLatitude/.test(bytes), leaks.join(", "));

  // 3. A pupil whose parents withdrew consent.
  await page.goto(`${base}/studio/photo?file=${encodeURIComponent("news/" + text.match(/photo-[0-9a-f]{8}\.jpg/)[0])}`);
  await page.fill("#q", "isl");
  const isla = page.locator("#found li", { hasText: "Isla M." });
  await isla.waitFor({ timeout: 5000 });
  check("she is shown in red, with why", (await isla.getAttribute("class")).includes("blocked") && (await isla.innerText()).includes("withdrawn"), await isla.innerText());
  await isla.locator("input").check();
  await Promise.all([page.waitForNavigation(), page.click("text=Save who is in it")]);
  const refused = await page.locator("#error-summary").innerText();
  check("picking her is refused with the reason shown", refused.includes("Isla M.") && refused.includes("Nothing was saved"), refused);
} catch (e) {
  check("the scenario ran to its end", false, e.stack);
} finally {
  await browser.close();
  const gone = new Promise((r) => studio.once("exit", r));
  studio.kill();
  await gone;
  fs.rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
process.exit(failed ? 1 : 0);
