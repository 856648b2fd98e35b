/*
 * cmd_symbolize.c — `leakprof symbolize [-o OUT] PROFILE...`: the profiles merged and written
 * back with their unnamed frames named (model/profile_write.c), for readers that have no
 * binaries: go tool pprof -symbolize=none, Pyroscope, Parca.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "model/profile_write.h"
#include "model/symbolize.h"
#include "reports/options.h"

int command_symbolize(int argc, char **argv)
{
    struct options options;
    int begun = command_begin("symbolize", OPT_OUTPUT, 1, 0, "one or more profiles", argc, argv, &options);
    if (begun >= 0)
        return begun;
    struct frame_table frames;
    frame_table_init(&frames);
    /* Named once, while writing: the model read here is only the merge's header. */
    bool enabled = symbolize_enabled;
    symbolize_enabled = false;
    struct profile *p = profile_load_all(options.files, options.file_count, &frames);
    symbolize_enabled = enabled;
    free(options.files);
    int status = 2;
    if (p && profile_write_named(p, options.output ? options.output : "named.pb.gz"))
        status = 0;
    profile_free(p);
    frame_table_free(&frames);
    return status;
}
