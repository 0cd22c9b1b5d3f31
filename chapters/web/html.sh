#!/usr/bin/env bash
# chapters/web/html.sh NETWORK...: site/, the web edition, as the Makefile
# calls it (`make site`, ./build.sh html), from the workbook's folder.
# The book as web pages, by pandoc from book.md, cut into pages by
# chapters/web/site.lua through chapters/web/page.html; the figures; and the
# digit pad (chapters/web/pad.md, chapters/web/pad.js), whose arithmetic is
# code/pad.c compiled to WebAssembly (bin/pad.wasm), with the NETWORKs it
# offers. A page opened from file:// may run a script but not fetch a file,
# so the module and the networks travel as base64 in scripts (PadFiles).
# Written into site.tmp/, then moved.
set -euo pipefail
die() { printf 'html: %s\n' "$*" >&2; exit 1; }

pad_file_script() {  # pad_file_script FILE NAME: FILE as PadFiles[NAME]
    printf 'PadFiles["%s"] = "' "$2"
    base64 -w0 "$1"
    printf '";\n'
}

tmp=site.tmp
for network in "$@"; do
    [ -f "$network" ] || die "$network is missing (a network of the digit pad): run ./build.sh"
done
rm -rf "$tmp"
mkdir -p "$tmp/pad"
pandoc -f gfm+tex_math_dollars book.md -t html -o /dev/null \
    --lua-filter chapters/web/site.lua -M site="$tmp" -M template=chapters/web/page.html \
    -M pad=chapters/web/pad.md -M chapters="$(ls chapters/[0-9][0-9]_*.md |
        sed -n 's|^chapters/\(.*\)\.md$|\1|p' | grep -v '^00_' | paste -sd,)" ||
    die "pandoc failed"
for figure in $(grep -o '](figures/[^)]*)' book.md | sed 's/^](//; s/)$//' | sort -u); do
    mkdir -p "$tmp/${figure%/*}"
    cp "$figure" "$tmp/$figure"
done
cp chapters/web/style.css "$tmp/"
cp chapters/web/wasi.js chapters/web/pad.js "$tmp/pad/"
pad_file_script bin/pad.wasm pad.wasm >"$tmp/pad/pad.wasm.js"
for network in "$@"; do
    pad_file_script "$network" "${network##*/}" >"$tmp/pad/${network##*/}.js"
done
rm -rf site
mv "$tmp" site
printf '==> html: site/ written (%s pages, %s kB); open site/index.html\n' \
    "$(find site -name '*.html' | wc -l)" "$(du -sk site | cut -f1)"
