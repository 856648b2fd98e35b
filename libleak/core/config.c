/*
 * config — reading LIBLEAK_* once, at start, with a clear line for every bad value.
 *
 * Only libleak_setting (the environment, or an attach's text), strtoull and our own parsing
 * run here: the constructor calls this before the tables exist.
 */
#include "core/config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/quantities.h"
#include "core/log.h"
#include "core/settings.h"

#define DEFAULT_NEAR_LIMIT 90
#define MAX_FILES_LIMIT    100000

struct libleak_config libleak_config = {
        .rate = LIBLEAK_DEFAULT_RATE,
        .depth = LIBLEAK_DEFAULT_DEPTH,
        .signal = SIGUSR2,
        .at_exit = true,
        .symbolize = true,
        .thread_fold = true,
        .lifetimes = true,
        .out = LIBLEAK_DEFAULT_OUT,
        .max_stacks = 256 * 1024,
        .max_memory = 2ULL << 30,
        .exitcode = 23,
        .stop_signal = SIGPWR,
        .file_mode = 0600,
        .near_limit = DEFAULT_NEAR_LIMIT,
};

static void load_interval(void)
{
    const char *text = libleak_setting("LIBLEAK_INTERVAL");
    if (!text)
        return;
    uint64_t seconds;
    if (!libleak_parse_duration(text, &seconds) || seconds > 7 * 86400)
        libleak_log(
                "LIBLEAK_INTERVAL=\"%s\" is not a duration from 0 to 7d (like 30s, 5m, 1h); using 0 (no periodic snapshots)",
                text);
    else
        libleak_config.interval = seconds;
}

static void load_size(const char *name, uint64_t *target, uint64_t min, uint64_t max)
{
    const char *text = libleak_setting(name);
    if (!text)
        return;
    uint64_t value;
    if (!libleak_parse_size(text, &value) || value < min || value > max)
        libleak_log("%s=\"%s\" is not a size from %llu to %llu (k, m, g suffixes allowed); using %llu", name,
                    text, (unsigned long long)min, (unsigned long long)max, (unsigned long long)*target);
    else
        *target = value;
}

/* The yes and no words; false when text is neither. */
static bool parse_bool(const char *text, bool *value)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *value = true;
            return true;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *value = false;
            return true;
        }
    }
    return false;
}

static void load_bool(const char *name, bool *target)
{
    const char *text = libleak_setting(name);
    if (text && !parse_bool(text, target))
        libleak_log("%s=\"%s\" is not 0 or 1; using %d", name, text, *target);
}

/* A signal we may take for snapshots, by number: the same set as by name. USR1 and USR2, and
   the real-time signals glibc leaves to programs, have no use the program or the kernel gives
   them unasked. Every other has one that taking it would change: TERM, INT, HUP would no longer
   end the program, PIPE would turn a closed pipe into EPIPE ("Broken pipe" from `yes | head`),
   CHLD, WINCH, URG, CONT are ignored by default and would interrupt sleeps, PWR is the gate's
   default stop signal (LIBLEAK_STOP_SIGNAL), KILL and STOP cannot be caught, SEGV & co.
   report faults; 32 and 33, below SIGRTMIN, are glibc's own (cancellation, setxid). */
static bool signal_is_usable(long number)
{
    return number == SIGUSR1 || number == SIGUSR2 || (number >= SIGRTMIN && number <= SIGRTMAX);
}

/* A decimal number and nothing else. */
static bool parse_number(const char *text, long *value)
{
    char *end;
    errno = 0;
    *value = strtol(text, &end, 10);
    return *text && *end == '\0' && !errno;
}

/* A usable signal by name (USR1, USR2, with or without SIG) or number; false for any other. */
static bool parse_signal(const char *text, int *number)
{
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    long value;
    if (strcasecmp(name, "USR1") == 0)
        value = SIGUSR1;
    else if (strcasecmp(name, "USR2") == 0)
        value = SIGUSR2;
    else if (!parse_number(text, &value) || !signal_is_usable(value))
        return false;
    *number = (int)value;
    return true;
}

