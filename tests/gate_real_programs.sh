#!/bin/bash
# Real programs nobody here wrote (perl, python3, sort, git, xz, sqlite3) under the leak gate,
# beside memcheck and LeakSanitizer: prints a markdown table of their verdicts (docs/GATE.md
# keeps one, with every difference explained).
#
#   tests/gate_real_programs.sh                  the table: bare, gate, memcheck, LSan (~1 min)
#   tests/gate_real_programs.sh --outputs-only   only bare vs gate: the same stdout, and the
#                                                program's status or the gate's 23 (a few s;
#                                                tests/cases/gate_real_outputs.sh runs this)
#
# Each program gets a small input (memcheck runs them 20-100x slower). Every run has its own
# directory under a scratch dir (kept with --keep) holding out, err and status.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$PWD
lib=${LIBLEAK_SO:-$root/build/libleak.so}
leakprof=${LEAKPROF:-$root/build/leakprof}
lsan=$(ls /usr/lib/*/liblsan.so.0 2>/dev/null | head -n 1)
mode=table keep=0
for arg in "$@"; do
    case $arg in
    --outputs-only) mode=outputs ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--outputs-only] [--keep]" >&2; exit 2 ;;
    esac
done
[ -f "$lib" ] || { echo "gate_real_programs: $lib not built (make)" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/libleak-real.XXXXXX")
[ $keep = 1 ] && echo "scratch: $scratch" >&2 || trap 'rm -rf "$scratch"' EXIT

# Inputs, made without any tool under test.
export HOME=$scratch/home LC_ALL=C GIT_PAGER=cat PAGER=cat
# perl and python randomise their hash functions per run, which moves blocks around and with
# them the count of "possibly lost" blocks (interior pointers found by chance): fixed seeds
# make the runs under each tool comparable.
export PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 PYTHONHASHSEED=0
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONMALLOC
mkdir -p "$HOME"
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "%08d %s\n", int(rand() * 1e8), substr("abcdefghijklmnopqrstuvwxyz", i % 26 + 1, 5) }' >"$scratch/input.txt"
repo=$scratch/repo
git init -q "$repo" && for i in 1 2 3; do
    head -n $((i * 3000)) "$scratch/input.txt" >"$repo/data.txt"
    git -C "$repo" add data.txt && git -C "$repo" -c user.name=t -c user.email=t@t commit -qm "commit $i"
done || { echo "gate_real_programs: could not set up the git repository" >&2; exit 2; }
python=$(command -v /usr/bin/python3 python3 | head -n 1)

# name|command (split as shell words in the run's directory, with $input and $repo set)
programs=(
    "perl|perl -e 'my %h; for (1..5000) { \$h{\"k\$_\"} = [\$_, \"v\" x (\$_ % 50)] } my \$s = 0; \$s += \$_->[0] for values %h; print \"\$s\\n\"'"
    "python3|$python -s -c 'import json, collections; d = {str(i): list(range(i % 20)) for i in range(5000)}; print(len(json.dumps(d)), collections.Counter(len(v) for v in d.values()).most_common(2))'"
    "sort|sort -k2,2 -k1,1n \"\$input\""
    "git|git -C \"\$repo\" --no-pager log --stat -p"
    "xz|xz -1 -T1 -c \"\$input\""
    "sqlite3|sqlite3 :memory: 'create table t(a integer, b text); with recursive c(x) as (select 1 union all select x + 1 from c where x < 3000) insert into t select x, hex(randomblob(8)) || x from c; create index tb on t(b); select count(*), sum(a), count(distinct substr(b, 1, 1)) from t;'"
)

# run KIND NAME COMMAND: runs COMMAND in $scratch/NAME/KIND with that kind's tool.
run() {
    local kind=$1 name=$2 command=$3 dir=$scratch/$2/$1
    mkdir -p "$dir"
    local prefix=()
    case $kind in
    bare) ;;
    gate) prefix=(env LIBLEAK_CHECK=1 LD_PRELOAD="$lib") ;;
    lsan) prefix=(env LD_PRELOAD="$lsan") ;;
    memcheck) prefix=(valgrind --leak-check=full --log-file="$dir/memcheck.%p") ;;
    esac
    # The command is split here, not by a shell run under the tool: memcheck would check the
    # shell and stop at its exec.
    local input=$scratch/input.txt args
    eval "args=($command)"
    (cd "$dir" && timeout 600 "${prefix[@]}" "${args[@]}" >out 2>err </dev/null)
    echo $? >"$dir/status"
}

# numbers FILE PREFIX: "D DB I IB P PB" of the last LEAK SUMMARY (see gate_vs_memcheck.sh).
numbers() {
    awk -v prefix="$2" '
        function grab(line,   parts) { sub(/^.*lost: /, "", line); gsub(/,/, "", line); split(line, parts, " "); return parts[1] " " parts[4] }
        { sub("^" prefix, "") }
        /All heap blocks were freed/ { d = i = p = "0 0"; seen = 1 }
        /^ *LEAK SUMMARY:/ { seen = 1; d = i = p = "0 0" }
        seen && /^ *definitely lost:/ { d = grab($0) }
        seen && /^ *indirectly lost:/ { i = grab($0) }
        seen && /^ *possibly lost:/   { p = grab($0) }
        END { print seen ? d " " i " " p : "none" }' "$1"
}
# lost "D DB I IB P PB": "D B / I B / P B" for the table, in bytes/blocks.
lost() {
    [ "$1" = none ] && { echo "no report"; return; }
    set -- $1
    echo "$1/$2 · $3/$4 · $5/$6"
}

bad=0
if [ $mode = outputs ]; then
    for entry in "${programs[@]}"; do
        name=${entry%%|*} command=${entry#*|}
        run bare "$name" "$command" & run gate "$name" "$command"; wait
        b=$scratch/$name/bare g=$scratch/$name/gate
        bs=$(cat "$b/status") gs=$(cat "$g/status")
        if [ "$bs" != 0 ]; then
            echo "BROKEN $name: exits $bs without the gate: $(tail -n 3 "$b/err")"; bad=1
        elif ! cmp -s "$b/out" "$g/out"; then
            echo "DIFFERENT $name: stdout differs under the gate ($(wc -c <"$b/out") vs $(wc -c <"$g/out") bytes)"; bad=1
        elif [ "$gs" != 0 ] && [ "$gs" != 23 ]; then
            echo "DIFFERENT $name: status $gs under the gate (bare 0): $(grep -v '^libleak: ' "$g/err" | tail -n 3)"; bad=1
        elif grep -v '^libleak: ' "$g/err" | grep -q .; then
            echo "DIFFERENT $name: the gate run wrote other lines on stderr: $(grep -v '^libleak: ' "$g/err" | head -n 3)"; bad=1
        else
            echo "same $name: $(wc -c <"$b/out") bytes of stdout, status under the gate $gs"
        fi
    done
    exit $bad
fi

command -v valgrind >/dev/null || { echo "gate_real_programs: valgrind is not installed" >&2; exit 2; }
echo "| program | same output under the gate | gate: status | gate: definitely · indirectly · possibly lost (bytes/blocks) | memcheck: definitely · indirectly · possibly lost | memcheck verdict | LSan preloaded: status (bytes/blocks lost) |"
echo "|---|---|---:|---|---|---:|---|"
for entry in "${programs[@]}"; do
    name=${entry%%|*} command=${entry#*|}
    # Two at a time: memcheck beside the three quick runs.
    run memcheck "$name" "$command" &
    run bare "$name" "$command"; run gate "$name" "$command"
    [ -n "$lsan" ] && run lsan "$name" "$command"
    wait
    d=$scratch/$name
    same=no
    cmp -s "$d/bare/out" "$d/gate/out" && same=yes
    gate=$(numbers "$d/gate/err" 'libleak: ') gate_note=""
    # A program that closes its stderr before exiting (sort, xz: gnulib's close_stdout) gets no
    # report there: libleak never writes to a descriptor 2 that is not the stderr it started
    # with. The same numbers are in the .leaks profile's comments ("leak gate: ...").
    leaks_profile=$(ls "$d"/gate/*.leaks.* 2>/dev/null | head -n 1)
    if [ "$gate" = none ] && [ -n "$leaks_profile" ] && [ -x "$leakprof" ]; then
        "$leakprof" top "$leaks_profile" >"$d/gate/leaks.top" 2>&1
        # The comment lines have no "LEAK SUMMARY:" header: give them one.
        gate=$(sed -n 's/^leak gate: \(.* lost: \)/\1/p' "$d/gate/leaks.top" | sed '1i LEAK SUMMARY:' | numbers /dev/stdin '')
        [ "$gate" != none ] && gate_note=" (stderr closed by the program: from the .leaks profile)"
    fi
    # memcheck's log of the program itself: the first process (the only one for these).
    mc_log=$(ls "$d"/memcheck/memcheck.* | head -n 1)
    mc=$(numbers "$mc_log" '==[0-9]+== ')
    verdict=0
    if [ "$mc" != none ]; then
        set -- $mc
        [ $(($1 + $3)) -gt 0 ] && verdict=23
    fi
    [ "$(cat "$d/memcheck/status")" != 0 ] && verdict=$(cat "$d/memcheck/status")
    lsan_status="—"
    if [ -n "$lsan" ]; then
        lsan_status=$(cat "$d/lsan/status")
        [ "$lsan_status" = 139 ] && lsan_status="139 (SIGSEGV)"
        leaked=$(sed -n 's/^SUMMARY: LeakSanitizer: \([0-9]*\) byte(s) leaked in \([0-9]*\) allocation.*/\1\/\2/p' "$d/lsan/err")
        [ -n "$leaked" ] && lsan_status="$lsan_status ($leaked lost)"
    fi
    echo "| $name | $same | $(cat "$d/gate/status") | $(lost "$gate")${gate_note:-} | $(lost "$mc") | $verdict | $lsan_status |"
done
echo
echo "Commands (input: 20 000 lines of 15 bytes; repo: 3 commits of a 9 000-line file): "
for entry in "${programs[@]}"; do
    echo "- ${entry%%|*}: \`${entry#*|}\`"
done
