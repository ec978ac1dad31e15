# Gradient-checking workbook for backpropagation in CNNs.
# `make help` prints the lines below that start with "#   make".
#   make                    build every chapter into build/chapterN
#   make chapterN           build and run chapter N (ARGS='...' passes options)
#   make chapters           run every chapter in order
#   make check              run the Check unit tests (installs Check if it can)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make plots              render every plots/chapterN.gp (PLOT_TERM=png|svg|pdf|dumb)
#   make golden             regenerate tests/golden/ after an intended output change
#   make fuzz               run the libFuzzer targets (FUZZ_SECONDS=N each)
#   make valgrind           run every chapter under valgrind memcheck
#   make bench              time the gradient checks and training step (-O2)
#   make sheet SEED=N       an exercise sheet and its answer key in build/sheets/
#   make sheets SEEDS="1 2" one sheet and key per seed
#   make labN               build labs/labN_*.c against its grading harness and run it
#                           (GRADESCOPE=FILE also writes a Gradescope results.json)
#   make labs-selftest      each harness passes the library and fails every classic mistake
#   make html               the workbook as web pages: build/html/index.html, chapterN.html
#   make test-html          every page in headless Chromium and tidy (installs them if it can)
#   make clean              remove build/ and plots/out/
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

TEST_SRC  := $(sort $(wildcard tests/check_*.c))
TEST_OBJ  := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_SRC)) $(BUILD)/tests/run_tests.o $(BUILD)/tests/proc.o
SUITES    := $(patsubst tests/check_%.c,%,$(TEST_SRC))

.PHONY: html test-html sheet sheets all chapters check clean plots golden fuzz valgrind bench help ensure-check \
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
	@printf '%s\n' 'CC=$(CC)' 'CFLAGS=$(ALL_CFLAGS)' 'LDFLAGS=$(ALL_LDFLAGS) $(LDLIBS)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# One rule per chapter number: build/chapterN from chapters/chapterN_*.c.
# The object is a target of its own, so that the header dependencies -MMD
# records for it (src/*/*.h, chapters/*.h) rebuild the chapter.
define chapter_rule
$(BUILD)/obj/chapters/chapter$(1).o: $(wildcard chapters/chapter$(1)_*.c) $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj/chapters
	$$(call say,CC,$(wildcard chapters/chapter$(1)_*.c))
	$(Q)$(CC) $(ALL_CFLAGS) -c $(wildcard chapters/chapter$(1)_*.c) -o $$@

$(BUILD)/chapter$(1): $(BUILD)/obj/chapters/chapter$(1).o $(LIB)
	$(Q)$(CC) $(ALL_LDFLAGS) $(BUILD)/obj/chapters/chapter$(1).o $(LIB) $(LDLIBS) -o $$@

chapter$(1): $(BUILD)/chapter$(1)
	@./$(BUILD)/chapter$(1) $(ARGS)
endef
$(foreach n,$(CHAPTER_NUMS),$(eval $(call chapter_rule,$(n))))

chapters: $(CHAPTERS)
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n $(ARGS) || exit $$?; echo; done

# docs/chapter_skeleton.c: the skeleton of README's "Adding a chapter",
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
	@./$(SHEET) --seed $(SEED)

sheets: $(SHEET)
	@for s in $(SEEDS); do ./$(SHEET) --seed $$s || exit $$?; done

# ------------------------------------------------------------------ labs
# labs/labN_*.c is the student's file; labs/harness/ grades it with the
# library as the reference (see labs/lab.h).
LAB_NUMS     := 2 3 4 5
LAB_CFLAGS    = $(ALL_CFLAGS) -Ilabs -Ilabs/harness
.PHONY: labs-selftest $(addprefix lab,$(LAB_NUMS))

