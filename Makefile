# Gradient-checking workbook for backpropagation in CNNs.
# `make help` prints the lines below that start with "#   make".
#   make                    build every chapter into build/chapterN
#   make chapterN           build and run chapter N (ARGS='...' passes options)
#   make chapters           run every chapter in order
#   make check              run the Check unit tests (installs Check if it can)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make check-heavy        the slow tests make check skips (pdflatex, gnuplot renders)
#   make plots              render every plots/chapterN.gp (PLOT_TERM=png|svg|pdf|dumb)
#   make golden             regenerate tests/golden/ after an intended output change
#   make fuzz               run the libFuzzer targets (FUZZ_SECONDS=N each)
#   make valgrind           run every chapter under valgrind memcheck
#   make bench              time the gradient checks and training step (-O2)
#   make sheet SEED=N       an exercise sheet and its answer key in build/sheets/
#   make sheets SEEDS="1 2" one sheet and key per seed
#   make labN               build labs/labN_*.c against its grading harness and run it
#                           (GRADESCOPE=FILE also writes a Gradescope results.json)
#   make labs-selftest      each harness passes a right answer, fails every classic mistake
#                           and every hostile student, with a valid results.json
#   make autograder         Gradescope autograders in build/autograder/labN.zip
#   make test-autograder    run_autograder on a fake /autograder with two submissions
#   make html               the workbook as web pages: build/html/index.html, chapterN.html
#   make test-html          every page in headless Chromium and tidy (installs them if it can)
#   make lib                the checker as a library: libgradcheck.a and .so
#   make install            install it (PREFIX=/usr/local, DESTDIR=); make uninstall
#   make test-lib           install into a temporary prefix, build examples/ with pkg-config
#   make wasm               every chapter as WebAssembly: build/wasm/chapterN.wasm (WASI)
#   make wasm-html          live pages that run the chapter in the browser: build/live/
#   make test-wasm          the wasm builds under Node's WASI print what the native ones do
#   make test-browser       the live pages in headless Chromium (puppeteer-core)
#   make bench-wasm         a live page's Run (wasm) against the native run, page sizes
#   make clean              remove BUILD (default build/) and plots/out/
#   make help               this list
# Variables: CC, CFLAGS, CPPFLAGS, LDFLAGS, OPT (default -O2 -g), BUILD (the
# output directory), SANITIZE=1, V=1 (show full commands), ARGS, PLOT_TERM,
# FUZZ_SECONDS. Changing any flag rebuilds everything it affects.

