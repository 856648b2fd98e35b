/*
 * profile_merge.c — several profiles read as one, as `go tool pprof A B C` reads them:
 * the workers of a pre-forking server, or one service on many machines.
 *
 * pprof's profile.Merge keys samples by their locations (an address relative to its
 * mapping, so that address randomisation does not split them) and labels, and sums equal
 * ones. Here the samples of the parts are kept one by one, each pointing into its part:
 * every command already sums samples with equal stacks where it aggregates (top, list,
 * folded, check), and traces sums by the same key as pprof (sample->address_key, which
 * profile_resolve.c makes mapping-relative). The header is pprof's combineHeaders.
 *
 * One difference, documented in leakprof(1): each part's own drop_frames applies to its
 * own samples (pprof applies the first file's to all of them).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/profile_model.h"
#include "model/util.h"

static bool same_types(const struct profile *a, const struct profile *b)
{
    if (a->type_count != b->type_count || strcmp(a->period_type, b->period_type) != 0 ||
        strcmp(a->period_unit, b->period_unit) != 0)
        return false;
    for (size_t i = 0; i < a->type_count; i++)
        if (strcmp(a->types[i].type, b->types[i].type) != 0 ||
            strcmp(a->types[i].unit, b->types[i].unit) != 0)
            return false;
    return true;
}

static void print_types(const struct profile *p)
{
    for (size_t i = 0; i < p->type_count; i++)
        fprintf(stderr, "%s%s/%s", i ? " " : "", p->types[i].type, p->types[i].unit);
}

static void free_parts(struct profile **parts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        profile_free(parts[i]);
    free(parts);
}

struct profile *profile_merge(struct profile **parts, size_t count, const char *name)
{
    for (size_t i = 1; i < count; i++) {
        if (!same_types(parts[0], parts[i])) {
            fprintf(stderr, "leakprof: %s and %s cannot be merged: different sample types (", parts[0]->path,
                    parts[i]->path);
            print_types(parts[0]);
            fputs(" and ", stderr);
            print_types(parts[i]);
            fputs(")\n", stderr);
            free_parts(parts, count);
            return NULL;
        }
    }
    const struct profile *first = parts[0];
    struct profile *p = xcalloc(1, sizeof *p);
    p->path = name;
    p->parts = parts;
    p->part_count = count;
    p->type_count = first->type_count;
    p->types = xcalloc(first->type_count, sizeof *p->types);
    memcpy(p->types, first->types, first->type_count * sizeof *p->types);
    p->period_type = first->period_type;
    p->period_unit = first->period_unit;
    p->drop_frames = first->drop_frames;
    p->keep_frames = first->keep_frames;
    p->default_type_name = p->main_file = p->main_build_id = "";

    size_t comments = 0, samples = 0;
    for (size_t i = 0; i < count; i++) {
        comments += parts[i]->comment_count;
        samples += parts[i]->sample_count + parts[i]->filtered_count;
    }
    p->comments = xcalloc(comments, sizeof *p->comments);
    p->samples = xcalloc(samples, sizeof *p->samples);
    bool have_main = false;
    for (size_t i = 0; i < count; i++) {
        const struct profile *part = parts[i];
        /* combineHeaders, its quirk included: a zero time counts as the earliest too. */
        if (p->time_nanos == 0 || part->time_nanos < p->time_nanos)
            p->time_nanos = part->time_nanos;
        p->duration_nanos = add_saturating(p->duration_nanos, part->duration_nanos);
        if (p->period == 0 || p->period < part->period)
            p->period = part->period;
        for (size_t c = 0; c < part->comment_count; c++) {
            bool seen = false;
            for (size_t k = 0; k < p->comment_count && !seen; k++)
                seen = strcmp(p->comments[k], part->comments[c]) == 0;
            if (!seen)
                p->comments[p->comment_count++] = part->comments[c];
        }
        if (!p->default_type_name[0])
            p->default_type_name = part->default_type_name;
        /* Merge keeps the first mapping of the first file that has mappings. */
        if (!have_main && part->mapping_count > 0) {
            have_main = true;
            p->main_file = part->main_file;
            p->main_build_id = part->main_build_id;
        }
        memcpy(p->samples + p->sample_count, part->samples, part->sample_count * sizeof *p->samples);
        p->sample_count += part->sample_count;
        p->mapping_count += part->mapping_count;
        p->location_count += part->location_count;
        p->function_count += part->function_count;
        p->string_count += part->string_count;
    }
    for (size_t i = 0; i < count; i++) { /* the samples --tagfocus/--tagignore took out, last */
        const struct profile *part = parts[i];
        memcpy(p->samples + p->sample_count + p->filtered_count, part->samples + part->sample_count,
               part->filtered_count * sizeof *p->samples);
        p->filtered_count += part->filtered_count;
    }
    p->default_type = p->type_count ? p->type_count - 1 : 0;
    for (size_t i = 0; p->default_type_name[0] && i < p->type_count; i++)
        if (strcmp(p->types[i].type, p->default_type_name) == 0)
            p->default_type = i;
    return p;
}

/* A glob pattern, not a file: it has a wildcard and no file has that very name. */
static bool is_pattern(const char *arg)
{
    return strpbrk(arg, "*?[") && access(arg, F_OK) != 0;
}

struct profile *profile_load_all(char *const *args, size_t count, struct frame_table *frames)
{
    struct profile **parts = NULL;
    size_t part_count = 0, capacity = 0;
    for (size_t a = 0; a < count; a++) {
        glob_t matches = {0};
        char *single[1] = {args[a]};
        char **paths = single;
        size_t path_count = 1;
        if (is_pattern(args[a])) {
            if (glob(args[a], 0, NULL, &matches) != 0 || matches.gl_pathc == 0) {
                fprintf(stderr, "leakprof: %s: no file matches this pattern\n", args[a]);
                globfree(&matches);
                free_parts(parts, part_count);
                return NULL;
            }
            paths = matches.gl_pathv;
            path_count = matches.gl_pathc;
        }
        for (size_t i = 0; i < path_count; i++) {
            if (part_count == capacity) {
                capacity = capacity ? capacity * 2 : 8;
                parts = xreallocarray(parts, capacity, sizeof *parts);
            }
            /* A profile keeps its path for messages: glob's strings die with globfree. */
            const char *path = paths == single ? args[a] : xstrdup(paths[i]);
            struct profile *part = profile_load(path, frames);
            if (!part) {
                if (path != args[a])
                    free((char *)path);
                globfree(&matches);
                free_parts(parts, part_count);
                return NULL;
            }
            part->owned_path = path != args[a];
            parts[part_count++] = part;
        }
        globfree(&matches);
    }
    if (part_count == 1) {
        struct profile *only = parts[0];
        free(parts);
        return only;
    }
    /* Messages name the merge by its arguments: "a.pb.gz + b.pb.gz", "workers-*.pb.gz". */
    size_t size = 1;
    for (size_t a = 0; a < count; a++)
        size += strlen(args[a]) + 3;
    char *name = xmalloc(size);
    name[0] = '\0';
    for (size_t a = 0; a < count; a++) {
        if (a)
            strcat(name, " + ");
        strcat(name, args[a]);
    }
    struct profile *merged = profile_merge(parts, part_count, name);
    if (!merged) {
        free(name);
        return NULL;
    }
    merged->owned_path = true;
    return merged;
}
