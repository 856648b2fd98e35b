/*
 * export — the mark of a symbol the program may see.
 *
 * The library is built with -fvisibility=hidden because it shares a namespace with every
 * program it is loaded into; only the malloc family, operator new/delete, the namespace calls
 * we interpose and include/libleak.h are exported, each marked EXPORT (and listed in
 * exports.map).
 */
#ifndef LIBLEAK_EXPORT_H
#define LIBLEAK_EXPORT_H

#define EXPORT __attribute__((visibility("default")))

#endif
