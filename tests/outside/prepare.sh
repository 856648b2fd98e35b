#!/bin/bash
# Fetches an outside library's Debian source package and builds it, with its test suite, by its
# own build system at -g -O2, for tests/cases/gate_outside_suite.sh. Cached: built once under
# $BUILD/outside/, reused by later runs (`make clean` deletes it).
#
#   tests/outside/prepare.sh PACKAGE      (cjson)
#
# The source comes through APT from the suites this machine's own APT sources name, as deb-src,
# in a private configuration (APT_CONFIG=$BUILD/outside/apt/apt.conf: its own source list, lists
# and cache; /etc/apt is only read): the machine may have no deb-src entry at all. The version
# is pinned to Debian 12's; when that version has left the archive, the newest one the suites
# offer is taken and the script says so.
#
# On success prints the build directory; its files: version (the Debian version built),
# source (the extracted source tree), tests.tsv (one line per test of the suite: NAME, working
# directory, then the command's words, tab-separated), ready-2 (written last). Beside it, the
# same for a copy of the source with one injected leak: DIR-leaky (its patch: leak.diff).
# Exit 0 ready; 77 when the source cannot be had here (no network, no APT, no keyring, no
# dpkg-source): the last line of stderr says why; 1 when the build itself failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build}
pkg=${1:?usage: prepare.sh PACKAGE}

case $pkg in
cjson) pinned=1.7.15-1+deb12u4 ;;   # Debian 12's cjson (bookworm-security)
*) echo "prepare.sh: unknown package '$pkg'" >&2; exit 2 ;;
esac

top=$build/outside
out=$top/$pkg
unavailable() { echo "prepare.sh: $pkg: $*" >&2; exit 77; }
broken() { echo "prepare.sh: $pkg: $*" >&2; exit 1; }

mkdir -p "$top" || broken "cannot create $top"
# One preparation at a time (two test runs of one tree); the second waits, then finds it ready.
exec 9>"$top/.lock"
flock -w 900 9 || broken "another preparation holds $top/.lock"
# The stamp names what a preparation makes: a cache from an older prepare.sh is made anew.
stamp=ready-2
if [ -f "$out/$stamp" ]; then echo "$out"; exit 0; fi

for tool in apt-get apt-cache apt-config dpkg-source cmake ctest make cc python3 flock; do
    command -v $tool >/dev/null || unavailable "$tool is not installed (tools/deps.sh test installs dpkg-dev and cmake)"
done

# The private APT configuration: deb-src twins of the machine's own deb sources.
apt=$top/apt
rm -rf "$apt" && mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" || broken "cannot create $apt"
eval "$(apt-config shell SYS_LIST Dir::Etc::SourceList/f SYS_PARTS Dir::Etc::SourceParts/d STATUS Dir::State::status/f)"
: >"$apt/sources.list"
for f in ${SYS_LIST:-/etc/apt/sources.list} ${SYS_PARTS:-/etc/apt/sources.list.d/}*.list; do
    [ -f "$f" ] && sed -n -E 's/^[[:space:]]*deb(-src)?[[:space:]]+/deb-src /p' "$f"
