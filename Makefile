# libleak — one entry point for everything a user or CI runs.
#
#   make            build build/libleak.so and build/leakprof
#   make demo       build, run examples/leaky_server under the library, show the finding
#   make test       the whole suite (unit tests, programs under the library, real peers)
#   make bench      the benchmark table of docs/PERFORMANCE.md (bench-quick: a short one)
#   make fuzz       the leakprof decoder fuzz target (clang, libFuzzer)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Each directory adds its own rules in a build.mk beside its sources; this file holds only
# what they share.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   := build
GEN     := $(BUILD)/gen
CC      ?= cc

# Our own code: warnings are errors. Frame pointers stay on so that the benchmarks can
# compare frame-pointer walking with libunwind on equal terms.
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS_OURS := -std=gnu11 $(CFLAGS) $(WARN) -fno-omit-frame-pointer -D_GNU_SOURCE \
               -Iinclude -I$(GEN)
# protoc-c's generated code is not ours: compile it without -Werror.
CFLAGS_GEN  := -std=gnu11 $(CFLAGS) -fPIC -I$(GEN)

DEPS := tools/deps.sh

.PHONY: all demo test bench bench-quick fuzz install uninstall clean check-deps
all: check-deps $(BUILD)/libleak.so $(BUILD)/leakprof

# Plain `make` only names missing packages; `make demo`/`make test` install them when run as root.
check-deps:
	@$(DEPS) build

$(BUILD) $(GEN) $(GEN)/proto:
	@mkdir -p $@

# profile.proto -> C, at build time.
$(GEN)/proto/profile.pb-c.c $(GEN)/proto/profile.pb-c.h: proto/profile.proto | $(GEN)/proto
	protoc-c --c_out=$(GEN) proto/profile.proto
$(BUILD)/profile.pb-c.o: $(GEN)/proto/profile.pb-c.c $(GEN)/proto/profile.pb-c.h
	$(CC) $(CFLAGS_GEN) -fvisibility=hidden -c -o $@ $<

include common/build.mk
include libleak/build.mk
include tools/leakprof/build.mk
include tools/launcher/build.mk
include examples/build.mk
include tests/build.mk
include tests/leaks/build.mk
include tests/bench/build.mk

demo:
	@$(DEPS) --install build demo
	@$(MAKE) --no-print-directory all examples
	@examples/demo.sh

test:
	@$(DEPS) --install build test
	@$(DEPS) --install browser || echo "libleak: no chromium here: the browser test (html_browser) will be skipped" >&2
	@$(MAKE) --no-print-directory all examples test-programs
	@# The outside suite's download and build (cached in build/outside/), outside the per-test
	@# time limit; where it cannot be had, gate_outside_suite skips and says why.
	@case gate_outside_suite in *"$(T)"*) tests/outside/prepare.sh cjson >/dev/null || true ;; esac
	@tests/run.sh $(T)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	           $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 0755 $(BUILD)/libleak.so $(DESTDIR)$(PREFIX)/lib/libleak.so
	install -m 0755 $(BUILD)/leakprof $(DESTDIR)$(PREFIX)/bin/leakprof
	install -m 0644 include/libleak.h $(DESTDIR)$(PREFIX)/include/libleak.h
	install -m 0644 docs/leakprof.1 $(DESTDIR)$(PREFIX)/share/man/man1/leakprof.1
	install -m 0644 docs/libleak.3 $(DESTDIR)$(PREFIX)/share/man/man3/libleak.3
	sed -e 's|@PREFIX@|$(PREFIX)|g' libleak/libleak.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libleak.pc
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libleak.so $(DESTDIR)$(PREFIX)/bin/leakprof \
	      $(DESTDIR)$(PREFIX)/include/libleak.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/libleak.pc \
	      $(DESTDIR)$(PREFIX)/share/man/man1/leakprof.1 $(DESTDIR)$(PREFIX)/share/man/man3/libleak.3

clean:
	rm -rf $(BUILD)
