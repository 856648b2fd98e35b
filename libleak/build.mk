# The preload library: every libleak/*.c plus the generated protobuf-c code, linked against
# its dependencies so that LD_PRELOAD=build/libleak.so needs nothing else.
LIBLEAK_SRCS := $(wildcard libleak/*.c)
LIBLEAK_OBJS := $(patsubst libleak/%.c,$(BUILD)/libleak-obj/%.o,$(LIBLEAK_SRCS)) $(BUILD)/profile.pb-c.o
# Unit tests link the pure parts without the interposing entry points.
LIBLEAK_UNIT_OBJS := $(filter-out $(BUILD)/libleak-obj/hooks.o $(BUILD)/libleak-obj/lifecycle.o $(BUILD)/libleak-obj/leakcheck.o,$(LIBLEAK_OBJS))
LIBLEAK_LIBS := -lunwind -ldw -lelf -lprotobuf-c -lz -lpthread -ldl -lm

# initial-exec TLS: general-dynamic TLS may call malloc from __tls_get_addr inside our hooks.
$(BUILD)/libleak-obj/%.o: libleak/%.c $(wildcard libleak/*.h) include/libleak.h $(GEN)/proto/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) -fPIC -fvisibility=hidden -ftls-model=initial-exec -c -o $@ $<

# operator new may throw std::bad_alloc through cxx_hooks.c's frames, whose cleanup must run.
$(BUILD)/libleak-obj/cxx_hooks.o: CFLAGS_OURS += -fexceptions

$(BUILD)/libleak.so: $(LIBLEAK_OBJS) libleak/exports.map
	$(CC) -shared -o $@ $(LIBLEAK_OBJS) -Wl,--version-script=libleak/exports.map \
	      -Wl,-z,nodelete -Wl,-z,now $(LIBLEAK_LIBS)
