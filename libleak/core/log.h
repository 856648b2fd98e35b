/*
 * log — one line on the program's stderr, prefixed "libleak: ".
 *
 * The program under test owns fd 2. If it closed stderr and reused the number for a file of
 * its own, writing there would change its output, so a line is written there only while fd 2
 * is still the file it was when the library started; otherwise it goes to the file that
 * dump/log_destination.c names (libleak.PID.log beside the profiles, or in /tmp).
 */
#ifndef LIBLEAK_LOG_H
#define LIBLEAK_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void libleak_log_init(void);

/* From then on every line (built whole, "libleak: ...\n") is handed to writer, which decides
   where it goes (dump/log_destination.c); the gate's report still prefers its kept copy. */
void libleak_log_set_writer(void (*writer)(const char *line, size_t length));
void libleak_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* True when fd is the file that fd 2 was when the library started. */
bool libleak_log_is_stderr(int fd);

/* The leak gate's report must reach the person even from a program that closes stderr on its
   way out (coreutils' close_stdout, xz). libleak_log_keep_stderr keeps a close-on-exec copy of
   fd 2 at a high number (once, at start); libleak_log_report writes one line like libleak_log,
   or on that copy when fd 2 is no longer the file it was at start. */
void libleak_log_keep_stderr(void);
void libleak_log_report(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
