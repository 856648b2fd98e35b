/*
 * quantities — parsing sizes and durations (quantities.h).
 *
 * The number is read exactly, as up to 20 significant decimal digits (every 64-bit integer)
 * and a power of ten, and multiplied by its unit before it is rounded down: "0.5k" is 512
 * bytes and "1.5h" 5400 seconds, and 2^53 + 1 stays itself (strtod would round it).
 */
#include "common/quantities.h"

#include <stddef.h>

/* digits × 10^exponent; 20 digits need more than 64 bits, and 128 hold them times any unit
   here (at most 2^40) with room for one more factor of ten. */
#define SIGNIFICANT_DIGITS 20

struct decimal {
    unsigned __int128 digits;
    int exponent;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *skip_blanks(const char *text)
{
    while (is_blank(*text))
        text++;
    return text;
}

/* Appends one digit. Digits past the 20th significant one only move the point (in the integer
   part: the value is then too large anyway) or are dropped (in the fraction). */
static void add_digit(struct decimal *number, char c, bool in_fraction, int *significant)
{
    if (*significant >= SIGNIFICANT_DIGITS) {
        number->exponent += !in_fraction;
        return;
    }
    number->digits = number->digits * 10 + (unsigned)(c - '0');
    number->exponent -= in_fraction;
    *significant += number->digits != 0;
}

/* Reads blanks, a sign, digits, a fraction and an exponent; NULL when there is no number. A
   minus sign is allowed on zero alone (leakprof's strtod took "-0"). */
static const char *parse_number(const char *text, struct decimal *number)
{
    const char *p = skip_blanks(text);
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    *number = (struct decimal){0, 0};
    int significant = 0;
    bool any = false;
    for (; is_digit(*p); p++, any = true)
        add_digit(number, *p, false, &significant);
    if (*p == '.')
        for (p++; is_digit(*p); p++, any = true)
            add_digit(number, *p, true, &significant);
    if (!any || (negative && number->digits != 0))
        return NULL;
    /* p[1] is read only past an 'e': at the terminator it would be out of the string */
    bool exponent_mark = *p == 'e' || *p == 'E';
    bool signed_exponent = exponent_mark && (p[1] == '+' || p[1] == '-');
    if (exponent_mark && is_digit(p[1 + signed_exponent])) {
        bool down = p[1] == '-';
        int exponent = 0;
        for (p += 1 + signed_exponent; is_digit(*p); p++)
            if (exponent < 10000)
                exponent = exponent * 10 + (*p - '0');
        number->exponent += down ? -exponent : exponent;
    }
    return p;
}

/* floor(number × unit), false past UINT64_MAX. */
static bool scale(const struct decimal *number, uint64_t unit, uint64_t *value)
{
    unsigned __int128 product = number->digits * unit;
    int exponent = number->exponent;
    for (; exponent > 0 && product; exponent--) {
        product *= 10;
        if (product > UINT64_MAX)
            return false;
    }
    for (; exponent < 0 && product; exponent++)
        product /= 10;
    if (product > UINT64_MAX)
        return false;
    *value = (uint64_t)product;
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool libleak_parse_size(const char *text, uint64_t *bytes)
{
    struct decimal number;
    const char *p = parse_number(text, &number);
    if (!p)
        return false;
    static const char prefixes[] = "kmgt";
    uint64_t unit = 1;
    for (int i = 0; prefixes[i]; i++)
        if (lower(*p) == prefixes[i]) {
            unit = 1ULL << (10 * (i + 1));
            p++;
            if (lower(*p) == 'i') /* "KiB" */
                p++;
            break;
        }
    if (lower(*p) == 'b')
        p++;
    return *skip_blanks(p) == '\0' && scale(&number, unit, bytes);
}

bool libleak_parse_duration(const char *text, uint64_t *seconds)
{
    struct decimal number;
    const char *p = parse_number(text, &number);
    if (!p)
        return false;
    static const struct {
        char letter;
        uint64_t seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    uint64_t unit = 1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*p == units[i].letter) {
            unit = units[i].seconds;
            p++;
            break;
        }
    return *skip_blanks(p) == '\0' && scale(&number, unit, seconds);
}
