# The leak corpus (tests/leaks/*.c, *.cc -> build/tests/leaks/*): small programs with known
# leaks and known non-leaks, checked under the leak gate and memcheck by
# tests/cases/gate_vs_memcheck.sh. Built as test binaries are: -O0, -g, frame pointers, so
# that what a conservative scan finds depends on the source and not on the optimiser.
LEAK_CORPUS_SRCS := $(wildcard tests/leaks/*.c tests/leaks/*.cc)
LEAK_CORPUS      := $(sort $(patsubst tests/leaks/%,$(BUILD)/tests/leaks/%,$(basename $(LEAK_CORPUS_SRCS))))
LEAK_CORPUS_FLAGS := -O0 -g -fno-omit-frame-pointer -D_GNU_SOURCE $(WARN)


.PHONY: leak-corpus
leak-corpus: $(LEAK_CORPUS)
test-programs: leak-corpus

# interior_possible.c includes interior.c: every program depends on every source of the corpus.
$(BUILD)/tests/leaks/%: tests/leaks/%.c $(wildcard tests/leaks/*.h tests/leaks/*.c)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(LEAK_CORPUS_FLAGS) -o $@ $< -lpthread

$(BUILD)/tests/leaks/%: tests/leaks/%.cc tests/leaks/corpus.h
	@mkdir -p $(dir $@)
	$(CXX) -std=gnu++17 $(LEAK_CORPUS_FLAGS) -o $@ $< -lpthread

# deepbind_free dlopens a library of its own, built beside it from tests/leaks/plugins/.
$(BUILD)/tests/leaks/deepbind_free: $(BUILD)/tests/leaks/deepbind_free_plugin.so
$(BUILD)/tests/leaks/%.so: tests/leaks/plugins/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(LEAK_CORPUS_FLAGS) -shared -fPIC -o $@ $<
