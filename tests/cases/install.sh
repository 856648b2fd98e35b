#!/bin/bash
# make install honours PREFIX and DESTDIR and installs the library, header, reader, man pages
# and a pkg-config file that points at PREFIX.
. "$LIBLEAK_ROOT/tests/lib.sh"
dest=$TEST_TMP/root
make -s -C "$LIBLEAK_ROOT" install PREFIX=/opt/libleak DESTDIR="$dest" >install.log 2>&1 || { cat install.log; fail "make install failed"; }
for f in lib/libleak.so bin/leakprof include/libleak.h lib/pkgconfig/libleak.pc share/man/man1/leakprof.1 share/man/man3/libleak.3; do
  [ -f "$dest/opt/libleak/$f" ] || fail "not installed: $f"
done
[ -x "$dest/opt/libleak/bin/leakprof" ] || fail "leakprof is not executable"
cflags=$(PKG_CONFIG_PATH=$dest/opt/libleak/lib/pkgconfig pkg-config --cflags libleak | xargs)
assert_eq "-I/opt/libleak/include" "$cflags" "pkg-config --cflags"
# The installed library works on its own.
echo 'int main(void){return 0;}' > t.c && cc -o t t.c
LD_PRELOAD=$dest/opt/libleak/lib/libleak.so LIBLEAK_OUT="$TEST_TMP/p.%n.pb.gz" ./t || fail "installed library broke a program"
[ -f p.0001.pb.gz ] || fail "installed library wrote no exit profile"
make -s -C "$LIBLEAK_ROOT" uninstall PREFIX=/opt/libleak DESTDIR="$dest" >/dev/null 2>&1
[ ! -e "$dest/opt/libleak/lib/libleak.so" ] || fail "uninstall left the library"
