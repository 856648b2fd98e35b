/*
 * commands.h — one entry point per leakprof command. Each takes the arguments after the
 * command name and returns the process exit status: 0 done, 1 a `check` limit exceeded,
 * 2 bad input or bad usage.
 */
#ifndef LEAKPROF_COMMANDS_H
#define LEAKPROF_COMMANDS_H

#include <stdbool.h>

int command_top(int argc, char **argv);
int command_diff(int argc, char **argv);
int command_traces(int argc, char **argv);
int command_folded(int argc, char **argv);
int command_growth(int argc, char **argv);
int command_check(int argc, char **argv);
int command_info(int argc, char **argv);

/* Prints the command's help on stdout when --help was given; true if it did. */
struct options;
bool command_help(const char *command, const struct options *options);
int command_usage(const char *command, const char *problem);

#endif
