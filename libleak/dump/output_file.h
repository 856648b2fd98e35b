/*
 * output_file — the names profiles get (LIBLEAK_OUT) and files that appear whole or not at all.
 * Called under dump.c's lock.
 */
#ifndef LIBLEAK_OUTPUT_FILE_H
#define LIBLEAK_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "dump/profile_writer.h"

/* Records the directory the program starts in and its name (from the constructor). */
void libleak_output_init(void);

/* Expands a file name template (LIBLEAK_OUT's, LIBLEAK_LOG's) into an absolute name, relative
   names against the directory the program started in: %p pid, %n sequence_text, %e program,
   %t time, %% a %. False when it does not fit. */
bool libleak_output_expand(char *out, size_t size, const char *template, const char *sequence_text);

/* Expands LIBLEAK_OUT, %n being sequence_text (a number, or the name of a special profile:
   "leaks", "peak", ...). */
bool libleak_output_name(char *out, size_t size, const char *sequence_text);

/* The name of the next numbered snapshot: %n is the first number after *sequence whose file
   does not exist yet (a process that exec'ed itself keeps its pid, and its earlier image's
   snapshots are there already), written as "0001" into number; *sequence becomes that number.
   False when the name does not fit. */
bool libleak_output_numbered_name(char *out, size_t size, char *number, size_t number_size, unsigned *sequence);

/* The name of a special profile ("leaks", "peak", "nearlimit"): %n is special, or, when that
   file exists already (an earlier image of this pid wrote it before an exec), special.2,
   special.3, ... the first that does not. False when the name does not fit. */
bool libleak_output_special_name(char *out, size_t size, const char *special);

/* Writes the profile to final, which must not exist. Returns 0, or -1 with errno set. */
int libleak_output_write(const char *final, const struct libleak_profile_request *request);

#endif
