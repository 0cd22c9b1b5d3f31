/* web_browser.js: the web edition, checked in a real browser. Run by
 * ./build.sh test (after ./build.sh html), from the workbook's folder:
 *
 *   node tests/web_browser.js
 *
 * Debian's chromium, headless, driven by puppeteer-core (tests/package.json),
 * opens every page of site/ twice: from file:// and from a static server on
 * 127.0.0.1 that this script starts and stops. On every page: no console
 * error, no failed request, no request that leaves the site; every image
 * loaded (naturalWidth > 0); every link within the site goes to a page that
 * exists and an anchor on it; no TeX left in the text (a $ or a \command
 * outside code) and every formula a <math> element; axe-core finds no
 * serious or critical accessibility violation. On the digit pad: for the
 * first test digit of each class, strokes replayed as pointer events (one
 * stroke along each row's run of ink, the digit ten times its size), then
 * the pad's answer and probabilities must be those of bin/10_inside
 * --classify on the PGM image the pad read, as printed (%5.1f), and bit for
 * bit those of bin/pad, for both networks; Escape clears the pad. A
 * screenshot of each page and of the pad after each digit goes to bin/web/.
 */
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const http = require("http");
const { execFileSync } = require("child_process");
const puppeteer = require("puppeteer-core");

const SITE = path.resolve("site");
const SHOTS = path.resolve("bin/web");
const AXE = require.resolve("axe-core/axe.min.js");
const NETWORKS = { "09_best": "figures/09_regularise/09_best.net", "07_16_16": "figures/07_sgd/07_16_16.net" };
const problems = [];
function problem(text) { problems.push(text); }

function fail(message) {
  process.stderr.write("web_browser.js: " + message + "\n");
  process.exit(1);
}

// A static server for site/, on a free port of 127.0.0.1.
function serve() {
  const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
                  ".png": "image/png" };
  const server = http.createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const file = path.join(SITE, name.endsWith("/") ? name + "index.html" : name);
    if (!file.startsWith(SITE) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream" });
    response.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// A page, watched: console errors, page errors, failed or foreign requests.
async function open(browser, url, origin) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const seen = [];
  page.on("console", (m) => { if (m.type() === "error") seen.push("console error: " + m.text()); });
  page.on("pageerror", (e) => seen.push("script error: " + e.message));
  page.on("requestfailed", (r) => seen.push("failed request: " + r.url() + " (" + (r.failure() || {}).errorText + ")"));
  page.on("response", (r) => { if (r.status() >= 400) seen.push("HTTP " + r.status() + ": " + r.url()); });
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("blob:") && !u.startsWith("data:"))
      seen.push("a request that leaves the site: " + u);
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, seen };
}

// What a page holds, for the checks: its ids, links, images, formulas, and
// any text outside code that still looks like TeX.
function inventory() {
  const ids = Array.from(document.querySelectorAll("[id]"), (e) => e.id);
  const links = Array.from(document.querySelectorAll("a[href]"), (a) => a.href);
  const images = Array.from(document.images, (i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0, alt: i.alt }));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const tex = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("code, pre, math, script, style")) continue;
    if (/\$|\\[A-Za-z]+/.test(node.textContent)) tex.push(node.textContent.trim().slice(0, 80));
  }
  // A word set upright by <mstyle mathvariant> (pandoc's \mathrm{word}) is
  // one italic letter per <mi> in Chromium, which ignores that attribute:
  // "s o f t m a x" reads as a product. \operatorname{word} is one <mo>.
  const spelled = Array.from(document.querySelectorAll("math mstyle[mathvariant]"))
    .filter((m) => m.querySelectorAll(":scope > mi").length > 1)
    .map((m) => m.textContent);
  return { ids, links, images, tex, spelled, maths: document.querySelectorAll("math").length,
           annotations: document.querySelectorAll("math annotation").length };
}

