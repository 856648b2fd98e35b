/*
 * dwarf_frames.c — the inlined-frame walk both symbolizers take (dwarf_frames.h): the first
 * function scope names frame 0; each DW_TAG_inlined_subroutine adds the frame of the function
 * around it, at its DW_AT_call_file:DW_AT_call_line.
 */
#include "common/dwarf_frames.h"

#include <dwarf.h>
#include <stddef.h>

static bool is_function(Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_entry_point;
}

int libleak_dwarf_frames(Dwarf_Die *unit, Dwarf_Die *scopes, int count, int max, bool *complete,
                         libleak_dwarf_frame_visit *visit, void *context)
{
    *complete = true;
    Dwarf_Files *files = NULL;
    if (count > 0 && dwarf_getsrcfiles(unit, &files, NULL) != 0)
        files = NULL;
    int frames = 0;
    for (int i = 0; i < count && max > 0; i++) {
        if (!is_function(&scopes[i]))
            continue;
        if (frames == 0)
            visit(context, frames++, &scopes[i], NULL, 0);
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
            break;
        if (frames == max) {
            *complete = false;
            break;
        }
        Dwarf_Die *caller = NULL;
        for (int j = i + 1; j < count && !caller; j++)
            if (is_function(&scopes[j]))
                caller = &scopes[j];
        Dwarf_Attribute attribute;
        Dwarf_Word value;
        const char *call_file = NULL;
        int64_t call_line = 0;
        if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attribute), &value) == 0)
            call_file = dwarf_filesrc(files, value, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attribute), &value) == 0)
            call_line = (int64_t)value;
        visit(context, frames++, caller, call_file, call_line);
    }
    return frames;
}
