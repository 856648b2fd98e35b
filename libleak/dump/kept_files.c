/*
 * kept_files — LIBLEAK_MAX_FILES=<n>: at most n ordinary snapshots of this process stay on
 * disk. The oldest is removed, never the first (the base of every comparison); special profiles
 * (peak, nearlimit, leaks) are neither counted nor removed, except one: with LIBLEAK_PEAK=all
 * each snapshot has a peak.NNNN beside it, which goes when the snapshot goes (otherwise those
 * alone would fill the disk of a service that never exits).
 *
 * dump.c tells (through watch.c) of every file written. The first snapshot and a ring of the
 * newest are kept under files_lock: a snapshot may be written by any thread calling
 * libleak_dump.
 */
#include "dump/kept_files.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "dump/peak.h"

struct kept_file {
    char *name;
    char *peak;      /* its peak.NNNN, or NULL */
    char number[16]; /* its sequence text, "0003" */
};
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_file first_file;
static struct kept_file *ring; /* LIBLEAK_MAX_FILES - 1 entries once allocated */
static uint64_t ring_start, ring_count;

static void remove_file(const char *name)
{
    if (name && unlink(name) != 0 && errno != ENOENT)
        libleak_log("LIBLEAK_MAX_FILES: cannot remove %s: %s", name, strerror(errno));
}

void libleak_kept_files_add_snapshot(const char *name, const char *number)
{
    if (!libleak_config.max_files)
        return;
    struct kept_file kept = {strdup(name), NULL, ""};
    if (!kept.name)
        return;
    snprintf(kept.number, sizeof kept.number, "%s", number);
    pthread_mutex_lock(&files_lock);
    if (!first_file.name) {
        first_file = kept;
        pthread_mutex_unlock(&files_lock);
        return;
    }
    uint64_t keep = libleak_config.max_files - 1; /* besides the first */
    if (!ring)
        ring = calloc(keep, sizeof *ring);
    if (!ring) {
        pthread_mutex_unlock(&files_lock);
        free(kept.name);
        return;
    }
    if (ring_count == keep) {
        struct kept_file *oldest = &ring[ring_start];
        ring_start = (ring_start + 1) % keep;
        ring_count--;
        remove_file(oldest->name);
        remove_file(oldest->peak);
        free(oldest->name);
        free(oldest->peak);
    }
    ring[(ring_start + ring_count++) % keep] = kept;
    pthread_mutex_unlock(&files_lock);
}

/* The peak.NNNN of a snapshot remembered above: it is removed with that snapshot. */
static void add_peak(const char *name, const char *number)
{
    char *copy = strdup(name);
    if (!copy)
        return;
    pthread_mutex_lock(&files_lock);
    struct kept_file *owner = NULL;
    if (first_file.name && strcmp(first_file.number, number) == 0)
        owner = &first_file;
    for (uint64_t i = 0; !owner && ring && i < ring_count; i++) {
        struct kept_file *kept = &ring[(ring_start + i) % (libleak_config.max_files - 1)];
        if (strcmp(kept->number, number) == 0)
            owner = kept;
    }
    if (owner && !owner->peak) {
        owner->peak = copy;
        copy = NULL;
    }
    pthread_mutex_unlock(&files_lock);
    free(copy);
}

void libleak_kept_files_add_special(const char *name, const char *special)
{
    size_t prefix = strlen(LIBLEAK_PEAK_BESIDE_PREFIX);
    if (libleak_config.max_files && strncmp(special, LIBLEAK_PEAK_BESIDE_PREFIX, prefix) == 0)
        add_peak(name, special + prefix);
}

void libleak_kept_files_before_fork(void)
{
    pthread_mutex_lock(&files_lock);
}

void libleak_kept_files_after_fork_in_parent(void)
{
    pthread_mutex_unlock(&files_lock);
}

/* The child has its own snapshots (its own pid in the names, %n from 1). */
void libleak_kept_files_after_fork_in_child(void)
{
    first_file = (struct kept_file){NULL, NULL, ""}; /* the parent's names, not freed: the child may
                                                        not own them */
    ring = NULL;
    ring_start = ring_count = 0;
    pthread_mutex_unlock(&files_lock);
}
