/*
 * eh_frame — whether a function keeps its caller's frame pointer, read from its unwind table.
 *
 * The frame-pointer walk (unwind.c) may follow the %rbp chain out of a frame only where the
 * function has its CFA in %rbp at the return address: it has then pushed its caller's %rbp
 * with the return address just above, as code built with frame pointers does everywhere and
 * code built without them does only where it needs a frame (alloca). The answer is in the
 * function's FDE: .eh_frame_hdr's search table finds it, and a small interpreter of its call
 * frame instructions follows only the register that defines the CFA, up to the address.
 *
 * Runs on the allocation path (modules.c caches the verdicts): it reads the module's mapped
 * .eh_frame in place, and neither allocates, locks nor makes a system call.
 */
#include "alloc/eh_frame.h"

#include <string.h>

static uint64_t read_uleb(const uint8_t **cursor, const uint8_t *end)
{
    uint64_t value = 0;
    for (int shift = 0; *cursor < end && shift < 64; shift += 7) {
        uint8_t byte = *(*cursor)++;
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
    }
    return value;
}

/* Runs the call frame instructions in [cursor, end) from location `location` until it passes
   `pc`, tracking only which register defines the CFA. Returns false on an instruction it does
   not know (then the answer is "no frame pointer"). */
static bool run_cfa_program(const uint8_t *cursor, const uint8_t *end, uintptr_t location, uintptr_t pc,
                            uint64_t *cfa_register)
{
    enum { DEPTH = 8 };
    uint64_t remembered[DEPTH];
    int depth = 0;
    while (cursor < end) {
        uint8_t opcode = *cursor++;
        uint64_t delta = 0;
        bool advance = opcode >> 6 == 1; /* advance_loc */
        switch (opcode >> 6) {
        case 1: delta = opcode & 0x3f; break;
        case 2: read_uleb(&cursor, end); continue; /* offset */
        case 3: continue;                          /* restore */
        }
        if (!advance) {
            switch (opcode) {
            case 0x00:
            case 0x0a:
            case 0x0b:
                if (opcode == 0x0a && depth < DEPTH)
                    remembered[depth++] = *cfa_register;
                if (opcode == 0x0b && depth > 0)
                    *cfa_register = remembered[--depth];
                continue;
            case 0x02:
            case 0x03:
            case 0x04: { /* advance_loc1, 2 and 4: a delta of 1, 2 or 4 bytes */
                size_t size = (size_t)1 << (opcode - 0x02);
                uint32_t bytes = 0; /* x86-64 is little-endian: the low bytes come first */
                if (cursor + size > end)
                    return false;
                memcpy(&bytes, cursor, size);
                delta = bytes;
                cursor += size;
                break;
            }
            case 0x06:
            case 0x07:
            case 0x08:
            case 0x0e:
            case 0x13:
            case 0x2e: read_uleb(&cursor, end); continue;
            case 0x05:
            case 0x09:
            case 0x11:
            case 0x14:
            case 0x15:
            case 0x2f:
                read_uleb(&cursor, end);
                read_uleb(&cursor, end);
                continue;
            case 0x0c:
            case 0x12: /* def_cfa, def_cfa_sf */
                *cfa_register = read_uleb(&cursor, end);
                read_uleb(&cursor, end);
                continue;
            case 0x0d: /* def_cfa_register */ *cfa_register = read_uleb(&cursor, end); continue;
            case 0x0f: { /* def_cfa_expression: the CFA is computed, not a frame pointer */
                uint64_t length = read_uleb(&cursor, end);
                cursor += length;
                *cfa_register = (uint64_t)-1;
                continue;
            }
            case 0x10:
            case 0x16: {
                read_uleb(&cursor, end);
                uint64_t length = read_uleb(&cursor, end);
                cursor += length;
                continue;
            }
            default: return false;
            }
        }
        location += delta;
        if (location > pc)
            break;
    }
    return true;
}

/* The FDE of the function holding `pc`, from .eh_frame_hdr's search table (sorted by the
   functions' starts), in the encodings GNU ld and lld write; NULL for anything else. *begin is
   where the function starts. */
static const uint8_t *find_fde(const uint8_t *header, uintptr_t pc, uintptr_t *begin)
{
    enum { PCREL_SDATA4 = 0x1b, UDATA4 = 0x03, DATAREL_SDATA4 = 0x3b };
    if (!header || header[0] != 1 || header[1] != PCREL_SDATA4 || header[2] != UDATA4 ||
        header[3] != DATAREL_SDATA4)
        return NULL;
    uint32_t count;
    memcpy(&count, header + 8, sizeof count);
    const uint8_t *table = header + 12; /* pairs of (function start, FDE), relative to header */
    uint32_t low = 0, high = count;
    while (low < high) {
        uint32_t middle = low + (high - low) / 2;
        int32_t start;
        memcpy(&start, table + (size_t)middle * 8, sizeof start);
        if ((uintptr_t)header + start <= pc)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return NULL;
    int32_t start_offset, fde_offset;
    memcpy(&start_offset, table + (size_t)(low - 1) * 8, sizeof start_offset);
    memcpy(&fde_offset, table + (size_t)(low - 1) * 8 + 4, sizeof fde_offset);
    *begin = (uintptr_t)header + start_offset;
    return header + fde_offset;
}

bool libleak_eh_frame_keeps_frame_pointer(const uint8_t *header, uintptr_t address)
{
    enum { RSP = 7, RBP = 6 };
    uintptr_t pc = address - 1; /* the call, not what follows it */
    uintptr_t begin;
    const uint8_t *fde = find_fde(header, pc, &begin);
    if (!fde)
        return false;
    uint32_t length, cie_pointer, range;
    memcpy(&length, fde, 4);
    if (length == 0 || length == 0xffffffff)
        return false;
    memcpy(&cie_pointer, fde + 4, 4);
    memcpy(&range, fde + 12, 4);
    if (pc - begin >= range)
        return false;
    /* The CIE: "zR" style augmentation (an augmentation length in every FDE), code alignment 1,
       CFA in %rsp at entry, as every x86-64 compiler writes it. */
    const uint8_t *cie = fde + 4 - cie_pointer;
    if (cie[8] != 1 && cie[8] != 3)
        return false;
    const char *augmentation = (const char *)cie + 9;
    if (augmentation[0] != 'z')
        return false;
    const uint8_t *fde_end = fde + 4 + length;
    const uint8_t *cursor = fde + 16;
    uint64_t augmentation_length = read_uleb(&cursor, fde_end);
    cursor += augmentation_length;
    uint64_t cfa_register = RSP;
    if (!run_cfa_program(cursor, fde_end, begin, pc, &cfa_register))
        return false;
    return cfa_register == RBP;
}
