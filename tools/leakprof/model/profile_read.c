/*
 * profile_read.c — from a file name to a decoded profile.proto message, trusting nothing.
 *
 * The steps, each with its own limit so that no input can make leakprof hang or take
 * unbounded memory:
 *   1. read the file (at most 1 GiB, or LEAKPROF_MAX_INPUT_MB);
 *   2. if it starts with the gzip magic 1f 8b, inflate it, refusing to produce more than
 *      the same limit: a first pass only counts, so a "zip bomb" is refused without being
 *      held in memory, and the second fills a buffer of the exact size;
 *   3. unpack with the code protoc-c generated from proto/profile.proto. protobuf-c checks
 *      every length prefix against the bytes that remain (a field claiming 2^60 bytes or
 *      elements fails there) and sizes repeated fields by counting what it has scanned, but
 *      its allocations can still be 40 times the input (each 2-byte empty Sample becomes a
 *      pointer plus a 72-byte struct), where real profiles take 5 to 7 times their size
 *      (measured on the Go fixtures). It allocates through a budgeted allocator that refuses
 *      to go past 16 times the input plus 16 MiB (at most 2 GiB), so that amplification is
 *      bounded too;
 *   4. hand the message to profile_resolve.c, which checks every index and id.
 * Each failure prints one line, "leakprof: FILE: problem", and yields NULL.
 */
#include "model/profile_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "model/older_than.h"
#include "model/tag_filter.h"
#include "model/util.h"

#define DEFAULT_MAX_INPUT_BYTES ((size_t)1 << 30) /* 1 GiB, compressed or not */
/* The decoded message may take this much memory per input byte, plus a floor. */
#define DECODE_BYTES_PER_INPUT_BYTE 16
#define DECODE_FLOOR_BYTES          ((size_t)16 << 20)
#define DECODE_MAX_BYTES            ((size_t)2 << 30)

void profile_error(const char *path, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "leakprof: %s: ", path);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

/* ---- the budgeted allocator handed to protobuf-c ---- */

/* Each block carries its size in a 16-byte header so that free can give it back. */
#define BLOCK_HEADER 16

static void *budget_alloc(void *data, size_t size)
{
    struct decode_budget *budget = data;
    if (size > budget->limit - budget->used || size > SIZE_MAX - BLOCK_HEADER) {
        budget->exceeded = true;
        return NULL;
    }
    unsigned char *block = malloc(size + BLOCK_HEADER);
    if (!block) {
        budget->exceeded = true;
        return NULL;
    }
    memcpy(block, &size, sizeof size);
    budget->used += size;
    return block + BLOCK_HEADER;
}

static void budget_free(void *data, void *pointer)
{
    struct decode_budget *budget = data;
    if (!pointer)
        return;
    unsigned char *block = (unsigned char *)pointer - BLOCK_HEADER;
    size_t size;
    memcpy(&size, block, sizeof size);
    budget->used -= size;
    free(block);
}

/* ---- reading and inflating ---- */

/* Reads the whole file; returns false (after the message) when it cannot or is too big. */
static bool read_file(const char *path, size_t limit, uint8_t **data_out, size_t *size_out)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        profile_error(path, "cannot open: %s", strerror(errno));
        return false;
    }
    size_t size = 0, capacity = 64 << 10;
    uint8_t *data = xmalloc(capacity);
    for (;;) {
        if (size > limit) { /* a pipe or /dev/zero has no size to check beforehand */
            profile_error(path,
                          "file larger than the %zu MiB limit (LEAKPROF_MAX_INPUT_MB), "
                          "refusing to read it",
                          limit >> 20);
            goto fail;
        }
        if (size == capacity) {
            capacity = capacity * 2 > limit + 1 ? limit + 1 : capacity * 2;
            data = xrealloc(data, capacity);
        }
        size_t n = fread(data + size, 1, capacity - size, file);
        size += n;
        if (n == 0)
            break;
    }
    if (ferror(file)) {
        profile_error(path, "read error: %s", strerror(errno));
        goto fail;
    }
    fclose(file);
    *data_out = data;
    *size_out = size;
    return true;
fail:
    fclose(file);
    free(data);
    return false;
}

