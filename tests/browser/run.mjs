#!/usr/bin/env node
// Browser checks for the site `schoolsite build` writes to public/.
//
//   node tests/browser/run.mjs [PUBLIC_DIR] [--docs DIR] [--screenshots DIR] [--base-url URL]
//
// Serves PUBLIC_DIR (default: public/ at the repository root) on 127.0.0.1,
// crawls it from / in headless Chromium (playwright-core) and checks every
// page: axe-core (WCAG 2.2 AA tags), no request off this machine, no broken
// links or resources, no cookies or storage, no sideways scrolling at 320 CSS
// px, a working skip link and visible keyboard focus. The Nu HTML Checker
// validates every HTML and CSS file; the home page must weigh under 50 KB;
// home and /search/ must work without JavaScript. Screenshots of one page of
// each type go to target/browser/screenshots/. Exits 1 if any check fails.
//
// Environment: CHROMIUM (default /usr/bin/chromium), JAVA (default java),
// SCHOOLSITE_BROWSER_DEPS (the folder whose node_modules holds the three
// packages; default tests/browser, then ~/.cache/schoolsite-browser),
// BROWSER_TIMEOUT_S (default 180).

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const started = Date.now();

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`run.mjs: ${msg}`);
  console.error('usage: node tests/browser/run.mjs [PUBLIC_DIR] [--docs DIR] [--screenshots DIR] [--base-url URL]');
  process.exit(2);
}

const opts = {
  publicDir: path.join(REPO, 'public'),
  docsDir: null,
  shotsDir: path.join(REPO, 'target', 'browser', 'screenshots'),
  // The site's own address (config.toml's base_url): links written out in
  // full to it are checked against the local copy.
  baseOrigin: null,
};
{
  const argv = process.argv.slice(2);
  let positional = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--docs') opts.docsDir = path.resolve(value());
    else if (a === '--screenshots') opts.shotsDir = path.resolve(value());
    else if (a === '--public') opts.publicDir = path.resolve(value());
    else if (a === '--base-url') opts.baseOrigin = new URL(value()).origin;
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (positional++ === 0) opts.publicDir = path.resolve(a);
    else usage(`unexpected argument ${a}`);
  }
}

// ------------------------------------------------------------- dependencies

function depsRequire() {
  const candidates = [
    process.env.SCHOOLSITE_BROWSER_DEPS,
    HERE,
    path.join(os.homedir(), '.cache', 'schoolsite-browser'),
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'node_modules', 'playwright-core', 'package.json'))) {
      return createRequire(path.join(dir, 'package.json'));
    }
  }
  console.error('run.mjs: playwright-core, axe-core and vnu-jar are not installed.');
  console.error('Run `bash .ci/browser`, or `npm install --prefix tests/browser` (needs the npm registry).');
  process.exit(2);
}
const require = depsRequire();
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const vnuJar = String(require('vnu-jar'));

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const JAVA = process.env.JAVA || 'java';
const TIMEOUT_S = Number(process.env.BROWSER_TIMEOUT_S || 180);
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const WEIGHT_BUDGET = 51200;
const NARROW = 320;
const MAX_PAGES = 500;

// ----------------------------------------------------------------- failures

const CHECKS = {
  pages: 'pages load (status, 404 page, script errors)',
  axe: 'accessibility (axe-core, WCAG 2.2 A/AA tags)',
  network: 'no request leaves 127.0.0.1; every resource loads',
  csp: 'every page carries the Content Security Policy first in <head>',
  links: 'links and resources resolve (HTTP 200, #fragments exist)',
  cookies: 'no cookies or web storage',
  reflow: `no sideways scrolling at ${NARROW} CSS px`,
  keyboard: 'skip link and visible keyboard focus',
  html: 'HTML valid (Nu HTML Checker)',
  css: 'CSS valid (Nu HTML Checker)',
  weight: 'home page HTML + CSS + JS under 50 KB',
  nojs: 'works without JavaScript',
  screenshots: 'screenshots taken',
  serve: 'schoolsite serve reloads the browser and shows a blocked build',
};
// check -> Map(key -> { text, details: string[], pages: Set })
const failures = new Map(Object.keys(CHECKS).map((k) => [k, new Map()]));

function fail(check, key, text, page, details = []) {
  const group = failures.get(check);
  let entry = group.get(key);
  if (!entry) {
    entry = { text, details, pages: new Set() };
    group.set(key, entry);
  }
  if (page) entry.pages.add(page);
}

const notes = [];
// What has been checked so far, for a report after a time-out.
const state = { pagesChecked: [] };
const log = (...a) => console.log(...a);

// ------------------------------------------------------------------- server

const TYPES = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  webmanifest: 'application/manifest+json',
  xml: 'application/xml',
  ics: 'text/calendar; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  vtt: 'text/vtt; charset=utf-8',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
};

function contentType(file) {
  const ext = path.extname(file).slice(1).toLowerCase();
  return TYPES[ext] || 'application/octet-stream';
}

