# The wrapper build/libleak (tools/launcher/main.c): `libleak [--check] ... PROGRAM` runs a
# program with build/libleak.so preloaded. Part of `all`; `make install` puts it in
# PREFIX/bin and its man page in PREFIX/share/man/man1.
LIBLEAK_VERSION := $(shell sed -n 's/^Version: *//p' libleak/libleak.pc.in)

all: $(BUILD)/libleak

# Build trees from before the wrapper kept the library's objects in build/libleak/: such a
# directory is removed (FORCE makes the recipe run even though a directory looks up to date).
.PHONY: libleak-wrapper-force
# attach.c and inject.c: `libleak -p PID` (docs/ATTACH.md); they share libleak/process/attach.h.
LAUNCHER_SRCS := tools/launcher/main.c tools/launcher/attach.c tools/launcher/inject.c
$(BUILD)/libleak: $(LAUNCHER_SRCS) tools/launcher/attach.h tools/launcher/inject.h libleak/process/attach.h libleak/libleak.pc.in $(if $(wildcard $(BUILD)/libleak/.),libleak-wrapper-force)
	@if [ -d $@ ]; then rm -rf $@; fi
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_OURS) -Ilibleak -DLIBLEAK_VERSION='"$(LIBLEAK_VERSION)"' -o $@ $(LAUNCHER_SRCS)

.PHONY: install-wrapper uninstall-wrapper
install: install-wrapper
install-wrapper: $(BUILD)/libleak
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/libleak $(DESTDIR)$(PREFIX)/bin/libleak
	install -m 0644 docs/libleak.1 $(DESTDIR)$(PREFIX)/share/man/man1/libleak.1

uninstall: uninstall-wrapper
uninstall-wrapper:
	rm -f $(DESTDIR)$(PREFIX)/bin/libleak $(DESTDIR)$(PREFIX)/share/man/man1/libleak.1
