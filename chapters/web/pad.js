/* pad.js: the digit pad's page: the canvas, the drawing and the display.
 *
 * No arithmetic of the network happens here. On every stroke the drawing
 * is written as a PGM image (as a paint program would save it) into the
 * module's folder, and the book's C, compiled to WebAssembly (code/pad.c),
 * reads it the way `bin/10_inside --classify` does: chapter 10's pgm_load
 * and image_to_mnist, then chapter 5's forward pass on a network that
 * chapter 7's network_load read from the file the build saved. This script
 * then shows what the module computed: the 28 x 28 image, the ten
 * probabilities, and every neuron's activation.
 */
"use strict";

(function () {
  var draw = document.getElementById("pad-draw");
  var seen = document.getElementById("pad-seen");
  var picture = document.getElementById("pad-net");
  var bars = document.getElementById("pad-bars");
  var answer = document.getElementById("pad-answer");
  var save = document.getElementById("pad-save");
  var pen = draw.getContext("2d", { willReadFrequently: true });
  var NETWORKS = { "09_best": "09_best.net", "07_16_16": "07_16_16.net" };
  var module = null, wasi = null, drawing = "drawing.pgm";

  // ---- The module -------------------------------------------------------

  // Instantiate pad.wasm with the networks in its folder (wasi.js).
  function start() {
    var files = {};
    for (var key in NETWORKS) files[NETWORKS[key]] = padFileBytes(NETWORKS[key]);
    wasi = new Wasi(files);
    return WebAssembly.instantiate(padFileBytes("pad.wasm"), wasi.imports())
      .then(function (result) {
        module = result.instance;
        wasi.start(module);
        choose();
      });
  }

  // Load the network the switch names, by chapter 7's loader.
  function choose() {
    var name = document.querySelector('input[name="pad-net"]:checked').value;
    var path = wasi.string(module, "/" + NETWORKS[name]);
    var status = module.exports.pad_load(path);
    module.exports.free(path);
    if (status !== 0) throw new Error(wasi.cString(module.exports.pad_error()));
    classify();
  }

  // ---- Drawing ----------------------------------------------------------

  function clear() {
    pen.fillStyle = "#fff";
    pen.fillRect(0, 0, draw.width, draw.height);
    classify();
  }

  // The pointer's position in the canvas's own pixels.
  function at(event) {
    var box = draw.getBoundingClientRect();
    return { x: (event.clientX - box.left) * draw.width / box.width,
             y: (event.clientY - box.top) * draw.height / box.height };
  }

  var last = null, pending = false;
  draw.addEventListener("pointerdown", function (event) {
    draw.setPointerCapture(event.pointerId);
    last = at(event);
    stroke(last, last);
    event.preventDefault();
  });
  draw.addEventListener("pointermove", function (event) {
    if (last === null) return;
    var here = at(event);
    stroke(last, here);
    last = here;
    // While the pen moves, classify at most once a frame.
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () { pending = false; classify(); });
    }
  });
  function end() {
    if (last === null) return;
    last = null;
    classify(); // the end of every stroke
  }
  draw.addEventListener("pointerup", end);
  draw.addEventListener("pointercancel", end);

  // A round black line, as thick as a felt pen on this canvas.
  function stroke(from, to) {
    pen.strokeStyle = "#000";
    pen.lineWidth = draw.width / 12;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(from.x, from.y);
    pen.lineTo(to.x, to.y);
    pen.stroke();
  }

  // ---- Classifying ------------------------------------------------------

  // The canvas as a binary PGM ("P5"), grey levels 0 (ink) to 255 (paper).
  function pgm() {
    var rgba = pen.getImageData(0, 0, draw.width, draw.height).data;
    var header = new TextEncoder().encode("P5\n" + draw.width + " " + draw.height + "\n255\n");
    var file = new Uint8Array(header.length + draw.width * draw.height);
    file.set(header);
    for (var k = 0; k < draw.width * draw.height; k++) file[header.length + k] = rgba[4 * k];
    return file;
  }

  function classify() {
    if (module === null) return;
    var file = pgm();
    wasi.files[drawing] = file;
    if (save.href.startsWith("blob:")) URL.revokeObjectURL(save.href);
    save.href = URL.createObjectURL(new Blob([file], { type: "image/x-portable-graymap" }));
    var path = wasi.string(module, "/" + drawing);
    var started = performance.now();
    var digit = module.exports.pad_classify(path);
    var spent = performance.now() - started;
    module.exports.free(path);
    show(digit, spent);
  }

  // ---- Showing what the module computed ---------------------------------

  function floats(pointer, n) {
    return new Float32Array(module.exports.memory.buffer, pointer, n);
  }

  function show(digit, spent) {
    var e = module.exports, n_layers = e.pad_layers();
    var blank = digit < 0;
    var x = floats(e.pad_input(), 784);
    var image = seen.getContext("2d").createImageData(28, 28);
    for (var k = 0; k < 784; k++) {
      var grey = blank ? 0 : Math.round(255 * x[k]); // ink bright, as MNIST's
      image.data.set([grey, grey, grey, 255], 4 * k);
    }
    seen.getContext("2d").putImageData(image, 0, 0);
    var layers = [];
    for (var l = 0; l < n_layers; l++) layers.push(floats(e.pad_outputs(l), e.pad_size(l + 1)));
    var p = layers[n_layers - 1];
    answer.textContent = blank ? "Draw a digit." : "It reads a " + digit + ".";
    answer.dataset.digit = blank ? "" : String(digit);
    answer.dataset.ms = spent.toFixed(3);
    var rows = "";
    for (var d = 0; d < 10; d++) {
      // As bin/10_inside --classify prints them: %5.1f of 100 p.
      var percent = blank ? "" : (100 * p[d]).toFixed(1);
      rows += '<tr' + (d === digit ? ' class="best"' : '') + '><th scope="row">' + d +
        '</th><td class="bar"><span style="width:' + (blank ? 0 : 100 * p[d]) +
        '%"></span></td><td class="p">' + (blank ? "" : percent + "%") + "</td></tr>";
    }
    bars.innerHTML = '<caption>The network\'s probabilities</caption>' + rows;
    // Every probability exactly (a double prints back to the same value),
    // for the site's test against the native program.
    bars.dataset.p = blank ? "" : Array.from(p).join(" ");
    network(blank ? null : x, blank ? null : layers);
  }

  // Video 1's picture of the network: a column of neurons per layer, each
  // as bright as its activation (after ReLU; the output: its probability),
  // lines from every neuron that is on to the next layer (layers of up to
  // 32 neurons; a wider layer wraps into several columns).
  function network(x, layers) {
    var g = picture.getContext("2d"), width = picture.width, height = picture.height;
    var e = module.exports, n_layers = e.pad_layers(), sizes = [];
    for (var s = 1; s <= n_layers; s++) sizes.push(e.pad_size(s));
    g.fillStyle = "#111";
    g.fillRect(0, 0, width, height);
    // The input: the 28 x 28 image itself, at the left.
    var side = 112, left = 20, top = (height - side) / 2, cell = side / 28;
    for (var k = 0; k < 784; k++) {
      var v = x ? Math.round(255 * x[k]) : 0;
      g.fillStyle = "rgb(" + v + "," + v + "," + v + ")";
      g.fillRect(left + (k % 28) * cell, top + Math.floor(k / 28) * cell, cell, cell);
    }
    g.strokeStyle = "#666";
    g.strokeRect(left, top, side, side);
    label(g, "784 pixels", left + side / 2, height - 12);
    // Where each neuron sits.
    var places = [], span = (width - left - side - 60) / n_layers;
    for (var l = 0; l < n_layers; l++) {
      var n = sizes[l], columns = Math.ceil(n / 32), per = Math.ceil(n / columns);
      var gap = Math.min(24, (height - 50) / per), radius = Math.max(1.5, Math.min(9, gap * 0.38));
      var xs = left + side + span * (l + 1) - 10, layer = [];
      for (var j = 0; j < n; j++) {
        var c = Math.floor(j / per), r = j % per;
        layer.push({ x: xs + (c - (columns - 1) / 2) * gap, y: height / 2 + (r - (per - 1) / 2) * gap, radius: radius });
      }
      places.push(layer);
      label(g, l < n_layers - 1 ? n + " neurons" : "10 digits", xs, height - 12);
    }
    // Lines from the neurons that are on, as in the video's animation.
    for (l = 0; l + 1 < n_layers && x; l++) {
      if (sizes[l] > 32 || sizes[l + 1] > 32) continue;
      var most = peak(layers[l]);
      for (j = 0; j < sizes[l]; j++) {
        if (!(layers[l][j] > 0)) continue;
        g.strokeStyle = "rgba(120,170,255," + (0.08 + 0.5 * layers[l][j] / most).toFixed(3) + ")";
        for (var i = 0; i < sizes[l + 1]; i++) {
          g.beginPath();
          g.moveTo(places[l][j].x, places[l][j].y);
          g.lineTo(places[l + 1][i].x, places[l + 1][i].y);
          g.stroke();
        }
      }
    }
    // The neurons: white in proportion to the activation (each hidden
    // layer against its largest; ReLU's outputs have no upper bound).
    for (l = 0; l < n_layers; l++) {
      most = x ? (l < n_layers - 1 ? peak(layers[l]) : 1) : 1;
      for (j = 0; j < sizes[l]; j++) {
        var a = x ? Math.max(0, layers[l][j]) / most : 0, shade = Math.round(255 * a);
        var place = places[l][j];
        g.beginPath();
        g.arc(place.x, place.y, place.radius, 0, 2 * Math.PI);
        g.fillStyle = "rgb(" + shade + "," + shade + "," + shade + ")";
        g.fill();
        g.strokeStyle = "#888";
        g.lineWidth = 1;
        g.stroke();
        if (l === n_layers - 1) label(g, String(j), place.x + place.radius + 12, place.y + 4);
      }
    }
  }

  function peak(values) {
    var most = 0;
    for (var k = 0; k < values.length; k++) most = Math.max(most, values[k]);
    return most > 0 ? most : 1;
  }

  function label(g, text, x, y) {
    g.fillStyle = "#ddd";
    g.font = "13px system-ui, sans-serif";
    g.textAlign = "center";
    g.fillText(text, x, y);
  }

  // ---- Controls ---------------------------------------------------------

  document.getElementById("pad-clear").addEventListener("click", clear);
  draw.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Delete" || event.key === "Backspace") {
      clear();
      event.preventDefault();
    }
  });
  var switches = document.querySelectorAll('input[name="pad-net"]');
  for (var k = 0; k < switches.length; k++) switches[k].addEventListener("change", choose);

  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, draw.width, draw.height);
  start().then(function () { document.body.dataset.padReady = "yes"; },
               function (error) { answer.textContent = "The pad could not start: " + error.message; throw error; });
})();
