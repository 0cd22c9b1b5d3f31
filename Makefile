# Makefile: the workbook's build graph (GNU make). ./build.sh is the entry
# point: it installs what is missing, fetches the data, then calls make for
# what depends on what (programs, suites, the chapters' runs, figures, the
# book, the web edition). `make -j2` alone does the same once the data is
# there. Every program is compiled with -MMD, so a program is compiled again
# when a file it includes changes; everything compiled depends on this file,
# whose flags are part of every command.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules --no-builtin-variables

CC := cc
# -fno-loop-unroll-and-jam: -O3 would turn chapter 11's blocked loop (a
# loop over a packed row around a loop over 64 sums) into a scalar loop
# that takes two rows at a time, and not vectorize it (chapter 11 shows it
# with -fopt-info-loop). It keeps every sum's order either way.
CFLAGS := -std=c11 -O3 -fno-loop-unroll-and-jam -Wall -Wextra -pedantic \
          -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion \
          -Werror
# The suites, compiled again at every edit, take -O2 with the vectorizer on:
# the same numbers as -O3 (neither reorders a sum), as fast here, and a
# third less time to compile. A shift that overflows an int (exercise 1.1
# without its casts) stops the suite in the exercise's case, with a hint.
SUITE_CFLAGS := $(subst -O3,-O2,$(CFLAGS)) -ftree-vectorize \
                -fsanitize=shift -fno-sanitize-recover=shift
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer -g
CHECK_LIBS = $(shell pkg-config --cflags --libs check)
# The digit pad's module (code/pad.c), for the browser: the book's flags,
# and a WebAssembly "reactor" (no main: the page calls its functions) that
# exports malloc and free (the page passes file names in its memory). Also:
# -Wno-double-promotion, since wasi-libc's NAN and INFINITY are float
# constants that become double exactly where the code says NAN; glibc's do
# not warn. -ffp-contract=off, so that clang never fuses a multiply and an
# add (as -std=c11 keeps gcc from doing): the same numbers as bin/pad, bit
# for bit. _WASI_EMULATED_SIGNAL: WASI has no signals. (clang has no
# -fno-loop-unroll-and-jam: it does not do gcc's unroll-and-jam.)
WASM_FLAGS := --target=wasm32-wasi $(subst -Wdouble-promotion,-Wno-double-promotion,$(filter-out -fno-loop-unroll-and-jam,$(CFLAGS))) \
              -ffp-contract=off -D_WASI_EMULATED_SIGNAL -mexec-model=reactor \
              -Wl,--export=malloc -Wl,--export=free -Wl,--strip-all
export CFLAGS

CHAPTERS := $(basename $(notdir $(wildcard code/[0-9][0-9]_*.c)))
SUITES := $(patsubst tests/test_%.c,%,$(wildcard tests/test_*.c))
BOOK_FILES := $(sort chapters/00_preface.md $(wildcard chapters/[0-9][0-9]_*.md))
PROGRAMS := $(CHAPTERS:%=bin/%) bin/book bin/fast/07_sgd bin/fast/08_gap \
            bin/fast/09_regularise
# Where the chapters' runs write (the student edition: a copy, bin/run), and
# FRESH=1 to run every one whatever its digest says.
ROOT := .

.PHONY: all programs suites sanitized runs figures book site FORCE print-%
all: programs
	$(MAKE) runs
	$(MAKE) figures book site

programs: $(PROGRAMS)
suites: $(SUITES:%=bin/tests/test_%)
sanitized: $(CHAPTERS:%=bin/asan/%) $(SUITES:%=bin/asan/tests/test_%)

print-%: # print a variable: make -s print-CFLAGS
	@echo $($*)

# ---- compiling ---------------------------------------------------------------
# A compiler's messages go to TARGET.log; on failure its first lines are
# shown and no old program is left to run.
compile = $(1) -MMD -MP -MF $@.d 2>$@.log || { head -n 20 $@.log >&2; rm -f $@; exit 1; }

bin/%: code/%.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,$(CC) $(CFLAGS) $< -lm -o $@)

# Chapters 7 to 9's programs on chapter 11's loops, which the book's runs
# use: chapter 11 around each chapter's source (see code/11_fast.c).
bin/fast/%: code/11_fast.c code/%.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,$(CC) $(CFLAGS) -DFAST_CHAPTER='"$*.c"' $< -lm -o $@)

