/*
 * pattern.c — see pattern.h.
 */
#include "model/pattern.h"

bool pattern_compile(regex_t *compiled, const char *pattern, char *message, size_t size)
{
    int status = regcomp(compiled, pattern, REG_EXTENDED | REG_NOSUB);
    if (status != 0 && message)
        regerror(status, compiled, message, size);
    return status == 0;
}

bool pattern_matches(const regex_t *compiled, const char *text)
{
    return regexec(compiled, text, 0, NULL, 0) == 0;
}

bool pattern_matches_frame(const regex_t *compiled, const struct frame *frame)
{
    return pattern_matches(compiled, frame->name) || (frame->file[0] && pattern_matches(compiled, frame->file));
}