static void load_signal(void)
{
    const char *text = libleak_setting("LIBLEAK_SIGNAL");
    if (!text)
        return;
    if (strcasecmp(text, "none") == 0 || strcmp(text, "0") == 0) {
        libleak_config.signal = 0;
        return;
    }
    if (parse_signal(text, &libleak_config.signal))
        return;
    libleak_log("LIBLEAK_SIGNAL=\"%s\" is not USR1, USR2, none, their numbers (%d, %d) or a real-time signal "
                "number (%d-%d); using USR2",
                text, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMAX);
    libleak_config.signal = SIGUSR2;
}

/* LIBLEAK_STOP_SIGNAL: the leak gate's stop signal where ptrace is refused (gate/stop_world.c):
   PWR, its default, or a signal LIBLEAK_SIGNAL could take, but not the one it took: the gate's
   handler replaces the snapshot handler during the scan. Read after LIBLEAK_SIGNAL. */
static void load_stop_signal(void)
{
    const char *text = libleak_setting("LIBLEAK_STOP_SIGNAL");
    if (!text)
        return;
    const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
    long value;
    int number = 0;
    if (strcasecmp(name, "PWR") == 0 || (parse_number(text, &value) && value == SIGPWR))
        number = SIGPWR;
    else if (!parse_signal(text, &number))
        number = 0;
    if (number && number != libleak_config.signal) {
        libleak_config.stop_signal = number;
        return;
    }
    if (number)
        libleak_log("LIBLEAK_STOP_SIGNAL=\"%s\" is the snapshot signal (LIBLEAK_SIGNAL); using PWR", text);
    else
        libleak_log("LIBLEAK_STOP_SIGNAL=\"%s\" is not PWR, USR1, USR2, their numbers (%d, %d, %d) or a real-time "
                    "signal number (%d-%d); using PWR",
                    text, SIGPWR, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMAX);
}

/* LIBLEAK_CHECK_SIGNAL: a leak check on demand, mid-run (gate/check.c); none by default. Not
   the snapshot signal nor the stop signal: each has a handler of its own. Read after both.
   (Before issue 16 this name meant the stop signal, now LIBLEAK_STOP_SIGNAL.) */
static void load_check_signal(void)
{
    const char *text = libleak_setting("LIBLEAK_CHECK_SIGNAL");
    if (!text || strcasecmp(text, "none") == 0 || strcmp(text, "0") == 0)
        return;
    int number = 0;
    if (!parse_signal(text, &number))
        libleak_log("LIBLEAK_CHECK_SIGNAL=\"%s\" is not USR1, USR2, none, their numbers (%d, %d) or a real-time "
                    "signal number (%d-%d); no checks on signal",
                    text, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMAX);
    else if (number == libleak_config.signal)
        libleak_log("LIBLEAK_CHECK_SIGNAL=\"%s\" is the snapshot signal (LIBLEAK_SIGNAL); no checks on signal", text);
    else if (number == libleak_config.stop_signal)
        libleak_log("LIBLEAK_CHECK_SIGNAL=\"%s\" is the stop signal (LIBLEAK_STOP_SIGNAL); no checks on signal", text);
    else
        libleak_config.check_signal = number;
}

/* LIBLEAK_MODE: octal permissions for profiles, 0 to 0777 (open's mode: the umask applies). */
static void load_file_mode(void)
{
    const char *text = libleak_setting("LIBLEAK_MODE");
    if (!text)
        return;
    char *end;
    errno = 0;
    unsigned long mode = strtoul(text, &end, 8);
    if (*text >= '0' && *text <= '7' && *end == '\0' && !errno && mode <= 0777) {
        libleak_config.file_mode = (unsigned)mode;
        return;
    }
    libleak_log("LIBLEAK_MODE=\"%s\" is not an octal file mode from 0 to 0777 (like 0640); using 0600", text);
}

/* A template may use %p (pid), %n (sequence: LIBLEAK_OUT only), %e (program name), %t (Unix
   time), %%: the letters given. */
static bool template_is_valid(const char *text, const char *letters)
{
    if (!*text)
        return false;
    for (const char *p = text; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (!*p || !strchr(letters, *p))
            return false;
    }
    return true;
}

