#!/bin/bash
# go tool pprof reads every kind of profile libleak writes — a SIGUSR2 snapshot, the exit
# profile, a libleak_dump() file; exact mode and the default rate — with -top, -traces and -raw;
# the header fields are right (sample types, period_type, period, default sample type), the
# function names we write appear with -symbolize=none, -list shows source lines, and the totals
# agree with what the program allocated.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog snapshot_target rate_estimate; require_go

types='alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes'

# check_profile FILE PROGRAM PERIOD: pprof reads it every way; the header fields are those of a
# heap profile written for PROGRAM.
check_profile() {
  local f=$1 period=$3 mode
  for mode in -top -traces -raw; do
    gopprof $mode -symbolize=none "$f" >"$f$mode.txt" 2>"$f$mode.err" \
      || fail "go tool pprof $mode $f failed: $(head -c 400 "$f$mode.err")"
  done
  grep -q '^PeriodType: space bytes$' "$f-raw.txt" || fail "$f: period type: $(grep PeriodType "$f-raw.txt")"
  grep -q "^Period: $period\$" "$f-raw.txt" || fail "$f: expected Period: $period, got: $(grep '^Period:' "$f-raw.txt")"
  # -raw marks the default sample type with [dflt]; -top's Type: line is the default too.
  assert_eq "$types[dflt]" "$(raw_sample_types "$f-raw.txt")" "$f: sample types (inuse_space the default)"
  grep -q '^Type: inuse_space$' "$f-top.txt" || fail "$f: default sample type: $(grep '^Type' "$f-top.txt")"
  grep -q '^Time: ' "$f-raw.txt" || fail "$f: no time_nanos"
  grep -q '^Duration: ' "$f-raw.txt" || fail "$f: no duration_nanos"
  # The first mapping is the program, with its path and GNU build ID. An exit profile of a
  # process that sampled nothing has no samples and no mappings (libleak(3), LIBLEAK_AT_EXIT:
  # the module list is not read for it); pprof then shows one made-up 0x0 mapping.
  local first build_id sample_lines
  first=$(sed -n '/^Mappings/{n;p;q}' "$f-raw.txt")
  sample_lines=$(awk '/^Samples:/ { s = 1; getline; next } /^Locations/ { s = 0 } s && /^ *[0-9-].*: / { n++ } END { print n + 0 }' "$f-raw.txt")
  if [ "$sample_lines" = 0 ] && [[ "$first" == *" 0x0/0x0/0x0 "* || "$first" == *": 0x0/0x0/0x0" ]]; then
    echo "ok: $f: no samples and no mappings (the empty exit profile)"
  else
    build_id=$(readelf -n "$2" 2>/dev/null | sed -n 's/.*Build ID: *//p')
    assert_contains "$first" " $2 " "$f: the first mapping is the program"
    [ -z "$build_id" ] || assert_contains "$first" " $build_id" "$f: the program's build ID in its mapping"
  fi
  # Every mapping names its file with that file's GNU build ID.
  local id addresses path mapped_id real_id
  while read -r id addresses path mapped_id _; do
    [ -f "$path" ] || continue
    real_id=$(readelf -n "$path" 2>/dev/null | sed -n 's/.*Build ID: *//p' | head -n 1)
    [ -z "$real_id" ] || assert_eq "$real_id" "$mapped_id" "$f: build ID of mapping $id ($path)"
  done < <(sed -n '/^Mappings/,$p' "$f-raw.txt" | grep '^[0-9]*: 0x')
  # Every sample carries the numeric label bytes (the block size), as Go writes it (samples of
  # live blocks also carry age, which -raw prints first).
  local samples labels
  samples=$(awk '/^Samples:/ { s = 1; getline; next } /^Locations/ { s = 0 } s && /^ *[0-9-].*: / && !/bytes:/ { n++ } END { print n + 0 }' "$f-raw.txt")
  labels=$(awk '/^Samples:/ { s = 1; getline; next } /^Locations/ { s = 0 } s && /^ +(age:\[[^]]*\] )?bytes:\[[0-9]+\]/ { n++ } END { print n + 0 }' "$f-raw.txt")
  assert_eq "$samples" "$labels" "$f: samples with a bytes label"
  # One location per distinct return address.
  local repeated
  repeated=$(sed -n 's/^ *[0-9]*: \(0x[0-9a-f]*\) .*/\1/p' "$f-raw.txt" | sort | uniq -d | head -n 3)
  [ -z "$repeated" ] || fail "$f: addresses with more than one location: $repeated"
  # pprof's own total (-top -unit=B) equals the sum of the -raw samples.
  local total mine
  total=$(gopprof -top -unit=B -sample_index=inuse_space -symbolize=none "$f" 2>/dev/null \
          | sed -n 's/^Showing nodes accounting for .* of \([0-9]*\)B total.*/\1/p')
  set -- $(site_values "$f-raw.txt" "")
  mine=$4
  [ -z "$total" ] && total=0   # an empty profile prints no "Showing" line
  assert_eq "$mine" "$total" "$f: pprof's inuse_space total vs the sum of the -raw samples"
  echo "ok: $f reads with -top, -traces, -raw; period $period; inuse_space total $total"
}

