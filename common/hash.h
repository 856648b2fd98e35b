/*
 * hash — the two hash functions every table of the library uses.
 *
 * libleak_hash_string is FNV-1a (64-bit): strings here (function names, paths) are short and
 * FNV-1a is the smallest hash good enough for them. libleak_hash_mix is MurmurHash3's
 * finalizer halved: keys such as addresses carry their information in the middle bits (the low
 * ones are alignment zeros), and one multiply between two shifts spreads it over the bits a
 * power-of-two table masks.
 */
#ifndef LIBLEAK_HASH_H
#define LIBLEAK_HASH_H
#include <stdint.h>

#define LIBLEAK_FNV_OFFSET_BASIS 0xCBF29CE484222325ULL
#define LIBLEAK_FNV_PRIME        0x100000001B3ULL

static inline uint64_t libleak_hash_string(const char *text)
{
    uint64_t hash = LIBLEAK_FNV_OFFSET_BASIS;
    for (; *text; text++)
        hash = (hash ^ (unsigned char)*text) * LIBLEAK_FNV_PRIME;
    return hash;
}

static inline uint64_t libleak_hash_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return x;
}

#endif
