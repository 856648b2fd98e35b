/*
 * growth_snapshots — LIBLEAK_INUSE_INTERVAL=<bytes>: an ordinary snapshot whenever the
 * estimated in-use total has grown by that much since the last snapshot of this kind
 * (gperftools' HEAP_PROFILE_INUSE_INTERVAL).
 *
 * The watch's poll (watch.c, in the dumper thread, every LIBLEAK_WATCH_POLL_MS) hands over the
 * total it summed; at most one snapshot is written per poll, so one is late by up to one poll
 * period plus the time of the previous dump.
 */
#include "dump/growth_snapshots.h"

#include <stddef.h>

#include "core/config.h"
#include "dump/dump.h"

/* The in-use total at the last snapshot of this kind. Only the dumper thread touches it (and
   the fork child, before it has a dumper). */
static uint64_t inuse_base;

void libleak_growth_snapshots_poll(uint64_t inuse_total)
{
    uint64_t interval = libleak_config.inuse_interval;
    /* From the total at the last such snapshot, as gperftools: a program whose use rises and
       falls by less than the interval around a level writes nothing more. */
    if (interval && inuse_total >= inuse_base && inuse_total - inuse_base >= interval) {
        inuse_base = inuse_total;
        libleak_dump_now(NULL);
    }
}

void libleak_growth_snapshots_after_fork_in_child(void)
{
    inuse_base = 0;
}