async function startServer(root) {
  const realRoot = await fsp.realpath(root);
  const inRoot = (p) => p === realRoot || p.startsWith(realRoot + path.sep);
  const notFoundPage = path.join(realRoot, '404.html');

  async function resolveFile(pathname) {
    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return { status: 400 };
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400 };
    let file = path.resolve(realRoot, '.' + decoded);
    if (!inRoot(file)) return { status: 403 };
    if (decoded.endsWith('/')) file = path.join(file, 'index.html');
    let real;
    try {
      real = await fsp.realpath(file);
    } catch {
      return { status: 404 };
    }
    if (!inRoot(real)) return { status: 403 };
    const st = await fsp.stat(real);
    if (st.isDirectory()) return { status: 301, location: pathname + '/' };
    if (!st.isFile()) return { status: 404 };
    return { status: 200, file: real, size: st.size };
  }

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const url = new URL(req.url, 'http://127.0.0.1');
      const r = await resolveFile(url.pathname);
      const common = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
      if (r.status === 301) {
        res.writeHead(301, { ...common, Location: r.location + url.search }).end();
        return;
      }
      if (r.status !== 200) {
        let body = null;
        if (r.status === 404) body = await fsp.readFile(notFoundPage).catch(() => null);
        const headers = body
          ? { ...common, 'Content-Type': TYPES.html, 'Content-Length': body.length }
          : { ...common, 'Content-Type': TYPES.txt };
        res.writeHead(r.status, headers);
        res.end(req.method === 'HEAD' ? undefined : body || `${r.status}\n`);
        return;
      }
      const headers = { ...common, 'Content-Type': contentType(r.file), 'Accept-Ranges': 'bytes' };
      let start = 0;
      let end = r.size - 1;
      let status = 200;
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
      if (range && r.size > 0 && (range[1] || range[2])) {
        if (range[1]) {
          start = Number(range[1]);
          if (range[2]) end = Math.min(Number(range[2]), r.size - 1);
        } else {
          start = Math.max(0, r.size - Number(range[2]));
        }
        if (start > end || start >= r.size) {
          res.writeHead(416, { ...common, 'Content-Range': `bytes */${r.size}` }).end();
          return;
        }
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${r.size}`;
      }
      headers['Content-Length'] = r.size === 0 ? 0 : end - start + 1;
      res.writeHead(status, headers);
      if (req.method === 'HEAD' || r.size === 0) {
        res.end();
        return;
      }
      const stream = fs.createReadStream(r.file, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': TYPES.txt });
      res.end(String(err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

// A GET from Node against the local server, cached by URL (without #fragment).
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const fetchCache = new Map();
function fetchLocal(url) {
  const key = url.split('#')[0];
  if (!fetchCache.has(key)) {
    fetchCache.set(
      key,
      new Promise((resolve) => {
        const req = http.get(key, { agent, timeout: 10000 }, (res) => {
          let bytes = 0;
          res.on('data', (chunk) => (bytes += chunk.length));
          res.on('end', () =>
            resolve({
              status: res.statusCode,
              type: String(res.headers['content-type'] || ''),
              location: res.headers.location || null,
              bytes,
            }),
          );
          res.on('error', (err) => resolve({ status: 0, error: err.message, bytes: 0, type: '' }));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (err) => resolve({ status: 0, error: err.message, bytes: 0, type: '' }));
      }),
    );
  }
  return fetchCache.get(key);
}

// ------------------------------------------------------------- the checker

// Splits a srcset attribute into its URLs (the HTML standard's algorithm,
// less the descriptor parsing).
function srcsetUrls(value) {
  const urls = [];
  let i = 0;
  const ws = /[\t\n\f\r ]/;
  while (i < value.length) {
    while (i < value.length && (ws.test(value[i]) || value[i] === ',')) i++;
    if (i >= value.length) break;
    let start = i;
    while (i < value.length && !ws.test(value[i])) i++;
    let url = value.slice(start, i);
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let depth = 0;
      while (i < value.length) {
        const c = value[i];
        if (c === '(') depth++;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === ',' && depth === 0) break;
        i++;
      }
    }
    if (url) urls.push(url);
  }
  return urls;
}

function short(u, origin) {
  return u.startsWith(origin) ? u.slice(origin.length) || '/' : u;
}

function isLocal(u, origin) {
  if (u.startsWith('data:') || u.startsWith('blob:') || u === 'about:blank') return true;
  try {
    return new URL(u).origin === origin;
  } catch {
    return false;
  }
}

// Link relations whose <link href> the browser fetches.
const LOADING_RELS = new Set([
  'stylesheet', 'icon', 'shortcut', 'apple-touch-icon', 'apple-touch-icon-precomposed',
  'mask-icon', 'manifest', 'preload', 'prefetch', 'modulepreload', 'preconnect',
  'dns-prefetch', 'prerender',
]);

// Everything a page links to or loads, read from the DOM.
function collectRefs() {
  const refs = [];
  const add = (el, attr) => {
    const v = el.getAttribute(attr);
    if (v !== null) refs.push({ kind: `${el.localName} ${attr}`, value: v, srcset: attr === 'srcset', rel: el.getAttribute('rel') || '' });
  };
  for (const el of document.querySelectorAll('a[href], area[href]')) add(el, 'href');
  for (const el of document.querySelectorAll('img')) { add(el, 'src'); add(el, 'srcset'); }
  for (const el of document.querySelectorAll('source')) { add(el, 'src'); add(el, 'srcset'); }
  for (const el of document.querySelectorAll('video')) { add(el, 'src'); add(el, 'poster'); }
  for (const el of document.querySelectorAll('audio[src], track[src], script[src], iframe[src], embed[src], input[type=image][src]')) add(el, 'src');
  for (const el of document.querySelectorAll('object[data]')) add(el, 'data');
  for (const el of document.querySelectorAll('link[href]')) add(el, 'href');
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const names = [...document.querySelectorAll('a[name]')].map((e) => e.getAttribute('name'));
  return { base: document.baseURI, refs, ids: [...ids, ...names] };
}

async function main() {
  const publicDir = opts.publicDir;
  if (!fs.existsSync(path.join(publicDir, 'index.html'))) {
    console.error(`run.mjs: ${publicDir}/index.html not found: build the site first (cargo run --release -- build)`);
    process.exit(2);
  }
  const server = await startServer(publicDir);
  const origin = `http://127.0.0.1:${server.address().port}`;
  log(`schoolsite browser checks: serving ${display(publicDir)} at ${origin}`);

  // The Nu HTML Checker needs no browser: start it now, alongside.
  const vnuDone = runVnu(publicDir);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
  log(`chromium ${browser.version()} (${CHROMIUM}), axe-core ${JSON.parse(fs.readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version}`);

  // Every context aborts any request that is not to the local server.
  const blocked = new Set();
  async function guard(context) {
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (isLocal(u, origin)) return route.continue();
      blocked.add(u);
      return route.abort('blockedbyclient');
    });
    return context;
  }

  // The pages' Content Security Policy is bypassed here: axe-core is
  // injected as a script, and the network check then sees what the gate
  // alone lets through, without the browser's second line. The policy
  // itself is checked on every page (check 'csp').
  const context = await guard(await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true }));
  context.setDefaultTimeout(15000);

  const pagesChecked = state.pagesChecked;
  const pageIds = new Map(); // page URL -> Set of ids
  const fragmentRefs = []; // { from, target, fragment }
  const queued = new Set();
  const queue = [];
  let homeLoads = null;
  const enqueue = (u) => {
    if (queued.has(u)) return;
    queued.add(u);
    if (queued.size > MAX_PAGES) {
      fail('pages', 'max-pages', `crawl stopped after ${MAX_PAGES} pages (a pagination loop?)`);
      return;
    }
    queue.push({ url: u, expect: 200 });
  };
  enqueue(origin + '/');

  const missing = `${origin}/no-such-page-${process.pid}/really-not-here/`;
  const extra = [
    { url: `${origin}/404.html`, expect: 200, kind: '404' },
    { url: missing, expect: 404, kind: '404' },
  ];

  while (queue.length || extra.length) {
    const item = queue.length ? queue.shift() : extra.shift();
    if (item.kind === '404') {
      if (queued.has(item.url)) continue;
      queued.add(item.url);
    }
    const result = await checkPage(item);
    if (result) pagesChecked.push({ ...item, ...result });
  }

  async function checkPage({ url, expect }) {
    const label = short(url, origin);
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push({ url: r.url(), type: r.resourceType() }));
    page.on('pageerror', (e) => errors.push(e.message.split('\n')[0]));
    page.on('response', (r) => {
      const req = r.request();
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) return;
      if (r.status() >= 400 && isLocal(r.url(), origin)) {
        fail('network', `status ${r.url()}`, `${short(r.url(), origin)} (${req.resourceType()}) answered HTTP ${r.status()}`, label);
      }
    });
    page.on('requestfailed', (r) => {
      // ERR_ABORTED is the browser cancelling a load itself (a video that
      // stops buffering, a page being closed), not a resource that failed.
      if (isLocal(r.url(), origin) && r.failure()?.errorText !== 'net::ERR_ABORTED') {
        fail('network', `failed ${r.url()}`, `${short(r.url(), origin)} (${r.resourceType()}) failed: ${r.failure()?.errorText}`, label);
      }
    });
    try {
      let response;
      try {
        response = await page.goto(url, { waitUntil: 'load', timeout: 20000 });
      } catch (err) {
        fail('pages', `goto ${url}`, `did not load: ${err.message.split('\n')[0]}`, label);
        return null;
      }
      const status = response ? response.status() : 0;
      if (status !== expect) fail('pages', `status ${url}`, `answered HTTP ${status}, expected ${expect}`, label);
      const title = await page.title();
      const csp = await page.evaluate(() => {
        const first = document.head && document.head.firstElementChild;
        return first && first.getAttribute('http-equiv') === 'Content-Security-Policy'
          ? first.getAttribute('content') : null;
      });
      if (!csp || !/default-src 'self'/.test(csp) || !/img-src 'self'/.test(csp)) {
        fail('csp', 'missing', 'no Content Security Policy first in <head>', label);
      }
      if (expect === 404) {
        const notFound = await fsp.readFile(path.join(opts.publicDir, '404.html'), 'utf8').catch(() => null);
        if (notFound === null) {
          fail('pages', '404-missing', 'public/404.html is missing, so a missing page shows no help', label);
        } else {
          const want = (/<title[^>]*>([^<]*)<\/title>/i.exec(notFound) || [])[1];
          const norm = (t) => (t || '').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
          if (norm(want) !== norm(title)) fail('pages', '404-page', `a missing page does not show the 404 page (title "${title}")`, label);
        }
      }

      // a. accessibility
      await checkAxe(page, label);

      // c. links and resources
      const dom = await page.evaluate(collectRefs);
      pageIds.set(url.split('#')[0], new Set(dom.ids));
      await checkRefs(dom, url, label);

      // d. cookies and storage
      const cookies = await context.cookies();
      for (const c of cookies) fail('cookies', `cookie ${c.name}`, `sets cookie "${c.name}" (domain ${c.domain})`, label);
      if (cookies.length) await context.clearCookies();
      const jar = await page.evaluate(() => {
        const r = { cookie: document.cookie, local: [], session: [] };
        try { for (let i = 0; i < localStorage.length; i++) r.local.push(localStorage.key(i)); localStorage.clear(); } catch {}
        try { for (let i = 0; i < sessionStorage.length; i++) r.session.push(sessionStorage.key(i)); sessionStorage.clear(); } catch {}
        return r;
      });
      if (jar.cookie) fail('cookies', `doc-cookie ${jar.cookie}`, `document.cookie is "${jar.cookie}"`, label);
      for (const k of jar.local) fail('cookies', `local ${k}`, `stores "${k}" in localStorage`, label);
      for (const k of jar.session) fail('cookies', `session ${k}`, `stores "${k}" in sessionStorage`, label);

      // f. keyboard (at the desktop width, before the page is resized)
      await checkKeyboard(page, label);

      // e. reflow at 320 CSS px (WCAG 1.4.10: 1280 px at 400% zoom)
      await page.setViewportSize({ width: NARROW, height: 800 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const reflow = await page.evaluate((narrow) => {
        const doc = document.documentElement;
        const wide = [];
        if (doc.scrollWidth > narrow + 1) {
          const path = (el) => {
            const parts = [];
            for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
              let s = e.localName;
              if (e.id) { parts.unshift(`${s}#${e.id}`); break; }
              if (e.classList.length) s += '.' + [...e.classList].join('.');
              parts.unshift(s);
            }
            return parts.join(' > ');
          };
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > narrow + 1 && r.width > 0) {
              // Report the outermost offenders only.
              if (!wide.some((w) => w.el.contains(el))) wide.push({ el, desc: `${path(el)} (right edge at ${Math.round(r.right)} px)` });
            }
            if (wide.length >= 5) break;
          }
          // Text that runs past the edge (a long word or address) without its box doing so.
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          for (let n = walker.nextNode(); n && wide.length < 8; n = walker.nextNode()) {
            if (!n.textContent.trim()) continue;
            range.selectNodeContents(n);
            const r = range.getBoundingClientRect();
            if (r.right > narrow + 1 && r.width > 0 && !wide.some((w) => w.el.contains(n))) {
              const text = n.textContent.trim().replace(/\s+/g, ' ');
              wide.push({ el: n, desc: `text "${text.length > 50 ? text.slice(0, 50) + '...' : text}" in ${path(n.parentElement)} (right edge at ${Math.round(r.right)} px)` });
            }
          }
        }
        return { scrollWidth: doc.scrollWidth, wide: wide.map((w) => w.desc) };
      }, NARROW);
      if (reflow.scrollWidth > NARROW + 1) {
        fail('reflow', `reflow ${label}`, `document is ${reflow.scrollWidth} px wide at a ${NARROW} px viewport`, label, reflow.wide.map((w) => `too wide: ${w}`));
      }

      // b. network: everything the page asked for, during all of the above
      for (const r of requests) {
        if (!isLocal(r.url, origin)) fail('network', `external ${r.url}`, `requested ${r.url} (${r.type}), which is not on 127.0.0.1`, label);
        if (r.type === 'font') fail('weight', `font ${r.url}`, `loads a web font ${short(r.url, origin)} (web fonts are not allowed)`, label);
      }
      for (const e of errors) fail('pages', `js ${e}`, `script error: ${e}`, label);

      if (url === origin + '/') homeLoads = { requests, dom };
      log(`  checked ${label}${status !== 200 ? ` [${status}]` : ''}`);
      return { label, title, status };
    } finally {
      await page.close();
    }
  }

  async function checkAxe(page, label) {
    try {
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async (tags) => {
        const r = await window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', '),
            message: [...n.any, ...n.all, ...n.none].map((c) => c.message).filter(Boolean)[0] || '',
          })),
        }));
      }, AXE_TAGS);
      for (const v of violations) {
        for (const n of v.nodes) {
          fail('axe', `${v.id} ${n.target} ${n.message}`, `[${v.id}] (${v.impact}) ${v.help}: ${n.target}`, label, n.message ? [n.message] : []);
        }
      }
    } catch (err) {
      fail('axe', `error ${label}`, `axe-core did not run: ${err.message.split('\n')[0]}`, label);
    }
  }

  async function checkRefs(dom, pageUrl, label) {
    const pageKey = pageUrl.split('#')[0];
    const checks = [];
    for (const ref of dom.refs) {
      const values = ref.srcset ? srcsetUrls(ref.value) : [ref.value.trim()];
      for (const value of values) {
        let u;
        try {
          u = new URL(value, dom.base);
        } catch {
          fail('links', `bad ${label} ${value}`, `${ref.kind}="${value}" is not a valid URL`, label);
          continue;
        }
        const isAnchor = ref.kind === 'a href' || ref.kind === 'area href';
        if (isAnchor && opts.baseOrigin && u.origin === opts.baseOrigin) {
          u = new URL(u.pathname + u.search + u.hash, origin);
        }
        if (!['http:', 'https:'].includes(u.protocol)) {
          if (!isAnchor && !['data:', 'blob:'].includes(u.protocol)) {
            fail('links', `scheme ${value}`, `${ref.kind}="${value}" uses ${u.protocol}`, label);
          }
          continue;
        }
        const local = u.origin === origin;
        if (!local) {
          // Leaving the site by a link is fine; loading from elsewhere is not.
          const rels = ref.rel.toLowerCase().split(/\s+/);
          const loads = ref.kind !== 'link href' || rels.some((r) => LOADING_RELS.has(r));
          if (!isAnchor && loads) {
            fail('network', `external ${u.href}`, `${ref.kind}="${value}" loads from outside the site (${u.host})`, label);
          }
          continue;
        }
        const target = u.href.split('#')[0];
        if (target === pageKey) {
          // A link within this page (a skip link, a table of contents).
          if (isAnchor && u.hash && u.hash !== '#') {
            let fragment = u.hash.slice(1);
            try { fragment = decodeURIComponent(fragment); } catch {}
            fragmentRefs.push({ from: label, target, fragment, raw: value, same: true });
          }
          continue;
        }
        checks.push(fetchLocal(target).then((r) => ({ r, ref, u, target, value, isAnchor })));
      }
    }
    // In document order, so that the crawl order does not depend on timing.
    for (const { r, ref, u, target, value, isAnchor } of await Promise.all(checks)) {
      if (r.status !== 200) {
        const why = r.status === 0 ? r.error : r.location ? `HTTP ${r.status} to ${r.location}` : `HTTP ${r.status}`;
        const written = short(target, origin) === value.split('#')[0] ? '' : ` (written "${value}")`;
        fail('links', `broken ${target}`, `${short(target, origin)}${written} (${ref.kind}): ${why}`, label);
        continue;
      }
      const isHtml = /^text\/html\b/.test(r.type);
      if (isAnchor && isHtml) enqueue(target);
      if (isAnchor && isHtml && u.hash && u.hash !== '#') {
        let fragment = u.hash.slice(1);
        try { fragment = decodeURIComponent(fragment); } catch {}
        fragmentRefs.push({ from: label, target, fragment, raw: value, same: false });
      }
    }
  }

  async function checkKeyboard(page, label) {
    try {
      // Focus from the top of a freshly loaded page.
      await page.evaluate(() => { if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur(); window.scrollTo(0, 0); });
      await page.keyboard.press('Tab');
      const first = await page.evaluate(focusReport);
      if (!first || first.tag !== 'a') {
        fail('keyboard', 'skip-first', `the first Tab does not reach a skip link (it focuses ${first ? first.desc : 'nothing'})`, label);
        return;
      }
      const href = first.href || '';
      const target = first.skipTarget;
      if (!href.startsWith('#') || !target) {
        fail('keyboard', 'skip-href', `the first Tab focuses ${first.desc}, not a skip link to #main`, label);
      } else if (!target.isMain) {
        fail('keyboard', 'skip-target', `the skip link ${href} points at <${target.tag}>, not at <main> / #main`, label);
      }
      if (!first.indicator.ok) {
        fail('keyboard', 'skip-focus-style', `the skip link has no visible focus indicator (${first.indicator.why})`, label);
      }
      if (!first.visible) {
        fail('keyboard', 'skip-visible', `the focused skip link is not visible on screen (${first.rect})`, label);
      }
      if (href.startsWith('#') && target) {
        await page.keyboard.press('Enter');
        await page.waitForTimeout(50);
        let after = await page.evaluate(focusReport);
        if (!after || !after.inSkipTarget) {
          await page.keyboard.press('Tab');
          after = await page.evaluate(focusReport);
          if (!after || (!after.inSkipTarget && !after.afterSkipTarget)) {
            fail('keyboard', 'skip-works', `activating the skip link does not move keyboard focus into ${href} (next Tab focuses ${after ? after.desc : 'nothing'})`, label);
          }
        }
      }
      // The first link in <main>: reach it with Tab and look at its focus style.
      const hasLink = await page.evaluate(() => {
        const a = [...document.querySelectorAll('main a[href]')].find((e) => e.getClientRects().length);
        if (!a) return false;
        a.setAttribute('data-browser-check-first', '');
        const cs = getComputedStyle(a);
        window.__unfocused = { boxShadow: cs.boxShadow, outlineStyle: cs.outlineStyle };
        return true;
      });
      if (!hasLink) return;
      let reached = null;
      for (let i = 0; i < 80; i++) {
        const r = await page.evaluate(focusReport);
        if (r && r.isFirstMainLink) { reached = r; break; }
        await page.keyboard.press('Tab');
      }
      if (!reached) {
        fail('keyboard', 'main-link-unreachable', 'the first link in <main> is not reached by pressing Tab', label);
      } else if (!reached.indicator.ok) {
        fail('keyboard', 'main-link-focus-style', `the first link in <main> (${reached.desc}) has no visible focus indicator (${reached.indicator.why})`, label);
      }
    } catch (err) {
      fail('keyboard', `error ${label}`, `keyboard check did not run: ${err.message.split('\n')[0]}`, label);
    }
  }

  // ------------------------------------------------ fragment links (#id)
  for (const ref of fragmentRefs) {
    if (ref.fragment.toLowerCase() === 'top') continue; // scrolls to the top by definition
    const ids = pageIds.get(ref.target);
    if (!ids) continue; // an HTML page that was not crawled: already reported if broken
    if (!ids.has(ref.fragment)) {
      fail('links', `fragment ${ref.target}#${ref.fragment}`, `${ref.raw}: no element with id="${ref.fragment}" on ${short(ref.target, origin)}`, ref.from);
    }
  }

  // -------------------------------------------------- group by page type
  const paths = pagesChecked.filter((p) => p.status === 200).map((p) => new URL(p.url).pathname);
  const typeOf = (p) => {
    if (p.expect === 404 || new URL(p.url).pathname === '/404.html') return '404';
    return classify(new URL(p.url).pathname, paths);
  };
  const byType = new Map();
  for (const p of pagesChecked) {
    const t = typeOf(p);
    if (!byType.has(t)) byType.set(t, []);
    byType.get(t).push(p);
  }
  const preferred = { section: '/news/', '404': missing };
  const representatives = [...byType].map(([type, list]) => {
    const want = preferred[type];
    const pick = list.find((p) => p.url === want || new URL(p.url).pathname === want) || list[0];
    return { type, url: pick.url };
  });
  const searchUrl = paths.includes('/search/') ? origin + '/search/' : null;
  if (!searchUrl && (await fetchLocal(origin + '/search/')).status === 200) {
    notes.push('/search/ exists but no page links to it');
  }

  // Pages in public/ that no link reaches were only validated, not browsed.
  const htmlFiles = await listFiles(publicDir, (f) => f.endsWith('.html'));
  const reached = new Set(pagesChecked.map((p) => new URL(p.url).pathname));
  for (const f of htmlFiles) {
    const rel = '/' + path.relative(publicDir, f).split(path.sep).join('/');
    const asUrl = rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel;
    if (!reached.has(asUrl)) notes.push(`not linked from the site, so not browsed: ${asUrl}`);
  }

  // ------------------------------------------------------------ 6. weight
  let weight = null;
  if (homeLoads) {
    const urls = new Set();
    for (const r of homeLoads.requests) {
      if (['stylesheet', 'script', 'font'].includes(r.type) && isLocal(r.url, origin)) urls.add(r.url.split('#')[0]);
    }
    for (const ref of homeLoads.dom.refs) {
      const loadsCode = ref.kind === 'script src' || (ref.kind === 'link href' && /\b(stylesheet|modulepreload)\b/i.test(ref.rel));
      if (!loadsCode) continue;
      try {
        const u = new URL(ref.value, homeLoads.dom.base);
        if (u.origin === origin) urls.add(u.href.split('#')[0]);
      } catch {}
    }
    const html = await fetchLocal(origin + '/');
    const parts = { html: html.bytes, css: 0, js: 0, other: 0 };
    const files = [];
    for (const u of urls) {
      const r = await fetchLocal(u);
      const kind = /css/.test(r.type) ? 'css' : /javascript/.test(r.type) ? 'js' : 'other';
      parts[kind] += r.bytes;
      files.push(`${short(u, origin)} ${r.bytes} B`);
    }
    const total = parts.html + parts.css + parts.js + parts.other;
    weight = { total, parts, files };
    if (total >= WEIGHT_BUDGET) {
      fail('weight', 'budget', `home page weighs ${total} B (HTML ${parts.html} + CSS ${parts.css} + JS ${parts.js}${parts.other ? ` + other ${parts.other}` : ''}), over the ${WEIGHT_BUDGET} B budget`, '/', files);
    }
  } else {
    fail('weight', 'no-home', 'the home page was not checked, so its weight is unknown');
  }

  // ------------------------------------------------ 8. without JavaScript
  const noJs = await guard(await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } }));
  noJs.setDefaultTimeout(15000);
  const sections = [...new Set(paths.filter((p) => classify(p, paths) === 'section'))];
  for (const u of [origin + '/', searchUrl].filter(Boolean)) {
    const label = short(u, origin);
    const page = await noJs.newPage();
    try {
      await page.goto(u, { waitUntil: 'load', timeout: 20000 });
      const r = await page.evaluate(() => {
        const main = document.querySelector('main');
        if (!main) return null;
        const box = main.getBoundingClientRect();
        return {
          text: main.innerText.trim().length,
          height: box.height,
          links: [...main.querySelectorAll('a[href]')].filter((a) => a.getClientRects().length).map((a) => new URL(a.href).pathname),
        };
      });
      if (!r) fail('nojs', `nomain ${label}`, 'has no <main> element', label);
      else if (!r.text || r.height <= 0) fail('nojs', `empty ${label}`, 'shows no main content without JavaScript', label);
      else if (u === searchUrl) {
        const missingSections = sections.filter((s) => !r.links.includes(s));
        if (missingSections.length) {
          fail('nojs', 'search-sections', `without JavaScript the search page does not link to the sections ${missingSections.join(', ')}`, label);
        }
      }
    } catch (err) {
      fail('nojs', `error ${label}`, `no-JavaScript check did not run: ${err.message.split('\n')[0]}`, label);
    } finally {
      await page.close();
    }
  }
  await noJs.close();

  // ----------------------------------------------------- 7. screenshots
  const mobile = await guard(await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }));
  mobile.setDefaultTimeout(20000);
  await fsp.mkdir(opts.shotsDir, { recursive: true });
  if (opts.docsDir) await fsp.mkdir(opts.docsDir, { recursive: true });
  const shots = [];
  for (const { type, url } of representatives) {
    for (const [ctx, width] of [[mobile, 390], [context, 1280]]) {
      const file = path.join(opts.shotsDir, `${type}-${width}.png`);
      const page = await ctx.newPage();
      try {
        await page.goto(url, { waitUntil: 'load', timeout: 20000 });
        await Promise.race([
          page.evaluate(async () => {
            for (const img of document.images) img.loading = 'eager';
            await Promise.all([...document.images].map((img) => (img.complete ? null : new Promise((r) => {
              img.addEventListener('load', r, { once: true });
              img.addEventListener('error', r, { once: true });
            }))));
            // decoding="async" images may not be painted yet.
            await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
            if (document.fonts) await document.fonts.ready;
          }),
          new Promise((r) => setTimeout(r, 5000)),
        ]);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
        shots.push(display(file));
        if (opts.docsDir && type === 'home') await fsp.copyFile(file, path.join(opts.docsDir, `home-${width}.png`));
      } catch (err) {
        fail('screenshots', `${type}-${width}`, `screenshot ${type}-${width} of ${short(url, origin)} failed: ${err.message.split('\n')[0]}`);
      } finally {
        await page.close();
      }
    }
  }
  await mobile.close();
  await context.close();

  // ------------------------------------------- 9. schoolsite serve, live
  await checkServe(browser);
  await browser.close();

  // --------------------------------------------------- 5. Nu HTML Checker
  await vnuDone;
  server.close();
  agent.destroy();

  for (const u of blocked) {
    // Already reported per page from the request log; this catches requests
    // made outside a page's own log (service workers, say).
    const key = `external ${u}`;
    if (!failures.get('network').has(key)) fail('network', key, `requested ${u}, which is not on 127.0.0.1`);
  }

  // A resource that a link check already reports as broken need not be
  // reported again as a failed load.
  const network = failures.get('network');
  for (const key of [...network.keys()]) {
    if (key.startsWith('status ') && failures.get('links').has(`broken ${key.slice(7)}`)) network.delete(key);
  }

  report({ pagesChecked, byType, typeOf, weight, shots });
}

