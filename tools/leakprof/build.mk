# leakprof, the reader (tools/leakprof/). Plain C, linked against protobuf-c and zlib.
#
#   make build/leakprof        the reader
#   make fuzz                  the decoder fuzz target, build/fuzz/leakprof_fuzz (clang,
#                              libFuzzer + AddressSanitizer + UBSan); run it with
#                              tools/leakprof/fuzz/run.sh
#   make leakprof-fixtures     the generator of the hand-built test profiles
LEAKPROF_SRCS := $(wildcard tools/leakprof/*.c)
LEAKPROF_OBJS := $(patsubst tools/leakprof/%.c,$(BUILD)/leakprof-obj/%.o,$(LEAKPROF_SRCS))
LEAKPROF_LIBS := -lprotobuf-c -lz -lm
# Everything but main(): the fuzz target and the fixture generator link these.
LEAKPROF_LIB_OBJS := $(filter-out $(BUILD)/leakprof-obj/main.o,$(LEAKPROF_OBJS)) $(BUILD)/leakprof-obj/html_assets.o

$(BUILD)/leakprof-obj/%.o: tools/leakprof/%.c $(wildcard tools/leakprof/*.h) $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) -c -o $@ $<

$(BUILD)/leakprof: $(LEAKPROF_OBJS) $(BUILD)/leakprof-obj/html_assets.o $(BUILD)/profile.pb-c.o
	$(CC) -o $@ $^ $(LEAKPROF_LIBS)

# `leakprof html`'s page: hand-written files under tools/leakprof/html/, turned into C byte
# arrays at build time by a small generator (html/embed.c) and linked in.
LEAKPROF_HTML_FILES := report_html tools/leakprof/html/report.html \
                       report_css tools/leakprof/html/report.css \
                       report_js tools/leakprof/html/report.js
$(BUILD)/leakprof-embed: tools/leakprof/html/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) -o $@ $<
$(GEN)/leakprof_html_assets.c: $(BUILD)/leakprof-embed $(filter tools/%,$(LEAKPROF_HTML_FILES))
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
               -D_GNU_SOURCE -Iinclude -I$(GEN) -Itools/leakprof
FUZZ_SRCS   := tools/leakprof/fuzz/fuzz_decode.c $(filter-out tools/leakprof/main.c,$(LEAKPROF_SRCS)) \
               $(GEN)/leakprof_html_assets.c
fuzz: $(BUILD)/fuzz/leakprof_fuzz
$(BUILD)/fuzz/leakprof_fuzz: $(FUZZ_SRCS) $(wildcard tools/leakprof/*.h) $(GEN)/proto/profile.pb-c.c $(GEN)/proto/profile.pb-c.h
	@$(DEPS) --install fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRCS) $(GEN)/proto/profile.pb-c.c $(LEAKPROF_LIBS)
