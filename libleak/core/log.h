/*
 * log — one line on the program's stderr, prefixed "libleak: ".
 *
 * The program under test owns fd 2. If it closed stderr and reused the number for a file of
 * its own, writing there would change its output, so a line is written only while fd 2 is
 * still the file it was when the library started.
 */
#ifndef LIBLEAK_LOG_H
#define LIBLEAK_LOG_H

#include <stdarg.h>
#include <stdbool.h>

void libleak_log_init(void);
void libleak_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* True when fd is the file that fd 2 was when the library started. */
bool libleak_log_is_stderr(int fd);

/* Writes one "libleak: " line to fd (the leak gate's report uses it for its saved stderr). */
void libleak_log_to(int fd, const char *format, va_list args) __attribute__((format(printf, 2, 0)));

#endif
