#!/bin/bash
# Bad input of every kind: exit status 2, exactly one line "leakprof: FILE: problem" on
# stderr, nothing on stdout, no crash, no hang, no unbounded memory.
. "$(dirname "$0")/../lib.sh"
. "$FIXTURES/lib/leakprof.sh"
cp "$FIXTURES/go_heap_4.pb.gz" good.pb.gz
ulimit -v 4000000 2>/dev/null || true     # 4 GB of address space: a runaway would fail

: >empty
bad_input empty "empty file, not a profile"
bad_input missing "cannot open: No such file or directory"
printf 'hello, this is not a profile\n' >garbage
bad_input garbage "not a gzip file and not a valid profile.proto message"
head -c 1000 good.pb.gz >truncated.gz
bad_input truncated.gz "truncated gzip data (the compressed stream ends early)"
printf '\037\213' >magic_only
bad_input magic_only "truncated gzip data (the compressed stream ends early)"
cp good.pb.gz corrupt.gz
printf '\377\377\377\377\377\377\377\377' | dd of=corrupt.gz bs=1 seek=3000 conv=notrunc 2>/dev/null
bad_input corrupt.gz "corrupt gzip data (zlib: invalid block type)"
cp good.pb.gz bad_crc.gz
size=$(stat -c %s bad_crc.gz)
printf '\000\000\000\000' | dd of=bad_crc.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
bad_input bad_crc.gz "corrupt gzip data (zlib: incorrect data check)"
gzip -dc good.pb.gz | head -c 5000 >truncated.pb
bad_input truncated.pb "not a gzip file and not a valid profile.proto message"
gzip -dc good.pb.gz | head -c 5000 | gzip >truncated_inside.gz
bad_input truncated_inside.gz "gunzipped data is not a valid profile.proto message"

# Length prefixes claiming 2^60 bytes: refused by protobuf-c before any allocation.
bad_input "$FIXTURES/edge/hostile_length.pb" "not a gzip file and not a valid profile.proto message"
bad_input "$FIXTURES/edge/hostile_packed.pb" "not a gzip file and not a valid profile.proto message"

# A zip bomb (3 MiB of zeros in 3 KiB) against a 2 MiB limit: counted, never held.
head -c 3145728 /dev/zero | gzip -9 >bomb.gz
LEAKPROF_MAX_INPUT_MB=2 bad_input bomb.gz \
  "decompressed size exceeds the 2 MiB limit (LEAKPROF_MAX_INPUT_MB), refusing to read it"
head -c 3145728 /dev/zero >big
LEAKPROF_MAX_INPUT_MB=2 bad_input big \
  "file larger than the 2 MiB limit (LEAKPROF_MAX_INPUT_MB), refusing to read it"
LEAKPROF_MAX_INPUT_MB=1 bad_input /dev/zero \
  "file larger than the 1 MiB limit (LEAKPROF_MAX_INPUT_MB), refusing to read it"
mkdir directory
bad_input directory "read error: Is a directory"
# 1 MB of empty Sample messages would take 40 MB decoded: over the 16x budget.
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "\022%c", 0 }' >amplified.pb
[ "$(stat -c %s amplified.pb)" = 2000000 ] || fail "amplified.pb is not 2000000 bytes"
bad_input amplified.pb "refusing to decode: the message would need more than 46 MiB of memory"

# Broken references, one per file (tools/leakprof/fixtures/make_edge_profiles.c).
E=$FIXTURES/edge
bad_input "$E/bad_string_index.pb" "function id 2: string index 9999 out of range (the string table has 12 entries)"
bad_input "$E/bad_negative_index.pb" "sample_type: string index -1 out of range (the string table has 12 entries)"
bad_input "$E/bad_location_id.pb" "sample 0 refers to location id 77, which does not exist"
bad_input "$E/bad_function_id.pb" "location id 2 refers to function id 42, which does not exist"
bad_input "$E/bad_mapping_id.pb" "location id 1 refers to mapping id 5, which does not exist"
bad_input "$E/bad_duplicate_id.pb" "duplicate location id 1"
bad_input "$E/bad_value_count.pb" "sample 0 has 3 values but the profile has 4 sample types"
bad_input "$E/bad_first_string.pb" "string_table[0] must be the empty string"

# Every command reports the same way.
for command in traces folded info check; do
  bad_input garbage "not a gzip file and not a valid profile.proto message" "$command"
done
status=0; "$LEAKPROF" diff good.pb.gz garbage >/dev/null 2>err || status=$?
assert_eq 2 "$status" "diff with a bad NEW"
assert_eq "leakprof: garbage: not a gzip file and not a valid profile.proto message" "$(cat err)" "diff message"
status=0; "$LEAKPROF" growth good.pb.gz good.pb.gz truncated.gz >/dev/null 2>err || status=$?
assert_eq 2 "$status" "growth with a bad snapshot"
assert_eq "leakprof: truncated.gz: truncated gzip data (the compressed stream ends early)" "$(cat err)" "growth message"
status=0; "$LEAKPROF" top --sample-index nosuch good.pb.gz >/dev/null 2>err || status=$?
assert_eq 2 "$status" "unknown sample type"
assert_eq "leakprof: good.pb.gz: no sample type 'nosuch' (the profile has: alloc_objects alloc_space inuse_objects inuse_space)" "$(cat err)" "sample type message"
