#!/bin/bash
# examples/demo.sh — what `make demo` runs once everything is built.
#
# Runs examples/leaky_server under libleak, takes snapshots with `kill -USR2` while it serves,
# stops it, and shows what grew between the first and the last snapshot: the leaking function,
# remember_request, comes out on top. Writes the series as one HTML report, DEMO_OUT/report.html. Reads the profiles with build/leakprof, or with
# `go tool pprof` when leakprof is not usable.
#
# Settings (environment):
#   DEMO_OUT        where the profiles go (default build/demo, emptied first)
#   DEMO_SNAPSHOTS  how many snapshots (default 4)
#   DEMO_INTERVAL   seconds between snapshots (default 1)
#   DEMO_READER     auto (default), leakprof or go: which reader shows the results
#   DEMO_LIBLEAK    the library to preload (default build/libleak.so; the tests swap it)
set -euo pipefail
export LC_ALL=C   # numbers with a decimal point, whatever the user's locale

root=$(cd "$(dirname "$0")/.." && pwd)
lib=${DEMO_LIBLEAK:-$root/build/libleak.so}
server=$root/build/examples/leaky_server
leakprof=$root/build/leakprof
out=${DEMO_OUT:-$root/build/demo}
snapshots=${DEMO_SNAPSHOTS:-4}
interval=${DEMO_INTERVAL:-1}
reader=${DEMO_READER:-auto}

die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
heading() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] || heading() { printf '\n== %s\n' "$*"; }
# Paths as the user typed them from the top of the repository.
show() { local p=$1; printf '%s' "${p#"$root"/}"; }

[ -f "$lib" ] || die "$(show "$lib") is missing: run 'make demo' (or 'make') first"
[ -x "$server" ] || die "$(show "$server") is missing: run 'make examples' first"
case $snapshots in '' | *[!0-9]* | 0 | 1) die "DEMO_SNAPSHOTS must be a number >= 2" ;; esac
case $reader in auto | leakprof | go) ;; *) die "DEMO_READER must be auto, leakprof or go" ;; esac

# The user's own LIBLEAK_* settings (a rate of 0, another signal) would change what the demo
# shows: start from the library's defaults.
for var in $(compgen -e); do
  case $var in LIBLEAK_*) unset "$var" ;; esac
done

mkdir -p "$out"
rm -f "$out"/leaky_server.* "$out"/.leaky_server.* "$out"/leakprof.err "$out"/pprof.err "$out"/report.html
log=$out/leaky_server.log

pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
profiles() { compgen -G "$out/leaky_server.*.heap.pb.gz" | sort || true; }
count_profiles() { profiles | grep -c . || true; }
# Returns while the server runs; once it has stopped, says how and gives up.
check_server() {
  kill -0 "$pid" 2>/dev/null && return 0
  local status=0
  wait "$pid" 2>/dev/null || status=$?
  pid=
  [ "$status" -gt 128 ] && status="killed by signal $((status - 128))" || status="exit status $status"
  die "leaky_server stopped unexpectedly ($status); its output is in $(show "$log"):
$(tail -n 5 "$log" 2>/dev/null | sed 's/^/    /')"
}

echo "libleak demo: a server that keeps a 10 000-byte copy of every request on a list nobody"
echo "trims. We run it under libleak, snapshot its heap every ${interval}s, and ask what grew."

heading "Running build/examples/leaky_server with LD_PRELOAD=$(show "$lib")"
LIBLEAK_OUT="$out/leaky_server.%n.heap.pb.gz" LIBLEAK_SIGNAL=USR2 LD_PRELOAD="$lib" \
  "$server" -t 120 >"$log" 2>&1 &
pid=$!
start_time=$(date +%s.%N)

# Signal only once main() runs: the library installs its SIGUSR2 handler before that, and
# SIGUSR2's default action would kill the server.
for _ in $(seq 50); do
  grep -q 'serving' "$log" 2>/dev/null && break
  check_server
  sleep 0.1
done
grep -q 'serving' "$log" || die "leaky_server did not start within 5 s; see $(show "$log")"
sleep 0.5

