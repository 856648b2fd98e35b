/*
 * test_profile — the profile writer's own bounds: a source that emits far more samples than it
 * announced (as stacks interned while a dump runs do) gets every one of them into the profile,
 * and the comments array holds the writer's own lines plus every extra comment. The profile
 * is read back with zlib and protobuf-c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "dump/profile_writer.h"
#include "proto/profile.pb-c.h"

enum { SAMPLES = 5000 };
static uintptr_t frames[SAMPLES][2];

static void emit_many(void *context,
                      void (*emit)(const struct libleak_profile_sample *sample, void *emit_context),
                      void *emit_context)
{
    (void)context;
    for (int i = 0; i < SAMPLES; i++) {
        frames[i][0] = 0x401000 + (uintptr_t)i * 16;
        frames[i][1] = 0x402000;
        struct libleak_profile_sample sample = {frames[i], 2, {1, i + 1, 1, i + 1}, i % 2 ? 7 : -1, NULL, -1};
        emit(&sample, emit_context);
    }
}

int main(void)
{
    char path[] = "/tmp/libleak-test-profile.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return check_result("test_profile");
    unlink(path);
    /* Announces 1 sample, emits 5000: the writer must grow, never drop. */
    struct libleak_profile_source source = {emit_many, NULL, 1};
    struct libleak_profile_request request = {
            .start_nanos = 0,
            .symbolize = false,
            .source = &source,
            .extra_comments = {"extra one", "extra two", "extra three", "extra four"},
    };
    CHECK(libleak_profile_write(fd, &request) == 0, "libleak_profile_write failed");

    lseek(fd, 0, SEEK_SET);
    gzFile gz = gzdopen(fd, "rb");
    size_t capacity = 1 << 20, used = 0;
    unsigned char *data = malloc(capacity);
    int n;
    while (gz && data && (n = gzread(gz, data + used, (unsigned)(capacity - used))) > 0) {
        used += (size_t)n;
        if (used == capacity)
            data = realloc(data, capacity *= 2);
    }
    if (gz)
        gzclose(gz);
    Perftools__Profiles__Profile *profile =
            data ? perftools__profiles__profile__unpack(NULL, used, data) : NULL;
    CHECK(profile != NULL, "the profile (%zu bytes unzipped) does not decode", used);
    if (profile) {
        CHECK(profile->n_sample == SAMPLES, "%zu samples, %d emitted", profile->n_sample, SAMPLES);
        int64_t total = 0;
        for (size_t i = 0; i < profile->n_sample; i++)
            total += profile->sample[i]->value[3];
        CHECK(total == (int64_t)SAMPLES * (SAMPLES + 1) / 2, "in-use total %lld", (long long)total);
        /* The writer's own lines (4 or more) and the 4 extra ones. */
        CHECK(profile->n_comment >= 8, "%zu comments", profile->n_comment);
        int extras = 0;
        for (size_t i = 0; i < profile->n_comment; i++) {
            int64_t index = profile->comment[i];
            if (index > 0 && (size_t)index < profile->n_string_table)
                extras += strncmp(profile->string_table[index], "extra ", 6) == 0;
        }
        CHECK(extras == 4, "%d extra comments found", extras);
        perftools__profiles__profile__free_unpacked(profile, NULL);
    }
    free(data);
    return check_result("test_profile");
}