bin/asan/%: code/%.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,$(CC) $(CFLAGS) $(SANITIZE) $< -lm -o $@)

# A suite: tests/runner.c around tests/test_NAME.c, with its hidden cases
# (tests/hidden/, the teacher's edition only).
suite_flags = -DSUITE_FILE='"test_$*.c"' -DSUITE=suite_$* \
    $(if $(wildcard tests/hidden/test_$*.c),-DHIDDEN_FILE='"hidden/test_$*.c"' -DHIDDEN=hidden_$*)

.SECONDEXPANSION:
bin/tests/test_%: tests/test_%.c tests/runner.c $$(wildcard tests/hidden/test_$$*.c) Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,$(CC) $(SUITE_CFLAGS) $(suite_flags) tests/runner.c $(CHECK_LIBS) -lm -o $@)

bin/asan/tests/test_%: tests/test_%.c tests/runner.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,$(CC) $(CFLAGS) $(SANITIZE) $(suite_flags) tests/runner.c $(CHECK_LIBS) -lm -o $@)

# The fuzz targets (tests/fuzz_TARGET.c), for libFuzzer (./build.sh fuzz).
bin/fuzz/fuzz_%: tests/fuzz_%.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,clang -std=c11 -O1 $(SANITIZE) -fsanitize=fuzzer $< -lm -o $@)

bin/pad.wasm: code/pad.c Makefile
	@mkdir -p $(@D); echo "==> build: $@"
	@$(call compile,clang $(WASM_FLAGS) $< -lm -lwasi-emulated-signal -o $@)

-include $(wildcard bin/*.d bin/fast/*.d bin/tests/*.d bin/asan/*.d bin/asan/tests/*.d bin/fuzz/*.d)

# ---- the chapters' runs ------------------------------------------------------
# Every `@output` line of a chapter is a run (tests/book_run.sh), made
# into a rule of bin/runs.mk: its target is the digest committed beside
# what it printed (CAPTURE.digest), after its program, the data and the
# runs whose networks it reads. A run whose digest matches is not run again.
bin/data.sha256: $(wildcard data/mnist/*-ubyte)
	@mkdir -p $(@D); (cd data/mnist && sha256sum *-ubyte) >$@

bin/runs.mk: bin/book $(BOOK_FILES) tests/book_runs.awk $(wildcard .student)
	@bin/book --commands $(BOOK_FILES) | \
	    awk -F'\t' -v fast=$(if $(wildcard .student),0,1) -f tests/book_runs.awk >$@

ifneq ($(filter runs runs_%,$(MAKECMDGOALS)),)
include bin/runs.mk
endif
runs: $(RUNS)

# ---- figures, the book, the web edition --------------------------------------
# A figure is drawn again when its script, or a data file in its chapter's
# folder (not an image, digest or network), is newer than the image.
bin/figures.mk: $(wildcard figures/*/*.gp) Makefile
	@for script in $(wildcard figures/*/*.gp); do \
	    dir=$${script%/*}; \
	    png=$$dir/$$(sed -n "s/^set output '\(.*\)'.*/\1/p" "$$script" | head -n 1); \
	    echo "FIGURES += $$png"; \
	    echo "$$png: $$script \$$(filter-out %.png %.digest %.net,\$$(wildcard $$dir/* $$dir/*/*))"; \
	    printf '\t@cd %s && gnuplot %s\n' "$$dir" "$${script##*/}"; \
	done >$@
ifneq ($(filter figures all,$(MAKECMDGOALS)),)
include bin/figures.mk
endif
figures: $(FIGURES)

# book.md: rewritten only when its text changes, so that what depends on it
# (the site) is not made again for nothing.
book: book.md
book.md: bin/book FORCE
	@bin/book $(BOOK_FILES) >bin/book.md.new
	@cmp -s bin/book.md.new book.md || { mv bin/book.md.new book.md; echo "==> book: book.md written"; }

# site/: the web edition (chapters/web/html.sh).
PAD_NETWORKS := figures/07_sgd/07_16_16.net figures/09_regularise/09_best.net
site: site/index.html
site/index.html: book.md bin/book bin/pad.wasm $(PAD_NETWORKS) $(wildcard chapters/web/* figures/*/*.png)
	@chapters/web/html.sh $(PAD_NETWORKS)
