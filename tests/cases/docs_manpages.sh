#!/bin/bash
# The man pages render without a single groff warning: docs/*.1 and docs/*.3 (those that
# exist yet). -ww alone leaves out undefined macros (a mistyped .\" comment, say): -wmac adds them.
. "$LIBLEAK_ROOT/tests/lib.sh"
command -v groff >/dev/null || skip "groff not installed"
shopt -s nullglob
pages=("$LIBLEAK_ROOT"/docs/*.1 "$LIBLEAK_ROOT"/docs/*.3)
[ "${#pages[@]}" -gt 0 ] || skip "no man pages in docs/ yet"
for page in "${pages[@]}"; do
  name=${page#"$LIBLEAK_ROOT"/}
  warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -wmac -z "$page" 2>&1) \
    || fail "$name: groff failed: $warnings"
  [ -z "$warnings" ] || fail "$name: groff warnings:
$warnings"
  # The page has the sections a reader looks for.
  for section in NAME SYNOPSIS DESCRIPTION; do
    grep -q "^\.SH \"\?$section" "$page" || fail "$name: no $section section"
  done
  echo "ok: $name"
done
