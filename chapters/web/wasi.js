/* wasi.js: the smallest host the digit pad's WebAssembly module needs.
 *
 * code/pad.c is the book's C, compiled with wasi-libc, so it reads files
 * with fopen and fread, as the native programs do. A browser has no files:
 * this stands in for the operating system with a folder held in memory,
 * `files` (a name such as "09_best.net" and its bytes), which the C code
 * sees as the folder "/" and can read, never write. What the C code prints
 * on its standard output or error is kept in `printed`. Every other call
 * fails politely with an error number, as a real system would.
 *
 * Used by the pad's page (chapters/web/pad.js) and by the test that runs the module
 * in node (tests/web_numbers.js): one host for both.
 */
"use strict";

var Wasi = (function () {
  // WASI's numbers (wasi_snapshot_preview1).
  var SUCCESS = 0, EBADF = 8, EINVAL = 28, ENOENT = 44, ENOTSUP = 58;
  var DIRECTORY = 3, REGULAR_FILE = 4, CHARACTER_DEVICE = 2;
  var PREOPEN = 3; // the one folder: file descriptor 3, named "/"

  function Wasi(files) {
    this.files = files; // name -> Uint8Array
    this.open = {};     // file descriptor -> {bytes, position}
    this.nextFd = PREOPEN + 1;
    this.printed = "";
    this.memory = null;
  }

  // Start a module instantiated with imports(): run its constructors.
  Wasi.prototype.start = function (instance) {
    this.memory = instance.exports.memory;
    instance.exports._initialize();
  };

  Wasi.prototype.imports = function () {
    var self = this;
    // Views are made anew at each call: memory.grow replaces the buffer.
    function view() { return new DataView(self.memory.buffer); }
    function bytes() { return new Uint8Array(self.memory.buffer); }
    function text(pointer, length) {
      return new TextDecoder().decode(bytes().subarray(pointer, pointer + length));
    }
    // A file's status (WASI's filestat: 64 bytes).
    function filestat(pointer, type, size) {
      var v = view();
      for (var k = 0; k < 64; k += 8) v.setBigUint64(pointer + k, 0n, true);
      v.setUint8(pointer + 16, type);
      v.setBigUint64(pointer + 24, 1n, true);
      v.setBigUint64(pointer + 32, BigInt(size), true);
    }
    var calls = {
      fd_prestat_get: function (fd, pointer) {
        if (fd !== PREOPEN) return EBADF;
        view().setUint8(pointer, 0); // a folder
        view().setUint32(pointer + 4, 1, true); // its name's length: "/"
        return SUCCESS;
      },
      fd_prestat_dir_name: function (fd, pointer, length) {
        if (fd !== PREOPEN || length < 1) return EBADF;
        bytes()[pointer] = 47; // "/"
        return SUCCESS;
      },
      path_open: function (dirFd, lookup, pathPointer, pathLength, openFlags,
                           rights, inherited, fdFlags, fdPointer) {
        var name = text(pathPointer, pathLength);
        if (dirFd !== PREOPEN) return EBADF;
        if (openFlags !== 0) return ENOTSUP; // create, truncate: no writing
        if (!Object.prototype.hasOwnProperty.call(self.files, name)) return ENOENT;
        var fd = self.nextFd++;
        self.open[fd] = { bytes: self.files[name], position: 0 };
        view().setUint32(fdPointer, fd, true);
        return SUCCESS;
      },
      path_filestat_get: function (dirFd, lookup, pathPointer, pathLength, pointer) {
        var name = text(pathPointer, pathLength);
        if (dirFd !== PREOPEN) return EBADF;
        if (!Object.prototype.hasOwnProperty.call(self.files, name)) return ENOENT;
        filestat(pointer, REGULAR_FILE, self.files[name].length);
        return SUCCESS;
      },
      fd_filestat_get: function (fd, pointer) {
        if (self.open[fd]) filestat(pointer, REGULAR_FILE, self.open[fd].bytes.length);
        else if (fd === PREOPEN) filestat(pointer, DIRECTORY, 0);
        else if (fd <= 2) filestat(pointer, CHARACTER_DEVICE, 0);
        else return EBADF;
        return SUCCESS;
      },
      fd_fdstat_get: function (fd, pointer) {
        var type = self.open[fd] ? REGULAR_FILE : fd === PREOPEN ? DIRECTORY
          : fd <= 2 ? CHARACTER_DEVICE : 0;
        if (type === 0) return EBADF;
        var v = view();
        v.setUint8(pointer, type);
        v.setUint16(pointer + 2, 0, true);
        v.setBigUint64(pointer + 8, 0xffffffffffffffffn, true); // every right
        v.setBigUint64(pointer + 16, 0xffffffffffffffffn, true);
        return SUCCESS;
      },
      fd_fdstat_set_flags: function () { return SUCCESS; },
      fd_read: function (fd, iovs, iovsLength, readPointer) {
        var file = self.open[fd];
        if (!file) return EBADF;
        var v = view(), memory = bytes(), total = 0;
        for (var k = 0; k < iovsLength; k++) {
          var to = v.getUint32(iovs + 8 * k, true), room = v.getUint32(iovs + 8 * k + 4, true);
          var chunk = file.bytes.subarray(file.position, file.position + room);
          memory.set(chunk, to);
          file.position += chunk.length;
          total += chunk.length;
        }
        v.setUint32(readPointer, total, true);
        return SUCCESS;
      },
      fd_seek: function (fd, offset, whence, resultPointer) {
        var file = self.open[fd];
        if (!file) return EBADF;
        var base = whence === 0 ? 0 : whence === 1 ? file.position : file.bytes.length;
        var position = base + Number(offset);
        if (position < 0) return EINVAL;
        file.position = position;
        view().setBigUint64(resultPointer, BigInt(position), true);
        return SUCCESS;
      },
      fd_write: function (fd, iovs, iovsLength, writtenPointer) {
        if (fd !== 1 && fd !== 2) return EBADF;
        var v = view(), total = 0;
        for (var k = 0; k < iovsLength; k++) {
          var from = v.getUint32(iovs + 8 * k, true), length = v.getUint32(iovs + 8 * k + 4, true);
          self.printed += text(from, length);
          total += length;
        }
        v.setUint32(writtenPointer, total, true);
        return SUCCESS;
      },
      fd_close: function (fd) {
        if (!self.open[fd]) return EBADF;
        delete self.open[fd];
        return SUCCESS;
      },
      proc_exit: function (code) {
        throw new Error("the module exited with status " + code);
      },
    };
    return { wasi_snapshot_preview1: calls };
  };

  // Copy a string into the module's memory (its own malloc): a C string.
  Wasi.prototype.string = function (instance, value) {
    var encoded = new TextEncoder().encode(value + "\0");
    var pointer = instance.exports.malloc(encoded.length);
    new Uint8Array(this.memory.buffer).set(encoded, pointer);
    return pointer;
  };

  // The C string at `pointer`.
  Wasi.prototype.cString = function (pointer) {
    var memory = new Uint8Array(this.memory.buffer), end = pointer;
    while (memory[end] !== 0) end++;
    return new TextDecoder().decode(memory.subarray(pointer, end));
  };

  return Wasi;
})();

// The files the site's build packs into scripts (pad.wasm, the networks),
// as base64 text: a page opened from file:// may run scripts, not fetch.
var PadFiles = typeof PadFiles === "undefined" ? {} : PadFiles;
function padFileBytes(name) {
  var text = atob(PadFiles[name]), out = new Uint8Array(text.length);
  for (var k = 0; k < text.length; k++) out[k] = text.charCodeAt(k);
  return out;
}

if (typeof module !== "undefined") module.exports = { Wasi: Wasi };