async function checkPages(browser, base, origin, label, pages, shots) {
  const found = {};
  for (const name of pages) {
    const { page, seen } = await open(browser, base + name, origin);
    if (name === "pad.html") await page.waitForSelector("body[data-pad-ready]", { timeout: 20000 });
    const what = await page.evaluate(inventory);
    const axe = fs.readFileSync(AXE, "utf8");
    await page.evaluate(axe);
    const violations = await page.evaluate(async () => {
      const result = await axe.run(document, { resultTypes: ["violations"], preload: false });
      return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + " (" + v.impact + "): " + v.help + ", at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; "));
    });
    for (const s of seen) problem(label + " " + name + ": " + s);
    for (const v of violations) problem(label + " " + name + ": axe-core: " + v);
    for (const i of what.images) if (!i.ok) problem(label + " " + name + ": image not loaded: " + i.src);
    for (const t of what.tex) problem(label + " " + name + ": TeX left in the text: " + JSON.stringify(t));
    for (const w of what.spelled) problem(label + " " + name + ": \"" + w + "\" is set as separate italic letters (write \\operatorname{" + w + "}, not \\mathrm)");
    if (what.maths !== what.annotations) problem(label + " " + name + ": a <math> without its TeX annotation");
    found[name] = what;
    if (shots) {
      await page.screenshot({ path: path.join(SHOTS, "page_" + name.replace(".html", "") + ".png") });
      // And the first display formula, or else the first listing, in view.
      const scrolled = await page.evaluate(() => {
        const e = document.querySelector('math[display="block"]') || document.querySelector("div.sourceCode");
        if (!e) return false;
        e.scrollIntoView({ block: "center" });
        return true;
      });
      if (scrolled)
        await page.screenshot({ path: path.join(SHOTS, "page_" + name.replace(".html", "") + "_formula.png") });
    }
    await page.close();
  }
  // Every link within the site: a page of the site, and an anchor on it.
  let links = 0;
  for (const name of pages) {
    for (const href of found[name].links) {
      if (!href.startsWith(origin)) continue;
      links++;
      const url = new URL(href);
      const target = decodeURIComponent(url.pathname).slice(new URL(base).pathname.length);
      if (!(target in found)) { problem(label + " " + name + ": a link to a page the site does not have: " + href); continue; }
      const id = decodeURIComponent(url.hash.slice(1));
      if (id && !found[target].ids.includes(id)) problem(label + " " + name + ": a link to #" + id + ", which " + target + " does not have");
    }
  }
  const maths = pages.reduce((n, p) => n + found[p].maths, 0);
  const images = pages.reduce((n, p) => n + found[p].images.length, 0);
  return { links, maths, images };
}

// ---- The digit pad ---------------------------------------------------------

// The first test digit of each class: its 784 pixels.
function testDigits() {
  const images = fs.readFileSync("data/mnist/t10k-images-idx3-ubyte");
  const labels = fs.readFileSync("data/mnist/t10k-labels-idx1-ubyte");
  const digits = [];
  for (let d = 0; d < 10; d++) {
    const k = labels.indexOf(d, 8) - 8;
    digits.push({ label: d, index: k, pixels: images.subarray(16 + 784 * k, 16 + 784 * (k + 1)) });
  }
  return digits;
}

// One stroke along each run of ink (pixels of 128 or more) of each row.
function strokes(pixels) {
  const out = [];
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      if (pixels[r * 28 + c] < 128 || (c > 0 && pixels[r * 28 + c - 1] >= 128)) continue;
      let end = c;
      while (end + 1 < 28 && pixels[r * 28 + end + 1] >= 128) end++;
      out.push({ row: r, from: c, to: end });
    }
  }
  return out;
}

function hexFloat(text) {  // "0x1.8p-3" -> 0.1875, exactly
  const m = /^(-?)0x([01])\.?([0-9a-f]*)p([+-]\d+)$/.exec(text);
  if (!m) throw new Error("not a hexadecimal float: " + text);
  const mantissa = parseInt(m[2] + m[3], 16) / Math.pow(16, m[3].length);
  return (m[1] ? -1 : 1) * mantissa * Math.pow(2, Number(m[4]));
}

// What the pad shows now.
async function padState(page) {
  return page.evaluate(async () => {
    const answer = document.getElementById("pad-answer");
    const bars = document.getElementById("pad-bars");
    const printed = Array.from(bars.querySelectorAll("td.p"), (td) => td.textContent);
    const link = document.getElementById("pad-save").href;
    const pgm = link.startsWith("blob:") ? Array.from(new Uint8Array(await (await fetch(link)).arrayBuffer())) : [];
    return { digit: answer.dataset.digit, ms: Number(answer.dataset.ms), printed,
             exact: bars.dataset.p ? bars.dataset.p.split(" ").map(Number) : [], pgm };
  });
}

