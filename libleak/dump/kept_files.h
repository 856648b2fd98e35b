/*
 * kept_files — LIBLEAK_MAX_FILES: how many snapshot files of this process stay on disk.
 */
#ifndef LIBLEAK_KEPT_FILES_H
#define LIBLEAK_KEPT_FILES_H

/* After an ordinary snapshot was written to the file name, numbered number ("0003"): remembers
   it, and removes the oldest kept one beyond LIBLEAK_MAX_FILES. Any thread, no dump lock held. */
void libleak_kept_files_add_snapshot(const char *name, const char *number);

/* After a special profile (special: "peak", "peak.0003", "nearlimit", ...) was written to the
   file name: a peak.NNNN is remembered with its snapshot NNNN, to go with it. */
void libleak_kept_files_add_special(const char *name, const char *special);

/* Fork (lifecycle.c): the list is whole in the child, which then forgets the parent's files. */
void libleak_kept_files_before_fork(void);
void libleak_kept_files_after_fork_in_parent(void);
void libleak_kept_files_after_fork_in_child(void);

#endif
