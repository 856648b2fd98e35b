#!/usr/bin/env python3
"""libleak's benchmark: every workload under every configuration, side by side with the peers.

    python3 tests/bench/run.py --full     what `make bench` runs (5 repetitions, <= 15 min)
    python3 tests/bench/run.py --quick    what `make bench-quick` runs (2 repetitions, < 2 min)

Prints a markdown report; the full run also writes it into docs/PERFORMANCE.md between the two
bench markers (the notes around them are kept), so that a quick look never replaces the table of
record. Standard library only: a fresh machine has python3 and
nothing else we could rely on.

How it measures, and why:
- Configurations of one group run alternately (A B C A B C ...), so that drift on a shared
  machine (another build, a thermal step) lands on every configuration alike, and each ratio is
  taken repetition by repetition against the same group's baseline and then the median.
- Peak RSS is GNU time's %M (ru_maxrss of the child and its waited-for descendants).
- Time is wall time around the run: what a user of the program waits.
- Peers that are 10-300 x slower (heaptrack, memcheck, gperftools' heap profiler) run on a
  reduced workload, with their baseline and our exact mode and leak gate on that same reduced
  workload, so every comparison is like for like and the run stays inside its time budget.
- Instructions per malloc+free pair come from callgrind: deterministic where time is not.
- The leak gate (LIBLEAK_CHECK=1) runs beside LeakSanitizer preloaded (liblsan.so.0) on the full
  churn, threads and realloc workloads, and beside memcheck on the /50 ones; a table puts those
  ratios and exact mode's three unwinders (the default, fp, libunwind) side by side (issue 7).
- The checks at exit on a big heap (issue 15): bigheap holds 10^7 live blocks (~2 GiB; 2 * 10^6
  in --quick, fewer when the machine's free memory cannot hold the gate's peak) under bare, the
  gate and LSan; total, exit phase (main's return, which the program stamps, to the run's end)
  and peak RSS, and gate / LSan for each.

    python3 tests/bench/run.py --quick --only bigheap --no-write    one workload alone
"""

import argparse
import datetime
import glob
import os
import resource
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
BENCH = os.path.join(BUILD, "bench")
LIB = os.path.join(BUILD, "libleak.so")
FLOOR = os.path.join(BENCH, "floor.so")
PERF_DOC = os.path.join(ROOT, "docs", "PERFORMANCE.md")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
MIB = 1024 * 1024


def find_lib(name):
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    hits = glob.glob("/usr/lib/*/" + name)
    return hits[0] if hits else None


JEMALLOC = find_lib("libjemalloc.so.2")
# HEAPPROFILE needs the full tcmalloc (libgoogle-perftools4), not tcmalloc_minimal.
TCMALLOC = find_lib("libtcmalloc.so.4")
HEAPTRACK = shutil.which("heaptrack")
# LeakSanitizer's runtime preloaded into an unmodified program: the leak gate's peer
# (Debian's liblsan0; no recompiling, as with libleak).
LSAN = find_lib("liblsan.so.0")
# The workloads on which the leak gate is compared with LeakSanitizer (issue 7).
GATE_WORKLOADS = ("churn", "threads 2", "threads 8", "realloc")
VALGRIND = shutil.which("valgrind")


def lib_knows(var):
    """Whether libleak.so parses the environment variable VAR: its name is then in the binary.

    Asking the binary rather than the source tells what the library being measured does."""
    try:
        with open(LIB, "rb") as f:
            return (var.encode() + b"\0") in f.read()
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# Running one command

class Run:
    def __init__(self, seconds, cpu, maxrss_kib, status, stderr, end_ns):
        self.seconds, self.cpu, self.maxrss_kib = seconds, cpu, maxrss_kib
        self.status, self.stderr = status, stderr
        # CLOCK_MONOTONIC when the run was seen to end, for a program that stamps a moment of
        # its own (bigheap: main's return); exit_s is then set from it.
        self.end_ns, self.exit_s = end_ns, None


TIME = "/usr/bin/time"


