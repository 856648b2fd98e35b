/*
 * suppressions — see suppressions.h. The user's file is read and matched by
 * common/suppressions.c, as leakprof check reads and matches it; only lost stacks are symbolized
 * for it: a program that leaks nothing pays for no lookup.
 */
#include "gate/suppressions.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/suppressions.h"
#include "core/config.h"
#include "core/log.h"
#include "dump/symbols.h"
#include "os/descriptors.h"

static struct libleak_suppressions user_suppressions;

/* A bad file is refused whole (common/suppressions.h): the check then runs without it and
   fails loudly rather than suppress less than its author meant, unnoticed. */
void libleak_gate_suppressions_load(void)
{
    static bool loaded; /* once: mid-run checks (check.c) and the exit gate each prepare */
    if (!libleak_config.suppressions[0] || loaded)
        return;
    loaded = true;
    int fd = libleak_open_high(libleak_config.suppressions, O_RDONLY, 0); /* never 0-2 */
    FILE *file = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!file) {
        if (fd >= 0)
            close(fd);
        libleak_log_report("LIBLEAK_SUPPRESSIONS=\"%s\" cannot be opened; no suppressions",
                           libleak_config.suppressions);
        return;
    }
    char error[512];
    if (!libleak_suppressions_read(&user_suppressions, file, libleak_config.suppressions, error,
                                   sizeof error))
        libleak_log_report("%s; no suppressions from this file", error);
    fclose(file);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The built-in list: what glibc keeps until exit on purpose, where our roots cannot see the
   pointer. Blocks the dynamic loader allocates itself (a thread's DTV and dynamic TLS, kept in
   glibc's cache of thread stacks after the thread exits; dlopen's bookkeeping): the
   allocation's caller is in ld.so. */
bool libleak_gate_builtin_suppressed(const struct libleak_stack *stack)
{
    if (stack->depth == 0)
        return false;
    struct libleak_line lines[LIBLEAK_MAX_INLINE];
    int mapping = -1;
    libleak_symbols_lookup(stack->frames[0] - 1, false, lines, LIBLEAK_MAX_INLINE, &mapping);
    if (mapping < 0)
        return false;
    const char *name = base_name(libleak_symbols_mapping(mapping)->path);
    return fnmatch("ld-linux*.so*", name, 0) == 0 || fnmatch("ld-*.so*", name, 0) == 0;
}

bool libleak_gate_user_suppressed(const struct libleak_stack *stack, uint32_t depth)
{
    if (!user_suppressions.count)
        return false;
    for (uint32_t f = 0; f < depth; f++) {
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -1;
        int count = libleak_symbols_lookup(stack->frames[f] - 1, true, lines, LIBLEAK_MAX_INLINE, &mapping);
        struct libleak_suppression_frame frame = {
                .module = mapping >= 0 ? libleak_symbols_mapping(mapping)->path : NULL};
        if (count == 0 && libleak_suppressions_match_frame(&user_suppressions, &frame))
            return true;
        for (int i = 0; i < count; i++) {
            frame.function = lines[i].function;
            frame.linkage_name = lines[i].system_name;
            frame.file = lines[i].file;
            if (libleak_suppressions_match_frame(&user_suppressions, &frame))
                return true;
        }
    }
    return false;
}