for i in $(seq "$snapshots"); do
  [ "$i" = 1 ] || sleep "$interval"
  kill -USR2 "$pid" 2>/dev/null || check_server
  for _ in $(seq 100); do
    [ "$(count_profiles)" -ge "$i" ] && break
    check_server
    sleep 0.1
  done
  [ "$(count_profiles)" -ge "$i" ] ||
    die "libleak wrote no profile into $(show "$out") within 10 s of 'kill -USR2 $pid'.
    Is $(show "$lib") working? The server's output (libleak's messages go there too):
$(tail -n 5 "$log" | sed 's/^/    /')"
  now=$(date +%s.%N)
  [ "$i" = 1 ] && first_time=$now
  printf '%s %d at %.1fs' "$([ "$i" = 1 ] && echo "snapshots (kill -USR2 $pid):" || echo ",")" \
    "$i" "$(seconds_between "$start_time" "$now")"
done
echo
span=$(printf '%.1f' "$(seconds_between "$first_time" "$now")")

# Stop the server: it exits normally, and libleak writes one more profile at exit.
kill -TERM "$pid" 2>/dev/null || check_server
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || die "leaky_server exited with status $status; see $(show "$log")"
grep -v 'serving' "$log" | sed 's/^/  /' || true

mapfile -t files < <(profiles)
[ "${#files[@]}" -ge "$snapshots" ] || die "expected $snapshots profiles in $(show "$out"), found ${#files[@]}"
first=${files[0]}
last=${files[$((snapshots - 1))]}
at_exit=
[ "${#files[@]}" -gt "$snapshots" ] && at_exit=${files[$snapshots]}

# go tool pprof, offline and hermetic: nothing from the user's Go setup, no network.
gopprof() {
  local home=$out/.gohome
  mkdir -p "$home"
  HOME=$home GOCACHE=$home/cache PPROF_TMPDIR=$home/pprof GOFLAGS='' GOPROXY=off \
    go tool pprof "$@"
}

# A report without what a newcomer does not need here: pprof-style readers print the file
# name, build ID and the profiles' comments (libleak's counters) before "Type:", then the time.
# Whole stacks are left to the growth section, and paths are shown relative to the repository.
trim_report() {
  awk '/^File:/ { skip = 1 } /^Type:/ { skip = 0 } /^Stacks that grew most/ { exit }
       skip || /^(Time|Duration):/ { next }
       /^$/ { blanks++; next }                      # blank lines only between two others
       { for (; blanks > 0; blanks--) print ""; print }' | sed "s|$root/||g" | head -n "$1"
}

# total_in_use READER FILE: the "of X total" of a top report (READER: leakprof or go).
total_in_use() {
  local report
  if [ "$1" = leakprof ]; then
    report=$("$leakprof" top -n 1 "$2" 2>/dev/null) || return 0
  else
    report=$(gopprof -top -nodecount=1 "$2" 2>/dev/null) || return 0
  fi
  sed -n 's/^Showing nodes accounting for .* of \(.*\) total.*/\1/p' <<<"$report" | head -n 1
}

# in_use_series READER: one line with the total in use at each snapshot.
in_use_series() {
  local file total series=""
  for file in "${files[@]:0:$snapshots}"; do
    total=$(total_in_use "$1" "$file")
    [ -n "$total" ] || return 0
    series="${series:+$series -> }$total"
  done
  echo "Total in use at the $snapshots snapshots: $series"
}

# The first table row after the column header: "flat flat% sum% cum cum% name".
top_row() { awk 'header && NF >= 6 { print; exit } /flat%/ { header = 1 }'; }

# Prints the name of the function at the top of a pprof-style table, and a sentence about it.
explain_top() {
  local row name flat
  row=$(printf '%s\n' "$1" | top_row)
  [ -n "$row" ] || return 0
  flat=$(awk '{ print $1 }' <<<"$row")
  name=$(awk '{ for (i = 6; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }' <<<"$row")
  echo
  if [ "$name" = remember_request ]; then
    echo "-> remember_request holds $flat more than ${span}s earlier: that is the leak"
    echo "   (examples/leaky_server.c: it appends to a list that is never trimmed)."
  else
    echo "-> top of the list: $name ($flat)"
  fi
}

leakprof_works=no
[ -x "$leakprof" ] || echo "$(show "$leakprof") is not built" >"$out/leakprof.err"
if [ "$reader" != go ] && [ -x "$leakprof" ] && diff_out=$("$leakprof" diff -n 5 "$first" "$last" 2>"$out/leakprof.err") &&
   [ -n "$diff_out" ]; then
  leakprof_works=yes
