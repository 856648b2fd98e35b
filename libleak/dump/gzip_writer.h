/*
 * gzip_writer — a protobuf message packed, gzipped and streamed to a file descriptor, never
 * held whole in memory. The profile writer's last step (profile_writer.c).
 */
#ifndef LIBLEAK_GZIP_WRITER_H
#define LIBLEAK_GZIP_WRITER_H
#include <protobuf-c/protobuf-c.h>

struct libleak_arena;

/* Returns 0, or -1 with errno set (write failed: ENOSPC, EIO, ...; or ENOMEM). The writer's
   buffers come from arena and stay there until the caller releases it. */
int libleak_gzip_write_message(int fd, const ProtobufCMessage *message, struct libleak_arena *arena);

#endif
