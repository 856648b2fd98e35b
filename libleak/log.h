/*
 * log — one line on the program's stderr, prefixed "libleak: ".
 *
 * The program under test owns fd 2. If it closed stderr and reused the number for a file of
 * its own, writing there would change its output, so a line is written only while fd 2 is
 * still the file it was when the library started.
 */
#ifndef LIBLEAK_LOG_H
#define LIBLEAK_LOG_H

void libleak_log_init(void);
void libleak_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
