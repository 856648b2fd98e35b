# leakprof, the reader (tools/leakprof/: model/ reads and checks profiles, reports/ turns them
# into what commands print, commands/ has one file per command, html/ the report page's
# sources). Plain C, linked against protobuf-c and zlib, with the contracts of common/.
#
#   make build/leakprof        the reader
#   make fuzz                  the decoder fuzz target, build/fuzz/leakprof_fuzz (clang,
#                              libFuzzer + AddressSanitizer + UBSan); run it with
#                              tools/leakprof/fuzz/run.sh
#   make leakprof-fixtures     the generator of the hand-built test profiles
#   make leakprof-sanitize     build/sanitize/leakprof, under ASan, LSan and UBSan (gcc;
#                              SANITIZE_CC=clang), for tests/cases/sanitize_leakprof.sh
LEAKPROF_SRCS := $(wildcard tools/leakprof/model/*.c tools/leakprof/reports/*.c tools/leakprof/commands/*.c) $(COMMON_SRCS)
LEAKPROF_HDRS := $(wildcard tools/leakprof/*/*.h) $(COMMON_HDRS)
LEAKPROF_MAIN := tools/leakprof/commands/main.c
LEAKPROF_OBJS := $(patsubst %.c,$(BUILD)/leakprof-obj/%.o,$(LEAKPROF_SRCS))
# libdw and libelf name the frames a profile left unnamed (model/symbolize.c); libdebuginfod
# is loaded with dlopen, only when DEBUGINFOD_URLS asks for it.
LEAKPROF_LIBS := -lprotobuf-c -lz -lm -ldw -lelf -ldl
# Headers are included by their place: "model/profile_model.h", "common/hash.h".
LEAKPROF_INCLUDES := -Itools/leakprof -I.
# Everything but main(): the fuzz target and the fixture generator link these.
LEAKPROF_LIB_OBJS := $(filter-out $(BUILD)/leakprof-obj/$(LEAKPROF_MAIN:.c=.o),$(LEAKPROF_OBJS)) $(BUILD)/leakprof-obj/html_assets.o

$(BUILD)/leakprof-obj/%.o: %.c $(LEAKPROF_HDRS) $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) $(LEAKPROF_INCLUDES) -c -o $@ $<

$(BUILD)/leakprof: $(LEAKPROF_OBJS) $(BUILD)/leakprof-obj/html_assets.o $(BUILD)/profile.pb-c.o
	$(CC) -o $@ $^ $(LEAKPROF_LIBS)

# `leakprof html`'s page: hand-written files under tools/leakprof/html/, turned into C byte
# arrays at build time by a small generator (html/embed.c) and linked in. The page's script
# is its scripts joined in this order (html/data.js tells what each does), inside one
# function so that nothing they declare becomes a global of the page.
LEAKPROF_HTML_SCRIPTS := $(addprefix tools/leakprof/html/,data.js format.js flame.js series.js facts.js start.js)
LEAKPROF_HTML_FILES := report_html tools/leakprof/html/report.html \
                       report_css tools/leakprof/html/report.css \
                       report_js $(GEN)/leakprof_report.js
$(GEN)/leakprof_report.js: $(LEAKPROF_HTML_SCRIPTS)
	@mkdir -p $(dir $@)
	{ printf "'use strict';\n(function () {\n"; cat $^; printf '})();\n'; } >$@
$(BUILD)/leakprof-embed: tools/leakprof/html/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) -o $@ $<
$(GEN)/leakprof_html_assets.c: $(BUILD)/leakprof-embed $(filter-out report_%,$(LEAKPROF_HTML_FILES))
	@mkdir -p $(dir $@)
	$(BUILD)/leakprof-embed $@ $(LEAKPROF_HTML_FILES)
$(BUILD)/leakprof-obj/html_assets.o: $(GEN)/leakprof_html_assets.c
	$(CC) $(CFLAGS_OURS) -c -o $@ $<

# The generator of tests/fixtures/edge/*.pb (hand-built edge cases); not part of `all`:
# its outputs are committed. tools/leakprof/fixtures/make_edge_profiles.sh runs it.
$(BUILD)/leakprof-make-edge-profiles: tools/leakprof/fixtures/make_edge_profiles.c $(BUILD)/profile.pb-c.o
	$(CC) $(CFLAGS_OURS) -o $@ $^ $(LEAKPROF_LIBS)
.PHONY: leakprof-fixtures
leakprof-fixtures: $(BUILD)/leakprof-make-edge-profiles

# The fuzz target: the decoder and every command under ASan and UBSan.
FUZZ_CC     ?= clang
FUZZ_FLAGS  := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -D_GNU_SOURCE -Iinclude -I$(GEN) $(LEAKPROF_INCLUDES)
FUZZ_SRCS   := tools/leakprof/fuzz/fuzz_decode.c $(filter-out $(LEAKPROF_MAIN),$(LEAKPROF_SRCS)) \
               $(GEN)/leakprof_html_assets.c
fuzz: $(BUILD)/fuzz/leakprof_fuzz
$(BUILD)/fuzz/leakprof_fuzz: $(FUZZ_SRCS) $(LEAKPROF_HDRS) $(GEN)/proto/profile.pb-c.c $(GEN)/proto/profile.pb-c.h
	@$(DEPS) --install fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRCS) $(GEN)/proto/profile.pb-c.c $(LEAKPROF_LIBS)

# leakprof under AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer, apart
# from the normal build: tests/cases/sanitize_leakprof.sh builds it and runs every command
# over every fixture. gcc by default (libasan8, libubsan1); SANITIZE_CC=clang works too.
# float-cast-overflow is not part of gcc's "undefined" group: named so that a double too
# large for an int64 (the fuzzer's first find) is caught by either compiler.
SANITIZE_CC    ?= gcc
SANITIZE_FLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer \
                  -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
SANITIZE_OBJS  := $(patsubst %.c,$(BUILD)/sanitize/leakprof-obj/%.o,$(LEAKPROF_SRCS)) \
                  $(BUILD)/sanitize/leakprof-obj/html_assets.o $(BUILD)/sanitize/leakprof-obj/profile.pb-c.o
.PHONY: leakprof-sanitize
leakprof-sanitize: $(BUILD)/sanitize/leakprof
$(BUILD)/sanitize/leakprof-obj/%.o: %.c $(LEAKPROF_HDRS) $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(SANITIZE_CC) $(SANITIZE_FLAGS) -D_GNU_SOURCE -Iinclude -I$(GEN) $(LEAKPROF_INCLUDES) -c -o $@ $<
$(BUILD)/sanitize/leakprof-obj/html_assets.o: $(GEN)/leakprof_html_assets.c
	@mkdir -p $(dir $@)
	$(SANITIZE_CC) $(SANITIZE_FLAGS) -c -o $@ $<
$(BUILD)/sanitize/leakprof-obj/profile.pb-c.o: $(GEN)/proto/profile.pb-c.c $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(SANITIZE_CC) $(SANITIZE_FLAGS) -I$(GEN) -c -o $@ $<
$(BUILD)/sanitize/leakprof: $(SANITIZE_OBJS)
	$(SANITIZE_CC) -fsanitize=address,undefined,float-cast-overflow -o $@ $^ $(LEAKPROF_LIBS)
