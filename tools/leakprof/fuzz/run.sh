#!/bin/sh
# Runs leakprof's fuzz target for SECONDS (default 600) on the fixtures as seeds.
#   tools/leakprof/fuzz/run.sh [SECONDS]            (from the top of the repository)
# Crashers land in build/fuzz/artifacts/; copy them into tests/fixtures/fuzz/, where
# tests/cases/leakprof_fuzz_regressions.sh replays every file.
set -eu
seconds=${1:-600}
make --no-print-directory fuzz
corpus=build/fuzz/corpus
mkdir -p "$corpus" build/fuzz/artifacts
for f in tests/fixtures/*.pb.gz tests/fixtures/edge/* tests/fixtures/fuzz/*; do
  [ -f "$f" ] || continue
  cp "$f" "$corpus/"
  # gunzipped seeds too: mutating gzip bytes mostly finds CRC errors
  case "$f" in *.gz) gzip -dc "$f" > "$corpus/$(basename "$f" .gz).raw" ;; esac
done
# -close_fd_mask=3: the target's error lines would drown libFuzzer's; crash reports still
# reach the terminal.
exec build/fuzz/leakprof_fuzz -max_total_time="$seconds" -close_fd_mask=3 -rss_limit_mb=2048 \
  -max_len=65536 -timeout=10 -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ "$corpus"
