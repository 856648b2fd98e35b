/*
 * watch — the dumper's poll between snapshots, and the one door through which dump.c and the
 * exit reach the features it drives: growth snapshots (LIBLEAK_INUSE_INTERVAL), the peak
 * (LIBLEAK_PEAK), near-limit profiles (LIBLEAK_NEAR_LIMIT) and the files kept on disk
 * (LIBLEAK_MAX_FILES).
 */
#ifndef LIBLEAK_WATCH_H
#define LIBLEAK_WATCH_H
#include <stdbool.h>

/* How often the dumper polls when a watch feature is on. */
#define LIBLEAK_WATCH_POLL_MS 50

/* Finds the memory limits for LIBLEAK_NEAR_LIMIT. After libleak_config_load, before
   libleak_dump_init. */
void libleak_watch_init(void);

/* True when the dumper must poll (some watch feature is on and has something to watch). */
bool libleak_watch_active(void);

/* The dumper's periodic call: sums the counters, records a peak, writes the snapshots that
   are due. Runs in the dumper thread, inside libleak, holding no lock. */
void libleak_watch_poll(void);

/* dump.c's call after an ordinary snapshot was written (no dump lock held): name is the file
   (NULL when libleak_dump was given its own path), number its sequence text ("0003"). */
void libleak_watch_snapshot_written(const char *name, const char *number);

/* dump.c's call after a special profile (special: "peak", "peak.0003", "nearlimit", ...) was
   written to the file name (no dump lock held). */
void libleak_watch_special_written(const char *name, const char *special);

/* At exit, before the exit profile: the peak profile. */
void libleak_watch_at_exit(void);

#endif
