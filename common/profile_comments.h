/*
 * profile_comments — the wording of the comments libleak writes into its profiles that leakprof
 * reads back: one definition, so that the writer (libleak/dump/profile_writer.c) and the
 * readers (leakprof's reports/process_memory.c and commands/cmd_html.c) cannot drift apart.
 *
 * Each format is a printf format for the writer and, the same string, a scanf format for the
 * reader (every number is %llu). Other writers' comments, and ours of older versions, simply do
 * not parse: comments are free text to every other reader, so a mismatch is never an error.
 */
#ifndef LIBLEAK_PROFILE_COMMENTS_H
#define LIBLEAK_PROFILE_COMMENTS_H
#include <stdbool.h>
#include <stdint.h>

/* Bytes resident (RSS). */
#define LIBLEAK_COMMENT_RESIDENT "resident memory: %llu bytes (/proc/self/statm)"

/* glibc's view of its arenas: in use, free in arenas, in mmapped blocks, arenas' total. */
#define LIBLEAK_COMMENT_ALLOCATOR                                                                            \
    "allocator (glibc mallinfo2): %llu bytes in use, %llu bytes free in arenas, "                            \
    "%llu bytes in mmapped blocks, %llu bytes of arenas"

/* Written instead of the figures once mallinfo2 took this many milliseconds. */
#define LIBLEAK_COMMENT_ALLOCATOR_SLOW                                                                       \
    "allocator (glibc mallinfo2): not asked again, it took %llu ms under glibc's arena locks"

/* Samples taken, and those dropped because the stack table or the live table was full. */
#define LIBLEAK_COMMENT_SAMPLES                                                                              \
    "samples taken: %llu; dropped: %llu (stack table full), %llu (live table full)"

struct libleak_allocator_comment {
    uint64_t in_use, free_in_arenas, mmapped, arenas;
};

struct libleak_samples_comment {
    uint64_t taken, dropped_stacks, dropped_live;
};

/* Each reads one comment; false when COMMENT is not of that kind. */
bool libleak_comment_read_resident(const char *comment, uint64_t *bytes);
bool libleak_comment_read_allocator(const char *comment, struct libleak_allocator_comment *out);
bool libleak_comment_read_samples(const char *comment, struct libleak_samples_comment *out);

#endif
