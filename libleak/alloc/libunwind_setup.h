/*
 * libunwind_setup — libunwind set up to make no system call on the allocation path: our memory
 * accessor, its validation pipe closed, its signal masking skipped for libleak's own calls.
 */
#ifndef LIBLEAK_LIBUNWIND_SETUP_H
#define LIBLEAK_LIBUNWIND_SETUP_H
#include <stdbool.h>

/* Starts libunwind and sets it up; called once at load time, after libleak_modules_init. */
void libleak_libunwind_init(void);

/* True (once) when our accessor refused a read libunwind asked for on this thread since the
   last call: the stack it returned was cut short there. */
bool libleak_libunwind_refused(void);

#endif
