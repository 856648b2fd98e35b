/*
 * relocation_slots — finding and rewriting the slots a module's relocations filled
 * (relocation_slots.h). The dynamic section gives the symbol table, the string table and the
 * two RELA tables (DT_RELA for data words, DT_JMPREL for the PLT's slots); each relocation of a
 * symbol names its slot (r_offset from the load address) and its symbol.
 */
#include "process/relocation_slots.h"

#include <elf.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__)
#define RELOCATION_SLOT     R_X86_64_JUMP_SLOT
#define RELOCATION_DATA     R_X86_64_GLOB_DAT
#define RELOCATION_ABSOLUTE R_X86_64_64
#elif defined(__aarch64__)
#define RELOCATION_SLOT     R_AARCH64_JUMP_SLOT
#define RELOCATION_DATA     R_AARCH64_GLOB_DAT
#define RELOCATION_ABSOLUTE R_AARCH64_ABS64
#endif

/* A dynamic entry's address: glibc relocates them in place, but not in a read-only
   dynamic section (the vDSO's). */
static uintptr_t dynamic_address(const struct dl_phdr_info *info, ElfW(Addr) value)
{
    return value < info->dlpi_addr ? info->dlpi_addr + value : value;
}

bool libleak_in_segment(const struct dl_phdr_info *info, uintptr_t address, ElfW(Word) type, ElfW(Word) flags)
{
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + header->p_vaddr;
        if (header->p_type == type && (header->p_flags & flags) == flags && address - start < header->p_memsz)
            return true;
    }
    return false;
}

void libleak_relocation_slot_store(const struct dl_phdr_info *info, uintptr_t *slot, uintptr_t value)
{
    if (!libleak_in_segment(info, (uintptr_t)slot, PT_GNU_RELRO, 0)) {
        if (libleak_in_segment(info, (uintptr_t)slot, PT_LOAD, PF_W))
            atomic_store_explicit((_Atomic uintptr_t *)slot, value, memory_order_relaxed);
        return;
    }
    uintptr_t page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    void *page = (void *)((uintptr_t)slot & ~(page_size - 1));
    size_t bytes = ((uintptr_t)slot + sizeof *slot - (uintptr_t)page + page_size - 1) & ~(page_size - 1);
    if (mprotect(page, bytes, PROT_READ | PROT_WRITE) != 0)
        return;
    atomic_store_explicit((_Atomic uintptr_t *)slot, value, memory_order_relaxed);
    mprotect(page, bytes, PROT_READ);
}

#ifdef RELOCATION_SLOT
static void visit_table(const struct dl_phdr_info *info, const ElfW(Rela) *rela, size_t bytes,
                        const ElfW(Sym) *symbols, const char *strings, libleak_slot_visitor *visit, void *context)
{
    for (size_t i = 0; i < bytes / sizeof *rela; i++) {
        uint32_t type = (uint32_t)ELF64_R_TYPE(rela[i].r_info), symbol = (uint32_t)ELF64_R_SYM(rela[i].r_info);
        if (symbol == 0 || (type != RELOCATION_SLOT && type != RELOCATION_DATA &&
                            (type != RELOCATION_ABSOLUTE || rela[i].r_addend != 0)))
            continue;
        visit(info, (uintptr_t *)(info->dlpi_addr + rela[i].r_offset), strings + symbols[symbol].st_name,
              type == RELOCATION_SLOT, context);
    }
}
#endif

void libleak_relocation_slots_visit(const struct dl_phdr_info *info, libleak_slot_visitor *visit, void *context)
{
#ifdef RELOCATION_SLOT
    const ElfW(Dyn) *dynamic = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dynamic = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dynamic)
        return;
    const ElfW(Sym) *symbols = NULL;
    const char *strings = NULL;
    const ElfW(Rela) *rela = NULL, *plt = NULL;
    size_t rela_bytes = 0, plt_bytes = 0;
    bool plt_is_rela = true;
    for (; dynamic->d_tag != DT_NULL; dynamic++) {
        switch (dynamic->d_tag) {
        case DT_SYMTAB: symbols = (const ElfW(Sym) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_STRTAB: strings = (const char *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_RELA: rela = (const ElfW(Rela) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_RELASZ: rela_bytes = dynamic->d_un.d_val; break;
        case DT_JMPREL: plt = (const ElfW(Rela) *)dynamic_address(info, dynamic->d_un.d_ptr); break;
        case DT_PLTRELSZ: plt_bytes = dynamic->d_un.d_val; break;
        case DT_PLTREL: plt_is_rela = dynamic->d_un.d_val == DT_RELA; break;
        }
    }
    if (!symbols || !strings)
        return;
    if (rela)
        visit_table(info, rela, rela_bytes, symbols, strings, visit, context);
    if (plt && plt_is_rela)
        visit_table(info, plt, plt_bytes, symbols, strings, visit, context);
#else
    (void)info, (void)visit, (void)context;
#endif
}
