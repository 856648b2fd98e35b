/*
 * suppressions — the suppression files of the leak gate (LIBLEAK_SUPPRESSIONS) and of
 * `leakprof check --suppressions`: one syntax, one reader, one matcher, LeakSanitizer's, so that
 * one file serves libleak, leakprof and LSan alike.
 *
 * The file: one "leak:PATTERN" per line; blank lines and lines starting with '#' are skipped;
 * blanks around a line and after "leak:" are ignored. Any other line (another LSan type such as
 * "interceptor_via_lib:", a "leak:" with no pattern) makes the whole file bad: the reader names
 * the file and line and keeps no pattern from it. leakprof then exits 2; the library says so and
 * runs its check without suppressions, so a typo fails the gate loudly instead of silently
 * suppressing less.
 *
 * A pattern matches a string as LeakSanitizer's TemplateMatch does: anywhere in it, '*' being any
 * run of characters, a leading '^' anchoring at the start and a trailing '$' at the end
 * ("leak:^main$" is main alone; "leak:libfoo.so" any path containing it). Nothing else is
 * special: '?' and '[' are themselves. A frame matches when a pattern matches its function name,
 * its linkage (mangled) name, its module's path or its source file, as far as each is known.
 */
#ifndef LIBLEAK_SUPPRESSIONS_H
#define LIBLEAK_SUPPRESSIONS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct libleak_suppressions {
    char **patterns;
    size_t count;
};

/* What a suppression sees of one frame; NULL or "" where a field is unknown. */
struct libleak_suppression_frame {
    const char *function;     /* as printed (demangled) */
    const char *linkage_name; /* mangled, when it differs */
    const char *module;       /* path of the file the code is mapped from */
    const char *file;         /* source file */
};

/*
 * Reads the open FILE (named PATH in messages) into LIST, with malloc. On a bad line, or out
 * of memory, returns false with LIST empty and ERROR holding the reason, "PATH:LINE: expected
 * 'leak:PATTERN', got 'TEXT'" (no program name: each program prefixes its own).
 */
bool libleak_suppressions_read(struct libleak_suppressions *list, FILE *file, const char *path, char *error,
                               size_t error_size);

void libleak_suppressions_free(struct libleak_suppressions *list);

/* Whether PATTERN matches TEXT (LeakSanitizer's rules above); never an empty or NULL TEXT. */
bool libleak_suppression_matches(const char *pattern, const char *text);

/* The first pattern of LIST that matches FRAME, or NULL. */
const char *libleak_suppressions_match_frame(const struct libleak_suppressions *list,
                                             const struct libleak_suppression_frame *frame);

#endif
