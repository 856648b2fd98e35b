#!/bin/bash
# Every LIBLEAK_* variable the library reads is documented in README.md and docs/libleak.3,
# and the docs name no variable the library does not read.
. "$LIBLEAK_ROOT/tests/lib.sh"
cd "$LIBLEAK_ROOT" || fail "no $LIBLEAK_ROOT"
compgen -G 'libleak/*/*.c' >/dev/null || skip "no libleak/*/*.c yet"
# The names the code spells as strings ("LIBLEAK_RATE"): getenv's arguments and its messages.
read_by_code=$(grep -oh '"LIBLEAK_[A-Z0-9_]*' libleak/*/*.c | tr -d '"' | sort -u)
[ -n "$read_by_code" ] || fail "found no \"LIBLEAK_...\" strings in libleak/*/*.c"
for doc in README.md docs/libleak.3; do
  [ -f "$doc" ] || fail "$doc is missing"
  for var in $read_by_code; do
    grep -qw "$var" "$doc" || fail "$doc does not document $var (read in libleak/)"
  done
  # shellcheck disable=SC2013  # names are words
  for var in $(grep -o 'LIBLEAK_[A-Z][A-Z0-9_]*' "$doc" | sort -u); do
    grep -qx "$var" <<<"$read_by_code" || fail "$doc documents $var, which libleak/*/*.c never reads"
  done
  echo "ok: $doc documents $(wc -w <<<"$read_by_code") variables"
done
