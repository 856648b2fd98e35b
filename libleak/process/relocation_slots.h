/*
 * relocation_slots — the GOT entries and data words a loaded object's relocations filled with
 * a named function's address, and how to rewrite one (a RELRO slot through a writable window).
 * deepbind.c repoints an RTLD_DEEPBIND library's malloc slots; attach.c repoints every
 * module's malloc family at our hooks after an attach, and back on detach.
 */
#ifndef LIBLEAK_RELOCATION_SLOTS_H
#define LIBLEAK_RELOCATION_SLOTS_H
#include <link.h>
#include <stdbool.h>
#include <stdint.h>

/* Called for each slot a relocation of symbol `name` fills; jump_slot: a PLT slot (lazy until
   its first call) rather than a data word. */
typedef void libleak_slot_visitor(const struct dl_phdr_info *info, uintptr_t *slot, const char *name, bool jump_slot,
                                  void *context);

/* Visits the object's slots (RELA relocations of type JUMP_SLOT, GLOB_DAT, or 64-bit absolute
   with addend 0). Nothing on an architecture without these types here. */
void libleak_relocation_slots_visit(const struct dl_phdr_info *info, libleak_slot_visitor *visit, void *context);

/* Stores value in the slot, making a read-only (RELRO) page writable only for the store. */
void libleak_relocation_slot_store(const struct dl_phdr_info *info, uintptr_t *slot, uintptr_t value);

/* True when address lies in one of the object's segments of this type with these flags. */
bool libleak_in_segment(const struct dl_phdr_info *info, uintptr_t address, ElfW(Word) type, ElfW(Word) flags);
#endif
