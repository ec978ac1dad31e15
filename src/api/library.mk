# ------------------------------------------------------------------ the checker as a library
# libgradcheck: the check layer (src/check/gradcheck.c) behind the public
# header include/gradcheck.h (src/api/). Included by the Makefile.
#   make lib                       build/libgradcheck.a and .so (soname libgradcheck.so.1)
#   make install PREFIX=… DESTDIR=…  header, both libraries, gradcheck.pc, man pages
#   make uninstall PREFIX=… DESTDIR=…
#   make test-lib                  install into a temporary prefix, build examples/ through
#                                  pkg-config, run them (the planted bug must fail)
GC_VERSION   := 1.0.0
GC_SONAME    := libgradcheck.so.1
# gradcheck.c takes its cbrt and friends from src/core/mathfn.c (the same
# bits on every platform), so the library carries mathfn too.
GC_SRC       := src/check/gradcheck.c src/core/mathfn.c $(sort $(wildcard src/api/*.c))
GC_PIC_OBJ   := $(patsubst src/%.c,$(BUILD)/pic/%.o,$(GC_SRC))
GC_STATIC    := $(BUILD)/libgradcheck.a
GC_SHARED    := $(BUILD)/libgradcheck.so.$(GC_VERSION)
GC_MAN       := $(sort $(wildcard docs/man/*.3))
# Each function's name is a man page too: a one-line .so link to the page
# of its group.
GC_MAN_LINKS := gc_check_layer:gc_check gc_options_default:gc_check gc_workspace_size:gc_check \
                gc_layer_workspace_size:gc_check gc_direction_workspace_size:gc_check_direction \
                gc_report_json:gc_report_text gc_verdict_string:gc_status_string
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR      ?=

.PHONY: lib install uninstall test-lib

$(BUILD)/pic/core/mathfn.o: ALL_CFLAGS += -ffp-contract=off

$(BUILD)/pic/%.o: src/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$< -fPIC)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

# One relocatable object whose only global symbols are the gc_ functions:
# the check layer's own names (compare_bounded, …) cannot clash with a
# program's.
$(BUILD)/pic/gradcheck_all.o: $(GC_PIC_OBJ)
	$(Q)$(LD) -r $^ -o $@
	$(Q)objcopy --localize-hidden $@

$(GC_STATIC): $(BUILD)/pic/gradcheck_all.o
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(GC_SHARED): $(GC_PIC_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(GC_SONAME) $^ -lm -o $@

# Rewritten whenever PREFIX, LIBDIR or INCLUDEDIR change (and only then).
$(BUILD)/gradcheck.pc: src/api/gradcheck.pc.in FORCE
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	  -e 's|@VERSION@|$(GC_VERSION)|g' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

lib: $(GC_STATIC) $(GC_SHARED) $(BUILD)/gradcheck.pc

install: lib
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3
	install -m 644 include/gradcheck.h $(DESTDIR)$(INCLUDEDIR)/gradcheck.h
	install -m 644 $(GC_STATIC) $(DESTDIR)$(LIBDIR)/libgradcheck.a
	install -m 755 $(GC_SHARED) $(DESTDIR)$(LIBDIR)/libgradcheck.so.$(GC_VERSION)
	ln -sf libgradcheck.so.$(GC_VERSION) $(DESTDIR)$(LIBDIR)/$(GC_SONAME)
	ln -sf $(GC_SONAME) $(DESTDIR)$(LIBDIR)/libgradcheck.so
	install -m 644 $(BUILD)/gradcheck.pc $(DESTDIR)$(PKGCONFIGDIR)/gradcheck.pc
	install -m 644 $(GC_MAN) $(DESTDIR)$(MANDIR)/man3/
	@for l in $(GC_MAN_LINKS); do \
	  echo ".so man3/$${l#*:}.3" > $(DESTDIR)$(MANDIR)/man3/$${l%%:*}.3 || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/gradcheck.h $(DESTDIR)$(LIBDIR)/libgradcheck.a \
	  $(DESTDIR)$(LIBDIR)/libgradcheck.so.$(GC_VERSION) $(DESTDIR)$(LIBDIR)/$(GC_SONAME) \
	  $(DESTDIR)$(LIBDIR)/libgradcheck.so $(DESTDIR)$(PKGCONFIGDIR)/gradcheck.pc \
	  $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(GC_MAN))) \
	  $(foreach l,$(GC_MAN_LINKS),$(DESTDIR)$(MANDIR)/man3/$(firstword $(subst :, ,$(l))).3)

test-lib:
	@sh tests/library.sh "$(CC)" "$(BUILD)"

# make bench also measures the library's cost on examples/layernorm: loss
# evaluations per 2P (P = the parameters checked), the budget being 2.5.
.PHONY: bench-lib
bench: bench-lib
bench-lib: $(GC_STATIC)
	@mkdir -p $(BENCH_DIR)
	$(CC) $(CSTD) $(WARN) -O2 -Iinclude examples/layernorm/layernorm.c \
	  $(GC_STATIC) -lm -o $(BENCH_DIR)/layernorm
	@printf 'libgradcheck, llm.c-style layernorm with local terms: '
	@./$(BENCH_DIR)/layernorm | tail -n 1
