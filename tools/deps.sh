#!/bin/sh
# Checks the Debian packages a make target needs. With --install and root, installs the
# missing ones with apt-get; otherwise prints one line naming them and fails.
#   tools/deps.sh [--install] build|test|demo|bench|fuzz|browser ...
set -u
install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi

want=""
for target in "$@"; do
  case "$target" in
    build) want="$want make gcc pkg-config libunwind-dev zlib1g-dev libprotobuf-c-dev protobuf-c-compiler libdw-dev libelf-dev libdebuginfod-dev" ;;
    demo)  want="$want procps" ;;
    test)  want="$want golang-go valgrind procps libjemalloc2 libtcmalloc-minimal4 liblsan0 libasan8 libtsan2 libubsan1" ;;
    bench) want="$want valgrind procps time perl python3 libjemalloc2 libgoogle-perftools4 libtcmalloc-minimal4 heaptrack" ;;
    fuzz)  want="$want clang libclang-rt-14-dev" ;;
    # The browser test (tests/cases/html_browser.sh) drives Debian's chromium; best effort:
    # where it cannot be installed, that test is skipped and says why.
    browser) want="$want chromium" ;;
    *) echo "deps.sh: unknown target '$target'" >&2; exit 2 ;;
  esac
done
# The leak gate's proof: the leak corpus (C++ too) and its real programs
# (tests/gate_real_programs.sh) for test; LeakSanitizer preloaded, its peer, for bench.
case " $* " in *" test "*) want="$want g++ perl python3 sqlite3 xz-utils git" ;; esac
# An outside suite under the gate (tests/cases/gate_outside_suite.sh): cJSON's Debian source,
# unpacked by dpkg-source (dpkg-dev) and built by its own CMake.
case " $* " in *" test "*) want="$want dpkg-dev cmake" ;; esac
# Naming profiles elsewhere (tests/cases/symbolize_*.sh): a real debuginfod server, binutils.
case " $* " in *" test "*) want="$want debuginfod binutils" ;; esac
case " $* " in *" bench "*) want="$want liblsan0" ;; esac

missing=""
for pkg in $want; do
  case " $missing " in *" $pkg "*) continue ;; esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
  echo "libleak: installing missing packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq $missing >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    apt-get install -y -qq $missing >/dev/null || { echo "libleak: apt-get could not install:$missing" >&2; exit 1; }
  fi
  exit 0
fi
echo "libleak: missing Debian packages:$missing (as root: apt-get install$missing)" >&2
exit 1