# Builds use every core unless -j is given on the command line (a recursive
# make shares its parent's jobs).
ifeq ($(filter -j%,$(MAKEFLAGS))$(filter-out 0,$(MAKELEVEL)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Wpedantic -Werror
OPT     ?= -O2 -g
CFLAGS  ?=
CPPFLAGS ?=
LDFLAGS ?=
LDLIBS  := -lm

ifeq ($(SANITIZE),1)
BUILD   ?= build/sanitize
OPT     := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS :=
endif

# Build commands are summarised on stderr ("  CC src/layers/conv.c"), so that stdout
# of `make chapterN` is the chapter's output alone; V=1 shows them in full.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)" >&2
endif

# src/ is one folder per layer (src/*/README.md); each is on the include
# path, so a file includes "conv.h", not "layers/conv.h".
SRC_DIRS  := $(sort $(patsubst %/,%,$(dir $(wildcard src/*/*.c src/*/*.h))))
SRC_INCLUDES := $(addprefix -I,$(SRC_DIRS))
ALL_CFLAGS := $(CSTD) $(CPPFLAGS) $(WARN) $(OPT) $(SANFLAGS) $(CFLAGS) $(SRC_INCLUDES) -MMD -MP
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)

SRC       := $(sort $(wildcard src/*/*.c))
OBJ       := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRC))
LIB       := $(BUILD)/libworkbook.a
CHAPTER_SRC := $(sort $(wildcard chapters/chapter*_*.c))
# chapters/chapter3_dense.c -> 3
CHAPTER_NUMS := $(sort $(foreach f,$(CHAPTER_SRC),$(patsubst chapter%,%,$(firstword $(subst _, ,$(notdir $(f)))))))
CHAPTERS  := $(addprefix $(BUILD)/chapter,$(CHAPTER_NUMS))
# The HTML pages link their neighbours among the chapters that exist (the
# list is in the flags stamp too, so a new chapter rebuilds the link bar).
$(BUILD)/obj/report/html_nav.o: ALL_CFLAGS += -DWORKBOOK_CHAPTER_LIST='"$(CHAPTER_NUMS)"'
# src/core/mathfn.c's double-double arithmetic needs every product rounded
# on its own: no fused multiply-add, whatever the compiler's default.
$(BUILD)/obj/core/mathfn.o: ALL_CFLAGS += -ffp-contract=off


TEST_SRC  := $(sort $(wildcard tests/check_*.c))
TEST_OBJ  := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_SRC)) $(BUILD)/tests/run_tests.o $(BUILD)/tests/proc.o
SUITES    := $(patsubst tests/check_%.c,%,$(TEST_SRC))

.PHONY: check-heavy wasm wasm-html test-wasm test-browser bench-wasm ensure-wasm html test-html sheet sheets all chapters check clean plots golden fuzz valgrind bench help ensure-check \
        $(addprefix chapter,$(CHAPTER_NUMS))
.DEFAULT_GOAL := all

all: $(CHAPTERS)

help:
	@sed -n 's/^#   make/make/p' $(firstword $(MAKEFILE_LIST))

# Every object depends on this stamp, which holds the compiler and every flag
# and is rewritten only when they change: `make CFLAGS=-O0` after a build
# rebuilds instead of saying "Nothing to be done".
FLAGS_STAMP := $(BUILD)/flags.stamp
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' 'CC=$(CC)' 'CFLAGS=$(ALL_CFLAGS)' 'LDFLAGS=$(ALL_LDFLAGS) $(LDLIBS)' 'CHAPTERS=$(CHAPTER_NUMS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# A chapter's program is its units, chapters/chapterN_*.c (the main file
# chapterN_<topic>.c and the units beside it, each with its header), linked
# with build/libchapters.a (units several chapters share, chapters/mistakes.c)
# and the library. -MMD records each object's headers (src/*/*.h,
# chapters/*.h), so an edited header rebuilds what includes it.
CHAPTER_SHARED := chapters/mistakes.c
CHAPTER_LIB    := $(BUILD)/libchapters.a
chapter_objs    = $(patsubst chapters/%.c,$(2)/obj/chapters/%.o,$(wildcard chapters/chapter$(1)_*.c))

$(BUILD)/obj/chapters/%.o: chapters/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(CHAPTER_LIB): $(patsubst chapters/%.c,$(BUILD)/obj/chapters/%.o,$(CHAPTER_SHARED))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

define chapter_rule
$(BUILD)/chapter$(1): $(call chapter_objs,$(1),$(BUILD)) $(CHAPTER_LIB) $(LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) $(call chapter_objs,$(1),$(BUILD)) $(CHAPTER_LIB) $(LIB) $(LDLIBS) -o $$@

chapter$(1): $(BUILD)/chapter$(1)
	@$(BUILD)/chapter$(1) $(ARGS)
endef
$(foreach n,$(CHAPTER_NUMS),$(eval $(call chapter_rule,$(n))))

chapters: $(CHAPTERS)
	@for n in $(CHAPTER_NUMS); do $(BUILD)/chapter$$n $(ARGS) || exit $$?; echo; done

# docs/chapter_skeleton.c: the skeleton of docs/adding-a-chapter.md,
# built and run by the tests so that the guide stays true.
$(BUILD)/skeleton: docs/chapter_skeleton.c $(LIB) $(FLAGS_STAMP)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(ALL_LDFLAGS) $(LIB) $(LDLIBS) -o $@

# ------------------------------------------------------------------ sheets
# sheets/*.c: the exercise-sheet generator (problems, key, check commands).
SHEET_SRC := $(sort $(wildcard sheets/*.c))
SHEET     := $(BUILD)/sheet
SEED      ?= 1
SEEDS     ?= 1 2 3

$(SHEET): $(SHEET_SRC) $(wildcard sheets/*.h) $(LIB) $(FLAGS_STAMP)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Isheets $(SHEET_SRC) $(ALL_LDFLAGS) $(LIB) $(LDLIBS) -o $@

sheet: $(SHEET)
	@$(SHEET) --seed $(SEED)

sheets: $(SHEET)
	@for s in $(SEEDS); do $(SHEET) --seed $$s || exit $$?; done

# ------------------------------------------------------------------ labs
# labs/labN_*.c is the student's file; labs/harness/ grades it with the
# library as the reference (see labs/lab.h, docs/labs.md). Two programs per
# lab: build/labs/labN, the grader (harness + library), and
# build/labs/labN-student, the student's file with labs/harness/runner.c and
# libm only, which the grader runs once per case in a limited child process.
# Adding a lab is one file labs/harness/harness_labN.c and a number here.
LAB_NUMS     := 2 3 4 5 7
LAB_CFLAGS    = $(ALL_CFLAGS) -Ilabs -Ilabs/harness
LAB_GRADER_OBJ = harness.o grade.o sandbox.o wire.o
# The student's process is built without sanitizers: their shadow memory
# does not fit its memory limit, and the limits contain what they would catch.
LAB_STUDENT_SIDE_CFLAGS = $(CSTD) $(CPPFLAGS) $(WARN) $(OPT) $(CFLAGS) -Ilabs -Ilabs/harness -MMD -MP
# The student's own file: warnings are shown but never stop the grading.
LAB_STUDENT_CFLAGS = $(CSTD) $(CPPFLAGS) -Wall -Wextra $(OPT) $(CFLAGS) -Ilabs
LAB_STUDENT_OBJ = $(addprefix $(BUILD)/labs/student/,runner.o wire.o)
.PHONY: labs-selftest autograder test-autograder $(addprefix lab,$(LAB_NUMS))

$(BUILD)/labs/%.o: labs/harness/%.c $(wildcard labs/harness/*.h) labs/lab.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(LAB_CFLAGS) -c $< -o $@

$(BUILD)/labs/student/%.o: labs/harness/%.c $(wildcard labs/harness/*.h) labs/lab.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$< (student side))
	$(Q)$(CC) $(LAB_STUDENT_SIDE_CFLAGS) -DLAB_STUDENT_PROCESS -c $< -o $@

# `make labN` always rebuilds the student's program; when it does not build,
# the grader still runs, reports the compiler's messages and writes results.json.
define lab_rule
$(BUILD)/labs/lab$(1): $(addprefix $(BUILD)/labs/,$(LAB_GRADER_OBJ) harness_lab$(1).o) $(LIB)
	$$(call say,LD,$$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(addprefix $(BUILD)/labs/,$(LAB_GRADER_OBJ) harness_lab$(1).o) $(LIB) $(LDLIBS) -o $$@

$(BUILD)/labs/lab$(1)-student: $(wildcard labs/lab$(1)_*.c) labs/lab.h $(LAB_STUDENT_OBJ) $(BUILD)/labs/student/harness_lab$(1).o
	$$(call say,CC,$(wildcard labs/lab$(1)_*.c))
	$(Q)$(CC) $(LAB_STUDENT_CFLAGS) $(wildcard labs/lab$(1)_*.c) $(LAB_STUDENT_OBJ) $(BUILD)/labs/student/harness_lab$(1).o \
	  $(LDFLAGS) $(LDLIBS) -o $$@

lab$(1): $(BUILD)/labs/lab$(1) $(LAB_STUDENT_OBJ) $(BUILD)/labs/student/harness_lab$(1).o
	@rm -f $(BUILD)/labs/lab$(1)-student; \
	$(CC) $(LAB_STUDENT_CFLAGS) $(wildcard labs/lab$(1)_*.c) $(LAB_STUDENT_OBJ) $(BUILD)/labs/student/harness_lab$(1).o \
	  $(LDFLAGS) $(LDLIBS) -o $(BUILD)/labs/lab$(1)-student 2> $(BUILD)/labs/lab$(1)-build.log; \
	cat $(BUILD)/labs/lab$(1)-build.log >&2; \
	$(abspath $(BUILD))/labs/lab$(1) --build-log $(BUILD)/labs/lab$(1)-build.log $$(if $$(GRADESCOPE),--gradescope $$(GRADESCOPE))
endef
$(foreach n,$(LAB_NUMS),$(eval $(call lab_rule,$(n))))

LAB_PROGRAMS = $(foreach n,$(LAB_NUMS),$(BUILD)/labs/lab$(n) $(BUILD)/labs/lab$(n)-student)

labs-selftest: $(LAB_PROGRAMS) $(LAB_STUDENT_OBJ) $(foreach n,$(LAB_NUMS),$(BUILD)/labs/student/harness_lab$(n).o) $(BUILD)/labs/jsoncheck
	@sh tests/labs_selftest.sh "$(BUILD)" "$(CC)" "$(LAB_STUDENT_CFLAGS)" "$(LDFLAGS) $(LDLIBS)" "$(LAB_NUMS)"

# A JSON syntax checker (tests/jsonlint.h) for the selftest's results.json files.
$(BUILD)/labs/jsoncheck: tests/labs/jsoncheck.c tests/jsonlint.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests $< $(ALL_LDFLAGS) -o $@

# The Gradescope autograder, one per lab: build/autograder/labN/ and labN.zip
# (setup.sh, run_autograder and the sources it builds; docs/labs.md).
autograder:
	@sh labs/autograder/make_autograder.sh "$(BUILD)/autograder" "$(LAB_NUMS)"

# run_autograder on a fake /autograder tree, with a right and a wrong submission.
test-autograder: autograder $(BUILD)/labs/jsoncheck
	@sh tests/autograder_test.sh "$(BUILD)" "$(LAB_NUMS)"

# ------------------------------------------------------------------ html
# Each page is exactly `build/chapterN --format html`; the index links them.
# A page is written to .tmp and renamed when complete: a full disk leaves no
# truncated page behind.
html: $(CHAPTERS)
	@mkdir -p $(BUILD)/html
	@for n in $(CHAPTER_NUMS); do page=$(BUILD)/html/chapter$$n.html; \
	  $(BUILD)/chapter$$n --format html > $$page.tmp; \
	  st=$$?; [ $$st -eq 0 ] || { rm -f $$page.tmp; echo "error: chapter$$n --format html exited $$st" >&2; exit 1; }; \
	  mv $$page.tmp $$page && echo "$$page"; done
	@sh scripts/html_index.sh $(BUILD) "$(CHAPTER_NUMS)"

test-html: html
	@sh tests/test_html.sh $(BUILD)

# ------------------------------------------------------------------ wasm
# The same sources compiled for WASI with Debian's clang, wasm-ld and
# wasi-libc (tests/ensure_wasm.sh installs them like Check); -O2 without -g
# or sanitizers. The stack is 8 MiB, as a native process has.
WASM_CC      ?= clang
WASM_DIR     := build/wasm
WASM_CFLAGS  := --target=wasm32-wasi $(CSTD) $(WARN) -O2 $(SRC_INCLUDES) -MMD -MP
WASM_LDFLAGS := --target=wasm32-wasi -Wl,-z,stack-size=8388608 -Wl,--strip-all
WASM_OBJ     := $(patsubst src/%.c,$(WASM_DIR)/obj/%.o,$(SRC))
WASMS        := $(addprefix $(WASM_DIR)/chapter,$(addsuffix .wasm,$(CHAPTER_NUMS)))
LIVE_DIR     := build/live

ensure-wasm:
	@sh tests/ensure_wasm.sh

# The link bar of the pages (html_nav.c) needs the chapter list, as natively;
# the flags stamp records the list, so a new chapter rebuilds it.
$(WASM_DIR)/obj/report/html_nav.o: WASM_CFLAGS += -DWORKBOOK_CHAPTER_LIST='"$(CHAPTER_NUMS)"'
$(WASM_DIR)/obj/report/html_nav.o: $(FLAGS_STAMP)
$(WASM_DIR)/obj/core/mathfn.o: WASM_CFLAGS += -ffp-contract=off

$(WASM_DIR)/obj/%.o: src/%.c | ensure-wasm
	@mkdir -p $(dir $@)
	$(call say,WASMCC,$<)
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@

$(WASM_DIR)/obj/chapters/%.o: chapters/%.c | ensure-wasm
	@mkdir -p $(dir $@)
	$(call say,WASMCC,$<)
	$(Q)$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@

# A chapter's units and the shared ones (a few objects: no archive needed).
define wasm_rule
$(WASM_DIR)/chapter$(1).wasm: $(call chapter_objs,$(1),$(WASM_DIR)) \
  $(patsubst chapters/%.c,$(WASM_DIR)/obj/chapters/%.o,$(CHAPTER_SHARED)) $(WASM_OBJ)
	$$(call say,WASM,$$@)
	$(Q)$(WASM_CC) $(WASM_LDFLAGS) $$^ -lm -o $$@
endef
$(foreach n,$(CHAPTER_NUMS),$(eval $(call wasm_rule,$(n))))

wasm: $(WASMS)

# build/live/chapterN.html: the chapter's page with a panel that runs its
# wasm build in the page (scripts/live/), and an index that links them.
wasm-html: html $(WASMS)
	@node scripts/live/make_live.mjs $(BUILD) $(WASM_DIR) $(LIVE_DIR) $(CHAPTER_NUMS)

test-wasm: $(CHAPTERS) $(WASMS)
	@node tests/wasm/test_wasm.mjs $(BUILD) $(WASM_DIR) $(CHAPTER_NUMS)

# A Run's time, wasm in V8 against native, and the page sizes.
bench-wasm: wasm-html
	@node bench/bench_wasm.mjs $(BUILD) $(WASM_DIR) $(LIVE_DIR) $(CHAPTER_NUMS)

test-browser: wasm-html
	@sh tests/browser/run.sh $(LIVE_DIR) $(BUILD)

# ------------------------------------------------------------------ tests
ensure-check:
	@sh tests/ensure_check.sh

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

# The runner's suite list is generated from the tests/check_*.c file names,
# and rewritten only when that list changes.
$(BUILD)/tests/suites.inc: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(foreach s,$(SUITES),'SUITE($(s))') > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/tests/%.o: tests/%.c $(FLAGS_STAMP) | ensure-check
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -DBUILD_DIR='"$(BUILD)"' \
	  -DCHAPTER_LIST='"$(CHAPTER_NUMS)"' -Ichapters -c $< -o $@

$(BUILD)/tests/run_tests.o: $(BUILD)/tests/suites.inc

# The tests link chapter 1's and 3's units (check_chapter1.c includes chapter
# 1's main file itself; check_formula.c tests chapter 3's --formula unit).
TEST_CHAPTER_OBJ := $(patsubst chapters/%.c,$(BUILD)/obj/chapters/%.o,$(filter-out \
  chapters/chapter1_correlation.c chapters/chapter3_dense.c,$(wildcard chapters/chapter1_*.c chapters/chapter3_*.c)))

$(BUILD)/run_tests: $(TEST_OBJ) $(TEST_CHAPTER_OBJ) $(CHAPTER_LIB) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(TEST_OBJ) $(TEST_CHAPTER_OBJ) $(CHAPTER_LIB) $(LIB) $(CHECK_LIBS) $(LDLIBS) -o $@

# The suites run in parallel (tests/run_suites.sh); `./build/run_tests` runs
# them one after another, CK_RUN_SUITE=name just one. Sanitized builds run
# about four times slower, and get four times the time.
check: ensure-check $(CHAPTERS) $(SHEET) $(BUILD)/skeleton $(LAB_PROGRAMS) $(BUILD)/run_tests
	@sh tests/include_layers.sh && sh tests/include_layers.sh --selftest
	@sh tests/size_limits.sh && sh tests/size_limits.sh --selftest
	@$(MAKE) --no-print-directory labs-selftest
	@CK_TIMEOUT_MULTIPLIER=$(if $(filter 1,$(SANITIZE)),4,1) sh tests/run_suites.sh $(BUILD) $(shell nproc 2>/dev/null || echo 2)

# The slow tests make check leaves out, to stay near a minute: every
# chapter's LaTeX, Beamer deck and notes compiled with pdflatex, and every
# plot rendered by gnuplot (tests/proc.h heavy_checks_enabled). CI runs it.
check-heavy: ensure-check $(CHAPTERS) $(SHEET) $(BUILD)/run_tests
	@for s in latex plots; do CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-60} WORKBOOK_HEAVY_CHECKS=1 CK_RUN_SUITE=$$s $(BUILD)/run_tests || exit 1; done

# ------------------------------------------------------------------ plots
# plots/chapterN.gp draws what build/chapterN writes with --plot; every such
# script is picked up. plots/render.sh runs them (PLOT_TERM png, svg, pdf or
# dumb) and lists the images it wrote.
PLOT_TERM ?= png

plots: $(CHAPTERS)
	@sh plots/render.sh '$(PLOT_TERM)' '$(BUILD)' plots/out

include src/api/library.mk

# ------------------------------------------------------------------ golden outputs
golden: $(CHAPTERS)
	@mkdir -p tests/golden
	@for n in $(CHAPTER_NUMS); do $(BUILD)/chapter$$n --no-color > tests/golden/chapter$$n.txt; \
	  echo "tests/golden/chapter$$n.txt"; done

# ------------------------------------------------------------------ fuzzing
# Each tests/fuzz/fuzz_T.c is a libFuzzer target, built with clang together
# with the src/ files listed in FUZZ_SRC_T (one line per target below), and
# run by tests/fuzz.sh for FUZZ_SECONDS on a copy of its seeds
# tests/fuzz/corpus/T. FUZZ_MAXLEN_T, the longest input, defaults to 4096.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_FLAGS   := $(CSTD) $(CPPFLAGS) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(SRC_INCLUDES)
FUZZ_SRC_parse   := src/core/parse.c src/core/tensor.c src/core/mathfn.c src/core/progress.c
FUZZ_SRC_options := src/report/options.c src/core/parse.c src/core/tensor.c src/core/strbuf.c src/core/mathfn.c \
                    src/core/progress.c
# Long enough for a 4097-entry row or 4097 rows of single digits.
FUZZ_MAXLEN_parse := 16384
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
# The --formula expression language (formulas are short).
FUZZ_SRC_expr    := src/formula/expr.c src/formula/expr_ops.c src/core/parse.c src/core/tensor.c src/core/mathfn.c \
                    src/core/progress.c

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(SRC) $(wildcard src/*/*.h)
	@[ -n "$(FUZZ_SRC_$*)" ] || { echo "error: the Makefile needs a line FUZZ_SRC_$* := <the src/*.c files fuzz_$*.c uses>" >&2; exit 1; }
	@mkdir -p $(dir $@)
	@echo "$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRC_$*) $(LDFLAGS) $(LDLIBS) -o $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRC_$*) $(LDFLAGS) $(LDLIBS) -o $@ || { \
	  echo "error: building fuzz_$* failed; if the message above is about -fsanitize=fuzzer" \
	       "or libclang_rt.fuzzer, run: sudo apt-get install clang libclang-rt-14-dev" >&2; exit 1; }

fuzz: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
	@sh tests/fuzz.sh '$(FUZZ_DIR)' '$(FUZZ_SECONDS)' \
	  $(foreach t,$(FUZZ_TARGETS),$(t):$(or $(FUZZ_MAXLEN_$(t)),4096))

# ------------------------------------------------------------------ valgrind
valgrind: $(CHAPTERS)
	@[ "$(SANITIZE)" != 1 ] || { echo "error: valgrind cannot run SANITIZE=1 builds" >&2; exit 1; }
	@sh tests/valgrind.sh '$(BUILD)' $(CHAPTER_NUMS)

# ------------------------------------------------------------------ bench
# bench/bench.c times chapter 6's network: the checks, a training step and a
# forward pass. Always -O2 without sanitizers, whatever OPT and SANITIZE say,
# so that the figures mean the same on every run.
BENCH_DIR := build/bench

bench:
	@mkdir -p $(BENCH_DIR)
	$(CC) $(CSTD) $(CPPFLAGS) $(WARN) -O2 $(SRC_INCLUDES) bench/bench.c $(SRC) $(LDFLAGS) $(LDLIBS) -o $(BENCH_DIR)/bench
	$(CC) $(CSTD) $(CPPFLAGS) $(WARN) -O2 $(SRC_INCLUDES) bench/bench_conv.c $(SRC) $(LDFLAGS) $(LDLIBS) -o $(BENCH_DIR)/bench_conv
	$(CC) $(CSTD) $(CPPFLAGS) $(WARN) -O2 $(SRC_INCLUDES) -Ichapters bench/bench_deep.c chapters/chapter7_net.c $(SRC) $(LDFLAGS) $(LDLIBS) -o $(BENCH_DIR)/bench_deep
	@./$(BENCH_DIR)/bench
	@./$(BENCH_DIR)/bench_conv
	@./$(BENCH_DIR)/bench_deep

# BUILD is removed whatever it is called, except a folder that holds the
# sources (".", "/", "..", the checkout itself).
clean:
	@case '$(abspath $(BUILD))' in '$(abspath .)'|'$(abspath ..)'|/|'') \
	  echo "error: make clean: BUILD=$(BUILD) is not a build folder" >&2; exit 2;; esac
	rm -rf '$(BUILD)' $(BENCH_DIR) plots/out

FORCE:

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/obj/chapters/*.d $(wildcard $(BUILD)/labs/*.d $(BUILD)/labs/student/*.d) \
  $(wildcard $(WASM_OBJ:.o=.d) $(WASM_DIR)/obj/chapters/*.d)