// `schoolsite serve` on a copy of the example site, in the browser: a saved
// edit appears without touching the page, a half-saved page shows the
// findings instead of the site, and the site comes back when it is fixed.
async function checkServe(browser) {
  // The release build .ci/browser made the site with (CARGO_TARGET_DIR too).
  const bin = path.join(path.resolve(REPO, process.env.CARGO_TARGET_DIR || 'target'), 'release', 'schoolsite');
  if (!fs.existsSync(bin)) {
    fail('serve', 'no binary', `${display(bin)} is missing: build it with cargo build --release`);
    return;
  }
  const site = await fsp.mkdtemp(path.join(os.tmpdir(), 'schoolsite-serve-'));
  let child = null;
  try {
    for (const part of ['config.toml', 'content', 'themes', 'consent']) {
      await fsp.cp(path.join(REPO, part), path.join(site, part), { recursive: true });
    }
    child = spawn(bin, ['serve', '--root', site, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => reject(new Error(`serve stopped (${code}): ${out}`)));
    });
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1') return route.continue();
      fail('serve', `external ${u.href}`, `serve: the page requested ${u.href}, which is not on 127.0.0.1`);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    await page.goto(`${url}/about/`, { waitUntil: 'load' });
    const about = path.join(site, 'content', 'about.md');
    const text = await fsp.readFile(about, 'utf8');
    const step = async (what, change, expect) => {
      await change();
      try {
        await page.waitForFunction(expect, null, { timeout: 10000 });
      } catch {
        fail('serve', what, `serve: ${what} did not show in the open page within 10 s`);
        return false;
      }
      return true;
    };
    const ok = await step('a saved edit', () => fsp.writeFile(about, `${text}\nLive reload check.\n`),
      () => document.body.innerText.includes('Live reload check.'))
      && await step('a half-saved page', () => fsp.writeFile(about, text.slice(0, 20)),
        () => document.body.innerText.includes('The site is not built'))
      && await step('the fixed page', () => fsp.writeFile(about, text),
        () => !document.body.innerText.includes('The site is not built') && !!document.querySelector('main h1'));
    if (ok) log('serve: a saved edit reloaded the page; a half-saved page showed the findings; the fix brought it back');
    await context.close();
  } catch (err) {
    fail('serve', 'error', `serve: ${err.message.split('\n')[0]}`);
  } finally {
    if (child) child.kill();
    await fsp.rm(site, { recursive: true, force: true });
  }
}

