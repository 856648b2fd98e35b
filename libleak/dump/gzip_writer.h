/*
 * gzip_writer — a protobuf message packed, gzipped and streamed to a file descriptor, never
 * held whole in memory. The profile writer's last step (profile_writer.c).
 */
#ifndef LIBLEAK_GZIP_WRITER_H
#define LIBLEAK_GZIP_WRITER_H
#include <protobuf-c/protobuf-c.h>

struct libleak_arena;

/* The writer's buffers and zlib's state (~600 KB), taken from arena before the message is
   built, so that near a memory limit the building cannot leave too little for them (memory.h,
   the reserve). NULL with errno ENOMEM. They stay in the arena until the caller releases it. */
struct libleak_gzip_sink;
struct libleak_gzip_sink *libleak_gzip_open(int fd, struct libleak_arena *arena);

/* Returns 0, or -1 with errno set (write failed: ENOSPC, EIO, ...). Once per sink. */
int libleak_gzip_write_message(struct libleak_gzip_sink *sink, const ProtobufCMessage *message);

#endif
