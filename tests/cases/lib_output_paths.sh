#!/bin/bash
# Where profiles go: the default name libleak.%e.%p.%n.heap.pb.gz; a template with %e %p %n %t;
# relative names against the directory the program started in; a missing or unwritable
# directory is one message and no crash (exit status and stdout unchanged); an existing file
# or a symlink at the target is never overwritten or followed; libleak_dump() reports EEXIST
# and ENOENT; no temporary file is left behind.
. "$LIBLEAK_ROOT/tests/lib.sh"
. "$LIBLEAK_ROOT/tests/cases/lib_common.inc"
require_lib; require_prog hello_alloc; require_go

"$TESTBIN/hello_alloc" --exit 4 >expected.txt
# run_hello DIR ENV... -- ARGS...: hello_alloc under the library in DIR; sets rc and pid.
run_hello() {
  local dir=$1 envs=(); shift
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  mkdir -p "$dir"
  cd "$dir" || exit 1
  env "${envs[@]}" LD_PRELOAD="$LIBLEAK_SO" "$TESTBIN/hello_alloc" "$@" --exit 4 >out.txt 2>err.txt &
  pid=$!
  finish $pid 30 "$dir: hello_alloc"
  assert_eq 4 "$rc" "$dir: exit status"
  assert_eq "$(cat "$TEST_TMP/expected.txt")" "$(cat out.txt)" "$dir: stdout"
  cd "$TEST_TMP" || exit 1
}
no_temporaries() {  # no_temporaries DIR: only the files we expect, nothing half-written
  local stray
  stray=$(ls -A "$1" | grep -v -e '\.pb\.gz$' -e '^out\.txt$' -e '^err\.txt$' -e '\.raw' -e '^sub$' -e '^keep$' -e '^precious' -e '^link')
  [ -z "$stray" ] || fail "$1: files left behind: $stray"
}

# 1. The default name.
run_hello default --
ls default
[ -e "default/libleak.hello_alloc.$pid.0001.heap.pb.gz" ] || [ -e "default/libleak.hello_alloc.$pid.0000.heap.pb.gz" ] \
  || fail "default name: expected libleak.hello_alloc.$pid.000[01].heap.pb.gz, got: $(ls default)"
[ ! -s default/err.txt ] || fail "default: unexpected stderr: $(cat default/err.txt)"
no_temporaries default

# 2. Every escape of the template; the sequence number counts per process.
before=$(date +%s)
run_hello template LIBLEAK_OUT='t.%e.%p.%n.%t.%%.pb.gz' -- --dump - --dump -
after=$(date +%s)
mapfile -t names < <(cd template && ls t.*.pb.gz)
assert_eq 3 "${#names[@]}" "template: two libleak_dump(NULL) and the exit profile: ${names[*]}"
seqs=""
for name in "${names[@]}"; do
  [[ $name =~ ^t\.hello_alloc\.$pid\.([0-9]{4})\.([0-9]+)\.%\.pb\.gz$ ]] \
    || fail "template t.%e.%p.%n.%t.%%.pb.gz: unexpected name $name (pid $pid)"
  seqs="$seqs ${BASH_REMATCH[1]}"
  t=${BASH_REMATCH[2]}
  [ "$t" -ge "$before" ] && [ "$t" -le "$after" ] || fail "template: %t = $t not within [$before, $after]"
  pprof_raw "template/$name" "template/$name.raw"
done
seqs=$(echo $seqs)
case "$seqs" in "0001 0002 0003"|"0000 0001 0002") ;; *) fail "template: %n sequence: $seqs" ;; esac
echo "ok: template names ${names[*]}"

# 3. Relative names resolve against the starting directory, even after chdir.
mkdir -p relative/sub
run_hello relative LIBLEAK_OUT='rel.%n.pb.gz' -- --chdir sub
ls relative/rel.*.pb.gz >/dev/null 2>&1 || fail "relative: no rel.*.pb.gz in the starting directory: $(ls -R relative)"
[ -z "$(ls relative/sub)" ] || fail "relative: the profile went into the new working directory: $(ls relative/sub)"

# 4. A missing directory: one message naming the path, no crash, libleak_dump() says ENOENT.
run_hello missing LIBLEAK_OUT='nodir/x.%n.pb.gz' -- --dump -
grep -q 'libleak_dump(-) = -1 errno=2 ' missing/err.txt || fail "missing directory: libleak_dump(NULL) should fail with ENOENT: $(cat missing/err.txt)"
grep -q 'nodir' missing/err.txt || fail "missing directory: no message naming the path: $(cat missing/err.txt)"
[ ! -e missing/nodir ] || fail "missing directory: it was created"
no_temporaries missing
echo "ok: missing directory: $(grep -v hello_alloc missing/err.txt | head -n 1)"

