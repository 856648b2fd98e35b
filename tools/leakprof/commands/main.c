/*
 * main.c — leakprof's entry point. Everything else is in commands.c (the table of commands
 * and their help) and the cmd_*.c files, so that the fuzz target can run the commands too.
 */
#include "commands/commands.h"
#include "model/symbolize.h"

int main(int argc, char **argv)
{
    symbolize_enabled = true; /* unnamed frames are named from files (--no-symbolize: not) */
    return commands_run(argc, argv);
}
