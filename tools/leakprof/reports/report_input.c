/*
 * report_input.c — loading what a report reads (report_input.h).
 */
#include "reports/report_input.h"

#include <string.h>

bool report_input_open(struct report_input *input, char *const *paths, size_t count, const char *base_path,
                       const struct options *options)
{
    memset(input, 0, sizeof *input);
    frame_table_init(&input->frames);
    input->profile = profile_load_all(paths, count, &input->frames);
    char *base_arg[1] = {(char *)base_path};
    if (!input->profile || (base_path && !(input->base = profile_load_all(base_arg, 1, &input->frames))))
        return false;
    input->index = profile_sample_index(input->profile, options->sample_index);
    if (input->index < 0 || !filter_init(&input->filter, &input->frames, options->focus, options->ignore))
        return false;
    input->filter_ready = true;
    return true;
}

void report_input_close(struct report_input *input)
{
    if (input->filter_ready)
        filter_free(&input->filter);
    profile_free(input->profile);
    profile_free(input->base);
    frame_table_free(&input->frames);
}

bool load_profiles(char **paths, size_t count, struct frame_table *frames, struct profile **out)
{
    for (size_t i = 0; i < count; i++) {
        out[i] = profile_load_all(&paths[i], 1, frames);
        if (!out[i]) {
            free_profiles(out, i);
            return false;
        }
    }
    return true;
}

void free_profiles(struct profile **profiles, size_t count)
{
    for (size_t i = 0; i < count; i++)
        profile_free(profiles[i]);
}
