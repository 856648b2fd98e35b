/*
 * growth_snapshots — LIBLEAK_INUSE_INTERVAL: an ordinary snapshot whenever the estimated in-use
 * total has grown by that many bytes since the last snapshot of this kind.
 */
#ifndef LIBLEAK_GROWTH_SNAPSHOTS_H
#define LIBLEAK_GROWTH_SNAPSHOTS_H
#include <stdint.h>

/* The watch's poll, with the in-use total it just summed: writes a snapshot when it is due. */
void libleak_growth_snapshots_poll(uint64_t inuse_total);

/* In a fork child: its growth counts from nothing, as its snapshots do (lifecycle.c). */
void libleak_growth_snapshots_after_fork_in_child(void);

#endif
