/* web_numbers.js: the digit pad's WebAssembly module against the native
 * program, in node. Run by ./build.sh test (after ./build.sh html), from the
 * workbook's folder:
 *
 *   node tests/web_numbers.js
 *
 * For each network of the pad, the module the site ships (site/pad/, as
 * the page decodes it, with chapters/web/wasi.js as its host) loads the network file
 * the site ships (which must be the one the build saved in figures/, byte for
 * byte) and classifies all 10,000 test digits; bin/pad, the same C compiled
 * natively with the book's flags, does the same. Required: the same ten
 * probabilities for every digit, bit for bit (both print each float's exact
 * bits), and the same number of right answers as chapter 10's run of
 * bin/10_inside reports for that network (figures/10_inside/NAME/values.txt).
 * Then a benchmark: one drawing (a 280 x 280 PGM, as the pad makes) through
 * image_to_mnist and the forward pass, median of 200.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { Wasi } = require("../chapters/web/wasi.js");

// Each network of the pad, and the folder where chapter 10 wrote its values.
const NETWORKS = [
  { name: "09_best", file: "figures/09_regularise/09_best.net", values: "figures/10_inside/best/values.txt" },
  { name: "07_16_16", file: "figures/07_sgd/07_16_16.net", values: "figures/10_inside/16_16/values.txt" },
];

function fail(message) {
  process.stderr.write("web_numbers.js: " + message + "\n");
  process.exit(1);
}

// The bytes a site/pad/*.js script carries (PadFiles[NAME] = "base64").
function shipped(file) {
  const text = fs.readFileSync(file, "utf8");
  const match = /^PadFiles\["[^"]+"\] = "([A-Za-z0-9+/=]*)";\n$/.exec(text);
  if (!match) fail(file + ": not a PadFiles script");
  return Buffer.from(match[1], "base64");
}

async function instantiate(files) {
  const wasi = new Wasi(files);
  const { instance } = await WebAssembly.instantiate(shipped("site/pad/pad.wasm.js"), wasi.imports());
  wasi.start(instance);
  return { wasi, instance, e: instance.exports };
}

// A test digit drawn as the pad would hand it over: 280 x 280, dark on
// light, each MNIST pixel a 10 x 10 block.
function drawing(pixels, start) {
  const header = Buffer.from("P5\n280 280\n255\n");
  const out = Buffer.alloc(header.length + 280 * 280);
  header.copy(out);
  for (let r = 0; r < 280; r++)
    for (let c = 0; c < 280; c++)
      out[header.length + r * 280 + c] = 255 - pixels[start + Math.floor(r / 10) * 28 + Math.floor(c / 10)];
  return out;
}

async function main() {
  if (process.argv.length > 2) fail("expected no arguments (run from the workbook's folder)");
  for (const file of ["site/pad/pad.wasm.js", "bin/pad", "data/mnist/t10k-images-idx3-ubyte"])
    if (!fs.existsSync(file)) fail(file + ": missing (run ./build.sh html first)");
  const images = fs.readFileSync("data/mnist/t10k-images-idx3-ubyte");
  const labels = fs.readFileSync("data/mnist/t10k-labels-idx1-ubyte");
  for (const network of NETWORKS) {
    const file = network.name + ".net";
    const bytes = shipped("site/pad/" + file + ".js");
    if (!bytes.equals(fs.readFileSync(network.file)))
      fail("site/pad/" + file + ".js does not hold " + network.file + "'s bytes");
    const { wasi, instance, e } = await instantiate({
      [file]: bytes,
      "mnist/t10k-images-idx3-ubyte": images,
      "mnist/t10k-labels-idx1-ubyte": labels,
    });
    if (e.pad_load(wasi.string(instance, "/" + file)) !== 0)
      fail(file + ": the module could not load it: " + wasi.cString(e.pad_error()));
    const correct = e.pad_test(wasi.string(instance, "/mnist"));
    if (correct < 0) fail("the module could not test " + file + ": " + wasi.cString(e.pad_error()));
    const native = execFileSync("bin/pad", ["--model", network.file, "--data", "data/mnist"],
                                { maxBuffer: 64 << 20 }).toString();
    const ours = wasi.printed.split("\n"), theirs = native.split("\n");
    for (let k = 0; k < Math.max(ours.length, theirs.length); k++)
      if (ours[k] !== theirs[k])
        fail(file + ", test digit " + k + ": the module gives\n  " + ours[k] + "\nbin/pad gives\n  " + theirs[k]);
    const values = fs.readFileSync(network.values, "utf8");
    const errors = Number(/^errors (\d+)$/m.exec(values)[1]);
    const accuracy = /^accuracy (\S+)$/m.exec(values)[1];
    const n = labels.length - 8;
    if (correct !== n - errors)
      fail(file + ": the module reads " + correct + " of " + n + " test digits right, bin/10_inside " + (n - errors));
    // The benchmark: a drawing of test digit 0, again and again.
    const times = [];
    wasi.files["drawing.pgm"] = drawing(images, 16);
    const where = wasi.string(instance, "/drawing.pgm");
    for (let k = 0; k < 200; k++) {
      const start = process.hrtime.bigint();
      if (e.pad_classify(where) < 0) fail("the module could not classify a drawing: " + wasi.cString(e.pad_error()));
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log("  " + file + ": " + n + " test digits, " + correct + " right (" + accuracy +
                "%, as bin/10_inside), all " + 10 * n + " probabilities bit for bit as bin/pad's;" +
                " one 280 x 280 drawing classified in " + times[100].toFixed(3) + " ms (median of 200)");
  }
}

main().catch((error) => fail(error.stack || String(error)));
