/*
 * near_limit — LIBLEAK_NEAR_LIMIT: the "nearlimit" profiles written as usage approaches the
 * tightest memory limit, and the symbol cache warmed beforehand so that they can name functions.
 */
#ifndef LIBLEAK_NEAR_LIMIT_H
#define LIBLEAK_NEAR_LIMIT_H
#include <stdbool.h>

/* Finds the memory limits when LIBLEAK_NEAR_LIMIT is on. In the constructor, after
   libleak_config_load. */
void libleak_near_limit_init(void);

/* True when LIBLEAK_NEAR_LIMIT is on and some limit applies: the watch must poll. */
bool libleak_near_limit_active(void);

/* The watch's poll: reads the usage, warms the symbol cache, writes the profile that is due.
   Runs in the dumper thread, inside libleak, holding no lock. */
void libleak_near_limit_poll(void);

/* In a fork child: its own steps and file names from the first (lifecycle.c). */
void libleak_near_limit_after_fork_in_child(void);

#endif
