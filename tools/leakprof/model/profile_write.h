/*
 * profile_write.h — a profile written back as a gzipped profile.proto with its unnamed
 * frames named (profile_write.c): `leakprof symbolize`'s output.
 */
#ifndef LEAKPROF_PROFILE_WRITE_H
#define LEAKPROF_PROFILE_WRITE_H

#include <stdbool.h>

#include "model/profile_model.h"

/* Writes P (one file or a merge) to PATH ("-": stdout), through a temporary file renamed
   into place; false after a message on stderr. */
bool profile_write_named(const struct profile *p, const char *path);

#endif
