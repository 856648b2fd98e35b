/*
 * commands.c — the table of leakprof's commands with every help text, so that
 * `leakprof --help`, `leakprof CMD --help` and docs/leakprof.1 can be kept in step by
 * reading one file; and the start every command shares (options, --help, file count).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "reports/options.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *help;
};

static const struct command commands[] = {
        {"top", command_top, "functions by flat or cum value, like go tool pprof -top",
         "usage: leakprof top [-n N] [--sample-index NAME|POS] [--base OLD] [--cum]\n"
         "                    [--focus RE] [--ignore RE] [--nodefraction F]\n"
         "                    [--older-than D] [--tagfocus F] [--tagignore F] PROFILE...\n"
         "\n"
         "Prints pprof's text report: flat, flat%, sum%, cum, cum% and the function name,\n"
         "with the header lines and units go tool pprof -top prints for the same file.\n"
         "\n"
         "  -n, --nodecount N     show only the first N functions\n"
         "  -i, --sample-index X  sample type by name (inuse_space, alloc_objects, ...) or\n"
         "                        position; default: the file's default type, else the last\n"
         "  --base OLD            subtract OLD, stack by stack (matched by function names and\n"
         "                        lines, not addresses); negative values mean shrinkage\n"
         "  --cum                 order by cum instead of flat\n"
         "  --focus RE            keep only stacks with a function or file matching RE\n"
         "  --ignore RE           drop stacks with a function or file matching RE\n"
         "                        (POSIX extended regular expressions, unanchored)\n"
         "  --nodefraction F      drop functions whose |cum| is under F of the total\n"
         "                        (default 0.005, as pprof)\n"
         "  --older-than D        keep only live blocks at least D old (30s, 10m, 2h): the\n"
         "                        samples whose numeric label age is >= D\n"
         "  --tagfocus F          keep the samples with a label matching F, pprof's syntax:\n"
         "                        KEY=RE[,RE...] for strings (thread=^worker-), KEY=LOW:HIGH\n"
         "                        or KEY=VALUE for numbers with units (lifetime=:1ms,\n"
         "                        age=30m:, bytes=1mb); percentages stay of the whole\n"
         "  --tagignore F         drop the samples with a label matching F\n"
         "                        (both also in traces, diff, folded, html, growth, check,\n"
         "                        list and lifetimes)\n"},
        {"traces", command_traces, "every stack with its value, like go tool pprof -traces",
         "usage: leakprof traces [--sample-index NAME|POS] [--base OLD] [--focus RE]\n"
         "                       [--ignore RE] [--older-than D] PROFILE...\n"
         "\n"
         "Prints each sample's stack, leaf first, with its value and labels, in pprof's\n"
         "-traces layout. With --base, prints each distinct stack's difference instead.\n"
         "--older-than D keeps only live blocks at least D old (30s, 10m, 2h).\n"},
        {"diff", command_diff, "what grew from OLD to NEW, biggest growth first",
         "usage: leakprof diff [--sample-index NAME|POS] [-n N] [--focus RE] [--ignore RE]\n"
         "                     [--nodefraction F] OLD NEW\n"
         "\n"
         "Subtracts OLD from NEW stack by stack (stacks are matched by function names and\n"
         "lines, so two runs of one binary compare) and prints the functions ordered by\n"
         "growth, largest first, then the whole stacks that grew most.\n"},
        {"growth", command_growth, "stacks whose in-use bytes grow across snapshots",
         "usage: leakprof growth [--sample-index NAME|POS] [-n N] P1 P2 ... Pn\n"
         "\n"
         "Reads snapshots of one process, oldest first, and ranks its stacks as leak\n"
         "suspects: those that grew in the most steps first, then by how much they grew\n"
         "from the first snapshot to the last. Default sample type: inuse_space when the\n"
         "files have it. -n limits the stacks shown (default 20, 0 = all).\n"},
        {"folded", command_folded, "collapsed stacks for flame graphs",
         "usage: leakprof folded [--sample-index NAME|POS] [--focus RE] [--ignore RE]\n"
         "                       [--older-than D] PROFILE...\n"
         "\n"
         "Prints one line per distinct stack, root first, frames joined by ';', then a space\n"
         "and the value: the format of flamegraph.pl, inferno and speedscope. Stacks with a\n"
         "zero value are left out; lines are sorted.\n"},
        {"check", command_check, "fail (exit 1) when in-use memory exceeds limits",
         "usage: leakprof check [--max-bytes N] [--max-objects N] [--suppressions FILE]\n"
         "                      [--each] PROFILE...\n"
         "\n"
         "The CI gate: sums in-use bytes (inuse_space) and objects (inuse_objects) of the\n"
         "profiles, merged as go tool pprof merges them, leaving out stacks that a\n"
         "suppression matches, and exits 0 when within the limits, 1 with a report of the\n"
         "largest stacks when not, 2 when a file cannot be read or the files cannot be\n"
         "merged. --max-bytes takes 1048576, 512k, 10MB, 1GiB (powers of 1024). Without\n"
         "limits, any in-use byte fails the check.\n"
         "  --each    gate every PROFILE on its own (a quoted glob is the merge of its\n"
         "            files): one verdict line each, exit 1 when any is over a limit\n"
         "A suppressions file holds one 'leak:PATTERN' per line, as LeakSanitizer's and\n"
         "LIBLEAK_SUPPRESSIONS; a stack is suppressed when PATTERN matches the function name\n"
         "or source file of one of its frames: anywhere in it, '*' any run of characters, a\n"
         "leading '^' and a trailing '$' anchoring it. Lines starting with '#' and empty lines\n"
         "are ignored; any other line is an error.\n"},
        {"list", command_list, "annotated source of functions, like go tool pprof -list",
         "usage: leakprof list [--sample-index NAME|POS] [--base OLD] [--focus RE] [--ignore RE]\n"
         "                     [--source-path DIRS] REGEX PROFILE...\n"
         "\n"
         "For each function whose name matches REGEX (POSIX extended, unanchored), prints its\n"
         "source lines with the flat and cum value of each line, from five lines before the\n"
         "first line with a value to five after the last, as go tool pprof -list does.\n"
         "Relative source paths are looked up under each directory of --source-path\n"
         "(':'-separated; default: the current directory) and their parents. Where a file\n"
         "is not found, the lines that carry values are still listed, by number.\n"},
        {"lifetimes", command_lifetimes, "per site: bytes allocated, share freed within 1 ms / 1 s, live",
         "usage: leakprof lifetimes [-n N] [--focus RE] [--ignore RE] [--tagfocus F]\n"
         "                          [--tagignore F] PROFILE...\n"
         "\n"
         "Per allocation site (the leaf function, as top's flat column), from libleak's\n"
         "numeric label lifetime on the samples of freed blocks: bytes and blocks\n"
         "allocated, the share of the bytes freed within 1 ms and within 1 s, the share\n"
         "still live (in use), and the median lifetime of the freed blocks (by blocks, as\n"
         "the decade holding the middle one; live blocks are not in it). Largest first.\n"},
        {"info", command_info, "what a profile holds: types, period, time, counts",
         "usage: leakprof info PROFILE...\n"
         "\n"
         "Prints the sample types (the default marked), the period, time and duration, the\n"
         "number of samples, locations, functions, mappings and strings, the comments and\n"
         "the total of each sample type.\n"},
        {"html", command_html, "one self-contained HTML report: flame graph, timeline",
         "usage: leakprof html [-o FILE] [--sample-index NAME|POS] [--base OLD]\n"
         "                     [--older-than D] PROFILE...\n"
         "\n"
         "Writes one HTML file (default leakprof.html; '-o -' for stdout) that opens offline\n"
         "in any browser: it loads no script, style, font or image from anywhere.\n"
         "  - A flame graph (icicle, callers above callees) of the last PROFILE: hover shows\n"
         "    function, file:line, value and share; click zooms in, Back or Esc goes back;\n"
         "    the search box (a regular expression, case-sensitive, matching a function\n"
         "    name or a source file, as --focus) highlights matching frames and shows\n"
         "    their total share.\n"
         "  - With --base OLD, the difference: width is the larger of the two values, red\n"
         "    frames grew, blue frames shrank.\n"
         "  - With several PROFILEs, taken as snapshots of one process, oldest first: a\n"
         "    timeline of the total and of the top growing stacks (by each file's time), the\n"
         "    ranking of 'leakprof growth' (the same numbers), and a snapshot chooser.\n"
         "    A quoted glob ('worker-*.pb.gz') is one snapshot: the merge of its files.\n"
         "    Choosing a stack in the table or the timeline shows it in the flame graph.\n"
         "  - The facts of each file: program, build ID, period, samples, dropped samples\n"
         "    (libleak's counters), time and duration.\n"
         "  -o, --output FILE     where to write (default leakprof.html)\n"
         "  -i, --sample-index X  sample type by name or position; default inuse_space when\n"
         "                        the files have it, else the first file's default\n"
         "  --base OLD            show the difference from OLD\n"
         "  --older-than D        keep only live blocks at least D old (30s, 10m, 2h)\n"},
        {"symbolize", command_symbolize, "write the profiles merged, with frames named",
         "usage: leakprof symbolize [-o OUT] PROFILE...\n"
         "\n"
         "Writes the PROFILEs merged (as the other commands merge them) into one gzipped\n"
         "profile.proto, OUT (default named.pb.gz; '-' for stdout), in which every frame\n"
         "leakprof can name carries its function, file and line, inlined frames included:\n"
         "go tool pprof -symbolize=none, Pyroscope or Parca read it without any binary.\n"
         "Frames already named keep their names (symbolizing twice changes nothing).\n"
         "\n"
         "Every command names the frames a profile left unnamed (LIBLEAK_SYMBOLIZE=0), per\n"
         "mapping, from the first of: the file at the mapping's path, only if its build ID\n"
         "matches; a debug file by build ID, /usr/lib/debug/.build-id/xx/rest.debug, then\n"
         "DIR/.build-id/xx/rest.debug and DIR/xx/rest.debug for each --debug-dir DIR and\n"
         "each DIR of LEAKPROF_DEBUG_DIRS (':'-separated); debuginfod, when DEBUGINFOD_URLS\n"
         "is set (libdebuginfod, its cache DEBUGINFOD_CACHE_PATH; DEBUGINFOD_TIMEOUT 10,\n"
         "DEBUGINFOD_MAXTIME 120 and DEBUGINFOD_MAXSIZE 2 GiB unless set). A file whose\n"
         "build ID differs is never used. One line on stderr says how many frames stayed\n"
         "unnamed and why. Options of every command:\n"
         "  --debug-dir DIR   also look for debug files under DIR (repeatable)\n"
         "  --no-symbolize    name nothing: show the addresses the profile has\n"
         "  -o, --output OUT  where to write (default named.pb.gz)\n"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

void commands_print_usage(FILE *out)
{
    fprintf(out, "usage: leakprof COMMAND [OPTIONS] PROFILE...\n\n"
                 "Reads pprof profiles (profile.proto, gzipped or not) as written by libleak,\n"
                 "Go's runtime/pprof or any other writer.\n\nCommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSeveral profiles given to top, traces, folded, list, info or check are merged\n"
                 "as 'go tool pprof A B C' merges them; any PROFILE may be a quoted glob\n"
                 "('worker-*.pb.gz') standing for the merge of the files it matches.\n"
                 "\nFrames a profile left unnamed (LIBLEAK_SYMBOLIZE=0) are named from the binaries in\n"
                 "place (same build ID), debug files by build ID (--debug-dir DIR, LEAKPROF_DEBUG_DIRS)\n"
                 "or debuginfod (DEBUGINFOD_URLS); --no-symbolize shows the addresses instead\n"
                 "('leakprof symbolize --help').\n"
                 "\n'leakprof COMMAND --help' describes a command; man leakprof has the rest.\n"
                 "Exit status: 0 done, 1 check failed, 2 bad input or usage.\n");
}

int command_begin(const char *command, unsigned accepted, size_t min_files, size_t max_files,
                  const char *files_expected, int argc, char **argv, struct options *options)
{
    if (!options_parse(command, accepted, argc, argv, options))
        return 2;
    int status = -1;
    if (options->help) {
        for (size_t i = 0; i < COMMAND_COUNT; i++)
            if (strcmp(commands[i].name, command) == 0)
                fputs(commands[i].help, stdout);
        status = 0;
    } else if (options->file_count < min_files || (max_files && options->file_count > max_files)) {
        fprintf(stderr, "leakprof %s: expects %s (see 'leakprof %s --help')\n", command, files_expected,
                command);
        status = 2;
    }
    if (status >= 0)
        free(options->files);
    return status;
}

int commands_run(int argc, char **argv)
{
    if (argc < 2) {
        commands_print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        commands_print_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "leakprof: unknown command '%s' (see 'leakprof --help')\n", argv[1]);
    return 2;
}
