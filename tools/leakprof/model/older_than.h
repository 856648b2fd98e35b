/*
 * older_than.h — --older-than: keeping only the samples whose numeric label "age" says
 * their blocks are at least that old (libleak labels each sample of live blocks with the age
 * of its youngest block).
 */
#ifndef LEAKPROF_OLDER_THAN_H
#define LEAKPROF_OLDER_THAN_H

#include <stdint.h>

#include "model/profile_model.h"

/* Set by --older-than (-1: not given); profile_load then applies the filter to every file it
   reads, so each command that accepts the option (OPT_OLDER_THAN) gets it, html included. */
extern int64_t older_than_seconds;

/* Drops every sample without an age label or younger than SECONDS; the samples' order is kept.
   Prints one warning line when the profile has no age labels at all. */
void older_than_filter(struct profile *profile, int64_t seconds);

#endif
