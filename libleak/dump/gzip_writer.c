/*
 * gzip_writer — the zlib sink the profile is packed into.
 *
 * protobuf-c packs a message into a ProtobufCBuffer, a few bytes per append; ours deflates
 * them and writes the compressed bytes to the file as they come, so the packed profile never
 * exists whole in memory. The gzip wrapper and level 1 are Go's choices for pprof files.
 */
#include "dump/gzip_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc/memory.h"
#include "os/descriptors.h"

/* A ProtobufCBuffer that deflates what it is given and writes it to a file descriptor.
   protobuf-c appends a few bytes at a time; calling deflate for each costs more than the
   compression itself, so pieces are staged and deflated 256 KiB at a time. */
struct libleak_gzip_sink {
    ProtobufCBuffer base;
    z_stream stream;
    int fd;
    int error; /* errno of the first failure */
    size_t staged;
    unsigned char stage[256 * 1024];
    unsigned char out[64 * 1024];
};

static bool write_all(struct libleak_gzip_sink *sink, const unsigned char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = libleak_write_checked(sink->fd, data, length); /* only while fd is ours */
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            sink->error = written < 0 ? errno : EIO;
            return false;
        }
        data += written;
        length -= (size_t)written;
    }
    return true;
}

static void deflate_into_file(struct libleak_gzip_sink *sink, const uint8_t *data, size_t length, int flush)
{
    if (sink->error)
        return;
    sink->stream.next_in = (Bytef *)data;
    sink->stream.avail_in = (uInt)length;
    do {
        sink->stream.next_out = sink->out;
        sink->stream.avail_out = sizeof sink->out;
        int status = deflate(&sink->stream, flush);
        if (status == Z_STREAM_ERROR) {
            sink->error = EIO;
            return;
        }
        if (!write_all(sink, sink->out, sizeof sink->out - sink->stream.avail_out))
            return;
    } while (sink->stream.avail_out == 0 || sink->stream.avail_in > 0);
}

static void gzip_append(ProtobufCBuffer *buffer, size_t length, const uint8_t *data)
{
    struct libleak_gzip_sink *sink = (struct libleak_gzip_sink *)buffer;
    if (sink->staged + length > sizeof sink->stage) {
        deflate_into_file(sink, sink->stage, sink->staged, Z_NO_FLUSH);
        sink->staged = 0;
    }
    if (length <= sizeof sink->stage) {
        memcpy(sink->stage + sink->staged, data, length);
        sink->staged += length;
        return;
    }
    while (length > 0) { /* a large piece goes straight through, within zlib's uInt */
        size_t piece = length > (1u << 30) ? (1u << 30) : length;
        deflate_into_file(sink, data, piece, Z_NO_FLUSH);
        data += piece;
        length -= piece;
    }
}

/* zlib's state (~270 KB at these settings) comes from the dump's arena, not from malloc: near
   RLIMIT_AS the heap is what the program used up, and the arena can fall back on the reserve
   taken at start (memory.h). It is all released with the arena. */
static voidpf arena_zalloc(voidpf arena, uInt items, uInt size)
{
    return libleak_arena_alloc(arena, (size_t)items * size);
}

static void arena_zfree(voidpf arena, voidpf address)
{
    (void)arena, (void)address;
}

struct libleak_gzip_sink *libleak_gzip_open(int fd, struct libleak_arena *arena)
{
    struct libleak_gzip_sink *sink = libleak_arena_alloc(arena, sizeof *sink);
    if (!sink) {
        errno = ENOMEM;
        return NULL;
    }
    sink->base.append = gzip_append;
    sink->fd = fd;
    sink->stream.zalloc = arena_zalloc;
    sink->stream.zfree = arena_zfree;
    sink->stream.opaque = arena;
    /* windowBits 15 + 16: a gzip wrapper, as pprof files are. Level 1 as Go's profile writer:
       the dump runs inside the program, so speed matters more than the last 30 % of size. */
    if (deflateInit2(&sink->stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        errno = ENOMEM;
        return NULL;
    }
    return sink;
}

int libleak_gzip_write_message(struct libleak_gzip_sink *sink, const ProtobufCMessage *message)
{
    protobuf_c_message_pack_to_buffer(message, &sink->base);
    deflate_into_file(sink, sink->stage, sink->staged, Z_FINISH);
    deflateEnd(&sink->stream);
    if (sink->error) {
        errno = sink->error;
        return -1;
    }
    return 0;
}
