# Benchmarks: `make bench` (the full table of docs/PERFORMANCE.md, at most 15 minutes on two
# cores) and `make bench-quick` (the same rows with two repetitions and an eighth of the work, under
# two minutes). Neither is part of `make test`: timings on a shared CI machine prove nothing.
#
# The workloads are built -O2 like a real program, with frame pointers so that an unwinder that
# walks them is measured on the same terms as one that reads .eh_frame.
BENCH_DIR   := $(BUILD)/bench
BENCH_PROGS := $(addprefix $(BENCH_DIR)/,churn threads realloc hold stacks longrun redump bigheap check_pause)
BENCH_CFLAGS := -std=gnu11 -O2 -g -fno-omit-frame-pointer -D_GNU_SOURCE $(WARN) -Iinclude

.PHONY: bench bench-quick bench-programs
bench-programs: $(BENCH_PROGS) $(BENCH_DIR)/floor.so

$(BENCH_DIR)/%: tests/bench/%.c tests/bench/bench.h include/libleak.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread

# stacks: every frame must stay a frame (see stacks.c), so no inlining and no sibling calls.
$(BENCH_DIR)/stacks: tests/bench/stacks.c tests/bench/bench.h include/libleak.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -O1 -fno-inline -fno-optimize-sibling-calls -o $@ $<

# redump: the same, so that new call sites are new return addresses.
$(BENCH_DIR)/redump: tests/bench/redump.c tests/bench/bench.h include/libleak.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -O1 -fno-inline -fno-optimize-sibling-calls -o $@ $<

# The floor shim: initial-exec TLS for the same reason as the library's.
$(BENCH_DIR)/floor.so: tests/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -fPIC -shared -fvisibility=hidden -ftls-model=initial-exec \
	      -D_GNU_SOURCE $(WARN) -o $@ $< -ldl

# Only the library and the programs: the benchmark needs nothing else that `all` builds.
bench:
	@$(DEPS) --install build bench
	@$(MAKE) --no-print-directory $(BUILD)/libleak.so bench-programs
	@python3 tests/bench/run.py --full

bench-quick:
	@$(DEPS) --install build bench
	@$(MAKE) --no-print-directory $(BUILD)/libleak.so bench-programs
	@python3 tests/bench/run.py --quick

# The leak gate's classification alone on 10^6 live blocks (links the library's objects, like
# the unit tests).
.PHONY: bench-reach
bench-reach: $(BENCH_DIR)/reach
	@$(BENCH_DIR)/reach 1000000

$(BENCH_DIR)/reach: tests/bench/reach.c $(LIBLEAK_UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) $(LIBLEAK_INCLUDES) -o $@ $< $(LIBLEAK_UNIT_OBJS) $(LIBLEAK_LIBS)

# A short-lived process alone (issue 19): echo 200 times bare, at the default rate and in exact
# mode, in turns; the median of each and its ratio to bare.
.PHONY: bench-short
bench-short: $(BUILD)/libleak.so
	@python3 tests/bench/run.py --short 200
