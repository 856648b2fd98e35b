/*
 * peak — LIBLEAK_PEAK: the stack counters of the moment the estimated in-use total was highest
 * (kept on the sampling path by alloc/peak_counters.c), written as the "peak" profile.
 */
#ifndef LIBLEAK_PEAK_H
#define LIBLEAK_PEAK_H

/* Writes the peak so far as the profile named with %n = special ("peak", "peak.0003").
   Returns 0, or -1 with errno set (ENOENT: no peak recorded yet). */
int libleak_peak_write(const char *special);

/* LIBLEAK_PEAK=all: after snapshot number ("0003") was written, the peak so far beside it, as
   peak.0003 (kept_files.c removes it with the snapshot). */
#define LIBLEAK_PEAK_BESIDE_PREFIX "peak."
void libleak_peak_write_beside_snapshot(const char *number);

/* At exit: the peak profile ("peak"). */
void libleak_peak_write_at_exit(void);

/* Forgets the parent's peak in a fork child: the child's starts from its in-use total. */
void libleak_peak_reset(void);

#endif