static bool is_gzip(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/*
 * Inflates DATA; with OUT NULL only counts the output (into a scratch buffer), so that a
 * "zip bomb" is measured and refused without ever being held in memory. Returns false
 * after the message.
 */
static bool inflate_pass(const char *path, const uint8_t *data, size_t size, uint8_t *out, size_t limit,
                         size_t *produced_out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        profile_error(path, "cannot start zlib");
        return false;
    }
    static uint8_t scratch[64 << 10];
    size_t produced = 0;
    bool ok = false;
    zs.next_in = (Bytef *)data;
    for (;;) {
        /* zlib counts in uInt: feed and drain at most 1 GiB per call. */
        size_t in_left = size - (size_t)(zs.next_in - data);
        zs.avail_in = (uInt)(in_left > (1u << 30) ? (1u << 30) : in_left);
        size_t room = out ? limit - produced : sizeof scratch;
        zs.next_out = out ? out + produced : scratch;
        zs.avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
        uInt before = zs.avail_out;
        int status = inflate(&zs, Z_NO_FLUSH);
        produced += before - zs.avail_out;
        if (produced > limit || (out && status != Z_STREAM_END && produced == limit)) {
            profile_error(path,
                          "decompressed size exceeds the %zu MiB limit "
                          "(LEAKPROF_MAX_INPUT_MB), refusing to read it",
                          limit >> 20);
            break;
        }
        if (status == Z_STREAM_END) {
            ok = true;
            break;
        }
        if (status == Z_BUF_ERROR ||
            (status == Z_OK && zs.avail_in == 0 && zs.avail_out > 0 && in_left <= (1u << 30))) {
            profile_error(path, "truncated gzip data (the compressed stream ends early)");
            break;
        }
        if (status != Z_OK) {
            profile_error(path, "corrupt gzip data (zlib: %s)", zs.msg ? zs.msg : "error");
            break;
        }
    }
    inflateEnd(&zs);
    *produced_out = produced;
    return ok;
}

static bool gunzip(const char *path, const uint8_t *data, size_t size, size_t limit, uint8_t **out,
                   size_t *out_size)
{
    size_t total;
    if (!inflate_pass(path, data, size, NULL, limit, &total))
        return false;
    /* One spare byte: the second pass fills the buffer without ever finding it full. */
    uint8_t *buffer = xmalloc(total + 1);
    if (!inflate_pass(path, data, size, buffer, total + 1, out_size)) {
        free(buffer);
        return false;
    }
    *out = buffer;
    return true;
}

/* LEAKPROF_MAX_INPUT_MB lowers or raises the 1 GiB limit (tests use a small one). */
static size_t input_limit(void)
{
    const char *text = getenv("LEAKPROF_MAX_INPUT_MB");
    char *end;
    if (text && *text) {
        unsigned long long mib = strtoull(text, &end, 10);
        if (!*end && mib > 0 && mib <= ((size_t)1 << 20))
            return (size_t)mib << 20;
    }
    return DEFAULT_MAX_INPUT_BYTES;
}

/* ---- decoding ---- */

struct profile *profile_load_bytes(const char *path, const uint8_t *data, size_t size,
                                   struct frame_table *frames)
{
    if (size == 0) {
        profile_error(path, "empty file, not a profile");
        return NULL;
    }
    size_t limit = input_limit();
    if (size > limit) {
        profile_error(path,
                      "file larger than the %zu MiB limit (LEAKPROF_MAX_INPUT_MB), "
                      "refusing to read it",
                      limit >> 20);
        return NULL;
    }
    uint8_t *inflated = NULL;
    bool gzipped = is_gzip(data, size);
    if (gzipped) {
        if (!gunzip(path, data, size, limit, &inflated, &size))
            return NULL;
        data = inflated;
    }

    struct profile_storage *storage = xcalloc(1, sizeof *storage);
    storage->budget.limit = DECODE_FLOOR_BYTES;
    if (size < (DECODE_MAX_BYTES - DECODE_FLOOR_BYTES) / DECODE_BYTES_PER_INPUT_BYTE)
        storage->budget.limit += size * DECODE_BYTES_PER_INPUT_BYTE;
    else
        storage->budget.limit = DECODE_MAX_BYTES;
    storage->allocator = (ProtobufCAllocator){budget_alloc, budget_free, &storage->budget};
    storage->message = perftools__profiles__profile__unpack(&storage->allocator, size, data);
    free(inflated);
    if (!storage->message) {
        if (storage->budget.exceeded)
            profile_error(path,
                          "refusing to decode: the message would need more than "
                          "%zu MiB of memory",
                          storage->budget.limit >> 20);
        else if (gzipped)
            profile_error(path, "gunzipped data is not a valid profile.proto message");
        else
            profile_error(path, "not a gzip file and not a valid profile.proto message");
        free(storage);
        return NULL;
    }
    return profile_resolve(path, storage, frames);
}

struct profile *profile_load(const char *path, struct frame_table *frames)
{
    uint8_t *data;
    size_t size;
    if (!read_file(path, input_limit(), &data, &size))
        return NULL;
    struct profile *profile = profile_load_bytes(path, data, size, frames);
    free(data);
    if (profile && older_than_seconds >= 0) /* --older-than: every command's files, one place */
        older_than_filter(profile, older_than_seconds);
    if (profile && (tag_focus || tag_ignore)) /* --tagfocus, --tagignore: the same */
        tag_filter_apply(profile);
    return profile;
}

void profile_free(struct profile *profile)
{
    if (!profile)
        return;
    struct profile_storage *storage = profile->storage;
    if (storage) {
        perftools__profiles__profile__free_unpacked(storage->message, &storage->allocator);
        free(storage->stack_frames);
        free(storage->labels);
        free(storage);
    }
    for (size_t i = 0; i < profile->part_count; i++)
        profile_free(profile->parts[i]);
    free(profile->parts);
    if (profile->owned_path)
        free((char *)profile->path);
    free(profile->types);
    free(profile->comments);
    free(profile->samples);
    free(profile);
}
