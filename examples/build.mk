# Example programs: examples/*.c -> build/examples/*
EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLES     := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))
.PHONY: examples
examples: $(EXAMPLES)
$(BUILD)/examples/%: examples/%.c $(wildcard examples/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer $(WARN) -o $@ $< -lpthread

# The classic leaks, each run under the library and read with leakprof (examples/classic.sh).
.PHONY: example-thread-leak example-bloat example-fragmentation
example-thread-leak example-bloat example-fragmentation:
	@$(MAKE) --no-print-directory all examples
	@examples/classic.sh $(subst -,_,$(patsubst example-%,%,$@))