// What has keyboard focus now, and how it shows it.
function focusReport() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const transparent = (c) => c === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(c) || /\/\s*0\)$/.test(c);
  const outline = cs.outlineStyle !== 'none' && cs.outlineStyle !== 'hidden' && parseFloat(cs.outlineWidth) > 0 && !transparent(cs.outlineColor);
  const before = el.hasAttribute('data-browser-check-first') ? window.__unfocused : null;
  const shadow = cs.boxShadow !== 'none' && (!before || before.boxShadow !== cs.boxShadow);
  const r = el.getBoundingClientRect();
  const visible = r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth &&
    parseFloat(cs.opacity) > 0 && cs.visibility !== 'hidden';
  const tag = el.localName;
  const href = el.getAttribute('href');
  let skipTarget = null;
  let inSkipTarget = false;
  let afterSkipTarget = false;
  const main = document.querySelector('main');
  let targetEl = null;
  if (href && href.startsWith('#') && href.length > 1) {
    let id = href.slice(1);
    try { id = decodeURIComponent(id); } catch {}
    targetEl = document.getElementById(id);
  } else if (location.hash.length > 1) {
    let id = location.hash.slice(1);
    try { id = decodeURIComponent(id); } catch {}
    targetEl = document.getElementById(id);
    inSkipTarget = !!targetEl && targetEl.contains(el);
    afterSkipTarget = !!targetEl && !inSkipTarget && !!(targetEl.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) &&
      !targetEl.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
  }
  if (targetEl && href && href.startsWith('#')) {
    skipTarget = { tag: targetEl.localName, isMain: targetEl.id === 'main' || targetEl === main };
  }
  const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return {
    tag,
    href,
    desc: `<${tag}${href !== null ? ` href="${href}"` : ''}>${text ? ` "${text}"` : ''}`,
    skipTarget,
    inSkipTarget,
    afterSkipTarget,
    isFirstMainLink: el.hasAttribute('data-browser-check-first'),
    visible,
    rect: `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}, opacity ${cs.opacity}`,
    indicator: {
      ok: outline || shadow,
      why: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow ${cs.boxShadow}; :focus-visible ${el.matches(':focus-visible')}`,
    },
  };
}

// The kind of page a path is, for screenshots and the summary.
function classify(pathname, allPaths) {
  if (pathname === '/') return 'home';
  const segs = pathname.split('/').filter(Boolean);
  if (segs.length === 1 && segs[0] === 'search') return 'search';
  if (segs.length === 1 && /statutory/.test(segs[0])) return 'statutory';
  if (segs.length === 1 && /^contact/.test(segs[0])) return 'contact';
  const n = segs.length;
  if (n >= 3 && segs[n - 2] === 'page' && /^\d+$/.test(segs[n - 1])) return 'section-page';
  if (pathname.endsWith('/')) {
    const hasChildren = allPaths.some((p) => p !== pathname && p.startsWith(pathname) && !/^page\/\d+\/$/.test(p.slice(pathname.length)));
    if (hasChildren) return 'section';
  }
  if (n >= 2) {
    const parent = segs[0];
    if (/news|blog|posts|stories/.test(parent)) return 'article';
    if (/club/.test(parent)) return 'club';
    if (/polic/.test(parent)) return 'policy';
    return `${parent}-item`;
  }
  return 'page';
}

async function listFiles(dir, keep) {
  const out = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, keep)));
    else if (e.isFile() && keep(p)) out.push(p);
  }
  return out.sort();
}

// Runs the Nu HTML Checker over every HTML file, then every CSS (and SVG) file.
async function runVnu(publicDir) {
  const html = await listFiles(publicDir, (f) => /\.html?$/.test(f));
  const css = await listFiles(publicDir, (f) => f.endsWith('.css'));
  const svg = await listFiles(publicDir, (f) => f.endsWith('.svg'));
  const runs = [
    ['html', [], html],
    ['css', ['--css'], css],
    ['html', ['--svg'], svg],
  ];
  for (const [check, flags, files] of runs) {
    if (!files.length) continue;
    const { code, stdout, stderr, error } = await new Promise((resolve) => {
      const child = spawn(JAVA, ['-Xss1m', '-jar', vnuJar, ...flags, '--errors-only', '--format', 'json', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', (err) => resolve({ code: -1, stdout, stderr, error: err }));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    if (error) {
      fail(check, `vnu-error ${flags}`, `the Nu HTML Checker did not start (${JAVA}): ${error.message}`);
      continue;
    }
    let parsed = null;
    for (const text of [stderr, stdout]) {
      const start = text.indexOf('{');
      if (start < 0) continue;
      try { parsed = JSON.parse(text.slice(start)); break; } catch {}
    }
    if (!parsed) {
      fail(check, `vnu-output ${flags}`, `the Nu HTML Checker gave no report (exit ${code}): ${(stderr || stdout).trim().slice(0, 300)}`);
      continue;
    }
    for (const m of parsed.messages || []) {
      if (m.type === 'info') continue;
      let file = m.url || '';
      try { file = display(fileURLToPath(file)); } catch {}
      const line = m.lastLine ?? m.firstLine;
      const where = line ? `${file}:${line}${m.firstColumn ? `:${m.firstColumn}` : ''}` : file;
      const extract = m.extract ? [`near: ${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}`] : [];
      fail(check, `${where} ${m.message}`, `${where}: ${m.message}`, null, extract);
    }
    log(`  Nu HTML Checker: ${files.length} ${flags[0] === '--css' ? 'CSS' : flags[0] === '--svg' ? 'SVG' : 'HTML'} files`);
  }
}

// ------------------------------------------------------------------ report

// A path relative to the working directory when it is inside it.
function display(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function listPages(pages) {
  const list = [...pages];
  if (!list.length) return '';
  const shown = list.slice(0, 6).join(', ');
  return list.length > 6 ? `${shown} and ${list.length - 6} more` : shown;
}

let reported = false;
function report({ pagesChecked = [], byType = new Map(), weight = null, shots = [] } = {}) {
  if (reported) return;
  reported = true;
  log('');
  log('='.repeat(72));
  log(`pages checked: ${pagesChecked.length}`);
  for (const [type, list] of byType) {
    log(`  ${type.padEnd(14)} ${String(list.length).padStart(3)}  ${listPages(list.map((p) => p.label))}`);
  }
  if (weight) {
    log(`home page weight: ${weight.total} B of ${WEIGHT_BUDGET} B (HTML ${weight.parts.html} + CSS ${weight.parts.css} + JS ${weight.parts.js}${weight.parts.other ? ` + other ${weight.parts.other}` : ''})`);
  }
  if (shots.length) log(`screenshots: ${shots.length} in ${display(opts.shotsDir)}${opts.docsDir ? ` (home also in ${opts.docsDir})` : ''}`);
  for (const n of notes) log(`note: ${n}`);
  log('');

  let passed = 0;
  let failed = 0;
  for (const [check, title] of Object.entries(CHECKS)) {
    const group = failures.get(check);
    if (!group.size) {
      passed++;
      log(`PASS  ${check.padEnd(11)} ${title}`);
      continue;
    }
    failed++;
    log(`FAIL  ${check.padEnd(11)} ${title}: ${group.size} problem${group.size === 1 ? '' : 's'}`);
    for (const { text, details, pages } of group.values()) {
      log(`      - ${text}`);
      for (const d of details) log(`          ${d}`);
      if (pages.size) log(`          on ${pages.size === 1 ? 'page' : `${pages.size} pages`}: ${listPages(pages)}`);
    }
  }
  log('');
  log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`browser: ${passed} passed, ${failed} failed`);
}

const watchdog = setTimeout(() => {
  console.error(`\nrun.mjs: timed out after ${TIMEOUT_S} s`);
  fail('pages', 'timeout', `timed out after ${TIMEOUT_S} s (BROWSER_TIMEOUT_S): the checks did not finish, so a PASS below may be incomplete`);
  report(state);
  process.exit(1);
}, TIMEOUT_S * 1000);
watchdog.unref();

main().then(
  () => {
    const anyFailed = [...failures.values()].some((g) => g.size > 0);
    process.exit(anyFailed ? 1 : 0);
  },
  (err) => {
    console.error(`run.mjs: ${err.stack || err}`);
    fail('pages', 'crashed', `the checks stopped early: ${String(err.message || err).split('\n')[0]}`);
    report(state);
    process.exit(1);
  },
);
