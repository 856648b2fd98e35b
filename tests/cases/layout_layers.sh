#!/bin/bash
# The layers of docs/ARCHITECTURE.md, checked: every source file lives in a directory that says
# where its code runs, and includes only headers of the layers below it. A file that needs a
# layer above it has its job in the wrong place (or the job needs splitting).
. "$LIBLEAK_ROOT/tests/lib.sh"
cd "$LIBLEAK_ROOT" || fail "no $LIBLEAK_ROOT"

# layer: the layers whose headers it may include ("#include "LAYER/name.h""), itself included.
declare -A may_include=(
  [common]="common"
  [libleak/core]="core common"
  [libleak/os]="os common"
  [libleak/alloc]="alloc os core common"
  [libleak/dump]="dump alloc os core common"
  [libleak/gate]="gate dump alloc os core common"
  [libleak/process]="process gate dump alloc os core common"
  [tools/leakprof/model]="model common"
  [tools/leakprof/reports]="reports model common"
  [tools/leakprof/commands]="commands reports model common"
)

problems=0
checked=0
for layer in "${!may_include[@]}"; do
  for file in "$layer"/*.c "$layer"/*.h; do
    [ -f "$file" ] || continue
    checked=$((checked + 1))
    while IFS= read -r line; do
      target=${line#*\"}
      target=${target%%\"*}
      case $target in */*) ;; *) continue ;; esac # a system or same-directory-free header
      first=${target%%/*}
      [ "$first" = proto ] && continue             # the generated protobuf-c code
      case " ${may_include[$layer]} " in
        *" $first "*) ;;
        *) echo "layering: $file includes \"$target\" ($layer may include: ${may_include[$layer]})"
           problems=$((problems + 1)) ;;
      esac
    done < <(grep -h '^#include "' "$file")
  done
done

# Every source file is in one of the layers above (or is a generator, fuzz target or fixture).
while IFS= read -r file; do
  dir=$(dirname "$file")
  [ -n "${may_include[$dir]+set}" ] && continue
  case $dir in tools/leakprof/html | tools/leakprof/fuzz | tools/leakprof/fixtures | tools/launcher) continue ;; esac
  echo "layering: $file is in no layer (docs/ARCHITECTURE.md lists them)"
  problems=$((problems + 1))
done < <(git ls-files 'libleak/*.c' 'libleak/*.h' 'common/*.c' 'common/*.h' 'tools/*.c' 'tools/*.h')

# docs/ARCHITECTURE.md names every source file with its job, in the table of its directory
# ("### `libleak/alloc/`"; the reader's table names its files by subdirectory).
unnamed=$(git ls-files 'libleak/*.[ch]' 'common/*.[ch]' 'tools/leakprof/model/*.[ch]' \
            'tools/leakprof/reports/*.[ch]' 'tools/leakprof/commands/*.[ch]' | python3 -c '
import re, sys
sections, current = {}, None
for line in open("docs/ARCHITECTURE.md"):
    heading = re.match(r"### `([^`]+)/`", line)
    if heading:
        current = heading.group(1)
    elif line.startswith("#"):
        current = None
    elif current:
        sections[current] = sections.get(current, "") + line
for path in sys.stdin.read().split():
    directory, name = path.rsplit("/", 1)
    stem = name.rsplit(".", 1)[0]
    if directory.startswith("tools/leakprof/"):
        text, sub = sections.get("tools/leakprof", ""), directory.split("/")[-1]
        # "`reports/stack_line.c`, `.h`" or "`cmd_top.c`" in the commands row
        found = re.search(r"`%s/%s\.[ch]`" % (sub, re.escape(stem)), text) or \
                (sub == "commands" and re.search(r"`%s\.[ch]`" % re.escape(stem), text))
    else:
        found = re.search(r"`%s\.[ch]`" % re.escape(stem), sections.get(directory, ""))
    if not found:
        print(path)
')
for file in $unnamed; do
  echo "layering: docs/ARCHITECTURE.md does not name $file in its directory's table"
  problems=$((problems + 1))
done

[ "$checked" -gt 50 ] || fail "only $checked files checked: the layer directories moved?"
[ "$problems" = 0 ] || fail "$problems layering problem(s)"
echo "ok: $checked files, every include within its layer's reach, every file in docs/ARCHITECTURE.md"
