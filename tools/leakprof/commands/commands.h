/*
 * commands.h — one entry point per leakprof command. Each takes the arguments after the
 * command name and returns the process exit status: 0 done, 1 a `check` limit exceeded,
 * 2 bad input or bad usage.
 */
#ifndef LEAKPROF_COMMANDS_H
#define LEAKPROF_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

/* leakprof ARGV[1] ARGV[2...]: runs the named command (ARGV[0] is the program). */
int commands_run(int argc, char **argv);

int command_top(int argc, char **argv);
int command_diff(int argc, char **argv);
int command_traces(int argc, char **argv);
int command_folded(int argc, char **argv);
int command_growth(int argc, char **argv);
int command_check(int argc, char **argv);
int command_info(int argc, char **argv);
int command_list(int argc, char **argv);
int command_html(int argc, char **argv);
int command_lifetimes(int argc, char **argv);
int command_symbolize(int argc, char **argv);

struct options;
/*
 * Parses a command's arguments and checks the number of files (MAX_FILES 0: no upper
 * bound). Returns -1 when the command should run, OPTIONS filled (free options->files
 * when done); otherwise the exit status to return at once: 0 after printing --help, 2
 * after a usage error naming FILES_EXPECTED.
 */
int command_begin(const char *command, unsigned accepted, size_t min_files, size_t max_files,
                  const char *files_expected, int argc, char **argv, struct options *options);

#endif
