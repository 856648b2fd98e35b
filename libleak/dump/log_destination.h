/*
 * log_destination — where libleak's lines go (core/log.c builds them): the program's stderr
 * while it is still the file it was at start, otherwise a file, so that a failure is never
 * silent (issue 19 item 10).
 */
#ifndef LIBLEAK_LOG_DESTINATION_H
#define LIBLEAK_LOG_DESTINATION_H

/* Hands core/log.c the writer below; from the constructor, once LIBLEAK_OUT is known. */
void libleak_log_destination_init(void);

#endif
