#include "commands.h"
int command_growth(int argc, char **argv) { (void)argc; (void)argv; return 2; }
