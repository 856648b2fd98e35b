/*
 * settings — where the LIBLEAK_* values come from: the environment, or, after an attach
 * (process/attach.c), the text the wrapper passed, since a running process's environment is
 * not ours to change. config.c reads every value through libleak_setting.
 */
#ifndef LIBLEAK_SETTINGS_H
#define LIBLEAK_SETTINGS_H
#include <stdbool.h>

/* The value of LIBLEAK_* variable `name`, or NULL. */
const char *libleak_setting(const char *name);
/* From now on the values are the "NAME=VALUE" lines of text (copied), not the environment, and
   profiles say they count from `note` on. False when the text is too long or malformed. */
bool libleak_settings_replace(const char *text, const char *note);
/* The profiles' comment for settings from an attach ("allocations since ..."), or NULL. */
const char *libleak_settings_note(void);
#endif
