/*
 * report — see report.h. Frames are printed as LeakSanitizer prints them ("#N 0x... in
 * function file:line", or the mapping's path and offset when nothing better is known), the
 * rest in memcheck's words, which CI owners know and tests/cases/gate_vs_memcheck.sh compares.
 */
#include "gate/report.h"

#include <stdio.h>

#include "alloc/stacks.h"
#include "core/config.h"
#include "core/log.h"
#include "dump/symbols.h"

void libleak_format_count(char *out, size_t size, uint64_t value)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    size_t used = 0;
    for (int i = 0; i < n && used + 1 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0 && used + 2 < size)
            out[used++] = ',';
        out[used++] = digits[i];
    }
    out[used] = '\0';
}

static void print_frames(const struct libleak_stack *stack, uint32_t depth)
{
    int number = 0;
    for (uint32_t f = 0; f < depth; f++) {
        uintptr_t pc = stack->frames[f] - 1;
        struct libleak_line lines[LIBLEAK_MAX_INLINE];
        int mapping = -1;
        int count = libleak_symbols_lookup(pc, libleak_config.symbolize, lines, LIBLEAK_MAX_INLINE, &mapping);
        const struct libleak_mapping *m = mapping >= 0 ? libleak_symbols_mapping(mapping) : NULL;
        if (count == 0) {
            if (m)
                libleak_log_report("   #%d 0x%lx in ?? (%s+0x%lx)", number++, (unsigned long)pc, m->path,
                                   (unsigned long)(pc - m->start + m->file_offset));
            else
                libleak_log_report("   #%d 0x%lx in ??", number++, (unsigned long)pc);
            continue;
        }
        for (int i = 0; i < count; i++) {
            const char *function = lines[i].function ? lines[i].function : "??";
            if (lines[i].file)
                libleak_log_report("   #%d 0x%lx in %s %s:%lld", number++, (unsigned long)pc, function,
                                   lines[i].file, (long long)lines[i].line);
            else if (m)
                libleak_log_report("   #%d 0x%lx in %s (%s+0x%lx)", number++, (unsigned long)pc, function,
                                   m->path, (unsigned long)(pc - m->start + m->file_offset));
            else
                libleak_log_report("   #%d 0x%lx in %s", number++, (unsigned long)pc, function);
        }
    }
}

static void print_totals(const char *label, const struct totals *t)
{
    char bytes[32], blocks[32];
    libleak_format_count(bytes, sizeof bytes, t->bytes);
    libleak_format_count(blocks, sizeof blocks, t->blocks);
    libleak_log_report("   %15s: %s bytes in %s blocks", label, bytes, blocks);
}

size_t libleak_report_records(const struct loss_records *records)
{
    size_t reported = 0;
    for (size_t i = 0; i < records->count; i++)
        reported += !records->records[i].suppressed;
    size_t number = 0;
    for (size_t i = 0; i < records->count; i++) {
        const struct loss_record *record = &records->records[i];
        if (record->suppressed)
            continue;
        char bytes[32], blocks[32];
        libleak_format_count(bytes, sizeof bytes, record->bytes);
        libleak_format_count(blocks, sizeof blocks, record->blocks);
        libleak_log_report("%s bytes in %s blocks are %s in loss record %zu of %zu", bytes, blocks,
                           libleak_class_words[record->class], ++number, reported);
        const struct libleak_stack *stack = libleak_stacks_get(record->stack);
        if (stack)
            print_frames(stack, record->shown_depth);
        libleak_log_report("%s", "");
    }
    return reported;
}

void libleak_report_summary(const struct loss_records *records)
{
    libleak_log_report("LEAK SUMMARY:");
    for (int c = 0; c < CLASSES; c++)
        print_totals(libleak_class_words[c], &records->classes[c]);
    print_totals("suppressed", &records->suppressed);
}

void libleak_report_comments(const struct loss_records *records, const char *who,
                             char comments[LIBLEAK_REPORT_COMMENTS][160])
{
    for (int c = 0; c < LIBLEAK_REPORT_COMMENTS; c++) {
        char bytes[32], blocks[32];
        const struct totals *t = c < 3 ? &records->classes[c] : &records->suppressed;
        libleak_format_count(bytes, sizeof bytes, t->bytes);
        libleak_format_count(blocks, sizeof blocks, t->blocks);
        snprintf(comments[c], 160, "%s: %s: %s bytes in %s blocks", who,
                 c < 3 ? libleak_class_words[c] : "suppressed", bytes, blocks);
    }
}