def run_once(argv, env_add, tmp, stdout=subprocess.DEVNULL):
    """Runs ARGV once; wall time around it, peak RSS as GNU time reports it.

    Peak RSS goes through /usr/bin/time and not through our own wait4: ru_maxrss survives
    execve, so a child forked from this 17 MB python process would report at least 17 MB.
    time is a small C program, and its child starts from its small footprint."""
    env = dict(os.environ)
    for k in [k for k in env if k.startswith("LIBLEAK_") or k in ("LD_PRELOAD", "MALLOC_CONF",
                                                                    "HEAPPROFILE")]:
        del env[k]
    env.update(env_add)
    errpath = os.path.join(tmp, "stderr")
    rsspath = os.path.join(tmp, "rss")
    with open(errpath, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.run([TIME, "-q", "-f", "%M %U %S", "-o", rsspath] + argv, env=env,
                              stdin=subprocess.DEVNULL, stdout=stdout, stderr=err, cwd=tmp)
        t1 = time.perf_counter()
        end_ns = time.monotonic_ns()
    with open(errpath, "rb") as f:
        text = f.read()[-2000:].decode(errors="replace")
    try:
        with open(rsspath) as f:
            fields = f.read().split()[-3:]
        rss, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
    except (OSError, ValueError, IndexError):
        rss, cpu = 0, 0.0
    return Run(t1 - t0, cpu, rss, proc.returncode, text, end_ns)


# ---------------------------------------------------------------------------------------------
# Configurations: name -> (argv prefix, environment) for a scratch directory

def configurations(tmp):
    out = os.path.join(tmp, "out")
    os.makedirs(out, exist_ok=True)
    # The profile written at exit is measured on its own (the dump rows), not in the hot path's
    # time: LIBLEAK_AT_EXIT=0, and LIBLEAK_OUT points into scratch in case anything is written.
    ll = {"LD_PRELOAD": LIB, "LIBLEAK_OUT": out, "LIBLEAK_AT_EXIT": "0"}
    c = {
        "bare": ([], {}),
        "floor": ([], {"LD_PRELOAD": FLOOR}),
        "libleak": ([], dict(ll)),
        "libleak exact": ([], dict(ll, LIBLEAK_RATE="1")),
        # Exact mode walking frame pointers instead of libunwind (used when the library has it).
        "libleak exact fp": ([], dict(ll, LIBLEAK_RATE="1", LIBLEAK_UNWIND="fp")),
        # ... and with libunwind named: "libleak exact" is whatever the library's default is.
        "libleak exact libunwind": ([], dict(ll, LIBLEAK_RATE="1", LIBLEAK_UNWIND="libunwind")),
        "leak gate": ([], dict(ll, LIBLEAK_CHECK="1")),
        # The gate walking frame pointers, whatever the library's default unwinder is.
        "leak gate fp": ([], dict(ll, LIBLEAK_CHECK="1", LIBLEAK_UNWIND="fp")),
    }
    if LSAN:
        # LSan checks at exit as the gate does; its report goes to stderr (kept in scratch).
        c["lsan"] = ([], {"LD_PRELOAD": LSAN})
    if JEMALLOC:
        c["jemalloc"] = ([], {"LD_PRELOAD": JEMALLOC})
        c["jemalloc prof"] = ([], {"LD_PRELOAD": JEMALLOC,
                                   "MALLOC_CONF": "prof:true,lg_prof_sample:19"})
    if TCMALLOC:
        c["tcmalloc"] = ([], {"LD_PRELOAD": TCMALLOC})
        c["tcmalloc heapprof"] = ([], {"LD_PRELOAD": TCMALLOC,
                                       "HEAPPROFILE": os.path.join(out, "gperf")})
    if HEAPTRACK:
        c["heaptrack"] = ([HEAPTRACK, "-o", os.path.join(out, "heaptrack")], {})
    if VALGRIND:
        c["memcheck"] = ([VALGRIND, "--tool=memcheck", "--leak-check=full", "-q",
                          "--log-file=" + os.path.join(out, "memcheck.%p")], {})
    return c


# Whose failure status is part of the job: a leak gate fails a program that leaks (perl does
# not free its heap at exit), heaptrack and valgrind pass the program's status through.
STATUS_FREE = {"leak gate", "leak gate fp", "memcheck", "lsan"}


# ---------------------------------------------------------------------------------------------
# Workloads

def workloads(quick):
    s = 8 if quick else 1  # quick: an eighth of the work
    perl = shutil.which("perl")
    w = [
        ("churn", [os.path.join(BENCH, "churn"), str(40_000_000 // s)]),
        ("threads 2", [os.path.join(BENCH, "threads"), "2", str(2_500_000 // s)]),
        ("threads 8", [os.path.join(BENCH, "threads"), "8", str(600_000 // s)]),
        ("realloc", [os.path.join(BENCH, "realloc"), str(6_000_000 // s)]),
    ]
    if perl:
        w.append(("perl hashes", [perl, os.path.join(ROOT, "tests", "bench", "hashes.pl"),
                                  str(200_000 // s)]))
    return w


def reduce(argv, factor):
    """The same workload with its operation count divided by FACTOR (the last argument)."""
    return argv[:-1] + [str(max(1, int(argv[-1]) // factor))]


# ---------------------------------------------------------------------------------------------
# Measurement

class Cell:
    """One configuration of one group: its runs, in repetition order."""

    def __init__(self):
        self.runs = []

    def ok(self):
        return [r for r in self.runs if r is not None]

    def median_s(self):
        ok = self.ok()
        return statistics.median(r.seconds for r in ok) if ok else None

    def median_rss(self):
        ok = self.ok()
        return statistics.median(r.maxrss_kib for r in ok) if ok else None

    def median(self, what):
        ok = self.ok()
        return statistics.median(getattr(r, what) for r in ok) if ok else None


def pair_ratio(a, b, what="seconds"):
    """Median over repetitions of a[i] / b[i] (pair by pair), None when no pair completed."""
    # GNU time reports CPU time in 10 ms steps: below 0.1 s a CPU ratio is mostly rounding.
    floor_value = 0.1 if what == "cpu" else 0.0
    rs = [getattr(x, what) / getattr(y, what) for x, y in zip(a.runs, b.runs)
          if x and y and getattr(y, what) > floor_value]
    return statistics.median(rs) if rs else None


def measure_group(name, argv, configs, names, reps, tmp, log, problems, after=None):
    """AFTER(config, run), when given, is called after every run to read what it left; it
    returns the run, or None when the run failed after all."""
    cells = {n: Cell() for n in names}
    for rep in range(reps):
        for n in names:
            prefix, env = configs[n]
            r = run_once(prefix + argv, env, tmp)
            if after:
                r = after(n, r)
            # What the profilers wrote (heaptrack's traces reach tens of MB) is not kept.
            out = os.path.join(tmp, "out")
            for f in os.listdir(out):
                os.unlink(os.path.join(out, f))
            if r is not None and r.status != 0 and n not in STATUS_FREE:
                problems.append("%s / %s: exit status %d: %s" %
                                (name, n, r.status, r.stderr.strip().splitlines()[-1:]))
                r = None
            cells[n].runs.append(r)
            log("  %-12s %-18s rep %d: %s" % (name, n, rep + 1,
                                               "%.3f s %.3f cpu %d KiB" %
                                               (r.seconds, r.cpu, r.maxrss_kib)
                                               if r else "FAILED"))
    return cells


# ---------------------------------------------------------------------------------------------
# Callgrind: instructions per malloc+free pair

def callgrind_total(argv, env, tmp):
    """(instructions, L1 data-cache misses) of one run under callgrind's cache simulation.

    The misses matter as much as the instructions: a filter that costs 3 instructions but one
    L1 miss per free shows up in time and not in Ir."""
    outf = os.path.join(tmp, "cg.out")
    if os.path.exists(outf):
        os.unlink(outf)
    r = run_once([VALGRIND, "--tool=callgrind", "--cache-sim=yes",
                  "--callgrind-out-file=" + outf] + argv, env, tmp)
    if r.status != 0 or not os.path.exists(outf):
        return None
    events, totals = None, None
    with open(outf) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            m = re.match(r"(?:summary|totals):\s+(.*)", line)
            if m:
                totals = [int(x) for x in m.group(1).split()]
    if not events or not totals:
        return None
    ev = dict(zip(events, totals + [0] * (len(events) - len(totals))))
    return ev.get("Ir", 0), ev.get("D1mr", 0) + ev.get("D1mw", 0)


def callgrind_pairs(configs, names, pairs, tmp, log):
    """(Ir(churn N) - Ir(churn 0)) / N for each configuration, on a window of 1000 blocks."""
    churn = os.path.join(BENCH, "churn")
    res = {}
    for n in names:
        prefix, env = configs[n]
        full = callgrind_total([churn, str(pairs[n]), "1000"], env, tmp)
        zero = callgrind_total([churn, "0", "1000"], env, tmp)
        res[n] = ((full[0] - zero[0]) / pairs[n], (full[1] - zero[1]) / pairs[n]) \
            if full is not None and zero is not None else None
        log("  callgrind %-14s %s" % (n, "%.1f Ir/pair, %.3f D1 misses/pair" % res[n]
                                      if res[n] is not None else "FAILED"))
    return res


# ---------------------------------------------------------------------------------------------
# Long runs: exact mode late in a run against early

def longrun_bench(configs, pairs, reps, tmp, log, problems):
    """{config: (early ns, late ns)}: medians of `longrun PAIRS` (ns per malloc+free pair of
    the second and of the last million pairs, after 100 000 resident blocks), exact modes."""
    prog = os.path.join(BENCH, "longrun")
    res = {}
    if not os.path.exists(prog):
        return res
    for n in [n for n in ("libleak exact fp", "libleak exact") if n in configs]:
        prefix, env = configs[n]
        early, late = [], []
        for _ in range(reps):
            outf = os.path.join(tmp, "longrun.out")
            with open(outf, "w") as out:
                r = run_once(prefix + [prog, str(pairs)], env, tmp, stdout=out)
            with open(outf) as f:
                m = re.search(r"early ([0-9.]+) late ([0-9.]+)", f.read())
            if r.status != 0 or not m:
                problems.append("longrun / %s: exit status %d" % (n, r.status))
                continue
            early.append(float(m.group(1)))
            late.append(float(m.group(2)))
        res[n] = (statistics.median(early), statistics.median(late)) if early else None
        log("  longrun %-18s %s" % (n, "early %.1f ns, late %.1f ns per pair" % res[n]
                                    if res[n] else "FAILED"))
    return res


# ---------------------------------------------------------------------------------------------
# The checks at exit on a big heap (issue 15)

BIGHEAP_BLOCKS = 10_000_000        # ~2 GiB: issue 15's heap, and its targets'
BIGHEAP_QUICK_BLOCKS = 2_000_000
# What one block may cost at the peak: its ~215 bytes in the heap twice over (the heap, and the
# gate's own tables beside it; issue 15 measured 2.86 GiB under the gate for 10^7 blocks).
BIGHEAP_PEAK_BYTES = 2 * 215


def bigheap_blocks(quick):
    """(blocks, note): the workload's size, scaled down (note says so) when the machine's
    available memory, three quarters of it, cannot hold the gate's peak."""
    wanted = BIGHEAP_QUICK_BLOCKS if quick else BIGHEAP_BLOCKS
    try:
        with open("/proc/meminfo") as f:
            avail = next(int(line.split()[1]) * 1024 for line in f
                         if line.startswith("MemAvailable:"))
    except (OSError, ValueError, StopIteration):
        return wanted, None
    fits = int(avail * 0.75 / BIGHEAP_PEAK_BYTES) // 100_000 * 100_000
    if fits >= wanted:
        return wanted, None
    return max(fits, 100_000), ("bigheap scaled down from {:,} to {:,} blocks: {:,} MiB of memory "
                                "available".format(wanted, max(fits, 100_000), avail // MIB))


def bigheap_bench(configs, blocks, names, reps, tmp, log, problems):
    """bare, the gate and LSan on `bigheap BLOCKS`, alternating: each run's total, exit phase
    (main's return, stamped by the program, to the run's end) and peak RSS."""
    mark = os.path.join(tmp, "bigheap.mark")

    def exit_phase(n, r):
        try:
            with open(mark) as f:
                stamp = int(f.read())
        except (OSError, ValueError):
            stamp = None
        if os.path.exists(mark):
            os.unlink(mark)  # so that a run that stamps nothing cannot read the last one's
        if stamp is None:
            problems.append("bigheap / %s: no time stamped at main's return (status %d): %s" %
                            (n, r.status, r.stderr.strip().splitlines()[-1:]))
            return None
        r.exit_s = (r.end_ns - stamp) / 1e9
        # Nothing is lost: a check that fails this program reports a leak that is not there
        # (bare's status is measure_group's to check).
        if r.status != 0 and n in STATUS_FREE:
            problems.append("bigheap / %s: exit status %d on a heap with nothing lost: %s" %
                            (n, r.status, r.stderr.strip().splitlines()[-1:]))
        log("  %-12s %-18s exit phase %.3f s" % ("bigheap", n, r.exit_s))
        return r

    return measure_group("bigheap", [os.path.join(BENCH, "bigheap"), str(blocks), mark], configs,
                         names, reps, tmp, log, problems, after=exit_phase)


def bigheap_ratio(cells, what):
    """gate ÷ LSan, the median of the pair-by-pair ratios of WHAT, or None."""
    if not cells or "leak gate" not in cells or "lsan" not in cells:
        return None
    return pair_ratio(cells["leak gate"], cells["lsan"], what)


def bigheap_size(blocks):
    return "{:,}".format(blocks).replace(",", " ")


def bigheap_table(bigheap, reps):
    blocks, cells, note = bigheap
    L = ["### Checks at exit on a big heap (issue 15)", ""]
    L.append("`build/bench/bigheap %d`: %s live blocks of 32, 96, 192 or 480 bytes (200 on "
             "average), a quarter held by a root array and the rest only through other blocks, "
             "nothing lost; bare, the leak gate (`LIBLEAK_CHECK=1`) and LeakSanitizer preloaded "
             "(`LD_PRELOAD=liblsan.so.0`%s), alternating, %d repetition(s). The exit phase "
             "runs from main's return (the program stamps CLOCK_MONOTONIC just before it) to the "
             "end of the run as the runner sees it: the check at exit and the teardown. Medians "
             "of each; the last row is the median of the pair-by-pair ratios gate ÷ LSan." %
             (blocks, bigheap_size(blocks),
              "" if "lsan" in cells else ": not installed, no rows", reps))
    if blocks != BIGHEAP_BLOCKS:
        L.append("")
        L.append("**%s blocks, not the %s of issue 15's targets**%s." % (
            bigheap_size(blocks), bigheap_size(BIGHEAP_BLOCKS),
            ": " + note if note else " (--quick)"))
    L.append("")
    L.append("| bigheap %s blocks | total s | exit phase s | peak RSS MiB |" % bigheap_size(blocks))
    L.append("|---|---:|---:|---:|")
    for n, c in cells.items():
        ex = c.median("exit_s")
        L.append("| %s | %s | %s | %s |" % (n, fmt_s(c.median_s()),
                                            "—" if ex is None else "%.3f" % ex,
                                            fmt_mib(c.median_rss())))
    if "lsan" in cells:
        L.append("| gate ÷ LSan | %s | %s | %s |" % tuple(
            fmt_x(bigheap_ratio(cells, w)) for w in ("seconds", "exit_s", "maxrss_kib")))
    L.append("")
    return L


def bigheap_targets(bigheap):
    """Issue 15's three targets: gate ≤ 1.0 × LSan in total and in the exit phase, and peak
    RSS no higher than LSan's, on the 10 M-block heap."""
    if not bigheap:
        return []
    blocks, cells, _ = bigheap
    where = "bigheap %s" % bigheap_size(blocks)
    if blocks != BIGHEAP_BLOCKS:
        where += " (not the 10 M of the target)"
    rows = []
    for label, what in (("gate ≤ 1.0 × LSan, 10 M blocks: total", "seconds"),
                        ("gate ≤ 1.0 × LSan, 10 M blocks: exit phase", "exit_s"),
                        ("peak RSS gate ≤ LSan, 10 M blocks", "maxrss_kib")):
        r = bigheap_ratio(cells, what)
        rows.append((label, where, fmt_x(r), "1.000", verdict(None if r is None else r <= 1.0)
                     if "lsan" in cells else "not measured: no liblsan.so.0"))
    return rows


# ---------------------------------------------------------------------------------------------
# The pause of a leak check on demand (issue 16 part 4)

CHECK_PAUSE_MIB = 1024
CHECK_PAUSE_LINE = re.compile(r"the world stopped for ([0-9.]+) ms, ([0-9.]+) MiB scanned")


def check_pause_bench(mib, reps, tmp, log, problems):
    """`check_pause MIB 1 [pointers]` (a heap of MIB MiB in 4 KiB blocks, a cache and a leak)
    with one libleak_check_now(), in exact mode and at the default rate, the blocks filled with
    data or with pointers: {mode: [(ms, MiB scanned)]}, read from the check's report line."""
    res = {}
    for mode, rate, kind in (("exact (LIBLEAK_RATE=1)", "1", "data"),
                             ("default rate (512 KiB)", None, "data"),
                             ("default rate, every word a pointer", None, "pointers")):
        env = {"LD_PRELOAD": LIB, "LIBLEAK_AT_EXIT": "0", "LIBLEAK_CHECK_PROFILE": "0"}
        if rate:
            env["LIBLEAK_RATE"] = rate
        res[mode] = []
        for _ in range(reps):
            r = run_once([os.path.join(BENCH, "check_pause"), str(mib), "1", kind], env, tmp)
            m = CHECK_PAUSE_LINE.search(r.stderr)
            if r.status != 0 or not m:
                problems.append("check_pause / %s: status %d, no pause reported: %s" %
                                (mode, r.status, r.stderr.strip().splitlines()[-1:]))
                continue
            res[mode].append((float(m.group(1)), float(m.group(2))))
            log("  %-12s %-24s %.1f ms for %.1f MiB" % ("check_pause", mode, res[mode][-1][0],
                                                         res[mode][-1][1]))
    return res


def check_pause_table(mib, res, reps):
    L = ["### The pause of a leak check on demand (issue 16)", ""]
    L.append("`build/bench/check_pause %d 1 [pointers]`: %d MiB live in 4 KiB blocks filled with "
             "data that is no pointer (or, last row, with pointers to other blocks), held in "
             "chains from a global (a cache), one block in 64 dropped; "
             "one `libleak_check_now()` per run, %d run(s) per mode. The world is stopped from "
             "the first thread stopped to the last resumed; the scan is all that happens in it "
             "(grouping, naming and writing follow once the program runs again). Scanned: the "
             "roots, plus the blocks in exact mode; at the default rate the heap is read as raw "
             "words. Medians." % (mib, mib, reps))
    L.append("")
    L.append("| check_pause %d MiB | pause ms | MiB scanned | ms per GiB scanned |" % mib)
    L.append("|---|---:|---:|---:|")
    for mode, runs in res.items():
        if not runs:
            L.append("| %s | — | — | — |" % mode)
            continue
        ms = statistics.median(r[0] for r in runs)
        scanned = statistics.median(r[1] for r in runs)
        per_gib = statistics.median(r[0] * 1024 / r[1] for r in runs if r[1] > 0)
        L.append("| %s | %.1f | %.1f | %.0f |" % (mode, ms, scanned, per_gib))
    L.append("")
    return L


# ---------------------------------------------------------------------------------------------
# Dump benchmark and memory per live block

def dump_bench(counts, symbolize_values, reps, tmp, log, problems):
    stacks = os.path.join(BENCH, "stacks")
    res = {}
    for sym in symbolize_values:
        for count in counts:
            times, size = [], None
            for rep in range(reps):
                path = os.path.join(tmp, "out", "dump-%d-%s-%d.pb.gz" % (count, sym, rep))
                env = {"LD_PRELOAD": LIB, "LIBLEAK_RATE": "1", "LIBLEAK_AT_EXIT": "0",
                       "LIBLEAK_OUT": os.path.join(tmp, "out")}
                if sym is not None:
                    env["LIBLEAK_SYMBOLIZE"] = sym
                outp = os.path.join(tmp, "stacks.out")
                with open(outp, "wb") as o:
                    r = run_once([stacks, str(count), path], env, tmp, stdout=o)
                with open(outp) as o:
                    text = o.read().split()
                if r.status != 0 or len(text) != 2:
                    problems.append("dump %d stacks (symbolize=%s): exit %d: %s" %
                                    (count, sym, r.status, r.stderr.strip()[-300:]))
                    break
                times.append(float(text[0]))
                size = int(text[1])
                os.unlink(path)
            res[(count, sym)] = (statistics.median(times) if times else None, size)
            log("  dump %6d stacks symbolize=%s: %s" % (count, sym, res[(count, sym)]))
    return res


# The exit profile of a small program (issue 18): `hold 2000 4096` (8 MB in 2000 live blocks
# of one call site), with no library, with the library but no exit profile, and with the exit
# profile unnamed (LIBLEAK_SYMBOLIZE=0) and named (=1), at the default rate and exact; in
# turns. What the exit profile costs is its row minus the "no profile" row.
EXIT_PROFILE_ARGS = ["2000", "4096"]


def exit_profile_configs():
    rows = [("no library", {})]
    for mode, rate in (("default", {}), ("exact", {"LIBLEAK_RATE": "1"})):
        lib = dict(rate, LD_PRELOAD=LIB)
        rows += [("%s, no profile" % mode, dict(lib, LIBLEAK_AT_EXIT="0")),
                 ("%s, unnamed" % mode, dict(lib, LIBLEAK_SYMBOLIZE="0")),
                 ("%s, named" % mode, dict(lib, LIBLEAK_SYMBOLIZE="1"))]
    return rows


def exit_profile_bench(reps, tmp, log, problems):
    hold = os.path.join(BENCH, "hold")
    out = os.path.join(tmp, "exitprof")
    os.makedirs(out, exist_ok=True)
    runs = {name: [] for name, _ in exit_profile_configs()}
    for _ in range(reps):
        for name, env in exit_profile_configs():
            # CPU time (user + sys) from getrusage, to the microsecond: on a shared machine the
            # wall time of a 10 ms program is mostly waiting for a core.
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = run_once([hold] + EXIT_PROFILE_ARGS, dict(env, LIBLEAK_OUT=os.path.join(out, "p.%p.pb.gz")),
                         tmp)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            r.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if r.status not in (0, 1):
                problems.append("exit profile (%s): exit status %d: %s" % (name, r.status, r.stderr[-300:]))
                return None
            runs[name].append(r)
        for f in os.listdir(out):
            os.unlink(os.path.join(out, f))
    res = {name: (statistics.median(r.cpu for r in rs) * 1000, statistics.median(r.maxrss_kib for r in rs),
                  statistics.median(r.seconds for r in rs) * 1000) for name, rs in runs.items()}
    log("  exit profile x%d: %s" % (reps, ", ".join("%s %.1f ms CPU %d KiB" % (n, ms, kib)
                                                     for n, (ms, kib, _) in res.items())))
    return res


def render_exit_profile(reps, res):
    L = ["### The exit profile of a small program, named and unnamed (issue 18)", ""]
    L.append("`hold %s`, %d runs of each in turns; medians of CPU time (user + sys, getrusage), "
             "wall time and peak RSS. The cost of the exit profile is its row minus the same "
             "mode's \"no profile\" row (`LIBLEAK_AT_EXIT=0`), in CPU ms." % (" ".join(EXIT_PROFILE_ARGS), reps))
    L.append("")
    L.append("| | CPU ms | wall ms | peak RSS MiB | exit profile CPU ms | exit profile MiB |")
    L.append("|---|---:|---:|---:|---:|---:|")
    for name, _ in exit_profile_configs():
        ms, kib, wall = res[name]
        mode = name.split(",")[0]
        base = res.get("%s, no profile" % mode)
        extra = ("%+.1f | %+.2f" % (ms - base[0], (kib - base[1]) / 1024)
                 if base and not name.endswith("no profile") else "— | —")
        L.append("| %s | %.1f | %.1f | %.1f | %s |" % (name, ms, wall, kib / 1024, extra))
    L.append("")
    return L


def exit_profile_targets(res):
    """Issue 18: the unnamed exit profile of a small program costs <= 5 ms and <= 2 MiB."""
    rows = []
    for mode in ("default", "exact"):
        base, unnamed = res.get("%s, no profile" % mode), res.get("%s, unnamed" % mode)
        if not base or not unnamed:
            continue
        ms, mib = unnamed[0] - base[0], (unnamed[1] - base[1]) / 1024
        rows.append(("exit profile, unnamed, %s rate ≤ 5 ms (CPU)" % mode, "hold", "%+.1f ms" % ms, "5 ms",
                     verdict(ms <= 5)))
        rows.append(("exit profile, unnamed, %s rate ≤ 2 MiB" % mode, "hold", "%+.2f MiB" % mib, "2 MiB",
                     verdict(mib <= 2)))
    return rows


# A short-lived process (issue 19, item 13): echo, RUNS times in each configuration, taken in
# turns (bare, default, exact, bare, ...); start-up and the exit profile together, as a shell
# script running echo pays them. Medians of wall time, and their ratios to bare.
SHORT_CONFIGS = (("bare", {}), ("default rate", {"LD_PRELOAD": LIB}),
                 ("exact", {"LD_PRELOAD": LIB, "LIBLEAK_RATE": "1"}))


def short_process_bench(runs, tmp, log, problems):
    out = os.path.join(tmp, "short")
    os.makedirs(out, exist_ok=True)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("LIBLEAK_") and k not in ("LD_PRELOAD", "MALLOC_CONF", "HEAPPROFILE")}
    times = {name: [] for name, _ in SHORT_CONFIGS}
    for _ in range(runs):
        for name, extra in SHORT_CONFIGS:
            env = dict(base, LIBLEAK_OUT=os.path.join(out, "echo.%p.heap"), **extra)
            t0 = time.perf_counter()
            proc = subprocess.run(["/bin/echo", "hello"], env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=out)
            times[name].append(time.perf_counter() - t0)
            if proc.returncode != 0:
                problems.append("echo (%s): exit %d: %s" % (name, proc.returncode,
                                                           proc.stderr.decode(errors="replace")[-300:]))
                return None
        for f in os.listdir(out):
            os.unlink(os.path.join(out, f))
    res = {name: statistics.median(t) * 1000 for name, t in times.items()}
    log("  echo x%d: %s" % (runs, ", ".join("%s %.2f ms" % kv for kv in res.items())))
    return res


def render_short_process(runs, res):
    L = ["### A short-lived process: `echo hello`, start-up and exit profile", ""]
    L.append("%d runs of each, in turns; median wall time and its ratio to bare." % runs)
    L.append("")
    L.append("| | " + " | ".join(name for name, _ in SHORT_CONFIGS) + " |")
    L.append("|---|" + "---:|" * len(SHORT_CONFIGS))
    bare = res["bare"]
    L.append("| median ms (× bare) | " + " | ".join(
        "%.2f" % res[name] if name == "bare" else "%.2f (%.1f×)" % (res[name], res[name] / bare)
        for name, _ in SHORT_CONFIGS) + " |")
    L.append("")
    return L


def live_block_cost(configs, count, reps, tmp, log, problems):
    """(peak RSS exact - peak RSS bare) / COUNT for COUNT live 32-byte blocks of one stack."""
    hold = os.path.join(BENCH, "hold")
    cells = measure_group("hold", [hold, str(count), "32"], configs, ["bare", "libleak exact"],
                          reps, tmp, log, problems)
    b, e = cells["bare"].median_rss(), cells["libleak exact"].median_rss()
    if b is None or e is None:
        return None, cells
    return (e - b) * 1024 / count, cells


# ---------------------------------------------------------------------------------------------
# Formatting

def fmt_s(x):
    return "—" if x is None else ("%.3f" % x if x < 10 else "%.1f" % x)


def fmt_x(x):
    return "—" if x is None else ("%.3f" % x if x < 2 else "%.2f" % x if x < 100 else "%.0f" % x)


def fmt_mib(kib):
    return "—" if kib is None else "%.1f" % (kib / 1024)


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = ", %.0f GiB RAM" % (kib / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores%s, %s %s, glibc %s" % (model, os.cpu_count() or 0, mem, platform.system(),
                                                platform.release(), platform.libc_ver()[1])


def loadavg():
    """The 1-minute load average: on a shared 2-core machine it says how much to trust a time."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--full", action="store_true", help="make bench (default)")
    g.add_argument("--quick", action="store_true", help="make bench-quick")
    ap.add_argument("--reps", type=int, help="repetitions (default 5, quick 2)")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    ap.add_argument("--short", type=int, metavar="RUNS",
                    help="only the short-lived process row: echo RUNS times per configuration")
    ap.add_argument("--only", metavar="NAME",
                    help="only the workload NAME (churn, 'threads 2', ..., bigheap) and its /50 "
                         "group: no callgrind, dump, live-block, short-process or long-run rows, "
                         "and docs/PERFORMANCE.md is never written")
    ap.add_argument("--write", action="store_true",
                    help="update docs/PERFORMANCE.md even from --quick (by default only the full "
                         "run replaces the table kept there)")
    args = ap.parse_args()
    quick = args.quick
    reps = args.reps or (2 if quick else 5)
    start = time.time()
    load_start = loadavg()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if args.short:
        tmp = tempfile.mkdtemp(prefix="libleak-bench-")
        problems = []
        try:
            res = short_process_bench(args.short, tmp, log, problems)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print("\n".join(render_short_process(args.short, res) if res else problems))
        return

    for p in (os.path.join(BENCH, "churn"), FLOOR):
        if not os.path.exists(p):
            sys.exit("bench: %s is missing: run `make bench-programs` first" % p)
    have_lib = os.path.exists(LIB)
    have_gate = have_lib and lib_knows("LIBLEAK_CHECK")
    have_symbolize = have_lib and lib_knows("LIBLEAK_SYMBOLIZE")
    have_fp = have_lib and lib_knows("LIBLEAK_UNWIND")
    exact = (["libleak exact"] + (["libleak exact fp", "libleak exact libunwind"] if have_fp else [])) \
        if have_lib else []
    notes, problems = [], []
    if not have_lib:
        notes.append("build/libleak.so is missing: libleak rows are empty.")
    if not have_gate:
        notes.append("Leak gate: libleak.so does not read LIBLEAK_CHECK yet: no gate rows.")
    if have_lib and not have_fp:
        notes.append("libleak.so does not read LIBLEAK_UNWIND: no frame-pointer rows.")
    if not have_symbolize:
        notes.append("libleak.so does not read LIBLEAK_SYMBOLIZE: the dump is timed only as "
                     "configured by default (symbolized).")
    for name, path in (("jemalloc (libjemalloc2)", JEMALLOC),
                       ("gperftools (libgoogle-perftools4)", TCMALLOC),
                       ("heaptrack", HEAPTRACK), ("valgrind", VALGRIND),
                       ("LeakSanitizer (liblsan0)", LSAN)):
        if not path:
            notes.append("%s is not installed: its rows are missing." % name)

    known = [w for w, _ in workloads(quick)] + ["bigheap", "exit", "check_pause"]
    if args.only and args.only not in known:
        sys.exit("bench: --only %r: the workloads are %s" % (args.only, ", ".join(known)))
    bigheap_names = (["bare"] + ["leak gate"] + (["lsan"] if LSAN else [])) if have_gate else []
    if not have_gate:
        notes.append("bigheap (issue 15) needs the leak gate: no rows.")
    run_bigheap = bigheap_names and args.only in (None, "bigheap")

    tmp = tempfile.mkdtemp(prefix="libleak-bench-")
    try:
        configs = configurations(tmp)
        ours = ["bare", "floor"] + (["libleak"] if have_lib else []) + exact
        fast_peers = [n for n in ("jemalloc", "jemalloc prof") if n in configs]
        # heaptrack runs on the full workload, in the main group: on a reduced one its fixed
        # start-up (a shell script, a second process for its interpreter) made it look 2-4 x
        # slower than it is on perl. memcheck and gperftools (30-300 x) run on a fiftieth, next
        # to the leak gate.
        main_names = ours + fast_peers + [n for n in ("heaptrack",) if n in configs]
        slow50 = ["bare"] + (["leak gate"] if have_gate else []) + \
                 [n for n in ("memcheck", "tcmalloc", "tcmalloc heapprof") if n in configs]
        # The leak gate and LeakSanitizer run in the main group of the workloads issue 7 names:
        # both check at exit, both on the full workload.
        gate_names = [n for n in (["leak gate"] if have_gate else []) +
                      (["leak gate fp"] if have_gate and have_fp else []) + ["lsan"] if n in configs]
        groups = []
        for wname, argv in workloads(quick):
            if args.only and wname != args.only:
                continue
            groups.append((wname, argv, main_names + (gate_names if wname in GATE_WORKLOADS
                                                      else [])))
            if len(slow50) > 1:
                groups.append((wname + " /50", reduce(argv, 50), slow50))

        log("libleak bench: %s, %d repetition(s), scratch %s" %
            ("quick" if quick else "full", reps, tmp))
        results = []
        for wname, argv, names in groups:
            cells = measure_group(wname, argv, configs, names, reps, tmp, log, problems)
            results.append((wname, argv, names, cells))

        bigheap = None
        if run_bigheap:
            blocks, note = bigheap_blocks(quick)
            if note:
                notes.append(note)
            log("bigheap %d ..." % blocks)
            bigheap = (blocks, bigheap_bench(configs, blocks, bigheap_names, reps, tmp, log,
                                             problems), note)

        check_pause = None
        if have_lib and lib_knows("libleak_check_now") and args.only in (None, "check_pause"):
            mib = CHECK_PAUSE_MIB // (4 if quick else 1)
            log("check_pause %d MiB ..." % mib)
            check_pause = (mib, check_pause_bench(mib, reps, tmp, log, problems), reps)

        cg = {}
        if VALGRIND and not args.only:
            log("callgrind ...")
            gates = (["leak gate"] if have_gate else []) + (["leak gate fp"] if have_gate and have_fp
                                                              else [])
            cg_names = ours + gates
            n_pairs = 50_000 if quick else 200_000
            pairs = {n: n_pairs for n in cg_names}
            # Exact mode unwinds every allocation: under callgrind that is ~50x slower, and a
            # tenth of the pairs already averages out the first unwind's set-up.
            for n in exact + gates:
                pairs[n] = n_pairs // 10
            cg = callgrind_pairs(configs, cg_names, pairs, tmp, log)

        exit_profile = None
        if have_lib and have_symbolize and args.only in (None, "exit"):
            log("exit profile ...")
            exit_profile = exit_profile_bench(5 if quick else 11, tmp, log, problems)
        dump, per_block = {}, None
        hold_cells, longrun = None, {}
        short_runs, short = 0, None
        if have_lib and not args.only:
            log("dump ...")
            dump = dump_bench([1000, 10000, 100000], ["0", "1"] if have_symbolize else [None],
                              1 if quick else 3, tmp, log, problems)
            log("live blocks ...")
            per_block, hold_cells = live_block_cost(configs, 1_000_000, 1 if quick else 3, tmp,
                                                    log, problems)
            log("short-lived process ...")
            short_runs = 50 if quick else 200
            short = short_process_bench(short_runs, tmp, log, problems)
            log("long run ...")
            longrun = longrun_bench(configs, 10_000_000 if quick else 100_000_000, 1, tmp, log,
                                    problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.time() - start
    loads = (load_start, loadavg())
    report = render(quick, reps, results, cg, dump, per_block, hold_cells, notes, problems,
                    have_lib, have_gate, have_symbolize, elapsed, loads, longrun,
                    render_short_process(short_runs, short) if short else None, bigheap,
                    args.only, exit_profile, check_pause)
    print(report)
    if not args.no_write and not args.only and (not quick or args.write):
        write_doc(report)
        log("bench: wrote %s (%.0f s)" % (os.path.relpath(PERF_DOC, ROOT), elapsed))


BASE_OF = {"jemalloc prof": "jemalloc", "tcmalloc heapprof": "tcmalloc", "jemalloc": "bare",
           "tcmalloc": "bare"}


def render(quick, reps, results, cg, dump, per_block, hold_cells, notes, problems, have_lib,
           have_gate, have_symbolize, elapsed, loads, longrun=None, short_lines=None,
           bigheap=None, only=None, exit_profile=None, check_pause=None):
    L = []
    cmd = "make bench-quick" if quick else "make bench"
    run = "python3 tests/bench/run.py --%s" % ("quick" if quick else "full")
    made = "`%s --only '%s'` (that workload alone)" % (run, only) if only else \
        "`%s` (`%s`)" % (cmd, run)
    L.append("Made by %s on %s UTC in %.0f s." %
             (made, datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), elapsed))
    L.append("")
    L.append("Machine: %s. Load average (1 min) at start %.1f, at end %.1f: the machine is "
             "shared, and a load above the core count makes times noisy." %
             ((machine(),) + loads))
    L.append("")
    L.append("%d repetition(s) per cell, configurations alternating within each group." % reps)
    if results:
        L[-1] += (" "
                  "`× base` is the median of the pair-by-pair ratios to the group's baseline "
                  "(bare; plain jemalloc for `jemalloc prof`, plain tcmalloc for `tcmalloc "
                  "heapprof`); `× floor` the same against the forwarding-only shim; `CPU ×` the "
                  "same ratios of user+system CPU time, steadier than wall time when the machine "
                  "is shared (for the threaded workloads wall time is the one that counts: "
                  "waiting costs no CPU). `/50` rows run the workload with a fiftieth of the "
                  "operations for memcheck and gperftools (30-300 x); valgrind's fixed start-up "
                  "weighs more there. heaptrack's CPU time includes its interpreter process, "
                  "which runs beside the program on the second core, so its wall time hides part "
                  "of its cost. libleak runs with LIBLEAK_AT_EXIT=0: writing the profile is timed"
                  " on its own below.")
    L.append("")
    if results:
        L.extend(main_table(results))
    L.extend(gate_table(results))
    if bigheap:
        L.extend(bigheap_table(bigheap, reps))
    if check_pause:
        L.extend(check_pause_table(*check_pause))

    if cg:
        L.append("### Instructions per malloc+free pair (callgrind)")
        L.append("")
        L.append("`(Ir(churn N 1000) - Ir(churn 0 1000)) / N`: one pair is one free and one malloc "
                 "of 16..512 bytes plus the loop around them; callgrind's cache simulation "
                 "(`--cache-sim=yes`) counts the L1 data misses.")
        L.append("")
        L.append("| configuration | Ir per pair | extra over bare | L1 data misses per pair | extra over bare |")
        L.append("|---|---:|---:|---:|---:|")
        b = cg.get("bare")
        for n, v in cg.items():
            if v is None:
                L.append("| %s | — | — | — | — |" % n)
                continue
            L.append("| %s | %.1f | %s | %.3f | %s |" %
                     (n, v[0], "—" if b is None or n == "bare" else "%+.1f" % (v[0] - b[0]),
                      v[1], "—" if b is None or n == "bare" else "%+.3f" % (v[1] - b[1])))
        L.append("")

    if dump:
        L.append("### Writing a profile (libleak_dump, LIBLEAK_RATE=1)")
        L.append("")
        L.append("| distinct stacks | symbolized | median ms | file bytes |")
        L.append("|---:|---|---:|---:|")
        for (count, sym), (ms, size) in sorted(dump.items(), key=lambda kv: (str(kv[0][1]),
                                                                             kv[0][0])):
            L.append("| %d | %s | %s | %s |" % (count, {"0": "no", "1": "yes", None: "default"}[sym],
                                                 "—" if ms is None else "%.1f" % ms,
                                                 "—" if size is None else "{:,}".format(size)))
        L.append("")

    if short_lines:
        L.extend(short_lines)
    if exit_profile:
        L.extend(render_exit_profile(11 if not quick else 5, exit_profile))

    if hold_cells:
        L.append("### Exact mode, memory per live block")
        L.append("")
        L.append("`build/bench/hold 1000000 32` holds 1 000 000 live 32-byte blocks of one stack: "
                 "peak RSS bare %s MiB, exact %s MiB: **%s bytes per live block**." %
                 (fmt_mib(hold_cells["bare"].median_rss()),
                  fmt_mib(hold_cells["libleak exact"].median_rss()),
                  "—" if per_block is None else "%.1f" % per_block))
        L.append("")
        L.append("Of these, the birth of each block (for the `age` label) is 4 bytes per slot of the "
                 "live table, kept at most half full: 8.5 bytes per live block measured when it came "
                 "(35.8 → 44.3).")
        L.append("")

    if longrun:
        pairs = "10^7" if quick else "10^8"
        L.append("### Exact mode in a long run")
        L.append("")
        L.append("`build/bench/longrun %s`: 100 000 resident blocks, then %s malloc+free pairs "
                 "over a window of 10 000; ns per pair of the second and of the last million "
                 "pairs (one run: a trend, not a precise figure)." % (
                     "10000000" if quick else "100000000", pairs))
        L.append("")
        L.append("| configuration | early ns/pair | late ns/pair | late / early |")
        L.append("|---|---:|---:|---:|")
        for n, v in longrun.items():
            L.append("| %s | %s | %s | %s |" % (
                n, "—" if not v else "%.1f" % v[0], "—" if not v else "%.1f" % v[1],
                "—" if not v or not v[0] else "%.2f" % (v[1] / v[0])))
        L.append("")

    L.append("### Targets (issues 4, 7 and 15)")
    L.append("")
    L.append("| target | workload | measured | limit | result |")
    L.append("|---|---|---:|---:|---|")
    for row in targets(results, cg, dump, per_block, have_lib, have_gate) + \
            bigheap_targets(bigheap) + (exit_profile_targets(exit_profile) if exit_profile else []):
        L.append("| %s | %s | %s | %s | %s |" % row)
    L.append("")
    if notes or problems:
        L.append("Notes:")
        L.append("")
        for n in notes:
            L.append("- " + n)
        for p in problems:
            L.append("- run failed: " + p)
        L.append("")
    return "\n".join(L)


def main_table(results):
    L = ["| workload | configuration | median s | × base | × floor | CPU × base | CPU × floor "
         "| peak RSS MiB | RSS × base |",
         "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for wname, argv, names, cells in results:
        for n in names:
            c = cells[n]
            base = BASE_OF.get(n, "bare")
            rb = pair_ratio(c, cells[base]) if n != "bare" and base in cells else None
            rf = pair_ratio(c, cells["floor"]) if n.startswith("libleak") and "floor" in cells \
                else None
            cb = pair_ratio(c, cells[base], "cpu") if n != "bare" and base in cells else None
            cf = pair_ratio(c, cells["floor"], "cpu") if n.startswith("libleak") and \
                "floor" in cells else None
            rss, brss = c.median_rss(), cells[base].median_rss() if base in cells else None
            rssx = rss / brss if rss and brss and n != "bare" else None
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" %
                     (wname, n, fmt_s(c.median_s()), fmt_x(rb), fmt_x(rf), fmt_x(cb), fmt_x(cf),
                      fmt_mib(rss), fmt_x(rssx)))
    L.append("")
    L.append("Workload commands (full size): %s." % "; ".join(
        "%s = `%s`" % (w, " ".join(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a
                                   for a in argv))
        for w, argv, names, cells in results if "/" not in w))
    L.append("")
    return L


def gate_table(results):
    """Issue 7's comparison in one table: exact mode and the leak gate against bare, the gate
    against LeakSanitizer (full workload) and against memcheck (the /50 workload)."""
    by_name = {w: cells for w, argv, names, cells in results}
    rows = []
    for w in GATE_WORKLOADS:
        cells, slow = by_name.get(w), by_name.get(w + " /50")
        if not cells:
            continue

        def x(a, b, group=cells):
            return fmt_x(pair_ratio(group[a], group[b])) if group and a in group and b in group \
                else "—"
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            w, fmt_s(cells["bare"].median_s()), x("libleak exact", "bare"),
            x("libleak exact fp", "bare"), x("libleak exact libunwind", "bare"),
            x("leak gate", "bare"), x("leak gate fp", "bare"), x("lsan", "bare"),
            x("leak gate", "lsan"), x("leak gate fp", "lsan"),
            x("memcheck", "bare", slow), x("memcheck", "leak gate", slow)))
    if not rows:
        return []
    return ["### Leak gate side by side (issue 7)", "",
            "Wall-time ratios, each the median of the pair-by-pair ratios of one run: exact mode "
            "with the library's default unwinder, with `LIBLEAK_UNWIND=fp` and with "
            "`LIBLEAK_UNWIND=libunwind`; the leak gate (`LIBLEAK_CHECK=1`: exact mode and the check "
            "at exit), with the default unwinder and with `LIBLEAK_UNWIND=fp`; LeakSanitizer preloaded (`LD_PRELOAD=liblsan.so.0`, its check at exit "
            "included); memcheck (`--leak-check=full`) on the `/50` workload against bare and "
            "against the gate there.", "",
            "| workload | bare s | exact × bare | exact fp × bare | exact libunwind × bare "
            "| gate × bare | gate fp × bare | LSan × bare | gate / LSan | gate fp / LSan "
            "| memcheck × bare (/50) | memcheck / gate (/50) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows + [""]


def verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "**MISS**")


def targets(results, cg, dump, per_block, have_lib, have_gate):
    rows = []
    if not have_lib:
        return [("every target", "—", "—", "—", "libleak.so missing")]
    for wname, argv, names, cells in results:
        if "/" in wname:
            continue
        r = pair_ratio(cells["libleak"], cells["floor"])
        rc = pair_ratio(cells["libleak"], cells["floor"], "cpu")
        rows.append(("default rate ≤ 1.02 × floor, pair by pair (wall; CPU)", wname,
                     "%s; %s" % (fmt_x(r), fmt_x(rc)), "1.020",
                     verdict(None if r is None else r <= 1.02)))
    for wname, argv, names, cells in results:
        if "/" in wname:
            continue
        b, d = cells["bare"].median_rss(), cells["libleak"].median_rss()
        if b is None or d is None:
            continue
        extra, limit = (d - b) / 1024, 4 + 0.01 * b / 1024
        rows.append(("default rate extra peak RSS ≤ 4 MiB + 1 %", wname, "%.2f MiB" % extra,
                     "%.2f MiB" % limit, verdict(extra <= limit)))
    if cg.get("bare") is not None and cg.get("libleak") is not None:
        extra = cg["libleak"][0] - cg["bare"][0]
        rows.append(("default rate extra Ir per malloc+free pair ≤ 35", "churn (callgrind)",
                     "%.1f" % extra, "35", verdict(extra <= 35)))
    for wname, argv, names, cells in results:
        if "/" in wname or not wname.startswith(("churn", "threads")):
            continue
        for n in [n for n in names if n.startswith("libleak exact")]:
            r = pair_ratio(cells[n], cells["bare"])
            rc = pair_ratio(cells[n], cells["bare"], "cpu")
            rows.append(("%s ≤ 4 × bare (wall; CPU)" % n.replace("libleak ", ""), wname,
                         "%s; %s" % (fmt_x(r), fmt_x(rc)), "4.00",
                         verdict(None if r is None else r <= 4)))
    for wname, argv, names, cells in results:
        if "/" in wname or "heaptrack" not in cells:
            continue
        for n in [n for n in names if n.startswith("libleak exact")]:
            r = pair_ratio(cells["heaptrack"], cells[n])
            rc = pair_ratio(cells["heaptrack"], cells[n], "cpu")
            rows.append(("%s ≥ 5 × faster than heaptrack (wall; CPU)" % n.replace("libleak ", ""),
                         wname, "%s; %s" % (fmt_x(r), fmt_x(rc)), "5.00",
                         verdict(None if r is None else r >= 5)))
    if have_gate:
        for wname, argv, names, cells in results:
            if "/" not in wname or "memcheck" not in cells:
                continue
            r = pair_ratio(cells["memcheck"], cells["leak gate"])
            rows.append(("leak gate ≥ 20 × faster than memcheck", wname, fmt_x(r), "20.0",
                         verdict(None if r is None else r >= 20)))
        for wname, argv, names, cells in results:
            if wname not in GATE_WORKLOADS or "lsan" not in cells or "leak gate" not in cells:
                continue
            for n in [n for n in ("leak gate", "leak gate fp") if n in cells]:
                r = pair_ratio(cells[n], cells["lsan"])
                rows.append(("%s ≤ 1.0 × LeakSanitizer (wall)" % n, wname, fmt_x(r), "1.000",
                             verdict(None if r is None else r <= 1.0)))
    else:
        rows.append(("leak gate ≥ 20 × faster than memcheck", "—", "—", "20.0",
                     "not measured: no LIBLEAK_CHECK yet"))
    for wname, argv, names, cells in results:
        if "/" in wname or not wname.startswith(("churn", "threads")):
            continue
        for n in [n for n in names if n.startswith("libleak exact")]:
            r = pair_ratio(cells[n], cells["bare"])
            rows.append(("%s ≤ 3 × bare (wall, issue 7)" % n.replace("libleak ", ""), wname,
                         fmt_x(r), "3.00", verdict(None if r is None else r <= 3)))
    # Issue 7: below the extra instructions per pair measured before it (docs/PERFORMANCE.md,
    # 2026-11-23: +576.5 with frame pointers, +1418.1 with libunwind). The default is to be
    # the frame-pointer walk, so it is held to the fp figure.
    before = {"libleak exact": 576.5, "libleak exact fp": 576.5, "libleak exact libunwind": 1418.1,
              "leak gate": 576.5, "leak gate fp": 576.5}
    for n, limit in before.items():
        if cg.get("bare") is None or cg.get(n) is None:
            continue
        extra = cg[n][0] - cg["bare"][0]
        rows.append(("%s extra Ir per malloc+free pair below issue 7's start" %
                     n.replace("libleak ", ""), "churn (callgrind)", "%+.1f" % extra,
                     "%+.1f" % limit, verdict(extra < limit)))
    if per_block is not None:
        rows.append(("exact memory per live block ≤ 48 B", "hold 1e6 × 32 B", "%.1f B" % per_block,
                     "48 B", verdict(per_block <= 48)))
    key = (100000, "0") if (100000, "0") in dump else (100000, None)
    if key in dump and dump[key][0] is not None:
        ms = dump[key][0]
        rows.append(("dump of 100 000 stacks%s ≤ 200 ms" %
                     (", no symbolization" if key[1] == "0" else " (symbolized: no switch)"),
                     "stacks", "%.1f ms" % ms, "200 ms", verdict(ms <= 200)))
    return rows


def write_doc(report):
    head = ("# Performance\n\nThe table between the markers is written by `make bench` "
            "(tests/bench/run.py); the notes outside them are kept when it is rewritten.\n\n")
    try:
        with open(PERF_DOC) as f:
            doc = f.read()
    except OSError:
        doc = head + BEGIN + "\n" + END + "\n"
    if BEGIN not in doc or END not in doc:
        doc = doc.rstrip("\n") + "\n\n" + BEGIN + "\n" + END + "\n"
    pre, rest = doc.split(BEGIN, 1)
    _, post = rest.split(END, 1)
    doc = pre + BEGIN + "\n" + report.rstrip("\n") + "\n" + END + post
    tmp = PERF_DOC + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, PERF_DOC)


if __name__ == "__main__":
    main()
