/*
 * units.h — numbers printed the way pprof prints them, so that `leakprof top` and
 * `go tool pprof -top` can be compared line by line.
 *
 * A port of pprof's internal/measurement: units are recognised by alias ("bytes", "kb",
 * "nanoseconds", …, case-insensitive, a trailing "s" ignored), scaled to the largest unit
 * the value reaches (1024 for bytes), printed with two decimals minus a trailing ".00",
 * and a zero is printed as "0". Units pprof does not know ("count") print the bare number.
 */
#ifndef LEAKPROF_UNITS_H
#define LEAKPROF_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Converts VALUE in FROM_UNIT to TO_UNIT; TO_UNIT "auto" or "minimum" picks the unit.
 * *UNIT_OUT receives the printed unit name ("" for plain numbers).
 */
double units_scale(int64_t value, const char *from_unit, const char *to_unit, const char **unit_out);

/* pprof's ScaledLabel: "1.50MB", "512kB", "0". */
void units_format(char *out, size_t size, int64_t value, const char *from_unit, const char *to_unit);

/* Same with an explicit "+" on positive values, for growth columns. */
void units_format_signed(char *out, size_t size, int64_t value, const char *from_unit);

/* pprof's Percentage: six characters, "  100%", "12.34%", " 0.12%", "    0%". */
void units_percentage(char *out, size_t size, int64_t value, int64_t total);

/*
 * The units a value in UNIT is printed in, for a formatter outside this file (the html
 * page's, html/format.js): *FACTOR is UNIT's size in the base unit of its kind (bytes,
 * nanoseconds, …); up to MAX of (name, size in that base unit) go to UNITS, smallest first,
 * and *FALLBACK is the one a value that reaches none of them is printed in. Returns how many;
 * 0 when pprof prints UNIT's values as bare numbers.
 */
struct units_step {
    const char *name;
    double size;
};
size_t units_steps(const char *unit, double *factor, struct units_step *units, size_t max,
                   struct units_step *fallback);

/*
 * pprof's choice of one unit for a whole report: the unit of the smallest nonzero value,
 * moved up when that would print the total with too many digits.
 * Returns the unit to pass as TO_UNIT to units_format.
 */
const char *units_report_unit(int64_t min_value, int64_t total, const char *sample_unit);

#endif
