# Test programs (tests/programs/*.c -> build/tests/*) and unit tests
# (tests/unit/*.c -> build/tests/unit/*). Unit tests link the library's objects directly.
TEST_PROGRAM_SRCS := $(wildcard tests/programs/*.c)
TEST_PROGRAMS     := $(patsubst tests/programs/%.c,$(BUILD)/tests/%,$(TEST_PROGRAM_SRCS))
UNIT_SRCS         := $(wildcard tests/unit/*.c)
UNIT_TESTS        := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))

TEST_PLUGINS      := $(BUILD)/tests/libtwin_first.so $(BUILD)/tests/libtwin_second.so

.PHONY: test-programs
test-programs: $(TEST_PROGRAMS) $(UNIT_TESTS) $(TEST_PLUGINS)

# Libraries the test programs load: one source built under two names.
$(BUILD)/tests/libtwin_%.so: tests/programs/plugins/twin.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -fPIC -shared -DTWIN=twin_$* $(WARN) -o $@ $<

# Programs run under the library: built with -g and frame pointers, -O1 so that call sites
# stay where the source puts them.
$(BUILD)/tests/%: tests/programs/%.c tests/programs/site.h tests/programs/call_with_rbp.h tests/programs/distinct_stacks.h tests/programs/scrub_stack.h include/libleak.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -fno-inline -D_GNU_SOURCE $(WARN) -Wno-error=unused-result -Iinclude -o $@ $< -lpthread -ldl -lm

# Programs named nofp_*: built as distributions build most code, optimised and without frame
# pointers, to test that stacks through such code stay right.
$(BUILD)/tests/nofp_%: tests/programs/nofp_%.c tests/programs/site.h include/libleak.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -D_GNU_SOURCE $(WARN) -Iinclude -o $@ $< -lpthread -ldl -lm

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBLEAK_UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) $(LIBLEAK_INCLUDES) -o $@ $< $(LIBLEAK_UNIT_OBJS) $(LIBLEAK_LIBS)

# Shared libraries the test programs dlopen (tests/libraries/NAME.c -> build/tests/libNAME.so).
TEST_LIBRARY_SRCS := $(wildcard tests/libraries/*.c)
TEST_LIBRARIES    := $(patsubst tests/libraries/%.c,$(BUILD)/tests/lib%.so,$(TEST_LIBRARY_SRCS))
test-programs: $(TEST_LIBRARIES)
$(BUILD)/tests/lib%.so: tests/libraries/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fPIC -shared -D_GNU_SOURCE $(WARN) -o $@ $<

# The program and library of the symbolize_* tests (tests/programs/symbolize/): built as is
# and with -DOTHER (same names, other code and build ID: a wrong build at the right path).
SYMBOLIZE_TEST_BINS := $(foreach v,app app_other libsymbolize.so libsymbolize_other.so,$(BUILD)/tests/symbolize/$(v))
test-programs: $(SYMBOLIZE_TEST_BINS)
$(BUILD)/tests/symbolize/libsymbolize.so: tests/programs/symbolize/lib.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -fPIC -shared $(WARN) -o $@ $<
$(BUILD)/tests/symbolize/libsymbolize_other.so: tests/programs/symbolize/lib.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -fPIC -shared -DOTHER $(WARN) -o $@ $<
$(BUILD)/tests/symbolize/app: tests/programs/symbolize/app.c $(BUILD)/tests/symbolize/libsymbolize.so
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) -o $@ $< -L$(dir $@) -lsymbolize -Wl,-rpath,'$$ORIGIN'
$(BUILD)/tests/symbolize/app_other: tests/programs/symbolize/app.c $(BUILD)/tests/symbolize/libsymbolize.so
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -DOTHER $(WARN) -o $@ $< -L$(dir $@) -lsymbolize -Wl,-rpath,'$$ORIGIN'
