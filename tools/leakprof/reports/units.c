/*
 * units.c — pprof's unit scaling and percentages (see units.h). The tables and rules
 * follow github.com/google/pprof/internal/measurement/measurement.go, including its quirks
 * (an alias is matched after lowering case and dropping one trailing "s" from names longer
 * than two bytes), because agreeing with pprof digit for digit is the point.
 */
#include "reports/units.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/util.h"

struct unit {
    const char *name;
    const char *aliases[4];
    double factor;
};

struct unit_type {
    struct unit units[9];
    size_t count;
    struct unit default_unit;
};

static const struct unit_type unit_types[] = {
        {{{"B", {"b", "byte"}, 1},
          {"kB", {"kb", "kbyte", "kilobyte"}, 1024.0},
          {"MB", {"mb", "mbyte", "megabyte"}, 1048576.0},
          {"GB", {"gb", "gbyte", "gigabyte"}, 1073741824.0},
          {"TB", {"tb", "tbyte", "terabyte"}, 1099511627776.0},
          {"PB", {"pb", "pbyte", "petabyte"}, 1125899906842624.0}},
         6,
         {"B", {"b", "byte"}, 1}},
        {{{"ns", {"ns", "nanosecond"}, 1},
          {"us", {"\xce\xbcs", "us", "microsecond"}, 1e3},
          {"ms", {"ms", "millisecond"}, 1e6},
          {"s", {"s", "sec", "second"}, 1e9},
          {"hrs", {"hour", "hr"}, 3600e9}},
         5,
         {"s", {NULL}, 1e9}},
        {{{"n*GCU", {"nanogcu"}, 1e-9},
          {"u*GCU", {"microgcu"}, 1e-6},
          {"m*GCU", {"milligcu"}, 1e-3},
          {"GCU", {"gcu"}, 1},
          {"k*GCU", {"kilogcu"}, 1e3},
          {"M*GCU", {"megagcu"}, 1e6},
          {"G*GCU", {"gigagcu"}, 1e9},
          {"T*GCU", {"teragcu"}, 1e12},
          {"P*GCU", {"petagcu"}, 1e15}},
         9,
         {"GCU", {NULL}, 1}},
};

static const struct unit *sniff_unit(const struct unit_type *type, const char *name)
{
    char lower[64];
    size_t n = strlen(name);
    if (n >= sizeof lower)
        return NULL;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[n] = '\0';
    if (n > 2 && lower[n - 1] == 's')
        lower[n - 1] = '\0';
    for (size_t u = 0; u < type->count; u++)
        for (size_t a = 0; a < 4 && type->units[u].aliases[a]; a++)
            if (strcmp(type->units[u].aliases[a], lower) == 0)
                return &type->units[u];
    return NULL;
}

static bool is_auto(const char *unit)
{
    return strcmp(unit, "auto") == 0 || strcmp(unit, "minimum") == 0;
}

static bool convert_unit(const struct unit_type *type, int64_t value, const char *from, const char *to,
                         double *out, const char **unit_out)
{
    const struct unit *from_unit = sniff_unit(type, from);
    if (!from_unit)
        return false;
    double v = (double)value * from_unit->factor;
    if (is_auto(to)) {
        double factor = 0;
        const char *name = NULL;
        for (size_t u = 0; u < type->count; u++) {
            if (type->units[u].factor >= factor && v / type->units[u].factor >= 1.0) {
                factor = type->units[u].factor;
                name = type->units[u].name;
            }
        }
        if (name) {
            *out = v / factor;
            *unit_out = name;
            return true;
        }
        *out = v / type->default_unit.factor;
        *unit_out = type->default_unit.name;
        return true;
    }
    const struct unit *to_unit = sniff_unit(type, to);
    if (!to_unit)
        to_unit = &type->default_unit;
    *out = v / to_unit->factor;
    *unit_out = to_unit->name;
    return true;
}

double units_scale(int64_t value, const char *from_unit, const char *to_unit, const char **unit_out)
{
    if (value < 0 && value != INT64_MIN)
        return -units_scale(-value, from_unit, to_unit, unit_out);
    double v;
    for (size_t t = 0; t < sizeof unit_types / sizeof unit_types[0]; t++)
        if (convert_unit(&unit_types[t], value, from_unit, to_unit, &v, unit_out))
            return v;
    static const char *const plain[] = {"count", "sample", "unit", "minimum", "auto"};
    *unit_out = to_unit;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(to_unit, plain[i]) == 0)
            *unit_out = "";
    return (double)value;
}

size_t units_steps(const char *unit, double *factor, struct units_step *units, size_t max,
                   struct units_step *fallback)
{
    for (size_t t = 0; t < sizeof unit_types / sizeof unit_types[0]; t++) {
        const struct unit_type *type = &unit_types[t];
        const struct unit *from = sniff_unit(type, unit);
        if (!from)
            continue;
        *factor = from->factor;
        size_t count = type->count < max ? type->count : max;
        for (size_t u = 0; u < count; u++)
            units[u] = (struct units_step){type->units[u].name, type->units[u].factor};
        *fallback = (struct units_step){type->default_unit.name, type->default_unit.factor};
        return count;
    }
    return 0;
}

void units_format(char *out, size_t size, int64_t value, const char *from_unit, const char *to_unit)
{
    const char *unit;
    double v = units_scale(value, from_unit, to_unit, &unit);
    char number[64];
    snprintf(number, sizeof number, "%.2f", v);
    size_t n = strlen(number);
    if (n > 3 && strcmp(number + n - 3, ".00") == 0)
        number[n - 3] = '\0';
    if (strcmp(number, "0") == 0 || strcmp(number, "-0") == 0)
        snprintf(out, size, "0");
    else
        snprintf(out, size, "%s%s", number, unit);
}

void units_format_signed(char *out, size_t size, int64_t value, const char *from_unit)
{
    units_format(out + (value > 0), size - (value > 0), value, from_unit, "auto");
    if (value > 0)
        out[0] = '+';
}

void units_percentage(char *out, size_t size, int64_t value, int64_t total)
{
    double ratio = 0;
    if (total != 0)
        ratio = fabs((double)value / (double)total) * 100;
    if (ratio >= 99.95 && ratio <= 100.05)
        snprintf(out, size, "  100%%");
    else if (ratio >= 1.0)
        snprintf(out, size, "%5.2f%%", ratio);
    else
        snprintf(out, size, "%5.2g%%", ratio);
}

const char *units_report_unit(int64_t min_value, int64_t total, const char *sample_unit)
{
    int64_t max_value = total;
    if (min_value == 0)
        min_value = max_value;
    const char *min_unit, *max_unit, *unit;
    units_scale(min_value, sample_unit, "minimum", &min_unit);
    units_scale(max_value, sample_unit, "minimum", &max_unit);
    unit = min_unit;
    /* pprof: scale the minimum by 100 so that it may print as small as 0.01. */
    if (strcmp(min_unit, max_unit) != 0 && min_value < INT64_MAX / 100 && min_value * 100 < max_value)
        units_scale(100 * min_value, sample_unit, "minimum", &unit);
    return *unit ? unit : sample_unit;
}
