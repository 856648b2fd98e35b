# The preload library: libleak/*/*.c (one directory per place the code runs: alloc/, dump/,
# gate/, os/, core/, process/; docs/ARCHITECTURE.md), the contracts it shares with leakprof (common/*.c)
# and the generated protobuf-c code, linked against its dependencies so that
# LD_PRELOAD=build/libleak.so needs nothing else.
LIBLEAK_SRCS := $(wildcard libleak/*/*.c) $(COMMON_SRCS)
LIBLEAK_HDRS := $(wildcard libleak/*/*.h) $(COMMON_HDRS)
LIBLEAK_OBJS := $(patsubst %.c,$(BUILD)/libleak-obj/%.o,$(LIBLEAK_SRCS)) $(BUILD)/profile.pb-c.o
# Unit tests link the pure parts without the interposing entry points.
LIBLEAK_ENTRY_OBJS := $(addprefix $(BUILD)/libleak-obj/libleak/,alloc/hooks.o process/lifecycle.o process/deepbind.o process/attach.o gate/exit_status.o gate/gate.o gate/check.o)
LIBLEAK_UNIT_OBJS := $(filter-out $(LIBLEAK_ENTRY_OBJS),$(LIBLEAK_OBJS))
LIBLEAK_LIBS := -lunwind -ldw -lelf -lprotobuf-c -lz -lpthread -ldl -lm
# Headers are included by their place: "alloc/live.h", "common/hash.h".
LIBLEAK_INCLUDES := -Ilibleak -I.

# initial-exec TLS: general-dynamic TLS may call malloc from __tls_get_addr inside our hooks.
$(BUILD)/libleak-obj/%.o: %.c $(LIBLEAK_HDRS) include/libleak.h $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) $(LIBLEAK_INCLUDES) -fPIC -fvisibility=hidden -ftls-model=initial-exec -c -o $@ $<

# operator new may throw std::bad_alloc through cxx_hooks.c's frames, whose cleanup must run.
$(BUILD)/libleak-obj/libleak/alloc/cxx_hooks.o: CFLAGS_OURS += -fexceptions

$(BUILD)/libleak.so: $(LIBLEAK_OBJS) libleak/exports.map
	$(CC) -shared -o $@ $(LIBLEAK_OBJS) -Wl,--version-script=libleak/exports.map \
	      -Wl,-z,nodelete -Wl,-z,now $(LIBLEAK_LIBS)