done | sort -u >>"$apt/sources.list"
for f in ${SYS_PARTS:-/etc/apt/sources.list.d/}*.sources; do
    # deb822: every stanza gets Types: deb-src (its URIs, Suites, Components, Signed-By kept)
    [ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
done
grep -qs . "$apt/sources.list" "$apt"/sources.list.d/*.sources ||
    unavailable "this machine's APT configuration names no Debian source to take deb-src from"
cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Dir::State::status "${STATUS:-/var/lib/dpkg/status}";
Debug::NoLocking "true";
APT::Sandbox::User "$(id -un)";
Acquire::http::Timeout "30";
Acquire::https::Timeout "30";
Acquire::Retries "1";
EOF
export APT_CONFIG=$apt/apt.conf

# Network steps are bounded: a machine without network says no quickly or times out here.
timeout -k 5 180 apt-get -q --error-on=any update >"$apt/update.log" 2>&1 ||
    unavailable "apt-get update of the private deb-src lists failed: $(grep -E '^(E|W):' "$apt/update.log" | head -n 1)"
versions=$(apt-cache showsrc --only-source "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
[ -n "$versions" ] || unavailable "no source package '$pkg' in the deb-src lists ($(sed -n 's/^deb-src //p; s/^Suites: //p' "$apt/sources.list" "$apt"/sources.list.d/* | tr '\n' ';'))"
version=$pinned
if ! echo "$versions" | grep -qxF "$pinned"; then
    version=$(echo "$versions" | sort -V | tail -n 1)
    echo "prepare.sh: $pkg $pinned is no longer in the archive; taking $version" >&2
fi
src=$top/src-$pkg
rm -rf "$src" "$out" "$out-leaky" && mkdir -p "$src" || broken "cannot create $src"
(cd "$src" && timeout -k 5 300 apt-get -q source --download-only "$pkg=$version" >download.log 2>&1) ||
    unavailable "apt-get source $pkg=$version failed: $(grep -E '^(E|W):' "$src/download.log" | head -n 1)"
dsc=$(ls "$src"/*.dsc 2>/dev/null | head -n 1)
[ -n "$dsc" ] || unavailable "apt-get source $pkg=$version left no .dsc"
# Unpacked with Debian's patches applied, as Debian builds it.
dpkg-source --no-check -x "$dsc" "$src/tree" >"$src/extract.log" 2>&1 || broken "dpkg-source -x $dsc failed: $(tail -n 3 "$src/extract.log")"

# build_tree SOURCE BUILD_DIR: the library and its suite by its own build system, then ctest's
# list of the suite (name, working directory, command) in BUILD_DIR/tests.tsv.
build_tree() {
    local tree=$1 dir=$2
    mkdir -p "$dir" || broken "cannot create $dir"
    case $pkg in
    cjson)
        # CMake, as debian/rules runs it (build type None), at -g -O2; with cJSON_Utils, whose
        # three test programs belong to the suite too.
        cmake -S "$tree" -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-g -O2" \
            -DENABLE_CJSON_TEST=ON -DENABLE_CJSON_UTILS=ON >"$dir/configure.log" 2>&1 ||
            broken "cmake failed in $dir: $(tail -n 5 "$dir/configure.log")"
        make -C "$dir" -j2 >"$dir/build.log" 2>&1 || broken "the build failed in $dir: $(tail -n 10 "$dir/build.log")"
        ;;
    esac
    (cd "$dir" && ctest --show-only=json-v1) >"$dir/tests.json" 2>"$dir/ctest.err" || broken "ctest --show-only failed: $(cat "$dir/ctest.err")"
    python3 - "$dir/tests.json" >"$dir/tests.tsv" <<'PY' || broken "cannot read ctest's test list in $dir"
import json, sys
for test in json.load(open(sys.argv[1]))["tests"]:
    wd = [p["value"] for p in test.get("properties", []) if p["name"] == "WORKING_DIRECTORY"]
    print("\t".join([test["name"], wd[0] if wd else "."] + test["command"]))
PY
    ln -sfn "$tree" "$dir/source"
    echo "$version" >"$dir/version"
}

build_tree "$src/tree" "$out"

# The same suite on a leaking library: a copy of the source where one call site is gone, built
# the same way into $out-leaky (its patch in $out-leaky/leak.diff).
case $pkg in
cjson)
    # cJSON_Delete no longer deletes an item's children: every list of children it meets is
    # lost (a cycle: the first child's prev points to the last), and all they hold.
    cp -a "$src/tree" "$src/tree-leaky" || broken "cannot copy the source"
    sed -i '0,/^\( *\)cJSON_Delete(item->child);$/s//\1(void)0; \/* injected leak: the children are not deleted *\//' "$src/tree-leaky/cJSON.c"
    ;;
esac
(cd "$src" && diff -ru tree tree-leaky) >"$src/leak.diff"
[ "$(grep -c '^-[^-]' "$src/leak.diff")" = 1 ] || broken "the injected leak's patch does not apply to $version (one line changed expected): $(cat "$src/leak.diff")"
build_tree "$src/tree-leaky" "$out-leaky"
cp "$src/leak.diff" "$out-leaky/leak.diff"

echo "$version" >"$out/$stamp"
echo "$out"
