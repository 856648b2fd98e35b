/*
 * dwarf_frames.c — the shared steps of the inlined-frame walk (dwarf_frames.h).
 */
#include "common/dwarf_frames.h"

#include <dwarf.h>
#include <stddef.h>

bool libleak_dwarf_is_function(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

Dwarf_Die *libleak_dwarf_next_function(Dwarf_Die *scopes, int from, int count)
{
    for (int j = from; j < count; j++)
        if (libleak_dwarf_is_function(&scopes[j]))
            return &scopes[j];
    return NULL;
}

void libleak_dwarf_call_site(Dwarf_Die *inlined, Dwarf_Files *files, const char **file, int64_t *line)
{
    Dwarf_Attribute attribute;
    Dwarf_Word value;
    const char *name;
    if (files && dwarf_formudata(dwarf_attr(inlined, DW_AT_call_file, &attribute), &value) == 0 &&
        (name = dwarf_filesrc(files, value, NULL, NULL)))
        *file = name;
    if (dwarf_formudata(dwarf_attr(inlined, DW_AT_call_line, &attribute), &value) == 0)
        *line = (int64_t)value;
}