$(BUILD)/labs/%.o: labs/harness/%.c $(wildcard labs/harness/*.h) labs/lab.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(LAB_CFLAGS) -c $< -o $@

define lab_rule
$(BUILD)/labs/lab$(1): $(wildcard labs/lab$(1)_*.c) $(BUILD)/labs/harness.o $(BUILD)/labs/harness_lab$(1).o $(LIB)
	$$(call say,CC,$(wildcard labs/lab$(1)_*.c))
	$(Q)$(CC) $(LAB_CFLAGS) $(wildcard labs/lab$(1)_*.c) $(BUILD)/labs/harness.o $(BUILD)/labs/harness_lab$(1).o \
	  $(ALL_LDFLAGS) $(LIB) $(LDLIBS) -o $$@

lab$(1): $(BUILD)/labs/lab$(1)
	@./$(BUILD)/labs/lab$(1) $$(if $$(GRADESCOPE),--gradescope $$(GRADESCOPE))
endef
$(foreach n,$(LAB_NUMS),$(eval $(call lab_rule,$(n))))

labs-selftest: $(addprefix $(BUILD)/labs/,harness.o $(foreach n,$(LAB_NUMS),harness_lab$(n).o) $(foreach n,$(LAB_NUMS),lab$(n))) $(LIB)
	@sh tests/labs_selftest.sh "$(BUILD)" "$(CC)" "$(ALL_CFLAGS)" "$(ALL_LDFLAGS) $(LIB) $(LDLIBS)"

# ------------------------------------------------------------------ html
# Each page is exactly `build/chapterN --format html`; the index links them.
html: $(CHAPTERS)
	@mkdir -p $(BUILD)/html
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n --format html > $(BUILD)/html/chapter$$n.html; \
	  st=$$?; [ $$st -eq 0 ] || { echo "error: chapter$$n --format html exited $$st" >&2; exit 1; }; \
	  echo "$(BUILD)/html/chapter$$n.html"; done
	@sh scripts/html_index.sh $(BUILD) "$(CHAPTER_NUMS)"

test-html: html
	@sh tests/test_html.sh $(BUILD)

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
	  -DCHAPTER_LIST='"$(CHAPTER_NUMS)"' -c $< -o $@

$(BUILD)/tests/run_tests.o: $(BUILD)/tests/suites.inc

$(BUILD)/run_tests: $(TEST_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $(TEST_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS) -o $@

# The suites run in parallel (tests/run_suites.sh); `./build/run_tests` runs
# them one after another, CK_RUN_SUITE=name just one. Sanitized builds run
# about four times slower, and get four times the time.
check: ensure-check $(CHAPTERS) $(SHEET) $(BUILD)/skeleton $(addprefix $(BUILD)/labs/lab,$(LAB_NUMS)) $(BUILD)/run_tests
	@sh tests/include_layers.sh && sh tests/include_layers.sh --selftest
	@$(MAKE) --no-print-directory labs-selftest
	@CK_TIMEOUT_MULTIPLIER=$(if $(filter 1,$(SANITIZE)),4,1) sh tests/run_suites.sh $(BUILD) $(shell nproc 2>/dev/null || echo 2)

# ------------------------------------------------------------------ plots
# plots/chapterN.gp draws what build/chapterN writes with --plot; every such
# script is picked up. plots/render.sh runs them (PLOT_TERM png, svg, pdf or
# dumb) and lists the images it wrote.
PLOT_TERM ?= png

plots: $(CHAPTERS)
	@sh plots/render.sh '$(PLOT_TERM)' '$(BUILD)' plots/out

# ------------------------------------------------------------------ golden outputs
golden: $(CHAPTERS)
	@mkdir -p tests/golden
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n --no-color > tests/golden/chapter$$n.txt; \
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
FUZZ_SRC_parse   := src/core/parse.c src/core/tensor.c
FUZZ_SRC_options := src/report/options.c src/core/parse.c src/core/tensor.c src/core/strbuf.c
# Long enough for a 4097-entry row or 4097 rows of single digits.
FUZZ_MAXLEN_parse := 16384
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
# The --formula expression language (formulas are short).
FUZZ_SRC_expr    := src/formula/expr.c src/formula/expr_ops.c src/core/parse.c src/core/tensor.c

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
	@./$(BENCH_DIR)/bench
	@./$(BENCH_DIR)/bench_conv

clean:
	rm -rf build plots/out

FORCE:

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/obj/chapters/*.d $(wildcard $(BUILD)/labs/*.d)