// The pad's answer against bin/10_inside --classify and bin/pad on the
// image it read.
function compare(state, network, file, label) {
  const native = execFileSync("bin/10_inside", ["--model", NETWORKS[network], "--classify", file]).toString();
  const reads = /It reads a (\d)\./.exec(native)[1];
  const printed = Array.from(native.matchAll(/^ {2}\d {2}(.{5})%/gm), (m) => m[1].trim() + "%");
  if (state.digit !== reads) problem(label + ": the pad reads a " + state.digit + ", bin/10_inside a " + reads);
  if (state.printed.join(" ") !== printed.join(" "))
    problem(label + ": the pad shows " + state.printed.join(" ") + ", bin/10_inside prints " + printed.join(" "));
  const exact = execFileSync("bin/pad", ["--model", NETWORKS[network], "--classify", file]).toString()
    .split("\n")[0].split(" ").map(hexFloat);
  for (let d = 0; d < 10; d++)
    if (state.exact[d] !== exact[d])
      problem(label + ": probability of " + d + " is " + state.exact[d] + " in the browser, " + exact[d] + " natively");
  return reads;
}

async function checkPad(browser, base, origin) {
  const { page, seen } = await open(browser, base + "pad.html", origin);
  await page.waitForSelector("body[data-pad-ready]", { timeout: 20000 });
  const box = await (await page.$("#pad-draw")).boundingBox();
  const scale = box.width / 28;
  const results = [], times = [];
  for (const digit of testDigits()) {
    // Clear from the keyboard, then draw the digit, stroke by stroke.
    await page.focus("#pad-draw");
    await page.keyboard.press("Escape");
    const cleared = await padState(page);
    if (cleared.digit !== "") problem("pad: Escape did not clear the drawing");
    for (const s of strokes(digit.pixels)) {
      const y = box.y + (s.row + 0.5) * scale;
      await page.mouse.move(box.x + (s.from + 0.5) * scale, y);
      await page.mouse.down();
      await page.mouse.move(box.x + (s.to + 0.5) * scale, y, { steps: Math.max(1, s.to - s.from) });
      await page.mouse.up();
    }
    const label = "pad, test digit " + digit.index + " (a " + digit.label + ")";
    const answers = {};
    for (const network of ["09_best", "07_16_16"]) {
      await page.click('input[name="pad-net"][value="' + network + '"]');
      const state = await padState(page);
      const file = path.join(SHOTS, "pad_" + digit.label + ".pgm");
      fs.writeFileSync(file, Buffer.from(state.pgm));
      answers[network] = compare(state, network, file, label + ", " + network);
      if (network === "09_best") times.push(state.ms);
      await page.screenshot({ path: path.join(SHOTS, "pad_" + digit.label + "_" + network + ".png"), fullPage: true });
    }
    await page.click('input[name="pad-net"][value="09_best"]');
    results.push(digit.label + ":" + answers["09_best"] + "/" + answers["07_16_16"]);
  }
  for (const s of seen) problem("pad.html: " + s);
  await page.close();
  times.sort((a, b) => a - b);
  return { results, median: times[Math.floor(times.length / 2)], worst: times[times.length - 1] };
}

async function main() {
  if (process.argv.length > 2) fail("expected no arguments (run from the workbook's folder)");
  if (!fs.existsSync(path.join(SITE, "index.html"))) fail("site/index.html: missing (run ./build.sh html first)");
  fs.mkdirSync(SHOTS, { recursive: true });
  const pages = fs.readdirSync(SITE).filter((f) => f.endsWith(".html")).sort();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-chromium-"));
  const server = await serve();
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    userDataDir: profile,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const fileBase = "file://" + SITE + "/";
    const httpBase = "http://127.0.0.1:" + server.address().port + "/";
    const viaFile = await checkPages(browser, fileBase, "file://" + SITE, "file://", pages, true);
    const viaHttp = await checkPages(browser, httpBase, httpBase, "http://", pages, false);
    const pad = await checkPad(browser, fileBase, "file://" + SITE);
    await checkPad(browser, httpBase, httpBase);
    if (problems.length) {
      for (const p of problems.slice(0, 40)) process.stderr.write("  " + p + "\n");
      fail(problems.length + " problems in the browser (above)");
    }
    console.log("  " + pages.length + " pages, from file:// and from http://127.0.0.1: no console error, no failed " +
                "or outside request, " + viaFile.images + " images loaded, " + viaFile.links + " links within the site " +
                "resolved, " + viaFile.maths + " formulas as MathML and no TeX left, no serious or critical axe-core violation");
    console.log("  pad: ten test digits drawn as pointer strokes, each read as bin/10_inside --classify reads its PGM " +
                "(digit:chapter 9's/16-16's answer " + pad.results.join(" ") + "), probabilities bit for bit as bin/pad's, " +
                "with both networks; classifying a drawing took " + pad.median.toFixed(2) + " ms (median; at most " +
                pad.worst.toFixed(2) + ")");
    console.log("  screenshots: " + SHOTS + "/page_*.png, pad_*.png");
    if (viaHttp.links !== viaFile.links) fail("the pages have other links over http than from file://");
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error.stack || String(error)));