# 5. An unwritable directory (root writes anywhere but /sys).
if [ "$(id -u)" = 0 ]; then unwritable=/sys; else mkdir locked; chmod 555 locked; unwritable=$TEST_TMP/locked; fi
run_hello unwritable LIBLEAK_OUT="$unwritable/libleak-test.%p.%n.pb.gz" -- --dump -
grep -q 'libleak_dump(-) = -1 errno=' unwritable/err.txt || fail "unwritable: libleak_dump(NULL) should fail: $(cat unwritable/err.txt)"
grep -q "$unwritable" unwritable/err.txt || fail "unwritable: no message naming the path: $(cat unwritable/err.txt)"
ls "$unwritable" | grep -q libleak-test && fail "unwritable: a file appeared in $unwritable"
echo "ok: unwritable directory: $(grep -v hello_alloc unwritable/err.txt | head -n 1)"

# 6. An existing file is never overwritten: not by the exit profile, not by libleak_dump(path).
mkdir existing; echo precious >existing/keep.pb.gz; cp existing/keep.pb.gz existing/precious
run_hello existing LIBLEAK_OUT='keep.pb.gz' -- --dump keep.pb.gz
cmp -s existing/keep.pb.gz existing/precious || fail "existing file: keep.pb.gz was overwritten"
grep -q 'libleak_dump(keep.pb.gz) = -1 errno=17 ' existing/err.txt || fail "existing file: libleak_dump should fail with EEXIST: $(cat existing/err.txt)"
no_temporaries existing
echo "ok: existing file kept; libleak_dump said EEXIST"

# 7. A symlink at the target is not followed: neither to a missing file nor to an existing one.
mkdir symlinks; echo precious >symlinks/precious.txt
ln -s "$TEST_TMP/symlinks/created-through-link" symlinks/link-dangling.pb.gz
ln -s "$TEST_TMP/symlinks/precious.txt" symlinks/link-existing.pb.gz
run_hello symlinks LIBLEAK_OUT='link-dangling.pb.gz' -- --dump link-existing.pb.gz --dump link-dangling.pb.gz
[ ! -e symlinks/created-through-link ] || fail "symlink: the profile was written through a dangling symlink"
assert_eq precious "$(cat symlinks/precious.txt)" "symlink: the file behind the link"
[ -L symlinks/link-dangling.pb.gz ] && [ -L symlinks/link-existing.pb.gz ] || fail "symlink: a link was replaced"
grep -q 'libleak_dump(link-existing.pb.gz) = -1 ' symlinks/err.txt || fail "symlink: libleak_dump through a link should fail: $(cat symlinks/err.txt)"
grep -q 'libleak_dump(link-dangling.pb.gz) = -1 ' symlinks/err.txt || fail "symlink: libleak_dump through a dangling link should fail: $(cat symlinks/err.txt)"
no_temporaries symlinks
echo "ok: symlinks neither followed nor replaced"

# 8. libleak_dump(path) with an explicit relative path also writes where the program started.
mkdir -p explicit/sub
run_hello explicit LIBLEAK_AT_EXIT=0 -- --chdir sub --dump named.pb.gz
grep -q 'libleak_dump(named.pb.gz) = 0 ' explicit/err.txt || fail "explicit path: libleak_dump failed: $(cat explicit/err.txt)"
[ -e explicit/named.pb.gz ] || [ -e explicit/sub/named.pb.gz ] || fail "explicit path: named.pb.gz is nowhere: $(ls -R explicit)"
pprof_raw "$(ls explicit/named.pb.gz explicit/sub/named.pb.gz 2>/dev/null | head -n 1)" explicit.raw

# 9. Names longer than PATH_MAX: an error, not a crash or a truncated name.
long=$(printf 'n%.0s' $(seq 5000))
run_hello toolong -- --dump "$long.pb.gz"
grep -q 'libleak_dump(n*\.pb\.gz) = -1 errno=' toolong/err.txt || fail "a 5000-character name: libleak_dump should fail: $(cut -c 1-300 toolong/err.txt)"
[ -z "$(ls toolong | grep '^nnnn')" ] || fail "a 5000-character name: a file was written under a truncated name"
echo "ok: too long a name fails cleanly"