static void load_out(void)
{
    const char *text = libleak_setting("LIBLEAK_OUT");
    if (!text)
        return;
    if (!template_is_valid(text, "pnet%") || strlen(text) >= sizeof libleak_config.out - 64) {
        libleak_log(
                "LIBLEAK_OUT=\"%s\" is not a file name template (known: %%p %%n %%e %%t %%%%); using \"%s\"",
                text, LIBLEAK_DEFAULT_OUT);
        return;
    }
    strcpy(libleak_config.out, text);
}

/* LIBLEAK_LOG: where libleak's lines go instead of stderr (dump/log_destination.c). */
static void load_log(void)
{
    const char *text = libleak_setting("LIBLEAK_LOG");
    if (!text)
        return;
    if (!template_is_valid(text, "pet%") || strlen(text) >= sizeof libleak_config.log - 64) {
        libleak_log("LIBLEAK_LOG=\"%s\" is not a file name template (known: %%p %%e %%t %%%%); using stderr", text);
        return;
    }
    strcpy(libleak_config.log, text);
}

static void load_unwinder(void)
{
    const char *text = libleak_setting("LIBLEAK_UNWIND");
    if (!text)
        return;
    if (strcasecmp(text, "fp") == 0) {
        libleak_config.unwinder = LIBLEAK_UNWIND_FP;
        libleak_config.frame_pointers = true;
    } else if (strcasecmp(text, "libunwind") == 0) {
        libleak_config.unwinder = LIBLEAK_UNWIND_LIBUNWIND;
        libleak_config.frame_pointers = false;
    } else if (strcasecmp(text, "auto") != 0) {
        libleak_log("LIBLEAK_UNWIND=\"%s\" is not auto, fp or libunwind; using auto", text);
    }
}

/* The leak gate: exact tracking whatever LIBLEAK_RATE says (one line if it said otherwise), and
   no ordinary exit profile unless asked for (it would symbolize every stack of the program). */
static void load_check(void)
{
    load_bool("LIBLEAK_CHECK", &libleak_config.check);
    if (!libleak_config.check)
        return;
    const char *rate = libleak_setting("LIBLEAK_RATE");
    if (rate && libleak_config.rate != 1)
        libleak_log("LIBLEAK_RATE=\"%s\" is ignored with LIBLEAK_CHECK=1: the leak gate tracks every allocation (rate 1)",
                    rate);
    libleak_config.rate = 1;
    if (!libleak_setting("LIBLEAK_AT_EXIT"))
        libleak_config.at_exit = false;
    load_size("LIBLEAK_CHECK_MAX", &libleak_config.check_max, 0, UINT64_MAX >> 1);
    uint64_t exitcode = (uint64_t)libleak_config.exitcode;
    load_size("LIBLEAK_EXITCODE", &exitcode, 0, 255);
    libleak_config.exitcode = (int)exitcode;
    load_bool("LIBLEAK_CHECK_POSSIBLE", &libleak_config.check_possible);
    load_bool("LIBLEAK_CHECK_VERBOSE", &libleak_config.check_verbose);
    /* A CI job runs tests in source trees: no file appears there unless asked for. */
    libleak_config.check_profile = libleak_setting("LIBLEAK_OUT") != NULL;
    load_bool("LIBLEAK_CHECK_PROFILE", &libleak_config.check_profile);
    const char *suppressions = libleak_setting("LIBLEAK_SUPPRESSIONS");
    if (suppressions && *suppressions) {
        if (strlen(suppressions) >= sizeof libleak_config.suppressions)
            libleak_log("LIBLEAK_SUPPRESSIONS=\"%s\" is too long; no suppressions", suppressions);
        else
            strcpy(libleak_config.suppressions, suppressions);
    }
}

/* A count that 0 turns off: LIBLEAK_INUSE_INTERVAL, LIBLEAK_MAX_FILES. */
static void load_count_or_off(const char *name, uint64_t *target, uint64_t min, uint64_t max)
{
    const char *text = libleak_setting(name);
    if (!text)
        return;
    uint64_t value;
    if (!libleak_parse_size(text, &value) || (value != 0 && (value < min || value > max)))
        libleak_log("%s=\"%s\" is not 0 (off) or a number from %llu to %llu; using %llu", name, text,
                    (unsigned long long)min, (unsigned long long)max, (unsigned long long)*target);
    else
        *target = value;
}

