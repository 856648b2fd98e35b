/*
 * log — one line of libleak's, prefixed "libleak: ", on the program's stderr or in the file
 * LIBLEAK_LOG names.
 *
 * The program under test owns fd 2. If it closed stderr and reused the number for a file of
 * its own, writing there would change its output, so a line is written there only while fd 2
 * is still the file it was when the library started; otherwise it goes where
 * dump/log_destination.c says (libleak.PID.log beside the profiles, or in /tmp).
 */
#ifndef LIBLEAK_LOG_H
#define LIBLEAK_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void libleak_log_init(void);

/* From then on every line (built whole, "libleak: ...\n") is handed to writer, which decides
   where it goes (dump/log_destination.c); report is true for the leak gate's report. Lines
   logged before (the configuration's, read before LIBLEAK_LOG's file can be named) are held
   and handed to it now. */
void libleak_log_set_writer(void (*writer)(const char *line, size_t length, bool report));
void libleak_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* True when fd is the file that fd 2 was when the library started. */
bool libleak_log_is_stderr(int fd);

/* A line of the leak gate's report: it must reach the person even from a program that closed
   stderr on its way out (coreutils' close_stdout, xz); the writer knows how. */
void libleak_log_report(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