# cum_bytes FILE FUNC INDEX: FUNC's cum column of `pprof -top -unit=B` (bytes, exact).
cum_bytes() {
  gopprof -top -unit=B -nodefraction=0 -nodecount=100000 -sample_index="$3" -symbolize=none "$1" 2>/dev/null \
    | awk -v fn="$2" '$6 == fn { sub(/B$/, "", $4); print $4; exit }'
}

# 1. Exact mode: SIGUSR2 snapshot and exit profile.
snapshot_and_exit 'exact.%n.pb.gz' LIBLEAK_RATE=1
files=(exact.*.pb.gz)
assert_eq 2 "${#files[@]}" "exact mode: profiles written (one SIGUSR2 snapshot, one at exit): ${files[*]}"
for f in "${files[@]}"; do
  check_profile "$f" "$TESTBIN/snapshot_target" 1
  grep -q keep_small "$f-top.txt" || fail "$f: keep_small not named in -top -symbolize=none"
  grep -q keep_small "$f-traces.txt" || fail "$f: keep_small not in -traces"
  check_expectations "$f-raw.txt" target.out truth
  assert_eq 100000 "$(cum_bytes "$f" keep_small inuse_space)" "$f: -top cum inuse_space of keep_small"
  assert_eq 524288 "$(cum_bytes "$f" keep_big alloc_space)" "$f: -top cum alloc_space of keep_big"
  # the numeric label bytes (block size) on keep_small's samples, as Go writes it
  grep -q 'bytes:\[100\]' "$f-raw.txt" || fail "$f: no 'bytes:[100]' label (keep_small's block size)"
done

# -list shows keep_small's source lines from the file/line info we wrote.
gopprof -list '^keep_small$' -symbolize=none -source_path="$LIBLEAK_ROOT" "${files[0]}" >list.txt 2>list.err \
  || fail "pprof -list keep_small failed: $(cat list.err)"
cat list.txt
grep -q 'ROUTINE =* keep_small in .*snapshot_target\.c' list.txt || fail "-list: no ROUTINE line for keep_small in snapshot_target.c"
grep -q 'small\[i\] = malloc(SMALL_SIZE);' list.txt || fail "-list: the source line of the malloc call is not shown"
grep -Eq '^ +[0-9.]+[kKMm]?B +[0-9.]+[kKMm]?B +[0-9]+: +small\[i\] = malloc' list.txt \
  || fail "-list: the malloc line does not carry keep_small's bytes"

# 2. Default rate: SIGUSR2 snapshot and exit profile.
snapshot_and_exit 'rate.%n.pb.gz'
files=(rate.*.pb.gz)
assert_eq 2 "${#files[@]}" "default rate: profiles written: ${files[*]}"
for f in "${files[@]}"; do check_profile "$f" "$TESTBIN/snapshot_target" 524288; done

# 3. A libleak_dump() file at the default rate, with a site of > 64 MiB: its total is near the truth.
timeout 60 env LIBLEAK_AT_EXIT=0 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/rate_estimate" >rate_estimate.out \
  || fail "rate_estimate failed under the library"
check_profile rate.pb.gz "$TESTBIN/rate_estimate" 524288
read -r _ _ _ truth <rate_estimate.out
got=$(cum_bytes rate.pb.gz keep_assorted inuse_space)
echo "keep_assorted: pprof -top cum $got, truth $truth"
assert_within "$truth" "$got" 35 "one run's inuse_space of keep_assorted (±35 %, ~4 sigma)"
