/*
 * peak — LIBLEAK_PEAK: the stack counters of the moment the estimated in-use total was highest,
 * copied by the dumper's poll, written as the "peak" profile.
 */
#ifndef LIBLEAK_PEAK_H
#define LIBLEAK_PEAK_H
#include <stdbool.h>
#include <stdint.h>

/* Called by the watch's poll with the in-use total it just summed: copies every stack's
   counters when the total is a new high by the margin (peak.c says which). */
void libleak_peak_consider(uint64_t inuse_total);

/* Writes the peak so far as the profile named with %n = special ("peak", "peak.0003").
   Returns 0, or -1 with errno set (ENOENT: no peak recorded yet). */
int libleak_peak_write(const char *special);

/* LIBLEAK_PEAK=all: after snapshot number ("0003") was written, the peak so far beside it, as
   peak.0003 (kept_files.c removes it with the snapshot). inuse_total: the total now. */
#define LIBLEAK_PEAK_BESIDE_PREFIX "peak."
void libleak_peak_write_beside_snapshot(uint64_t inuse_total, const char *number);

/* At exit: the peak profile ("peak"), the total now included. */
void libleak_peak_write_at_exit(uint64_t inuse_total);

/* Forgets the parent's peak in a fork child. */
void libleak_peak_reset(void);

/* Fork (lifecycle.c): no copy is half done across fork; after_fork on both sides. */
void libleak_peak_before_fork(void);
void libleak_peak_after_fork(void);

#endif
