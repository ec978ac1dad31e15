# Gradient-checking workbook for backpropagation in CNNs.
#   make              build every chapter into build/chapterN
#   make chapterN     build and run chapter N (ARGS='...' passes options)
#   make chapters     run every chapter in order
#   make check        run the Check unit tests (installs Check if it can)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make plots        render every chapter's plots with gnuplot (PLOT_TERM=png|svg|dumb)
#   make golden       regenerate tests/golden/ after an intended output change
#   make fuzz         run the libFuzzer targets (FUZZ_SECONDS=N each)
#   make valgrind     run every chapter under valgrind memcheck
#   make bench        time the gradient checks and training step (-O2)
#   make html         the workbook as web pages: build/html/index.html and chapterN.html
#   make test-html    every page in headless Chromium and tidy (installs them if it can)
#   make clean

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Wpedantic -Werror
OPT     ?= -O2 -g
CFLAGS  ?=
LDLIBS  := -lm

ifeq ($(SANITIZE),1)
BUILD   ?= build/sanitize
OPT     := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS :=
endif

# Build commands are summarised on stderr ("  CC src/conv.c"), so that stdout
# of `make chapterN` is the chapter's output alone; V=1 shows them in full.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)" >&2
endif

ALL_CFLAGS := $(CSTD) $(WARN) $(OPT) $(SANFLAGS) $(CFLAGS) -Isrc -MMD -MP