/* LIBLEAK_PEAK: the yes and no words of load_bool, "exit" for at exit, "all" or 2 for also with
   every snapshot. */
static void load_peak(void)
{
    const char *text = libleak_setting("LIBLEAK_PEAK");
    if (!text)
        return;
    bool on;
    if (strcasecmp(text, "exit") == 0)
        libleak_config.peak = LIBLEAK_PEAK_AT_EXIT;
    else if (parse_bool(text, &on))
        libleak_config.peak = on ? LIBLEAK_PEAK_AT_EXIT : LIBLEAK_PEAK_OFF;
    else if (strcasecmp(text, "all") == 0 || strcmp(text, "2") == 0)
        libleak_config.peak = LIBLEAK_PEAK_WITH_SNAPSHOTS;
    else
        libleak_log("LIBLEAK_PEAK=\"%s\" is not 0, 1 (at exit) or all (also with every snapshot); using 0",
                    text);
}

/* LIBLEAK_NEAR_LIMIT: a percentage of the tightest memory limit, "90" or "90%"; 0 is off. */
static void load_near_limit(void)
{
    const char *text = libleak_setting("LIBLEAK_NEAR_LIMIT");
    if (!text)
        return;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (*text && (*end == '\0' || (*end == '%' && end[1] == '\0')) && !errno && value >= 0 && value <= 99)
        libleak_config.near_limit = (unsigned)value;
    else
        libleak_log("LIBLEAK_NEAR_LIMIT=\"%s\" is not a percentage from 0 (off) to 99; using %d", text,
                    DEFAULT_NEAR_LIMIT);
}

/* What the dumper watches between snapshots (dump/watch.c). */
static void load_watch(void)
{
    load_count_or_off("LIBLEAK_INUSE_INTERVAL", &libleak_config.inuse_interval, 1, UINT64_MAX >> 1);
    load_peak();
    load_near_limit();
    load_count_or_off("LIBLEAK_MAX_FILES", &libleak_config.max_files, 2, MAX_FILES_LIMIT);
}

/* Whether the user asked for something only the dumper thread does. */
static bool dumper_asked(void)
{
    const char *signal = libleak_setting("LIBLEAK_SIGNAL");
    const char *near_limit = libleak_setting("LIBLEAK_NEAR_LIMIT");
    return (signal && libleak_config.signal) || libleak_config.interval || libleak_config.inuse_interval ||
           (near_limit && libleak_config.near_limit);
}

void libleak_config_load(void)
{
    load_log();
    load_unwinder();
    load_interval();
    load_size("LIBLEAK_RATE", &libleak_config.rate, 0, 1ULL << 40);
    uint64_t depth = (uint64_t)libleak_config.depth;
    load_size("LIBLEAK_DEPTH", &depth, 1, LIBLEAK_MAX_DEPTH);
    libleak_config.depth = (int)depth;
    load_signal();
    load_file_mode();
    load_bool("LIBLEAK_AT_EXIT", &libleak_config.at_exit);
    load_bool("LIBLEAK_SYMBOLIZE", &libleak_config.symbolize);
    load_bool("LIBLEAK_THREAD_FOLD", &libleak_config.thread_fold);
    load_out();
    load_size("LIBLEAK_MAX_STACKS", &libleak_config.max_stacks, 1024, 1ULL << 24);
    load_size("LIBLEAK_MAX_MEMORY", &libleak_config.max_memory, 16ULL << 20, 1ULL << 40);
    load_check();
    /* Lifetimes read a clock at every sampled allocation and free: nothing at sampling rates,
       but in exact mode (and the gate, whose report has no use for them) every call, +26 %
       instructions and more in time where rdtsc is slow (a VM). There, only when asked. */
    if (libleak_config.rate == 1)
        libleak_config.lifetimes = false;
    load_bool("LIBLEAK_LIFETIMES", &libleak_config.lifetimes);
    load_stop_signal();
    load_check_signal();
    if (!libleak_config.check) { /* the checks on demand: a profile each, as every snapshot */
        libleak_config.check_profile = true;
        load_bool("LIBLEAK_CHECK_PROFILE", &libleak_config.check_profile);
    }
    load_watch();
    libleak_config.dumper_asked = dumper_asked() || libleak_config.check_signal;
}
