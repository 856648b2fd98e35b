#!/bin/bash
# leakprof html without a browser (tests/cases/html_browser.sh looks at what it draws): the file
# is self-contained (no script, style, font or image from elsewhere), stays under 2 MB for a
# profile of 16 384 stacks, keeps a hostile function name inside its JSON ("</script>" escaped),
# reads every edge-case fixture and Go's profiles, and fails cleanly on bad input and usage.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib
require_prog many_stacks

"$LEAKPROF" html --help >help.txt || fail "html --help: exit status $?"
assert_contains "$(cat help.txt)" "--base OLD" "html --help"
assert_contains "$("$LEAKPROF" --help)" "html " "leakprof --help lists html"

# Default name, in the current directory.
"$LEAKPROF" html "$FIXTURES/libleak_demo_4.pb.gz" 2>err.txt || fail "html: exit status $?"
[ -s leakprof.html ] || fail "no leakprof.html written"
assert_contains "$(cat err.txt)" "wrote leakprof.html" "html's message"

# Self-contained: nothing is loaded from elsewhere. The one URL is SVG's namespace name.
grep -Eiq '<(link|img|iframe|object|embed)[ >]|<script[^>]+src=|@import|url\(' leakprof.html &&
  fail "the page refers to an outside resource: $(grep -Eio '<(link|img|iframe)[^>]*>|<script[^>]+src=[^>]*>|@import[^;]*|url\([^)]*\)' leakprof.html | head -3)"
urls=$(grep -Eo 'https?://[^"'"'"' )]*' leakprof.html | sort -u | tr '\n' ' ')
assert_eq "http://www.w3.org/2000/svg " "$urls" "URLs in the page"
assert_eq 2 "$(grep -c '</script>' leakprof.html)" "script elements closed (data + script)"

# A series, and stdout.
"$LEAKPROF" html -o - "$FIXTURES"/go_heap_{1,2,3,4}.pb.gz >go.html 2>err.txt || fail "html -o -: exit status $?"
[ ! -s err.txt ] || fail "html -o - wrote to stderr: $(cat err.txt)"
assert_contains "$(cat go.html)" '"growth":[' "the series' growth ranking"
assert_contains "$(cat go.html)" '"main.leakyCache"' "Go's function names"
for index in alloc_space 0 inuse_objects; do
  "$LEAKPROF" html -i "$index" -o "idx_$index.html" "$FIXTURES/go_heap_4.pb.gz" 2>/dev/null ||
    fail "html --sample-index $index: exit status $?"
done
assert_contains "$(cat idx_alloc_space.html)" '"type":"alloc_space","unit":"bytes"' "--sample-index alloc_space"
assert_contains "$(cat idx_0.html)" '"type":"alloc_objects","unit":"count"' "--sample-index 0"

# A quoted glob is one profile, the merge of its files (as in every command).
"$LEAKPROF" html -o glob.html "$FIXTURES/go_heap_[12].pb.gz" 2>/dev/null || fail "html of a quoted glob: exit status $?"
assert_eq 1 "$(grep -o '"path":' glob.html | wc -l)" "profiles in the report of a quoted glob"
sum=$(( $(grep -o '"total":[0-9]*' go.html | head -2 | cut -d: -f2 | paste -sd+) ))
assert_contains "$(cat glob.html)" "\"total\":$sum," "the merged total (the sum of the first two)"

# A hostile function name: the JSON carries it escaped, so no "</script>" ends the data early.
gzip -dc "$FIXTURES/libleak_demo_4.pb.gz" >plain.pb
LC_ALL=C sed 's|__libc_start_call_main|</script><script>z=1//|g' plain.pb >hostile.pb
"$LEAKPROF" html -o hostile.html hostile.pb 2>/dev/null || fail "html of the hostile profile: exit status $?"
assert_eq 2 "$(grep -c '</script>' hostile.html)" "script elements closed in the hostile page"
assert_contains "$(cat hostile.html)" '"\u003c/script\u003e\u003cscript\u003ez=1//"' "the hostile name, escaped"

# Every readable edge case and the fixtures of other writers.
for profile in "$FIXTURES"/edge/{empty.pb,inlined.pb.gz,mappings.pb,unnamed.pb,zero_negative.pb} \
               "$FIXTURES/go_cpu.pb.gz"; do
  "$LEAKPROF" html -o edge.html "$profile" 2>err.txt || fail "html $(basename "$profile"): $(cat err.txt)"
  grep -q 'id="leakprof-data"' edge.html || fail "html $(basename "$profile"): no data block"
done
"$LEAKPROF" html --base "$FIXTURES/go_heap_1.pb.gz" -o diff.html "$FIXTURES/go_heap_4.pb.gz" 2>/dev/null ||
  fail "html --base: exit status $?"
grep -q '"base":\[' diff.html || fail "html --base wrote no base values"

# Size: 16 384 distinct stacks (many_stacks 14 in exact mode), under 2 MB.
LIBLEAK_RATE=1 LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/many_stacks" 14 >truth.txt || fail "many_stacks 14 failed"
stacks=$("$LEAKPROF" info stacks.pb.gz | awk '/^Samples:/ { print $2 }')
[ "$stacks" -ge 16384 ] || fail "the big profile has only $stacks samples"
"$LEAKPROF" html -o big.html stacks.pb.gz 2>/dev/null || fail "html of $stacks stacks: exit status $?"
size=$(stat -c %s big.html)
echo "leakprof html of $stacks stacks: $size bytes"
[ "$size" -lt 2000000 ] || fail "the report of $stacks stacks is $size bytes, over 2 MB"

# Bad input and usage: exit status 2, a message, no report.
rm -f leakprof.html
"$LEAKPROF" html missing.pb.gz 2>err.txt
assert_eq 2 "$?" "html of a missing file"
[ ! -e leakprof.html ] || fail "a report was written for a missing file"
"$LEAKPROF" html 2>err.txt
assert_eq 2 "$?" "html without a file"
"$LEAKPROF" html -i no_such_type "$FIXTURES/go_heap_1.pb.gz" 2>err.txt
assert_eq 2 "$?" "html with an unknown sample type"
"$LEAKPROF" html -o no/such/dir/r.html "$FIXTURES/go_heap_1.pb.gz" 2>err.txt
assert_eq 2 "$?" "html into a missing directory"
assert_contains "$(cat err.txt)" "no/such/dir/r.html" "the message names the output"
"$LEAKPROF" html --base missing.pb.gz "$FIXTURES/go_heap_1.pb.gz" 2>err.txt
assert_eq 2 "$?" "html with a missing base"
echo "leakprof_html: all checks passed"