SRC       := $(wildcard src/*.c)
OBJ       := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRC))
LIB       := $(BUILD)/libworkbook.a
CHAPTER_SRC := $(sort $(wildcard chapters/chapter*_*.c))
# chapters/chapter3_dense.c -> 3
CHAPTER_NUMS := $(sort $(foreach f,$(CHAPTER_SRC),$(patsubst chapter%,%,$(firstword $(subst _, ,$(notdir $(f)))))))
CHAPTERS  := $(addprefix $(BUILD)/chapter,$(CHAPTER_NUMS))

TEST_SRC  := $(sort $(wildcard tests/check_*.c))
TEST_OBJ  := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_SRC)) $(BUILD)/tests/run_tests.o $(BUILD)/tests/proc.o
SUITES    := $(patsubst tests/check_%.c,%,$(TEST_SRC))

.PHONY: html test-html all chapters check clean plots golden fuzz valgrind bench ensure-check $(addprefix chapter,$(CHAPTER_NUMS))
.DEFAULT_GOAL := all

all: $(CHAPTERS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# One rule per chapter number: build/chapterN from chapters/chapterN_*.c.
define chapter_rule
$(BUILD)/chapter$(1): $(wildcard chapters/chapter$(1)_*.c) $(LIB)
	@mkdir -p $(BUILD)/obj/chapters
	$$(call say,CC,$(wildcard chapters/chapter$(1)_*.c))
	$(Q)$(CC) $(ALL_CFLAGS) -c $(wildcard chapters/chapter$(1)_*.c) -o $(BUILD)/obj/chapters/chapter$(1).o
	$(Q)$(CC) $(SANFLAGS) $(BUILD)/obj/chapters/chapter$(1).o $(LIB) $(LDLIBS) -o $$@

chapter$(1): $(BUILD)/chapter$(1)
	@./$(BUILD)/chapter$(1) $(ARGS)
endef
$(foreach n,$(CHAPTER_NUMS),$(eval $(call chapter_rule,$(n))))

chapters: $(CHAPTERS)
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n $(ARGS) || exit $$?; echo; done

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

$(BUILD)/tests/%.o: tests/%.c | ensure-check
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -DBUILD_DIR='"$(BUILD)"' \
	  -DCHAPTER_LIST='"$(CHAPTER_NUMS)"' -c $< -o $@

$(BUILD)/tests/run_tests.o: $(BUILD)/tests/suites.inc

$(BUILD)/run_tests: $(TEST_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(SANFLAGS) $(TEST_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS) -o $@

check: ensure-check $(CHAPTERS) $(BUILD)/run_tests
	@./$(BUILD)/run_tests

# ------------------------------------------------------------------ plots
# plots/chapterN.gp draws what build/chapterN writes with --plot.
PLOT_TERM    ?= png
PLOT_SCRIPTS := $(sort $(wildcard plots/chapter*.gp))

plots: $(CHAPTERS)
	@command -v gnuplot >/dev/null 2>&1 || { \
	  echo "error: gnuplot is not installed; run: sudo apt-get install gnuplot-nox" >&2; exit 1; }
	@mkdir -p plots/out/data
	@for gp in $(PLOT_SCRIPTS); do n=$$(basename $$gp .gp | sed 's/^chapter//'); \
	  ./$(BUILD)/chapter$$n --plot plots/out/data --format json > /dev/null || exit $$?; \
	  gnuplot -e "term='$(PLOT_TERM)'; data='plots/out/data'; out='plots/out'" $$gp || exit $$?; \
	done
	@[ "$(PLOT_TERM)" = dumb ] || ls plots/out/*.* 2>/dev/null | grep -v '/data' || true

# ------------------------------------------------------------------ golden outputs
golden: $(CHAPTERS)
	@mkdir -p tests/golden
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n --no-color > tests/golden/chapter$$n.txt; \
	  echo "tests/golden/chapter$$n.txt"; done

# ------------------------------------------------------------------ fuzzing
# Each tests/fuzz/fuzz_T.c is a libFuzzer target built with clang together
# with the src/ files it needs, then run for FUZZ_SECONDS on a copy of the
# committed seeds (tests/fuzz/corpus/T) in $(BUILD)/fuzz/corpus/T, so the
# inputs it discovers never land in the repository. A crash input is saved
# to $(BUILD)/fuzz/crashes/T/ and fails the target.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_FLAGS   := $(CSTD) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc
FUZZ_TARGETS := parse options
FUZZ_SRC_parse     := src/parse.c src/tensor.c
FUZZ_SRC_options   := src/options.c src/parse.c src/tensor.c
# Long enough for a 4097-entry row or 4097 rows of single digits.
FUZZ_MAXLEN_parse   := 16384
FUZZ_MAXLEN_options := 4096

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(SRC) $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	@echo "$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRC_$*) $(LDLIBS) -o $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRC_$*) $(LDLIBS) -o $@ || { \
	  echo "error: building fuzz_$* failed; if the message above is about -fsanitize=fuzzer" \
	       "or libclang_rt.fuzzer, run: sudo apt-get install clang libclang-rt-14-dev" >&2; exit 1; }

fuzz: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  corpus=$(FUZZ_DIR)/corpus/$$t; crashes=$(FUZZ_DIR)/crashes/$$t; log=$(FUZZ_DIR)/fuzz_$$t.log; \
	  mkdir -p $$corpus $$crashes && cp tests/fuzz/corpus/$$t/* $$corpus/ || exit 1; \
	  case $$t in parse) maxlen=$(FUZZ_MAXLEN_parse);; *) maxlen=$(FUZZ_MAXLEN_options);; esac; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s, log in $$log"; \
	  if ! ./$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen -timeout=10 \
	       -print_final_stats=1 -artifact_prefix=$$crashes/ $$corpus > $$log 2>&1; then \
	    tail -n 40 $$log >&2; \
	    echo "error: fuzz_$$t FOUND A CRASH; the input is in $$crashes/ (replay: ./$(FUZZ_DIR)/fuzz_$$t FILE)" >&2; \
	    exit 1; \
	  fi; \
	  grep -E 'stat::(number_of_executed_units|peak_rss_mb)|^Done' $$log; \
	done

# ------------------------------------------------------------------ valgrind
# Every built chapter with its defaults and a few generic options, plus each
# of its --bug names, under memcheck: any invalid access or leak fails.
# Status 0 or 1 (a check failed, as a bug should make it) is fine; a bad
# --bug name must exit 2 and still leak nothing.
VALGRIND      := valgrind --leak-check=full --error-exitcode=99 -q
VALGRIND_ARGS := '' '--format json' '--format latex' '--format markdown' '--no-color --seed 7' \
                 '--help' '--bug list' '--plot $(BUILD)/valgrind-plot --format json'

valgrind: $(CHAPTERS)
	@command -v valgrind >/dev/null 2>&1 || { \
	  echo "error: valgrind is not installed; run: sudo apt-get install valgrind" >&2; exit 1; }
	@[ "$(SANITIZE)" != 1 ] || { echo "error: valgrind cannot run SANITIZE=1 builds" >&2; exit 1; }
	@for n in $(CHAPTER_NUMS); do bin=./$(BUILD)/chapter$$n; \
	  bugs=$$($$bin --bug list | awk '{print $$1}'); \
	  for a in $(VALGRIND_ARGS) $$(for b in $$bugs; do echo "--bug=$$b"; done) --bug=no-such-bug; do \
	    $(VALGRIND) $$bin $$a > /dev/null 2> $(BUILD)/valgrind.err; st=$$?; \
	    case "$$st:$$a" in 0:*|1:*|2:--bug=no-such-bug) echo "valgrind chapter$$n $$a: ok";; \
	    *) cat $(BUILD)/valgrind.err >&2; \
	       echo "error: valgrind chapter$$n $$a: exit status $$st (99: memory error or leak)" >&2; exit 1;; \
	    esac; \
	  done; \
	done

# ------------------------------------------------------------------ bench
# bench/bench.c times chapter 6's network: the checks, a training step and a
# forward pass. Always -O2 without sanitizers, whatever OPT and SANITIZE say,
# so that the figures mean the same on every run.
BENCH_DIR := build/bench

bench:
	@mkdir -p $(BENCH_DIR)
	$(CC) $(CSTD) $(WARN) -O2 -Isrc bench/bench.c $(SRC) $(LDLIBS) -o $(BENCH_DIR)/bench
	@./$(BENCH_DIR)/bench

clean:
	rm -rf build plots/out

FORCE:

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/obj/chapters/*.d