elif [ "$reader" = leakprof ]; then
  die "build/leakprof diff failed: $(head -n 3 "$out/leakprof.err")"
fi
go_works=no
if [ "$leakprof_works" = no ] && command -v go >/dev/null 2>&1 &&
   diff_out=$(gopprof -top -nodecount=5 -base "$first" "$last" 2>"$out/pprof.err") &&
   [ -n "$diff_out" ]; then
  go_works=yes
fi

heading "What grew between the first and the last snapshot (in-use bytes, last minus first)"
if [ "$leakprof_works" = yes ]; then
  echo "\$ build/leakprof diff -n 5 $(show "$first") $(show "$last")"
  printf '%s\n' "$diff_out" | trim_report 16
  explain_top "$diff_out"

  heading "Which stacks grew at every step (all $snapshots snapshots)"
  echo "\$ build/leakprof growth -n 3 $(show "$out")/leaky_server.{$(basename "$first" | cut -d. -f2)..$(basename "$last" | cut -d. -f2)}.heap.pb.gz"
  growth_status=0
  growth_out=$("$leakprof" growth -n 3 "${files[@]:0:$snapshots}" 2>&1) || growth_status=$?
  if [ "$growth_status" = 0 ] && [ -n "$growth_out" ]; then
    printf '%s\n' "$growth_out" | trim_report 17
  else
    echo "(leakprof growth is not usable yet: exit status $growth_status${growth_out:+, \"$(head -n 1 <<<"$growth_out")\"})"
    in_use_series leakprof
  fi
elif [ "$go_works" = yes ]; then
  [ "$reader" = go ] ||
    echo "(leakprof is not usable yet: \"$(head -n 1 "$out/leakprof.err" 2>/dev/null)\"; reading with go tool pprof)"
  echo "\$ go tool pprof -top -nodecount=5 -base $(show "$first") $(show "$last")"
  # From "Type:" on: pprof first prints the file name, build ID and both files' comments.
  printf '%s\n' "$diff_out" | trim_report 12
  in_use_series go
  explain_top "$diff_out"
else
  echo "Neither build/leakprof nor 'go tool pprof' could read the profiles:"
  echo "  leakprof: $(head -n 1 "$out/leakprof.err" 2>/dev/null || echo 'not tried')"
  if command -v go >/dev/null 2>&1; then
    echo "  go tool pprof: $(head -n 1 "$out/pprof.err" 2>/dev/null || echo 'not tried')"
  else
    echo "  go tool pprof: 'go' is not installed (Debian: apt-get install golang-go)"
  fi
  echo "The profiles are still there; the commands below show how to read them."
  demo_status=1
fi

# The same series as one HTML page: flame graph, timeline, the growth ranking.
report=$out/report.html
if [ "$leakprof_works" = yes ] &&
   "$leakprof" html -o "$report" "${files[@]:0:$snapshots}" 2>"$out/leakprof.err"; then
  heading "The report to open in a browser (offline, one file)"
  echo "\$ build/leakprof html -o $(show "$report") $(show "$out")/leaky_server.{$(basename "$first" | cut -d. -f2)..$(basename "$last" | cut -d. -f2)}.heap.pb.gz"
  echo "Open it in any browser: a flame graph, the timeline of the snapshots and the growth"
  echo "ranking; click a suspect's row to see its stack.  file://$report"
fi

heading "Explore further"
echo "Profiles in $(show "$out")/: $(basename "$first") .. $(basename "$last") (snapshots ${interval}s apart)${at_exit:+,}"
[ -z "$at_exit" ] || echo "  and $(basename "$at_exit") (written at exit)."
command_line() { printf '  %-62s # %s\n' "$1" "$2"; }
command_line "build/leakprof top $(show "$last")" "who holds memory now"
command_line "build/leakprof traces $(show "$last")" "the same, with whole stacks"
command_line "go tool pprof -top $(show "$last")" "the same, read by Go's pprof"
command_line "go tool pprof -http=: $(show "$last")" "graphs, flame graph, source"
echo "Next: examples/growing_cache.c grows too, but is not a leak (see README.md)."
exit "${demo_status:-0}"
