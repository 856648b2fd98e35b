/*
 * dwarf_names.h — function names, inlined frames and file:line of an address in one ELF file
 * (a binary or its separate debug file), through elfutils' libdwfl. symbolize.c decides
 * which file; this file only reads it.
 */
#ifndef LEAKPROF_DWARF_NAMES_H
#define LEAKPROF_DWARF_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* One frame of an address, innermost (inlined) first. Strings live as long as the file. */
struct symbol_frame {
    const char *function;    /* the name a person reads */
    const char *system_name; /* the linkage (symbol) name, "" when none */
    const char *file;        /* "" when unknown */
    int64_t line;            /* 0 when unknown */
};

struct dwarf_file;

/* Opens PATH, an ELF file open on FD (taken over: closed on failure too), for lookups; NULL
   with *ERROR set (libdwfl's message) when libdwfl cannot read it. */
struct dwarf_file *dwarf_file_open(const char *path, int fd, const char **error);

/* Whether the file has DWARF (else only its symbol table names functions). */
bool dwarf_file_has_dwarf(struct dwarf_file *file);

/* Fills at most MAX frames for VADDR, an address in the file's own ELF addresses (p_vaddr);
   returns how many (0: nothing known there). */
int dwarf_file_describe(struct dwarf_file *file, uint64_t vaddr, struct symbol_frame *frames, int max);

void dwarf_file_close(struct dwarf_file *file);

#endif
