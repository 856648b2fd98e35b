#!/bin/bash
# At the default rate (512 KiB), the estimate of a site keeping > 64 MiB live in blocks of
# assorted sizes is within ±15 % of the truth, averaged over 5 runs (each run alone has a
# standard error near 6 %); the profile's period is the default rate. The same for the bytes
# allocated (and freed at once) by churn_assorted — whose in-use numbers must be exactly 0 in
# every run: a sampled block's free takes back exactly what its malloc added.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog rate_estimate; require_go

runs=5 sum_bytes=0 sum_objects=0 sum_churned=0
for run in $(seq $runs); do
  mkdir "run$run"
  (cd "run$run" && timeout 60 env -u LIBLEAK_RATE LD_PRELOAD="$LIBLEAK_SO" LIBLEAK_AT_EXIT=0 \
     "$TESTBIN/rate_estimate" >out.txt 2>err.txt)
  rc=$?
  cat "run$run/err.txt" >&2
  assert_eq 0 "$rc" "exit status of rate_estimate (run $run)"
  read -r _ _ true_objects true_bytes <"run$run/out.txt"
  pprof_raw "run$run/rate.pb.gz" "run$run/rate.raw"
  grep -q '^Period: 524288$' "run$run/rate.raw" \
    || fail "default period: expected 'Period: 524288', got '$(grep '^Period' "run$run/rate.raw")'"
  set -- $(site_values "run$run/rate.raw" keep_assorted)
  echo "run $run: keep_assorted inuse_space $4 (truth $true_bytes), inuse_objects $3 (truth $true_objects)"
  sum_bytes=$(awk -v a="$sum_bytes" -v b="$4" 'BEGIN { printf "%.0f", a + b }')
  sum_objects=$(awk -v a="$sum_objects" -v b="$3" 'BEGIN { printf "%.0f", a + b }')
  read -r _ _ churned_objects churned_bytes < <(grep '^churn ' "run$run/out.txt")
  set -- $(site_values "run$run/rate.raw" churn_assorted)
  echo "run $run: churn_assorted alloc_space $2 (truth $churned_bytes), in use $3 objects / $4 bytes"
  assert_eq "0 0" "$3 $4" "run $run: churn_assorted in use (every block was freed)"
  sum_churned=$(awk -v a="$sum_churned" -v b="$2" 'BEGIN { printf "%.0f", a + b }')
done
mean_bytes=$(awk -v s="$sum_bytes" -v n=$runs 'BEGIN { printf "%.0f", s / n }')
mean_objects=$(awk -v s="$sum_objects" -v n=$runs 'BEGIN { printf "%.0f", s / n }')
echo "mean inuse_space $mean_bytes, truth $true_bytes; mean inuse_objects $mean_objects, truth $true_objects"
assert_within "$true_bytes" "$mean_bytes" 15 "mean inuse_space of keep_assorted over $runs runs"
# Objects are dominated by the 64 B blocks, sampled ~32 times a run: a wider bound (~3.5 sigma).
assert_within "$true_objects" "$mean_objects" 30 "mean inuse_objects of keep_assorted over $runs runs"
mean_churned=$(awk -v s="$sum_churned" -v n=$runs 'BEGIN { printf "%.0f", s / n }')
echo "mean alloc_space of churn_assorted $mean_churned, truth $churned_bytes"
assert_within "$churned_bytes" "$mean_churned" 15 "mean alloc_space of churn_assorted over $runs runs"
