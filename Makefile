# Gradient-checking workbook for backpropagation in CNNs.
#   make              build every chapter into build/chapterN
#   make chapterN     build and run chapter N (ARGS='...' passes options)
#   make chapters     run every chapter in order
#   make check        run the Check unit tests (installs Check if it can)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan
#   make plots        render every chapter's plots with gnuplot (PLOT_TERM=png|svg|dumb)
#   make golden       regenerate tests/golden/ after an intended output change
#   make fuzz         run the libFuzzer targets (FUZZ_SECONDS=N each)
#   make bench        time the gradient checks and training step (-O2)
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

.PHONY: all chapters check clean plots golden fuzz bench ensure-check $(addprefix chapter,$(CHAPTER_NUMS))
.DEFAULT_GOAL := all

all: $(CHAPTERS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

# One rule per chapter number: build/chapterN from chapters/chapterN_*.c.
define chapter_rule
$(BUILD)/chapter$(1): $(wildcard chapters/chapter$(1)_*.c) $(LIB)
	@mkdir -p $(BUILD)/obj/chapters
	$(CC) $(ALL_CFLAGS) -c $(wildcard chapters/chapter$(1)_*.c) -o $(BUILD)/obj/chapters/chapter$(1).o
	$(CC) $(SANFLAGS) $(BUILD)/obj/chapters/chapter$(1).o $(LIB) $(LDLIBS) -o $$@

chapter$(1): $(BUILD)/chapter$(1)
	@./$(BUILD)/chapter$(1) $(ARGS)
endef
$(foreach n,$(CHAPTER_NUMS),$(eval $(call chapter_rule,$(n))))

chapters: $(CHAPTERS)
	@for n in $(CHAPTER_NUMS); do ./$(BUILD)/chapter$$n $(ARGS) || exit $$?; echo; done

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
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -I$(BUILD)/tests -DBUILD_DIR='"$(BUILD)"' -c $< -o $@

$(BUILD)/tests/run_tests.o: $(BUILD)/tests/suites.inc

$(BUILD)/run_tests: $(TEST_OBJ) $(LIB)
	$(CC) $(SANFLAGS) $(TEST_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS) -o $@

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

clean:
	rm -rf build plots/out

FORCE:

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/obj/chapters/*.d
